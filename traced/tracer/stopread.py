"""Reading a stop: what each kind of stop needs from ptrace and /proc, as a Stop value.

Kernel facts this module depends on:

* PTRACE_GET_SYSCALL_INFO says which stop a syscall stop is: a seccomp stop
  (op SECCOMP: number, arch, arguments and the verdict's data), a syscall-exit
  stop (op EXIT: the return value and whether it is an error), or an entry (op
  ENTRY, full mode).
* Seccomp stops come only where we set PTRACE_O_TRACESECCOMP: a launch with our
  filter (traced.core.abi).  One whose data is not our filter's (TRACED_DATA) was
  asked for by the tracee's own filter; with no seccomp tracer the kernel would
  have failed that syscall with ENOSYS, so we do that (set its number to -1, its
  result to -ENOSYS: traced.syscalls.arch says where) and trace it as any other.
* A task switched to full mode in such a launch (it installed a filter of its
  own: traced.core.tracee) still has ours: its seccomp stops follow the entry
  stops that told us of the syscall already, and are no second syscall.  So do
  those of a task of an attached process as our filter goes in (traced attach
  --filter): restarted with PTRACE_SYSCALL before the install, it stops at its
  next call's entry, then at our filter's seccomp stop for that same call.  The
  syscall-entry-stop comes before seccomp runs (kernel/entry: ptrace's report,
  then ``__secure_computing``).
* PTRACE_GETEVENTMSG gives a fork/vfork/clone event's new tid, and an exec
  event's former tid (another thread's when a non-leader thread exec'd).
* After an exec, /proc/PID/exe and /proc/PID/cmdline are the new image's, and
  /proc/PID/status holds the credentials it runs with: a set-user-ID program's
  uids, the capabilities a file-capability program gained, and (through the
  owner of /proc/PID/stat) whether it is still dumpable.  A root tracer's
  CAP_SYS_PTRACE lets all of them act; traced/linux/access.py judges them.
* PTRACE_GETSIGINFO gives a signal-delivery stop's siginfo (sender, SIGCHLD's
  child status and times, a seccomp SIGSYS's syscall address, number and arch).
* A tracee's memory is read with process_vm_readv; its fds' targets are the
  /proc/PID/fd links.  Both only while it is stopped, so the values are the
  syscall's own.  So is its stack (-k: traced/tracer/stacks.py), walked by ptrace.
* /proc/TID/comm (-Y) is read at the stop whose line shows it, as strace reads
  it: a pid argument's at the call's entry, a returned pid's and a siginfo's at
  its exit (a child the call reaped has none by then), the task's own at each of
  its stops.  A zombie still has its comm; a task reaped already has the one last
  read (``Run.comms``).
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable, Sequence

from traced.core.abi import PTRACE_EVENT_CLONE, PTRACE_EVENT_SECCOMP, SyscallOp
from traced.core.stops import (
    Call,
    Decoded,
    Entry,
    Exec,
    Exit,
    Exited,
    GroupStop,
    InjectEntry,
    Killed,
    Kind,
    OtherEvent,
    SignalStop,
    Spawned,
    Stop,
    TamperedExit,
    TrapStop,
)
from traced.core.task import Mode, Phase, Step, Task
from traced.decoders.arguments import (
    FdTarget,
    TaskFdNames,
    c_registers,
    decode_entry,
    decode_exit,
    entry_paths,
    fd_text,
    has_failure_outputs,
    has_outputs,
    name_fds,
    no_fd_names,
)
from traced.decoders.failed_calls import failed_outputs
from traced.decoders.pidnames import no_comms, pid_text
from traced.decoders.shapes import (
    MAY_RETURN_FD,
    changes_comm,
    decode_result,
    has_worded_result,
    returns_fd,
    returns_task_id,
)
from traced.errors import PtraceError
from traced.events import Arg
from traced.filter.bpf import TRACED_DATA
from traced.filter.expression import touches
from traced.linux import access, procfs, ptrace
from traced.linux.access import Client
from traced.linux.memory import TraceeMemory
from traced.logs import get_logger
from traced.tracer.run import Run

_log = get_logger(__name__)
_NONE, _EXIT, _SECCOMP = SyscallOp.NONE, SyscallOp.EXIT, SyscallOp.SECCOMP


def read_stop(run: Run, tid: int, decoded: Decoded) -> Stop:
    """Build the stop value, making the ptrace and /proc reads its kind needs."""
    if run.stacks is not None:  # -k: the stack too, while the tracee is stopped
        return _with_stack(run, tid, decoded)
    return _read(run, tid, decoded, time.time_ns())


def _read(run: Run, tid: int, decoded: Decoded, now: int) -> Stop:
    """The reads the stop's kind needs, whatever -k asks."""
    kind = decoded.kind
    if kind is Kind.SYSCALL or kind is Kind.SECCOMP:
        return _syscall_stop(run, tid, now)
    stop = _other_stop(run, tid, decoded, now)
    if run.decoding.decorate_pids and isinstance(stop, _WITH_COMM):
        return _with_comm(run, tid, stop)
    return stop


