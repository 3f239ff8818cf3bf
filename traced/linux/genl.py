"""Generic netlink's families, by the names the kernel gives them.

Kernel facts this module depends on:

* NETLINK_GENERIC's message types above the controller's (GENL_ID_CTRL, 0x10) are
  families the kernel numbers as they register ("nlctrl" is always 0x10); only the
  controller knows their names: a CTRL_CMD_GETFAMILY dump request, sent on a
  NETLINK_GENERIC socket, is answered with one message per family, each a struct
  genlmsghdr then attributes, CTRL_ATTR_FAMILY_ID (u16) and CTRL_ATTR_FAMILY_NAME (a
  string), and the dump ends with NLMSG_DONE.
* The numbering is the network namespace's: the tracer's, as strace asks it too.

strace asks once per run; so do we (the answer is cached).
"""

from __future__ import annotations

import functools
import struct

from traced.decoders.netlink import _tables as T
from traced.decoders.xlat import Table

_NLMSGHDR = struct.Struct("<IHHII")
_NLA = struct.Struct("<HH")
_GENLMSGHDR = struct.Struct("<BBH")
_NETLINK_GENERIC = dict(T.NETLINK_PROTOCOLS)["NETLINK_GENERIC"]
_NLMSG_ERROR, _NLMSG_DONE = dict(T.NLMSG_TYPES)["NLMSG_ERROR"], dict(T.NLMSG_TYPES)["NLMSG_DONE"]
_ID, _NAME = (dict(T.GENL_CTRL_ATTRS)[name] for name in (
    "CTRL_ATTR_FAMILY_ID", "CTRL_ATTR_FAMILY_NAME"))  # fmt: skip


def _request() -> bytes:
    flags = dict(T.NLM_FLAGS)["NLM_F_REQUEST"] | dict(T.NLM_GET_FLAGS)["NLM_F_DUMP"]
    size = _NLMSGHDR.size + _GENLMSGHDR.size
    header = _NLMSGHDR.pack(size, dict(T.GENL_ID)["GENL_ID_CTRL"], flags, 1, 0)
    return header + _GENLMSGHDR.pack(dict(T.GENL_CTRL_CMDS)["CTRL_CMD_GETFAMILY"], 1, 0)


def _family(payload: bytes) -> tuple[str, int] | None:
    """A reply's family (name, id), from its attributes after the genlmsghdr."""
    at, found = _GENLMSGHDR.size, {}
    while at + _NLA.size <= len(payload):
        length, kind = _NLA.unpack_from(payload, at)
        if length < _NLA.size:
            break
        found[kind & 0x3FFF] = payload[at + _NLA.size : at + length]
        at += (length + 3) & ~3
    if _ID not in found or _NAME not in found or len(found[_ID]) < 2:
        return None
    name = found[_NAME].split(b"\0", 1)[0].decode("ascii", "replace")
    return name, int.from_bytes(found[_ID][:2], "little")


def _replies(data: bytes) -> tuple[list[tuple[str, int]], bool]:
    """The families in one read, and whether the dump ended there."""
    families: list[tuple[str, int]] = []
    at = 0
    while at + _NLMSGHDR.size <= len(data):
        length, kind = _NLMSGHDR.unpack_from(data, at)[:2]
        if kind in (_NLMSG_DONE, _NLMSG_ERROR) or length < _NLMSGHDR.size:
            return families, True
        family = _family(data[at + _NLMSGHDR.size : at + length])
        if family is not None:
            families.append(family)
        at += (length + 3) & ~3
    return families, False


@functools.cache
def generic_families() -> Table:
    """The kernel's generic netlink families, (name, id); none if it will not say."""
    import socket  # noqa: PLC0415 (only for a generic netlink message: not every start)

    families: list[tuple[str, int]] = []
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, _NETLINK_GENERIC) as channel:
            channel.settimeout(1.0)
            channel.send(_request())
            done = False
            while not done:
                found, done = _replies(channel.recv(65536))
                families.extend(found)
    except OSError:
        return tuple(families)
    return tuple(families)
