"""More of what ioctl requests' arguments point to: the RTC's and userfaultfd's
structs (linux/rtc.h, linux/userfaultfd.h), in strace 6.1's words: pure.

strace abbreviates struct rtc_time to its first six fields and ``...`` unless -v;
a layout named ``NAME -v`` is the one -v selects.  userfaultfd's addresses and
lengths are printed in hex; the fields the kernel fills on success are not read.
"""

from __future__ import annotations

import struct

from traced.decoders._ioctls import (
    RTC_VL_FLAGS,
    UFFDIO_COPY_MODES,
    UFFDIO_IOCTL_BITS,
    UFFDIO_REGISTER_MODES,
    UFFDIO_ZEROPAGE_MODES,
)
from traced.decoders.families.ioctl_values import Layout
from traced.decoders.values import chex
from traced.decoders.xlat import Table, format_flags

# The ioctls a registered range supports, as bits by their numbers: 1<<_UFFDIO_WAKE.
_UFFDIO_IOCTLS: Table = tuple((f"1<<{name}", 1 << number) for name, number in UFFDIO_IOCTL_BITS)
_TM = ("tm_sec", "tm_min", "tm_hour", "tm_mday", "tm_mon", "tm_year", "tm_wday", "tm_yday")
_TM_FIELDS = (*_TM, "tm_isdst")
_PLL = ("pll_ctrl", "pll_value", "pll_max", "pll_min", "pll_posmult", "pll_negmult")


def rtc_time(data: bytes, verbose: bool) -> str:
    """struct rtc_time: nine ints."""
    values = struct.unpack_from("<9i", data)
    shown = len(values) if verbose else 6
    fields = [f"{name}={value}" for name, value in zip(_TM_FIELDS[:shown], values, strict=False)]
    return "{" + ", ".join(fields + ([] if verbose else ["..."])) + "}"


def _wkalrm(data: bytes, verbose: bool) -> str:
    return f"{{enabled={data[0]}, pending={data[1]}, time={rtc_time(data[4:], verbose)}}}"


def _pll(data: bytes) -> str:
    values = struct.unpack_from("<6i", data)
    fields = ", ".join(f"{name}={value}" for name, value in zip(_PLL, values, strict=True))
    return f"{{{fields}, pll_clock={struct.unpack_from('<q', data, 24)[0]}}}"


def _range(data: bytes, at: int = 0) -> str:
    start, length = struct.unpack_from("<2Q", data, at)
    return f"{{start={chex(start)}, len={chex(length)}}}"


def _mode(data: bytes, at: int, table: Table) -> str:
    return format_flags(struct.unpack_from("<Q", data, at)[0], table).text


def _uffdio_copy(data: bytes) -> str:
    dst, src, length = struct.unpack_from("<3Q", data)
    mode = _mode(data, 24, UFFDIO_COPY_MODES)
    return f"{{dst={chex(dst)}, src={chex(src)}, len={chex(length)}, mode={mode}}}"


def _after(data: bytes, at: int) -> int:
    number: int = struct.unpack_from("<Q", data, at)[0]
    return number


LAYOUTS: dict[str, Layout] = {
    "rtc_time": Layout(36, lambda data: rtc_time(data, verbose=False)),
    "rtc_time -v": Layout(36, lambda data: rtc_time(data, verbose=True)),
    "rtc_wkalrm": Layout(40, lambda data: _wkalrm(data, verbose=False)),
    "rtc_wkalrm -v": Layout(40, lambda data: _wkalrm(data, verbose=True)),
    "rtc_pll_info": Layout(32, _pll),
    "rtc vl": Layout(
        4,
        lambda data: (
            f"[{format_flags(int.from_bytes(data, 'little'), RTC_VL_FLAGS, 'RTC_VL_???').text}]"
        ),
    ),
    "uffdio_range": Layout(16, _range),
    "uffdio_register in": Layout(
        24, lambda data: f"{{range={_range(data)}, mode={_mode(data, 16, UFFDIO_REGISTER_MODES)}}}"
    ),
    "uffdio_copy in": Layout(32, _uffdio_copy),
    "uffdio_zeropage in": Layout(
        24, lambda data: f"{{range={_range(data)}, mode={_mode(data, 16, UFFDIO_ZEROPAGE_MODES)}}}"
    ),
}
LAYOUTS["uffdio_copy"] = Layout(
    40, lambda data: f"{_uffdio_copy(data)[:-1]}, copy={chex(_after(data, 32))}}}"
)
LAYOUTS["uffdio_zeropage"] = Layout(
    32,
    lambda data: (
        f"{LAYOUTS['uffdio_zeropage in'].text(data)[:-1]}, zeropage={chex(_after(data, 24))}}}"
    ),
)
LAYOUTS["uffdio_register"] = Layout(
    32,
    lambda data: (
        f"{LAYOUTS['uffdio_register in'].text(data)[:-1]}, "
        f"ioctls={format_flags(_after(data, 24), _UFFDIO_IOCTLS).text}}}"
    ),
)
