"""Reads and writes: the buffers read and write pass, and strings that are not paths.

The quoting itself is shared (traced.decoders.strings); this family says where a
buffer's length comes from.  An iovec array (readv, writev) is shown as strace shows
it: ``[{iov_base="ab", iov_len=2}, ...]``, at most -s elements, each buffer cut at
-s; a read's buffers hold only the bytes it returned, shared out in order.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders.kinds import Decoder, by_pointer
from traced.decoders.strings import decode_buffer, decode_cstring
from traced.decoders.values import DecodedValue, Memory, Options, read_exact, unreadable
from traced.events import Arg

IOVEC = struct.Struct("<QQ")  # struct iovec on x86_64: void *iov_base; size_t iov_len


def _buffer_entry(
    raw: Sequence[int], at: int, memory: Memory, options: Options
) -> DecodedValue | None:
    """write's buffer: its length is the next register."""
    return decode_buffer(raw[at], memory, raw[at + 1], options) if at + 1 < len(raw) else None


def _buffer_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    """read's buffer, once filled: its length is the result."""
    return decode_buffer(raw[at], memory, retval, options)


def iovec_array(
    address: int, count: int, memory: Memory, options: Options, data: int | None
) -> DecodedValue:
    """``count`` iovecs at ``address``; ``data``: the bytes they hold (a read's
    result), None for all of them (a write's)."""
    if count < 0 or address == 0:
        return unreadable(address)
    shown = min(count, max(0, options.string_limit))
    table = read_exact(memory, address, shown * IOVEC.size)
    if table is None:
        return unreadable(address)
    texts: list[str] = []
    values: list[dict[str, object]] = []
    for base, length in IOVEC.iter_unpack(table):
        size = length if data is None else min(length, data)
        data = None if data is None else data - size
        buffer = decode_buffer(base, memory, size, options)
        texts.append(f"{{iov_base={buffer.text}, iov_len={length}}}")
        values.append({"iov_base": buffer.value, "iov_len": length})
    more = ", ..." if count > shown else ""
    return DecodedValue("[" + ", ".join(texts) + more + "]", values, address)  # type: ignore[arg-type]


def _iovec_entry(
    raw: Sequence[int], at: int, memory: Memory, options: Options
) -> DecodedValue | None:
    """writev's buffers: every byte of them."""
    if at + 1 >= len(raw):
        return None
    return iovec_array(raw[at], _count(raw[at + 1]), memory, options, None)


def _iovec_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """readv's buffers, once filled: the result's bytes, in order."""
    if at + 1 >= len(raw):
        return None
    return iovec_array(raw[at], _count(raw[at + 1]), memory, options, max(0, retval))


def _count(register: int) -> int:
    """An iovcnt (an int) as C sees it: the low word, signed."""
    low = register & 0xFFFFFFFF
    return low - (1 << 32) if low >= 1 << 31 else low


DECODERS: dict[str, Decoder] = {
    "str": by_pointer(decode_cstring),
    "buf_in": Decoder(entry=_buffer_entry),
    "buf_out": Decoder(exit=_buffer_exit),
    "iovec_in": Decoder(entry=_iovec_entry),
    "iovec_out": Decoder(exit=_iovec_exit),
}
