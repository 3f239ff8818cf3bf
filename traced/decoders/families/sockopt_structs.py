"""The structs of socket options at the IP, IPv6, packet and raw levels, as strace
6.1 prints them (its net.c and print_group_req.c): struct ip_mreq, ipv6_mreq,
group_req, packet_mreq, and ICMP_FILTER's bit set.  setsockopt takes each whole:
a length shorter than the struct (packet_mreq: other than its size) leaves the
address.  Layouts are x86_64's; addresses are in network order.
"""

from __future__ import annotations

import struct

from traced.decoders import _constants as K
from traced.decoders.families.sockets import decode_sockaddr, interface_index
from traced.decoders.style import RAW, VERBOSE, current
from traced.decoders.values import DecodedValue, Memory, read_exact, unreadable
from traced.decoders.xlat import format_enum, lookup

_INT = 4


def icmp_filter(address: int, length: int, memory: Memory) -> DecodedValue:
    """ICMP_FILTER's bit set of ICMP types: ``[ICMP_ECHO ...]``, or ``~[...]`` for the
    types not in it when more than half are."""
    if length <= 0:
        return unreadable(address)
    size = min(length, _INT)
    data = read_exact(memory, address, size)
    if data is None:
        return unreadable(address)
    bits = int.from_bytes(data + b"\xff" * (_INT - size), "little")
    prefix = ""
    if bin(bits).count("1") > 16:
        bits, prefix = ~bits & 0xFFFFFFFF, "~"
    names = [
        lookup(bit, K.ICMP_FILTER_BITS) or f"{bit:#x} /* ICMP_??? */"
        for bit in range(32) if bits >> bit & 1
    ]  # fmt: skip
    return DecodedValue(f"{prefix}[{' '.join(names)}]", bits, address)


def _inet_addr(data: bytes) -> str:
    return 'inet_addr("' + ".".join(str(byte) for byte in data) + '")'


def ip_mreq(address: int, length: int, memory: Memory) -> DecodedValue:
    data = read_exact(memory, address, 8) if length >= 8 else None
    if data is None:
        return unreadable(address)
    text = f"{{imr_multiaddr={_inet_addr(data[:4])}, imr_interface={_inet_addr(data[4:])}}}"
    return DecodedValue(text, data.hex(), address)


def ipv6_mreq(address: int, length: int, memory: Memory) -> DecodedValue:
    data = read_exact(memory, address, 20) if length >= 20 else None
    if data is None:
        return unreadable(address)
    import ipaddress  # noqa: PLC0415 (only for this option, not every start)

    group = ipaddress.IPv6Address(data[:16])
    index = interface_index(int.from_bytes(data[16:], "little"))
    text = f'{{inet_pton(AF_INET6, "{group}", &ipv6mr_multiaddr), ipv6mr_interface={index}}}'
    return DecodedValue(text, data.hex(), address)


_GROUP_REQ = 136  # u32 gr_interface, padding, struct sockaddr_storage gr_group


def group_req(address: int, length: int, memory: Memory) -> DecodedValue:
    data = read_exact(memory, address, _GROUP_REQ) if length >= _GROUP_REQ else None
    if data is None:
        return unreadable(address)
    index = interface_index(int.from_bytes(data[:4], "little"))
    group = decode_sockaddr(address + 8, memory, _GROUP_REQ - 8).text
    return DecodedValue(f"{{gr_interface={index}, gr_group={group}}}", data.hex(), address)


def _mac(data: bytes) -> str:
    """A hardware address in the style: ``ff:ff``, its bytes in hex (raw), or both."""
    hexed = '"' + "".join(f"\\x{byte:02x}" for byte in data) + '"'
    colons = ":".join(f"{byte:02x}" for byte in data)
    style = current().xlat
    return hexed if style == RAW else f"{hexed} /* {colons} */" if style == VERBOSE else colons


def packet_mreq(address: int, length: int, memory: Memory) -> DecodedValue:
    data = read_exact(memory, address, 16) if length == 16 else None
    if data is None:
        return unreadable(address)
    ifindex, kind, alen = struct.unpack_from("<iHH", data)
    kind_text = format_enum(kind, K.PACKET_MR, "PACKET_MR_???").text
    text = (
        f"{{mr_ifindex={interface_index(ifindex)}, mr_type={kind_text}, mr_alen={alen}, "
        f"mr_address={_mac(data[8 : 8 + min(alen, 8)])}}}"
    )
    return DecodedValue(text, data.hex(), address)
