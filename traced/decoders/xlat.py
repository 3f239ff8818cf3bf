"""Constant tables and strace's two ways of printing a number by them (its xlat.c).

A table is data: ``(name, value)`` pairs in the order strace prints them.  Order
matters: a flag is named by the first entry whose bits are all set, so O_SYNC
(0x101000) comes before O_DSYNC (0x1000).  Each family module holds its own tables;
the functions here print any of them.

Each prints in the style of the decode under way (style.py: strace's -X), as
strace 6.1 does: ``abbrev`` the names (``PROT_READ|PROT_WRITE``), ``raw`` the
number alone (``0x3``; flags and most constants in hex, a few, signals and
AT_FDCWD among them, in decimal; zero as ``0``), ``verbose`` the number with the
names in a comment (``0x3 /* PROT_READ|PROT_WRITE */``; a number no name covers
keeps its ``/* X_??? */`` comment in every style but raw).  The typed value (JSON)
is the same in every style: only the text changes.
"""

from __future__ import annotations

from traced.decoders.style import RAW, VERBOSE, current
from traced.decoders.values import DecodedValue

Table = tuple[tuple[str, int], ...]
_WORD = (1 << 64) - 1


def flag_names(value: int, table: Table) -> tuple[list[str], int]:
    """The names of the set bits, in table order, and the bits left unnamed."""
    names: list[str] = []
    for name, bits in table:
        if bits and value & bits == bits:
            names.append(name)
            value &= ~bits
    return names, value


def number(value: int, decimal: bool = False) -> str:
    """strace's sprint_xlat_val: ``%#x`` of the 64-bit value (``0`` for zero), or ``%d``."""
    if decimal:
        return str(value)
    return f"{value & _WORD:#x}" if value else "0"


def comment(text: str) -> str:
    """`` /* text */``, or nothing for no text (strace's tprints_comment)."""
    return f" /* {text} */" if text else ""


def styled(names: str, digits: str) -> str:
    """A value named ``names`` whose number reads ``digits``, in the style: the names
    (abbrev), the number (raw), or the number with the names in a comment (verbose)."""
    style = current().xlat
    if style == RAW:
        return digits
    return digits + comment(names) if style == VERBOSE else names


def named(value: int, name: str | None, unknown: str = "", decimal: bool = False) -> str:
    """One constant's text, its name already looked up (None: it has none): the name,
    the number, or both, by the style; a nameless number with ``unknown`` in a comment
    (but in raw style).  strace's print_xlat_ex and printxval's fallback."""
    if name is None:
        digits = number(value, decimal)
        return digits if current().xlat == RAW else digits + comment(unknown)
    return styled(name, number(value, decimal))


def format_flags(value: int, table: Table, unknown: str = "") -> DecodedValue:
    """strace's printflags: zero by name (or ``0``), names then leftover as ``|0x..``."""
    value &= _WORD
    style = current().xlat
    if value == 0:
        zero = next((name for name, bits in table if bits == 0), "0")
        text = zero if style != RAW or zero == "0" else "0"
        if style == VERBOSE and zero != "0":
            text = "0" + comment(zero)
        return DecodedValue(text, [zero] if zero != "0" else [], value)
    names, rest = flag_names(value, table)
    if not names:
        text = f"{rest:#x}" + (comment(unknown) if style != RAW else "")
        return DecodedValue(text, [f"{rest:#x}"], value)
    if rest:
        names.append(f"{rest:#x}")
    return DecodedValue(styled_flags("|".join(names), value), names, value)


def styled_flags(names: str, value: int) -> str:
    """Flags already named (``A|B|0x8``) printed in the style (strace's printflags)."""
    return styled(names, number(value))


def lookup(value: int, table: Table) -> str | None:
    return next((name for name, number in table if number == value), None)


def format_enum(value: int, table: Table, unknown: str, decimal: bool = False) -> DecodedValue:
    """strace's printxval: the constant's name, else ``0x.. /* X_??? */`` (or decimal)."""
    name = lookup(value, table)
    if name is not None:
        return DecodedValue(named(value, name, decimal=decimal), name, value)
    if decimal:
        return DecodedValue(str(value), value, value)
    return DecodedValue(named(value, None, unknown), value, value)


def joined(parts: list[str], raw: int) -> DecodedValue:
    """Names already chosen, printed as one flag set (in the style, of ``raw``)."""
    return DecodedValue(styled_flags("|".join(parts), raw & _WORD), parts, raw)


def with_rest(names: list[str], rest: int) -> list[str]:
    """``names`` followed by the bits no name covers, in hex, if any."""
    return [*names, f"{rest:#x}"] if rest else names
