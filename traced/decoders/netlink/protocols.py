"""Each protocol's payloads: which decoder reads a message's payload, by the
socket's protocol (strace's netlink_decoders), and the small protocols' own.

NETLINK_SELINUX's two messages carry one integer each; NETLINK_NETFILTER's start
with a struct nfgenmsg, then attributes strace does not name; NETLINK_ROUTE's and
NETLINK_SOCK_DIAG's have modules of their own (route, diag).
"""

from __future__ import annotations

import struct

from traced.decoders.netlink import _tables as T
from traced.decoders.netlink.attrs import Attrs, decode_attrs
from traced.decoders.netlink.common import family_text
from traced.decoders.netlink.diag import decode_diag
from traced.decoders.netlink.kinds import (
    NETFILTER,
    NLMSG_DONE,
    NLMSG_MIN_TYPE,
    ROUTE,
    SELINUX,
    SOCK_DIAG,
)
from traced.decoders.netlink.messages import Payload
from traced.decoders.netlink.route import decode_route
from traced.decoders.netlink.text import Reading, hex_string, read_struct
from traced.decoders.values import chex, hex_address
from traced.decoders.xlat import format_enum, styled

_SELINUX = dict(T.SELINUX_TYPES)
_SETENFORCE, _POLICYLOAD = _SELINUX["SELNL_MSG_SETENFORCE"], _SELINUX["SELNL_MSG_POLICYLOAD"]


def _selinux(reading: Reading, fields: tuple[int, ...], address: int, length: int) -> str | None:
    """``{val=1}`` (setenforce's int), ``{seqno=3}`` (policyload's u32)."""
    kind = fields[1]
    if kind not in (_SETENFORCE, _POLICYLOAD):
        return None
    if length < 4:
        return hex_string(reading, address, length)
    data = read_struct(reading, address, 4)
    if data is None:
        return hex_address(address)
    if kind == _SETENFORCE:
        return f"{{val={struct.unpack('<i', data)[0]}}}"
    return f"{{seqno={struct.unpack('<I', data)[0]}}}"


_NFTABLES = dict(T.NFNL_SUBSYS)["NFNL_SUBSYS_NFTABLES"]
_BATCHES = tuple(value for _, value in T.NFNL_BATCH_TYPES)
_NO_NAMES = Attrs((), "")


def _res_id(raw: int, subsystem: int) -> str:
    """nfgenmsg's res_id, in network order but for the nftables' that are not."""
    value = int.from_bytes(raw.to_bytes(2, "little"), "big")
    if subsystem == _NFTABLES and value == _NFTABLES:
        return styled("htons(NFNL_SUBSYS_NFTABLES)", chex(raw))
    if subsystem == _NFTABLES and raw == _NFTABLES:
        return styled("NFNL_SUBSYS_NFTABLES", chex(raw))
    return f"htons({value})"


def _netfilter(reading: Reading, fields: tuple[int, ...], address: int, length: int) -> str | None:
    """``{nfgen_family=AF_UNIX, version=NFNETLINK_V0, res_id=htons(10)}``, then the
    attributes (unnamed: strace has no names for any subsystem's)."""
    kind = fields[1]
    if kind == NLMSG_DONE:
        return None
    if length < 4:
        return hex_string(reading, address, length)
    data = read_struct(reading, address, 4)
    if data is None:
        return hex_address(address)
    family, version, res_id = struct.unpack("<BBH", data)
    version_text = format_enum(version, T.NFNETLINK_VERSIONS, "NFNETLINK_???").text
    text = (f"{{nfgen_family={family_text(family)}, version={version_text}, "
            f"res_id={_res_id(res_id, kind >> 8)}}}")  # fmt: skip
    if length <= 4:
        return text
    if min(_BATCHES) <= kind <= max(_BATCHES) or kind < NLMSG_MIN_TYPE:
        return text + ", " + hex_string(reading, address + 4, length - 4)
    return text + ", " + decode_attrs(reading, address + 4, length - 4, _NO_NAMES)


_DECODERS: dict[int, Payload] = {
    SELINUX: _selinux,
    SOCK_DIAG: decode_diag,
    ROUTE: decode_route,
    NETFILTER: _netfilter,
}


def payload_decoder(protocol: int) -> Payload | None:
    """The decoder of ``protocol``'s payloads, if strace has one."""
    return _DECODERS.get(protocol)
