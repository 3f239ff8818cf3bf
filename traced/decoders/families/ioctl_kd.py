"""The console keyboard's requests (linux/kd.h, linux/keyboard.h), in strace 6.1's
words: pure.

Kernel facts: a keymap entry (struct kbentry: kb_table, kb_index as bytes, kb_value
as a u16) is KTYP << 8 | KVAL, a key type (KT_*) and a value; the function keys,
specials, pad, dead, cursor, shift, ASCII, lock, sticky-lock and Braille keys have
names (K_*).  kb_table is a table (K_NORMTAB ...) or a set of 1 << KG_* shift
bits.  A function key's string (struct kbsentry: kb_func, kb_string[512]) ends
at its NUL.  The accent tables (struct kbdiacrs: kb_cnt, then up to 256 of three
chars; kbdiacrsuc: the same as u32) follow their count.  KDADDIO and KDDELIO take
an I/O port, KDSIGACCEPT a signal.

strace reads a string's bytes a page at a time and reports where the NUL is from
the start of the page it found it in (its umovestr): a kb_string that crosses a
page is cut at that offset, which this module reproduces.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable

from traced.decoders._ioctls import (
    KD_IO_PORTS,
    KD_KEY_TABLES,
    KD_KEY_TYPES,
    KD_KEYS,
    KD_SHIFTS,
)
from traced.decoders.arrays import array_text
from traced.decoders.families.ioctl_kit import Request, ints
from traced.decoders.families.signals import signal
from traced.decoders.strings import quote
from traced.decoders.style import RAW, current
from traced.decoders.values import Memory, Options, chex, read_exact
from traced.decoders.xlat import Table, format_enum, format_flags, lookup, styled

_TYPES = dict(KD_KEY_TYPES)
_FN = _TYPES["KT_FN"]
# Key types whose value is a character, printed as one.
_CHARACTERS = {_TYPES[name] for name in ("KT_LATIN", "KT_META", "KT_LETTER", "KT_DEAD2")}
_SHIFT_BITS: Table = tuple((f"1<<{name}", 1 << bit) for name, bit in KD_SHIFTS)
_FUNCTIONS: Table = tuple((f"KVAL({name})", value & 0xFF) for name, value in KD_KEYS
                          if value >> 8 == _FN)  # fmt: skip
_GPFIRST, _GPLAST = (dict(KD_IO_PORTS)[name] for name in ("GPFIRST", "GPLAST"))
_MAX_DIACR, _STRING = 256, 512


def character(code: int) -> str:
    """A char as strace's print_char quotes it: ``'a'``, ``'\\n'``, ``'\\''``, ``'\\xff'``."""
    special = {0x27: "\\'", 0x5C: "\\\\", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r"}
    if code in special:
        return f"'{special[code]}'"
    return f"'{chr(code)}'" if 0x20 <= code < 0x7F else f"'\\x{code:02x}'"


def _key_value(value: int) -> str:
    """kb_value in hex and, but in -X raw, what it is in a comment."""
    if current().xlat == RAW:
        return chex(value)
    name = lookup(value, KD_KEYS)
    if name is None:
        kind, code = value >> 8, value & 0xFF
        kind_text = lookup(kind, KD_KEY_TYPES) or chex(kind)
        name = f"K({kind_text}, {character(code) if kind in _CHARACTERS else chex(code)})"
    return f"{chex(value)} /* {name} */"


def _entry_head(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 2)
    if data is None:
        return None
    table, index = data
    name = lookup(table, KD_KEY_TABLES)
    if name is not None:
        table_text = styled(name, chex(table))
    else:
        table_text = format_flags(table, _SHIFT_BITS, "K_???").text
    return f"{{kb_table={table_text}, kb_index={index}}}"


def _with_value(entry: str, address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address + 2, 2)
    value = "???" if data is None else _key_value(ints("H", data)[0])
    return f"{entry[:-1]}, kb_value={value}}}"


def _set_entry(address: int, memory: Memory, options: Options) -> str | None:
    head = _entry_head(address, memory, options)
    return None if head is None else _with_value(head, address, memory, options)


def _page_string(address: int, memory: Memory, size: int) -> tuple[int, bytes] | None:
    """strace's umovestr: the bytes read page by page up to the first NUL, and the
    NUL's offset + 1 in the page it was found in (0: none); None where unreadable."""
    data, at, left = b"", address, size
    while left:
        chunk = min(left, mmap.PAGESIZE - at % mmap.PAGESIZE)
        got = read_exact(memory, at, chunk)
        if got is None:
            return None
        end = got.find(b"\0")
        if end >= 0:
            return end + 1, data + got
        data, at, left = data + got, at + chunk, left - chunk
    return 0, data


def _with_string(entry: str, address: int, memory: Memory, options: Options) -> str | None:
    found = _page_string(address + 1, memory, _STRING)
    if found is None:
        text = "???"
    else:
        end, data = found
        shown = data[: min(max(0, options.string_limit), end or _STRING)]
        whole = shown.endswith(b"\0")
        text = quote(shown[:-1] if whole else shown, not whole)
    return f"{entry[:-1]}, kb_string={text}}}"


def _function(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 1)
    if data is None:
        return None
    return f"{{kb_func={format_enum(data[0], _FUNCTIONS, 'KVAL(K_???)').text}}}"


def _set_function(address: int, memory: Memory, options: Options) -> str | None:
    head = _function(address, memory, options)
    return None if head is None else _with_string(head, address, memory, options)


def _accents(unicode: bool) -> Request:
    """struct kbdiacrs or kbdiacrsuc: the count, then that many accents (256 at most)."""
    size, field = (12, "kbdiacruc") if unicode else (3, "kbdiacr")

    def element(data: bytes) -> str:
        names = ("diacr", "base", "result")
        values = [chex(v) for v in ints("3I", data)] if unicode else map(character, data)
        return "{" + ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True)) + "}"

    def printer(address: int, memory: Memory, options: Options) -> str | None:
        data = read_exact(memory, address, 4)
        if data is None:
            return None
        count = ints("I", data)[0]
        shown = min(count, _MAX_DIACR)
        items = array_text(address + 4, shown, size, memory, options, element=element).text
        if count > _MAX_DIACR and items.endswith("}]"):  # all shown, more there
            items = items[:-1] + ", ...]"
        return f"{{kb_cnt={count}, {field}={items}}}"

    return Request(entry=printer)


def _io_port(raw: int) -> str:
    inside = _GPFIRST <= raw <= _GPLAST and current().xlat != RAW
    return chex(raw) + (f" /* GPFIRST + {raw - _GPFIRST} */" if inside else "")


def _register(text: Callable[[int], str]) -> Request:
    """A request whose argument is the value itself."""
    return Request(entry=lambda raw, memory, options: text(raw))


REQUESTS: dict[str, Request] = {
    "KDGKBENT": Request(entry=_entry_head, finish=_with_value),
    "KDSKBENT": Request(entry=_set_entry),
    "KDGKBSENT": Request(entry=_function, finish=_with_string),
    "KDSKBSENT": Request(entry=_set_function),
    "KDSKBDIACR": _accents(unicode=False),
    "KDGKBDIACR": Request(exit=_accents(unicode=False).entry),
    "KDSKBDIACRUC": _accents(unicode=True),
    "KDGKBDIACRUC": Request(exit=_accents(unicode=True).entry),
    "KDADDIO": _register(_io_port),
    "KDDELIO": _register(_io_port),
    "KDSIGACCEPT": _register(lambda raw: signal(raw).text if raw < 0x7FFFFFFF else str(raw)),
}
