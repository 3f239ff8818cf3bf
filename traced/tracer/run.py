"""A running trace: the pure core plus its I/O ends.

The reactor holds every Run and routes its tracees' stops to it; Engine.launch and
Engine.attach make one, whole, and hand it to their caller, who waits for it,
detaches from it, holds it back or signals it.

Kernel facts this module depends on:

* A process's pid cannot be reused while it is a zombie nobody has reaped: a
  root the session still knows (it reaps its tracees' deaths) is still that pid.
* A process group's id cannot be reused while any process is in the group.
* PTRACE_INTERRUPT makes a running tracee trap, so a detach at its next stop
  comes soon; ESRCH means it is dying, and its death report follows.
* A seccomp filter cannot be installed in a running process from outside, so a
  trace by a filter needs a process we start, a kernel with seccomp filters, or
  syscalls injected into the process (``traced attach --filter``:
  traced/tracer/attachfilter.py).  Such a filter is there for the life of the
  process, and its traced syscalls fail with ENOSYS once nobody traces it: that
  process can never be detached, only kept or killed (Run.detach).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol

from traced.core.session import Outcome, TraceSession
from traced.core.stops import Call, Decoded, InjectRule
from traced.core.task import Mode, Resume
from traced.decoders.values import DEFAULT_OPTIONS, Options
from traced.errors import SpawnError, TraceeGoneError
from traced.events import Entries, Event
from traced.filter.inject import NO_INJECTIONS, Injection, Injections
from traced.filter.predicates import Rule, Rules, matcher
from traced.linux import procfs, ptrace
from traced.linux.access import Client
from traced.logs import get_logger
from traced.syscalls.arch import Abi, Arch
from traced.tracer.spawn import Child

if TYPE_CHECKING:  # asyncio is imported only where a loop runs (bench/startup.py)
    import asyncio
    from asyncio import AbstractEventLoop

    from traced.tracer.stacks import Stacks

Sink = Callable[[Event], None]
_log = get_logger(__name__)


class TracePolicy(NamedTuple):  # not a dataclass: ~0.5 ms less to start (bench/startup.py)
    """What the user asked to see: syscall names, or None for every syscall."""

    names: frozenset[str] | None = None
    force_full: bool = False  # stop at every syscall even when a filter could be used
    # The client (not root) an attached process is traced for: only threads it may
    # trace are seized, and one that execs into privileges it lacks (a set-user-ID
    # or file-capability program) is let go at that exec, before it runs.
    owner: Client | None = None
    decoding: Options = DEFAULT_OPTIONS  # -s, -v, -y
    entries: Entries = Entries.NEVER  # syscall_entry events too (strace-like text needs them)
    # Only syscall_entry events, no syscall events: a call's exit is never stopped at
    # in seccomp mode (core.task.Task.entry_only).
    entry_only: bool = False
    # Live tasks allowed at once; beyond it a launched tree is killed, an attached
    # one detached (Run.runaway then says how many there were).
    max_tasks: int | None = None
    # -e inject= and -e fault=; with inject_in_kernel, those a seccomp filter can make
    # alone (an errno, every time) are its verdicts, and never stop (in_kernel_errors).
    injections: Injections = NO_INJECTIONS
    inject_in_kernel: bool = False
    # Argument predicates of syscalls in ``names``: (name, its rules) pairs, a tuple
    # so that the policy stays a value the daemon's channel carries as it is.
    rules: tuple[tuple[str, tuple[Rule, ...]], ...] = ()
    # traced attach --filter: install our filter in the process (KEEP or KILL, what
    # a detach does once it is in: see Run.detach); None, a plain attach.
    attach_filter: str | None = None
    # False (--no-follow): the tasks the tracee creates are not traced.  A filter would
    # be inherited by them, and its RET_TRACE would fail their calls with ENOSYS once
    # nobody traces them: so no filter then, every stop (full mode).
    follow: bool = True
    # -k: each reported syscall's (and signal's) call stack, walked at its stop
    # (traced.tracer.stacks); off, nothing of it is imported.
    stack_trace: bool = False
    # What an exec stop reads for its ExecEvent: the path given to execve and the new
    # argv (three /proc reads and one of memory).  A sink that never shows them (the
    # CLI's text) sets False, and its ExecEvents carry "" and no argv.
    exec_image: bool = True

    def mode(self) -> Mode:
        if (
            self.names is None
            or self.force_full
            or not self.follow
            or not procfs.seccomp_filters_supported()
        ):
            return Mode.FULL
        return Mode.SECCOMP

    def in_kernel_errors(self, never: frozenset[str]) -> dict[str, int]:
        """The errnos the filter itself returns, by syscall (inject_in_kernel): traced
        ones whose injection the filter can make, but those in ``never`` (the calls
        our own set-up makes once the filter is on: execve)."""
        if not self.inject_in_kernel or self.mode() is not Mode.SECCOMP:
            return {}
        return {
            name: injection.error
            for name, injection in self.injections.by_name.items()
            if injection.error is not None
            and injection.in_kernel
            and self.names is not None
            and name in self.names
            and name not in never
        }


def rule_for(injection: Injection, abi: Abi) -> InjectRule:
    """An injection as the core applies it to one ABI's call: numbers, not names."""
    when = injection.when
    nr = result = None
    if injection.replaces_result:
        sub = injection.syscall
        nr = -1 if sub is None else abi.numbers_by_name[sub] | abi.nr_bit
        result = -injection.error if injection.error is not None else injection.retval
    return InjectRule(
        first=when.first,
        last=when.last,
        step=when.step,
        nr=nr,
        result=result,
        fails=injection.error is not None,
        signal=injection.signal or 0,
        delay_enter_ns=injection.delay_enter_ns,
        delay_exit_ns=injection.delay_exit_ns,
        poke_enter=injection.poke_enter,
        poke_exit=injection.poke_exit,
    )