def _other_stop(run: Run, tid: int, decoded: Decoded, now: int) -> Stop:
    """A stop of another kind than a syscall's."""
    kind = decoded.kind
    if kind is Kind.NEW_TASK:
        return _spawned(run, tid, decoded, now)
    if kind is Kind.EXEC:
        return _exec_stop(run, tid, now)
    if kind is Kind.SIGNAL:
        return _signal_stop(tid, decoded.sig, now)
    return _SIMPLE_STOPS[kind](decoded, now)


def _with_stack(run: Run, tid: int, decoded: Decoded) -> Stop:
    """-k: the stop as read_stop reads it, with the stack where strace walks one:
    a syscall's exit (or entry: traced.core.stack), a signal, a group-stop."""
    stacks = run.stacks
    assert stacks is not None
    task = run.core.tasks.get(tid)
    prestart = task is not None and task.prestart
    in_flight = task.in_flight if task is not None else None
    kind = decoded.kind
    stop = _read(run, tid, decoded, time.time_ns())
    if kind is Kind.SYSCALL or kind is Kind.SECCOMP:
        return stacks.syscall(stop, tid, prestart, in_flight)
    if type(stop) is SignalStop or type(stop) is GroupStop:
        return stacks.signal(stop, tid, prestart)
    if kind is Kind.EXITED or kind is Kind.KILLED:
        stacks.forget(tid)
    return stop


def _spawned(run: Run, tid: int, decoded: Decoded, now: int) -> Spawned:
    child = ptrace.event_message(tid)
    thread = decoded.event == PTRACE_EVENT_CLONE and procfs.tgid_of(child) != child
    return Spawned(now, child, run.core.tasks[tid].tgid if thread else child)


def _signal_stop(tid: int, sig: int, now: int) -> SignalStop:
    info = ptrace.signal_info(tid)
    return SignalStop(
        now,
        sig,
        info.code,
        info.sender_pid,
        info.sender_uid,
        info.child_status,
        info.child_utime,
        info.child_stime,
        info.errno,
        info.call_addr,
        info.syscall,
        info.arch,
        info.value,
        info.addr,
    )


_WITH_COMM = (SignalStop, GroupStop, Exited, Killed)


def _with_comm(run: Run, tid: int, stop: SignalStop | GroupStop | Exited | Killed) -> Stop:
    """-Y: the task's comm on a stop strace writes a line for (an entry's is read with
    its arguments); the sender's on a signal's."""
    if isinstance(stop, Exited | Killed):
        comm = procfs.comm(tid)
        last = run.comms.pop(tid, None)
        return stop._replace(comm=last if comm is None else comm)
    if isinstance(stop, SignalStop):
        sender = procfs.comm(stop.sender_pid) if stop.sender_pid > 0 else None
        return stop._replace(comm=_comm_of(run, tid), sender_comm=sender)
    return stop._replace(comm=_comm_of(run, tid))


def _comm_of(run: Run, tid: int) -> bytes | None:
    """The task's comm now, kept for its exit's line."""
    comm = procfs.comm(tid)
    if comm is None:
        return run.comms.get(tid)
    run.comms[tid] = comm
    return comm


def _exec_stop(run: Run, tid: int, now: int) -> Exec:
    """The exec, and for a client's session whether the new image gained what the
    client lacks (a set-user-ID or file-capability program, which our
    CAP_SYS_PTRACE let act): then the core lets it go, and says why."""
    old_tid = ptrace.event_message(tid)
    path, argv = procfs.exec_image(tid) if run.exec_image else ("", ())
    detached = None if run.owner is None else _gained(run.owner, tid)
    if detached is not None:
        _log.warning("exec gained privileges; detaching", tid=tid, path=path, gained=detached)
    return Exec(now, old_tid, path, argv, detached)


def _gained(owner: Client, tid: int) -> str | None:
    try:
        with access.PinnedTask(tid) as task:
            return access.refusal(owner, task, at_exec=True)
    except OSError:  # gone already: nothing of it will run
        return "gone"


