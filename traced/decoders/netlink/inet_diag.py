"""NETLINK_SOCK_DIAG's AF_INET and AF_INET6 payloads (strace's
netlink_inet_diag.c): the old request (TCPDIAG_GETSOCK, DCCPDIAG_GETSOCK), the
current one (SOCK_DIAG_BY_FAMILY), and the response, each with the socket's
identity (ports, addresses of the family, interface, cookie), then attributes.

The request's bytecode attribute is a run of struct inet_diag_bc_op; only its
first op is decoded, as strace does.  Of the response's attributes, those not
listed here print in hex."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import NamedTuple

from traced.decoders.families.sockets import IPPROTO
from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink import sequences as S
from traced.decoders.netlink.attrs import Attrs, by_name, decode_attrs
from traced.decoders.netlink.common import family_text, ifindex_text, inet_text
from traced.decoders.netlink.inet_diag_attrs import (
    BPF_STORAGES,
    MD5SIG,
    ULP_INFO,
    sockaddrs,
    sockopt,
)
from traced.decoders.netlink.route_special import named_address
from traced.decoders.netlink.text import Reading, hex_string, read_struct
from traced.decoders.style import RAW, current
from traced.decoders.values import chex, hex_address
from traced.decoders.xlat import Table, flag_names, format_enum, format_flags, with_rest

# TCP states as the bits of a diag request's states mask (unix diag's too).
STATE_BITS = tuple((f"1<<{name}", 1 << value) for name, value in T.TCP_STATES)
_SOCKID = struct.Struct("<HH16s16sIQ")
_EXT = tuple((f"1<<({name}-1)", 1 << (value - 1)) for name, value in T.INET_DIAG_ATTRS if value)
_AF_INET, _AF_INET6 = 2, 10
TCPDIAG_GETSOCK, DCCPDIAG_GETSOCK = (dict(T.SOCK_DIAG_TYPES)[name] for name in (
    "TCPDIAG_GETSOCK", "DCCPDIAG_GETSOCK"))  # fmt: skip


def _port(raw: int) -> str:
    return f"htons({int.from_bytes(raw.to_bytes(2, 'little'), 'big')})"


def _address(family: int, data: bytes, name: str) -> str:
    if family == _AF_INET:
        return inet_text(family, data[:4], name)
    if family == _AF_INET6:
        return inet_text(family, data, name)
    return f'{name}="' + "".join(f"\\x{byte:02x}" for byte in data) + '"'


def sockid_text(data: bytes, family: int) -> str:
    """struct inet_diag_sockid: ``{idiag_sport=htons(0), ..., idiag_cookie=[0, 0]}``."""
    sport, dport, source, dest, index, cookie = _SOCKID.unpack(data)
    return (
        f"{{idiag_sport={_port(sport)}, idiag_dport={_port(dport)}, "
        f"{_address(family, source, 'idiag_src')}, {_address(family, dest, 'idiag_dst')}, "
        f"idiag_if={ifindex_text(index)}, "
        f"idiag_cookie=[{cookie & 0xFFFFFFFF}, {cookie >> 32}]}}"
    )


def _flags(value: int, table: Table, unknown: str) -> str:
    return format_flags(value, table, unknown).text


def _bc_op(data: bytes) -> str:
    code, yes, no = struct.unpack("<BBH", data)
    return (f"{{code={format_enum(code, T.INET_DIAG_BC, 'INET_DIAG_BC_???').text}, "
            f"yes={yes}, no={no}}}")  # fmt: skip


_BC = dict(T.INET_DIAG_BC)
_COMPARISONS = {_BC[name] for name in ("INET_DIAG_BC_S_GE", "INET_DIAG_BC_S_LE",
                                       "INET_DIAG_BC_D_GE", "INET_DIAG_BC_D_LE")}  # fmt: skip


def _bytecode_data(reading: Reading, address: int, length: int, code: int) -> str:
    """What follows an op, by its code (strace's decode_bytecode_data)."""
    if code in (_BC["INET_DIAG_BC_S_COND"], _BC["INET_DIAG_BC_D_COND"]):
        return _hostcond(reading, address, length)
    sizes = {_BC["INET_DIAG_BC_DEV_COND"]: 4, _BC["INET_DIAG_BC_MARK_COND"]: 8}
    size = 4 if code in _COMPARISONS else sizes.get(code, 0)
    if not size or length < size:
        return hex_string(reading, address, length)
    data = read_struct(reading, address, size)
    if data is None:
        return hex_address(address)
    if code in _COMPARISONS:
        return _bc_op(data)
    if size == 4:
        return ifindex_text(struct.unpack("<I", data)[0])
    mark, mask = struct.unpack("<II", data)
    return f"{{mark={mark}, mask={mask}}}"


def _hostcond(reading: Reading, address: int, length: int) -> str:
    """struct inet_diag_hostcond, then its address of its family."""
    if length < 8:
        return hex_string(reading, address, length)
    data = read_struct(reading, address, 8)
    if data is None:
        return hex_address(address)
    family, prefix_len, port = struct.unpack("<BBxxi", data)
    text = f"{{family={family_text(family)}, prefix_len={prefix_len}, port={port}"
    if length > 8:
        text += ", " + named_address(reading, family, address + 8, length - 8, "addr")
    return text + "}"


def _bytecode(reading: Reading, address: int, length: int, family: int) -> str | None:
    """INET_DIAG_REQ_BYTECODE: its first op, then that op's data."""
    if length < 4:
        return None
    data = read_struct(reading, address, 4)
    if data is None:
        return hex_address(address)
    text = _bc_op(data)
    if length > 4:
        text += ", " + _bytecode_data(reading, address + 4, length - 4, data[0])
    return text


def _shutdown(value: int) -> str:
    """INET_DIAG_SHUTDOWN's RCV_SHUTDOWN|SEND_SHUTDOWN: names the kernel keeps out of
    its uapi, so strace shows the number with them in a comment (but in -X raw)."""
    if not value or current().xlat == RAW:
        return chex(value)
    names, rest = flag_names(value, T.SOCK_SHUTDOWN)
    words = "|".join(with_rest(names, rest)) if names else "???_SHUTDOWN"
    return f"{value:#x} /* {words} */"


_REQ_ATTRS = Attrs(T.INET_DIAG_REQ_ATTRS, "INET_DIAG_REQ_???", by_name(T.INET_DIAG_REQ_ATTRS, {
    "INET_DIAG_REQ_BYTECODE": _bytecode,
    "INET_DIAG_REQ_PROTOCOL": A.ip_proto,
}))  # fmt: skip
_MSG_ATTRS = Attrs(T.INET_DIAG_ATTRS, "INET_DIAG_???", by_name(T.INET_DIAG_ATTRS, {
    "INET_DIAG_MEMINFO": A.fields("IIII", ("idiag_rmem", str), ("idiag_wmem", str),
                                  ("idiag_fmem", str), ("idiag_tmem", str)),
    "INET_DIAG_VEGASINFO": A.fields("IIII", ("tcpv_enabled", str), ("tcpv_rttcnt", str),
                                    ("tcpv_rtt", str), ("tcpv_minrtt", str)),
    "INET_DIAG_CONG": A.string, "INET_DIAG_TOS": A.u8, "INET_DIAG_TCLASS": A.u8,
    "INET_DIAG_SHUTDOWN": A.sized(1, _shutdown),
    "INET_DIAG_SKMEMINFO": S.indexed("I", T.SK_MEMINFO, "SK_MEMINFO_???"),
    "INET_DIAG_DCTCPINFO": A.fields("HHIII", ("dctcp_enabled", str), ("dctcp_ce_state", str),
                                    ("dctcp_alpha", str), ("dctcp_ab_ecn", str),
                                    ("dctcp_ab_tot", str)),
    "INET_DIAG_PROTOCOL": A.ip_proto,
    "INET_DIAG_SKV6ONLY": A.u8, "INET_DIAG_MARK": A.u32,
    "INET_DIAG_BBRINFO": A.fields("IIIII", ("bbr_bw_lo", A.chex), ("bbr_bw_hi", A.chex),
                                  ("bbr_min_rtt", str), ("bbr_pacing_gain", str),
                                  ("bbr_cwnd_gain", str)),
    "INET_DIAG_CLASS_ID": A.u32, "INET_DIAG_CGROUP_ID": A.u64, "INET_DIAG_ULP_INFO": ULP_INFO,
    "INET_DIAG_SK_BPF_STORAGES": BPF_STORAGES, "INET_DIAG_LOCALS": sockaddrs,
    "INET_DIAG_PEERS": sockaddrs, "INET_DIAG_MD5SIG": MD5SIG, "INET_DIAG_SOCKOPT": sockopt,
}))  # fmt: skip

_REQ_COMPAT = struct.Struct("<BBB48sII")
_REQ_V2 = struct.Struct("<BBxI48s")
_MSG = struct.Struct("<BBB48sIIIII")


def _req_compat(data: bytes, family: int) -> str:
    src_len, dst_len, ext, sockid, states, dbs = _REQ_COMPAT.unpack(data)
    return (f"idiag_family={family_text(family)}, idiag_src_len={src_len}, "
            f"idiag_dst_len={dst_len}, idiag_ext={_flags(ext, _EXT, '1<<INET_DIAG_???-1')}, "
            f"id={sockid_text(sockid, family)}, "
            f"idiag_states={_flags(states, STATE_BITS, '1<<TCP_???')}, "
            f"idiag_dbs={dbs}")  # fmt: skip


def _req_v2(data: bytes, family: int) -> str:
    protocol, ext, states, sockid = _REQ_V2.unpack(data)
    return (f"sdiag_family={family_text(family)}, "
            f"sdiag_protocol={format_enum(protocol, IPPROTO, 'IPPROTO_???').text}, "
            f"idiag_ext={_flags(ext, _EXT, '1<<INET_DIAG_???-1')}, "
            f"idiag_states={_flags(states, STATE_BITS, '1<<TCP_???')}, "
            f"id={sockid_text(sockid, family)}")  # fmt: skip


def _msg(data: bytes, family: int) -> str:
    state, timer, retrans, sockid, expires, rqueue, wqueue, uid, inode = _MSG.unpack(data)
    return (f"idiag_family={family_text(family)}, "
            f"idiag_state={format_enum(state, T.TCP_STATES, 'TCP_???').text}, "
            f"idiag_timer={timer}, idiag_retrans={retrans}, id={sockid_text(sockid, family)}, "
            f"idiag_expires={expires}, idiag_rqueue={rqueue}, idiag_wqueue={wqueue}, "
            f"idiag_uid={uid}, idiag_inode={inode}")  # fmt: skip


class Shape(NamedTuple):
    """One struct: its layout after the family, the family field's name, its text
    from those bytes and the family, and the attributes after it."""

    layout: struct.Struct
    name: str
    show: Callable[[bytes, int], str]
    attrs: Attrs


def _struct(reading: Reading, address: int, length: int, family: int, shape: Shape) -> str:
    layout, name, show, attrs = shape
    size = 1 + layout.size
    if length < size:
        return f"{{{name}={family_text(family)}, ...}}"
    data = read_struct(reading, address + 1, layout.size)
    if data is None:
        return f"{{{name}={family_text(family)}, {hex_address(address + 1)}}}"
    text = "{" + show(data, family) + "}"
    start = (size + 3) & ~3
    if length > start:
        text += ", " + decode_attrs(reading, address + start, length - start, attrs, family)
    return text


def inet_diag(
    reading: Reading, fields: tuple[int, ...], address: int, length: int, family: int
) -> str:
    """An AF_INET or AF_INET6 request (by its message type) or response."""
    if not fields[2] & 1:  # a response: no NLM_F_REQUEST
        shape = Shape(_MSG, "idiag_family", _msg, _MSG_ATTRS)
    elif fields[1] in (TCPDIAG_GETSOCK, DCCPDIAG_GETSOCK):
        shape = Shape(_REQ_COMPAT, "idiag_family", _req_compat, _REQ_ATTRS)
    else:
        shape = Shape(_REQ_V2, "sdiag_family", _req_v2, _REQ_ATTRS)
    return _struct(reading, address, length, family, shape)
