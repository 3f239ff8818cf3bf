"""Strings and buffers as strace quotes them, honouring -s.

Verified against strace 6.1 (write(2) of crafted bytes): printable ASCII as is;
``\\"`` ``\\\\`` ``\\n`` ``\\t`` ``\\r`` ``\\v`` ``\\f``; every other byte in octal, the
shortest form unless the next byte is an octal digit ('0'-'7'), when it takes three
digits (``\\0012``, but ``\\08``); BEL and BS are plain octal (``\\7`` ``\\10``).
With -x, -xx or --strings-in-hex (style.py), strace's string_quote: see
:func:`_escape_styled`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from traced.decoders.style import ALL, NON_ASCII, NON_ASCII_CHARS, NONE, current
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    UNREADABLE,
    DecodedValue,
    Memory,
    Options,
    read_exact,
    strings_memory,
    unreadable,
)
from traced.events import text_value

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
# Bytes that print as themselves; anything else goes through the slow path.
_PLAIN = re.compile(rb"[\x20-\x21\x23-\x5b\x5d-\x7e]*")
_SPECIAL = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")  # over bytes decoded as latin-1
_SHORT = {
    code: _ESCAPES.get(code, f"\\{code:o}") for code in range(256) if not 0x20 <= code < 0x7F
} | {
    ord('"'): _ESCAPES[ord('"')],
    ord("\\"): _ESCAPES[ord("\\")],
    ord("<"): "\\74",
    ord(">"): "\\76",
}


def _escape_one(match: re.Match[str]) -> str:
    code = ord(match.group())
    short = _SHORT[code]
    # \1 followed by the digit 2 would read back as \12: pad to three digits then.
    if code < 0o100 and code not in _ESCAPES:
        following = match.string[match.end() : match.end() + 1]
        if following and following in "01234567":
            return f"\\{code:03o}"
    return short


def escape(data: bytes) -> str:
    """``data`` with strace's escapes, without the surrounding quotes."""
    strings = current().strings
    if strings != NONE:
        return _escape_styled(data, strings, _SPECIAL)
    if _PLAIN.fullmatch(data):
        return data.decode("ascii")  # the common case: printable, no quote or backslash
    return _SPECIAL.sub(_escape_one, data.decode("latin-1"))


# -x: a byte above 0x7e, or below a space but for \t \n \v \f \r, has the whole
# string printed in hex (strace's string_quote with HEXSTR_NON_ASCII).
_NOT_ASCII_TEXT = re.compile(rb"[^\t-\r\x20-\x7e]")


def _hex(data: bytes) -> str:
    return "".join(f"\\x{byte:02x}" for byte in data)


def _escape_styled(data: bytes, strings: str, special: re.Pattern[str]) -> str:
    """--strings-in-hex's three ways: every byte in hex (all), every byte of a string
    that holds one non-ASCII byte (non-ascii), or those bytes alone (non-ascii-chars:
    strace's escapes stay for \\n \\t \\" \\\\ and the like)."""
    if strings == ALL or (strings == NON_ASCII and _NOT_ASCII_TEXT.search(data)):
        return _hex(data)
    text = data.decode("latin-1")
    if strings == NON_ASCII_CHARS:
        return special.sub(_hex_one, text)
    return special.sub(_escape_one, text)


def _hex_one(match: re.Match[str]) -> str:
    code = ord(match.group())
    return _ESCAPES.get(code) or f"\\x{code:02x}"


def quote(data: bytes, truncated: bool = False) -> str:
    """``"..."`` as strace prints a string, with ``...`` after it when cut short."""
    return f'"{escape(data)}"' + ("..." if truncated else "")


# -y's ``3</path>``: as a string, but unquoted and with ``<`` and ``>`` in octal too
# (strace's print_quoted_string_ex with "<>" as its escape_chars).
_SPECIAL_IN_FD = re.compile(r"[^\x20-\x21\x23-\x3b\x3d\x3f-\x5b\x5d-\x7e]")


def fd_path_text(path: bytes) -> str:
    """What strace prints between the brackets of ``3<...>``: ``\\303\\251`` for é."""
    strings = current().strings
    if strings != NONE:
        return _escape_styled(path, strings, _SPECIAL_IN_FD)
    return _SPECIAL_IN_FD.sub(_escape_one, path.decode("latin-1"))


def _as_text(data: bytes) -> str | dict[str, str]:
    return text_value(data)


def _cstring(memory: Memory, address: int, limit: int) -> bytes | None:
    if address == 0:
        return None
    try:
        data = memory.cstring(address, limit)
    except UNREADABLE:
        return None
    return bytes(data) if isinstance(data, bytes | bytearray) else None


def decode_cstring(
    raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS, limit: int | None = None
) -> DecodedValue:
    """A NUL-terminated string, cut after ``limit`` bytes (default: -s) with ``...``."""
    limit = max(0, options.string_limit if limit is None else limit)
    data = _cstring(memory, raw, limit + 1)
    if data is None:
        return unreadable(raw)
    text, value = _quoted_string(data.split(b"\0", 1)[0], limit, current().strings)
    return DecodedValue(text, value, raw)


# Paths recur (a program opens and stats the same few hundred again and again):
# quoting each once saves the escape scan and the UTF-8 decode on every repeat.
@functools.lru_cache(maxsize=4096)
def _quoted_string(data: bytes, limit: int, strings: str) -> tuple[str, str | dict[str, str]]:
    """strace's text and the JSON value of a string cut at ``limit`` bytes, in the
    --strings-in-hex style ``strings`` (a key of the cache: escape() reads it)."""
    shown = data[:limit]
    return quote(shown, len(data) > limit), _as_text(shown)


def decode_path(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """A pathname: a string that -s does not shorten."""
    return decode_cstring(raw, memory, options, PATH_MAX - 1)


def decode_buffer(
    raw: int, memory: Memory, size: int, options: Options = DEFAULT_OPTIONS
) -> DecodedValue:
    """``size`` bytes at ``raw`` (write's buffer, read's once filled), cut at -s."""
    size = max(0, size)
    shown = min(size, max(0, options.string_limit))
    if size == 0 and raw != 0:
        return DecodedValue('""', "", raw)
    # strace (printstr_ex) fetches a byte past -s, and shows the address if it cannot
    fetched = read_exact(strings_memory(memory), raw, min(size, shown + 1))
    if fetched is None:
        return unreadable(raw)
    data = fetched[:shown]
    return DecodedValue(quote(data, size > shown), _as_text(data), raw)


def format_string_list(items: Sequence[str], truncated: bool) -> str:
    """``["a", "b"]`` as strace prints an argv, with ``, ...`` when cut short."""
    shown = list(items) + (["..."] if truncated else [])
    return "[" + ", ".join(shown) + "]"
