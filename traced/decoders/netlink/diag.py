"""NETLINK_SOCK_DIAG's payloads (strace's netlink_sock_diag.c and its per-family
files): a request's or a response's struct by the address family it starts with
(the message's NLM_F_REQUEST flag tells which), then, for a response, its
attributes.  A family with no struct here prints as its family and the rest in hex.

Done: AF_UNIX's (struct unix_diag_req, unix_diag_msg and UNIX_DIAG_*)."""

from __future__ import annotations

import struct

from traced.decoders.families.sockets import SOCK_TYPE
from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink.attrs import AttrDecoder, Attrs
from traced.decoders.netlink.common import family_and_data
from traced.decoders.netlink.kinds import NLMSG_DONE
from traced.decoders.netlink.route import Field, Layout, layout_text
from traced.decoders.netlink.text import Reading, read_struct
from traced.decoders.values import hex_address
from traced.decoders.xlat import Table, format_enum, format_flags

AF_UNIX = 1
_REQUEST = 1  # NLM_F_REQUEST
_STATE_BITS = tuple((f"1<<{name}", 1 << value) for name, value in T.TCP_STATES)


def _by_name(table: Table, decoders: dict[str, AttrDecoder]) -> dict[int, AttrDecoder]:
    values = dict(table)
    return {values[name]: decoder for name, decoder in decoders.items() if name in values}


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


def _uid(value: int) -> str:
    return "-1" if value == 0xFFFFFFFF else str(value)


_UNIX_ATTRS = Attrs(T.UNIX_DIAG_ATTRS, "UNIX_DIAG_???", _by_name(T.UNIX_DIAG_ATTRS, {
    "UNIX_DIAG_NAME": A.string,
    "UNIX_DIAG_VFS": A.whole(8, _vfs),
    "UNIX_DIAG_PEER": A.u32,
    "UNIX_DIAG_ICONS": A.array("I", lambda data: str(int.from_bytes(data, "little"))),
    "UNIX_DIAG_RQLEN": A.fields("II", ("udiag_rqueue", str), ("udiag_wqueue", str)),
    "UNIX_DIAG_MEMINFO": A.indexed("I", T.SK_MEMINFO, "SK_MEMINFO_???", unsigned=True),
    "UNIX_DIAG_SHUTDOWN": A.u8, "UNIX_DIAG_UID": A.number("I", _uid),
}))  # fmt: skip
UNIX_REQ = Layout("sdiag_family", struct.Struct("<BxxIIIQ"), (
    Field("sdiag_protocol"),
    Field("udiag_states", lambda v: format_flags(v, _STATE_BITS, "1<<TCP_???").text),
    Field("udiag_ino"),
    Field("udiag_show", lambda v: format_flags(v, T.UDIAG_SHOW, "UDIAG_SHOW_???").text),
    Field("udiag_cookie", _cookie)), "")  # fmt: skip
UNIX_MSG = Layout("udiag_family", struct.Struct("<BBxIQ"), (
    Field("udiag_type", lambda v: format_enum(v, SOCK_TYPE, "SOCK_???").text),
    Field("udiag_state", lambda v: format_enum(v, T.TCP_STATES, "TCP_???").text),
    Field("udiag_ino"), Field("udiag_cookie", _cookie)), _UNIX_ATTRS)  # fmt: skip

# family -> (request's layout, response's)
_LAYOUTS: dict[int, tuple[Layout, Layout]] = {AF_UNIX: (UNIX_REQ, UNIX_MSG)}


def decode_diag(reading: Reading, fields: tuple[int, ...], address: int, length: int) -> str | None:
    if fields[1] == NLMSG_DONE:
        return None
    data = read_struct(reading, address, 1)
    if data is None:
        return hex_address(address)
    family = data[0]
    layouts = _LAYOUTS.get(family)
    if layouts is None or length <= 1:
        return family_and_data(reading, family, address, length)
    layout = layouts[0] if fields[2] & _REQUEST else layouts[1]
    return layout_text(reading, layout, family, address, length)