def _call(run: Run, audit_arch: int, nr: int) -> Call:
    abi = run.arch.abi_for(audit_arch, nr)
    name = abi.name_of(nr)
    wanted = run.wants(name)
    rule = run.rule(name, abi) if wanted else None  # strace injects only what it traces
    call = Call(
        name,
        abi,
        wanted,
        has_outputs(name, abi.name),
        run.decoding.decorate_fds and name in MAY_RETURN_FD,
        has_worded_result(name, run.decoding),
        rule,
        Entry if rule is None else InjectEntry,
        run.admits(name, abi),
        (run.decoding.fd_paths or bool(run.decoding.paths)) and wanted,
    )
    run.calls[audit_arch, nr] = call
    return call


def _syscall_stop(run: Run, tid: int, now: int) -> Stop:
    op, arch, nr, raw, rval, is_error, data = ptrace.syscall_info(tid)
    if op == _EXIT:
        return _exit_stop(run, tid, rval, is_error, now)
    if op == _NONE:
        return TrapStop()
    if op == _SECCOMP:
        if data != TRACED_DATA:
            _fail_as_untraced(run, tid)
        if (run.core.switched or run.filter_state) and _entered_already(run, tid):
            return OtherEvent(PTRACE_EVENT_SECCOMP)
    call = run.calls.get((arch, nr)) or _call(run, arch, nr)
    # Predicates hold in the kernel's filter already, but not in full mode (attach,
    # a task with a filter of its own) nor for calls the filter always stops.
    if not call.wanted or (call.admits is not None and not call.admits(raw)):
        return Entry(now, tid, nr, call.name, call.abi.name, (), False, raw)
    # rt_sigreturn's frame: at the stack pointer, a register no argument holds
    shown = (_stack_pointer(run, tid, call), *raw[1:]) if call.name == "rt_sigreturn" else raw
    registers = c_registers(call.name, shown, call.abi.name)
    if run.decoding.paths:
        args = _on_paths(run, tid, call, shown, registers)
        if args is None:  # touches none of -P's paths: let it run, as if filtered out
            return Entry(now, tid, nr, call.name, call.abi.name, (), False, raw)
    else:
        args = _entry_args(run, tid, call, shown, registers)
    comm = _comm_of(run, tid) if run.decoding.decorate_pids else None
    return call.entry(
        now, tid, nr, call.name, call.abi.name, args, True, raw, call, registers, comm=comm
    )


def _on_paths(
    run: Run, tid: int, call: Call, raw: tuple[int, ...], registers: tuple[int, ...]
) -> tuple[Arg, ...] | None:
    """-P: the call's arguments if they touch one of its paths, else None.  Judged at
    entry, as strace does, on the fds and paths alone: most calls touch none, and they
    cost no decoding, no -e write= dump and no exit stop.  The calls whose decoders
    name their paths (fsconfig's), and -e raw='s, whose path arguments stay numbers,
    are judged on their decoded arguments, as the printer judges them."""
    paths = run.decoding.paths
    memory, fds = TraceeMemory(tid), _fd_names(tid)
    named = None
    if call.name not in run.decoding.raw:
        named = entry_paths(call.name, registers, memory, fds, call.abi.name)
    if named is not None:
        touched = any(path in paths for path in named)
        return _entry_args(run, tid, call, raw, registers) if touched else None
    args = _entry_args(run, tid, call, raw, registers)
    return args if touches(args, paths, call.name) else None


def _entry_args(
    run: Run, tid: int, call: Call, raw: tuple[int, ...], registers: tuple[int, ...]
) -> tuple[Arg, ...]:
    """A wanted call's arguments, decoded from its registers and memory now."""
    decorate = run.decoding.decorate_fds
    fds = _fd_names(tid, run.decoding.fd_kinds) if decorate else no_fd_names
    args = decode_entry(
        call.name, raw, TraceeMemory(tid), run.decoding, fds, abi=call.abi.name,
        registers=registers, netlink=_netlink_of(tid),
        tasks=_tasks(tid, run.decoding.fd_kinds) if decorate else None,
        comms=procfs.comm if run.decoding.decorate_pids else no_comms,
    )  # fmt: skip
    if not call.names_fds:
        return args
    return name_fds(args, _fd_names(tid), call.name, TraceeMemory(tid))


