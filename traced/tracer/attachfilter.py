"""``traced attach --filter``: our seccomp filter put into a running process.

The plan is pure (traced.core.filter_install): which calls, with which arguments, what each
result leads to, which registers to write.  This is its shell: it sees each stop of
the session first (the reactor asks :meth:`FilterInstaller.takes`), injects the calls
at syscall-entry-stops of one thread, and hands every other stop to the state
machine.  The calls it injects are never seen there: the stop it takes a call's
place at is given back as it was, and the task's own call comes again.

Kernel facts this module depends on (the injection's own are traced.core.filter_install's):

* A filter returning SECCOMP_RET_TRACE to a tracer without PTRACE_O_TRACESECCOMP
  fails the syscall with ENOSYS (traced.core.abi).  Every thread must have the
  option before the filter can reach it, and TSYNC gives it to every thread at
  once: so the process is seized with it (FILTER_ATTACH_OPTIONS), each thread by its
  own PTRACE_SEIZE, and new threads inherit their creator's options.  SEIZE sets
  them with no stop needed; PTRACE_SETOPTIONS, which puts them back to
  ATTACH_OPTIONS when an install fails, needs the thread in a ptrace-stop: each
  thread's is done at its next stop.
* Our filter outlives our tracing: with it, and no tracer, the traced syscalls fail
  with ENOSYS.  So the process is seized with PTRACE_O_EXITKILL, as a launch is:
  if we die it dies, rather than run on with failing syscalls.
* Only a native syscall-entry-stop (its audit arch the native one, no x32 bit) is
  one where a call can be injected, and only if the two bytes before the
  instruction pointer are the syscall instruction (a vsyscall page's emulated
  call has none).  A process whose threads all sleep gives such a stop once
  interrupted (the attach interrupts each thread): its sleep's restart is a call.
* A process that never makes a syscall never gives us that stop: the install waits.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping

from traced.core import abi
from traced.core.filter_install import (
    Call,
    Install,
    advance,
    arguments,
    needs_no_new_privs,
    program_image,
    refusal,
    restore,
    substitute,
    word,
)
from traced.core.stops import Decoded, Kind
from traced.core.task import Phase
from traced.errors import TracedError, TraceeGoneError
from traced.events import FilterEvent
from traced.linux import memory, procfs, ptrace
from traced.logs import get_logger
from traced.syscalls.arch import X32_SYSCALL_BIT, Arch, SyscallInjection
from traced.tracer.run import Run

_log = get_logger(__name__)


_ELF_HEADER = 20  # through e_machine


def check(pid: int, arch: Arch, names: frozenset[str] | None) -> str | None:
    """Why the process cannot take our filter (then it is traced at every syscall,
    and the user is told so), or None.  Looked at before it is seized, so that a
    refused process is seized as any other."""
    if names is None:
        return "every syscall is traced, so a filter would stop at every one anyway"
    if arch.inject is None:
        return f"syscall injection is not written for {arch.name} yet"
    if not procfs.seccomp_filters_supported():
        return "this kernel has no seccomp filters"
    try:
        with open(f"/proc/{pid}/exe", "rb") as exe:
            header = exe.read(_ELF_HEADER)
    except OSError as error:
        return f"cannot read its executable: {error.strerror}"
    modes = {tid: procfs.status_field(tid, "Seccomp") or "0" for tid in procfs.thread_ids(pid)}
    return refusal(header, arch.inject.elf_machine, modes)


def needs_privilege_promise(pid: int) -> bool:
    """Whether no_new_privs must be set first: any thread may be the one injected."""
    for tid in procfs.thread_ids(pid):
        fields = procfs.status_fields(tid, "NoNewPrivs", "CapEff")
        if needs_no_new_privs(fields.get("NoNewPrivs", "0"), fields.get("CapEff", "0")):
            return True
    return False


class FilterInstaller:
    """One install, in ``tgid``, the attached process: see the module's facts."""

    def __init__(
        self, run: Run, tgid: int, install: Install, table: SyscallInjection, audit_arch: int
    ) -> None:
        self.run = run
        self.tgid = tgid
        self.install = install
        self.table = table
        self.audit_arch = audit_arch
        self.numbers: Mapping[str, int] = run.arch.native.numbers_by_name
        self.tid = 0  # the thread the calls go into (no_new_privs is a thread's own)
        self.saved = b""  # its registers at the stop the call took the place of
        self.in_call = False
        self.reverting: set[int] = set()  # tasks owed ATTACH_OPTIONS at their next stop
        run.filter_state = "pending"

    def takes(self, tid: int, decoded: Decoded) -> bool:
        """Whether this stop was the install's (it restarted the task itself)."""
        if tid in self.reverting:
            self._revert(tid, decoded)
            return False
        if self.install.over:
            return False
        if tid == self.tid and decoded.kind in (Kind.EXITED, Kind.KILLED):
            self._fail(f"thread {tid} ended before the install was done")
            return False
        if self.in_call:
            return tid == self.tid and self._returned(tid, decoded)
        if decoded.kind is not Kind.SYSCALL or (self.tid and tid != self.tid):
            return False
        task = self.run.core.tasks.get(tid)
        if task is None or task.tgid != self.tgid or task.phase is not Phase.RUNNING:
            return False
        if task.detaching:
            self._fail("the process was detached before the filter was installed")
            return False
        return self._inject(tid)

    # --- one injected call ------------------------------------------------------------

    def _inject(self, tid: int) -> bool:
        """At a native entry stop: the next call in its place."""
        op, arch, nr, *_ = ptrace.syscall_info(tid)
        if op != abi.SyscallOp.ENTRY or arch != self.audit_arch or nr & X32_SYSCALL_BIT:
            return False
        regs = ptrace.registers(tid, self.table.regs_size)
        instruction = self.table.instruction
        ip = word(regs, self.table.ip_offset)
        try:
            if memory.read_bytes(tid, ip - len(instruction), len(instruction)) != instruction:
                return False
        except TracedError:
            return False
        call = self.install.call
        assert call is not None
        self.tid, self.saved = tid, regs
        writes = substitute(self.table, self.numbers[call.value], arguments(self.install))
        try:
            self._write(tid, writes)
        except TraceeGoneError:
            return True  # its death report follows (see takes)
        except TracedError as error:
            self._write(tid, restore(self.table, regs)[:7])  # its own number and arguments
            self._fail(f"cannot inject {call.value}: {error}")
            return False
        if call is Call.SECCOMP:
            self.run.filter_state = "installing"
        self.in_call = True
        self._restart(tid, abi.PTRACE_SYSCALL)
        return True

    def _returned(self, tid: int, decoded: Decoded) -> bool:
        """The injected call's exit stop: its result, then the task's own registers."""
        if decoded.kind is not Kind.SYSCALL:
            return False  # a signal cannot come before the exit: nothing of ours
        op, _, _, _, result, _, _ = ptrace.syscall_info(tid)
        if op == abi.SyscallOp.SECCOMP:  # our own filter, new, traced munmap: go on
            self._restart(tid, abi.PTRACE_SYSCALL)
            return True
        call = self.install.call
        advance(self.install, result)
        self.in_call = False
        if call is Call.SECCOMP and self.install.installed:
            self._installed()
        elif call is Call.SECCOMP:
            self.run.filter_state = "pending"  # nothing in it: detachable, until over
        try:
            if call is Call.MMAP and self.install.call is not None:
                self._write_program(tid)
            self._write(tid, restore(self.table, self.saved))
        except TraceeGoneError:
            return True
        if self.install.over:
            self._finish()
        # In seccomp mode once over (the task's own call then stops only if traced);
        # until then its own call's entry is where the next call goes.
        over = self.install.over and self.install.installed
        self._restart(tid, abi.PTRACE_CONT if over else abi.PTRACE_SYSCALL)
        return True

    def _installed(self) -> None:
        """In every thread now: each task restarts in seccomp mode from its next stop."""
        run = self.run
        run.filter_state = "installed"
        run.core.filter_installed(self.tgid)
        run.kill_runaway = True  # it cannot be let go: a runaway is killed

    def _write_program(self, tid: int) -> None:
        try:
            ptrace.poke_data(tid, self.install.address, program_image(self.install))
        except TraceeGoneError:
            raise
        except TracedError as error:
            self.install.failure = f"cannot write the filter into the process: {error}"
            self.install.call = Call.MUNMAP

    def _write(self, tid: int, writes: tuple[tuple[int, int], ...]) -> None:
        for offset, value in writes:
            ptrace.poke_user(tid, offset, value)

    def _restart(self, tid: int, request: int) -> None:
        with contextlib.suppress(TraceeGoneError):  # its death report follows
            ptrace.restart(request, tid)

    # --- the end ----------------------------------------------------------------------

    def _fail(self, reason: str) -> None:
        self.install.failure = self.install.failure or reason
        self.install.call = None
        self.in_call = False
        self._finish()

    def _finish(self) -> None:
        """Say how it ended; in seccomp mode from now on, or back to attach's options."""
        run, install = self.run, self.install
        if install.installed:
            _log.info("filter installed", pid=self.tgid, tid=self.tid)
        else:
            run.filter_state = "failed"
            self.reverting = {t.tid for t in run.core.tasks.values() if t.tgid == self.tgid}
            if self.tid in self.reverting:  # in its stop now
                self._revert(self.tid, None)
            _log.warning("filter not installed", pid=self.tgid, reason=install.failure)
        event = FilterEvent(
            session=run.core.session_id,
            pid=self.tgid,
            tid=self.tid or self.tgid,
            ts_ns=time.time_ns(),
            installed=install.installed,
            reason=install.failure,
        )
        run.deliver(event)
        if not self.reverting:
            run.installer = None

    def _revert(self, tid: int, decoded: Decoded | None) -> None:
        """A failed install: the thread's options as a plain attach's (it is in a stop)."""
        self.reverting.discard(tid)
        if decoded is None or decoded.kind not in (Kind.EXITED, Kind.KILLED):
            with contextlib.suppress(TracedError):
                ptrace.set_options(tid, abi.ATTACH_OPTIONS)
        if not self.reverting and self.install.over:
            self.run.installer = None
