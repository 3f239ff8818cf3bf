"""The RTC's parameter requests (linux/rtc.h), in strace 6.1's words: pure.

Kernel facts: RTC_PARAM_GET and RTC_PARAM_SET take a struct rtc_param (24 bytes:
u64 param, a u64 union of uvalue, svalue and ptr, u32 index, u32 __pad).  The
value's meaning is the parameter's: RTC_PARAM_FEATURES a set of RTC_FEATURE_*
bits, RTC_PARAM_CORRECTION a signed correction, RTC_PARAM_BACKUP_SWITCH_MODE an
RTC_BSM_* mode.  RTC_PARAM_GET's value is the kernel's, written back; strace
prints `` => `` and it (the address after a failure), __pad only when set.
"""

from __future__ import annotations

from traced.decoders._ioctls import RTC_BSMS, RTC_FEATURE_BITS, RTC_PARAMS
from traced.decoders.families.ioctl_kit import Request, fields, fixed, ints
from traced.decoders.values import Options, as_signed, chex
from traced.decoders.xlat import Table, format_enum, format_flags

_FEATURES, _CORRECTION, _BACKUP_SWITCH_MODE = (dict(RTC_PARAMS)[name] for name in (
    "RTC_PARAM_FEATURES", "RTC_PARAM_CORRECTION", "RTC_PARAM_BACKUP_SWITCH_MODE"
))  # fmt: skip
_FEATURE_FLAGS: Table = tuple((f"1<<{name}", 1 << bit) for name, bit in RTC_FEATURE_BITS)


def _value(param: int, value: int) -> str:
    if param == _FEATURES:
        return f"uvalue={format_flags(value, _FEATURE_FLAGS, '1<<RTC_FEATURE_???').text}"
    if param == _CORRECTION:
        return f"svalue={as_signed(value, 64)}"
    if param == _BACKUP_SWITCH_MODE:
        return f"uvalue={format_enum(value, RTC_BSMS, 'RTC_BSM_???').text}"
    return f"uvalue={chex(value)}"


def _pad(pad: int) -> str | None:
    return f"__pad={chex(pad)}" if pad else None


def _param(with_value: bool) -> Request:
    """The struct at entry: the parameter, (for SET) its value, the index."""

    def text(data: bytes, options: Options) -> str:
        param, value, index, pad = ints("QQII", data)
        return fields(
            f"param={format_enum(param, RTC_PARAMS, 'RTC_PARAM_???').text}",
            _value(param, value) if with_value else None,
            f"index={index}",
            _pad(pad),
        )

    return Request(entry=fixed(24, text))


def _got(data: bytes, options: Options) -> str:
    param, value, _, pad = ints("QQII", data)
    return fields(_value(param, value), _pad(pad))


REQUESTS: dict[str, Request] = {
    "RTC_PARAM_GET": _param(False)._replace(exit=fixed(24, _got), failed=True),
    "RTC_PARAM_SET": _param(True),
}
