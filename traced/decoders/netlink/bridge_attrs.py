"""RTM_*MDB's attributes (after a struct br_port_msg): a bridge's multicast
database entries and its multicast router ports, as strace decodes them (its
rtnl_mdb.c)."""

from __future__ import annotations

import struct

from traced.decoders.families.sockets import SOCKET_DOMAIN
from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink.attrs import Attrs, by_name, decode_attrs
from traced.decoders.netlink.common import ifindex_text, inet_text
from traced.decoders.netlink.text import Reading, read_struct
from traced.decoders.values import hex_address
from traced.decoders.xlat import format_enum, format_flags

_ENTRY = struct.Struct("<IBBH16sH2x")  # struct br_mdb_entry: its addr a union and a proto
_AF_INET, _AF_INET6 = 2, 10


def _union(proto: int, data: bytes) -> str:
    if proto == _AF_INET:
        return inet_text(proto, data[:4], "u")
    if proto == _AF_INET6:
        return inet_text(proto, data, "u")
    return 'u="' + "".join(f"\\x{byte:02x}" for byte in data) + '"'


def _entry_text(data: bytes) -> str:
    index, state, flags, vid, union, proto = _ENTRY.unpack(data)
    proto = int.from_bytes(proto.to_bytes(2, "little"), "big")
    return (
        f"{{ifindex={ifindex_text(index)}, "
        f"state={format_enum(state, T.MDB_STATES, 'MDB_???').text}, "
        f"flags={format_flags(flags, T.MDB_FLAGS, 'MDB_FLAGS_???').text}, vid={vid}, "
        f"addr={{{_union(proto, union)}, "
        f"proto=htons({format_enum(proto, SOCKET_DOMAIN, 'AF_???').text})}}}}"
    )


_EATTR = Attrs(T.MDBA_MDB_EATTR_ATTRS, "MDBA_MDB_EATTR_???", by_name(T.MDBA_MDB_EATTR_ATTRS, {
    "MDBA_MDB_EATTR_TIMER": A.clock_t,
}))  # fmt: skip


def _entry_info(reading: Reading, address: int, length: int, family: int) -> str | None:
    """struct br_mdb_entry, then its attributes."""
    if length < _ENTRY.size:
        return None
    data = read_struct(reading, address, _ENTRY.size)
    text = hex_address(address) if data is None else _entry_text(data)
    if length > _ENTRY.size:
        text += ", " + decode_attrs(reading, address + _ENTRY.size, length - _ENTRY.size, _EATTR)
    return text


_PATTR = Attrs(T.MDBA_ROUTER_PATTR_ATTRS, "MDBA_ROUTER_PATTR_???", by_name(
    T.MDBA_ROUTER_PATTR_ATTRS, {
        "MDBA_ROUTER_PATTR_TIMER": A.clock_t,
        "MDBA_ROUTER_PATTR_TYPE": A.number("B", lambda value: format_enum(
            value, T.MDB_RTR_TYPES, "MDB_RTR_TYPE_???").text),
        "MDBA_ROUTER_PATTR_INET_TIMER": A.clock_t, "MDBA_ROUTER_PATTR_INET6_TIMER": A.clock_t,
    }))  # fmt: skip


def _router_port(reading: Reading, address: int, length: int, family: int) -> str | None:
    """An ifindex, then the port's attributes."""
    if length < 4:
        return None
    data = read_struct(reading, address, 4)
    text = hex_address(address) if data is None else ifindex_text(struct.unpack("<I", data)[0])
    if length > 4:
        text += ", " + decode_attrs(reading, address + 4, length - 4, _PATTR)
    return text


_MDB_ENTRY = Attrs(T.MDBA_MDB_ENTRY_ATTRS, "MDBA_MDB_ENTRY_???", by_name(
    T.MDBA_MDB_ENTRY_ATTRS, {"MDBA_MDB_ENTRY_INFO": _entry_info}))  # fmt: skip
_MDB = Attrs(T.MDBA_MDB_ATTRS, "MDBA_MDB_???", by_name(T.MDBA_MDB_ATTRS, {
    "MDBA_MDB_ENTRY": A.nested(_MDB_ENTRY)}))  # fmt: skip
_ROUTER = Attrs(T.MDBA_ROUTER_ATTRS, "MDBA_ROUTER_???", by_name(T.MDBA_ROUTER_ATTRS, {
    "MDBA_ROUTER_PORT": _router_port}))  # fmt: skip
MDBA = Attrs(T.MDBA_ATTRS, "MDBA_???", by_name(T.MDBA_ATTRS, {
    "MDBA_MDB": A.nested(_MDB), "MDBA_ROUTER": A.nested(_ROUTER)}))  # fmt: skip
