"""prctl's arguments by option, on constructed registers and memory: strace 6.1's
text out (lines from its runs of strace's prctl tests)."""

import re
import struct

from tests.unit import test_special_decoders

BUF = 0x1000


def line(
    name: str, raw: tuple[int, ...], retval: int, memory: dict[int, bytes] | None = None
) -> str:
    """The line without the padding before ``=`` (strace's column 40)."""
    return re.sub(r" +=", " =", test_special_decoders.line(name, raw, retval, memory), count=1)


def test_options_without_arguments_and_the_default_in_hex() -> None:
    assert line("prctl", (31, 0, 0, 0, 115), 0) == "prctl(PR_TASK_PERF_EVENTS_DISABLE) = 0"
    assert line("prctl", (39, 0, 1, 0, 0), 0) == "prctl(PR_GET_NO_NEW_PRIVS, 0, 0x1, 0, 0) = 0"
    assert line("prctl", (0x45, 0, 1, 2, 3), 0) == "prctl(0x45 /* PR_??? */, 0, 0x1, 0x2, 0x3) = 0"


def test_values_by_their_names() -> None:
    assert line("prctl", (23, 13, 0, 0, 0), 1) == "prctl(PR_CAPBSET_READ, CAP_NET_RAW) = 1"
    assert line("prctl", (23, 0xFF, 0, 0, 0), 1) == (
        "prctl(PR_CAPBSET_READ, 0xff /* CAP_??? */) = 1"
    )
    assert line("prctl", (1, 2, 0, 0, 0), 0) == "prctl(PR_SET_PDEATHSIG, SIGINT) = 0"
    assert line("prctl", (38, 1, 0, 0, 0), 0) == "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0"
    assert line("prctl", (47, 2, 30, 0, 0), 0) == (
        "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_AUDIT_CONTROL, 0, 0) = 0"
    )
    assert line("prctl", (33, 1, 1, 0, 0), 0) == (
        "prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0) = 0"
    )


def test_names_read_and_written() -> None:
    assert line("prctl", (15, BUF, 0, 0, 0), 0, {BUF: b"python3\0"}) == (
        'prctl(PR_SET_NAME, "python3") = 0'
    )
    assert line("prctl", (15, BUF, 0, 0, 0), 0, {BUF: b"123456789abcdef\0"}) == (
        'prctl(PR_SET_NAME, "123456789abcdef"...) = 0'
    )
    # no NUL before the memory ends: the address
    assert line("prctl", (15, BUF, 0, 0, 0), 0, {BUF: b"abc"}) == "prctl(PR_SET_NAME, 0x1000) = 0"
    assert line("prctl", (16, BUF, 0, 0, 0), 0, {BUF: b"0123456789abcde\0"}) == (
        'prctl(PR_GET_NAME, "0123456789abcde") = 0'
    )


def test_getters_print_what_the_kernel_wrote() -> None:
    assert line("prctl", (2, BUF, 0, 0, 0), 0, {BUF: struct.pack("<i", 9)}) == (
        "prctl(PR_GET_PDEATHSIG, [SIGKILL]) = 0"
    )
    assert line("prctl", (25, BUF, 0, 0, 0), 0, {BUF: struct.pack("<i", 2)}) == (
        "prctl(PR_GET_TSC, [PR_TSC_SIGSEGV]) = 0"
    )
    assert line("prctl", (40, BUF, 0, 0, 0), 0, {BUF: struct.pack("<Q", 0x7F00)}) == (
        "prctl(PR_GET_TID_ADDRESS, [0x7f00]) = 0"
    )
    assert line("prctl", (27, 0, 0, 0, 0), 0x11) == (
        "prctl(PR_GET_SECUREBITS) = 0x11 (SECBIT_NOROOT|SECBIT_KEEP_CAPS)"
    )


def test_set_vma_anon_name() -> None:
    assert line("prctl", (0x53564D41, 0, 0x2000, 4096, BUF), 0, {BUF: b"heap\0"}) == (
        'prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x2000, 4096, "heap") = 0'
    )
