"""getdents' and getdents64's directory entries with -v, as strace 6.1 prints them
(its xgetdents.c, dirent.c and dirent64.c); without -v they are counted instead
(files.dirent_count).

Entries follow one another at d_reclen.  struct linux_dirent is d_ino, d_off (8
bytes each), d_reclen (2), the name, and the type in the entry's last byte;
linux_dirent64 puts the type before the name.  An entry cut short by the buffer's
end shows its bytes in hex, one that cannot be read ends the array with its address.
"""

from __future__ import annotations

import struct

from traced.decoders import _constants as K
from traced.decoders.strings import quote
from traced.decoders.values import DecodedValue, Memory, read_exact, unreadable
from traced.decoders.xlat import format_enum

_HEAD = struct.Struct("<QQH")  # d_ino, d_off, d_reclen
_NAME_MAX = 256  # strace's D_NAME_LEN_MAX


def _name(data: bytes, length: int) -> str:
    """The name, up to its NUL, at most ``length`` - 1 bytes, ``...`` after it when no
    NUL ends it there (strace's printpathn)."""
    most = max(0, min(length, _NAME_MAX) - 1)
    window = data[: most + 1]
    if b"\0" in window:
        return quote(window.split(b"\0", 1)[0][:most])
    return quote(window[:most], True)


def _entry(data: bytes, *, wide: bool) -> str:
    """One entry's text, from its d_reclen bytes."""
    ino, off, reclen = _HEAD.unpack_from(data)
    head = f"{{d_ino={ino}, d_off={off}, d_reclen={reclen}"
    if wide:  # linux_dirent64: the type, then the name
        kind = format_enum(data[18], K.DT, "DT_???").text
        name_len = reclen - 19
        name = f", d_name={_name(data[19:], name_len)}" if name_len else ""
        return f"{head}, d_type={kind}{name}}}"
    rest = reclen - 18
    if not rest:
        return head + "}"
    name = f", d_name={_name(data[18:], rest - 1)}" if rest - 1 else ""
    kind = format_enum(data[reclen - 1], K.DT, "DT_???").text
    return f"{head}{name}, d_type={kind}}}"


def dirents(raw: int, memory: Memory, size: int, *, wide: bool) -> DecodedValue:
    """``[{d_ino=2, d_off=1, d_reclen=24, d_name=".", d_type=DT_DIR}, ...]``."""
    header = 19 if wide else 18
    data = read_exact(memory, raw, size) if size > 0 else b""
    if data is None:
        return unreadable(raw)
    items: list[str] = []
    at = 0
    while size - at >= header:
        reclen = _HEAD.unpack_from(data, at)[2]
        reclen = min(max(reclen, header), size - at)
        items.append(_entry(data[at : at + reclen], wide=wide))
        at += reclen
    if size - at > 0:
        items.append('"' + "".join(f"\\x{byte:02x}" for byte in data[at:]) + '"')
    return DecodedValue("[" + ", ".join(items) + "]", len(items), raw)
