"""mount(2)'s flags and the arguments they make it ignore, and fsmount's attributes,
as strace 6.1 prints them (its mount.c and fsmount.c).

mount's flags may carry, in their top 16 bits, the magic number of mounts older than
Linux 2.4 (MS_MGC_VAL), which the kernel discards: strace names it apart, then the
flags.  MS_REMOUNT makes the kernel ignore the filesystem type, and MS_BIND, MS_MOVE
or a propagation change both the type and the data: strace shows those as addresses,
not strings, since the kernel never reads them.
"""

from __future__ import annotations

from collections.abc import Mapping

from msgspec.structs import replace

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.values import DecodedValue, hex_address
from traced.decoders.xlat import Table, format_flags, styled
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


DECODERS: dict[str, Decoder] = {
    "flags:mount": by_register(mount_flags),
    "flags:mount_attr": named.flags(K.FSMOUNT_ATTR, "MOUNT_ATTR_???"),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "flags:mount": K.MS + K.MS_MGC, "flags:mount_attr": K.FSMOUNT_ATTR,
}  # fmt: skip
