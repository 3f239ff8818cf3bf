"""mount(2)'s flags and the arguments they make it ignore, and fsmount's attributes,
as strace 6.1 prints them (its mount.c and fsmount.c).

mount's flags may carry, in their top 16 bits, the magic number of mounts older than
Linux 2.4 (MS_MGC_VAL), which the kernel discards: strace names it apart, then the
flags.  MS_REMOUNT makes the kernel ignore the filesystem type, and MS_BIND, MS_MOVE
or a propagation change both the type and the data: strace shows those as addresses,
not strings, since the kernel never reads them.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence

from msgspec.structs import replace

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.families.io_uring_structs import nonzero_tail
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.values import (
    DecodedValue,
    Memory,
    Options,
    hex_address,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import Table, format_enum, format_flags, styled
from traced.events import Arg

_MS = dict(K.MS)
_MGC_VAL, _MGC_MSK = dict(K.MS_MGC)["MS_MGC_VAL"], dict(K.MS_MGC)["MS_MGC_MSK"]
_IGNORES_TYPE_AND_DATA = (
    _MS["MS_BIND"] | _MS["MS_MOVE"] | _MS["MS_SHARED"] | _MS["MS_PRIVATE"]
    | _MS["MS_SLAVE"] | _MS["MS_UNBINDABLE"]
)  # fmt: skip


def mount_flags(raw: int) -> DecodedValue:
    """``MS_MGC_VAL|MS_RDONLY``; the flags alone where the magic is absent."""
    if raw & _MGC_MSK != _MGC_VAL:
        return format_flags(raw, K.MS, "MS_???")
    flags = raw & ~_MGC_MSK
    magic = styled("MS_MGC_VAL", f"{_MGC_VAL:#x}")
    if not flags:
        return DecodedValue(magic, ["MS_MGC_VAL"], raw)
    rest = format_flags(flags, K.MS, "MS_???")
    names = rest.value if isinstance(rest.value, list) else []
    return DecodedValue(f"{magic}|{rest.text}", ["MS_MGC_VAL", *names], raw)


def mount_ignored(args: list[Arg], at: Mapping[str, int]) -> None:
    """The filesystem type, and the data, as addresses where the flags make the
    kernel ignore them."""
    flags = (args[at["mountflags"]].raw or 0) & ~_MGC_MSK
    ignored: tuple[str, ...] = ("filesystemtype",) if flags & _MS["MS_REMOUNT"] else ()
    if flags & _IGNORES_TYPE_AND_DATA and not flags & _MS["MS_REMOUNT"]:
        ignored = ("filesystemtype", "data")
    for name in ignored:
        arg = args[at[name]]
        args[at[name]] = replace(arg, text=hex_address(arg.raw or 0), value=arg.raw)


_MOUNT_ATTR = struct.Struct("<QQQQ")  # attr_set, attr_clr, propagation, userns_fd
_IDMAP = dict(K.MOUNT_ATTR)["MOUNT_ATTR_IDMAP"]
_INT_MAX = (1 << 31) - 1


def mount_attr(address: int, size: int, memory: Memory, options: Options) -> DecodedValue:
    """mount_setattr's ``{attr_set=..., attr_clr=..., propagation=MS_SLAVE,
    userns_fd=3}``: the fd named where MOUNT_ATTR_IDMAP makes it one, and any non-zero
    bytes past the struct, as strace shows them."""
    if size < _MOUNT_ATTR.size:
        return unreadable(address)
    data = read_exact(memory, address, _MOUNT_ATTR.size)
    if data is None:
        return unreadable(address)
    set_, clear, propagation, userns = _MOUNT_ATTR.unpack(data)
    fd = fd_in_memory(userns) if userns <= _INT_MAX and (set_ | clear) & _IDMAP else str(userns)
    parts = [
        f"attr_set={format_flags(set_, K.MOUNT_ATTR, 'MOUNT_ATTR_???').text}",
        f"attr_clr={format_flags(clear, K.MOUNT_ATTR, 'MOUNT_ATTR_???').text}",
        f"propagation={format_enum(propagation, K.MOUNT_PROPAGATION, 'MS_???').text}",
        f"userns_fd={fd}",
        *nonzero_tail(address, _MOUNT_ATTR.size, size, memory, options),
    ]
    return DecodedValue("{" + ", ".join(parts) + "}", [set_, clear, propagation, userns], address)


def _mount_attr_entry(
    raw: Sequence[int], at: int, memory: Memory, options: Options
) -> DecodedValue:
    return mount_attr(raw[at], raw[at + 1], memory, options)


DECODERS: dict[str, Decoder] = {
    "struct:mount_attr": Decoder(entry=_mount_attr_entry),
    "flags:mount": by_register(mount_flags),
    "flags:mount_attr": named.flags(K.FSMOUNT_ATTR, "MOUNT_ATTR_???"),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "flags:mount": K.MS + K.MS_MGC, "flags:mount_attr": K.FSMOUNT_ATTR,
}  # fmt: skip