def reread_poked(run: Run, tid: int, step: Step) -> None:
    """poke_enter=, poke_exit=: the stop's arguments read again once the shell has
    written the pokes (tracer.tamper), as strace decodes a call after them: the
    entry's inputs, the exit's outputs."""
    stop = step.stop
    if isinstance(stop, Entry) and stop.call is not None:
        step.reread(stop._replace(args=_entry_args(run, tid, stop.call, stop.raw, stop.registers)))
    elif isinstance(stop, TamperedExit) and step.closed is not None and not stop.is_error:
        entry = step.closed
        if entry.call is not None:  # a wanted entry: its outputs are decoded
            step.reread(TamperedExit._make(_decoded_exit(run, tid, entry, stop.rval, stop.ts)))


def _stack_pointer(run: Run, tid: int, call: Call) -> int:
    """rt_sigreturn's frame: the stack pointer of a native task (signatures.py), read
    from its registers; 0 where the frame's layout or the register is unknown."""
    where = run.arch.inject
    if where is None or call.abi is not run.arch.native:
        return 0
    try:
        regs = ptrace.registers(tid, where.regs_size)
    except PtraceError:  # gone, or not stopped after all: the call shows no frame
        return 0
    return int.from_bytes(regs[where.sp_offset : where.sp_offset + 8], run.arch.byteorder)


def _entered_already(run: Run, tid: int) -> bool:
    """A task in full mode, whose syscall-entry stop told us of this syscall.  (A
    thread whose group went to full mode while it ran has its first seccomp stop
    before any entry stop: that one is the syscall's entry.)  In an attach that
    installs our filter, a task in seccomp mode is IN_SYSCALL at a seccomp stop only
    after such an entry stop: a seccomp stop's own restart leads to the exit."""
    task = run.core.tasks[tid]
    if task.phase is not Phase.IN_SYSCALL:
        return False
    return task.mode is Mode.FULL or run.filter_state is not None


def _fail_as_untraced(run: Run, tid: int) -> None:
    """The tracee's own filter said RET_TRACE: ENOSYS, as with no seccomp tracer."""
    if run.arch.skip is None:
        _log.warning("cannot skip a syscall on this architecture; it runs", tid=tid)
        return
    ptrace.skip_syscall(tid, run.arch.skip, -errno.ENOSYS)


def _exit_stop(run: Run, tid: int, rval: int, is_error: bool, now: int) -> Exit:
    """The exit, with what the syscall in flight wrote, if the user wants to see it."""
    task = run.core.tasks.get(tid)
    if task is None:
        return Exit(now, rval, is_error)
    if task.tampering is not None:
        return _tampered_exit(run, tid, task, (rval, is_error), now)
    entry = task.in_flight
    if entry is None or not entry.wanted:
        return Exit(now, rval, is_error)
    if is_error:
        return Exit(now, rval, True, _failed_outputs(run, tid, entry, rval))
    return _decoded_exit(run, tid, entry, rval, now)


def _tampered_exit(run: Run, tid: int, task: Task, result: tuple[int, bool], now: int) -> Exit:
    """-e inject=: the exit as the tracee will see it, with the injected result (which
    the shell writes once the core has planned the stop: tracer.tamper)."""
    rule, entry = task.tampering, task.in_flight
    assert rule is not None
    rval, is_error = result if rule.result is None else (rule.result, rule.fails)
    if entry is None:
        return TamperedExit(now, rval, is_error)
    if is_error:
        return TamperedExit(now, rval, True, _failed_outputs(run, tid, entry, -abs(rval)))
    return TamperedExit._make(_decoded_exit(run, tid, entry, rval, now))


def _failed_outputs(run: Run, tid: int, entry: Entry, rval: int) -> tuple[Arg, ...] | None:
    """A failed call's arguments with the outputs strace prints even then (some ioctls'
    `` => 0x...``); None for the calls that have none."""
    if not has_failure_outputs(entry.name, entry.abi):  # what failed_calls knows, if any
        return failed_outputs(entry.name, entry.args, entry.raw, TraceeMemory(tid), -rval)
    return decode_exit(
        entry.name,
        entry.args,
        entry.raw,
        TraceeMemory(tid),
        retval=rval,
        options=run.decoding,
        abi=entry.abi,
        fds=_fd_names(tid, run.decoding.fd_kinds) if run.decoding.decorate_fds else no_fd_names,
        registers=entry.registers or None,
        failed=True,
        comms=procfs.comm if run.decoding.decorate_pids else no_comms,
    )


