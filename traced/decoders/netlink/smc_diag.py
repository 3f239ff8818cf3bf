"""AF_SMC's sock_diag payloads (strace's netlink_smc_diag.c).

A request is a struct smc_diag_req {u8 diag_family, pad[2], diag_ext; struct
inet_diag_sockid id} (52 bytes); a response a struct smc_diag_msg {u8 diag_family,
diag_state, diag_fallback (diag_mode), diag_shutdown; struct inet_diag_sockid id; u32
diag_uid; u64 diag_inode} (64 bytes), then attributes: SMC_DIAG_CONNINFO (struct
smc_diag_conninfo, four u32 sizes, cursors {u16 reserved, wrap; u32 count} and four
u8 flags), SMC_DIAG_LGRINFO (one struct smc_diag_linkinfo {u8 link_id, char
ibname[64], u8 ibport, char gid[40], peer_gid[40]} and a u8 role), SMC_DIAG_SHUTDOWN
(a u8 of RCV_SHUTDOWN and SEND_SHUTDOWN), SMC_DIAG_DMBINFO (struct smcd_diag_dmbinfo,
a u32 linkid then four u64, 40 bytes) and SMC_DIAG_FALLBACK (two u32 CLC decline
codes).  An SMC socket keeps its address as AF_INET does.  The states, roles and
decline codes are named in kernel headers outside uapi (_tables.py cites them);
strace always prints the decline codes as numbers with their names in a comment.
"""

from __future__ import annotations

import struct

from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink.attrs import Attrs, decode_attrs
from traced.decoders.netlink.common import family_text
from traced.decoders.netlink.inet_diag import sockid_text
from traced.decoders.netlink.text import Reading, read_struct
from traced.decoders.strings import quote
from traced.decoders.values import chex, hex_address
from traced.decoders.xlat import format_enum, format_flags, lookup

AF_INET = 2
_REQ = struct.Struct("<xxB48s")  # after diag_family
_MSG = struct.Struct("<BBB48sIQ")
_EXT = tuple((f"1<<({name}-1)", 1 << (value - 1)) for name, value in T.SMC_DIAG_ATTRS if value)
_CURSOR = struct.Struct("<HHI")
_CONNINFO = struct.Struct("<4I8s8s8s8s4B8s8s8s")
_LINKINFO = struct.Struct("<B64sB40s40s")
_DMBINFO = struct.Struct("<I4x4Q")
_FALLBACK = struct.Struct("<II")


def _cursor(data: bytes) -> str:
    reserved, wrap, count = _CURSOR.unpack(data)
    return f"{{reserved={reserved}, wrap={wrap}, count={count}}}"


def _conninfo(data: bytes) -> str:
    token, sndbuf, rmbe, peer_rmbe, *rest = _CONNINFO.unpack(data)
    rx_prod, rx_cons, tx_prod, tx_cons, *flags = rest[:8]
    tx_prep, tx_sent, tx_fin = rest[8:]
    parts = [
        f"token={token}", f"sndbuf_size={sndbuf}", f"rmbe_size={rmbe}",
        f"peer_rmbe_size={peer_rmbe}", f"rx_prod={_cursor(rx_prod)}",
        f"rx_cons={_cursor(rx_cons)}", f"tx_prod={_cursor(tx_prod)}",
        f"tx_cons={_cursor(tx_cons)}",
    ]  # fmt: skip
    names = ("rx_prod_flags", "rx_conn_state_flags", "tx_prod_flags", "tx_conn_state_flags")
    parts += [f"{name}={chex(value)}" for name, value in zip(names, flags, strict=True)]
    parts += [f"tx_prep={_cursor(tx_prep)}", f"tx_sent={_cursor(tx_sent)}"]
    parts.append(f"tx_fin={_cursor(tx_fin)}")
    return "{" + ", ".join(parts) + "}"


def _cstring(data: bytes) -> str:
    """A char array: up to its NUL, ``...`` after it where it has none."""
    text, nul, _ = data.partition(b"\0")
    return quote(text, not nul)


def _lgrinfo(data: bytes) -> str:
    link_id, ibname, ibport, gid, peer_gid = _LINKINFO.unpack_from(data)
    role = data[_LINKINFO.size]
    link = (
        f"{{link_id={link_id}, ibname={_cstring(ibname)}, ibport={ibport}, "
        f"gid={_cstring(gid)}, peer_gid={_cstring(peer_gid)}}}"
    )
    return f"{{lnk=[{link}], role={format_enum(role, T.SMC_LGR_ROLES, 'SMC_???').text}}}"


def _dmbinfo(data: bytes) -> str:
    linkid, peer_gid, my_gid, token, peer_token = _DMBINFO.unpack(data)
    return (
        f"{{linkid={linkid}, peer_gid={chex(peer_gid)}, my_gid={chex(my_gid)}, "
        f"token={chex(token)}, peer_token={chex(peer_token)}}}"
    )


def _decline(value: int) -> str:
    """A CLC decline code: the number, its name in a comment whatever -X says."""
    return f"{chex(value)} /* {lookup(value, T.SMC_CLC_DECL) or 'SMC_CLC_DECL_???'} */"


def _fallback(data: bytes) -> str:
    reason, peer = _FALLBACK.unpack(data)
    return f"{{reason={_decline(reason)}, peer_diagnosis={_decline(peer)}}}"


_ATTRS = Attrs(T.SMC_DIAG_ATTRS, "SMC_DIAG_???", {
    value: decoder for name, value in T.SMC_DIAG_ATTRS
    for key, decoder in (
        ("SMC_DIAG_CONNINFO", A.whole(_CONNINFO.size, _conninfo)),
        ("SMC_DIAG_LGRINFO", A.whole(_LINKINFO.size + 1, _lgrinfo)),
        ("SMC_DIAG_SHUTDOWN", A.flags(T.SOCK_SHUTDOWN, "???_SHUTDOWN", size=1)),
        ("SMC_DIAG_DMBINFO", A.whole(_DMBINFO.size, _dmbinfo)),
        ("SMC_DIAG_FALLBACK", A.whole(_FALLBACK.size, _fallback)),
    ) if key == name
})  # fmt: skip


def _request(data: bytes) -> str:
    ext, sockid = _REQ.unpack(data)
    flags = format_flags(ext, _EXT, "1<<SMC_DIAG_???-1").text
    return f"diag_ext={flags}, id={sockid_text(sockid, AF_INET)}"


def _response(data: bytes) -> str:
    state, mode, shutdown, sockid, uid, inode = _MSG.unpack(data)
    return (
        f"diag_state={format_enum(state, T.SMC_STATES, 'SMC_???').text}, "
        f"diag_fallback={format_enum(mode, T.SMC_DIAG_MODES, 'SMC_DIAG_MODE_???').text}, "
        f"diag_shutdown={shutdown}, id={sockid_text(sockid, AF_INET)}, diag_uid={uid}, "
        f"diag_inode={inode}"
    )


def smc_diag(reading: Reading, address: int, length: int, family: int, request: bool) -> str:
    """An AF_SMC request (NLM_F_REQUEST) or response, and a response's attributes."""
    rest, show = (_REQ, _request) if request else (_MSG, _response)
    head = f"{{diag_family={family_text(family)}, "
    if length < 1 + rest.size:
        return head + "...}"
    data = read_struct(reading, address + 1, rest.size)
    if data is None:
        return head + f"{hex_address(address + 1)}}}"
    text = head + show(data) + "}"
    start = (1 + rest.size + 3) & ~3
    if request or length <= start:
        return text
    return text + ", " + decode_attrs(reading, address + start, length - start, _ATTRS, family)
