"""NUMA memory policies and page migration: mbind, set_mempolicy, get_mempolicy,
migrate_pages, move_pages (names generated from linux/mempolicy.h), as strace 6.1
prints them (its numa.c).

Kernel facts: a policy's mode shares its word with the mode flags
(MPOL_F_STATIC_NODES, MPOL_F_RELATIVE_NODES, MPOL_F_NUMA_BALANCING, the high bits).
A node mask is an array of unsigned longs holding ``maxnode - 1`` bits (the kernel
drops the last one), so ``(maxnode + 62) / 64`` words; strace prints each word
zero-padded to 16 hex digits.  move_pages takes ``count`` page addresses, as many
target nodes (ints, or NULL to only ask where the pages are), and fills as many
statuses: a node, or a negative errno.

strace prints a mode with flags as ``MPOL_BIND|MPOL_F_STATIC_NODES``; a mode it
cannot name, with flags, as the flags and the rest in hex (``MPOL_F_...|0x...``).
"""

from __future__ import annotations

from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.arrays import array_text
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.style import ABBREV, RAW, current
from traced.decoders.values import DecodedValue, Memory, Options, as_signed, hex_address
from traced.decoders.xlat import Table, flag_names, format_enum, format_flags, joined, lookup
from traced.events import Arg
from traced.syscalls.names import ERRNO_NAMES

_MODE_FLAGS = sum(value for _, value in K.MPOL_MODE_FLAGS)
_WORD = (1 << 64) - 1
_BITS_PER_LONG = 64


def mempolicy_mode(raw: int) -> DecodedValue:
    """``MPOL_BIND|MPOL_F_STATIC_NODES``: the mode, then the mode flags set; a mode
    no name covers, with flags, as a flag set (``MPOL_F_STATIC_NODES|0x8``)."""
    flags, mode = raw & _MODE_FLAGS, raw & ~_MODE_FLAGS & _WORD
    if not flags:
        return format_enum(mode, K.MPOL_MODES, "MPOL_???")
    name = lookup(mode, K.MPOL_MODES)
    if name is None:
        return format_flags(raw, K.MPOL_MODE_FLAGS, "MPOL_???")
    names, _ = flag_names(flags, K.MPOL_MODE_FLAGS)
    return joined([name, *names], raw)


def _node_word(data: bytes) -> str:
    """C's ``%#016lx``: 16 characters, ``0x`` among them but for zero."""
    value = int.from_bytes(data, "little")
    return f"{value:#016x}" if value else "0" * 16


def nodemask_text(address: int, maxnode: int, memory: Memory, options: Options) -> DecodedValue:
    """``[0000000000000001, ...]``: the words ``maxnode`` bits span, or the address."""
    maxnode &= _WORD
    words = ((maxnode + _BITS_PER_LONG - 2) & _WORD) // _BITS_PER_LONG
    if words < maxnode // _BITS_PER_LONG or (maxnode and not words):
        return DecodedValue(hex_address(address), address, address)
    return array_text(address, words, 8, memory, options, element=_node_word)


def _nodemask(maxnode_at: int) -> Decoder:
    """A node mask whose size is the argument at ``maxnode_at``; get_mempolicy's is
    what the kernel wrote, at exit."""

    def entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
        return nodemask_text(raw[at], raw[maxnode_at], memory, options)

    def filled(
        raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
        args: Sequence[Arg],
    ) -> DecodedValue:  # fmt: skip
        return entry(raw, at, memory, options)

    return Decoder(entry=entry, exit=filled)


# --- move_pages -------------------------------------------------------------------------------


def _status(data: bytes) -> str:
    """A page's status: its node, or ``-EFAULT`` (in the -X style) for an error."""
    value = as_signed(int.from_bytes(data, "little"), 32)
    name = ERRNO_NAMES.get(-value) if value < 0 else None
    style = current().xlat
    if name is None or style == RAW:
        return str(value)
    return f"-{name}" if style == ABBREV else f"{value} /* -{name} */"


def _pages_array(size: int) -> Decoder:
    """move_pages' pages (addresses) or nodes (ints), ``count`` (arg 2) of them."""

    def show(data: bytes) -> str:
        if size == 8:
            return hex_address(int.from_bytes(data, "little"))
        return str(as_signed(int.from_bytes(data, "little"), 32))

    def entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
        return array_text(raw[at], raw[1], size, memory, options, element=show)

    return Decoder(entry=entry)


def _statuses(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    return array_text(raw[at], raw[1], 4, memory, options, element=_status)


DECODERS: dict[str, Decoder] = {
    "enum:mempolicy": by_register(mempolicy_mode),
    "flags:mbind": named.flags(K.MBIND, "MPOL_???"),
    "flags:mempolicy": named.flags(K.GET_MEMPOLICY, "MPOL_???"),
    "flags:move_pages": named.flags(K.MOVE_PAGES, "MPOL_???"),
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("set_mempolicy", "mode"): by_register(lambda raw: mempolicy_mode(raw & 0xFFFFFFFF)),
    ("mbind", "nodemask"): _nodemask(maxnode_at=4),
    ("set_mempolicy", "nodemask"): _nodemask(maxnode_at=2),
    ("get_mempolicy", "nodemask"): _nodemask(maxnode_at=2),
    ("migrate_pages", "old_nodes"): _nodemask(maxnode_at=1),
    ("migrate_pages", "new_nodes"): _nodemask(maxnode_at=1),
    ("move_pages", "pages"): _pages_array(8),
    ("move_pages", "nodes"): _pages_array(4),
    ("move_pages", "status"): Decoder(exit=_statuses),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "enum:mempolicy": K.MPOL_MODES + K.MPOL_MODE_FLAGS, "flags:mbind": K.MBIND,
    "flags:mempolicy": K.GET_MEMPOLICY, "flags:move_pages": K.MOVE_PAGES,
}  # fmt: skip
