"""The tracer's shell: statuses in, waitpid, ptrace calls and events out.

It runs on an asyncio loop (the daemon, its workers), woken by SIGCHLD, or under
traced/tracer/blocking.py's driver (the in-process CLI), which sleeps in waitid
itself and calls :meth:`Reactor.drain` when a status is pending.

Kernel facts this module depends on:

* Every ptrace-stop and every death of a tracee raises SIGCHLD in the tracer.
  On a loop we read it from a signalfd (see traced.linux.signalfd for why not a
  handler).  Signals coalesce, so one wake-up can stand for many statuses: drain
  until waitid reports nothing pending.
* Which wait call sees which status, and which we may consume: see
  traced.linux.wait.  A stop or death of an unknown tid is a tracee's we have
  not heard of yet (auto-attached at fork/clone, its first stop or its death
  beating its creator's event): see _settle_unknown_stop, and traced.tracer.newcomers
  for how its session is found.  A new thread may die before it ever stops, and
  until its zombie is reaped its group's leader cannot be reported dead.
* A tracee's clone with CLONE_PARENT makes a child of its parent; for a launched
  command's root that is us.  With CLONE_UNTRACED too, the child is no tracee and
  no event tells us of it: it is a child of ours nobody forked here, and its
  zombie stays until we reap it.  /proc/TID/status tells a tracee's zombie
  (``TracerPid`` is the tracing thread, ours) from such an orphan's (0).
* ptrace requests must come from the thread that attached, so every call
  happens here, on the loop's thread, and none of them blocks.
* A process-directed signal goes to any one thread that does not block it.
  Another thread of ours (a library's helper, faulthandler's watchdog) that
  leaves SIGCHLD unblocked takes it, and with SIGCHLD's default disposition it
  is discarded.  So while we have tracees we also drain on a slow timer: a lost
  SIGCHLD costs at most POLL_INTERVAL, never a hang.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import signal
import time
from _thread import get_native_id  # threading's own, without threading's import
from typing import TYPE_CHECKING

from traced.core import abi
from traced.core.spin import DEATH, SpinPolicy
from traced.core.stops import decode_status
from traced.core.task import Resume, Step, running_call
from traced.errors import TracedError, TraceeGoneError
from traced.linux import ptrace, wait
from traced.linux.signalfd import close_signalfd, drain_signalfd, open_signalfd
from traced.logs import get_logger
from traced.tracer import newcomers, tamper
from traced.tracer.run import Run
from traced.tracer.stopread import read_stop, reread_poked

FAIR_SPINS = 16
# Statuses handled in one turn of the loop.  Busy tracees always have another
# stop pending, so an unbounded drain would never return: past this many, the
# rest waits for the loop's next turn, after sockets and timers had theirs.
DRAIN_BUDGET = 256
POLL_INTERVAL = 0.05  # seconds
# Stops taken before any is handled.  A batch's tracees are restarted only once every
# stop of it is read and planned, so the first one taken waits for all the others:
# a few dozen keep that wait short and still send the restarts out back to back.
BATCH = 32

if TYPE_CHECKING:  # asyncio is imported only where a loop runs (bench/startup.py)
    import asyncio

_log = get_logger(__name__)

Planned = tuple[Run, Step]  # a stop read and planned, its restart and events to come


class Reactor:
    """Owns SIGCHLD for the loop it runs on, and routes every status to its Run."""

    def __init__(self, *, reap_orphans: bool = False) -> None:
        """``reap_orphans``: this process starts no child but as a tracee (the daemon,
        the CLI), so every child of ours that nobody traces is a tracee's orphan, ours
        to reap.  A program with children of its own leaves it False and reaps them."""
        self.reap_orphans = reap_orphans
        self.loop: asyncio.AbstractEventLoop | None = None  # set by start(); None: blocking
        self.handled = 0  # statuses handled: a blocking driver's measure of progress
        self._runs: dict[int, Run] = {}
        # The process group each live launched Run leads (see Run.process_group).
        self._groups: dict[int, Run] = {}
        # The tids that left their session (died, were let go of) while a batch was
        # handled: a stop of theirs taken in that batch is stale (see _handle).
        self._left: set[int] = set()
        self._sigchld_fd = -1
        self._hot_tid = 0
        self._hot_budget_ns = 0
        self._hot_request = 0
        self._poller: asyncio.TimerHandle | None = None
        self._budget = 0
        self._drain_again: asyncio.Handle | None = None
        # On one CPU the tracee cannot run while we poll for it: there, sleep.
        self.spin = SpinPolicy(enabled=len(os.sched_getaffinity(0)) > 1)
        # -e inject='s delays with no loop to time them: (due, order, run, restart),
        # made by restart_due, which the blocking driver calls.
        self._delayed: list[tuple[int, int, Run, Resume]] = []
        self._order = itertools.count()

    def start(self) -> None:
        """Run on the running asyncio loop, woken by SIGCHLD.  (Not called for a
        blocking driver, which waits for statuses itself.)"""
        import asyncio

        if self._sigchld_fd < 0:
            self.loop = asyncio.get_running_loop()
            self._sigchld_fd = open_signalfd(signal.SIGCHLD)
            self.loop.add_reader(self._sigchld_fd, self._on_sigchld)

    def _poll(self) -> None:
        """The safety net for a SIGCHLD another thread took (see the module's facts)."""
        self._poller = None
        if not self._runs or self.loop is None:
            return
        self.drain()
        self._poller = self.loop.call_later(POLL_INTERVAL, self._poll)

    def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            self._poller = None
        if self._drain_again is not None:
            self._drain_again.cancel()
            self._drain_again = None
        if self._sigchld_fd >= 0 and self.loop is not None:
            self.loop.remove_reader(self._sigchld_fd)
            close_signalfd(self._sigchld_fd, signal.SIGCHLD)
            self._sigchld_fd = -1

    def _on_sigchld(self) -> None:
        drain_signalfd(self._sigchld_fd)
        self.drain()

    def register(self, tid: int, run: Run) -> None:
        self._runs[tid] = run
        if run.process_group:
            self._groups[run.process_group] = run
        newcomers.joined(run, tid)
        if self._poller is None and self.loop is not None:
            self._poller = self.loop.call_later(POLL_INTERVAL, self._poll)

    def drain(self) -> None:
        """Handle the pending statuses of our tracees, then return to the loop.
        (Under a blocking driver there is no loop: it calls this again.)

        Between two full drains the task just resumed is polled on its own, up
        to FAIR_SPINS times in a row, so a busy tracee cannot starve the others.
        After DRAIN_BUDGET statuses the loop gets its turn, and the drain goes on
        at the next one (no SIGCHLD is coming for what is already pending).
        """
        self._budget = DRAIN_BUDGET
        self._drain_pending()
        while self._budget > 0 and self._spin():
            for _ in range(FAIR_SPINS):
                if self._budget <= 0 or not self._spin():
                    break
            self._drain_pending()
        if self._budget <= 0 and self._drain_again is None and self.loop is not None:
            self._drain_again = self.loop.call_soon(self._drain_later)

    def _drain_later(self) -> None:
        self._drain_again = None
        self.drain()

    def _spin(self) -> bool:
        """Poll the task we just resumed for a little while, instead of sleeping.

        Its next stop often follows within microseconds (always so for the exit of a
        syscall it just entered), and catching it here spares a SIGCHLD wake-up of
        an idle CPU, which on a virtual machine can cost more than the stop itself.
        """
        tid, budget, request = self._hot_tid, self._hot_budget_ns, self._hot_request
        self._hot_tid = 0
        return self._catch(tid, budget, request)

    def _catch(self, tid: int, budget_ns: int, request: int) -> bool:
        """Take ``tid``'s next status if it comes within ``budget_ns``, and handle it;
        the spin policy learns whether it came (judged by ``request``)."""
        if tid not in self._runs:  # none, or let go of since its restart
            return False
        deadline = time.perf_counter_ns() + budget_ns
        while time.perf_counter_ns() < deadline:
            status = wait.take(tid)
            if status is not None:
                self.spin.record(request, found=True)
                self._dispatch_safely(tid, status)
                return True
        self.spin.record(request, found=False)
        return False

    def _await_death(self, tid: int) -> None:
        """A task restarted into exit or exit_group: poll for its death now, before
        any other task's stop is handled, so that its line ends with its own ``= ?``
        rather than another task's line cutting it (``<unfinished ...>``).  strace,
        taking one status at a time, mostly sees the death first; a batch, or the
        next batch, would put every other pending stop before it."""
        budget = self.spin.budget_ns(DEATH) if self.spin.enabled else 0
        if budget:
            if self._hot_tid == tid:  # this poll stands for the restart's own
                self._hot_tid = 0
            self._catch(tid, budget, DEATH)

    def _drain_pending(self) -> None:
        """Every pending stop (up to the budget), then every pending death.

        Deaths are looked at even when the stops used up the budget: busy tracees
        always have another stop pending, and a death must not wait behind them."""
        self._drain_stops()
        self._drain_deaths()

    def _drain_stops(self) -> None:
        """Take every pending stop first, then handle them, oldest first: strace's
        fairness, where one busy tracee's stops cannot crowd out the others'."""
        while self._budget > 0:
            # With one tracee no second stop can be pending: the wait that would say
            # so is saved (the next turn of this loop asks anyway).
            batch = wait.take_stops(min(self._budget, BATCH, len(self._runs) or 1))
            self._left.clear()
            if len(batch) > 1:
                self._handle(batch)
            elif not batch:
                return
            elif batch[0][0] in self._runs:  # the usual batch of one: no lists
                self._dispatch_safely(*batch[0])
            else:
                self._handle(batch)

    def _drain_deaths(self) -> None:
        """Up to DRAIN_BUDGET deaths (and stops newer than _drain_stops saw), whatever
        budget the stops left: busy tracees always have another stop, so this too
        must end."""
        for _ in range(DRAIN_BUDGET):
            peeked = wait.peek()
            if peeked is None:
                return
            tid, trapped = peeked
            if tid in self._runs:
                self._take(tid)
            elif trapped:
                self._take_unknown_stop(tid)
            elif not self._settle_unknown_death(tid):
                self._drain_each_known()
                return
        self._budget = 0  # more may be pending: the loop's next turn goes on

    def _settle_unknown_stop(self, tid: int, status: int) -> Planned | None:
        """The first stop of a task no session knows yet, already consumed.

        The session it belongs to adopts it (looked up now: its creator's event
        may never come).  In none, it is a tracee whose creator was killed before
        reporting it, in a session now over, and nobody would ever resume it."""
        run, kin = newcomers.owner_of(tid, self._runs, self._groups)
        if run is None:
            self._budget -= 1
            self.handled += 1
            newcomers.let_go_of_stray(tid)
            return None
        self._adopt(run, tid, kin.tgid, kin.parent)
        newcomers.joined(run, tid)
        return self._plan_safely(tid, status)

    def _take_unknown_stop(self, tid: int) -> None:
        status = wait.take(tid)
        plan = None if status is None else self._settle_unknown_stop(tid, status)
        if plan is not None:
            self._finish(*plan)

    def _settle_unknown_death(self, tid: int) -> bool:
        """Take the death of a tid no session knows yet; False if it is not ours to take.

        A tracee of ours that died before its creator's event is adopted by its
        session, then reaped as one of its tasks (not counted as a newcomer, nor
        killed); a dead tracee in no session is reaped.  A dead child of ours that
        nobody traces is an orphan a tracee left us (see the module's facts): reaped
        when this process starts children only as tracees (``reap_orphans``), else
        left to its owner, as is a task /proc no longer knows."""
        run, kin = newcomers.owner_of(tid, self._runs, self._groups)
        if kin.tracer == get_native_id() and run is not None:  # the loop's thread traces
            self._adopt(run, tid, kin.tgid, kin.parent)
            self._take(tid)
            return True
        if kin.tracer == get_native_id() or (kin.parent == os.getpid() and self.reap_orphans):
            wait.take(tid)
            self.handled += 1
            return True
        return False

    def _adopt(self, run: Run, tid: int, tgid: int, parent: int) -> None:
        run.core.adopt_early(tid, tgid, parent)
        self._runs[tid] = run

    def _drain_each_known(self) -> None:
        """A child that is not ours sits first in line: ask for ours one by one."""
        for tid in list(self._runs):
            if tid in self._runs:
                self._take(tid)

    def _take(self, tid: int) -> None:
        status = wait.take(tid)
        if status is not None:
            self._dispatch_safely(tid, status)

    def _dispatch_safely(self, tid: int, status: int) -> None:
        """One stop of a known task: :meth:`_handle` for a batch of one."""
        planned = self._plan_safely(tid, status)
        if planned is not None:
            run, step = planned  # _finish's work, in this frame: nearly every stop's path
            if step.resume is not None:
                self.resume(run, step.resume)
            self._deliver_safely(run, step)

    def _finish(self, run: Run, step: Step) -> None:
        """Restart the tracee, then deliver the stop's events."""
        if step.resume is not None:
            self.resume(run, step.resume)
        self._deliver_safely(run, step)

    def _handle(self, batch: list[tuple[int, int]]) -> None:
        """Read and plan each stop, then restart every tracee, then deliver the events.

        Restarts back to back, so each tracee runs while the events are built,
        instead of waiting for them.
        A bad stop (a bug, or a ptrace error other than ESRCH) is logged and its
        task let run: it must not stall the rest.

        A stop is stale when its task left its session earlier in the batch: a new
        child, taken with its first stop, can be killed, and its death taken, as its
        parent's fork event is handled (a runaway tree's newcomers are).  Its zombie,
        which its parent has still to reap, must not be adopted as a newcomer: nobody
        would ever report its death again."""
        planned = []
        for tid, status in batch:
            if tid in self._runs:  # asked now: a batch-mate's event may have adopted it
                plan = self._plan_safely(tid, status)
            elif tid in self._left:
                continue
            else:
                plan = self._settle_unknown_stop(tid, status)
            if plan is not None:
                planned.append(plan)
        for run, step in planned:
            if step.resume is not None:
                self.resume(run, step.resume)
        for run, step in planned:
            self._deliver_safely(run, step)

    def _plan_safely(self, tid: int, status: int) -> Planned | None:
        """Read the stop and plan it; None if there is nothing to restart or deliver."""
        self._budget -= 1
        self.handled += 1
        run = self._runs[tid]
        try:
            decoded = decode_status(status)
            # traced attach --filter, while it installs: a stop may be one of its calls.
            if run.installer is not None and run.installer.takes(tid, decoded):
                return None
            step = run.core.plan(tid, read_stop(run, tid, decoded))
            if step.joined or step.left:
                self._follow(run, step)
            if step.tamper is not None:
                self._tamper(run, tid, step)
        except TraceeGoneError:
            return None  # SIGKILLed while stopped: its death report follows
        except Exception:
            self._let_run(tid, status)
            return None
        return run, step

    def _tamper(self, run: Run, tid: int, step: Step) -> None:
        """-e inject=: the core's decision done to the tracee; a delay takes its
        restart, to be made later (the others' are made meanwhile)."""
        change = step.tamper
        assert change is not None
        tamper.apply(tid, run.arch.skip, change)
        if change.pokes:
            reread_poked(run, tid, step)
        if change.delay_ns is not None and step.resume is not None:
            resume, step.resume = step.resume, None
            self._later(run, resume, change.delay_ns)

    def _later(self, run: Run, resume: Resume, delay_ns: int) -> None:
        if self.loop is not None:
            self.loop.call_later(delay_ns / 1e9, self.resume, run, resume)
        else:
            due = time.monotonic_ns() + delay_ns
            heapq.heappush(self._delayed, (due, next(self._order), run, resume))

    def restart_due(self) -> int | None:
        """Make the delayed restarts whose time has come (no loop: the blocking
        driver asks); the ns until the next one, None if none is left."""
        delayed = self._delayed
        while delayed:
            wait_ns = delayed[0][0] - time.monotonic_ns()
            if wait_ns > 0:
                return wait_ns
            _, _, run, resume = heapq.heappop(delayed)
            self.resume(run, resume)
        return None

    def _let_run(self, tid: int, status: int) -> None:
        """A bug or an odd kernel answer: log it, and never strand the task."""
        _log.exception("cannot handle a stop; letting the task run", tid=tid, status=status)
        with contextlib.suppress(TracedError):
            ptrace.restart(abi.PTRACE_CONT, tid, 0)

    def _deliver_safely(self, run: Run, step: Step) -> None:
        try:
            for event in step.events():
                run.deliver(event)
        except Exception:  # a bug in building an event: the others still go out
            _log.exception("cannot build a stop's events", session=run.core.session_id)
        if not run.holders and run.core.death_follows(step):  # held: not restarted yet
            self._await_death(step.task.tid)
        if not run.core.tasks and not run.over:
            if run.process_group and self._groups.get(run.process_group) is run:
                del self._groups[run.process_group]
            run.end()

    def _follow(self, run: Run, step: Step) -> None:
        """Keep the tid -> Run map in step with the session's tasks."""
        for tid in step.left:
            self._left.add(tid)
            if self._runs.get(tid) is run:  # a long-vanished tid may be another's now
                del self._runs[tid]
        for tid in step.joined:
            self._runs[tid] = run
            newcomers.joined(run, tid)
            # Its first stop may be pending already, its SIGCHLD long consumed.
            self._take(tid)

    def resume(self, run: Run, resume: Resume) -> None:
        """Restart a tracee, or keep the restart for later while its run is held.

        A restart that fails but for the tracee's death (ESRCH) is a bug or an odd
        kernel answer: logged, and the task let run, never stranded."""
        if run.holders:
            run.deferred.append(resume)
            return
        if resume.starts_call:
            task = run.core.tasks.get(resume.tid)
            if task is not None:
                running_call(task, time.time_ns)
        try:
            ptrace.restart(resume.request, resume.tid, resume.sig)
        except TraceeGoneError:
            return
        except Exception:
            _log.exception("cannot restart a task; letting it run", tid=resume.tid)
            with contextlib.suppress(TracedError):
                ptrace.restart(abi.PTRACE_CONT, resume.tid, 0)
            return
        if self.spin.enabled:
            budget = self.spin.budget_ns(resume.request)
            if budget:
                self._hot_tid, self._hot_budget_ns = resume.tid, budget
                self._hot_request = resume.request
        if run.on_first_resume is not None and resume.tid == run.core.root_tid:
            release, run.on_first_resume = run.on_first_resume, None
            release()
