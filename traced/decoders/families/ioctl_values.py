"""What some ioctl requests' arguments point to, in strace 6.1's words: pure.

A layout is the value's size and its printer, from the bytes read at the argument's
address.  Integers are little-endian (x86-64, aarch64).  The structs here are the
kernel's uapi ones (linux/fs.h's fstrim_range, asm-generic/termios.h's winsize,
linux/videodev2.h's v4l2_input and v4l2_fmtdesc); strace prints a struct the
request reads at entry and, for one the kernel fills, all of it at exit.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import NamedTuple

from traced.decoders import _constants as K
from traced.decoders._ioctls import (
    COUNTER_COMPONENTS,
    COUNTER_EVENTS,
    COUNTER_SCOPES,
    FS_FLAGS,
    FS_XFLAGS,
    KB_METAS,
    KB_MODES,
    KB_TYPES,
    KD_LEDS,
    KD_MODES,
    LIRC_FEATURES,
    LIRC_MODES,
    NBD_FLAGS,
    PERF_IOC_FLAGS,
    SECCOMP_ADDFD_FLAGS,
    SECCOMP_NOTIF_FLAGS,
    TIOCM_BITS,
    V4L2_BUF_TYPES,
    V4L2_FMT_FLAGS,
    V4L2_INPUT_TYPES,
    V4L2_PIX_FMTS,
)
from traced.decoders.families.files import OPEN
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.strings import quote
from traced.decoders.style import RAW, current
from traced.decoders.values import as_signed, chex
from traced.decoders.xlat import (
    Table,
    flag_names,
    format_enum,
    format_flags,
    joined,
    lookup,
    named,
    styled,
    with_rest,
)
from traced.syscalls.names import ERRNO_NAMES


class Layout(NamedTuple):
    size: int
    text: Callable[[bytes], str]


def _numbers(form: str, words: str) -> Layout:
    """Fixed fields, each printed as a number: ``words`` is a str.format pattern."""
    return Layout(struct.calcsize(form), lambda data: words.format(*struct.unpack(form, data)))


def _flags(table: Table, unknown: str) -> Layout:
    """``[FLAG|FLAG|0x..]``: an int of flags, as strace's printflags."""
    return Layout(4, lambda data: f"[{format_flags(_u32(data), table, unknown).text}]")


def _u32(data: bytes, at: int = 0) -> int:
    number: int = struct.unpack_from("<I", data, at)[0]
    return number


def c_array(data: bytes) -> str:
    """A char array as strace prints it (print_quoted_cstring): up to its NUL, else
    all but the last byte and ``...``."""
    end = data.find(b"\0")
    if end < 0:
        return quote(data[:-1], truncated=True)
    return quote(data[:end])


def _v4l2_input(data: bytes) -> str:
    kind = format_enum(_u32(data, 36), V4L2_INPUT_TYPES, "V4L2_INPUT_TYPE_???").text
    return f"{{index={_u32(data)}, name={c_array(data[4:36])}, type={kind}}}"


def _v4l2_buf_type(number: int) -> str:
    return format_enum(number, V4L2_BUF_TYPES, "V4L2_BUF_TYPE_???").text


def _fourcc_char(code: int) -> str:
    if chr(code) in "'\\":
        return f"'\\{chr(code)}'"
    return f"'{chr(code)}'" if 0x20 <= code < 0x7F else f"'\\x{code:02x}'"


def fourcc(number: int) -> str:
    """``v4l2_fourcc('J', 'P', 'G', 'L') /* V4L2_PIX_FMT_JPGL */``."""
    chars = ", ".join(_fourcc_char(number >> shift & 0xFF) for shift in (0, 8, 16, 24))
    name = lookup(number, V4L2_PIX_FMTS)
    return f"v4l2_fourcc({chars})" + (f" /* {name} */" if name else "")


def _v4l2_fmtdesc(data: bytes) -> str:
    index, kind, flags = struct.unpack_from("<3I", data)
    flag_text = format_flags(flags, V4L2_FMT_FLAGS, "V4L2_FMT_FLAG_???").text
    return (
        f"{{index={index}, type={_v4l2_buf_type(kind)}, flags={flag_text}, "
        f"description={c_array(data[12:44])}, pixelformat={fourcc(_u32(data, 44))}}}"
    )


# The PC speaker's clock (linux/kd.h: "clock tick rate"), by which KIOCSOUND's and
# KDMKTONE's periods are frequencies.
_TICK_RATE = 1193182


def kiocsound(raw: int) -> str:
    """``440 /* 2711 Hz */``: the period, and the tone it makes (or ``off``)."""
    hertz = _TICK_RATE // raw if raw else 0
    if current().xlat == RAW:
        return str(raw)
    return f"{raw} /* {f'{hertz} Hz' if hertz else 'off'} */"


