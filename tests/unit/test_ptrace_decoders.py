"""ptrace's arguments by request, on constructed registers and memory: strace 6.1's
text out (lines from its runs of strace's ptrace, ptrace-X* and ptrace_syscall_info
tests, their pids and addresses as the registers here give them)."""

from __future__ import annotations

import struct

from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.fdnames import naming
from traced.decoders.values import Options

PID = 27004
BUF, IOV = 0x10000, 0x20000
PLAIN, RAW, VERBOSE = Options(), Options(xlat="raw"), Options(xlat="verbose")


def ptrace(
    request: int, addr: int = 0, data: int = 0, *, memory: dict[int, bytes] | None = None,
    retval: int | None = None, options: Options = PLAIN,
) -> str:  # fmt: skip
    """The call as strace prints it: at entry, then (``retval``: a success) at exit."""
    raw = (request, PID, addr, data)
    fake = FakeMemory(memory or {})
    args = decode_entry("ptrace", raw, fake, options)
    if retval is not None:
        args = decode_exit("ptrace", args, raw, fake, retval=retval, options=options)
    return "ptrace(" + ", ".join(arg.text for arg in args if arg.text) + ")"


def test_requests_by_name_and_the_arguments_each_reads() -> None:
    assert ptrace(0) == "ptrace(PTRACE_TRACEME)"
    assert ptrace(0x10, 1, 2) == f"ptrace(PTRACE_ATTACH, {PID})"
    assert ptrace(2, 0xDEADBEEFFFFFFEED, 0xDEADCAFEFFFFF00D) == (
        f"ptrace(PTRACE_PEEKDATA, {PID}, 0xdeadbeeffffffeed, 0xdeadcafefffff00d)"
    )
    assert ptrace(0xDEADBEEFFFFFFEED) == (
        f"ptrace(0xdeadbeeffffffeed /* PTRACE_??? */, {PID}, NULL, NULL)"
    )
    assert ptrace(0x4212, 1, 0) == f"ptrace(0x4212 /* PTRACE_??? */, {PID}, 0x1, NULL)"
    assert ptrace(0x420C, 42) == f"ptrace(PTRACE_SECCOMP_GET_FILTER, {PID}, 42, NULL)"


def test_signals_and_options() -> None:
    assert ptrace(7, 0, 10) == f"ptrace(PTRACE_CONT, {PID}, NULL, SIGUSR1)"
    assert ptrace(0x18, 0, 0) == f"ptrace(PTRACE_SYSCALL, {PID}, NULL, 0)"
    assert ptrace(0x4200, 0, 0xA) == (
        f"ptrace(PTRACE_SETOPTIONS, {PID}, NULL, PTRACE_O_TRACEFORK|PTRACE_O_TRACECLONE)"
    )
    assert ptrace(7, 0, 10, options=RAW) == f"ptrace(0x7, {PID}, NULL, 10)"
    assert ptrace(0x4200, 0, 1, options=VERBOSE) == (
        f"ptrace(0x4200 /* PTRACE_SETOPTIONS */, {PID}, NULL, 0x1 /* PTRACE_O_TRACESYSGOOD */)"
    )


def test_signal_sets_and_siginfo() -> None:
    mask = {BUF: struct.pack("<Q", 1 << 9)}
    assert ptrace(0x420B, 8, BUF, memory=mask) == f"ptrace(PTRACE_SETSIGMASK, {PID}, 8, [USR1])"
    assert ptrace(0x420A, 8, BUF, memory=mask, retval=0) == (
        f"ptrace(PTRACE_GETSIGMASK, {PID}, 8, [USR1])"
    )
    band = struct.pack("<iii4xqi", 29, 2, 1, -2, 23).ljust(128, b"\0")
    assert ptrace(0x4203, 0, BUF, memory={BUF: band}) == (
        f"ptrace(PTRACE_SETSIGINFO, {PID}, NULL, {{si_signo=SIGIO, si_code=POLL_IN, "
        "si_errno=ENOENT, si_band=-2, si_fd=23})"
    )
    with naming(lambda fd: f"{fd}</dev/null>"):
        assert ptrace(0x4203, 0, BUF, memory={BUF: band}).endswith("si_fd=23</dev/null>})")
    sys = struct.pack("<iii4xQiI", 31, 0, 1, 0, 0, 0xC000003E).ljust(128, b"\0")
    assert ptrace(0x4203, 0, BUF, memory={BUF: sys}, options=VERBOSE).endswith(
        "{si_signo=31 /* SIGSYS */, si_code=0x1 /* SYS_SECCOMP */, si_call_addr=NULL, "
        "si_syscall=0 /* __NR_read */, si_arch=0xc000003e /* AUDIT_ARCH_X86_64 */})"
    )
    pkey = struct.pack("<iii4xQ8xI", 11, 0, 4, BUF, 3141592653).ljust(128, b"\0")
    assert ptrace(0x4203, 0, BUF, memory={BUF: pkey}).endswith(
        "{si_signo=SIGSEGV, si_code=SEGV_PKUERR, si_addr=0x10000, si_pkey=3141592653})"
    )
    trap = {BUF: struct.pack("<iii", 5, 2, 7).ljust(128, b"\0")}
    assert ptrace(0x4203, 0, BUF, memory=trap).endswith(
        "{si_signo=SIGTRAP, si_code=0x7, si_errno=ENOENT, si_addr=NULL})"
    )


