"""Strings and buffers as strace quotes them, honouring -s.

Verified against strace 6.1 (write(2) of crafted bytes): printable ASCII as is;
``\\"`` ``\\\\`` ``\\n`` ``\\t`` ``\\r`` ``\\v`` ``\\f``; every other byte in octal, the
shortest form unless the next byte is an octal digit ('0'-'7'), when it takes three
digits (``\\0012``, but ``\\08``); BEL and BS are plain octal (``\\7`` ``\\10``).
"""

from __future__ import annotations

from collections.abc import Sequence

from traced.decoders.values import (
    DEFAULT_OPTIONS,
    Decoded,
    Memory,
    Options,
    read_exact,
    unreadable,
)

PATH_MAX = 4096
_ESCAPES = {
    ord('"'): '\\"',
    ord("\\"): "\\\\",
    ord("\n"): "\\n",
    ord("\t"): "\\t",
    ord("\r"): "\\r",
    ord("\v"): "\\v",
    ord("\f"): "\\f",
}
_OCTAL_DIGITS = frozenset(b"01234567")


def _octal(byte: int, following: int | None) -> str:
    if following is not None and following in _OCTAL_DIGITS:
        return f"\\{byte:03o}"
    return f"\\{byte:o}"


def escape(data: bytes) -> str:
    """``data`` with strace's escapes, without the surrounding quotes."""
    parts: list[str] = []
    for index, byte in enumerate(data):
        if byte in _ESCAPES:
            parts.append(_ESCAPES[byte])
        elif 0x20 <= byte < 0x7F:
            parts.append(chr(byte))
        else:
            following = data[index + 1] if index + 1 < len(data) else None
            parts.append(_octal(byte, following))
    return "".join(parts)


def quote(data: bytes, truncated: bool = False) -> str:
    """``"..."`` as strace prints a string, with ``...`` after it when cut short."""
    return f'"{escape(data)}"' + ("..." if truncated else "")


def _as_text(data: bytes) -> str:
    return data.decode("utf-8", "backslashreplace")


def _cstring(memory: Memory, address: int, limit: int) -> bytes | None:
    if address == 0:
        return None
    try:
        data = memory.cstring(address, limit)
    except Exception:
        return None
    return bytes(data) if isinstance(data, bytes | bytearray) else None


def decode_cstring(
    raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS, limit: int | None = None
) -> Decoded:
    """A NUL-terminated string, cut after ``limit`` bytes (default: -s) with ``...``."""
    try:
        limit = max(0, options.string_limit if limit is None else limit)
        data = _cstring(memory, raw, limit + 1)
        if data is None:
            return unreadable(raw)
        data = data.split(b"\0", 1)[0]
        truncated = len(data) > limit
        data = data[:limit]
        return Decoded(quote(data, truncated), _as_text(data), raw)
    except Exception:
        return unreadable(raw)


def decode_path(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> Decoded:
    """A pathname: a string that -s does not shorten."""
    return decode_cstring(raw, memory, options, PATH_MAX - 1)


def decode_buffer(
    raw: int, memory: Memory, size: int, options: Options = DEFAULT_OPTIONS
) -> Decoded:
    """``size`` bytes at ``raw`` (write's buffer, read's once filled), cut at -s."""
    try:
        size = max(0, size)
        shown = min(size, max(0, options.string_limit))
        if size == 0 and raw != 0:
            return Decoded('""', "", raw)
        data = read_exact(memory, raw, shown)
        if data is None:
            return unreadable(raw)
        return Decoded(quote(data, size > shown), _as_text(data), raw)
    except Exception:
        return unreadable(raw)


def format_string_list(items: Sequence[str], truncated: bool) -> str:
    """``["a", "b"]`` as strace prints an argv, with ``, ...`` when cut short."""
    shown = list(items) + (["..."] if truncated else [])
    return "[" + ", ".join(shown) + "]"
