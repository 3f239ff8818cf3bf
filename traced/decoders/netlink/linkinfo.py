"""IFLA_LINKINFO (strace's rtnl_link.c): a link's kind, then data of that kind (a
bridge's IFLA_BR_*, a tun device's IFLA_TUN_*), and a bridge port's slave data.
A CAN device's extended statistics too.  The kind comes first and says how the data
after it reads, so each nest is read with a context of its own: the kinds seen so
far."""

from __future__ import annotations

import struct

from traced.decoders import _constants as K
from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink import route_special as S
from traced.decoders.netlink.attrs import AttrDecoder, Attrs, by_name, decode_attrs
from traced.decoders.netlink.link_af import BRIDGE_ID, BRPORT
from traced.decoders.netlink.text import Reading, read_struct, terminated_string
from traced.decoders.values import hex_address
from traced.decoders.xlat import format_flags

_KIND_SIZE = 16  # strace keeps a kind shorter than this, else none


_BOOLOPT_BITS = tuple((f"1<<{name}", 1 << value) for name, value in T.BR_BOOLOPTS)


def _boolopt(data: bytes) -> str:
    value, mask = struct.unpack("<II", data)
    return (f"{{optval={format_flags(value, _BOOLOPT_BITS, '1<<BR_BOOLOPT_???').text}, "
            f"optmask={format_flags(mask, _BOOLOPT_BITS, '1<<BR_BOOLOPT_???').text}}}")  # fmt: skip


def _ether_proto(reading: Reading, address: int, length: int, family: int) -> str | None:
    """An ethertype in network order: ``htons(ETH_P_8021Q)``."""
    if length < 2:
        return None
    data = read_struct(reading, address, 2)
    if data is None:
        return hex_address(address)
    value = int.from_bytes(data, "big")
    return f"htons({A.enum_text(value, K.ETH_P, 'ETH_P_???')})"


