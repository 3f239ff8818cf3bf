"""Decoders of a register named by one generated table (traced.decoders._constants).

Most flag and enum arguments need nothing but their table and the marker strace
prints beside a value no name covers (``0x6 /* MADV_??? */``); these build their
:class:`~traced.decoders.kinds.Decoder` from the two.  The printing itself is
xlat.py's, so every option that changes how constants print applies here too.
"""

from __future__ import annotations

from traced.decoders.kinds import Decoder, by_register
from traced.decoders.values import DecodedValue
from traced.decoders.xlat import Table, format_enum, format_flags


def flags(table: Table, unknown: str) -> Decoder:
    """A bit set: ``A|B|0x..``, or ``0x.. /* X_??? */`` when no name matches."""

    def decode(raw: int) -> DecodedValue:
        return format_flags(raw, table, unknown)

    return by_register(decode)


def enum(table: Table, unknown: str, *, decimal: bool = False) -> Decoder:
    """One value by its name, else ``0x.. /* X_??? */`` (or, ``decimal``, the number)."""

    def decode(raw: int) -> DecodedValue:
        return format_enum(raw, table, unknown, decimal)

    return by_register(decode)
