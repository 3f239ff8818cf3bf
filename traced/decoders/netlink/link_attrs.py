"""NETLINK_ROUTE's link attributes (IFLA_*, after a struct ifinfomsg), as strace
decodes them (its rtnl_link.c): addresses, counters, and the nests strace reads
(link info's kind, ports, XDP, the alternative names, proto down reasons).  The
nests not read here (IFLA_AF_SPEC, IFLA_PROTINFO, IFLA_VFINFO_LIST, link info's
data) print in hex."""

from __future__ import annotations

from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink import route_special as S
from traced.decoders.netlink import sequences as Q
from traced.decoders.netlink.attrs import Attrs, by_name
from traced.decoders.netlink.link_af import PROTINFO, af_spec
from traced.decoders.netlink.linkinfo import linkinfo
from traced.decoders.netlink.vf_attrs import VFINFO_LIST

_STATS = (
    "rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors", "rx_dropped",
    "tx_dropped", "multicast", "collisions", "rx_length_errors", "rx_over_errors",
    "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors", "rx_missed_errors",
    "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors", "tx_heartbeat_errors",
    "tx_window_errors", "rx_compressed", "tx_compressed", "rx_nohandler",
)  # fmt: skip
LINK_STATS = Q.counters("I", _STATS, 23)
LINK_STATS64 = Q.counters("Q", (*_STATS, "rx_otherhost_dropped"), 24, 23)
_IFMAP = A.fields("QQQHBB", ("mem_start", A.chex), ("mem_end", A.chex),
                  ("base_addr", A.chex), ("irq", str), ("dma", str), ("port", str))  # fmt: skip
_INFO = Attrs(T.IFLA_INFO_ATTRS, "IFLA_INFO_???", by_name(T.IFLA_INFO_ATTRS, {
    "IFLA_INFO_KIND": A.string, "IFLA_INFO_SLAVE_KIND": A.string,
}))  # fmt: skip


def _hexed(data: bytes) -> str:
    return '"' + "".join(f"\\x{byte:02x}" for byte in data) + '"'


def _vsi(data: bytes) -> str:
    """struct ifla_port_vsi: its padding shown only when not zero."""
    pad = f", pad={_hexed(data[5:8])}" if any(data[5:8]) else ""
    return (f"{{vsi_mgr_id={data[0]}, vsi_type_id={_hexed(data[1:4])}, "
            f"vsi_type_version={data[4]}{pad}}}")  # fmt: skip


_PORT = Attrs(T.IFLA_PORT_ATTRS, "IFLA_PORT_???", by_name(T.IFLA_PORT_ATTRS, {
    "IFLA_PORT_VF": A.u32, "IFLA_PORT_PROFILE": A.string, "IFLA_PORT_VSI_TYPE": A.whole(8, _vsi),
    "IFLA_PORT_REQUEST": A.u8,
    "IFLA_PORT_RESPONSE": A.u16,
}))  # fmt: skip
_VF_PORT = Attrs(T.IFLA_VF_PORT_ATTRS, "IFLA_VF_PORT_???", by_name(T.IFLA_VF_PORT_ATTRS, {
    "IFLA_VF_PORT": A.nested(_PORT),
}))  # fmt: skip
_XDP = Attrs(T.IFLA_XDP_ATTRS, "IFLA_XDP_???", by_name(T.IFLA_XDP_ATTRS, {
    "IFLA_XDP_FD": A.s32, "IFLA_XDP_ATTACHED": A.xval(T.XDP_ATTACHED, "XDP_ATTACHED_???", 1),
    "IFLA_XDP_FLAGS": A.number("I", lambda value: A.flag_text(value, T.XDP_FLAGS,
                                                               "XDP_FLAGS_???")),
    "IFLA_XDP_PROG_ID": A.u32, "IFLA_XDP_DRV_PROG_ID": A.u32, "IFLA_XDP_SKB_PROG_ID": A.u32,
    "IFLA_XDP_HW_PROG_ID": A.u32, "IFLA_XDP_EXPECTED_FD": A.s32,
}))  # fmt: skip
_DOWN_REASON = Attrs(T.IFLA_PROTO_DOWN_REASON_ATTRS, "IFLA_PROTO_DOWN_REASON_???", by_name(
    T.IFLA_PROTO_DOWN_REASON_ATTRS, {
        "IFLA_PROTO_DOWN_REASON_MASK": A.x32, "IFLA_PROTO_DOWN_REASON_VALUE": A.x32,
    }))  # fmt: skip

