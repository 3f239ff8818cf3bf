"""What several protocols' payloads print alike: an address family, and a
struct's fields by format."""

from __future__ import annotations

from traced.decoders.families.sockets import SOCKET_DOMAIN
from traced.decoders.netlink.text import Reading, hex_string
from traced.decoders.xlat import format_enum


def family_text(family: int) -> str:
    """``AF_INET``, ``0x2e /* AF_??? */``."""
    return format_enum(family, SOCKET_DOMAIN, "AF_???").text


def family_and_data(reading: Reading, family: int, address: int, length: int) -> str:
    """``{family=AF_UNIX, data="\\x..."}``: a payload no decoder knows, by its family."""
    text = f"{{family={family_text(family)}"
    if length > 1:
        text += f", data={hex_string(reading, address + 1, length - 1)}"
    return text + "}"
