"""struct sockaddr for AF_INET, AF_INET6, AF_UNIX and AF_NETLINK, as strace prints it."""

from __future__ import annotations

import ipaddress
import socket
import struct

from traced.decoders import tables as t
from traced.decoders.flags import lookup
from traced.decoders.strings import quote
from traced.decoders.values import Decoded, Json, Memory, never_raises, read_exact, unreadable

SOCKADDR_MAX = 128  # sizeof(struct sockaddr_storage)
_AF_UNIX, _AF_INET, _AF_INET6, _AF_NETLINK = 1, 2, 10, 16


def _family(number: int) -> str:
    return lookup(number, t.SOCKET_DOMAIN) or f"{number:#x} /* AF_??? */"


def _inet(data: bytes) -> tuple[str, dict[str, Json]]:
    port = int.from_bytes(data[2:4], "big")
    address = str(ipaddress.IPv4Address(data[4:8]))
    text = f'sin_port=htons({port}), sin_addr=inet_addr("{address}")'
    return text, {"sin_port": port, "sin_addr": address}


def _scope(scope: int, address: ipaddress.IPv6Address) -> str:
    linklocal = address.is_link_local or (address.is_multicast and address.packed[1] & 0xF == 2)
    if scope and linklocal:
        try:
            return f'if_nametoindex("{socket.if_indextoname(scope)}")'
        except OSError:
            pass
    return str(scope)


def _inet6(data: bytes) -> tuple[str, dict[str, Json]]:
    port = int.from_bytes(data[2:4], "big")
    flowinfo = int.from_bytes(data[4:8], "big")
    address = ipaddress.IPv6Address(data[8:24])
    scope = int.from_bytes(data[24:28], "little")
    text = (
        f"sin6_port=htons({port}), sin6_flowinfo=htonl({flowinfo}), "
        f'inet_pton(AF_INET6, "{address}", &sin6_addr), sin6_scope_id={_scope(scope, address)}'
    )
    value: dict[str, Json] = {
        "sin6_port": port, "sin6_flowinfo": flowinfo, "sin6_addr": str(address),
        "sin6_scope_id": scope,
    }  # fmt: skip
    return text, value


def _unix(data: bytes) -> tuple[str, dict[str, Json]]:
    path = data[2:]
    if path[:1] == b"\0":
        shown = path[1:]
        return f"sun_path=@{quote(shown)}", {"sun_path": "@" + shown.decode("utf-8", "replace")}
    shown = path.split(b"\0", 1)[0]
    return f"sun_path={quote(shown)}", {"sun_path": shown.decode("utf-8", "replace")}


def _netlink(data: bytes) -> tuple[str, dict[str, Json]]:
    pid, groups = struct.unpack_from("<II", data, 4)
    shown = f"{groups:#08x}" if groups else "00000000"  # C's %#08x
    return f"nl_pid={pid}, nl_groups={shown}", {"nl_pid": pid, "nl_groups": groups}


_DECODERS = {_AF_INET: (16, _inet), _AF_INET6: (28, _inet6), _AF_NETLINK: (12, _netlink)}


def _body(family: int, data: bytes) -> tuple[str, dict[str, Json]]:
    if family == _AF_UNIX:
        return _unix(data) if len(data) > 2 else ("", {})
    size, decoder = _DECODERS.get(family, (0, None))
    if decoder is not None and len(data) >= size:
        return decoder(data)
    return f"sa_data={quote(data[2:])}", {"sa_data": data[2:].hex()}


@never_raises
def decode_sockaddr(raw: int, memory: Memory, length: int) -> Decoded:
    """``{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}``."""
    if raw == 0:
        return Decoded("NULL", None, raw)
    size = min(max(length, 0), SOCKADDR_MAX)
    data = read_exact(memory, raw, size) if size >= 2 else None
    if data is None:
        return unreadable(raw)
    family = int.from_bytes(data[:2], "little")
    text, value = _body(family, data)
    value = {"sa_family": _family(family), **value}
    return Decoded(f"{{sa_family={_family(family)}" + (f", {text}}}" if text else "}"), value, raw)
