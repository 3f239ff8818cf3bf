"""The console's font and screen map requests (linux/kd.h), in strace 6.1's words:
pure.

Kernel facts: GIO_/PIO_SCRNMAP pass a 256-byte screen map, GIO_/PIO_UNISCRNMAP 256
u16 (a code in the direct font region is UNI_DIRECT_BASE plus its position),
GIO_/PIO_FONT 8192 bytes (256 chars of 32 rows of 8 pixels), GIO_/PIO_CMAP 48
(16 colours of three bytes).  GIO_/PIO_UNIMAP take a struct unimapdesc (u16
entry_ct, a pointer to entry_ct struct unipair of two u16); PIO_UNIMAPCLR a
struct unimapinit of three u16.  GIO_/PIO_FONTX take a struct consolefontdesc
(u16 charcount and charheight, a pointer to 32 bytes a char); KDFONTOP a struct
console_font_op (op, flags, width, height, charcount as u32, then the data
pointer at offset 24), whose fields mean what its op makes them mean.
"""

from __future__ import annotations

import re

from traced.decoders._ioctls import KD_FONT_FLAGS, KD_FONT_OPS, KD_UNI_DIRECT
from traced.decoders.arrays import array_text
from traced.decoders.families.ioctl_kit import (
    Finisher,
    Printer,
    Request,
    fixed,
    ints,
    printstr,
)
from traced.decoders.strings import quote
from traced.decoders.style import ABBREV, RAW, current
from traced.decoders.values import UNREADABLE, Memory, Options, chex, hex_address, read_exact
from traced.decoders.xlat import format_enum, format_flags

_BASE, _MASK = (dict(KD_UNI_DIRECT)[name] for name in ("UNI_DIRECT_BASE", "UNI_DIRECT_MASK"))
_OPS = dict(KD_FONT_OPS)
_SET, _GET, _SET_DEFAULT, _COPY = (_OPS[f"KD_FONT_OP_{op}"] for op in (
    "SET", "GET", "SET_DEFAULT", "COPY"))  # fmt: skip
_ENTRY_COUNT = re.compile(r"\{entry_ct=(\d+)")


def _hex_bytes(size: int) -> Printer:
    """``size`` bytes in hex, cut at -s: strace's printstr_ex with QUOTE_FORCE_HEX."""
    return lambda address, memory, options: printstr(address, memory, size, options, force_hex=True)


def _in_and_out(printer: Printer) -> tuple[Request, Request]:
    """The GIO_ request, read at exit, and the PIO_ one, read at entry."""
    return Request(exit=printer), Request(entry=printer)


def _screen_code(data: bytes) -> str:
    value = ints("H", data)[0]
    style = current().xlat
    if value & ~_MASK != _BASE or style == RAW:
        return chex(value)
    direct = f"UNI_DIRECT_BASE+{chex(value & _MASK)}"
    return direct if style == ABBREV else f"{chex(value)} /* {direct} */"


def _unicode_map(address: int, memory: Memory, options: Options) -> str | None:
    return array_text(address, 256, 2, memory, options, element=_screen_code).text


def _unipair(data: bytes) -> str:
    unicode, position = ints("2H", data)
    return f"{{unicode={chex(unicode)}, fontpos={chex(position)}}}"


def _unimap_set(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 16)
    if data is None:
        return None
    count, entries = ints("H6xQ", data)
    pairs = array_text(entries, count, 4, memory, options, element=_unipair).text
    return f"{{entry_ct={count}, entries={pairs}}}"


def _unimap_get(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 2)
    return None if data is None else f"{{entry_ct={ints('H', data)[0]}}}"


def _unimap_filled(failed: bool) -> Finisher:
    """GIO_UNIMAP at exit: the count the kernel wrote and, read by the count asked
    for, the pairs (after a failure, their address)."""

    def finish(entry: str, address: int, memory: Memory, options: Options) -> str | None:
        data = read_exact(memory, address, 16)
        if data is None:
            return entry
        count, entries = ints("H6xQ", data)
        if failed:
            pairs = hex_address(entries)
        else:
            asked = _ENTRY_COUNT.match(entry)
            wanted = int(asked.group(1)) if asked else count
            pairs = array_text(entries, wanted, 4, memory, options, element=_unipair).text
        return f"{entry[:-1]} => {count}, entries={pairs}}}"

    return finish


