"""A link's attributes by address family (strace's rtnl_link.c): IFLA_PROTINFO's
(a bridge port's IFLA_BRPORT_*, or IPv6's IFLA_INET6_*, by the ifinfomsg's family)
and IFLA_AF_SPEC's (one nest per family, named by it: IPv4's and IPv6's
configuration arrays, MCTP's network)."""

from __future__ import annotations

from traced.decoders.families.sockets import SOCKET_DOMAIN
from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink import sequences as S
from traced.decoders.netlink.attrs import Attrs, by_name, decode_attrs
from traced.decoders.netlink.common import mac_text
from traced.decoders.netlink.text import Reading
from traced.decoders.xlat import format_flags

AF_INET, AF_BRIDGE, AF_INET6, AF_MCTP = 2, 7, 10, 45


def _bridge_id(data: bytes) -> str:
    return f"{{prio=[{data[0]}, {data[1]}], addr={mac_text(data[2:8])}}}"


BRIDGE_ID = A.whole(8, _bridge_id)
_U8 = (
    "STATE", "MODE", "GUARD", "PROTECT", "FAST_LEAVE", "LEARNING", "UNICAST_FLOOD", "PROXYARP",
    "LEARNING_SYNC", "PROXYARP_WIFI", "TOPOLOGY_CHANGE_ACK", "CONFIG_PENDING",
    "MULTICAST_ROUTER", "MCAST_FLOOD", "MCAST_TO_UCAST", "VLAN_TUNNEL", "BCAST_FLOOD",
    "NEIGH_SUPPRESS", "ISOLATED", "MRP_RING_OPEN", "MRP_IN_OPEN", "LOCKED", "MAB",
    "NEIGH_VLAN_SUPPRESS", "NEIGH_FORWARD_GRAT",
)  # fmt: skip
_U16 = ("PRIORITY", "DESIGNATED_PORT", "DESIGNATED_COST", "ID", "NO")
_U32 = (
    "COST", "MCAST_EHT_HOSTS_LIMIT", "MCAST_EHT_HOSTS_CNT", "MCAST_N_GROUPS",
    "MCAST_MAX_GROUPS", "BACKUP_NHID",
)  # fmt: skip
_TIMERS = ("MESSAGE_AGE_TIMER", "FORWARD_DELAY_TIMER", "HOLD_TIMER")
BRPORT = Attrs(T.IFLA_BRPORT_ATTRS, "IFLA_BRPORT_???", by_name(T.IFLA_BRPORT_ATTRS, {
    **{f"IFLA_BRPORT_{name}": A.u8 for name in _U8},
    **{f"IFLA_BRPORT_{name}": A.u16 for name in _U16},
    **{f"IFLA_BRPORT_{name}": A.u32 for name in _U32},
    **{f"IFLA_BRPORT_{name}": A.clock_t for name in _TIMERS},
    "IFLA_BRPORT_ROOT_ID": BRIDGE_ID, "IFLA_BRPORT_BRIDGE_ID": BRIDGE_ID,
    "IFLA_BRPORT_GROUP_FWD_MASK": A.x16, "IFLA_BRPORT_BACKUP_PORT": A.ifindex,
}))  # fmt: skip
INET6 = Attrs(T.IFLA_INET6_ATTRS, "IFLA_INET6_???", by_name(T.IFLA_INET6_ATTRS, {
    "IFLA_INET6_CONF": S.indexed("i", T.DEVCONF, "DEVCONF_???"),
    "IFLA_INET6_STATS": S.indexed("Q", T.IPSTATS_MIB, "IPSTATS_MIB_???"),
    "IFLA_INET6_CACHEINFO": A.fields("IIII", ("max_reasm_len", str), ("tstamp", str),
                                     ("reachable_time", str), ("retrans_time", str)),
    "IFLA_INET6_ICMP6STATS": S.indexed("Q", T.ICMP6_MIB, "ICMP6_MIB_???"),
    "IFLA_INET6_TOKEN": A.in6_addr,
    "IFLA_INET6_ADDR_GEN_MODE": A.xval(T.IN6_ADDR_GEN_MODES, "IN6_ADDR_GEN_MODE_???", 1),
    "IFLA_INET6_RA_MTU": A.u32,
    "IFLA_INET6_FLAGS": A.flags(T.IF_INET6_FLAGS, "IF_???", 4),
}))  # fmt: skip
INET = Attrs(T.IFLA_INET_ATTRS, "IFLA_INET_???", by_name(T.IFLA_INET_ATTRS, {
    "IFLA_INET_CONF": S.indexed("i", T.IPV4_DEVCONF, "IPV4_DEVCONF_???", shift=1),
}))  # fmt: skip
MCTP = Attrs(T.IFLA_MCTP_ATTRS, "IFLA_MCTP_???", by_name(T.IFLA_MCTP_ATTRS, {
    "IFLA_MCTP_NET": A.u32, "IFLA_MCTP_PHYS_BINDING": A.x8,
}))  # fmt: skip

PROTINFO = A.by_family({AF_BRIDGE: BRPORT, AF_INET6: INET6})
_BY_FAMILY = A.by_family({AF_INET: INET, AF_INET6: INET6, AF_MCTP: MCTP})
_FAMILIES = Attrs(SOCKET_DOMAIN, "AF_???", every=_BY_FAMILY)
_VLAN_FLAGS = A.flags(T.BRIDGE_VLAN_INFO_FLAGS, "BRIDGE_VLAN_INFO_???", 2)


def _vlan_info(data: bytes) -> str:
    flags, vid = int.from_bytes(data[:2], "little"), int.from_bytes(data[2:4], "little")
    text = format_flags(flags, T.BRIDGE_VLAN_INFO_FLAGS, "BRIDGE_VLAN_INFO_???").text
    return f"{{flags={text}, vid={vid}}}"


_TUNNEL = Attrs(T.IFLA_BRIDGE_VLAN_TUNNEL_ATTRS, "IFLA_BRIDGE_VLAN_TUNNEL_???", by_name(
    T.IFLA_BRIDGE_VLAN_TUNNEL_ATTRS, {
        "IFLA_BRIDGE_VLAN_TUNNEL_ID": A.u32, "IFLA_BRIDGE_VLAN_TUNNEL_VID": A.u16,
        "IFLA_BRIDGE_VLAN_TUNNEL_FLAGS": _VLAN_FLAGS,
    }))  # fmt: skip
_BRIDGE = Attrs(T.IFLA_BRIDGE_ATTRS, "IFLA_BRIDGE_???", by_name(T.IFLA_BRIDGE_ATTRS, {
    "IFLA_BRIDGE_FLAGS": A.flags(T.BRIDGE_FLAGS, "BRIDGE_FLAGS_???", 2),
    "IFLA_BRIDGE_MODE": A.xval(T.BRIDGE_MODES, "BRIDGE_MODE_???", 2),
    "IFLA_BRIDGE_VLAN_INFO": A.struct_then_rest(4, _vlan_info),
    "IFLA_BRIDGE_VLAN_TUNNEL_INFO": A.nested(_TUNNEL),
}))  # fmt: skip


def af_spec(reading: Reading, address: int, length: int, family: int) -> str | None:
    """IFLA_AF_SPEC: AF_BRIDGE's own attributes, else a nest per address family."""
    attrs = _BRIDGE if family == AF_BRIDGE else _FAMILIES
    return decode_attrs(reading, address, length, attrs, family)
