"""Signal sets, struct sigaction and the signal calls' results, on constructed
registers and memory: strace 6.1's text out (lines from its runs)."""

import re
import struct

from tests.unit import test_special_decoders
from traced.decoders.families import signals

SET = 0x1000  # where the tests put a sigset
ACT, OLD = 0x2000, 0x3000
RESTORER = 0x7F0F56D95050


def line(
    name: str, raw: tuple[int, ...], retval: int, memory: dict[int, bytes] | None = None
) -> str:
    """The line without the padding before ``=`` (strace's column 40)."""
    return re.sub(r" +=", " =", test_special_decoders.line(name, raw, retval, memory), count=1)


def mask(*numbers: int) -> bytes:
    return sum(1 << (n - 1) for n in numbers).to_bytes(8, "little")


def test_sigsets_list_names_without_sig_and_invert_when_mostly_full() -> None:
    assert signals.sigmask_text(0, 8) == "[]"
    assert signals.sigmask_text(int.from_bytes(mask(2, 15, 17), "little"), 8) == "[INT TERM CHLD]"
    assert signals.sigmask_text(int.from_bytes(mask(32, 34), "little"), 8) == "[RTMIN RT_2]"
    everything_but = (1 << 64) - 1 - int.from_bytes(mask(1, 9, 19), "little")
    assert signals.sigmask_text(everything_but, 8) == "~[HUP KILL STOP]"
    assert signals.sigmask_text((1 << 64) - 1, 8) == "~[]"


def test_rt_sigprocmask_prints_how_the_set_and_the_old_set() -> None:
    memory = {SET: mask(2, 15), OLD: mask()}
    assert line("rt_sigprocmask", (0, SET, OLD, 8), 0, memory) == (
        "rt_sigprocmask(SIG_BLOCK, [INT TERM], [], 8) = 0"
    )
    assert line("rt_sigprocmask", (2, SET, 0, 8), 0, memory) == (
        "rt_sigprocmask(SIG_SETMASK, [INT TERM], NULL, 8) = 0"
    )
    # a size the kernel refuses: both sets as addresses
    assert line("rt_sigprocmask", (7, SET, OLD, 4), 0, memory) == (
        "rt_sigprocmask(0x7 /* SIG_??? */, 0x1000, 0x3000, 4) = 0"
    )


def test_rt_sigpending_takes_a_short_set() -> None:
    memory = {SET: mask(1)}
    assert line("rt_sigpending", (SET, 4), 0, memory) == "rt_sigpending([HUP], 4) = 0"
    assert line("rt_sigpending", (SET, 0), 0, memory) == "rt_sigpending(0x1000, 0) = 0"


def test_rt_sigaction_prints_both_structs_and_the_restorer_only_with_sa_restorer() -> None:
    act = struct.pack("<QQQQ", 0, 0x04000000, RESTORER, 0)
    old = struct.pack("<QQQQ", 0x55D91B8220B0, 0x14000000, RESTORER, 0)
    assert line("rt_sigaction", (2, ACT, OLD, 8), 0, {ACT: act, OLD: old}) == (
        "rt_sigaction(SIGINT, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER, "
        "sa_restorer=0x7f0f56d95050}, {sa_handler=0x55d91b8220b0, sa_mask=[], "
        "sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f0f56d95050}, 8) = 0"
    )
    plain = struct.pack("<QQQQ", 1, 0, 0, int.from_bytes(mask(15), "little"))
    assert line("rt_sigaction", (25, 0, OLD, 8), 0, {OLD: plain}) == (
        "rt_sigaction(SIGXFSZ, NULL, {sa_handler=SIG_IGN, sa_mask=[TERM], sa_flags=0}, 8) = 0"
    )


def test_umask_returns_the_old_mask_in_octal() -> None:
    assert line("umask", (0o22,), 0) == "umask(022) = 000"
    assert line("umask", (6,), 0o26) == "umask(006) = 026"


def test_rt_sigtimedwait_names_the_signal_it_returns() -> None:
    memory = {SET: mask(1, 14)}
    assert line("rt_sigtimedwait", (SET, 0, 0, 8), 14, memory) == (
        "rt_sigtimedwait([HUP ALRM], NULL, NULL, 8) = 14 (SIGALRM)"
    )


def test_signalfd4_flags() -> None:
    memory = {SET: mask(12)}
    assert line("signalfd4", (2**64 - 1, SET, 8, 0x80800), 3, memory) == (
        "signalfd4(-1, [USR2], 8, SFD_CLOEXEC|SFD_NONBLOCK) = 3"
    )


def siginfo(signo: int, code: int, union: bytes, errno: int = 0) -> bytes:
    return struct.pack("<iii4x", signo, errno, code) + union.ljust(112, b"\0")


def test_siginfo_of_a_process_by_its_code() -> None:
    queued = siginfo(10, -1, struct.pack("<iIq", 42, 0, 0xBAD0BEEF))
    assert line("rt_sigqueueinfo", (42, 10, SET), 0, {SET: queued}) == (
        "rt_sigqueueinfo(42, SIGUSR1, {si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=42, "
        "si_uid=0, si_int=-1160724753, si_ptr=0xbad0beef}) = 0"
    )
    tkill = siginfo(14, -6, struct.pack("<iI", 7, 1000))
    assert line("rt_sigtimedwait", (OLD, SET, 0, 8), 14, {SET: tkill, OLD: mask(14)}) == (
        "rt_sigtimedwait([ALRM], {si_signo=SIGALRM, si_code=SI_TKILL, si_pid=7, si_uid=1000}, "
        "NULL, 8) = 14 (SIGALRM)"
    )


def test_siginfo_of_a_child_and_an_empty_one() -> None:
    killed = siginfo(17, 2, struct.pack("<iIi4xqq", 9, 0, 10, 9, 20))
    assert line("waitid", (1, 9, SET, 4, 0), 0, {SET: killed}) == (
        "waitid(P_PID, 9, {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=9, si_uid=0, "
        "si_status=SIGUSR1, si_utime=9 /* 0.09 s */, si_stime=20 /* 0.20 s */}, WEXITED, NULL) = 0"
    )
    assert line("waitid", (1, 9, SET, 5, 0), 0, {SET: bytes(128)}) == (
        "waitid(P_PID, 9, {}, WNOHANG|WEXITED, NULL) = 0"
    )
    fault = siginfo(11, 1, struct.pack("<Q", 0x1000))
    assert line("rt_sigqueueinfo", (1, 11, SET), 0, {SET: fault}) == (
        "rt_sigqueueinfo(1, SIGSEGV, {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x1000}) = 0"
    )


def test_sigaltstack_structs() -> None:
    stack = struct.pack("<Qi4xQ", 0x7F00, 2, 8192)
    assert line("sigaltstack", (SET, OLD), 0, {SET: stack, OLD: stack}) == (
        "sigaltstack({ss_sp=0x7f00, ss_flags=SS_DISABLE, ss_size=8192}, "
        "{ss_sp=0x7f00, ss_flags=SS_DISABLE, ss_size=8192}) = 0"
    )


def test_si_errno_by_name_or_unsigned() -> None:
    queued = siginfo(10, -1, struct.pack("<iIq", 42, 0, 0), errno=-1)
    assert line("pidfd_send_signal", (3, 12, SET, 0xDEFACED00000000), 0, {SET: queued}) == (
        "pidfd_send_signal(3, SIGUSR2, {si_signo=SIGUSR1, si_code=SI_QUEUE, si_errno=4294967295, "
        "si_pid=42, si_uid=0}, 0) = 0"
    )
