"""NETLINK_KOBJECT_UEVENT's buffers: udev's monitor messages (strace's
netlink_kobject_uevent.c).  One that starts with udev's 40-byte header (its
``"libudev"`` prefix, then eight u32s, the hashes and magic in network order)
prints as that header and the properties after it as a string; anything else as
a string.
"""

from __future__ import annotations

import struct

from traced.decoders.netlink.text import Reading, array_of, counted_string, read_struct
from traced.decoders.strings import quote

_HEADER = struct.Struct("8s8I")
_PREFIX = b"libudev"


def _htonl(value: int) -> str:
    swapped = int.from_bytes(value.to_bytes(4, "little"), "big")
    return f"htonl({swapped:#x})" if swapped else "htonl(0)"


def uevent_text(reading: Reading, address: int, length: int) -> str:
    """``{prefix="libudev", magic=htonl(0xfeedcafe), ...}`` and the properties."""
    data = read_struct(reading, address, _HEADER.size) if length >= _HEADER.size else None
    if data is None or data[:8].split(b"\0", 1)[0] != _PREFIX:
        return counted_string(reading, address, length)
    prefix, magic, size, offset, properties, subsystem, devtype, high, low = _HEADER.unpack(data)
    name = quote(prefix.split(b"\0", 1)[0])
    header = (
        f"{{prefix={name}, magic={_htonl(magic)}, "
        f"header_size={size}, properties_off={offset}, properties_len={properties}, "
        f"filter_subsystem_hash={_htonl(subsystem)}, filter_devtype_hash={_htonl(devtype)}, "
        f"filter_tag_bloom_hi={_htonl(high)}, filter_tag_bloom_lo={_htonl(low)}}}"
    )
    if length == _HEADER.size:
        return header
    rest = counted_string(reading, address + _HEADER.size, length - _HEADER.size)
    return array_of([header, rest])
