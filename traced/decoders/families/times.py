"""Time: struct timespec, utimensat's pair of them, the UTC comment strace adds, the
clocks (``CLOCK_MONOTONIC``) and timer flags (``TIMER_ABSTIME``) they are read on, and
adjtimex's struct timex.

struct timex (x86_64, 208 bytes): an unsigned int modes, then longs but for the ints
status, shift and tai (each padded to 8 bytes but tai), a struct timeval at 72, and
eleven ints of padding.  adjtimex and clock_adjtime read it and write it back whole;
strace prints it at exit only, and the clock's state they return by name after it.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import UTC, datetime

from traced.decoders import _constants as K
from traced.decoders.kinds import Decoder, at_exit, by_pointer, by_register
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    DecodedValue,
    Memory,
    Options,
    as_signed,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import Table, format_enum, format_flags, lookup, styled

UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2

CLOCKS: Table = K.CLOCKS  # linux/time.h's clock ids
TIMER_FLAGS: Table = (("TIMER_ABSTIME", 1),)


def clock_id(raw: int) -> DecodedValue:
    """An ``int`` clockid_t: a fixed clock's name; a process's or thread's CPU clock
    (negative, made by clock_getcpuclockid) as its number, as strace shows it."""
    value = as_signed(raw, 32)
    if value < 0:
        return DecodedValue(str(value), value, raw)
    return format_enum(value, CLOCKS, "CLOCK_???")


def timer_flags(raw: int) -> DecodedValue:
    return format_flags(raw & 0xFFFFFFFF, TIMER_FLAGS)


def time_comment(seconds: int, nanoseconds: int) -> str:
    """`` /* 2023-11-14T22:13:20.5+0000 */``: a timestamp in UTC, as strace comments it;
    none for the epoch itself (0 s 0 ns) nor for nanoseconds out of range, as its
    sprinttime_ex returns none for them."""
    if (seconds == 0 and nanoseconds == 0) or not 0 <= nanoseconds < 1_000_000_000:
        return ""
    try:
        stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return ""
    fraction = f".{nanoseconds:09d}" if nanoseconds else ""
    return f" /* {stamp}{fraction}+0000 */"


def decode_timespec(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """``{tv_sec=1, tv_nsec=500000000}``: tv_nsec unsigned, as strace prints it (%llu)."""
    data = None if raw == 0 else read_exact(memory, raw, 16)
    if data is None:
        return unreadable(raw)
    sec, nsec = struct.unpack("<qQ", data)  # strace prints tv_nsec unsigned
    return DecodedValue(f"{{tv_sec={sec}, tv_nsec={nsec}}}", {"tv_sec": sec, "tv_nsec": nsec}, raw)


def _utime(sec: int, nsec: int) -> str:
    """``UTIME_NOW``; -X raw: the struct, -X verbose: the struct and the name."""
    if nsec in (UTIME_NOW, UTIME_OMIT):
        name = "UTIME_NOW" if nsec == UTIME_NOW else "UTIME_OMIT"
        return styled(name, f"{{tv_sec={sec}, tv_nsec={nsec}}}")
    return f"{{tv_sec={sec}, tv_nsec={nsec}}}{time_comment(sec, nsec)}"


def timespec_pair(raw: int, memory: Memory) -> DecodedValue:
    """``[UTIME_OMIT, {tv_sec=1700000000, tv_nsec=0} /* 2023-11-14T22:13:20+0000 */]``."""
    if raw == 0:
        return DecodedValue("NULL", None, raw)
    data = read_exact(memory, raw, 32)
    if data is None:
        return unreadable(raw)
    times = struct.unpack("<qQqQ", data)
    pairs = [times[:2], times[2:]]
    value = [{"tv_sec": sec, "tv_nsec": nsec} for sec, nsec in pairs]
    return DecodedValue("[" + ", ".join(_utime(*pair) for pair in pairs) + "]", value, raw)


def _utimens_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return timespec_pair(raw[at], memory)


_TIMEX = struct.Struct("<I4x4qi4x3qqQ3qi4x5qi")
_TIMEX_SIZE = 208
_TIMEX_FIELDS = (
    "modes", "offset", "freq", "maxerror", "esterror", "status", "constant", "precision",
    "tolerance", "tv_sec", "tv_usec", "tick", "ppsfreq", "jitter", "shift", "stabil",
    "jitcnt", "calcnt", "errcnt", "stbcnt", "tai",
)  # fmt: skip


def decode_timex(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """``{modes=0, offset=0, ..., status=STA_UNSYNC, ..., time={tv_sec=1, tv_usec=2},
    tick=10000, ..., tai=0}``: every field, the modes and status by name."""
    data = None if raw == 0 else read_exact(memory, raw, _TIMEX_SIZE)
    if data is None:
        return unreadable(raw)
    fields = dict(zip(_TIMEX_FIELDS, _TIMEX.unpack_from(data), strict=True))
    parts = []
    for name, value in fields.items():
        if name == "modes":
            parts.append(f"modes={format_flags(value, K.ADJTIMEX_MODES, 'ADJ_???').text}")
        elif name == "status":
            parts.append(f"status={format_flags(value, K.ADJTIMEX_STATUS, 'STA_???').text}")
        elif name == "tv_sec":
            parts.append(f"time={{tv_sec={value}, tv_usec={fields['tv_usec']}}}")
        elif name != "tv_usec":
            parts.append(f"{name}={value}")
    return DecodedValue("{" + ", ".join(parts) + "}", dict(fields), raw)


def timex_readable(raw: int, memory: Memory) -> bool:
    """Whether strace could print the struct timex at ``raw``: it names the clock's
    state adjtimex returns only then."""
    return read_exact(memory, raw, _TIMEX_SIZE) is not None


def clock_state(retval: int) -> str:
    """adjtimex's result: ``5 (TIME_ERROR)``, the number alone for a state unnamed."""
    name = lookup(retval, K.ADJTIMEX_STATE)
    return str(retval) if name is None else f"{retval} ({name})"


DECODERS: dict[str, Decoder] = {
    # nanosleep's request is an input, clock_gettime's an output (by its name)
    "timespec": by_pointer(decode_timespec, output=True),
    "utimens": Decoder(entry=_utimens_entry),
    "enum:clock": by_register(clock_id),
    "flags:timer": by_register(timer_flags),
    "struct:timex": at_exit(decode_timex),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {"enum:clock": CLOCKS, "flags:timer": TIMER_FLAGS}
