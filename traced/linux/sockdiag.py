"""A unix socket's peer and name, asked of the kernel's sock_diag (-yy).

Kernel facts this module depends on:

* A SOCK_DIAG_BY_FAMILY request on a NETLINK_SOCK_DIAG socket with a struct
  unix_diag_req {u8 sdiag_family (AF_UNIX), u8 sdiag_protocol, u16 pad, u32
  udiag_states, u32 udiag_ino, u32 udiag_show, u32 udiag_cookie[2]} and no
  NLM_F_DUMP (Linux 4.4.4 and later) asks for the one socket of that inode: the
  reply is a struct unix_diag_msg {u8 family, type, state, pad; u32 udiag_ino; u32
  cookie[2]} then attributes, those udiag_show asks for: UNIX_DIAG_NAME (the
  address's sun_path bytes, an abstract one's starting with a NUL) and
  UNIX_DIAG_PEER (the peer's inode, a u32; 0 once the peer is gone).  An inode of
  no unix socket is answered with an NLMSG_ERROR.
* The sockets listed are the network namespace's: the tracer's, as strace asks.

strace keeps what it learnt of a socket (a peer or a name) for the rest of its run,
never asking again about that inode (socketutils.c's cache, 1024 entries indexed by
the inode's low bits, a later inode taking an earlier one's place): a socket shows
the peer it had when first seen with one, even after that peer is closed.  So does
this module.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from traced.decoders import _constants as K
from traced.decoders.netlink import _tables as T

_NLMSGHDR = struct.Struct("<IHHII")
_UNIX_DIAG_REQ = struct.Struct("<BBHIIIII")
_UNIX_DIAG_MSG = struct.Struct("<BBBxIII")
_NLA = struct.Struct("<HH")
_AF_UNIX, _AF_NETLINK = (dict(K.ADDRESS_FAMILIES)[name] for name in ("AF_UNIX", "AF_NETLINK"))
_SOCK_DIAG = dict(T.NETLINK_PROTOCOLS)["NETLINK_SOCK_DIAG"]
_BY_FAMILY = dict(T.SOCK_DIAG_TYPES)["SOCK_DIAG_BY_FAMILY"]
_REQUEST = dict(T.NLM_FLAGS)["NLM_F_REQUEST"]
_SHOW = dict(T.UDIAG_SHOW)["UDIAG_SHOW_NAME"] | dict(T.UDIAG_SHOW)["UDIAG_SHOW_PEER"]
_NAME, _PEER = (dict(T.UNIX_DIAG_ATTRS)[name] for name in ("UNIX_DIAG_NAME", "UNIX_DIAG_PEER"))
_UNIX_PATH_MAX = 108
_CACHE_SIZE = 1024  # strace's CACHE_SIZE


class UnixSocket(NamedTuple):
    """What sock_diag says of a unix socket: its peer's inode (0: none) and its
    address's bytes (b"": unbound; a leading NUL: abstract)."""

    peer: int
    name: bytes


_cache: list[tuple[int, UnixSocket] | None] = [None] * _CACHE_SIZE


def request(inode: int) -> bytes:
    """The query about the unix socket of ``inode``, as strace sends it."""
    size = _NLMSGHDR.size + _UNIX_DIAG_REQ.size
    header = _NLMSGHDR.pack(size, _BY_FAMILY, _REQUEST, 0, 0)
    every, no_cookie = 0xFFFFFFFF, 0xFFFFFFFF  # all states; the cookie not checked
    ask = _UNIX_DIAG_REQ.pack(_AF_UNIX, 0, 0, every, inode, _SHOW, no_cookie, no_cookie)
    return header + ask


def parse(reply: bytes, inode: int) -> UnixSocket | None:
    """The socket ``reply`` describes, if it is ``inode``'s and says something of it
    (strace's unix_parse_response: neither a peer nor a name is nothing)."""
    if len(reply) < _NLMSGHDR.size + _UNIX_DIAG_MSG.size:
        return None
    length, kind = _NLMSGHDR.unpack_from(reply)[:2]
    if kind != _BY_FAMILY:
        return None
    family, _, _, found = _UNIX_DIAG_MSG.unpack_from(reply, _NLMSGHDR.size)[:4]
    if family != _AF_UNIX or found != inode:
        return None
    at, end = _NLMSGHDR.size + _UNIX_DIAG_MSG.size, min(length, len(reply))
    peer, name = 0, b""
    while at + _NLA.size <= end:
        size, attr = _NLA.unpack_from(reply, at)
        if size < _NLA.size or at + size > end:
            break
        payload = reply[at + _NLA.size : at + size]
        if attr == _NAME and not name:
            name = payload[:_UNIX_PATH_MAX]
        elif attr == _PEER and len(payload) >= 4:
            peer = int.from_bytes(payload[:4], "little")
        at += (size + 3) & ~3
    return UnixSocket(peer, name) if peer or name else None


def unix_socket(inode: int) -> UnixSocket | None:
    """The peer and name of the unix socket of ``inode``: remembered once known, as
    strace does; None where sock_diag says nothing of it (or cannot be asked)."""
    slot = inode & (_CACHE_SIZE - 1)
    kept = _cache[slot]
    if kept is not None and kept[0] == inode:
        return kept[1]
    import socket  # noqa: PLC0415 (only under -yy, for a unix socket: not every start)

    try:
        with socket.socket(_AF_NETLINK, socket.SOCK_RAW, _SOCK_DIAG) as channel:
            channel.settimeout(1.0)
            channel.send(request(inode))
            found = parse(channel.recv(8192), inode)
    except OSError:
        return None
    if found is not None:
        _cache[slot] = (inode, found)
    return found