_U32 = (
    "IFLA_MTU", "IFLA_LINK", "IFLA_MASTER", "IFLA_TXQLEN", "IFLA_WEIGHT", "IFLA_NET_NS_PID",
    "IFLA_NUM_VF", "IFLA_GROUP", "IFLA_PROMISCUITY", "IFLA_NUM_TX_QUEUES",
    "IFLA_NUM_RX_QUEUES", "IFLA_CARRIER_CHANGES", "IFLA_GSO_MAX_SEGS", "IFLA_GSO_MAX_SIZE",
    "IFLA_CARRIER_UP_COUNT", "IFLA_CARRIER_DOWN_COUNT", "IFLA_MIN_MTU", "IFLA_MAX_MTU",
    "IFLA_GRO_MAX_SIZE", "IFLA_TSO_MAX_SIZE", "IFLA_TSO_MAX_SEGS", "IFLA_ALLMULTI",
    "IFLA_DEVLINK_PORT", "IFLA_GSO_IPV4_MAX_SIZE", "IFLA_GRO_IPV4_MAX_SIZE",
)  # fmt: skip
_STRINGS = (
    "IFLA_IFNAME", "IFLA_QDISC", "IFLA_IFALIAS", "IFLA_PHYS_PORT_NAME", "IFLA_ALT_IFNAME",
    "IFLA_PARENT_DEV_NAME", "IFLA_PARENT_DEV_BUS_NAME",
)  # fmt: skip
IFLA = Attrs(T.IFLA_ATTRS, "IFLA_???", by_name(T.IFLA_ATTRS, {
    **dict.fromkeys(_U32, A.u32), **dict.fromkeys(_STRINGS, A.string),
    "IFLA_ADDRESS": S.hwaddr, "IFLA_BROADCAST": S.hwaddr, "IFLA_PERM_ADDRESS": S.hwaddr,
    "IFLA_STATS": LINK_STATS, "IFLA_MAP": _IFMAP, "IFLA_OPERSTATE": A.u8,
    "IFLA_LINKMODE": A.u8, "IFLA_LINKINFO": A.nested(_INFO), "IFLA_STATS64": LINK_STATS64,
    "IFLA_VF_PORTS": A.nested(_VF_PORT), "IFLA_PORT_SELF": A.nested(_PORT),
    "IFLA_NET_NS_FD": A.s32, "IFLA_EXT_MASK": A.flags(T.RTEXT_FILTERS, "RTEXT_FILTER_???", 4),
    "IFLA_CARRIER": A.u8, "IFLA_LINK_NETNSID": A.s32, "IFLA_PROTO_DOWN": A.u8,
    "IFLA_XDP": A.nested(_XDP),
    "IFLA_EVENT": A.number("I", lambda value: A.enum_text(value, T.IFLA_EVENTS,
                                                           "IFLA_EVENT_???")),
    "IFLA_NEW_NETNSID": A.s32, "IFLA_IF_NETNSID": A.s32, "IFLA_NEW_IFINDEX": A.ifindex,
    "IFLA_PROTO_DOWN_REASON": A.nested(_DOWN_REASON),
}))  # fmt: skip
IFLA.decoders[dict(T.IFLA_ATTRS)["IFLA_PROP_LIST"]] = A.nested(IFLA)  # its names are IFLA's
IFLA.decoders[dict(T.IFLA_ATTRS)["IFLA_PROTINFO"]] = PROTINFO
IFLA.decoders[dict(T.IFLA_ATTRS)["IFLA_AF_SPEC"]] = af_spec
IFLA.decoders[dict(T.IFLA_ATTRS)["IFLA_LINKINFO"]] = linkinfo
IFLA.decoders[dict(T.IFLA_ATTRS)["IFLA_VFINFO_LIST"]] = VFINFO_LIST
