"""File handles (name_to_handle_at, open_by_handle_at) as strace 6.1 prints them (its
file_handle.c).

struct file_handle is a header, handle_bytes (u32, how much room the caller gives,
which the kernel rewrites to how much it needed) and handle_type (int), then the
opaque handle.  name_to_handle_at shows the header's handle_bytes at entry and, at
exit, what the kernel made of it: the handle on success, the size it needed when the
room was too small (EOVERFLOW: ``{handle_bytes=0 => 8}``).  The handle's bytes print
in hex, at most MAX_HANDLE_SZ of them.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders.kinds import Decoder, at_exit
from traced.decoders.values import DecodedValue, Memory, Options, read_exact, unreadable
from traced.events import Arg

_HEADER = struct.Struct("<Ii")  # handle_bytes, handle_type
_MAX_HANDLE_SZ = 128


def _handle_bytes(address: int, length: int, memory: Memory) -> str:
    shown = min(length, _MAX_HANDLE_SZ)
    data = read_exact(memory, address + _HEADER.size, shown) if address else None
    if data is None:
        return "???"
    hexed = '"' + "".join(f"\\x{byte:02x}" for byte in data) + '"'
    return hexed + ("..." if length > shown else "")


def file_handle(address: int, memory: Memory) -> DecodedValue:
    """open_by_handle_at's ``{handle_bytes=8, handle_type=1, f_handle="\\x.."}``."""
    data = read_exact(memory, address, _HEADER.size)
    if data is None:
        return unreadable(address)
    size, kind = _HEADER.unpack(data)
    handle = _handle_bytes(address, size, memory)
    text = f"{{handle_bytes={size}, handle_type={kind}, f_handle={handle}}}"
    return DecodedValue(text, size, address)


def _asked(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """name_to_handle_at's handle at entry: the room given, the rest to come."""
    data = read_exact(memory, raw[at], _HEADER.size)
    if data is None:
        return unreadable(raw[at])
    size = _HEADER.unpack(data)[0]
    return DecodedValue(f"{{handle_bytes={size}}}", size, raw[at])


def returned_handle(
    address: int, asked: int, memory: Memory, *, succeeded: bool
) -> DecodedValue | None:
    """The handle once the call returned: the size the kernel wrote if other than
    ``asked``, and on success the handle itself."""
    data = read_exact(memory, address, _HEADER.size)
    if data is None:
        return None
    size, kind = _HEADER.unpack(data)
    text = f"{{handle_bytes={asked}" + (f" => {size}" if size != asked else "")
    if succeeded:
        text += f", handle_type={kind}, f_handle={_handle_bytes(address, size, memory)}"
    return DecodedValue(text + "}", size, address)


def _returned(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    asked = args[at].value
    if not isinstance(asked, int):
        return None  # the header was unreadable at entry: its address stays
    return returned_handle(raw[at], asked, memory, succeeded=True)


def mount_id(address: int, memory: Memory, options: Options) -> DecodedValue:
    data = read_exact(memory, address, 4)
    if data is None:
        return unreadable(address)
    value = struct.unpack("<i", data)[0]
    return DecodedValue(f"[{value}]", value, address)


BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("name_to_handle_at", "handle"): Decoder(entry=_asked, exit=_returned, in_and_out=True),
    ("name_to_handle_at", "mount_id"): at_exit(mount_id),
    ("open_by_handle_at", "handle"): Decoder(
        entry=lambda raw, at, memory, options: file_handle(raw[at], memory)
    ),
}
OUTPUTS = frozenset((("name_to_handle_at", "handle"), ("name_to_handle_at", "mount_id")))
DECODERS: dict[str, Decoder] = {}
