"""struct sockaddr's older families as strace 6.1 prints them (its sockaddr.c):
AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_IPX, AF_X25, AF_AX25; and the
field printers the newer families (sockaddr_families.py) share.

Kernel and strace facts: a sockaddr is read up to its length (at most 128 bytes, a
sockaddr_storage) and zero-filled past it; a family prints its fields only when the
length reaches its struct's size (its minimum: AF_INET6 without sin6_scope_id, 24;
AF_UNIX, one path byte), else the bytes after the family as ``sa_data``.  Network
byte-order fields print ``htons(N)``, and under -X raw their bytes in hex instead
(``"\\x30\\x39"``), under -X verbose both, the bytes first; an interface index prints
``if_nametoindex("lo")`` where the index names an interface here.
"""

from __future__ import annotations

import struct

from traced.decoders import _constants as K
from traced.decoders.pidnames import pid_text
from traced.decoders.strings import quote
from traced.decoders.style import ABBREV, RAW, VERBOSE, current
from traced.decoders.xlat import Table, comment, format_enum, number, styled

UNIX_PATH_MAX = 108


# --- field printers ---------------------------------------------------------------------


def hex_bytes(data: bytes) -> str:
    """strace's QUOTE_FORCE_HEX: every byte as ``\\xNN``, quoted."""
    return '"' + "".join(f"\\x{byte:02x}" for byte in data) + '"'


def quoted(data: bytes, size: int, *, terminated: bool = False, trailing: bool = False) -> str:
    """strace's print_quoted_string of ``size`` bytes: with ``terminated``, up to a NUL
    among the first size - 1; with ``trailing`` too, ``...`` where none is there."""
    if terminated and size:
        size -= 1
    shown = data[:size]
    cut = False
    if terminated:  # no NUL before the last byte, and the last one not one either
        end = shown.find(b"\0")
        cut = end < 0 and data[size : size + 1] != b"\0"
        shown = shown if end < 0 else shown[:end]
    return quote(shown, truncated=cut and trailing)


def zero_x(value: int, size: int) -> str:
    """C's ``%#0*x`` at twice the field's size, as strace's PRINT_FIELD_0X: ``0x0005``
    for a u32's 5 (the ``0x`` counts), zero as ``00000000``."""
    width = 2 * size
    return "0" * width if value == 0 else f"{value:#0{width}x}"


def verbose_value(value: int, table: Table, unknown: str = "") -> str:
    """strace's PRINT_FIELD_XVAL_VERBOSE: the number, its name (or ``unknown``) in a
    comment in every style but raw."""
    digits = number(value)
    if current().xlat == RAW:
        return digits
    name = next((name for name, known in table if known == value), None)
    return digits + comment(name or unknown)


def interface_index(index: int) -> str:
    """``if_nametoindex("lo")`` for an index naming an interface here, in the style."""
    if index:
        import _socket  # noqa: PLC0415 (not socket, whose enums cost every start ms)

        try:
            return styled(f'if_nametoindex("{_socket.if_indextoname(index)}")', str(index))
        except OSError:
            pass
    return str(index)


def family_name(family: int) -> str:
    return format_enum(family, K.ADDRESS_FAMILIES, "AF_???").text


def _net(name: str, data: bytes, call: str) -> str:
    """A network byte-order field: ``htons(N)``, its bytes under -X raw, or both."""
    return f"{name}=" + styled(f"{call}({int.from_bytes(data, 'big')})", hex_bytes(data))


# --- the families -----------------------------------------------------------------------


def unix(data: bytes, length: int) -> str:
    size = min(length, 2 + UNIX_PATH_MAX) - 2
    path = data[2 : 2 + UNIX_PATH_MAX + 1]
    if path[:1] != b"\0":
        return "sun_path=" + quoted(path, size + 1, terminated=True)
    return "sun_path=@" + quoted(path[1:], size - 1)


def inet(data: bytes, length: int) -> str:
    address = ".".join(str(byte) for byte in data[4:8])
    where = styled(f'inet_addr("{address}")', hex_bytes(data[4:8]))
    return _net("sin_port", data[2:4], "htons") + f", sin_addr={where}"


def _scope(data: bytes, address: bytes) -> str:
    scope = int.from_bytes(data[24:28], "little")
    linklocal = address[:2] in (b"\xfe\x80",) or (address[0] == 0xFF and address[1] & 0xF == 2)
    linklocal = linklocal or (address[0] == 0xFE and address[1] & 0xC0 == 0x80)
    return interface_index(scope) if linklocal else str(scope)


def inet6(data: bytes, length: int) -> str:
    import ipaddress  # noqa: PLC0415 (only for an AF_INET6 address, not every start)

    raw = data[8:24]
    pton = f'inet_pton(AF_INET6, "{ipaddress.IPv6Address(raw)}"'
    style = current().xlat
    if style == ABBREV:
        where = pton + ", &sin6_addr)"
    else:
        where = "sin6_addr=" + hex_bytes(raw) + (comment(pton + ")") if style == VERBOSE else "")
    text = _net("sin6_port", data[2:4], "htons") + ", " + _net("sin6_flowinfo", data[4:8], "htonl")
    text += ", " + where
    return text + (f", sin6_scope_id={_scope(data, raw)}" if length > 24 else "")


