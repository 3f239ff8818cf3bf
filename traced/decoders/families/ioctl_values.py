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

from traced.decoders._ioctls import (
    FS_FLAGS,
    TIOCM_BITS,
    V4L2_BUF_TYPES,
    V4L2_FMT_FLAGS,
    V4L2_INPUT_TYPES,
    V4L2_PIX_FMTS,
)
from traced.decoders.strings import quote
from traced.decoders.xlat import Table, format_enum, format_flags, lookup


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


LAYOUTS: dict[str, Layout] = {
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
