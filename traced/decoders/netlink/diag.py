"""NETLINK_SOCK_DIAG's payloads (strace's netlink_sock_diag.c and its per-family
files): a request's or a response's struct by the address family it starts with
(the message's NLM_F_REQUEST flag tells which), then, for a response, its
attributes.  A family with no struct here prints as its family and the rest in hex.

Done: AF_UNIX's, AF_NETLINK's and AF_PACKET's here, AF_INET's and AF_INET6's in
inet_diag, AF_SMC's in smc_diag."""

from __future__ import annotations

import struct
from collections.abc import Callable

from traced.decoders import _constants as K
from traced.decoders.families.bpf_filter import program_text, socket_k
from traced.decoders.families.sockets import SOCK_TYPE
from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink import sequences as S
from traced.decoders.netlink.attrs import Attrs, by_name
from traced.decoders.netlink.common import family_and_data, ifindex_text
from traced.decoders.netlink.inet_diag import STATE_BITS, inet_diag
from traced.decoders.netlink.kinds import NLMSG_DONE
from traced.decoders.netlink.route import Field, Layout, layout_text
from traced.decoders.netlink.smc_diag import smc_diag
from traced.decoders.netlink.text import Reading, read_struct
from traced.decoders.values import hex_address
from traced.decoders.xlat import Table, format_enum, format_flags

AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_SMC = 1, 2, 10, 16, 17, 43
_REQUEST = 1  # NLM_F_REQUEST


def _cookie(value: int) -> str:
    """A u32[2] cookie read as one u64: ``[low, high]``."""
    return f"[{value & 0xFFFFFFFF}, {value >> 32}]"


def _dev(value: int) -> str:
    """A dev_t as strace spells it: ``makedev(0x1, 0x3)``."""
    major = ((value >> 32) & 0xFFFFF000) | ((value >> 8) & 0xFFF)
    minor = ((value >> 12) & 0xFFFFFF00) | (value & 0xFF)
    return f"makedev({A.chex(major)}, {A.chex(minor)})"


def _vfs(data: bytes) -> str:
    """struct unix_diag_vfs: its inode comes first, strace prints its device first."""
    inode, dev = struct.unpack("<II", data)
    return f"{{udiag_vfs_dev={_dev(dev)}, udiag_vfs_ino={inode}}}"


_RING4 = A.fields("IIII", *((name, str) for name in (
    "ndr_block_size", "ndr_block_nr", "ndr_frame_size", "ndr_frame_nr")))  # fmt: skip
_RING7 = A.fields("IIIIIII", *((name, str) for name in (
    "pdr_block_size", "pdr_block_nr", "pdr_frame_size", "pdr_frame_nr", "pdr_retire_tmo",
    "pdr_sizeof_priv", "pdr_features")))  # fmt: skip


def _uid(value: int) -> str:
    return "-1" if value == 0xFFFFFFFF else str(value)


_UNIX_ATTRS = Attrs(T.UNIX_DIAG_ATTRS, "UNIX_DIAG_???", by_name(T.UNIX_DIAG_ATTRS, {
    "UNIX_DIAG_NAME": A.string,
    "UNIX_DIAG_VFS": A.whole(8, _vfs),
    "UNIX_DIAG_PEER": A.u32,
    "UNIX_DIAG_ICONS": S.array("I", lambda data: str(int.from_bytes(data, "little"))),
    "UNIX_DIAG_RQLEN": A.fields("II", ("udiag_rqueue", str), ("udiag_wqueue", str)),
    "UNIX_DIAG_MEMINFO": S.indexed("I", T.SK_MEMINFO, "SK_MEMINFO_???"),
    "UNIX_DIAG_SHUTDOWN": A.u8, "UNIX_DIAG_UID": A.number("I", _uid),
}))  # fmt: skip
UNIX_REQ = Layout("sdiag_family", struct.Struct("<BxxIIIQ"), (
    Field("sdiag_protocol"),
    Field("udiag_states", lambda v: format_flags(v, STATE_BITS, "1<<TCP_???").text),
    Field("udiag_ino"),
    Field("udiag_show", lambda v: format_flags(v, T.UDIAG_SHOW, "UDIAG_SHOW_???").text),
    Field("udiag_cookie", _cookie)), "")  # fmt: skip
UNIX_MSG = Layout("udiag_family", struct.Struct("<BBxIQ"), (
    Field("udiag_type", lambda v: format_enum(v, SOCK_TYPE, "SOCK_???").text),
    Field("udiag_state", lambda v: format_enum(v, T.TCP_STATES, "TCP_???").text),
    Field("udiag_ino"), Field("udiag_cookie", _cookie)), _UNIX_ATTRS)  # fmt: skip


def _enum(table: Table, unknown: str) -> Callable[[int], str]:
    return lambda value: format_enum(value, table, unknown).text


def _flags(table: Table, unknown: str) -> Callable[[int], str]:
    return lambda value: format_flags(value, table, unknown).text


