"""A session as the reactor holds it: the pure core plus its I/O ends.

The reactor owns every Run; the engine makes them, and the daemon reaches
them through engine.Session.

Kernel facts this module depends on:

* A process's pid cannot be reused while it is a zombie nobody has reaped: a
  root the session still knows (it reaps its tracees' deaths) is still that pid.
* A process group's id cannot be reused while any process is in the group.
* PTRACE_INTERRUPT makes a running tracee trap, so a detach at its next stop
  comes soon; ESRCH means it is dying, and its death report follows.
"""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Callable

from traced.core.session import TraceSession
from traced.core.tracee import Resume
from traced.decoders.values import DEFAULT_OPTIONS, Options
from traced.errors import TraceeGoneError
from traced.events import Event
from traced.linux import ptrace
from traced.logs import get_logger
from traced.syscalls.arch import Arch

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

    def signal(self, signo: int) -> None:
        """Send ``signo`` to the command, as a terminal would: to a launched tree's
        whole process group, else to its root.  ProcessLookupError: it is gone.

        A launch returns at fork, before the child has made its own group (setsid):
        until then the child is the command's only process, so it gets the signal."""
        root = self.core.root_tid
        if self.process_group:  # never 0: killpg(0) would signal our own group
            try:
                os.killpg(self.process_group, signo)
                return
            except ProcessLookupError:
                if not self.core.knows(root):
                    raise
        elif not self.core.knows(root):
            raise ProcessLookupError(errno.ESRCH, f"session {self.core.session_id} has ended")
        os.kill(root, signo)

    def detach(self) -> None:
        """Let every task go at its next stop, leaving it running as before."""
        for tid in self.core.detach_all():
            try:
                ptrace.interrupt(tid)
            except TraceeGoneError:
                continue

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
