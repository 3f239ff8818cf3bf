"""Memory mappings: mmap's protection and flags (Linux x86_64 values); msync's,
mlock's and mremap's flags, madvise's advice and the NUMA memory policies, whose
names are generated from the kernel's headers (traced.decoders._constants).

A memory policy's mode shares its word with the mode flags (MPOL_F_STATIC_NODES ...
in the high bits, linux/mempolicy.h's MPOL_MODE_FLAGS): strace prints the mode by
name, then the flags.  mremap reads its fifth argument only with MREMAP_FIXED (which
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


_MPOL_MODE_FLAGS = sum(value for _, value in K.MPOL_MODE_FLAGS)
_MREMAP_MAYMOVE_FIXED = 3


def mempolicy_mode(raw: int) -> DecodedValue:
    """``MPOL_BIND|MPOL_F_STATIC_NODES``: the mode, then the mode flags set."""
    value = raw & 0xFFFFFFFF
    mode = format_enum(value & ~_MPOL_MODE_FLAGS, K.MPOL_MODES, "MPOL_???")
    names, _ = flag_names(value & _MPOL_MODE_FLAGS, K.MPOL_MODE_FLAGS)
    return joined([mode.text, *names], raw) if names else mode


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
    "enum:mempolicy": by_register(mempolicy_mode),
    "flags:mbind": named.flags(K.MBIND, "MPOL_???"),
    "flags:mempolicy": named.flags(K.GET_MEMPOLICY, "MPOL_???"),
}  # fmt: skip
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("mremap", "new_address"): Decoder(entry=_mremap_address),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "flags:mmap_prot": (("PROT_NONE", 0), *MMAP_PROT), "flags:mmap": MMAP_TYPE + MMAP,
    "flags:msync": K.MSYNC, "flags:mlockall": K.MLOCKALL, "flags:mlock": K.MLOCK,
    "flags:mremap": K.MREMAP, "enum:madvise": K.MADVISE,
    "enum:mempolicy": K.MPOL_MODES + K.MPOL_MODE_FLAGS, "flags:mbind": K.MBIND,
    "flags:mempolicy": K.GET_MEMPOLICY,
}  # fmt: skip