def _fontx(with_data: bool) -> Printer:
    def text(data: bytes, options: Options, memory: Memory) -> str:
        count, height, chars = ints("HH4xQ", data)
        if with_data:
            chars_text = printstr(chars, memory, min(count, 512) * 32, options, force_hex=True)
        else:
            chars_text = hex_address(chars)
        return f"{{charcount={count}, charheight={height}, chardata={chars_text}}}"

    def printer(address: int, memory: Memory, options: Options) -> str | None:
        data = read_exact(memory, address, 16)
        return None if data is None else text(data, options, memory)

    return printer


def _font_name(address: int, memory: Memory) -> str:
    """KD_FONT_OP_SET_DEFAULT's font name: a C string of up to 32 bytes."""
    if address == 0:
        return "NULL"
    try:
        name = memory.cstring(address, 32)
    except UNREADABLE:
        return hex_address(address)
    return quote(name[:31], True) if len(name) >= 32 else quote(name)


def _font_op(entering: bool) -> Printer:
    def printer(address: int, memory: Memory, options: Options) -> str | None:
        data = read_exact(memory, address, 32)
        if data is None:
            return None
        op, flags, width, height, count, pointer = ints("5I4xQ", data)
        parts = []
        if entering:
            parts.append(f"op={format_enum(op, KD_FONT_OPS, 'KD_FONT_OP_???').text}")
            if op not in (_SET_DEFAULT, _COPY):
                parts.append(f"flags={format_flags(flags, KD_FONT_FLAGS, 'KD_FONT_FLAG_???').text}")
        parts += [f"height={height}"] if op == _COPY else [f"width={width}", f"height={height}"]
        if op not in (_SET_DEFAULT, _COPY):
            parts.append(f"charcount={count}")
        if op in (_GET, _SET) and not (op == _GET and entering):
            size = (min(width, 32) + 7) // 8 * 32 * min(count, 512)
            parts.append(f"data={printstr(pointer, memory, size, options, force_hex=True)}")
        elif op == _SET_DEFAULT:
            if entering:
                parts.append(f"data={_font_name(pointer, memory)}")
        elif op != _COPY:
            parts.append(f"data={hex_address(pointer)}")
        return "{" + ", ".join(parts) + "}"

    return printer


def _font_op_exit(entry: str, address: int, memory: Memory, options: Options) -> str | None:
    """KDFONTOP's result, but for the ops that return nothing (SET, COPY)."""
    data = read_exact(memory, address, 4)
    if data is None or ints("I", data)[0] in (_SET, _COPY):
        return entry
    after = _font_op(entering=False)(address, memory, options)
    return entry if after is None else f"{entry} => {after}"


_UNISCRNMAP = _in_and_out(_unicode_map)
_SCRNMAP, _FONT, _CMAP = (_in_and_out(_hex_bytes(size)) for size in (256, 8192, 48))

REQUESTS: dict[str, Request] = {
    "GIO_SCRNMAP": _SCRNMAP[0],
    "PIO_SCRNMAP": _SCRNMAP[1],
    "GIO_UNISCRNMAP": _UNISCRNMAP[0],
    "PIO_UNISCRNMAP": _UNISCRNMAP[1],
    "GIO_FONT": _FONT[0],
    "PIO_FONT": _FONT[1],
    "GIO_CMAP": _CMAP[0],
    "PIO_CMAP": _CMAP[1],
    "PIO_UNIMAPCLR": Request(
        entry=fixed(
            6,
            lambda data, options: (
                "{{advised_hashsize={}, advised_hashstep={}, advised_hashlevel={}}}".format(
                    *ints("3H", data)
                )
            ),
        )
    ),
    "PIO_UNIMAP": Request(entry=_unimap_set),
    "GIO_UNIMAP": Request(
        entry=_unimap_get,
        finish=_unimap_filled(failed=False),
        finish_failed=_unimap_filled(failed=True),
    ),
    "PIO_FONTX": Request(entry=_fontx(with_data=True)),
    "GIO_FONTX": Request(entry=_fontx(with_data=False), exit=_fontx(with_data=True)),
    "KDFONTOP": Request(entry=_font_op(entering=True), finish=_font_op_exit),
}
