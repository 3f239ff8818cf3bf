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
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.families.signals import signal
from traced.decoders.families.times import decode_timespec, time_comment
from traced.decoders.kinds import Alone, Decoder, at_exit, by_pointer
from traced.decoders.values import (
    DecodedValue,
    Memory,
    Options,
    hex_address,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import format_enum

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


_SIGEVENT = struct.Struct("<QiiQQ")  # value, signo, notify, then the union
_SIGEV = dict(K.SIGEV)
_SIGNALLED = frozenset((_SIGEV["SIGEV_SIGNAL"], _SIGEV["SIGEV_THREAD"], _SIGEV["SIGEV_THREAD_ID"]))


def sigevent(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """``{sigev_value={sival_int=1, sival_ptr=0x1}, sigev_signo=SIGALRM,
    sigev_notify=SIGEV_SIGNAL}``: the value only when set, the signal by name where
    one is sent, then what the notification needs (a thread id, a function)."""
    data = read_exact(memory, raw, _SIGEVENT.size)
    if data is None:
        return unreadable(raw)
    value, signo, notify, first, second = _SIGEVENT.unpack(data)
    parts = []
    if value:
        sival_int = struct.unpack_from("<i", data)[0]
        parts.append(f"sigev_value={{sival_int={sival_int}, sival_ptr={hex_address(value)}}}")
    signal_text = signal(signo).text if notify in _SIGNALLED else str(signo & 0xFFFFFFFF)
    parts.append(f"sigev_signo={signal_text}")
    parts.append(f"sigev_notify={format_enum(notify & 0xFFFFFFFF, K.SIGEV, 'SIGEV_???').text}")
    if notify == _SIGEV["SIGEV_THREAD_ID"]:
        parts.append(f"sigev_notify_thread_id={struct.unpack('<i', data[16:20])[0]}")
    elif notify == _SIGEV["SIGEV_THREAD"]:
        parts.append(f"sigev_notify_function={hex_address(first)}")
        parts.append(f"sigev_notify_attributes={hex_address(second)}")
    return DecodedValue("{" + ", ".join(parts) + "}", notify, raw)


DECODERS: dict[str, Decoder] = {
    "struct:sigevent": by_pointer(sigevent),
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


# An interrupted sleep: the time it had left, which the kernel writes only then, and
# only for a relative sleep (clock_nanosleep without TIMER_ABSTIME).
_SLEEPS = {"nanosleep": (1, None), "clock_nanosleep": (3, 1), "clock_nanosleep_time64": (3, 1)}


def interrupted_sleep_left(
    syscall: str, raw: Sequence[int], memory: Memory
) -> tuple[int, DecodedValue] | None:
    """The position and text of the time left of a sleep a signal interrupted, or None
    where the call wrote none (strace shows the address then)."""
    where = _SLEEPS.get(syscall)
    if where is None or len(raw) <= where[0]:
        return None
    at, flags = where
    if flags is not None and raw[flags] & 0xFFFFFFFF:
        return None
    return at, decode_timespec(raw[at], memory)
