"""Where the daemon's sessions are traced: in its own loop, or in worker processes.

The handlers start a session through a :class:`Tracing` and get back an
EngineSession (daemon.hub), whichever it is.  :class:`InProcess` is the daemon
with one loop (``workers`` 0 or 1): the engine runs beside the sockets, and its
sink is the hub's.  daemon.workers.WorkerPool hands each session to a worker
process instead.
"""

from __future__ import annotations

from typing import Protocol

from traced import decoders
from traced.core.session import Outcome
from traced.daemon.hub import DaemonSession, EngineSession, Hub
from traced.errors import SpawnError
from traced.syscalls.arch import Arch
from traced.tracer.engine import Engine
from traced.tracer.run import Run, TracePolicy
from traced.tracer.spawn import LaunchSpec


class Tracing(Protocol):
    """Starts sessions.  Both calls raise what Engine.launch and Engine.attach raise
    (SpawnError, AttachError, InvalidLaunchError ...) or a RequestError."""

    @property
    def arch(self) -> Arch: ...

    async def launch(
        self, spec: LaunchSpec, policy: TracePolicy, session: DaemonSession
    ) -> EngineSession: ...

    async def attach(
        self, pid: int, policy: TracePolicy, session: DaemonSession
    ) -> EngineSession: ...

    def decoder_failures(self) -> dict[str, int]: ...

    async def close(self) -> None: ...


class LocalSession:
    """A Run of this process's engine, as the daemon asks for it."""

    def __init__(self, run: Run) -> None:
        self.run = run

    @property
    def pid(self) -> int:
        return self.run.core.root_tid

    @property
    def task_count(self) -> int:
        return len(self.run.core.tasks)

    @property
    def runaway(self) -> int | None:
        return self.run.runaway

    @property
    def spawn_error(self) -> SpawnError | None:
        return self.run.spawn_error

    @property
    def lost_tracer(self) -> str | None:
        return None  # its tracer is this process

    async def wait(self) -> Outcome | None:
        return await self.run.wait()

    def hold(self) -> None:
        self.run.hold()

    def release(self) -> None:
        self.run.release()

    def detach(self) -> None:
        self.run.detach()

    async def signal(self, signo: int) -> None:
        self.run.signal(signo)


class InProcess:
    """Every session on this process's loop: the engine's calls return at once."""

    def __init__(self, engine: Engine, hub: Hub) -> None:
        self.engine = engine
        self.hub = hub

    @property
    def arch(self) -> Arch:
        return self.engine.arch

    async def launch(
        self, spec: LaunchSpec, policy: TracePolicy, session: DaemonSession
    ) -> EngineSession:
        sink = self.hub.sink_for(session)
        return LocalSession(self.engine.launch(spec, policy, sink, session.session_id))

    async def attach(self, pid: int, policy: TracePolicy, session: DaemonSession) -> EngineSession:
        sink = self.hub.sink_for(session)
        return LocalSession(self.engine.attach(pid, policy, sink, session.session_id))

    def decoder_failures(self) -> dict[str, int]:
        return decoders.failures()

    async def close(self) -> None:
        pass
