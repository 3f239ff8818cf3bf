"""Interval timers and time zones as strace 6.1 prints them: struct itimerval
(getitimer, setitimer), struct itimerspec (timer_settime, timerfd_settime and their
*gettime), struct timezone (gettimeofday, settimeofday).

Each is an input where the call sets it and an output where the call reports the
previous or current value: the output is read at exit, after a success, and is its
address otherwise.  Seconds are signed, micro- and nanoseconds unsigned, as strace
prints them (%lld, %llu).
"""

from __future__ import annotations

import struct

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


DECODERS: dict[str, Decoder] = {
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
}
OUTPUTS = frozenset(_OUTPUTS)
