"""traced's public Python API: what ``import traced`` offers (see traced/__init__.py).

Two ways to get events into your own asyncio program:

- ``traced.trace(argv, filter=...)``: trace a command in this process (local.py);
- ``await traced.connect()``: a running daemon, to launch, attach, subscribe and ask
  (daemon.py).

Both yield the typed event values of traced.events, the same ones the daemon sends.
The names exported here are stable by contract; everything else in the package may
change between versions.
"""

from __future__ import annotations

from traced.api.daemon import Daemon, Stream, connect
from traced.api.local import Trace, trace
from traced.core.session import Outcome
from traced.decoders.values import Options
from traced.errors import DaemonUnavailable, RequestFailed, SpawnError, TracedError
from traced.events import (
    Arg,
    Event,
    ExecEvent,
    ExitEvent,
    GroupStopEvent,
    SignalEvent,
    SpawnEvent,
    SyscallEntryEvent,
    SyscallEvent,
)
from traced.wire.protocol import Lost, SessionEnd, SessionInfo, StatsResult

__all__ = [
    "Arg", "Daemon", "DaemonUnavailable", "Event", "ExecEvent", "ExitEvent", "GroupStopEvent",
    "Lost", "Options", "Outcome", "RequestFailed", "SessionEnd", "SessionInfo", "SignalEvent",
    "SpawnError", "SpawnEvent", "StatsResult", "Stream", "SyscallEntryEvent", "SyscallEvent",
    "Trace", "TracedError", "connect", "trace",
]  # fmt: skip
