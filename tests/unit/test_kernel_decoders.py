"""personality, seccomp, kcmp and process_madvise, on constructed registers and memory:
strace 6.1's text out (lines from its runs of strace's personality, seccomp-filter,
seccomp_get_action_avail, seccomp_get_notif_sizes, kcmp and process_madvise tests)."""

from __future__ import annotations

import re
import struct

from tests.unit import test_special_decoders
from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry
from traced.decoders.shapes import decode_result
from traced.decoders.values import Options

BUF = 0x10000


def line(
    name: str, raw: tuple[int, ...], retval: int, memory: dict[int, bytes] | None = None
) -> str:
    """The line without the padding before ``=`` (strace's column 40)."""
    return re.sub(r" +=", " =", test_special_decoders.line(name, raw, retval, memory), count=1)


def test_personality_type_then_flags_and_the_previous_one() -> None:
    assert line("personality", (0xFFFFFFFF,), 0) == "personality(0xffffffff) = 0 (PER_LINUX)"
    assert line("personality", (0x10000,), 0x7000000) == (
        "personality(PER_LINUX|0x10000) = 0x7000000 "
        "(PER_LINUX|SHORT_INODE|WHOLE_SECONDS|STICKY_TIMEOUTS)"
    )
    assert line("personality", (0x1F,), 0x7010006) == (
        "personality(0x1f /* PER_??? */) = 0x7010006 "
        "(PER_BSD|SHORT_INODE|WHOLE_SECONDS|STICKY_TIMEOUTS|0x10000)"
    )


def test_personality_in_the_verbose_and_raw_styles() -> None:
    verbose, raw = Options(xlat="verbose"), Options(xlat="raw")
    persona = 0x7010000
    texts = [
        decode_entry("personality", (persona,), FakeMemory({}), o)[0].text for o in (verbose, raw)
    ]
    assert texts == [
        "0 /* PER_LINUX */|0x7010000 /* SHORT_INODE|WHOLE_SECONDS|STICKY_TIMEOUTS|0x10000 */",
        "0|0x7010000",
    ]
    assert decode_result("personality", (0,), 0x10000, verbose) == (
        "0x10000 (0 /* PER_LINUX */|0x10000)"
    )


def test_seccomp_by_operation() -> None:
    fprog = {BUF: struct.pack("<H6xQ", 7, 0x20000)}
    assert line("seccomp", (1, 0, BUF), 0, fprog) == (
        "seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=7, filter=0x20000}) = 0"
    )
    action = {BUF: struct.pack("<I", 0x7FFF0000)}
    assert line("seccomp", (2, 0, BUF), 0, action) == (
        "seccomp(SECCOMP_GET_ACTION_AVAIL, 0, [SECCOMP_RET_ALLOW]) = 0"
    )
    sizes = {BUF: struct.pack("<3H", 80, 24, 64)}
    assert line("seccomp", (3, 0, BUF), 0, sizes) == (
        "seccomp(SECCOMP_GET_NOTIF_SIZES, 0, "
        "{seccomp_notif=80, seccomp_notif_resp=24, seccomp_data=64}) = 0"
    )
    assert line("seccomp", (3, 0xFF, 0), 0) == "seccomp(SECCOMP_GET_NOTIF_SIZES, 0xff, NULL) = 0"


def test_kcmp_indices_by_type() -> None:
    assert line("kcmp", (2**64 - 1, 2**64 - 1, 1, 5, 6), 0) == "kcmp(-1, -1, KCMP_VM) = 0"
    assert line("kcmp", (10, 11, 0, 23, 42), 1) == "kcmp(10, 11, KCMP_FILE, 23, 42) = 1"
    slot = {BUF: struct.pack("<iiI", 23, 42, 0)}
    assert line("kcmp", (10, 2**64 - 1, 7, 23, BUF), 0, slot) == (
        "kcmp(10, -1, KCMP_EPOLL_TFD, 23, {efd=23, tfd=42, toff=0}) = 0"
    )
    assert line("kcmp", (0, 0, 8, 0, 0), 0) == "kcmp(0, 0, 0x8 /* KCMP_??? */, 0, 0) = 0"
    # kcmp-y's fds, named in their own processes: test_struct_outputs.py


def test_process_madvise_ranges_and_flags_in_hex() -> None:
    ranges = {BUF: struct.pack("<QQ", 0x20000, 10)}
    assert line("process_madvise", (0, BUF, 1, 0, 0xFFFFFFFF), 0, ranges) == (
        "process_madvise(0, [{iov_base=0x20000, iov_len=10}], 1, MADV_NORMAL, 0xffffffff) = 0"
    )
    assert line("process_madvise", (0, BUF, 0, 21, 0), 0) == (
        "process_madvise(0, [], 0, MADV_PAGEOUT, 0) = 0"
    )
    assert line("process_mrelease", (3, 0xFACEFEED), 0) == "process_mrelease(3, 0xfacefeed) = 0"
