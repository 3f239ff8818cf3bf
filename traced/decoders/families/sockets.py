"""Sockets: domains, types and protocols, struct sockaddr (AF_INET, AF_INET6, AF_UNIX,
AF_NETLINK) as strace prints it, and the socklen_t the kernel reads and updates.

Values are Linux x86_64's; the unit tests cross-check the names Python's socket
module also defines.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.families import sockaddr_families, sockaddr_inet
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.strings import quote
from traced.decoders.style import ABBREV, current
from traced.decoders.values import (
    DecodedValue,
    Json,
    Memory,
    Options,
    as_signed,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import (
    Table,
    flag_names,
    format_enum,
    format_flags,
    joined,
    lookup,
    named,
)
from traced.events import Arg

SOCK_TYPE: Table = K.SOCK_TYPES
SOCK_FLAGS: Table = (("SOCK_CLOEXEC", 0o2000000), ("SOCK_NONBLOCK", 0o4000))
SOCKET_DOMAIN: Table = K.ADDRESS_FAMILIES
_IPPROTO = """IP=0 ICMP=1 IGMP=2 IPIP=4 TCP=6 EGP=8 PUP=12 UDP=17 IDP=22 TP=29 DCCP=33
    IPV6=41 ROUTING=43 FRAGMENT=44 RSVP=46 GRE=47 ESP=50 AH=51 ICMPV6=58 NONE=59 DSTOPTS=60
    MTP=92 BEETPH=94 ENCAP=98 PIM=103 COMP=108 L2TP=115 SCTP=132 MH=135 UDPLITE=136
    MPLS=137 ETHERNET=143 RAW=255 MPTCP=262"""
IPPROTO: Table = tuple(
    (f"IPPROTO_{name}", int(value))
    for name, value in (item.split("=") for item in _IPPROTO.split())
)
_NETLINK = """ROUTE UNUSED USERSOCK FIREWALL SOCK_DIAG NFLOG XFRM SELINUX ISCSI AUDIT
    FIB_LOOKUP CONNECTOR NETFILTER IP6_FW DNRTMSG KOBJECT_UEVENT GENERIC - SCSITRANSPORT
    ECRYPTFS RDMA CRYPTO SMC"""
NETLINK: Table = tuple(
    (f"NETLINK_{name}", value) for value, name in enumerate(_NETLINK.split()) if name != "-"
)
_SOCK_TYPE_MASK = 0xF
_AF_UNIX, _AF_INET, _AF_INET6, _AF_NETLINK = 1, 2, 10, 16
SOCKADDR_MAX = 128  # sizeof(struct sockaddr_storage)

# --- socket(2)'s arguments -------------------------------------------------------------


def socket_domain(raw: int) -> DecodedValue:
    return format_enum(raw & 0xFFFFFFFF, SOCKET_DOMAIN, "AF_???")


def socket_type(raw: int) -> DecodedValue:
    """``SOCK_STREAM|SOCK_CLOEXEC``: the type by name, then its flags."""
    value = raw & 0xFFFFFFFF
    kind = lookup(value & _SOCK_TYPE_MASK, SOCK_TYPE)
    if kind is None:
        return format_flags(value, SOCK_FLAGS, "SOCK_???")
    names, rest = flag_names(value & ~_SOCK_TYPE_MASK, SOCK_FLAGS)
    if current().xlat != ABBREV:  # strace prints the type, then the flags, apart
        text = named(value & _SOCK_TYPE_MASK, kind)
        if value & ~_SOCK_TYPE_MASK:
            text += "|" + format_flags(value & ~_SOCK_TYPE_MASK, SOCK_FLAGS).text
        return DecodedValue(text, [kind, *names] + ([f"{rest:#x}"] if rest else []), raw)
    return joined([kind, *names] + ([f"{rest:#x}"] if rest else []), raw)


def socket_protocol(raw: int, domain: int) -> DecodedValue:
    """The protocol in terms of the domain: IPPROTO_*, NETLINK_*, else the number."""
    value = as_signed(raw, 32)
    if domain in (_AF_INET, _AF_INET6):
        return format_enum(value & 0xFFFFFFFF, IPPROTO, "IPPROTO_???")
    if domain == _AF_NETLINK:
        return format_enum(value & 0xFFFFFFFF, NETLINK, "NETLINK_???")
    return DecodedValue(str(value), value, raw)


def _protocol_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return socket_protocol(raw[at], raw[0])  # socket's and socketpair's domain comes first


# --- struct sockaddr -------------------------------------------------------------------


def _family(number: int) -> str:
    return named(number, lookup(number, SOCKET_DOMAIN), "AF_???")


def interface_index(index: int) -> str:
    """A network interface's index as strace shows it (sockaddr_inet.interface_index)."""
    return sockaddr_inet.interface_index(index)


