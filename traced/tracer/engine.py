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

import errno
import uuid

from traced.core import abi
from traced.core.session import TraceSession
from traced.core.task import Mode
from traced.errors import AttachError, PtraceError, TraceeGoneError
from traced.filter.bpf import compile_filter
from traced.linux import procfs, ptrace
from traced.syscalls.arch import Arch, host_arch
from traced.tracer.reactor import Reactor
from traced.tracer.run import Run, Sink, TracePolicy
from traced.tracer.spawn import (
    Child,
    LaunchSpec,
    check_launchable,
    fork_child,
    resolve_program,
)


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

    def _new_run(
        self,
        mode: Mode,
        root: int,
        policy: TracePolicy,
        sink: Sink,
        sid: str,
        *,
        child: Child | None = None,
        process_group: int | None = None,
    ) -> Run:
        core = TraceSession(sid or uuid.uuid4().hex[:12], mode, root, report_entries=policy.entries)
        return Run(
            core,
            self.arch,
            policy,
            sink,
            self.reactor.resume,
            child=child,
            process_group=process_group,
        )

    def launch(
        self, spec: LaunchSpec, policy: TracePolicy, sink: Sink, session_id: str = ""
    ) -> Run:
        """Start ``spec.argv`` traced.  Raises SpawnError if the program cannot be found,
        InvalidLaunchError if execve could not take ``spec`` (nothing is forked then).

        With credentials to take on, the child looks the program up itself, as that
        user: a lookup by root would tell a user what folders it cannot read hold.
        """
        check_launchable(spec)
        program = (
            spec.argv[0] if spec.credentials else resolve_program(spec.argv[0], spec.env, spec.cwd)
        )
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
        group = child.pid if spec.new_process_group else None
        run = self._new_run(
            mode, child.pid, policy, sink, session_id, child=child, process_group=group
        )
        run.core.add_task(child.pid, child.pid, prestart=True)
        self.reactor.register(child.pid, run)
        return run

    def attach(self, pid: int, policy: TracePolicy, sink: Sink, session_id: str = "") -> Run:
        """Trace a running process and the children it makes from now on."""
        run = self._new_run(Mode.FULL, pid, policy, sink, session_id)
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
        return run


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
