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
from traced.decoders import named as named_decoders
from traced.decoders.arrays import nonzero_tail
from traced.decoders.families.sockopt_values import forced_hex
from traced.decoders.fdnames import AT_FDCWD, dirfd_in_memory, fd_in_memory
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.strings import decode_path, quote
from traced.decoders.values import (
    UNREADABLE,
    DecodedValue,
    Memory,
    Options,
    as_signed,
    hex_address,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import Table, format_enum, format_flags, named, styled
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


_FSCONFIG = dict(K.FSCONFIG)
_KEYED = frozenset(_FSCONFIG[name] for name in (
    "FSCONFIG_SET_FLAG", "FSCONFIG_SET_STRING", "FSCONFIG_SET_BINARY", "FSCONFIG_SET_PATH",
    "FSCONFIG_SET_PATH_EMPTY", "FSCONFIG_SET_FD"))  # fmt: skip
_PATHS = frozenset((_FSCONFIG["FSCONFIG_SET_PATH"], _FSCONFIG["FSCONFIG_SET_PATH_EMPTY"]))
_FSCONFIG_STRING_MAX = 256
_FSCONFIG_BINARY_MAX = 1024 * 1024


def _bounded_string(address: int, memory: Memory, options: Options) -> DecodedValue:
    """A string the kernel reads at most 256 bytes of: cut at -s, and ``...`` after it
    too where no NUL ends it within those 256 (strace's QUOTE_0_TERMINATED)."""
    if address == 0:
        return DecodedValue("NULL", None, address)
    try:
        data = memory.cstring(address, _FSCONFIG_STRING_MAX + 1)
    except UNREADABLE:
        return unreadable(address)
    text = bytes(data).split(b"\0", 1)[0]
    shown = text[: min(options.string_limit, _FSCONFIG_STRING_MAX)]
    cut = len(text) > len(shown) or len(text) >= _FSCONFIG_STRING_MAX
    return DecodedValue(quote(shown, cut), shown.hex(), address)


def _fsconfig_key(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """The parameter's name, for the commands that set one; else an address."""
    if raw[1] & 0xFFFFFFFF not in _KEYED:
        return DecodedValue(hex_address(raw[at]), raw[at], raw[at])
    return _bounded_string(raw[at], memory, options)


def _fsconfig_value(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """The value by the command: a string, a path, bytes of aux's length, or an address."""
    command, aux = raw[1] & 0xFFFFFFFF, as_signed(raw[at + 1], 32)
    if command == _FSCONFIG["FSCONFIG_SET_STRING"]:
        return _bounded_string(raw[at], memory, options)
    if command in _PATHS:
        return decode_path(raw[at], memory, options)
    if command == _FSCONFIG["FSCONFIG_SET_BINARY"] and 0 <= aux <= _FSCONFIG_BINARY_MAX:
        return forced_hex(raw[at], aux, memory, options)
    return DecodedValue(hex_address(raw[at]), raw[at], raw[at])


def fsconfig_path_value(command: int) -> bool:
    """Whether fsconfig's value is a path for this command (strace's -P matches it)."""
    return command in _PATHS


def fsconfig_fd_aux(command: int) -> bool:
    """Whether fsconfig's aux is an fd for this command: the paths' directory, SET_FD's
    fd (strace's -P matches them, and never fsconfig's own fd)."""
    return command in _PATHS or command == _FSCONFIG["FSCONFIG_SET_FD"]


def _fsconfig_aux(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """aux: a directory fd for the paths, an fd for FSCONFIG_SET_FD, else a number."""
    command, aux = raw[1] & 0xFFFFFFFF, as_signed(raw[at], 32)
    if command in _PATHS:
        text = named(aux, "AT_FDCWD", decimal=True) if aux == AT_FDCWD else str(aux)
        return DecodedValue(dirfd_in_memory(aux, text), aux, raw[at])
    if command == _FSCONFIG["FSCONFIG_SET_FD"]:
        return DecodedValue(fd_in_memory(aux), aux, raw[at])
    return DecodedValue(str(aux), aux, raw[at])


DECODERS: dict[str, Decoder] = {
    "struct:mount_attr": Decoder(entry=_mount_attr_entry),
    "flags:mount": by_register(mount_flags),
    "flags:mount_attr": named_decoders.flags(K.FSMOUNT_ATTR, "MOUNT_ATTR_???"),
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("fsconfig", "key"): Decoder(entry=_fsconfig_key),
    ("fsconfig", "value"): Decoder(entry=_fsconfig_value),
    ("fsconfig", "aux"): Decoder(entry=_fsconfig_aux),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "flags:mount": K.MS + K.MS_MGC, "flags:mount_attr": K.FSMOUNT_ATTR,
}  # fmt: skip
