"""Attribute data that is a sequence (strace's print_array and print_array_ex): an
array of elements, one whose indices have names, and a struct of counters that
grew over kernel versions.  As kinds_of_data's decoders, each takes (reading,
address, length, family) and returns the text, or None for data too short."""

from __future__ import annotations

import struct
from collections.abc import Callable

from traced.decoders.netlink.attrs import AttrDecoder
from traced.decoders.netlink.text import Reading, read_struct
from traced.decoders.values import hex_address
from traced.decoders.xlat import Table, named


def array(fmt: str, show: Callable[[bytes], str]) -> AttrDecoder:
    """Elements of ``fmt``'s size, as many as fit (strace's print_array: at most -s
    of them, but with -v), each shown from its bytes; none fitting prints in hex."""
    return _elements(fmt, lambda index, data: show(data))


def indexed(fmt: str, table: Table, unknown: str, shift: int = 0) -> AttrDecoder:
    """An array whose indices have names (strace's print_array_ex with
    PAF_PRINT_INDICES): ``[[DEVCONF_FORWARDING]=1, ...]``; ``shift``: what the
    index is short of the name's value (IPV4_DEVCONF_* count from 1)."""

    def element(index: int, data: bytes) -> str:
        name = next((name for name, value in table if value == index + shift), None)
        shown = None if name is None else (f"{name}-{shift}" if shift else name)
        number = named(index, shown, unknown, decimal=True)  # an unknown one too
        return f"[{number}]={struct.unpack('<' + fmt, data)[0]}"

    return _elements(fmt, element)


def _elements(fmt: str, element: Callable[[int, bytes], str]) -> AttrDecoder:
    """print_array's walk: each element of ``fmt``'s size shown by its index and bytes,
    at most -s of them but with -v, ``... /* ADDR */`` where memory ends."""
    size = struct.calcsize("<" + fmt)

    def decode(reading: Reading, address: int, length: int, family: int) -> str | None:
        count = length // size
        if not count:
            return None
        options = reading.options
        shown = count if options.verbose else min(count, max(0, options.string_limit))
        items: list[str] = []
        for index in range(shown):
            data = read_struct(reading, address + index * size, size)
            if data is None:
                if not items:
                    return hex_address(address)
                items.append(f"... /* {hex_address(address + index * size)} */")
                return "[" + ", ".join(items) + "]"
            items.append(element(index, data))
        if shown < count:
            items.append("...")
        return "[" + ", ".join(items) + "]"

    return decode


def counters(fmt: str, names: tuple[str, ...], *shorter: int) -> AttrDecoder:
    """A struct of counters, all of ``fmt`` (strace's rtnl_link_stats and the like):
    whole when the data holds it all, else only as the older, shorter versions of it
    (``shorter``: their numbers of counters) whose size the data has exactly."""
    size = struct.calcsize("<" + fmt)

    def decode(reading: Reading, address: int, length: int, family: int) -> str | None:
        whole = len(names)
        count = whole if length >= whole * size else next(
            (known for known in shorter if length == known * size), 0)  # fmt: skip
        if not count:
            return None
        data = read_struct(reading, address, count * size)
        if data is None:
            return hex_address(address)
        values = struct.unpack(f"<{count}{fmt}", data)
        return "{" + ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=False)) + "}"

    return decode
