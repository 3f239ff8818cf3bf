"""A session as the reactor holds it: the pure core plus its I/O ends.

The reactor owns every Run; the engine makes them, and the daemon reaches
them through engine.Session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from traced.arch import Arch
from traced.decoders.values import DEFAULT_OPTIONS, Options
from traced.events import Event
from traced.logs import get_logger
from traced.session import TraceSession
from traced.tracee import Resume

Sink = Callable[[Event], None]
_log = get_logger(__name__)


class Run:
    """A session as the reactor holds it: the pure core plus its I/O ends."""

    def __init__(
        self, core: TraceSession, arch: Arch, wanted: frozenset[str] | None, sink: Sink
    ) -> None:
        self.core = core
        self.arch = arch
        self.wanted = wanted
        self.sink = sink
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.on_first_resume: Callable[[], None] | None = None
        # Back-pressure: while held, restarts wait here instead of reaching ptrace,
        # so the session's tracees stay stopped until every holder lets go.
        self.holders = 0
        self.deferred: list[Resume] = []
        self.owner: tuple[int, int] | None = None  # see TracePolicy.owner
        self.decoding: Options = DEFAULT_OPTIONS
        self.restart: Callable[[Run, Resume], None] = lambda run, resume: None
        # A runaway tree (a fork bomb) is stopped at max_tasks live tasks: a launched
        # one is killed, an attached one let go.  ``runaway`` records the count seen.
        self.max_tasks: int | None = None
        self.kill_runaway = True
        # The process group a launched tree leads (its root's pid), or None.  Tasks
        # the reactor has not adopted yet (a child whose parent was killed before its
        # fork event was reported) are still in it, so a runaway is killed through it.
        self.process_group: int | None = None
        self.runaway: int | None = None

    def hold(self) -> None:
        self.holders += 1

    def release(self) -> None:
        self.holders -= 1
        if self.holders == 0:
            deferred, self.deferred = self.deferred, []
            for resume in deferred:
                self.restart(self, resume)

    def deliver(self, event: Event) -> None:
        """Hand an event to the sink.  A failing sink must not stall the tracees."""
        try:
            self.sink(event)
        except Exception:
            _log.exception("event sink failed", session=self.core.session_id)

    def wants(self, name: str) -> bool:
        return self.wanted is None or name in self.wanted