_QUERIER = Attrs(T.BRIDGE_QUERIER_ATTRS, "BRIDGE_QUERIER_???", by_name(T.BRIDGE_QUERIER_ATTRS, {
    "BRIDGE_QUERIER_IP_ADDRESS": A.in_addr, "BRIDGE_QUERIER_IP_PORT": A.ifindex,
    "BRIDGE_QUERIER_IP_OTHER_TIMER": A.clock_t, "BRIDGE_QUERIER_IPV6_ADDRESS": A.in6_addr,
    "BRIDGE_QUERIER_IPV6_PORT": A.ifindex, "BRIDGE_QUERIER_IPV6_OTHER_TIMER": A.clock_t,
}))  # fmt: skip
_U8 = (
    "VLAN_FILTERING", "TOPOLOGY_CHANGE", "TOPOLOGY_CHANGE_DETECTED", "MCAST_ROUTER",
    "MCAST_SNOOPING", "MCAST_QUERY_USE_IFADDR", "MCAST_QUERIER", "NF_CALL_IPTABLES",
    "NF_CALL_IP6TABLES", "NF_CALL_ARPTABLES", "VLAN_STATS_ENABLED", "MCAST_STATS_ENABLED",
    "MCAST_IGMP_VERSION", "MCAST_MLD_VERSION", "VLAN_STATS_PER_PORT",
)  # fmt: skip
_U32 = (
    "STP_STATE", "ROOT_PATH_COST", "MCAST_HASH_ELASTICITY", "MCAST_HASH_MAX",
    "MCAST_LAST_MEMBER_CNT", "MCAST_STARTUP_QUERY_CNT", "FDB_N_LEARNED", "FDB_MAX_LEARNED",
)  # fmt: skip
_TIMERS = (
    "FORWARD_DELAY", "HELLO_TIME", "MAX_AGE", "AGEING_TIME", "HELLO_TIMER", "TCN_TIMER",
    "TOPOLOGY_CHANGE_TIMER", "GC_TIMER", "MCAST_LAST_MEMBER_INTVL", "MCAST_MEMBERSHIP_INTVL",
    "MCAST_QUERIER_INTVL", "MCAST_QUERY_INTVL", "MCAST_QUERY_RESPONSE_INTVL",
    "MCAST_STARTUP_QUERY_INTVL",
)  # fmt: skip
BRIDGE = Attrs(T.IFLA_BR_ATTRS, "IFLA_BR_???", by_name(T.IFLA_BR_ATTRS, {
    **{f"IFLA_BR_{name}": A.u8 for name in _U8},
    **{f"IFLA_BR_{name}": A.u32 for name in _U32},
    **{f"IFLA_BR_{name}": A.clock_t for name in _TIMERS},
    "IFLA_BR_PRIORITY": A.u16, "IFLA_BR_ROOT_PORT": A.u16, "IFLA_BR_VLAN_DEFAULT_PVID": A.u16,
    "IFLA_BR_VLAN_PROTOCOL": _ether_proto, "IFLA_BR_GROUP_FWD_MASK": A.x16,
    "IFLA_BR_ROOT_ID": BRIDGE_ID, "IFLA_BR_BRIDGE_ID": BRIDGE_ID,
    "IFLA_BR_GROUP_ADDR": S.hwaddr, "IFLA_BR_MULTI_BOOLOPT": A.whole(8, _boolopt),
    "IFLA_BR_MCAST_QUERIER_STATE": A.nested(_QUERIER),
}))  # fmt: skip
_ID = A.number("I", lambda value: "-1" if value == 0xFFFFFFFF else str(value))
TUN = Attrs(T.IFLA_TUN_ATTRS, "IFLA_TUN_???", by_name(T.IFLA_TUN_ATTRS, {
    "IFLA_TUN_OWNER": _ID, "IFLA_TUN_GROUP": _ID,
    "IFLA_TUN_TYPE": A.xval(T.TUN_TYPES, "IFF_???", 1), "IFLA_TUN_PI": A.u8,
    "IFLA_TUN_VNET_HDR": A.u8, "IFLA_TUN_PERSIST": A.u8, "IFLA_TUN_MULTI_QUEUE": A.u8,
    "IFLA_TUN_NUM_QUEUES": A.u32, "IFLA_TUN_NUM_DISABLED_QUEUES": A.u32,
}))  # fmt: skip
_DATA = {b"bridge": BRIDGE, b"tun": TUN}
_CAN_STATS = A.fields(
    "IIIIII",
    *(
        (name, str)
        for name in (
            "bus_error",
            "error_warning",
            "error_passive",
            "bus_off",
            "arbitration_lost",
            "restarts",
        )
    ),
)  # fmt: skip: struct can_device_stats (strace's own copy)
_SLAVE_DATA = {b"bridge": BRPORT}
_INFO = dict(T.IFLA_INFO_ATTRS)


def _kind_of(reading: Reading, address: int, length: int) -> bytes:
    """The kind strace keeps from a kind attribute: none from one too long."""
    if length >= _KIND_SIZE:
        return b""
    data = read_struct(reading, address, length)
    return b"" if data is None else data.split(b"\0", 1)[0]


def linkinfo(reading: Reading, address: int, length: int, family: int) -> str | None:
    """IFLA_LINKINFO's nest, its data read by the kinds named before it."""
    seen = {"kind": b"", "slave": b""}

    def kind(key: str) -> AttrDecoder:
        def decode(reading: Reading, address: int, length: int, family: int) -> str | None:
            seen[key] = _kind_of(reading, address, length)
            return terminated_string(reading, address, length)

        return decode

    def data(key: str, choices: dict[bytes, Attrs]) -> AttrDecoder:
        def decode(reading: Reading, address: int, length: int, family: int) -> str | None:
            attrs = choices.get(seen[key])
            return None if attrs is None else decode_attrs(reading, address, length, attrs)

        return decode

    def xstats(reading: Reading, address: int, length: int, family: int) -> str | None:
        return _CAN_STATS(reading, address, length, family) if seen["kind"] == b"can" else None

    attrs = Attrs(T.IFLA_INFO_ATTRS, "IFLA_INFO_???", {
        _INFO["IFLA_INFO_KIND"]: kind("kind"), _INFO["IFLA_INFO_DATA"]: data("kind", _DATA),
        _INFO["IFLA_INFO_XSTATS"]: xstats, _INFO["IFLA_INFO_SLAVE_KIND"]: kind("slave"),
        _INFO["IFLA_INFO_SLAVE_DATA"]: data("slave", _SLAVE_DATA),
    })  # fmt: skip
    return decode_attrs(reading, address, length, attrs, family)
