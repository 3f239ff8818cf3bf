"""Tracing with no event loop: the in-process CLI's driver.

``traced launch --no-daemon`` traces one command and has nothing else to wait
for, so it sleeps in waitid itself instead of waking an event loop through a
signalfd: per wake-up one waitid in place of epoll's wait, the signalfd's read
and the loop's callback, and asyncio is not imported at all (bench/startup.py).
The Reactor is the daemon's; only the waking differs.

Kernel facts this module depends on:

* A waitid that sleeps with WNOWAIT (traced.linux.wait.sleep_until_pending)
  returns once any child or tracee has a status, and consumes nothing: the
  reactor's drain then takes what is its own, as after a SIGCHLD.
* A tracee held stopped (an -e inject= delay) makes no status: while one is held
  the driver naps instead, until its restart is due or a status is pending.
* A signal handler installed without SA_RESTART ends that sleep with EINTR;
  Python runs the handler and retries the wait unless the handler raises.  So
  a signal's action is queued by the handler, and the handler raises only while
  the driver sleeps in waitid, whose result (consuming nothing) may be lost.
  Actions then run between two stops, never in the midst of one.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from traced.linux import wait
from traced.linux.wait import sleep_until_pending
from traced.tracer.reactor import POLL_INTERVAL, Reactor

NAP_NS = 1_000_000  # how long a nap lasts at most, while a delayed restart is held
Action = Callable[[int], object]


class _Woken(Exception):
    """A signal arrived while the driver slept: its action waits in the queue."""


class BlockingDriver:
    """Drives a Reactor from the calling thread until told to stop.

    It is also the scheduler cli/signals.py's ``forwarding`` hands signals to
    (``call_soon_threadsafe``), so their actions run between stops."""

    def __init__(self, reactor: Reactor) -> None:
        self.reactor = reactor
        self._queued: list[tuple[Action, int]] = []
        self._sleeping = False

    def call_soon_threadsafe(self, action: Action, signo: int) -> None:
        """Called from a signal handler: queue the action, and end a sleep."""
        self._queued.append((action, signo))
        if self._sleeping:
            self._sleeping = False
            raise _Woken

    def run_until(self, done: Callable[[], bool]) -> None:
        """Handle every status as it comes until ``done()``, or no child is left."""
        while not done():
            if self._queued:
                self._act()
                continue
            try:
                pending = self._wait()
            except _Woken:  # raised as the sleep began or ended: nothing was taken
                pending = True
            if not pending:
                return
            handled = self.reactor.handled
            self.reactor.drain()
            if self.reactor.handled == handled and not self._queued:
                # Pending, yet none of ours to take (someone else's child): a
                # sleep would return at once, so poll slowly instead.
                time.sleep(POLL_INTERVAL)

    def _act(self) -> None:
        queued, self._queued = self._queued, []
        for action, signo in queued:
            action(signo)

    def _wait(self) -> bool:
        """Sleep until a status is pending; with delayed restarts held, nap until the
        next is due (made then) or a status is pending, whichever comes first."""
        due = self.reactor.restart_due()
        while due is not None:
            if self._queued or wait.peek() is not None:
                return True
            time.sleep(min(due, NAP_NS) / 1e9)
            due = self.reactor.restart_due()
        return self._sleep()

    def _sleep(self) -> bool:
        """Until a status is pending or a signal came (_Woken); False if no child
        is left."""
        self._sleeping = True
        try:
            return bool(self._queued) or sleep_until_pending()
        finally:
            self._sleeping = False
