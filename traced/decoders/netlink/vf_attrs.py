"""A link's virtual functions (IFLA_VFINFO_LIST: IFLA_VF_INFO nests of IFLA_VF_*
attributes), as strace decodes them (its rtnl_link.c): each VF's struct of
settings, its statistics, VLANs, and InfiniBand GUIDs (of two sizes, as the
struct's alignment differs between ABIs)."""

from __future__ import annotations

import struct

from traced.decoders import _constants as K
from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink.attrs import AttrDecoder, Attrs, by_name
from traced.decoders.netlink.common import mac_text
from traced.decoders.netlink.text import Reading, read_struct
from traced.decoders.values import hex_address
from traced.decoders.xlat import format_enum

U = str


def _settings(*names: str) -> AttrDecoder:
    """A struct of u32s: the VF's number, then its settings."""
    return A.fields("I" * len(names), *((name, U) for name in names))


def _link_state(value: int) -> str:
    return format_enum(value, T.IFLA_VF_LINK_STATES, "IFLA_VF_LINK_STATE_???").text


def _vlan_info(data: bytes) -> str:
    vf, vlan, qos, proto = struct.unpack("<IIIH", data[:14])
    proto = int.from_bytes(proto.to_bytes(2, "little"), "big")
    return (f"{{vf={vf}, vlan={vlan}, qos={qos}, "
            f"vlan_proto=htons({format_enum(proto, K.ETH_P, 'ETH_P_???').text})}}")  # fmt: skip


def guid(reading: Reading, address: int, length: int, family: int) -> str | None:
    """struct ifla_vf_guid, packed (12 bytes) or aligned (16)."""
    if length not in (12, 16):
        return None
    data = read_struct(reading, address, length)
    if data is None:
        return hex_address(address)
    vf, value = struct.unpack_from("<I", data)[0], struct.unpack_from("<Q", data, length - 8)[0]
    return f"{{vf={vf}, guid={A.chex(value)}}}"


_STATS = Attrs(
    T.IFLA_VF_STATS_ATTRS,
    "IFLA_VF_STATS_???",
    {value: A.u64 for name, value in T.IFLA_VF_STATS_ATTRS if name != "IFLA_VF_STATS_PAD"},
)
_VLAN_LIST = Attrs(T.IFLA_VF_VLAN_LIST_ATTRS, "IFLA_VF_VLAN_INFO_???", by_name(
    T.IFLA_VF_VLAN_LIST_ATTRS, {"IFLA_VF_VLAN_INFO": A.whole(16, _vlan_info)}))  # fmt: skip
_VF = Attrs(T.IFLA_VF_ATTRS, "IFLA_VF_???", by_name(T.IFLA_VF_ATTRS, {
    "IFLA_VF_MAC": A.whole(36, lambda data: f"{{vf={int.from_bytes(data[:4], 'little')}, "
                                            f"mac={mac_text(data[4:36])}}}"),
    "IFLA_VF_VLAN": _settings("vf", "vlan", "qos"),
    "IFLA_VF_TX_RATE": _settings("vf", "rate"),
    "IFLA_VF_SPOOFCHK": _settings("vf", "setting"),
    "IFLA_VF_LINK_STATE": A.fields("II", ("vf", U), ("link_state", _link_state)),
    "IFLA_VF_RATE": _settings("vf", "min_tx_rate", "max_tx_rate"),
    "IFLA_VF_RSS_QUERY_EN": _settings("vf", "setting"),
    "IFLA_VF_STATS": A.nested(_STATS),
    "IFLA_VF_TRUST": _settings("vf", "setting"),
    "IFLA_VF_IB_NODE_GUID": guid, "IFLA_VF_IB_PORT_GUID": guid,
    "IFLA_VF_VLAN_LIST": A.nested(_VLAN_LIST),
    "IFLA_VF_BROADCAST": A.whole(32, lambda data: f"{{broadcast={mac_text(data)}}}"),
}))  # fmt: skip
VFINFO_LIST = A.nested(Attrs(T.IFLA_VF_INFO_ATTRS, "IFLA_VF_INFO_???", by_name(
    T.IFLA_VF_INFO_ATTRS, {"IFLA_VF_INFO": A.nested(_VF)})))  # fmt: skip
