"""Netlink attributes (``struct nlattr``), as strace prints them (its nlattr.c).

A run of attributes prints as ``[{nla_len=8, nla_type=IFLA_MTU}, 1500]``: each
attribute's header, then its data where there is some, decoded by its type when a
decoder knows it, else in hex; several attributes make an array of those.  A length
below the header's 4 bytes ends the run; what is left after the last whole one is
printed in hex.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping

from traced.decoders.netlink import _tables as T
from traced.decoders.netlink.text import Reading, array_of, hex_string, read_struct
from traced.decoders.style import RAW, VERBOSE, current
from traced.decoders.values import hex_address
from traced.decoders.xlat import Table, format_enum

NLA_HDRLEN = 4
_NLA = struct.Struct("<HH")
_NESTED, _BYTEORDER = dict(T.NLA_FLAGS)["NLA_F_NESTED"], dict(T.NLA_FLAGS)["NLA_F_NET_BYTEORDER"]
_TYPE_MASK = ~(_NESTED | _BYTEORDER) & 0xFFFF

# An attribute's data at (address, length), with the address family of the struct the
# attributes follow (-1: none): its text, or None to print it in hex.
AttrDecoder = Callable[[Reading, int, int, int], "str | None"]


def by_name(table: Table, decoders: dict[str, AttrDecoder]) -> dict[int, AttrDecoder]:
    """Decoders keyed by the attribute's value, named as the header names it (a name
    the headers of this machine lack is left out)."""
    values = dict(table)
    return {values[name]: decoder for name, decoder in decoders.items() if name in values}


class Attrs:
    """How one family's attributes print: their names, the name of one unknown
    (``IFLA_???``), and the decoders of their data by type."""

    def __init__(
        self, table: Table, unknown: str, decoders: Mapping[int, AttrDecoder] | None = None,
        every: AttrDecoder | None = None,
    ) -> None:  # fmt: skip
        self.table, self.unknown = table, unknown
        self.decoders: dict[int, AttrDecoder] = dict(decoders or {})
        # One decoder of every type, given the type where others get the family (an
        # attribute named by an address family, as IFLA_AF_SPEC's are).
        self.every = every


def _align(length: int) -> int:
    return (length + 3) & ~3


def cut(reading: Reading, count: int) -> bool:
    """Whether a run of ``count`` elements printed already stops here (-s, but -v)."""
    return not reading.options.verbose and count >= reading.options.string_limit


def _flag(name: str, value: int) -> str:
    style = current().xlat
    if style == RAW:
        return f"{value:#x}"
    return f"{value:#x} /* {name} */" if style == VERBOSE else name


def header_text(length: int, kind: int, attrs: Attrs) -> str:
    """``{nla_len=8, nla_type=NLA_F_NESTED|IFLA_AF_SPEC}``."""
    parts = []
    if kind & _NESTED:
        parts.append(_flag("NLA_F_NESTED", _NESTED))
    if kind & _BYTEORDER:
        parts.append(_flag("NLA_F_NET_BYTEORDER", _BYTEORDER))
    parts.append(format_enum(kind & _TYPE_MASK, attrs.table, attrs.unknown).text)
    return f"{{nla_len={length}, nla_type={'|'.join(parts)}}}"


def _with_data(
    reading: Reading, address: int, length: int, fields: tuple[int, int, int], attrs: Attrs
) -> str:
    nla_len, kind, family = fields
    shown = min(nla_len, length)
    header = header_text(nla_len, kind, attrs)
    if shown <= NLA_HDRLEN:
        return header
    start, size = address + NLA_HDRLEN, shown - NLA_HDRLEN
    decoder = attrs.every or attrs.decoders.get(kind & _TYPE_MASK)
    if attrs.every is not None:
        family = kind & _TYPE_MASK
    text = decoder(reading, start, size, family) if decoder is not None else None
    if text is None:
        text = hex_string(reading, start, size)
    return array_of([header, text])


def decode_attrs(
    reading: Reading, address: int, length: int, attrs: Attrs, family: int = -1
) -> str:
    """The attributes in ``length`` bytes at ``address`` (strace's decode_nlattr);
    ``family``: the address family their decoders may need."""
    items: list[str] = []
    in_array = False
    while True:
        if length < NLA_HDRLEN:
            items.append(hex_string(reading, address, length))
            break
        data = read_struct(reading, address, NLA_HDRLEN)
        if data is None:
            items.append(f"... /* {hex_address(address)} */" if in_array else hex_address(address))
            break
        if cut(reading, len(items)):
            items.append("...")
            break
        nla_len, kind = _NLA.unpack(data)
        step, next_address, next_length = _align(nla_len), 0, 0
        if nla_len >= NLA_HDRLEN:
            next_length = length - step if length >= step else 0
            if next_length:
                next_address = address + step
        if not in_array and next_address:
            in_array = True
        items.append(_with_data(reading, address, length, (nla_len, kind, family), attrs))
        if not next_address:
            break
        address, length = next_address, next_length
    return array_of(items) if in_array else items[0]
