"""-e read= and -e write=: strace 6.1's hex dump lines, checked against its output on
this host (read, pread64, write and writev of these bytes, -e read=3 -e write=1)."""

from __future__ import annotations

import struct

import pytest

from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.dumps import hex_dump
from traced.decoders.values import Options
from traced.errors import FilterError
from traced.filter.expression import parse_filter
from traced.syscalls.arch import host_arch


def test_lines_of_sixteen_bytes_in_two_groups() -> None:
    assert hex_dump(b"hello world, this is a longer line\n\1\377\0") == [
        " | 00000  68 65 6c 6c 6f 20 77 6f  72 6c 64 2c 20 74 68 69  hello world, thi |",
        " | 00010  73 20 69 73 20 61 20 6c  6f 6e 67 65 72 20 6c 69  s is a longer li |",
        " | 00020  6e 65 0a 01 ff 00                                 ne....           |",
    ]
    assert hex_dump(b"x") == [
        " | 00000  78                                                x                |"
    ]


def test_the_offset_widens_past_a_mebibyte() -> None:
    assert hex_dump(b"a" * 16, size=(1 << 20) + 1)[0].startswith(" | 000000  61 ")
    assert hex_dump(b"a" * 16, size=1 << 20)[0].startswith(" | 00000  61 ")


def test_write_dumps_its_count_and_read_its_result() -> None:
    memory = FakeMemory({0x1000: b"abcdef"})
    options = Options(dump_reads=frozenset({3}), dump_writes=frozenset({1}))
    written = decode_entry("write", (1, 0x1000, 6), memory, options)
    assert written[1].dump == hex_dump(b"abcdef")[0]
    assert decode_entry("write", (2, 0x1000, 6), memory, options)[1].dump is None
    read = decode_entry("read", (3, 0x1000, 64), memory, options)
    read = decode_exit("read", read, (3, 0x1000, 64), memory, retval=4, options=options)
    assert read[1].dump == hex_dump(b"abcd")[0]


def test_writev_dumps_each_buffer() -> None:
    iovecs = struct.pack("<QQQQ", 0x2000, 3, 0x3000, 5)
    memory = FakeMemory({0x1000: iovecs, 0x2000: b"abc", 0x3000: b"defgh"})
    options = Options(dump_writes=frozenset({1}))
    dump = decode_entry("writev", (1, 0x1000, 2), memory, options)[1].dump
    assert dump is not None
    assert dump.split("\n") == [
        " * 3 bytes in buffer 0", *hex_dump(b"abc"), " * 5 bytes in buffer 1", *hex_dump(b"defgh"),
    ]  # fmt: skip


def test_fd_sets_parse_as_strace_does() -> None:
    parsed = parse_filter(["read=0,5", "write=!all", "trace=read"], host_arch())
    assert (parsed.dump_reads, parsed.dump_writes) == (frozenset({0, 5}), frozenset())
    with pytest.raises(FilterError, match="invalid descriptor 'x'"):
        parse_filter(["read=x"], host_arch())
