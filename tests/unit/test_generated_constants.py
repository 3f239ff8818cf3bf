"""Decoders printing by the tables generated from the uapi headers, on constructed
registers and memory: strace 6.1's text out (lines from its runs of strace's tests)."""

import re
import struct

from tests.unit import test_special_decoders
from traced.decoders import _constants as K
from traced.decoders.families import ipc, kernel, quota


def line(
    name: str, raw: tuple[int, ...], retval: int, memory: dict[int, bytes] | None = None
) -> str:
    """The line without the padding before ``=`` (strace's column 40)."""
    return re.sub(r" +=", " =", test_special_decoders.line(name, raw, retval, memory), count=1)


def test_memory_flags_and_advice() -> None:
    assert line("msync", (0x1000, 24576, 4), 0) == "msync(0x1000, 24576, MS_SYNC) = 0"
    assert line("mlockall", (1,), 0) == "mlockall(MCL_CURRENT) = 0"
    assert line("mlockall", (0,), 0) == "mlockall(0) = 0"
    assert line("madvise", (0, 4096, 6), 0) == "madvise(NULL, 4096, 0x6 /* MADV_??? */) = 0"
    assert line("madvise", (0, 4096, 8), 0) == "madvise(NULL, 4096, MADV_FREE) = 0"


def test_mremap_prints_new_address_only_when_fixed() -> None:
    assert line("mremap", (0x1000, 24576, 12288, 0, 0), 0x1000) == (
        "mremap(0x1000, 24576, 12288, 0) = 0x1000"
    )
    assert line("mremap", (0x1000, 8192, 4096, 3, 0x5000), 0x5000) == (
        "mremap(0x1000, 8192, 4096, MREMAP_MAYMOVE|MREMAP_FIXED, 0x5000) = 0x5000"
    )


def test_mempolicy_mode_then_mode_flags() -> None:
    assert line("set_mempolicy", (0, 0, 0), 0) == "set_mempolicy(MPOL_DEFAULT, NULL, 0) = 0"
    assert line("set_mempolicy", (0xE003, 0, 0), 0) == (
        "set_mempolicy(MPOL_INTERLEAVE|MPOL_F_STATIC_NODES|MPOL_F_RELATIVE_NODES"
        "|MPOL_F_NUMA_BALANCING, NULL, 0) = 0"
    )


def test_sysv_ipc_keys_flags_and_commands() -> None:
    assert line("msgget", (0, 0o600), 5) == "msgget(IPC_PRIVATE, 0600) = 5"
    assert line("msgget", (0xFDB9F531, 0xFACE1000 | 0xC00 | 0o125), 5) == (
        "msgget(0xfdb9f531, IPC_EXCL|IPC_NOWAIT|0xface1000|0125) = 5"
    )
    assert line("msgctl", (5, 0, 0), 0) == "msgctl(5, IPC_RMID, NULL) = 0"
    assert line("semctl", (5, 0, 19, 0), 5).startswith("semctl(5, 0, SEM_INFO, ")
    assert line("msgget", (0, 0), 5) == "msgget(IPC_PRIVATE, 000) = 5"
    flags = 0x200 | 0x400 | 0x800 | 0x1000 | 0x2CE0000 | 21 << 26 | 0o125
    assert ipc.shmget_flags(flags).text == (
        "IPC_CREAT|IPC_EXCL|SHM_HUGETLB|SHM_NORESERVE|0x2ce0000|21<<SHM_HUGE_SHIFT|0125"
    )
    assert line("shmat", (18, 0, 0x1000 | 0x8000), 0x1000) == (
        "shmat(18, NULL, SHM_RDONLY|SHM_EXEC) = 0x1000"
    )


def test_socket_flags_levels_and_int_options() -> None:
    memory = {0x2000: struct.pack("<i", 2), 0x3000: struct.pack("<i", 4)}
    assert line("getsockopt", (3, 1, 3, 0x2000, 0x3000), 0, memory) == (
        "getsockopt(3, SOL_SOCKET, SO_TYPE, [2], [4]) = 0"
    )
    assert line("setsockopt", (3, 1, 1, 0x2000, 4), 0, memory) == (
        "setsockopt(3, SOL_SOCKET, SO_DEBUG, [2], 4) = 0"
    )
    assert line("getsockopt", (3, 1, 0x4C, 0x2000, 0x3000), 0, memory).startswith(
        "getsockopt(3, SOL_SOCKET, 0x4c /* SO_??? */, [2], [4])"
    )
    assert line("recvfrom", (3, 0x2000, 0, 2, 0, 0), 0, memory) == (
        'recvfrom(3, "", 0, MSG_PEEK, NULL, NULL) = 0'
    )


def test_descriptor_flag_sets() -> None:
    assert line("dup3", (2**64 - 5, 7, 1), 0) == "dup3(-5, 7, 0x1 /* O_??? */) = 0"
    assert line("perf_event_open", (0, 0, 0, 0, 8), 3) == (
        "perf_event_open(NULL, 0, 0, 0, PERF_FLAG_FD_CLOEXEC) = 3"
    )
    assert line("fanotify_mark", (3, 0xEFACE800, 0, 2**32 - 100, 0), 0).startswith(
        "fanotify_mark(3, 0xeface800 /* FAN_MARK_??? */, "
    )


def test_facility_commands() -> None:
    assert line("seccomp", (2, 0, 0), 0) == "seccomp(SECCOMP_GET_ACTION_AVAIL, 0, NULL) = 0"
    assert line("bpf", (0, 0, 0), 42) == "bpf(BPF_MAP_CREATE, NULL, 0) = 42"
    assert line("prctl", (23, 13, 0, 0, 0), 1).startswith("prctl(PR_CAPBSET_READ, ")
    assert quota.quota_command(0x80000100).text == "QCMD(Q_SYNC, USRQUOTA)"
    assert quota.quota_command(0xBADC0DED).text == "QCMD(0xbadc0d /* Q_??? */, 0xed /* ???QUOTA */)"
    assert quota.quota_command(0x1).text == "QCMD(0 /* Q_??? */, GRPQUOTA)"
    assert kernel.key_serial(2**64 - 1).text == "KEY_SPEC_THREAD_KEYRING"
    assert kernel.key_serial(2**64 - 557785390).text == "-557785390"


def test_generated_tables_hold_the_kernels_values() -> None:
    """A few values the kernel's ABI fixes, as the generator read them."""
    assert dict(K.MSG_FLAGS)["MSG_DONTWAIT"] == 0x40 and dict(K.MSG_FLAGS)["MSG_PROBE"] == 0x10
    assert dict(K.PRCTL)["PR_SET_VMA"] == 0x53564D41 and "PR_SET_MM_BRK" not in dict(K.PRCTL)
    assert dict(K.IORING_REGISTER)["IORING_REGISTER_PROBE"] == 8
    assert K.MSYNC[0] == ("MS_SYNC", 4)  # strace prints MS_SYNC first
