"""The tracing engine's front door: launch a command, or attach to a process.

Kernel facts this module depends on:

* PTRACE_SEIZE does not stop the task; PTRACE_INTERRUPT then makes it trap, so
  its first stop is one we asked for (the state machine's NEW -> RUNNING).
* A seccomp filter cannot be installed in a running process from outside, so
  attach uses full mode: PTRACE_SYSCALL at every syscall, filtered here; unless
  the user opts in to ``--filter``, which injects the calls that install it into
  the process (traced/tracer/attachfilter.py), for good.
* PTRACE_O_TRACESECCOMP only with our filter: it changes what a tracee's own
  RET_TRACE verdicts do (see traced.core.abi).  An attach that installs ours
  seizes with it (and EXITKILL): FILTER_ATTACH_OPTIONS.
* A process's threads appear in /proc/PID/task; each must be seized on its own.
* EPERM from PTRACE_SEIZE means the caller may not trace that process
  (credentials, yama ptrace_scope, or it is already traced); ESRCH, it is gone.
* The daemon seizes with root's rights, so for a client that is not root it asks
  the kernel's question itself, per thread: credentials are a thread's own, and a
  root process may hold one thread of another uid.  traced/linux/access.py has
  the rules, and why a task read through its /proc/TID folder held open across
  the seize is the task seized.
"""

from __future__ import annotations

import errno
import time
import uuid
from typing import TYPE_CHECKING

from traced.core import abi
from traced.core.session import TraceSession
from traced.core.task import Mode, disown
from traced.core.tracee import EXEC_SYSCALLS, FILTER_INSTALLS
from traced.errors import AttachError, PtraceError, TraceeGoneError
from traced.events import FilterEvent
from traced.filter.bpf import TRACE, compile_filter, errno_verdict
from traced.filter.predicates import Rule
from traced.linux import access, procfs, ptrace
from traced.linux.access import Client
from traced.logs import get_logger
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

if TYPE_CHECKING:
    from traced.tracer.stacks import Stacks

_log = get_logger(__name__)


