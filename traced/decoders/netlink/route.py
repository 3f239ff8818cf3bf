"""NETLINK_ROUTE's payloads (strace's netlink_route.c and rtnl_*.c): each message
type's struct, picked by the type, then its attributes.

Every rtnetlink struct starts with an address family (one byte).  strace prints
it, then, if the payload holds the whole struct, the other fields (the struct's
address where it cannot read them; ``...`` where the payload is too short), then
the attributes after the struct (aligned to 4 bytes) as ``[{nla_len=..., ...}]``.
A type with no struct prints as its family and the rest in hex.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import NamedTuple

from traced.decoders import _constants as K
from traced.decoders.families.sockets import SOCKET_DOMAIN
from traced.decoders.netlink import _tables as T
from traced.decoders.netlink.attrs import Attrs, decode_attrs
from traced.decoders.netlink.common import family_and_data, family_text, ifindex_text
from traced.decoders.netlink.kinds import NLMSG_DONE
from traced.decoders.netlink.route_attrs import ATTRS, CREPORT
from traced.decoders.netlink.text import Reading, read_struct
from traced.decoders.values import hex_address
from traced.decoders.xlat import Table, format_enum, format_flags

Show = Callable[[int], str]


def _enum(table: Table, unknown: str = "") -> Show:
    return lambda value: format_enum(value, table, unknown).text


def _flags(table: Table, unknown: str) -> Show:
    return lambda value: format_flags(value, table, unknown).text


def _hex(value: int) -> str:
    return f"{value:#x}" if value else "0"


class Field(NamedTuple):
    name: str  # "" for padding, not printed
    show: Show = str
    if_set: bool = False  # printed only when not zero (a reserved field)


class Layout(NamedTuple):
    """A struct after its family byte: the family's field name, the rest's format
    (None: a struct of the family alone), its fields, and its attributes' kind."""

    family: str
    rest: struct.Struct | None
    fields: tuple[Field, ...]
    attrs: str | Attrs  # a key of route_attrs.ATTRS, the attributes, or "" for none
    families: Table = ()  # names of families the family field may hold beyond AF_*


_PAD = Field("")
_IFINDEX = ifindex_text
_STATS = tuple((f"1<<{name}", 1 << value) for name, value in T.IFLA_STATS_ATTRS)
_SCOPE, _TABLE = _enum(T.RT_SCOPES), _enum(T.RT_TABLES)
_PROTOCOL, _RTN = _enum(T.RTPROT, "RTPROT_???"), _enum(T.RTN_TYPES, "RTN_???")
_TOS = _flags(T.IPTOS, "IPTOS_???")

IFINFOMSG = Layout(
    "ifi_family",
    struct.Struct("<xHiII"),
    (
        Field("ifi_type", _enum(K.ARPHRD, "ARPHRD_???")),
        Field("ifi_index", _IFINDEX),
        Field("ifi_flags", _flags(K.IFF_FLAGS, "IFF_???")),
        Field("ifi_change", _hex),
    ),
    "ifla",
)
IFADDRMSG = Layout(
    "ifa_family",
    struct.Struct("<BBBI"),
    (
        Field("ifa_prefixlen"),
        Field("ifa_flags", _flags(T.IFA_F_FLAGS, "IFA_F_???")),
        Field("ifa_scope", _SCOPE),
        Field("ifa_index", _IFINDEX),
    ),
    "ifa",
)
RTMSG = Layout(
    "rtm_family",
    struct.Struct("<BBBBBBBI"),
    (
        Field("rtm_dst_len"),
        Field("rtm_src_len"),
        Field("rtm_tos", _TOS),
        Field("rtm_table", _TABLE),
        Field("rtm_protocol", _PROTOCOL),
        Field("rtm_scope", _SCOPE),
        Field("rtm_type", _RTN),
        Field("rtm_flags", _flags(T.RTM_F_FLAGS, "RTM_F_???")),
    ),
    "rta",
)
NDMSG = Layout(
    "ndm_family",
    struct.Struct("<xxxiHBB"),
    (
        Field("ndm_ifindex", _IFINDEX),
        Field("ndm_state", _flags(T.NUD_STATES, "NUD_???")),
        Field("ndm_flags", _flags(T.NTF_FLAGS, "NTF_???")),
        Field("ndm_type", _RTN),
    ),
    "nda",
)
FIB_RULE_HDR = Layout(
    "family",
    struct.Struct("<BBBBxxBI"),
    (
        Field("dst_len"),
        Field("src_len"),
        Field("tos", _TOS),
        Field("table", _enum(T.RT_TABLES, "RT_TABLE_???")),
        Field("action", _enum(T.FR_ACTIONS, "FR_ACT_???")),
        Field("flags", _flags(T.FIB_RULE_FLAGS, "FIB_RULE_???")),
    ),
    "fra",
)
TCMSG = Layout(
    "tcm_family",
    struct.Struct("<xxxiIII"),
    (Field("tcm_ifindex", _IFINDEX), Field("tcm_handle"), Field("tcm_parent"), Field("tcm_info")),
    "tca",
)
IFSTATSMSG = Layout(
    "family",
    struct.Struct("<BHII"),
    (
        Field("pad1", _hex, if_set=True),
        Field("pad2", _hex, if_set=True),
        Field("ifindex", _IFINDEX),
        Field("filter_mask", _flags(_STATS, "1<<IFLA_STATS_???")),
    ),
    "ifla_stats",
)
NHMSG = Layout(
    "nh_family",
    struct.Struct("<BBBI"),
    (
        Field("nh_scope", _SCOPE),
        Field("nh_protocol", _PROTOCOL),
        Field("resvd", _hex, if_set=True),
        Field("nh_flags", _flags(T.RTNH_F_FLAGS, "RTNH_F_???")),
    ),
    "nha",
)
BR_PORT_MSG = Layout("family", struct.Struct("<xxxI"), (Field("ifindex", _IFINDEX),), "mdba")
DCBMSG = Layout(
    "dcb_family", struct.Struct("<Bxx"), (Field("cmd", _enum(T.DCB_CMDS, "DCB_CMD_???")),), "dcb"
)
IFADDRLBLMSG = Layout(
    "ifal_family",
    struct.Struct("<xBBII"),
    (
        Field("ifal_prefixlen"),
        Field("ifal_flags"),
        Field("ifal_index", _IFINDEX),
        Field("ifal_seq"),
    ),
    "ifal",
)
NETCONFMSG = Layout("ncm_family", None, (), "netconfa")
RTGENMSG = Layout("rtgen_family", None, (), "netnsa")
CACHEREPORT = Layout("rtgen_family", None, (), "creport", T.RTNL_FAMILIES)
TCAMSG = Layout("tca_family", struct.Struct("<xxx"), (), "tca_root")
NDTMSG = Layout("ndtm_family", struct.Struct("<xxx"), (), "ndta")
# fmt: skip  (the layouts above read as their C structs)


