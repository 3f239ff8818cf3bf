"""memfd_create's name and flags, fanotify_mark's mask and dirfd, on constructed
registers and memory: strace 6.1's text out (lines from its runs of strace's
memfd_create and fanotify_mark tests, in each -X style)."""

import re

from tests.unit import test_special_decoders
from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry
from traced.decoders.values import Options

NAME = 0x1000


def line(
    name: str, raw: tuple[int, ...], retval: int, memory: dict[int, bytes] | None = None
) -> str:
    return re.sub(r" +=", " =", test_special_decoders.line(name, raw, retval, memory), count=1)


def flags(raw: int, xlat: str) -> str:
    return decode_entry("memfd_create", (0, raw), FakeMemory({}), Options(xlat=xlat))[1].text


def test_memfd_name_read_no_further_than_250_bytes() -> None:
    digits = b"0123456789" * 25  # 250 bytes, no NUL, and nothing mapped after them
    args = decode_entry(
        "memfd_create", (NAME, 0), FakeMemory({NAME: digits}), Options(string_limit=256)
    )
    assert args[0].text == '"' + digits.decode() + '"...'
    assert line("memfd_create", (NAME, 1), 3, {NAME: b"name\0"}) == (
        'memfd_create("name", MFD_CLOEXEC) = 3'
    )


def test_memfd_flags_with_the_huge_page_size() -> None:
    assert flags(0x1F, "abbrev") == "MFD_CLOEXEC|MFD_ALLOW_SEALING|MFD_HUGETLB|0x18"
    assert flags(30 << 26, "abbrev") == "30<<MFD_HUGE_SHIFT"
    assert flags(30 << 26, "verbose") == "0x78000000 /* 30<<MFD_HUGE_SHIFT */"
    assert flags(0xFFFFFFFF, "abbrev") == (
        "MFD_CLOEXEC|MFD_ALLOW_SEALING|MFD_HUGETLB|0x3fffff8|63<<MFD_HUGE_SHIFT"
    )
    assert flags(0x1F, "raw") == "0x1f"
    assert flags(0, "verbose") == "0"


def test_fanotify_mask_order_and_nofd() -> None:
    mask = 0x40000000 | 0x10000000 | 0x08000000 | 0x80000 | 0x1
    assert line("fanotify_mark", (3, 0x21, mask, 2**64 - 1, 0), 0) == (
        "fanotify_mark(3, FAN_MARK_ADD|FAN_MARK_IGNORED_MASK, FAN_ACCESS|FAN_DIR_MODIFY"
        "|FAN_ONDIR|FAN_EVENT_ON_CHILD|FAN_RENAME, FAN_NOFD, NULL) = 0"
    )
    assert line("fanotify_mark", (3, 0, 0, 2**64 - 100, 0), 0) == (
        "fanotify_mark(3, 0, 0, AT_FDCWD, NULL) = 0"
    )
    verbose = decode_entry(
        "fanotify_mark", (3, 0, 0, 2**64 - 1, 0), FakeMemory({}), Options(xlat="verbose")
    )
    assert verbose[3].text == "-1 /* FAN_NOFD */"
