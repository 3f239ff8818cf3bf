"""The decoders of attribute data strace shares between families (its nlattr.c's
decode_nla_*): integers, strings, addresses, named values and flags, structs, and
nested attributes.  Each takes (reading, address, length, family) and returns the
text, or None when the data is too short for it (then printed in hex, as strace
does); data it cannot read prints as its address.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from traced.decoders.netlink.attrs import AttrDecoder, Attrs, decode_attrs
from traced.decoders.netlink.common import ifindex_text, inet_text
from traced.decoders.netlink.text import Reading, hex_string, plain_string, read_struct
from traced.decoders.style import RAW, current
from traced.decoders.values import hex_address
from traced.decoders.xlat import Table, format_enum, format_flags

_AF_INET, _AF_INET6 = 2, 10


def number(fmt: str, show: Callable[[int], str] = str) -> AttrDecoder:
    layout = struct.Struct(fmt if fmt[0] in "<>" else "<" + fmt)

    def decode(reading: Reading, address: int, length: int, family: int) -> str | None:
        if length < layout.size:
            return None
        data = read_struct(reading, address, layout.size)
        return hex_address(address) if data is None else show(layout.unpack(data)[0])

    return decode


def _chex(value: int) -> str:
    return f"{value:#x}" if value else "0"


u8, u16, u32, u64 = number("B"), number("H"), number("I"), number("Q")
s8, s16, s32, s64 = number("b"), number("h"), number("i"), number("q")
x8, x16, x32, x64 = (number(fmt, _chex) for fmt in "BHIQ")
ifindex = number("I", ifindex_text)
be16 = number(">H", lambda value: f"htons({value})")
be32 = number(">I", lambda value: f"htonl({value})")


def _ticks(value: int) -> str:
    """A count of clock ticks: ``237 /* 2.37 s */`` (strace's print_clock_t)."""
    import os  # noqa: PLC0415

    hertz = os.sysconf("SC_CLK_TCK")
    if current().xlat == RAW or hertz <= 0 or not value:
        return str(value)
    width = min(len(str(hertz)) - 1, 9)
    return f"{value} /* {value // hertz}.{value % hertz:0{width}d} s */"


def clock_t(reading: Reading, address: int, length: int, family: int) -> str | None:
    """Clock ticks in up to 8 bytes."""
    if length > 8:
        return None
    data = read_struct(reading, address, length)
    return hex_address(address) if data is None else _ticks(int.from_bytes(data, "little"))


def string(reading: Reading, address: int, length: int, family: int) -> str | None:
    return plain_string(reading, address, length)


def xint(reading: Reading, address: int, length: int, family: int) -> str | None:
    decoder = {1: x8, 2: x16, 4: x32, 8: x64}.get(length)
    return None if decoder is None else decoder(reading, address, length, family)


def _address_of(kind: int, reading: Reading, address: int, length: int) -> str | None:
    size = 4 if kind == _AF_INET else 16
    if length < size:
        return None
    data = read_struct(reading, address, size)
    return hex_address(address) if data is None else inet_text(kind, data)


def in_addr(reading: Reading, address: int, length: int, family: int) -> str | None:
    return _address_of(_AF_INET, reading, address, length)


def in6_addr(reading: Reading, address: int, length: int, family: int) -> str | None:
    return _address_of(_AF_INET6, reading, address, length)


def inet_by_family(reading: Reading, address: int, length: int, family: int) -> str | None:
    """An address of the struct's family (strace's decode_inet_addr): hex for another
    family or one too short."""
    if family not in (_AF_INET, _AF_INET6):
        return hex_string(reading, address, length)
    text = _address_of(family, reading, address, length)
    return hex_string(reading, address, length) if text is None else text


def sized(size: int, show: Callable[[int], str]) -> AttrDecoder:
    """strace's decode_nla_xval/flags: at least ``size`` bytes, at most 8, read as an
    integer of ``size`` bytes (of all of them if 0)."""

    def decode(reading: Reading, address: int, length: int, family: int) -> str | None:
        if length > 8 or length < size:
            return None
        count = min(length, size) if size else length
        data = read_struct(reading, address, count)
        return hex_address(address) if data is None else show(int.from_bytes(data, "little"))

    return decode


def xval(table: Table, unknown: str, size: int = 0) -> AttrDecoder:
    return sized(size, lambda value: format_enum(value, table, unknown).text)


def flags(table: Table, unknown: str, size: int = 0) -> AttrDecoder:
    return sized(size, lambda value: format_flags(value, table, unknown).text)


def nested(attrs: Attrs) -> AttrDecoder:
    """Attributes within an attribute."""

    def decode(reading: Reading, address: int, length: int, family: int) -> str | None:
        return decode_attrs(reading, address, length, attrs, family)

    return decode


Shown = Callable[[int], str]


def fields(fmt: str, *named: tuple[str, Shown]) -> AttrDecoder:
    """A struct (``fmt``: its layout, little-endian) of named fields, each shown by its
    function (a name of "" is padding); too short a payload prints in hex."""
    layout = struct.Struct("<" + fmt)

    def decode(reading: Reading, address: int, length: int, family: int) -> str | None:
        if length < layout.size:
            return None
        data = read_struct(reading, address, layout.size)
        if data is None:
            return hex_address(address)
        values = layout.unpack(data)
        pairs = zip(named, values, strict=True)
        return "{" + ", ".join(f"{name}={show(value)}" for (name, show), value in pairs
                               if name) + "}"  # fmt: skip

    return decode


def chex(value: int) -> str:
    return _chex(value)


def struct_of(fmt: str, *named: tuple[str, Shown]) -> Callable[[bytes], str]:
    """An array element's text: ``{a=1, b=2}`` (a field named "" is left out, one
    named with a leading "?" only when not zero)."""
    layout = struct.Struct("<" + fmt)

    def show(data: bytes) -> str:
        values = layout.unpack(data[: layout.size])
        pairs = zip(named, values, strict=True)
        kept = [(name.lstrip("?"), shown(value)) for (name, shown), value in pairs
                if name and not (name[0] == "?" and not value)]  # fmt: skip
        return "{" + ", ".join(f"{name}={text}" for name, text in kept) + "}"

    return show


def enum_text(value: int, table: Table, unknown: str) -> str:
    return format_enum(value, table, unknown).text


def flag_text(value: int, table: Table, unknown: str) -> str:
    return format_flags(value, table, unknown).text


def by_family(choices: dict[int, Attrs]) -> AttrDecoder:
    """Attributes whose kind depends on the family (strace's decode_nla_af_spec): hex
    for a family with none."""

    def decode(reading: Reading, address: int, length: int, family: int) -> str | None:
        attrs = choices.get(family)
        if attrs is None:
            return hex_string(reading, address, length)
        return decode_attrs(reading, address, length, attrs, family)

    return decode


def whole(size: int, show: Callable[[bytes], str]) -> AttrDecoder:
    """A struct of ``size`` bytes shown from its bytes; a shorter one in hex."""

    def decode(reading: Reading, address: int, length: int, family: int) -> str | None:
        if length < size:
            return None
        data = read_struct(reading, address, size)
        return hex_address(address) if data is None else show(data)

    return decode


def struct_then_rest(size: int, show: Callable[[bytes], str]) -> AttrDecoder:
    """A struct of ``size`` bytes, then whatever follows it in hex, as a further
    element (strace's decoders of statistics structs that grow)."""

    def decode(reading: Reading, address: int, length: int, family: int) -> str | None:
        if length < size:
            return None
        data = read_struct(reading, address, size)
        if data is None:
            return hex_address(address)
        text = show(data)
        if length > size:
            text += ", " + hex_string(reading, address + size, length - size)
        return text

    return decode


def ip_proto(reading: Reading, address: int, length: int, family: int) -> str | None:
    """An IP protocol in up to 8 bytes (strace's decode_nla_ip_proto)."""
    from traced.decoders.families.sockets import IPPROTO  # noqa: PLC0415 (a cycle)

    return xval(IPPROTO, "IPPROTO_???")(reading, address, length, family)