def _fields_text(layout: Layout, data: bytes) -> str:
    assert layout.rest is not None
    values = layout.rest.unpack(data)
    pairs = zip(layout.fields, values, strict=True)
    shown = [f"{field.name}={field.show(value)}" for field, value in pairs
             if field.name and not (field.if_set and not value)]  # fmt: skip
    return ", ".join(shown)


def _family(layout: Layout, family: int) -> str:
    if not layout.families:
        return family_text(family)
    return format_enum(family, layout.families + SOCKET_DOMAIN, "RTNL_FAMILY_???").text


def _struct_size(layout: Layout) -> int:
    return 1 + (layout.rest.size if layout.rest is not None else 0)


def layout_text(reading: Reading, layout: Layout, family: int, address: int, length: int) -> str:
    """The struct and, after it, its attributes (strace's decode_<struct>)."""
    size = _struct_size(layout)
    text = f"{{{layout.family}={_family(layout, family)}"
    whole = layout.rest is None or not layout.fields
    if layout.rest is not None and layout.fields:
        if length >= size:
            data = read_struct(reading, address + 1, size - 1)
            if data is None:
                text += f", {hex_address(address + 1)}"
            else:
                text += ", " + _fields_text(layout, data)
                whole = True
        else:
            text += ", ..."
    text += "}"
    start = (size + 3) & ~3
    if not whole or length <= start:
        return text
    rest, size = address + start, length - start
    if layout.attrs == "creport":  # RTM_NEWCACHEREPORT's, by family
        return text + ", " + (CREPORT(reading, rest, size, family) or "")
    if not layout.attrs:
        return text
    attrs = ATTRS[layout.attrs] if isinstance(layout.attrs, str) else layout.attrs
    return text + ", " + decode_attrs(reading, rest, size, attrs, family)


_R = dict(T.ROUTE_TYPES)


def _by_verbs(layout: Layout, *nouns: str) -> dict[int, Layout]:
    return {_R[f"RTM_{verb}{noun}"]: layout for noun in nouns for verb in ("NEW", "DEL", "GET",
            "SET") if f"RTM_{verb}{noun}" in _R}  # fmt: skip


LAYOUTS: dict[int, Layout] = {
    **_by_verbs(IFINFOMSG, "LINK"), **_by_verbs(IFADDRMSG, "ADDR", "MULTICAST", "ANYCAST"),
    **_by_verbs(RTMSG, "ROUTE"), **_by_verbs(NDMSG, "NEIGH"), **_by_verbs(FIB_RULE_HDR, "RULE"),
    **_by_verbs(TCMSG, "QDISC", "TCLASS", "TFILTER", "CHAIN"), **_by_verbs(TCAMSG, "ACTION"),
    **_by_verbs(NDTMSG, "NEIGHTBL"), **_by_verbs(IFADDRLBLMSG, "ADDRLABEL"),
    **_by_verbs(DCBMSG, "DCB"), **_by_verbs(NETCONFMSG, "NETCONF"),
    **_by_verbs(BR_PORT_MSG, "MDB"), **_by_verbs(RTGENMSG, "NSID"),
    **_by_verbs(IFSTATSMSG, "STATS"), **_by_verbs(CACHEREPORT, "CACHEREPORT"),
    **_by_verbs(NHMSG, "NEXTHOP"),
}  # fmt: skip
_AF_BRIDGE = 7


def decode_route(
    reading: Reading, fields: tuple[int, ...], address: int, length: int
) -> str | None:
    kind = fields[1]
    if kind == NLMSG_DONE:
        return None
    data = read_struct(reading, address, 1)
    if data is None:
        return hex_address(address)
    family = data[0]
    layout = LAYOUTS.get(kind)
    if kind == _R["RTM_GETNEIGH"] and family == _AF_BRIDGE:
        layout = IFINFOMSG
    if layout is None:
        return family_and_data(reading, family, address, length)
    return layout_text(reading, layout, family, address, length)
