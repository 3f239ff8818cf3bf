"""Reads and writes: the buffers read and write pass, and strings that are not paths.

The quoting itself is shared (traced.decoders.strings); this family says where a
buffer's length comes from.
"""

from __future__ import annotations

from collections.abc import Sequence

from traced.decoders.kinds import Decoder, by_pointer
from traced.decoders.strings import decode_buffer, decode_cstring
from traced.decoders.values import DecodedValue, Memory, Options
from traced.events import Arg


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


DECODERS: dict[str, Decoder] = {
    "str": by_pointer(decode_cstring),
    "buf_in": Decoder(entry=_buffer_entry),
    "buf_out": Decoder(exit=_buffer_exit),
}