def _value(family: int, data: bytes) -> dict[str, Json]:
    """The typed value of the address families a filter or a JSON reader asks about."""
    if family == _AF_INET and len(data) >= 16:
        return {"sin_port": int.from_bytes(data[2:4], "big"),
                "sin_addr": ".".join(str(byte) for byte in data[4:8])}  # fmt: skip
    if family == _AF_INET6 and len(data) >= 24:
        import ipaddress  # noqa: PLC0415 (only for an AF_INET6 address, not every start)

        return {
            "sin6_port": int.from_bytes(data[2:4], "big"),
            "sin6_flowinfo": int.from_bytes(data[4:8], "big"),
            "sin6_addr": str(ipaddress.IPv6Address(data[8:24])),
            "sin6_scope_id": int.from_bytes(data[24:28].ljust(4, b"\0"), "little"),
        }
    if family == _AF_UNIX and len(data) > 2:
        path = data[2:]
        if path[:1] == b"\0":
            return {"sun_path": "@" + path[1:].decode("utf-8", "replace")}
        return {"sun_path": path.split(b"\0", 1)[0].decode("utf-8", "replace")}
    if family == _AF_NETLINK and len(data) >= 12:
        pid, groups = struct.unpack_from("<II", data, 4)
        return {"nl_pid": pid, "nl_groups": groups}
    return {"sa_data": data[2:].hex()}


def decode_sockaddr(raw: int, memory: Memory, length: int) -> DecodedValue:
    """``{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}``."""
    if raw == 0:
        return DecodedValue("NULL", None, raw)
    size = min(max(length, 0), SOCKADDR_MAX)
    data = read_exact(memory, raw, size) if size >= 2 else None
    if data is None:
        return unreadable(raw)
    text, value = sockaddr_text(data)
    return DecodedValue(text, value, raw)


def sockaddr_text(data: bytes) -> tuple[str, dict[str, Json]]:
    """A struct sockaddr's bytes (two at least): its text and its typed value."""
    family = int.from_bytes(data[:2], "little")
    value: dict[str, Json] = {"sa_family": _family(family)}
    if len(data) <= 2:
        return f"{{sa_family={_family(family)}}}", value
    text = sockaddr_families.family_text(family, data, len(data))
    if text is None:
        text = f"sa_data={quote(data[2:])}"
    return f"{{sa_family={_family(family)}, {text}}}", value | _value(family, data)


_LENGTHS = re.compile(r"\[(-?\d+)(?: => (-?\d+))?\]")


def socklen_pair(arg: Arg) -> tuple[int, int] | None:
    """A socklen_t read at entry and exit (``[128 => 16]``, ``[16]``): (before,
    after); None where it was not read (its address)."""
    match = _LENGTHS.fullmatch(arg.text)
    if match is None:
        return None
    before = int(match[1])
    return before, int(match[2]) if match[2] is not None else before


def _sockaddr_entry(
    raw: Sequence[int], at: int, memory: Memory, options: Options
) -> DecodedValue | None:
    """An input's length is the next register (connect, bind, sendto)."""
    return decode_sockaddr(raw[at], memory, raw[at + 1]) if at + 1 < len(raw) else None


def _sockaddr_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """An output's length is what the kernel wrote to the socklen after it, read
    first, but no more than the buffer's length before the call: the kernel says how
    long the address was, and writes no more than fits."""
    if at + 1 >= len(args):
        return None
    lengths = socklen_pair(args[at + 1])
    return decode_sockaddr(raw[at], memory, min(lengths) if lengths else 0)


# --- socklen_t * -----------------------------------------------------------------------


def socklen(raw: int, memory: Memory, before: int | None = None) -> DecodedValue:
    """``[16]``, or ``[128 => 16]`` when the kernel changed it (accept, getsockname)."""
    data = read_exact(memory, raw, 4)
    if data is None:
        return unreadable(raw)
    after = struct.unpack("<i", data)[0]
    text = f"[{after}]" if before is None or before == after else f"[{before} => {after}]"
    return DecodedValue(text, after, raw)


def _socklen_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return socklen(raw[at], memory)


def _socklen_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    entered = args[at].value
    return socklen(raw[at], memory, entered if isinstance(entered, int) else None)


DECODERS: dict[str, Decoder] = {
    "enum:socket_domain": by_register(socket_domain),
    "enum:socket_type": by_register(socket_type),
    "flags:sock": by_register(lambda raw: format_flags(raw, SOCK_FLAGS, "SOCK_???")),
    "enum:socket_protocol": Decoder(entry=_protocol_entry),
    "sockaddr": Decoder(entry=_sockaddr_entry, exit=_sockaddr_exit),
    "socklen_ptr": Decoder(entry=_socklen_entry, exit=_socklen_exit, in_and_out=True),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "enum:socket_domain": SOCKET_DOMAIN
    + tuple((f"PF_{name.removeprefix('AF_')}", value) for name, value in SOCKET_DOMAIN),
    "enum:socket_type": SOCK_TYPE + SOCK_FLAGS,
    "enum:socket_protocol": IPPROTO + NETLINK,
}
