"""What several protocols' payloads print alike: an address family, and a
struct's fields by format."""

from __future__ import annotations

from traced.decoders.families.sockets import SOCKET_DOMAIN
from traced.decoders.netlink.text import Reading, hex_string
from traced.decoders.style import RAW, VERBOSE, current
from traced.decoders.xlat import format_enum, styled


def family_text(family: int) -> str:
    """``AF_INET``, ``0x2e /* AF_??? */``."""
    return format_enum(family, SOCKET_DOMAIN, "AF_???").text


def family_and_data(reading: Reading, family: int, address: int, length: int) -> str:
    """``{family=AF_UNIX, data="\\x..."}``: a payload no decoder knows, by its family."""
    text = f"{{family={family_text(family)}"
    if length > 1:
        text += f", data={hex_string(reading, address + 1, length - 1)}"
    return text + "}"


def ifname(index: int) -> str | None:
    """The name of interface ``index`` in the tracer's network namespace, if any."""
    import _socket  # noqa: PLC0415 (not socket, whose enums cost every start ms)

    try:
        return _socket.if_indextoname(index)
    except (OSError, OverflowError):
        return None


def ifindex_text(index: int) -> str:
    """``if_nametoindex("lo")``, or the number of an index no interface has
    (strace's print_ifindex, in the style)."""
    name = ifname(index) if index else None
    return str(index) if name is None else styled(f'if_nametoindex("{name}")', str(index))


def inet_text(family: int, data: bytes, name: str = "") -> str:
    """``inet_addr("1.2.3.4")``, ``inet_pton(AF_INET6, "::1")``, in the style (strace's
    print_inet_addr: raw and verbose show the bytes in hex first); ``name``: the
    field's, printed ``name=inet_addr(...)``, or ``inet_pton(..., &name)`` for AF_INET6."""
    import _socket  # noqa: PLC0415

    shown = _socket.inet_ntop(_socket.AF_INET if family == 2 else _socket.AF_INET6, data)
    if family == 2:
        call = f'inet_addr("{shown}")'
    else:
        call = f'inet_pton(AF_INET6, "{shown}"' + (f", &{name})" if name else ")")
    hexed = '"' + "".join(f"\\x{byte:02x}" for byte in data) + '"'
    prefix = f"{name}=" if name else ""
    style = current().xlat
    if style == RAW:
        return prefix + hexed
    if style == VERBOSE:
        return f"{prefix}{hexed} /* {call} */"
    return call if family != 2 else prefix + call


def mac_text(data: bytes) -> str:
    """``ab:cd:ef:01:02:03``, in the style (strace's print_mac_addr: raw shows the
    bytes in hex, verbose both)."""
    mac = ":".join(f"{byte:02x}" for byte in data)
    hexed = '"' + "".join(f"\\x{byte:02x}" for byte in data) + '"'
    style = current().xlat
    if style == RAW:
        return hexed
    return f"{hexed} /* {mac} */" if style == VERBOSE else mac
