"""Each protocol's payloads: which decoder reads a message's payload, by the
socket's protocol (strace's netlink_decoders), and the small protocols' own.

NETLINK_SELINUX's two messages carry one integer each; NETLINK_SOCK_DIAG's start
with an address family, by which strace picks the request's or response's struct
(those not decoded here print as the family and the rest in hex).
"""

from __future__ import annotations

import struct

from traced.decoders.netlink import _tables as T
from traced.decoders.netlink.diag import decode_diag
from traced.decoders.netlink.kinds import ROUTE, SELINUX, SOCK_DIAG
from traced.decoders.netlink.messages import Payload
from traced.decoders.netlink.route import decode_route
from traced.decoders.netlink.text import Reading, hex_string, read_struct
from traced.decoders.values import hex_address

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


_DECODERS: dict[int, Payload] = {SELINUX: _selinux, SOCK_DIAG: decode_diag, ROUTE: decode_route}


def payload_decoder(protocol: int) -> Payload | None:
    """The decoder of ``protocol``'s payloads, if strace has one."""
    return _DECODERS.get(protocol)
