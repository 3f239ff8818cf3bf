"""NETLINK_ROUTE's attributes of their own shape: RTA_MULTIPATH's next hops (each a
struct rtnexthop and the route attributes after it), RTA_VIA's family-tagged
address, a hardware address, and NDTA_STATS' counters (of two sizes)."""

from __future__ import annotations

import struct

from traced.decoders.netlink import _tables as T
from traced.decoders.netlink.attrs import AttrDecoder, Attrs, decode_attrs
from traced.decoders.netlink.common import family_text, ifindex_text, inet_text
from traced.decoders.netlink.text import Reading, hex_string, read_struct
from traced.decoders.values import hex_address
from traced.decoders.xlat import format_flags

_RTNEXTHOP = struct.Struct("<HBBi")  # rtnh_len, rtnh_flags, rtnh_hops, rtnh_ifindex
_NDT_STATS = (
    "ndts_allocs", "ndts_destroys", "ndts_hash_grows", "ndts_res_failed", "ndts_lookups",
    "ndts_hits", "ndts_rcv_probes_mcast", "ndts_rcv_probes_ucast", "ndts_periodic_gc_runs",
    "ndts_forced_gc_runs", "ndts_table_fulls",
)  # fmt: skip
_MAX_ADDR_LEN = 32


def _next_hop(fields: tuple[int, ...]) -> str:
    length, flags, hops, index = fields
    flag_text = format_flags(flags, T.RTNH_F_FLAGS, "RTNH_F_???").text
    return (f"{{rtnh_len={length}, rtnh_flags={flag_text}, rtnh_hops={hops}, "
            f"rtnh_ifindex={ifindex_text(index & 0xFFFFFFFF)}}}")  # fmt: skip


def multipath(attrs: Attrs) -> AttrDecoder:
    """RTA_MULTIPATH's decoder: ``[[{rtnh_len=...}, [attributes]], ...]``."""

    def decode(reading: Reading, address: int, length: int, family: int) -> str | None:
        size = _RTNEXTHOP.size
        if length < size:
            return None
        items: list[str] = []
        in_array, at, left = False, address, length
        while True:
            data = read_struct(reading, at, size)
            if data is None:
                items.append(hex_address(at))
                break
            fields = _RTNEXTHOP.unpack(data)
            shown = min(left, fields[0])
            in_array = in_array or (at == address and fields[0] < length)
            text = _next_hop(fields)
            if shown > size:
                inner = decode_attrs(reading, at + size, shown - size, attrs, family)
                text = f"[{text}, {inner}]"
            items.append(text)
            step = (shown + 3) & ~3
            if step >= left or step == 0:
                break
            at, left = at + step, left - step
        return "[" + ", ".join(items) + "]" if in_array else ", ".join(items)

    return decode


def via(reading: Reading, address: int, length: int, family: int) -> str | None:
    """``{rtvia_family=AF_INET, rtvia_addr=inet_addr("1.2.3.4")}``."""
    if length < 2:
        return None
    data = read_struct(reading, address, 2)
    if data is None:
        return hex_address(address)
    kind = int.from_bytes(data, "little")
    text = f"{{rtvia_family={family_text(kind)}"
    if length > 2:
        text += ", " + named_address(reading, kind, address + 2, length - 2, "rtvia_addr")
    return text + "}"


def named_address(reading: Reading, family: int, address: int, length: int, name: str) -> str:
    """strace's decode_inet_addr with a field name."""
    size = {2: 4, 10: 16}.get(family, 0)
    if not size or length < size:
        return f"{name}={hex_string(reading, address, length)}"
    data = read_struct(reading, address, size)
    return f"{name}={hex_address(address)}" if data is None else inet_text(family, data, name)


def hwaddr(reading: Reading, address: int, length: int, family: int) -> str | None:
    """``f8:c2:49:13:57``: a link-layer address (strace's print_hwaddr, no family)."""
    if length > _MAX_ADDR_LEN:
        return None
    data = read_struct(reading, address, length)
    return hex_address(address) if data is None else ":".join(f"{b:02x}" for b in data)


def ndt_stats(reading: Reading, address: int, length: int, family: int) -> str | None:
    """struct ndt_stats: 11 counters, or the 10 of the older, shorter one."""
    count = 11 if length >= 88 else 10 if length == 80 else 0
    if not count:
        return None
    data = read_struct(reading, address, count * 8)
    if data is None:
        return hex_address(address)
    values = struct.unpack(f"<{count}Q", data)
    return "{" + ", ".join(f"{n}={v}" for n, v in zip(_NDT_STATS, values, strict=False)) + "}"
