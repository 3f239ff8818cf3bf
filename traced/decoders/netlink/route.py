"""NETLINK_ROUTE's payloads (strace's netlink_route.c and rtnl_*.c): each message
type's struct, picked by the type, then its attributes.  A type with no struct
here prints as its family and the rest in hex, as strace prints an unknown one.
"""

from __future__ import annotations

from traced.decoders.netlink.common import family_and_data
from traced.decoders.netlink.kinds import NLMSG_DONE
from traced.decoders.netlink.text import Reading, read_struct
from traced.decoders.values import hex_address


def decode_route(
    reading: Reading, fields: tuple[int, ...], address: int, length: int
) -> str | None:
    if fields[1] == NLMSG_DONE:
        return None
    data = read_struct(reading, address, 1)
    if data is None:
        return hex_address(address)
    return family_and_data(reading, data[0], address, length)