def test_peeksiginfo_and_words_written() -> None:
    args = {BUF: struct.pack("<QII", 0, 0, 4)}
    info = struct.pack("<iii4xiI", 10, 0, -6, 27005, 0).ljust(128, b"\0")
    assert ptrace(0x4209, BUF, IOV, memory={**args, IOV: info}, retval=1) == (
        f"ptrace(PTRACE_PEEKSIGINFO, {PID}, {{off=0, flags=0, nr=4}}, "
        "[{si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=27005, si_uid=0}])"
    )
    word = {BUF: struct.pack("<Q", 0x1234)}
    assert ptrace(2, 0x1000, BUF, memory=word, retval=0) == (
        f"ptrace(PTRACE_PEEKDATA, {PID}, 0x1000, [0x1234])"
    )
    assert ptrace(0x4201, 0, BUF, memory=word, retval=0) == (
        f"ptrace(PTRACE_GETEVENTMSG, {PID}, NULL, [4660])"
    )
    zero = {BUF: bytes(8)}
    assert ptrace(3, 0xB8, BUF, memory=zero, retval=0).endswith(", 8*SS+24, [NULL])")
    # after a failure: the address
    assert ptrace(2, 0x1000, BUF, memory=word) == f"ptrace(PTRACE_PEEKDATA, {PID}, 0x1000, 0x10000)"


def test_seccomp_metadata() -> None:
    metadata = {BUF: struct.pack("<QQ", 18072662652281012446, 1)}
    assert ptrace(0x420D, 7, BUF, memory=metadata) == (
        f"ptrace(PTRACE_SECCOMP_GET_METADATA, {PID}, 7, 0x10000)"
    )
    assert ptrace(0x420D, 16, BUF, memory=metadata) == (
        f"ptrace(PTRACE_SECCOMP_GET_METADATA, {PID}, 16, {{filter_off=18072662652281012446}})"
    )
    assert ptrace(0x420D, 16, BUF, memory=metadata, retval=16).endswith(
        "{filter_off=18072662652281012446, flags=SECCOMP_FILTER_FLAG_TSYNC})"
    )


def _regs(count: int) -> bytes:
    return struct.pack(f"<{count}Q", *range(count))


def test_register_sets() -> None:
    iovec = {IOV: struct.pack("<QQ", BUF, 16), BUF: _regs(27)}
    expected = f"ptrace(PTRACE_GETREGSET, {PID}, NT_PRSTATUS, {{iov_base="
    assert ptrace(0x4204, 1, IOV, memory=iovec) == expected + "0x10000, iov_len=16})"
    assert ptrace(0x4204, 1, IOV, memory=iovec, retval=0) == (
        expected + "{r15=0, r14=0x1}, iov_len=16})"
    )
    assert ptrace(0x4205, 1, IOV, memory=iovec, options=VERBOSE) == (
        f"ptrace(0x4205 /* PTRACE_SETREGSET */, {PID}, 0x1 /* NT_PRSTATUS */, "
        "{iov_base={r15=0, r14=0x1}, iov_len=16})"
    )
    fp = struct.pack("<4H2Q2I", 0x37F, 0, 0, 0, 0, 0, 0x1F80, 0x2FFFF) + bytes(480)
    iovec = {IOV: struct.pack("<QQ", BUF, 40), BUF: fp}
    assert ptrace(0x4204, 2, IOV, memory=iovec, retval=0).endswith(
        "NT_FPREGSET, {iov_base={cwd=0x37f, swd=0, ftw=0, fop=0, rip=0, rdp=0, mxcsr=0x1f80,"
        " mxcr_mask=0x2ffff, st_space=[0, 0]}, iov_len=40})"
    )
    whole = ptrace(12, 0, BUF, memory={BUF: _regs(27)}, retval=0)
    assert whole.startswith(f"ptrace(PTRACE_GETREGS, {PID}, {{r15=0, r14=0x1, ")
    assert whole.endswith("es=0x18, fs=0x19, gs=0x1a})")
    assert ptrace(12, 0, BUF) == f"ptrace(PTRACE_GETREGS, {PID}, 0x10000)"


