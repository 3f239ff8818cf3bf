"""The lines strace writes for a group-stop, for the leader a thread's execve
superseded, and for a seccomp SIGSYS: rendered from constructed events."""

import io
import struct

from msgspec.structs import replace

from tests.unit.plain import decoded_call
from traced.cli.printer import Printer
from traced.cli.render import resumed_line, signal_line, syscall_line
from traced.events import ExecEvent, GroupStopEvent, SignalEvent, SyscallEntryEvent, SyscallEvent
from traced.filter.expression import parse_filter
from traced.linux.ptrace import parse_siginfo
from traced.syscalls.arch import AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, X86_64

LEADER, THREAD = 10, 12


def printer() -> Printer:
    return Printer(io.StringIO(), as_json=False, to_file=True)


def lines(out: Printer) -> list[str]:
    assert isinstance(out.out, io.StringIO)
    return out.out.getvalue().splitlines()


def sigsys(**fields: object) -> SignalEvent:
    base: dict[str, object] = {
        "session": "s",
        "pid": LEADER,
        "tid": LEADER,
        "ts_ns": 1,
        "signo": 31,
        "signal": "SIGSYS",
        "code": 1,
        "sender_pid": 0,
        "sender_uid": 0,
        "errno": 7,
        "call_addr": 0x7F322EC96829,
        "syscall": 110,
        "audit_arch": AUDIT_ARCH_X86_64,
    }
    return SignalEvent(**(base | fields))  # type: ignore[arg-type]


def test_a_seccomp_sigsys_names_its_syscall_and_arch() -> None:
    assert signal_line(sigsys()) == (
        "--- SIGSYS {si_signo=SIGSYS, si_code=SYS_SECCOMP, si_errno=E2BIG, "
        "si_call_addr=0x7f322ec96829, si_syscall=__NR_getppid, si_arch=AUDIT_ARCH_X86_64} ---"
    )
    i386 = signal_line(sigsys(syscall=64, audit_arch=AUDIT_ARCH_I386, errno=None))
    assert "si_code=SYS_SECCOMP, si_call_addr=" in i386
    assert "si_syscall=__NR_getppid, si_arch=AUDIT_ARCH_I386}" in i386


def test_a_fault_names_its_code_and_address_and_sigchld_its_times() -> None:
    fault = sigsys(signo=11, signal="SIGSEGV", code=2, errno=None, call_addr=None,
                   syscall=None, audit_arch=None, addr=0x7F0000001000)  # fmt: skip
    assert signal_line(fault) == (
        "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x7f0000001000} ---"
    )
    child = sigsys(signo=17, signal="SIGCHLD", code=2, errno=None, call_addr=None,
                   syscall=None, audit_arch=None, sender_pid=5, child_status=10,
                   child_utime=11, child_stime=0)  # fmt: skip
    assert signal_line(child).endswith(
        "si_status=SIGUSR1, si_utime=11 /* 0.11 s */, si_stime=0} ---"
    )


def test_a_group_stop_is_strace_s_stopped_line_and_obeys_the_signal_filter() -> None:
    stop = GroupStopEvent(session="s", pid=LEADER, tid=LEADER, ts_ns=1, signo=19, signal="SIGSTOP")
    out = printer()
    out(stop)
    assert lines(out) == ["--- stopped by SIGSTOP ---"]
    quiet = printer()
    quiet.filter = parse_filter(["signal=!SIGSTOP"], X86_64)
    quiet(stop)
    assert lines(quiet) == []


def test_a_thread_s_execve_supersedes_the_leader_and_returns_under_its_pid() -> None:
    execve = decoded_call("execve", (0, 0, 0), 0, None, memory={}, tid=THREAD)
    entry = SyscallEntryEvent(
        session="s",
        pid=LEADER,
        tid=THREAD,
        ts_ns=1,
        nr=execve.nr,
        name="execve",
        arch="x86_64",
        args=execve.args,
    )
    execed = ExecEvent(
        session="s", pid=LEADER, tid=LEADER, ts_ns=2, path="/bin/true", argv=(), old_tid=THREAD
    )
    out = printer()
    out.pid_column = True
    for event in (entry, execed, execve):
        out(event)
    written = lines(out)
    # strace 6.1 (its maybe_switch_current_tcp test): the call is cut with the new pid
    assert written[0].startswith(f"{THREAD}    execve(")
    assert written[0].endswith(f"<pid changed to {LEADER} ...>")
    assert written[1] == f"{LEADER}    +++ superseded by execve in pid {THREAD} +++"
    assert written[2].startswith(f"{LEADER}    <... execve resumed>")
    assert written[2].endswith("= 0")


def _never_returned(name: str, raw: tuple[int, ...]) -> SyscallEvent:
    """A call whose task was killed in it: no exit stop, so no result."""
    return replace(decoded_call(name, raw, 0), retval=None, duration_ns=None)


def test_a_call_killed_before_its_outputs_ends_where_its_entry_did() -> None:
    """strace 6.1 (a read blocked on a pipe, its process SIGKILLed; a thread's read
    when another thread calls exit_group): the outputs were never written."""
    read = _never_returned("read", (3, 0x7FFD1000, 1))
    assert syscall_line(read) == "read(3,  <unfinished ...>)              = ?"
    assert resumed_line(read) == "<... read resumed> <unfinished ...>)    = ?"
    wait = _never_returned("wait4", (2**64 - 1, 0x7FFD1000, 0, 0))
    assert syscall_line(wait) == "wait4(-1,  <unfinished ...>)            = ?"
    exit_group = _never_returned("exit_group", (0,))  # nothing owed at its exit
    assert syscall_line(exit_group) == "exit_group(0)                           = ?"
    assert resumed_line(exit_group) == "<... exit_group resumed>)               = ?"


def test_a_queued_signal_shows_its_value_as_strace_does() -> None:
    """sigqueue(pid, SIGUSR1, {.sival_int = 42}) under strace 6.1; a zero value is not shown."""
    queued = sigsys(signo=10, signal="SIGUSR1", code=-1, sender_pid=77, errno=None,
                    call_addr=None, syscall=None, audit_arch=None, value=42)  # fmt: skip
    assert signal_line(queued) == (
        "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=77, si_uid=0, "
        "si_int=42, si_ptr=0x2a} ---"
    )
    pointer = signal_line(replace(queued, value=0xDEADBEEF12345678))
    assert pointer.endswith("si_int=305419896, si_ptr=0xdeadbeef12345678} ---")
    negative = signal_line(replace(queued, value=0xFFFFFFFF))
    assert negative.endswith("si_int=-1, si_ptr=0xffffffff} ---")
    assert signal_line(replace(queued, value=None)).endswith("si_pid=77, si_uid=0} ---")
    mesgq = signal_line(replace(queued, code=-3, value=7))
    assert "si_code=SI_MESGQ, si_pid=77, si_uid=0, si_int=7, si_ptr=0x7}" in mesgq


def test_the_value_is_read_from_a_queued_siginfo_only() -> None:
    """Constructed siginfo bytes: signo, errno, code, pad, pid, uid, sigval."""
    queued = struct.pack("=iii4xIIQ", 10, 0, -1, 77, 0, 42).ljust(128, b"\0")
    assert parse_siginfo(queued).value == 42
    zero = struct.pack("=iii4xIIQ", 10, 0, -1, 77, 0, 0).ljust(128, b"\0")
    assert parse_siginfo(zero).value is None
    killed = struct.pack("=iii4xIIQ", 10, 0, 0, 77, 0, 42).ljust(128, b"\0")  # SI_USER
    assert parse_siginfo(killed).value is None
