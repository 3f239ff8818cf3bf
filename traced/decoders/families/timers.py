"""Interval timers, time zones and file times as strace 6.1 prints them: struct
itimerval (getitimer, setitimer), struct itimerspec (timer_settime, timerfd_settime
and their *gettime), struct timezone (gettimeofday, settimeofday), utimes' pair of
timevals and utime's struct utimbuf, each valid time with its date in a comment.

Each is an input where the call sets it and an output where the call reports the
previous or current value: the output is read at exit, after a success, and is its
address otherwise.  Seconds are signed, micro- and nanoseconds unsigned, as strace
prints them (%lld, %llu).
"""

from __future__ import annotations

import struct

from traced.decoders.families.times import time_comment
from traced.decoders.kinds import Alone, Decoder, at_exit, by_pointer
from traced.decoders.values import DecodedValue, Memory, Options, read_exact, unreadable

_PAIRS = struct.Struct("<qQqQ")  # interval, then value: seconds and a fraction each


def _interval(fraction: str) -> Alone:
    def decode(raw: int, memory: Memory, options: Options) -> DecodedValue:
        """``{it_interval={tv_sec=1, tv_usec=0}, it_value={tv_sec=0, tv_usec=5}}``."""
        data = read_exact(memory, raw, _PAIRS.size)
        if data is None:
            return unreadable(raw)
        isec, ifrac, vsec, vfrac = _PAIRS.unpack(data)
        text = (
            f"{{it_interval={{tv_sec={isec}, tv_{fraction}={ifrac}}}, "
            f"it_value={{tv_sec={vsec}, tv_{fraction}={vfrac}}}}}"
        )
        value = {"it_interval": [isec, ifrac], "it_value": [vsec, vfrac]}
        return DecodedValue(text, value, raw)

    return decode


itimerval = _interval("usec")
itimerspec = _interval("nsec")


def timezone(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """``{tz_minuteswest=0, tz_dsttime=0}``."""
    data = read_exact(memory, raw, 8)
    if data is None:
        return unreadable(raw)
    west, dst = struct.unpack("<ii", data)
    return DecodedValue(f"{{tz_minuteswest={west}, tz_dsttime={dst}}}", [west, dst], raw)


def _usec_comment(seconds: int, microseconds: int) -> str:
    """`` /* 2017-04-16T16:03:27.345678+0000 */`` for a valid timeval, else nothing."""
    if not 0 <= microseconds < 1_000_000 or (seconds == 0 and microseconds == 0):
        return ""
    comment = time_comment(seconds, 0)
    if not comment or not microseconds:
        return comment
    return comment.replace("+0000", f".{microseconds:06d}+0000")


def timeval_pair(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """utimes' ``[{tv_sec=1, tv_usec=2} /* date */, {...}]``."""
    data = read_exact(memory, raw, 32)
    if data is None:
        return unreadable(raw)
    times = struct.unpack("<qQqQ", data)
    texts = [
        f"{{tv_sec={sec}, tv_usec={usec}}}{_usec_comment(sec, usec)}"
        for sec, usec in (times[:2], times[2:])
    ]
    return DecodedValue("[" + ", ".join(texts) + "]", list(times), raw)


def utimbuf(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """utime's ``{actime=1492350678 /* date */, modtime=...}``."""
    data = read_exact(memory, raw, 16)
    if data is None:
        return unreadable(raw)
    access, modify = struct.unpack("<qq", data)
    text = (
        f"{{actime={access}{time_comment(access, 0)}, modtime={modify}{time_comment(modify, 0)}}}"
    )
    return DecodedValue(text, [access, modify], raw)


DECODERS: dict[str, Decoder] = {
    "struct:utimbuf": by_pointer(utimbuf),
    "struct:itimerval": by_pointer(itimerval),
    "struct:itimerspec": by_pointer(itimerspec),
    "struct:timezone": by_pointer(timezone),
}
# The outputs: what the kernel writes, read at exit.
_OUTPUTS = {
    ("getitimer", "curr_value"): itimerval,
    ("setitimer", "old_value"): itimerval,
    **{(name, "curr_value"): itimerspec for name in (
        "timer_gettime", "timer_gettime64", "timerfd_gettime", "timerfd_gettime64")},
    **{(name, "old_value"): itimerspec for name in (
        "timer_settime", "timer_settime64", "timerfd_settime", "timerfd_settime64")},
    ("gettimeofday", "tz"): timezone,
}  # fmt: skip
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    key: at_exit(decode) for key, decode in _OUTPUTS.items()
} | {
    ("utimes", "times"): by_pointer(timeval_pair),
    ("futimesat", "times"): by_pointer(timeval_pair),
}
OUTPUTS = frozenset(_OUTPUTS)