def _info(op: int, tail: bytes) -> bytes:
    return struct.pack("<B3xIQQ", op, 0xC000003E, 0x7F504AE29829, 0x7FFF88D9D6F8) + tail


def test_syscall_info() -> None:
    head = f"ptrace(PTRACE_GET_SYSCALL_INFO, {PID}, "
    entry = {BUF: _info(1, struct.pack("<7Q", 80, 0x55ABA1A7123F, 0, 0, 0, 0, 0))}
    assert ptrace(0x420E, 8, BUF, memory=entry, retval=80) == (
        head + "8, {op=PTRACE_SYSCALL_INFO_ENTRY, arch=AUDIT_ARCH_X86_64})"
    )
    assert ptrace(0x420E, 40, BUF, memory=entry, retval=80) == (
        head + "40, {op=PTRACE_SYSCALL_INFO_ENTRY, arch=AUDIT_ARCH_X86_64, "
        "instruction_pointer=0x7f504ae29829, stack_pointer=0x7fff88d9d6f8, "
        "entry={nr=__NR_chdir, args=[0x55aba1a7123f]}})"
    )
    failed = {BUF: _info(2, struct.pack("<qB", -2, 1))}
    assert ptrace(0x420E, 33, BUF, memory=failed, retval=33, options=VERBOSE).endswith(
        "exit={rval=-2 /* -ENOENT */, is_error=1}})"
    )
    assert ptrace(0x420E, 32, BUF, memory=failed, retval=33).endswith("exit={rval=-2}})")
    assert ptrace(0x420E, 0, BUF, memory=failed, retval=33) == head + "0, 0x10000)"


def test_seccomp_filter_got() -> None:
    program = {BUF: struct.pack("<HBBI", 6, 0, 0, 0x7FFF0000)}
    assert ptrace(0x420C, 0, BUF, memory=program, retval=1, options=Options(verbose=True)) == (
        f"ptrace(PTRACE_SECCOMP_GET_FILTER, {PID}, 0, [BPF_STMT(BPF_RET|BPF_K, SECCOMP_RET_ALLOW)])"
    )
    assert ptrace(0x420C, 0, BUF, memory=program, retval=1).endswith(", 0, 0x10000)")


def test_struct_user_offsets() -> None:
    assert ptrace(3, 0x350 + 8, BUF).endswith(
        f"PTRACE_PEEKUSER, {PID}, offsetof(struct user, u_debugreg)+8, 0x10000)"
    )
    assert ptrace(6, 0x50, 1).endswith(f"PTRACE_POKEUSER, {PID}, 8*RAX, 0x1)")
    assert ptrace(3, 0xA8, BUF).endswith(", 8*SS+8, 0x10000)")  # fs_base: no name of its own
    assert ptrace(3, 0x390, BUF).endswith(", sizeof(struct user), 0x10000)")
    assert ptrace(3, 0xDEADBEEFFFFFFEED, BUF).endswith(", 0xdeadbeeffffffeed, 0x10000)")
    assert ptrace(3, 0x50, BUF, options=VERBOSE).endswith(", 0x50 /* 8*RAX */, 0x10000)")
    assert ptrace(3, 0x50, BUF, options=RAW).endswith(", 0x50, 0x10000)")


def test_register_set_length_changed_by_the_kernel() -> None:
    """The kernel writes back the length it copied: ``iov_len=224 => 216``."""
    raw = (0x4204, PID, 1, IOV)
    asked = FakeMemory({IOV: struct.pack("<QQ", BUF, 224), BUF: _regs(28)})
    args = decode_entry("ptrace", raw, asked, PLAIN)
    copied = FakeMemory({IOV: struct.pack("<QQ", BUF, 216), BUF: _regs(27)})
    args = decode_exit("ptrace", args, raw, copied, retval=0, options=PLAIN)
    assert args[3].text.endswith("fs=0x19, gs=0x1a}, iov_len=224 => 216}")
    setting = decode_entry("ptrace", (0x4205, PID, 1, IOV), asked, PLAIN)
    assert setting[3].text.endswith("gs=0x1a, ...}, iov_len=224}")
    setting = decode_exit("ptrace", setting, (0x4205, PID, 1, IOV), copied, retval=0)
    assert setting[3].text.endswith("gs=0x1a, ...}, iov_len=224 => 216}")
