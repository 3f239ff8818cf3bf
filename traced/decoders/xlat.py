"""Constant tables and strace's two ways of printing a number by them (its xlat.c).

A table is data: ``(name, value)`` pairs in the order strace prints them.  Order
matters: a flag is named by the first entry whose bits are all set, so O_SYNC
(0x101000) comes before O_DSYNC (0x1000).  Each family module holds its own tables;
the functions here print any of them.
"""

from __future__ import annotations

from traced.decoders.values import DecodedValue

Table = tuple[tuple[str, int], ...]


def flag_names(value: int, table: Table) -> tuple[list[str], int]:
    """The names of the set bits, in table order, and the bits left unnamed."""
    names: list[str] = []
    for name, bits in table:
        if bits and value & bits == bits:
            names.append(name)
            value &= ~bits
    return names, value


def format_flags(value: int, table: Table, unknown: str = "") -> DecodedValue:
    """strace's printflags: zero by name (or ``0``), names then leftover as ``|0x..``."""
    value &= (1 << 64) - 1
    if value == 0:
        zero = next((name for name, bits in table if bits == 0), "0")
        return DecodedValue(zero, [zero] if zero != "0" else [], value)
    names, rest = flag_names(value, table)
    if not names:
        text = f"{rest:#x}" + (f" /* {unknown} */" if unknown else "")
        return DecodedValue(text, [f"{rest:#x}"], value)
    if rest:
        names.append(f"{rest:#x}")
    return DecodedValue("|".join(names), names, value)


def lookup(value: int, table: Table) -> str | None:
    return next((name for name, number in table if number == value), None)


def format_enum(value: int, table: Table, unknown: str, decimal: bool = False) -> DecodedValue:
    """strace's printxval: the constant's name, else ``0x.. /* X_??? */`` (or decimal)."""
    name = lookup(value, table)
    if name is not None:
        return DecodedValue(name, name, value)
    if decimal:
        return DecodedValue(str(value), value, value)
    number = f"{value:#x}" if value else "0"  # C's %#x
    return DecodedValue(f"{number} /* {unknown} */", value, value)


def joined(parts: list[str], raw: int) -> DecodedValue:
    """Names already chosen, printed as one flag set."""
    return DecodedValue("|".join(parts), parts, raw)


def with_rest(names: list[str], rest: int) -> list[str]:
    """``names`` followed by the bits no name covers, in hex, if any."""
    return [*names, f"{rest:#x}"] if rest else names
