"""Time: struct timespec, utimensat's pair of them, and the UTC comment strace adds."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import UTC, datetime

from traced.decoders.kinds import Decoder, by_pointer
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    DecodedValue,
    Memory,
    Options,
    read_exact,
    unreadable,
)

UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2


def time_comment(seconds: int, nanoseconds: int) -> str:
    """`` /* 2023-11-14T22:13:20.5+0000 */``: a timestamp in UTC, as strace comments it."""
    try:
        stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return ""
    fraction = f".{nanoseconds:09d}" if 0 < nanoseconds < 1_000_000_000 else ""
    return f" /* {stamp}{fraction}+0000 */"


def decode_timespec(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """``{tv_sec=1, tv_nsec=500000000}``."""
    data = None if raw == 0 else read_exact(memory, raw, 16)
    if data is None:
        return unreadable(raw)
    sec, nsec = struct.unpack("<qq", data)
    return DecodedValue(f"{{tv_sec={sec}, tv_nsec={nsec}}}", {"tv_sec": sec, "tv_nsec": nsec}, raw)


def _utime(sec: int, nsec: int) -> str:
    if nsec == UTIME_NOW:
        return "UTIME_NOW"
    if nsec == UTIME_OMIT:
        return "UTIME_OMIT"
    return f"{{tv_sec={sec}, tv_nsec={nsec}}}{time_comment(sec, nsec)}"


def timespec_pair(raw: int, memory: Memory) -> DecodedValue:
    """``[UTIME_OMIT, {tv_sec=1700000000, tv_nsec=0} /* 2023-11-14T22:13:20+0000 */]``."""
    if raw == 0:
        return DecodedValue("NULL", None, raw)
    data = read_exact(memory, raw, 32)
    if data is None:
        return unreadable(raw)
    times = struct.unpack("<qqqq", data)
    pairs = [times[:2], times[2:]]
    value = [{"tv_sec": sec, "tv_nsec": nsec} for sec, nsec in pairs]
    return DecodedValue("[" + ", ".join(_utime(*pair) for pair in pairs) + "]", value, raw)


def _utimens_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return timespec_pair(raw[at], memory)


DECODERS: dict[str, Decoder] = {
    # nanosleep's request is an input, clock_gettime's an output (by its name)
    "timespec": by_pointer(decode_timespec, output=True),
    "utimens": Decoder(entry=_utimens_entry),
}