def netlink(data: bytes, length: int) -> str:
    pad, pid, groups = struct.unpack_from("<HII", data, 2)
    head = f"nl_pad={number(pad)}, " if pad else ""
    return head + f"nl_pid={pid_text(pid)}, nl_groups={zero_x(groups, 4)}"


def packet(data: bytes, length: int) -> str:
    protocol, index, hatype, pkttype, halen = struct.unpack_from("<2sIHBB", data, 2)
    name = abbreviated(int.from_bytes(protocol, "big"), K.ETH_P, "ETH_P_???")
    fields = [
        "sll_protocol=" + styled(f"htons({name})", hex_bytes(protocol)),
        f"sll_ifindex={interface_index(index)}",
        f"sll_hatype={format_enum(hatype, K.ARPHRD, 'ARPHRD_???').text}",
        f"sll_pkttype={format_enum(pkttype, K.PACKET_TYPES, 'PACKET_???').text}",
        f"sll_halen={halen}",
    ]
    if halen:
        inside = length - 12
        items = [zero_x(byte, 1) for byte in data[12 : 12 + min(halen, inside)]]
        fields.append("sll_addr=[" + ", ".join(items + (["..."] if halen > inside else [])) + "]")
    return ", ".join(fields)


def abbreviated(value: int, table: Table, unknown: str) -> str:
    """A constant as -X abbrev names it, whatever the style (strace's XLAT_STYLE_ABBREV)."""
    found = next((name for name, known in table if known == value), None)
    return found or number(value) + comment(unknown)


def ipx(data: bytes, length: int) -> str:
    network = int.from_bytes(data[4:8], "big")
    node = ", ".join(zero_x(byte, 1) for byte in data[8:14])
    text = _net("sipx_port", data[2:4], "htons") + f", sipx_network=htonl({number(network)})"
    text += f", sipx_node=[{node}], sipx_type={zero_x(data[14], 1)}"
    return text + (f", sipx_zero={number(data[15])}" if data[15] else "")


def x25(data: bytes, length: int) -> str:
    return "sx25_addr={x25_addr=" + quoted(data[2:18], 16, terminated=True, trailing=True) + "}"


# --- AF_AX25 ------------------------------------------------------------------------------
_AX25 = struct.Struct("<2x7s3xi")  # sax25_call, sax25_ndigis: struct sockaddr_ax25, 16
_DIGIS = 8  # full_sockaddr_ax25's digipeaters, 7 bytes each


def _ax25_style(call: bytes) -> str:
    """How strace can show a callsign: by name (the style's choice), in a comment
    beside its bytes (not a sane one), or only in bytes (not printable)."""
    chosen, spaces, letters = "", False, False
    for byte in call[:6]:
        char = byte >> 1
        spaces, letters = (True, letters) if char == 0x20 else (spaces, True)
        sane = chr(char).isdigit() or "A" <= chr(char) <= "Z" or char == 0x20
        if byte & 1 or not sane or (char != 0x20 and spaces):
            chosen = VERBOSE
        if char < 0x20 or char > 0x7E or chr(char) in "*/":
            return RAW
    if call[6] & ~0x1E or (not letters and call[6]):
        chosen = VERBOSE
    return chosen or current().xlat


def _ax25_name(call: bytes) -> str:
    end = 6
    while end and call[end - 1] >> 1 == 0x20:
        end -= 1
    ssid = (call[6] >> 1) & 0xF
    text = "".join(chr(byte >> 1) for byte in call[:end]) + f"-{ssid}"
    return "*" if text == "-0" else text


def ax25_address(call: bytes) -> str:
    style = _ax25_style(call)
    if style == ABBREV:
        return _ax25_name(call)
    raw = "{ax25_call=" + hex_bytes(call) + "}"
    return raw if style == RAW else raw + comment(_ax25_name(call))


def ax25(data: bytes, length: int) -> str:
    call, ndigis = _AX25.unpack_from(data)
    full = ndigis != 0 or length > _AX25.size
    text = f"sax25_call={ax25_address(call)}, sax25_ndigis={ndigis}"
    if not full:
        return text
    text = "fsa_ax25={" + text + "}"
    present = min((length - _AX25.size) // 7, _DIGIS)
    wanted = min(max(ndigis, 0), _DIGIS)
    if wanted:
        at = _AX25.size
        items = [
            ax25_address(data[at + 7 * i : at + 7 * i + 7]) for i in range(min(present, wanted))
        ]
        text += (
            ", fsa_digipeater=[" + ", ".join(items + (["..."] if wanted > present else [])) + "]"
        )
    return text + (", ..." if length > present * 7 + _AX25.size else "")