def _decoded_exit(run: Run, tid: int, entry: Entry, rval: int, now: int) -> Exit:
    """A successful exit with its outputs decoded, its fd named, its result worded."""
    call = entry.call
    assert isinstance(call, Call)  # a wanted entry was read with its call
    args: tuple[Arg, ...] | None = None
    memory = TraceeMemory(tid)  # a handle, no read: the outputs' and the words' memory
    if call.outputs:
        args = decode_exit(
            entry.name,
            entry.args,
            entry.raw,
            memory,
            retval=rval,
            options=run.decoding,
            abi=entry.abi,
            fds=_fd_names(tid, run.decoding.fd_kinds) if run.decoding.decorate_fds else no_fd_names,
            registers=entry.registers or None,  # none kept: an entry made elsewhere
            netlink=_netlink_of(tid),
            comms=procfs.comm if run.decoding.decorate_pids else no_comms,
        )
    worded = None
    if call.worded:  # poll's and select's words are read from memory
        worded = decode_result(entry.name, entry.raw, rval, run.decoding, memory)
    target = None
    if call.returns_fd and returns_fd(entry.name, entry.raw):
        target = procfs.fd_target(tid, rval, run.decoding.fd_kinds)
        if target is not None and (target.deleted or target.described) and worded is None:
            worded = fd_text(rval, target, run.decoding.style)  # ``13</m>(deleted)``, ``3<pid:4>``
    if run.decoding.kvm_vcpu and entry.name == "ioctl" and "ioctl" not in run.decoding.raw:
        worded = _kvm_run_result(tid, entry.raw, rval, memory) or worded  # not under raw=
    fd_path = None if target is None else target.path
    if run.decoding.decorate_pids:
        return _named_exit(run, tid, entry, Exit(now, rval, False, args, fd_path, worded))
    return Exit(now, rval, False, args, fd_path, worded)


def _kvm_run_result(tid: int, raw: Sequence[int], rval: int, memory: TraceeMemory) -> str | None:
    """-e kvm=vcpu: KVM_RUN's exit reason, from the kvm_run the program mapped from
    its vcpu fd (the fd's file, found among the task's mappings)."""
    # ioctl's printers come with the first ioctl decoded (families/ioctl.py), and
    # KVM's with -e kvm=vcpu's first ioctl: a launch imports neither
    from traced.decoders.families import ioctl_kvm  # noqa: PLC0415

    if raw[1] & 0xFFFFFFFF != ioctl_kvm.KVM_RUN:
        return None
    target = procfs.fd_target(tid, raw[0] & 0xFFFFFFFF)
    if target is None or not ioctl_kvm.is_vcpu(target.path):
        return None
    return ioctl_kvm.run_result(rval, procfs.file_mapping(tid, target.path), memory)


def _named_exit(run: Run, tid: int, entry: Entry, stop: Exit) -> Exit:
    """-Y: a returned pid with its comm (``= 1234<sh>``), read now: a child the call
    reaped has none; and the task's comm after a call that may change it, which
    strace reads again there (its COMM_CHANGE calls: an exec, PR_SET_NAME)."""
    named = stop.retval_text is None and entry.name not in run.decoding.raw
    if named and returns_task_id(entry.name, entry.raw):
        stop = stop._replace(retval_text=pid_text(stop.rval, procfs.comm))
    if changes_comm(entry.name, entry.raw):
        stop = stop._replace(comm=_comm_of(run, tid))
    return stop


def _netlink_of(tid: int) -> procfs.NetlinkSockets:
    return procfs.NetlinkSockets(tid)


def _fd_names(tid: int, kinds: frozenset[str] = frozenset()) -> Callable[[int], FdTarget | None]:
    return lambda fd: procfs.fd_target(tid, fd, kinds)


def _tasks(tid: int, kinds: frozenset[str]) -> TaskFdNames:
    """Other processes' fds (kcmp's, pidfd_getfd's target), read from /proc when a
    decoder asks (only under -y)."""
    return TaskFdNames(
        lambda pid, fd: procfs.fd_target(pid, fd, kinds), lambda fd: procfs.pidfd_pid(tid, fd)
    )


_SIMPLE_STOPS: dict[Kind, Callable[[Decoded, int], Stop]] = {
    Kind.GROUP_STOP: lambda decoded, now: GroupStop(decoded.sig, now),
    Kind.TRAP_STOP: lambda decoded, now: TrapStop(),
    Kind.EXITED: lambda decoded, now: Exited(now, decoded.sig),
    Kind.KILLED: lambda decoded, now: Killed(now, decoded.sig, decoded.core_dumped),
    Kind.OTHER_EVENT: lambda decoded, now: OtherEvent(decoded.event),
}
