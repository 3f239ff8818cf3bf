"""The tracing engine's front door: launch a command, or attach to a process.

Kernel facts this module depends on:

* PTRACE_SEIZE does not stop the task; PTRACE_INTERRUPT then makes it trap, so
  its first stop is one we asked for (the state machine's NEW -> RUNNING).
* A seccomp filter cannot be installed in a running process, so attach always
  uses full mode: PTRACE_SYSCALL at every syscall, filtered here.
* A process's threads appear in /proc/PID/task; each must be seized on its own.
* EPERM from PTRACE_SEIZE means the caller may not trace that process
  (credentials, yama ptrace_scope, or it is already traced); ESRCH, it is gone.
"""

from __future__ import annotations

import asyncio
import errno
import uuid
from dataclasses import dataclass

from traced.core import abi
from traced.core.session import Outcome, TraceSession
from traced.core.tracee import Mode
from traced.decoders.values import DEFAULT_OPTIONS, Options
from traced.errors import (
    AttachError,
    PtraceError,
    SpawnError,
    TraceeGoneError,
)
from traced.filter.bpf import compile_filter
from traced.linux import procfs, ptrace
from traced.syscalls.arch import Arch, host_arch
from traced.tracer.reactor import Reactor
from traced.tracer.run import Run, Sink
from traced.tracer.spawn import Child, LaunchSpec, fork_child, resolve_program


@dataclass(frozen=True)
class TracePolicy:
    """What the user asked to see: syscall names, or None for every syscall."""

    names: frozenset[str] | None = None
    force_full: bool = False  # stop at every syscall even when a filter could be used
    # (uid, gid) an attached process must keep: one that execs into other
    # credentials (a setuid program) is let go at that exec, before it runs.
    owner: tuple[int, int] | None = None
    decoding: Options = DEFAULT_OPTIONS  # -s, -v, -y
    entries: bool = False  # syscall_entry events too (strace-like text needs them)
    # Live tasks allowed at once; beyond it a launched tree is killed, an attached
    # one detached (Session.runaway then says how many there were).
    max_tasks: int | None = None

    def mode(self) -> Mode:
        if self.names is None or self.force_full or not procfs.seccomp_filters_supported():
            return Mode.FULL
        return Mode.SECCOMP


class Session:
    """A running trace: wait for it, and (for attached processes) detach from it."""

    def __init__(self, run: Run, reactor: Reactor, child: Child | None = None) -> None:
        self._run = run
        self._reactor = reactor
        self._child = child
        self.spawn_error: SpawnError | None = None
        if child is not None:
            asyncio.get_running_loop().add_reader(child.report_fd, self._read_exec_outcome)

    def _read_exec_outcome(self) -> None:
        if self._child is not None and self._child.report_fd >= 0:
            asyncio.get_running_loop().remove_reader(self._child.report_fd)
            self.spawn_error = self._child.read_outcome()

    @property
    def id(self) -> str:
        return self._run.core.session_id

    @property
    def core(self) -> TraceSession:
        return self._run.core

    async def wait(self) -> Outcome | None:
        """Until every task is gone; the root's outcome (None after a detach)."""
        await self._run.done
        self._read_exec_outcome()  # the child is gone: the pipe is at EOF or holds the errno
        if self._child is not None:
            self._child.close_pipes()  # a root killed before its release never read "go"
        return self._run.core.outcome

    def hold(self) -> None:
        """Stop resuming this session's tracees (a lossless subscriber is full)."""
        self._run.hold()

    def release(self) -> None:
        self._run.release()

    @property
    def runaway(self) -> int | None:
        """The live task count that broke TracePolicy.max_tasks, if one did."""
        return self._run.runaway

    def detach(self) -> None:
        """Let every task go at its next stop, leaving it running as before."""
        self._run.detach()

    def signal(self, signo: int) -> None:
        """Send ``signo`` as a terminal would: to a launched command's process group
        (to the command itself until it has made its group), else to the root.

        Raises ProcessLookupError when the command is gone (an attached process
        counts as gone once detached: its pid is no longer known to be its own)."""
        self._run.signal(signo)


