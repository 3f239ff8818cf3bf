"""RTM_GETSTATS' attributes (IFLA_STATS_*, after a struct if_stats_msg), as strace
decodes them (its rtnl_stats.c): the link's 64-bit counters, the extended
statistics of bridges (per VLAN, STP) and bonds (802.3ad), the offloaded ones, and
per address family (MPLS').  A struct longer than the one known is followed by the
rest in hex."""

from __future__ import annotations

import struct

from traced.decoders.families.sockets import SOCKET_DOMAIN
from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink.attrs import AttrDecoder, Attrs, by_name
from traced.decoders.netlink.link_attrs import LINK_STATS64
from traced.decoders.xlat import format_flags, named

AF_MPLS = 28


def _counters(names: tuple[str, ...]) -> AttrDecoder:
    layout = struct.Struct(f"<{len(names)}Q")

    def show(data: bytes) -> str:
        pairs = zip(names, layout.unpack(data), strict=True)
        return "{" + ", ".join(f"{name}={value}" for name, value in pairs) + "}"

    return A.struct_then_rest(layout.size, show)


_VLAN = struct.Struct("<QQQQHHI")


def _vlan(data: bytes) -> str:
    rx_bytes, rx_packets, tx_bytes, tx_packets, vid, flags, pad2 = _VLAN.unpack(data)
    flag_text = format_flags(flags, T.BRIDGE_VLAN_INFO_FLAGS, "BRIDGE_VLAN_INFO_???").text
    pad = f", pad2={pad2:#x}" if pad2 else ""
    return (f"{{rx_bytes={rx_bytes}, rx_packets={rx_packets}, tx_bytes={tx_bytes}, "
            f"tx_packets={tx_packets}, vid={vid}, flags={flag_text}{pad}}}")  # fmt: skip


_MCAST_FIELDS = (
    ("igmp_v1queries", 2),
    ("igmp_v2queries", 2),
    ("igmp_v3queries", 2),
    ("igmp_leaves", 2),
    ("igmp_v1reports", 2),
    ("igmp_v2reports", 2),
    ("igmp_v3reports", 2),
    ("igmp_parse_errors", 1),
    ("mld_v1queries", 2),
    ("mld_v2queries", 2),
    ("mld_leaves", 2),
    ("mld_v1reports", 2),
    ("mld_v2reports", 2),
    ("mld_parse_errors", 1),
    ("mcast_bytes", 2),
    ("mcast_packets", 2),
)  # fmt: skip: struct br_mcast_stats, its arrays indexed by direction
_MCAST = struct.Struct(f"<{sum(count for _, count in _MCAST_FIELDS)}Q")


def _direction(index: int) -> str:
    name = next((name for name, value in T.BR_MCAST_DIRS if value == index), None)
    return named(index, name, "", decimal=True)


def _mcast(data: bytes) -> str:
    values = iter(_MCAST.unpack(data))
    parts = []
    for name, count in _MCAST_FIELDS:
        if count == 1:
            parts.append(f"{name}={next(values)}")
        else:
            items = ", ".join(f"[{_direction(index)}]={next(values)}" for index in range(count))
            parts.append(f"{name}=[{items}]")
    return "{" + ", ".join(parts) + "}"


_BRIDGE = Attrs(T.BRIDGE_XSTATS_ATTRS, "BRIDGE_XSTATS_???", by_name(T.BRIDGE_XSTATS_ATTRS, {
    "BRIDGE_XSTATS_VLAN": A.struct_then_rest(_VLAN.size, _vlan),
    "BRIDGE_XSTATS_MCAST": A.struct_then_rest(_MCAST.size, _mcast),
    "BRIDGE_XSTATS_STP": _counters(("transition_blk", "transition_fwd", "rx_bpdu", "tx_bpdu",
                                    "rx_tcn", "tx_tcn")),
}))  # fmt: skip
# strace 6.1 names an unknown 802.3ad counter as it names an unknown BOND_XSTATS_*
_BOND_3AD = Attrs(
    T.BOND_3AD_STAT_ATTRS,
    "BOND_XSTATS_???",
    {value: A.u64 for name, value in T.BOND_3AD_STAT_ATTRS if name != "BOND_3AD_STAT_PAD"},
)
_BOND = Attrs(T.BOND_XSTATS_ATTRS, "BOND_XSTATS_???", by_name(T.BOND_XSTATS_ATTRS, {
    "BOND_XSTATS_3AD": A.nested(_BOND_3AD),
}))  # fmt: skip
_XSTATS = Attrs(T.LINK_XSTATS_TYPES, "LINK_XSTATS_TYPE_???", by_name(T.LINK_XSTATS_TYPES, {
    "LINK_XSTATS_TYPE_BRIDGE": A.nested(_BRIDGE), "LINK_XSTATS_TYPE_BOND": A.nested(_BOND),
}))  # fmt: skip
_OFFLOAD = Attrs(T.IFLA_OFFLOAD_XSTATS_ATTRS, "IFLA_OFFLOAD_XSTATS_???", by_name(
    T.IFLA_OFFLOAD_XSTATS_ATTRS, {"IFLA_OFFLOAD_XSTATS_CPU_HIT": LINK_STATS64}))  # fmt: skip
_MPLS = Attrs(T.MPLS_STATS_ATTRS, "MPLS_STATS_???", by_name(T.MPLS_STATS_ATTRS, {
    "MPLS_STATS_LINK": _counters(("rx_packets", "tx_packets", "rx_bytes", "tx_bytes",
                                  "rx_errors", "tx_errors", "rx_dropped", "tx_dropped",
                                  "rx_noroute")),
}))  # fmt: skip
_AF = Attrs(SOCKET_DOMAIN, "AF_???", every=A.by_family({AF_MPLS: _MPLS}))

IFLA_STATS = Attrs(T.IFLA_STATS_ATTRS, "IFLA_STATS_???", by_name(T.IFLA_STATS_ATTRS, {
    "IFLA_STATS_LINK_64": LINK_STATS64, "IFLA_STATS_LINK_XSTATS": A.nested(_XSTATS),
    "IFLA_STATS_LINK_XSTATS_SLAVE": A.nested(_XSTATS),
    "IFLA_STATS_LINK_OFFLOAD_XSTATS": A.nested(_OFFLOAD), "IFLA_STATS_AF_SPEC": A.nested(_AF),
}))  # fmt: skip