def kdmktone(raw: int) -> str:
    """``1<<16|440 /* 2711 Hz, 1 ms */``: duration in ms above, period below."""
    duration, period = raw >> 16 & 0xFFFF, raw & 0xFFFF
    words = f"{duration}<<16|{period}" if duration else str(period)
    hertz = _TICK_RATE // period if period and duration else 0
    if current().xlat == RAW:
        return words
    return f"{words} /* {f'{hertz} Hz, {duration} ms' if hertz else 'off'} */"


def leds(raw: int, shifted: bool = False) -> str:
    """The keyboard LEDs, and with ``shifted`` KDSKBLED's defaults in the high nibble."""
    raw &= 0xFF
    if shifted:
        names, rest = flag_names(raw & 0x7, KD_LEDS)
        high, _ = flag_names(raw >> 4 & 0x7, KD_LEDS)
        names += [f"{name}<<4" for name in high]
        rest |= raw & 0x88
    else:
        names, rest = flag_names(raw, KD_LEDS)
    if not names:
        return format_flags(raw, KD_LEDS, "LED_???").text
    return joined(with_rest(names, rest), raw).text


def kb_mode(raw: int) -> str:
    """K_XLATE, or the int in decimal with a comment."""
    return named(as_signed(raw, 32), lookup(raw & 0xFFFFFFFF, KB_MODES), "K_???", decimal=True)


# Requests whose argument is a number strace names, by request name.
REGISTERS: dict[str, Callable[[int], str]] = {
    "KIOCSOUND": kiocsound,
    "KDMKTONE": lambda raw: kdmktone(raw & 0xFFFFFFFF),
    "KDSETLED": leds,
    "KDSKBLED": lambda raw: leds(raw, shifted=True),
    "KDSETMODE": lambda raw: format_enum(raw & 0xFFFFFFFF, KD_MODES, "KD_???").text,
    "KDSKBMODE": kb_mode,
    "KDSKBMETA": lambda raw: format_enum(raw & 0xFFFFFFFF, KB_METAS, "K_???").text,
    "NBD_SET_FLAGS": lambda raw: format_flags(raw, NBD_FLAGS, "NBD_FLAG_???").text,
    **dict.fromkeys(
        ("PERF_EVENT_IOC_ENABLE", "PERF_EVENT_IOC_DISABLE", "PERF_EVENT_IOC_RESET"),
        lambda raw: format_flags(raw, PERF_IOC_FLAGS, "PERF_IOC_FLAG_???").text,
    ),
}


def _fsxattr(data: bytes, filled: bool) -> str:
    """struct fsxattr; fsx_nextents only as the kernel reports it."""
    flags, extsize, nextents, projid, cowextsize = struct.unpack_from("<5I", data)
    xflags = format_flags(flags, FS_XFLAGS, "FS_XFLAG_???").text
    count = f", fsx_nextents={nextents}" if filled else ""
    return (
        f"{{fsx_xflags={xflags}, fsx_extsize={extsize}{count}, fsx_projid={projid:#x}, "
        f"fsx_cowextsize={cowextsize}}}"
    )


def _counter_watch(data: bytes) -> str:
    kind, scope, parent, number, event, channel = data[:6]
    kind_text = format_enum(kind, COUNTER_COMPONENTS, "COUNTER_COMPONENT_???").text
    scope_text = format_enum(scope, COUNTER_SCOPES, "COUNTER_SCOPE_???").text
    event_text = format_enum(event, COUNTER_EVENTS, "COUNTER_EVENT_???").text
    return (
        f"{{component={{type={kind_text}, scope={scope_text}, parent={parent}, id={number}}}, "
        f"event={event_text}, channel={channel}}}"
    )


def _ifreq(field: str, kind: str) -> Layout:
    """struct ifreq: the interface's name, then the one union member the request uses."""

    def text(data: bytes) -> str:
        if kind == "name":
            value = c_array(data[16:32])
        elif kind == "flags":
            value = format_flags(_u32(data, 16) & 0xFFFF, K.IFF_FLAGS).text
        else:
            value = str(as_signed(_u32(data, 16), 32))
        return f"{{ifr_name={c_array(data[:16])}, {field}={value}}}"

    return Layout(40, text)


def _notif_resp(data: bytes) -> str:
    """struct seccomp_notif_resp: a negative error by its errno's name."""
    notif, value, error, flags = struct.unpack_from("<QqiI", data)
    name = ERRNO_NAMES.get(-error) if error < 0 else None
    flag_text = format_flags(flags, SECCOMP_NOTIF_FLAGS, "SECCOMP_USER_NOTIF_FLAG_???").text
    error_text = styled(f"-{name}", str(error)) if name else str(error)
    return f"{{id={chex(notif)}, val={value}, error={error_text}, flags={flag_text}}}"


