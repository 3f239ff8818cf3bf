"""Memory mappings: mmap's protection and flags (Linux x86_64 values); msync's,
mlock's and mremap's flags and madvise's advice, whose names are generated from the
kernel's headers (traced.decoders._constants).  The NUMA policies are in numa.py.

mremap reads its fifth argument only with MREMAP_FIXED (which
needs MREMAP_MAYMOVE), and strace prints it only then.
"""

from __future__ import annotations

from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.style import PLAIN, applied
from traced.decoders.values import NOT_PRINTED, DecodedValue, Memory, Options, unreadable
from traced.decoders.xlat import Table, flag_names, format_enum, format_flags, joined

MMAP_PROT: Table = (
    ("PROT_READ", 0x1), ("PROT_WRITE", 0x2), ("PROT_EXEC", 0x4), ("PROT_SEM", 0x8),
    ("PROT_GROWSDOWN", 0x01000000), ("PROT_GROWSUP", 0x02000000),
)  # fmt: skip
MMAP_TYPE: Table = (
    ("MAP_FILE", 0), ("MAP_SHARED", 1), ("MAP_PRIVATE", 2), ("MAP_SHARED_VALIDATE", 3),
)  # fmt: skip
MMAP: Table = (
    ("MAP_FIXED", 0x10), ("MAP_ANONYMOUS", 0x20), ("MAP_32BIT", 0x40),
    ("MAP_NORESERVE", 0x4000), ("MAP_POPULATE", 0x8000), ("MAP_NONBLOCK", 0x10000),
    ("MAP_GROWSDOWN", 0x100), ("MAP_DENYWRITE", 0x800), ("MAP_EXECUTABLE", 0x1000),
    ("MAP_LOCKED", 0x2000), ("MAP_STACK", 0x20000), ("MAP_HUGETLB", 0x40000),
    ("MAP_SYNC", 0x80000), ("MAP_FIXED_NOREPLACE", 0x100000),
)  # fmt: skip
_MAP_TYPE = 0xF
_MAP_HUGE_SHIFT = 26
_MAP_HUGE_MASK = 0x3F


def mmap_prot(raw: int) -> DecodedValue:
    return format_flags(raw, (("PROT_NONE", 0), *MMAP_PROT), "PROT_???")  # an unsigned long


def mmap_flags(raw: int) -> DecodedValue:
    """``MAP_PRIVATE|MAP_ANONYMOUS``: the map type, flags, then ``N<<MAP_HUGE_SHIFT``."""
    value = raw & 0xFFFFFFFF
    huge = (value >> _MAP_HUGE_SHIFT) & _MAP_HUGE_MASK
    value &= ~(_MAP_HUGE_MASK << _MAP_HUGE_SHIFT)
    with applied(PLAIN):  # the type is one of the names, which joined() styles as a whole
        kind = format_enum(value & _MAP_TYPE, MMAP_TYPE, "MAP_???")
    names, rest = flag_names(value & ~_MAP_TYPE, MMAP)
    parts = [kind.text, *names] + ([f"{rest:#x}"] if rest else [])
    if huge:
        parts.append(f"{huge}<<MAP_HUGE_SHIFT")
    return joined(parts, raw)


_MREMAP_MAYMOVE_FIXED = 3


def _mremap_address(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """mremap's new_address: only where its flags ask for a fixed address."""
    if raw[at - 1] & _MREMAP_MAYMOVE_FIXED == _MREMAP_MAYMOVE_FIXED:
        return unreadable(raw[at])  # an address, printed as such
    return DecodedValue(NOT_PRINTED, None, raw[at])


DECODERS: dict[str, Decoder] = {
    "flags:mmap_prot": by_register(mmap_prot), "flags:mmap": by_register(mmap_flags),
    "flags:msync": named.flags(K.MSYNC, "MS_???"),
    "flags:mlockall": named.flags(K.MLOCKALL, "MCL_???"),
    "flags:mlock": named.flags(K.MLOCK, "MLOCK_???"),
    "flags:mremap": named.flags(K.MREMAP, "MREMAP_???"),
    "enum:madvise": named.enum(K.MADVISE, "MADV_???"),
}  # fmt: skip
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("mremap", "new_address"): Decoder(entry=_mremap_address),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "flags:mmap_prot": (("PROT_NONE", 0), *MMAP_PROT), "flags:mmap": MMAP_TYPE + MMAP,
    "flags:msync": K.MSYNC, "flags:mlockall": K.MLOCKALL, "flags:mlock": K.MLOCK,
    "flags:mremap": K.MREMAP, "enum:madvise": K.MADVISE,
}  # fmt: skip
