"""-x, -xx and --strings-in-hex: strings as strace 6.1 prints them in each style.

Expected texts were checked against strace 6.1 on this host (write(2) of these bytes
and openat of a path with é, with ``-y``, under each option).
"""

from __future__ import annotations

import pytest

from traced.decoders.strings import fd_path_text, quote
from traced.decoders.style import Style, applied

WRITES = (b"abc", b"ab\tc\n", b'a\1b"\\<', b"\xff\x001x")


@pytest.mark.parametrize(
    ("strings", "expected"),
    [
        ("none", ['"abc"', '"ab\\tc\\n"', '"a\\1b\\"\\\\<"', '"\\377\\0001x"']),
        ("non-ascii", ['"abc"', '"ab\\tc\\n"', '"\\x61\\x01\\x62\\x22\\x5c\\x3c"',
                       '"\\xff\\x00\\x31\\x78"']),
        ("all", ['"\\x61\\x62\\x63"', '"\\x61\\x62\\x09\\x63\\x0a"',
                 '"\\x61\\x01\\x62\\x22\\x5c\\x3c"', '"\\xff\\x00\\x31\\x78"']),
        ("non-ascii-chars", ['"abc"', '"ab\\tc\\n"', '"a\\x01b\\"\\\\<"', '"\\xff\\x001x"']),
    ],
)  # fmt: skip
def test_buffers(strings: str, expected: list[str]) -> None:
    with applied(Style(strings=strings)):
        assert [quote(data) for data in WRITES] == expected


def test_fd_paths() -> None:
    """-y's ``<...>`` follows the style too; ``<`` and ``>`` count as unprintable there."""
    path = "/tmp/hé<>".encode()
    with applied(Style(strings="all")):
        assert fd_path_text(b"/a") == "\\x2f\\x61"
    with applied(Style(strings="non-ascii")):
        assert fd_path_text(b"/a") == "/a"
        assert fd_path_text(path) == "\\x2f\\x74\\x6d\\x70\\x2f\\x68\\xc3\\xa9\\x3c\\x3e"
    with applied(Style(strings="non-ascii-chars")):
        assert fd_path_text(path) == "/tmp/h\\xc3\\xa9\\x3c\\x3e"