_NETLINK_ATTRS = Attrs(T.NETLINK_DIAG_ATTRS, "NETLINK_DIAG_???", by_name(T.NETLINK_DIAG_ATTRS, {
    "NETLINK_DIAG_MEMINFO": S.indexed("I", T.SK_MEMINFO, "SK_MEMINFO_???"),
    "NETLINK_DIAG_GROUPS": S.array("Q", lambda data: A.chex(int.from_bytes(data, "little"))),
    "NETLINK_DIAG_RX_RING": _RING4, "NETLINK_DIAG_TX_RING": _RING4,
    "NETLINK_DIAG_FLAGS": A.number("I", _flags(T.NDIAG_FLAGS, "NDIAG_FLAG_???")),
}))  # fmt: skip
NETLINK_REQ = Layout("sdiag_family", struct.Struct("<BxxIIQ"), (
    Field("sdiag_protocol", lambda v: format_enum(
        v, T.NDIAG_PROTO + T.NETLINK_PROTOCOLS, "NETLINK_???").text),
    Field("ndiag_ino"), Field("ndiag_show", _flags(T.NDIAG_SHOW, "NDIAG_SHOW_???")),
    Field("ndiag_cookie", _cookie)), "")  # fmt: skip
NETLINK_MSG = Layout("ndiag_family", struct.Struct("<BBBIIIIQ"), (
    Field("ndiag_type", _enum(SOCK_TYPE, "SOCK_???")),
    Field("ndiag_protocol", _enum(T.NETLINK_PROTOCOLS, "NETLINK_???")),
    Field("ndiag_state", _enum(T.NETLINK_STATES, "NETLINK_???")), Field("ndiag_portid"),
    Field("ndiag_dst_portid"), Field("ndiag_dst_group"), Field("ndiag_ino"),
    Field("ndiag_cookie", _cookie)), _NETLINK_ATTRS)  # fmt: skip


def _mclist(data: bytes) -> str:
    index, count, kind, length = struct.unpack_from("<IIHH", data)
    hexed = "".join(f"\\x{byte:02x}" for byte in data[12 : 12 + min(length, 32)])
    return (f"{{pdmc_index={ifindex_text(index)}, pdmc_count={count}, pdmc_type={kind}, "
            f'pdmc_alen={length}, pdmc_addr="{hexed}"}}')  # fmt: skip


_BPF_MAXINSNS_FIELD = 0xFFFF  # sock_fprog's len is an unsigned short
_SOCK_FILTER_SIZE = 8


def _filter(reading: Reading, address: int, length: int, family: int) -> str | None:
    """PACKET_DIAG_FILTER: the socket's classic BPF program (strace's
    print_sock_fprog), its address unless -v; as many whole instructions as the
    attribute holds, none (or more than a sock_fprog counts) printing in hex."""
    count = length // _SOCK_FILTER_SIZE
    if not count or count > _BPF_MAXINSNS_FIELD:
        return None
    if not reading.options.verbose:
        return hex_address(address)
    return program_text(address, count, reading.memory, reading.options, socket_k)


_PACKET_ATTRS = Attrs(T.PACKET_DIAG_ATTRS, "PACKET_DIAG_???", by_name(T.PACKET_DIAG_ATTRS, {
    "PACKET_DIAG_INFO": A.fields("IIIIII", ("pdi_index", ifindex_text),
                                 ("pdi_version", _enum(T.TPACKET_VERSIONS, "TPACKET_???")),
                                 ("pdi_reserve", str), ("pdi_copy_thresh", str),
                                 ("pdi_tstamp", str),
                                 ("pdi_flags", _flags(T.PDI_FLAGS, "PDI_???"))),
    "PACKET_DIAG_MCLIST": S.array("IIHH32s", _mclist),
    "PACKET_DIAG_RX_RING": _RING7, "PACKET_DIAG_TX_RING": _RING7,
    "PACKET_DIAG_FANOUT": A.u32, "PACKET_DIAG_UID": A.number("I", _uid),
    "PACKET_DIAG_MEMINFO": S.indexed("I", T.SK_MEMINFO, "SK_MEMINFO_???"),
    "PACKET_DIAG_FILTER": _filter,
}))  # fmt: skip
PACKET_REQ = Layout("sdiag_family", struct.Struct("<BxxIIQ"), (
    Field("sdiag_protocol", A.chex), Field("pdiag_ino"),
    Field("pdiag_show", _flags(T.PACKET_SHOW, "PACKET_SHOW_???")),
    Field("pdiag_cookie", _cookie)), "")  # fmt: skip
PACKET_MSG = Layout("pdiag_family", struct.Struct("<BHIQ"), (
    Field("pdiag_type", _enum(SOCK_TYPE, "SOCK_???")),
    Field("pdiag_num", _enum(K.ETH_P, "ETH_P_???")), Field("pdiag_ino"),
    Field("pdiag_cookie", _cookie)), _PACKET_ATTRS)  # fmt: skip

# family -> (request's layout, response's)
_LAYOUTS: dict[int, tuple[Layout, Layout]] = {
    AF_UNIX: (UNIX_REQ, UNIX_MSG), AF_NETLINK: (NETLINK_REQ, NETLINK_MSG),
    AF_PACKET: (PACKET_REQ, PACKET_MSG),
}  # fmt: skip


def decode_diag(reading: Reading, fields: tuple[int, ...], address: int, length: int) -> str | None:
    if fields[1] == NLMSG_DONE:
        return None
    data = read_struct(reading, address, 1)
    if data is None:
        return hex_address(address)
    family = data[0]
    if family in (AF_INET, AF_INET6) and length > 1:
        return inet_diag(reading, fields, address, length, family)
    if family == AF_SMC and length > 1:
        return smc_diag(reading, address, length, family, bool(fields[2] & _REQUEST))
    layouts = _LAYOUTS.get(family)
    if layouts is None or length <= 1:
        return family_and_data(reading, family, address, length)
    layout = layouts[0] if fields[2] & _REQUEST else layouts[1]
    return layout_text(reading, layout, family, address, length)