def _notif_addfd(data: bytes) -> str:
    """struct seccomp_notif_addfd."""
    notif, flags, source, new, new_flags = struct.unpack_from("<QIiiI", data)
    flag_text = format_flags(flags, SECCOMP_ADDFD_FLAGS, "SECCOMP_ADDFD_FLAG_???").text
    return (
        f"{{id={chex(notif)}, flags={flag_text}, srcfd={fd_in_memory(source)}, newfd={new}, "
        f"newfd_flags={format_flags(new_flags, OPEN).text}}}"
    )


def _bracketed(size: int, text: Callable[[int], str]) -> Layout:
    return Layout(size, lambda data: f"[{text(int.from_bytes(data, 'little'))}]")


def _ifname(data: bytes) -> str:
    """IFNAMSIZ (16) bytes read: up to the NUL, or all of them and ``...``."""
    end = data.find(b"\0")
    return quote(data, truncated=True) if end < 0 else quote(data[:end])


LAYOUTS: dict[str, Layout] = {
    "kbkeycode": Layout(
        8, lambda data: f"{{scancode={chex(_u32(data))}, keycode={chex(_u32(data, 4))}}}"
    ),
    "keycode": Layout(8, lambda data: chex(_u32(data, 4))),
    "kbd_repeat": _numbers("<2i", "{{delay={}, period={}}}"),
    "ifname": Layout(16, _ifname),
    "hex64": _bracketed(8, chex),
    "seccomp_notif_resp": Layout(24, _notif_resp),
    "seccomp_notif_addfd": Layout(24, _notif_addfd),
    "ifreq flags": _ifreq("ifr_flags", "flags"),
    "ifreq mtu": _ifreq("ifr_mtu", "int"),
    "ifreq metric": _ifreq("ifr_metric", "int"),
    "ifreq qlen": _ifreq("ifr_qlen", "int"),
    "ifreq newname": _ifreq("ifr_newname", "name"),
    "ifreq slave": _ifreq("ifr_slave", "name"),
    "fsxattr in": Layout(28, lambda data: _fsxattr(data, filled=False)),
    "fsxattr": Layout(28, lambda data: _fsxattr(data, filled=True)),
    "counter_watch": Layout(6, _counter_watch),
    "lirc mode": _bracketed(4, lambda raw: format_enum(raw, LIRC_MODES, "LIRC_MODE_???").text),
    "lirc features": _bracketed(4, lambda raw: format_flags(raw, LIRC_FEATURES).text),
    "hex": _bracketed(4, lambda raw: f"{raw:#x}" if raw else "0"),
    "led byte": _bracketed(1, leds),
    "kbled byte": _bracketed(1, lambda raw: leds(raw, shifted=True)),
    "kd mode": _bracketed(4, REGISTERS["KDSETMODE"]),
    "kb mode": _bracketed(4, kb_mode),
    "kb meta": _bracketed(4, REGISTERS["KDSKBMETA"]),
    "kb type": _bracketed(1, lambda raw: format_enum(raw, KB_TYPES, "KB_???").text),
    "int": _numbers("<i", "[{}]"),
    "uint": _numbers("<I", "[{}]"),
    "long": _numbers("<q", "[{}]"),
    "ulong": _numbers("<Q", "[{}]"),
    "uint pair": _numbers("<2I", "[{}, {}]"),
    "u64 pair": _numbers("<2Q", "[{}, {}]"),
    "winsize": _numbers("<4H", "{{ws_row={}, ws_col={}, ws_xpixel={}, ws_ypixel={}}}"),
    "fstrim_range": _numbers("<3Q", "{{start={:#x}, len={}, minlen={}}}"),
    "fs flags": _flags(FS_FLAGS, "FS_???_FL"),
    "tiocm": _flags(TIOCM_BITS, "TIOCM_???"),
    # struct v4l2_input: index, name[32], type, ...; the caller sets the index.
    "v4l2_input index": _numbers("<I", "{{index={}}}"),
    "v4l2_input": Layout(40, _v4l2_input),
    # struct v4l2_standard and v4l2_fmtdesc: the caller sets the index (and type).
    "v4l2 index": _numbers("<I", "{{index={}}}"),
    "v4l2_fmtdesc in": Layout(
        8, lambda data: f"{{index={_u32(data)}, type={_v4l2_buf_type(_u32(data, 4))}}}"
    ),
    "v4l2_fmtdesc": Layout(48, _v4l2_fmtdesc),
    "v4l2 type": Layout(4, lambda data: f"{{type={_v4l2_buf_type(_u32(data))}}}"),
}