KEEP = "keep"  # the user leaves: the process stays traced (by the daemon)
KILL = "kill-on-exit"  # the user leaves: the process is killed
FILTER_CHOICES = (KEEP, KILL)


class Installer(Protocol):
    """An install of our filter in progress (traced.tracer.attachfilter)."""

    def takes(self, tid: int, decoded: Decoded) -> bool: ...


class Run:
    """A running trace: the reactor feeds it stops; its caller waits for its end."""

    def __init__(
        self,
        core: TraceSession,
        arch: Arch,
        policy: TracePolicy,
        sink: Sink,
        restart: Callable[[Run, Resume], None],
        *,
        child: Child | None = None,
        process_group: int | None = None,
        loop: AbstractEventLoop | None = None,
    ) -> None:
        """``child``: the launched command, None for an attached process.
        ``process_group``: the group a launched tree leads (its root's pid), if any:
        tasks the reactor has not adopted yet (a child whose parent was killed before
        its fork event was reported) are still in it, so a runaway is killed through it.
        ``restart``: how a restart deferred while the run was held is made at release.
        ``loop``: the event loop the reactor runs on; None when it blocks in waitid.
        """
        self.core = core
        self.arch = arch
        self.sink = sink
        self.restart = restart
        # Read at each stop (see stopread), so kept here rather than behind the policy.
        self.wanted = policy.names
        self.rules: Rules = dict(policy.rules)
        self.decoding = policy.decoding
        # Each syscall's Call, by (audit arch, nr), made at its first stop (stopread).
        self.calls: dict[tuple[int, int], Call] = {}
        # -k's walks (the Engine makes them before the command starts); None without.
        self.stacks: Stacks | None = None
        # -Y: each task's comm as last read at one of its stops, for its exit's line
        # should it be reaped before that is read (stopread).
        self.comms: dict[int, bytes] = {}
        self.owner = policy.owner
        self.exec_image = policy.exec_image
        self.injections = policy.injections.by_name
        # A runaway tree (a fork bomb) is stopped at max_tasks live tasks: a launched
        # one is killed, an attached one (not ours to kill) let go.  ``runaway``
        # records the count seen.
        self.max_tasks = policy.max_tasks
        self.kill_runaway = child is not None
        self.runaway: int | None = None
        self.process_group = process_group
        # Back-pressure: while held, restarts wait here instead of reaching ptrace,
        # so the session's tracees stay stopped until every holder lets go.
        self.holders = 0
        self.deferred: list[Resume] = []
        self.spawn_error: SpawnError | None = None
        # traced attach --filter: the install under way (sees each stop first: the
        # reactor), and where it stands: None (none asked), "pending", "installing"
        # (the seccomp call is in flight), "installed" or "failed".
        self.attach_filter = policy.attach_filter
        self.installer: Installer | None = None
        self.filter_state: str | None = None
        self._child = child
        # The launched child waits for this before it execs: its first restart.
        self.on_first_resume = child.release if child is not None else None
        # Set by the reactor when the last task is gone.  On an event loop a future
        # says so too (``wait``), and the child's exec outcome is read as it comes;
        # a blocking caller (traced/tracer/blocking.py) reads it at the end.
        self.over = False
        self._loop = loop
        self._done: asyncio.Future[None] | None = None
        if loop is not None:
            self._done = loop.create_future()
            if child is not None:
                loop.add_reader(child.report_fd, self._read_exec_outcome)

    @property
    def id(self) -> str:
        return self.core.session_id

    def end(self) -> None:
        """The reactor's call: every task is gone."""
        self.over = True
        if self.stacks is not None:
            self.stacks.close()
            self.stacks = None
        if self._done is not None and not self._done.done():
            self._done.set_result(None)

    async def wait(self) -> Outcome | None:
        """Until every task is gone; the root's outcome (None after a detach)."""
        if self._done is not None:
            await self._done
        return self.outcome()

    def outcome(self) -> Outcome | None:
        """Once it is over: the root's outcome (None after a detach), and
        ``spawn_error`` set if the command could not be executed."""
        self._read_exec_outcome()  # the child is gone: the pipe is at EOF or holds the errno
        if self._child is not None:
            self._child.close_pipes()  # a root killed before its release never read "go"
        return self.core.outcome

    def _read_exec_outcome(self) -> None:
        if self._child is not None and self._child.report_fd >= 0:
            if self._loop is not None:
                self._loop.remove_reader(self._child.report_fd)
            self.spawn_error = self._child.read_outcome()

    def signal(self, signo: int) -> None:
        """Send ``signo`` to the command, as a terminal would: to a launched tree's
        whole process group, else to its root.

        Raises ProcessLookupError when the command is gone (an attached process
        counts as gone once detached: its pid is no longer known to be its own).
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

    @property
    def filtered(self) -> bool:
        """Our filter is in the process, or may be (the call is in flight): it can
        never be let go (see the module's facts)."""
        return self.filter_state in ("installing", "installed")

    def detach(self) -> list[int]:
        """Let every task go at its next stop, leaving it running as before; their tids.

        A process with our filter in it cannot be: KEEP goes on tracing it (nothing
        is let go, nothing stopped), KILL kills it (the session then ends)."""
        if self.filtered:
            if self.attach_filter == KILL:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.core.root_tid, signal.SIGKILL)
            return []
        tids = self.core.detach_all()
        for tid in tids:
            try:
                ptrace.interrupt(tid)
            except TraceeGoneError:
                continue
        return tids

    def hold(self) -> None:
        """Stop resuming this session's tracees (a lossless subscriber is full)."""
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

    def rule(self, name: str, abi: Abi) -> InjectRule | None:
        """The injection rule of syscall ``name`` in ``abi`` (asked once per syscall
        number and session: stopread's Call), None for most."""
        injection = self.injections.get(name)
        return None if injection is None else rule_for(injection, abi)

    def admits(self, name: str, abi: Abi) -> Callable[[tuple[int, ...]], bool] | None:
        """The test of a call's registers against ``name``'s argument predicates on
        ``abi`` (the one evaluation, traced.filter.predicates), or None if it has none."""
        rules = self.rules.get(name)
        if rules is None:
            return None
        match = matcher(rules, name, abi)
        return lambda raw: match(raw) is not None
