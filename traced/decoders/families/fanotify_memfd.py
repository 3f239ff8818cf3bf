"""Two calls whose arguments need more than one table: memfd_create's name and flags,
fanotify_mark's event mask and directory fd (names generated from linux/memfd.h and
linux/fanotify.h; FAN_DIR_MODIFY, which strace 6.1 still names, left the uapi in 5.9).

Kernel facts: a memfd's name is at most 249 bytes (255 less the ``memfd:`` prefix
its /proc link shows), so strace reads no more than 250; the flags word carries a huge
page size's log2 in bits 26-31 (MFD_HUGE_SHIFT, MFD_HUGE_MASK) beside the flags.
fanotify_mark's mask is 64 bits, of which the kernel reads the low 32; its dirfd of
-1 is FAN_NOFD, which strace names (any other is a dirfd, AT_FDCWD by name).

strace prints memfd's flags as ``MFD_CLOEXEC|MFD_HUGETLB|30<<MFD_HUGE_SHIFT``, under
``-X verbose`` after the number, and lists FAN_ONDIR before FAN_EVENT_ON_CHILD and
FAN_RENAME, out of value order.
"""

from __future__ import annotations

from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.families.files import dirfd
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.strings import quote
from traced.decoders.style import ABBREV, RAW, VERBOSE, Style, applied, current
from traced.decoders.values import (
    UNREADABLE,
    DecodedValue,
    Memory,
    Options,
    as_signed,
    chex,
    hex_address,
    read_exact,
)
from traced.decoders.xlat import Table, format_flags, named

_NAME_MAX = 255 - len("memfd:")
_HUGE_SHIFT = dict(K.MFD_HUGE)["MFD_HUGE_SHIFT"]
_HUGE_MASK = dict(K.MFD_HUGE)["MFD_HUGE_MASK"] << _HUGE_SHIFT
_FAN_NOFD = -1
# strace's order: value order but for these two, last.
FAN_EVENTS: Table = tuple(
    sorted(K.FAN_EVENTS, key=lambda row: row[0] in ("FAN_EVENT_ON_CHILD", "FAN_RENAME"))
)


def memfd_name(address: int, memory: Memory, options: Options) -> DecodedValue:
    """The name, read no further than the 250 bytes a name and its NUL may take."""
    if not address:
        return DecodedValue("NULL", None, address)
    size = min(options.string_limit + 1, _NAME_MAX + 1)
    try:
        data = memory.cstring(address, size)  # no more: the bytes after may be unmapped
    except UNREADABLE:
        return DecodedValue(hex_address(address), address, address)
    if len(data) < size and read_exact(memory, address, len(data) + 1) is None:
        return DecodedValue(hex_address(address), address, address)
    shown = min(size, options.string_limit)
    text = quote(data[:shown], truncated=len(data) >= shown)
    return DecodedValue(text, data[:shown].decode("utf-8", "replace"), address)


def memfd_flags(raw: int) -> DecodedValue:
    """``MFD_CLOEXEC|30<<MFD_HUGE_SHIFT``, in the -X style."""
    flags = raw & 0xFFFFFFFF
    style = current()
    if not flags or style.xlat == RAW:
        return DecodedValue(chex(flags), flags, raw)
    huge, rest = flags & _HUGE_MASK, flags & ~_HUGE_MASK
    parts = []
    if rest or not huge:
        with applied(Style(ABBREV, style.strings)):
            parts.append(format_flags(rest, K.MFD, "MFD_???").text)
    if huge:
        parts.append(f"{huge >> _HUGE_SHIFT}<<MFD_HUGE_SHIFT")
    text = "|".join(parts)
    return DecodedValue(
        f"{chex(flags)} /* {text} */" if style.xlat == VERBOSE else text, flags, raw
    )


def fanotify_dirfd(raw: int) -> DecodedValue:
    """FAN_NOFD by name (its number is -1), else as any dirfd."""
    if as_signed(raw, 32) == _FAN_NOFD:
        return DecodedValue(named(_FAN_NOFD, "FAN_NOFD", decimal=True), _FAN_NOFD, raw)
    return dirfd(raw)


def _name_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return memfd_name(raw[at], memory, options)


DECODERS: dict[str, Decoder] = {
    "flags:memfd": by_register(memfd_flags),
    "flags:fanotify_mask": by_register(lambda raw: format_flags(raw, FAN_EVENTS, "FAN_???")),
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("memfd_create", "name"): Decoder(entry=_name_entry, alone=memfd_name),
    ("fanotify_mark", "dirfd"): by_register(fanotify_dirfd),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {"flags:memfd": K.MFD, "flags:fanotify_mask": FAN_EVENTS}