class Engine:
    """One per event loop: it owns SIGCHLD there."""

    def __init__(
        self, arch: Arch | None = None, *, reap_orphans: bool = False, blocking: bool = False
    ) -> None:
        """``reap_orphans``: see Reactor (True where every child is a tracee).
        ``blocking``: no event loop; traced/tracer/blocking.py drives the reactor."""
        self.arch = arch or host_arch()
        self.reactor = Reactor(reap_orphans=reap_orphans)
        self.blocking = blocking

    def __enter__(self) -> Engine:
        if not self.blocking:
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
        core = TraceSession(
            sid or uuid.uuid4().hex[:12],
            mode,
            root,
            entries=policy.entries,
            entry_only=policy.entry_only,
        )
        return Run(
            core,
            self.arch,
            policy,
            sink,
            self.reactor.resume,
            child=child,
            process_group=process_group,
            loop=self.reactor.loop,
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
        filter_program = self.filter_program(policy) if mode is Mode.SECCOMP else None
        stacks = self._stacks(policy)  # before the fork: a missing libunwind is said first
        child = fork_child(spec, program, filter_program)
        try:
            options = abi.LAUNCH_OPTIONS if filter_program is None else abi.FILTER_OPTIONS
            if not policy.follow:
                options &= ~abi.FOLLOW_OPTIONS
            ptrace.seize(child.pid, options)
            ptrace.interrupt(child.pid)
        except PtraceError:
            child.abandon()
            raise
        group = child.pid if spec.new_process_group else None
        run = self._new_run(
            mode, child.pid, policy, sink, session_id, child=child, process_group=group
        )
        run.stacks = stacks
        run.core.add_task(child.pid, child.pid, prestart=True)
        self.reactor.register(child.pid, run)
        return run

    def filter_program(self, policy: TracePolicy) -> bytes:
        """The seccomp program a launch with ``policy`` installs: the policy's
        syscalls, those with argument predicates stopped only for the calls that
        match.  The calls that install a filter of the tracee's own are always stopped
        at: the core switches a task to full mode at their exit (core.tracee); their
        predicates are judged at the stop."""
        rules = {name: rules for name, rules in policy.rules if name not in FILTER_INSTALLS}
        # -e inject=...:error= in the kernel (--inject-in-kernel): the calls it would
        # stop at fail there instead; never our own execve (the filter is on as we
        # exec), nor the filter installs, which must stop.
        errors = policy.in_kernel_errors(EXEC_SYSCALLS | frozenset(FILTER_INSTALLS))
        for name, err in errors.items():
            failing = errno_verdict(err)
            matching = rules.get(name, (Rule((), TRACE, name),))
            rules[name] = tuple(rule._replace(verdict=failing) for rule in matching)
        names = (policy.names or frozenset()) - rules.keys()
        if policy.stack_trace:  # -k: their exits tell when the maps must be read again
            names |= self._mapping_changes() - errors.keys()
        return compile_filter(self.arch, names | FILTER_INSTALLS.keys(), rules)

    def _stacks(self, policy: TracePolicy) -> Stacks | None:
        """-k's walks, or None; StackTraceUnavailable when libunwind cannot be loaded."""
        if not policy.stack_trace:
            return None
        from traced.tracer.stacks import Stacks  # noqa: PLC0415 (-k alone loads libunwind)

        return Stacks(self.arch.native.name)

    def _mapping_changes(self) -> frozenset[str]:
        """The calls that may change the mappings (strace's stop for them under -k, its
        SI flag), by the names this architecture's ABIs have."""
        from traced.core.stack import MAPPING_CHANGES  # noqa: PLC0415 (-k alone)

        known = {name for abi in self.arch.abis for name in abi.numbers_by_name}
        return MAPPING_CHANGES & known

    def attach(self, pid: int, policy: TracePolicy, sink: Sink, session_id: str = "") -> Run:
        """Trace a running process and the children it makes from now on.

        For a client (``policy.owner``) only the threads it may trace itself are
        seized, each checked before its seize and again after (see _seize_checked);
        the thread ``pid`` names must be one of them."""
        stacks = self._stacks(policy)
        run = self._new_run(Mode.FULL, pid, policy, sink, session_id)
        run.stacks = stacks
        tgid = procfs.tgid_of(pid)
        refused = None
        if policy.attach_filter is not None:
            # imported here: only attach --filter installs a filter (~1 ms a launch skips)
            from traced.tracer import attachfilter  # noqa: PLC0415

            refused = attachfilter.check(tgid, self.arch, policy.names)
            if refused is None and not policy.follow:
                # Its children would inherit the filter, untraced: ENOSYS for them.
                refused = "--no-follow: the process's children would inherit it untraced"
        filtering = policy.attach_filter is not None and refused is None
        options = abi.FILTER_ATTACH_OPTIONS if filtering else abi.ATTACH_OPTIONS
        if not policy.follow:
            options &= ~abi.FOLLOW_OPTIONS
        threads = _Threads(pid, policy.owner, options)
        try:
            threads.seize_all()
        except AttachError:
            # The threads seized so far trap on our interrupt; let the reactor
            # detach each there, so none stays stopped on our account.
            run.core.detach_all()
            raise
        finally:
            for tid in threads.seized:
                task = run.core.add_task(tid, tgid)
                if tid in threads.strays:
                    disown(task)  # seized, but not the task checked, or no longer allowed
                self.reactor.register(tid, run)
        if threads.refused:
            _log.warning("threads not the client's to trace", pid=pid, refused=threads.refused)
        if filtering:
            self._install_filter(run, tgid, policy)
        elif refused is not None:
            run.filter_state = "failed"
            run.deliver(
                FilterEvent(
                    session=run.id,
                    pid=tgid,
                    tid=pid,
                    ts_ns=time.time_ns(),
                    installed=False,
                    reason=refused,
                )
            )
        return run

    def _install_filter(self, run: Run, tgid: int, policy: TracePolicy) -> None:
        """traced attach --filter: the install starts at the process's next syscall."""
        assert self.arch.inject is not None and policy.names is not None  # attachfilter.check
        from traced.core.filter_install import Install  # noqa: PLC0415 (see attach)
        from traced.tracer import attachfilter  # noqa: PLC0415

        program = self.filter_program(policy)  # as a launch's, argument predicates and all
        install = Install(program, attachfilter.needs_privilege_promise(tgid))
        run.installer = attachfilter.FilterInstaller(
            run, tgid, install, self.arch.inject, self.arch.native.audit_arch
        )


class _Threads:
    """Seizing every thread of a process that a client may trace.

    ``seized`` grows with each success, so a caller knows what to let go on failure;
    ``strays`` are seized tasks that failed the check made after their seize;
    ``refused`` maps the threads not seized to why."""

    def __init__(self, pid: int, client: Client | None, options: int) -> None:
        self.pid = pid
        self.client = client
        self.options = options
        self.seized: list[int] = []
        self.strays: set[int] = set()
        self.refused: dict[int, str] = {}

    def seize_all(self) -> None:
        """``pid``'s thread first (it must be ours, or nothing else is seized), then
        the others, including threads born meanwhile, until a pass finds none new."""
        self._seize_checked(self.pid)
        self._require_own()
        while True:
            fresh = [
                tid
                for tid in procfs.thread_ids(self.pid)
                if tid not in self.seized and tid not in self.refused
            ]
            if not fresh:
                break
            for tid in fresh:
                self._seize_checked(tid)

    def _require_own(self) -> None:
        reason = self.refused.get(self.pid)
        if reason is not None:
            err = errno.ESRCH if reason == "gone" else errno.EPERM
            raise AttachError.from_errno(f"attach to {self.pid}", err, self.pid)

    def _seize_checked(self, tid: int) -> None:
        """Seize ``tid`` if the client may trace it: checked through /proc/TID held
        open before the seize (so nothing it may not trace is touched), and again
        after it (the task read then is the task seized, and an exec in between
        could have raised its privileges; later execs stop for stopread's check)."""
        if self.client is None:
            self._seize(tid)
            return
        try:
            task = access.PinnedTask(tid)
        except OSError:
            self.refused[tid] = "gone"
            return
        with task:
            reason = access.refusal(self.client, task)
            if reason is not None:
                self.refused[tid] = reason
                return
            if self._seize(tid):
                reason = access.refusal(self.client, task)
                if reason is not None:
                    self.strays.add(tid)
                    self.refused[tid] = reason

    def _seize(self, tid: int) -> bool:
        """Whether ``tid`` is now ours; a thread that exited meanwhile is skipped."""
        try:
            ptrace.seize(tid, self.options)
            ptrace.interrupt(tid)
        except TraceeGoneError:
            self.refused[tid] = "gone"
            return False
        except PtraceError as error:
            raise AttachError.from_errno(f"attach to {self.pid}", error.errno, self.pid) from error
        self.seized.append(tid)
        return True