class Engine:
    """One per event loop: it owns SIGCHLD there."""

    def __init__(self, arch: Arch | None = None) -> None:
        self.arch = arch or host_arch()
        self.reactor = Reactor()

    def __enter__(self) -> Engine:
        self.reactor.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.reactor.stop()

    def _new_run(self, mode: Mode, root: int, policy: TracePolicy, sink: Sink, sid: str) -> Run:
        core = TraceSession(sid or uuid.uuid4().hex[:12], mode, root)
        core.report_entries = policy.entries
        run = Run(core, self.arch, policy.names, sink)
        run.owner = policy.owner
        run.decoding = policy.decoding
        run.max_tasks = policy.max_tasks
        return run

    async def launch(
        self, spec: LaunchSpec, policy: TracePolicy, sink: Sink, session_id: str = ""
    ) -> Session:
        """Start ``spec.argv`` traced.  Raises SpawnError if the program cannot be found.

        With credentials to take on, the child looks the program up itself, as that
        user: a lookup by root would tell a user what folders it cannot read hold.
        """
        program = spec.argv[0] if spec.credentials else resolve_program(spec.argv[0], spec.env)
        mode = policy.mode()
        names = policy.names or frozenset()
        filter_program = compile_filter(self.arch, names) if mode is Mode.SECCOMP else None
        child = fork_child(spec, program, filter_program)
        try:
            ptrace.seize(child.pid, abi.LAUNCH_OPTIONS)
            ptrace.interrupt(child.pid)
        except PtraceError:
            child.abandon()
            raise
        run = self._new_run(mode, child.pid, policy, sink, session_id)
        run.core.add_task(child.pid, child.pid, prestart=True)
        run.on_first_resume = child.release
        run.process_group = child.pid if spec.new_process_group else None
        self.reactor.register(child.pid, run)
        return Session(run, self.reactor, child)

    async def attach(
        self, pid: int, policy: TracePolicy, sink: Sink, session_id: str = ""
    ) -> Session:
        """Trace a running process and the children it makes from now on."""
        run = self._new_run(Mode.FULL, pid, policy, sink, session_id)
        run.kill_runaway = False  # not ours to kill: past max_tasks we let it go
        seized: list[int] = []
        try:
            _seize_all_threads(pid, seized)
        except AttachError:
            # The threads seized so far trap on our interrupt; let the reactor
            # detach each there, so none stays stopped on our account.
            run.core.detach_all()
            raise
        finally:
            for tid in seized:
                run.core.add_task(tid, pid)
                self.reactor.register(tid, run)
        return Session(run, self.reactor)


def _seize_all_threads(pid: int, seized: list[int]) -> None:
    """Seize and interrupt every thread of ``pid``, including ones born meanwhile;
    ``seized`` grows with each success, so a caller knows what to let go on failure."""
    while True:
        fresh = [tid for tid in procfs.thread_ids(pid) if tid not in seized]
        if not fresh:
            break
        for tid in fresh:
            if _seize_one(pid, tid, first=not seized):
                seized.append(tid)
    if not seized:
        raise AttachError.from_errno(f"attach to {pid}", errno.ESRCH, pid)


def _seize_one(pid: int, tid: int, first: bool) -> bool:
    """Whether ``tid`` is now ours; a thread that exited meanwhile is simply skipped."""
    try:
        ptrace.seize(tid, abi.ATTACH_OPTIONS)
        ptrace.interrupt(tid)
    except TraceeGoneError as error:
        if first:
            raise AttachError.from_errno(f"attach to {pid}", errno.ESRCH, pid) from error
        return False
    except PtraceError as error:
        raise AttachError.from_errno(f"attach to {pid}", error.errno, pid) from error
    return True
