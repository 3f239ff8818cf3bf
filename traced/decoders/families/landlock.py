"""Landlock's structs, as strace 6.1 prints them (its landlock.c).

landlock_create_ruleset reads ``size`` bytes of a struct landlock_ruleset_attr that
may grow: strace shows the field it knows, handled_access_fs, and ``...`` for any
bytes past it; a size short of that field leaves the address.  landlock_add_rule's
attribute is a struct landlock_path_beneath_attr (packed: a u64 of access rights,
then the parent directory's fd) for LANDLOCK_RULE_PATH_BENEATH, an address for any
other rule type.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.kinds import Decoder
from traced.decoders.values import DecodedValue, Memory, Options, read_exact, unreadable
from traced.decoders.xlat import format_flags

_ACCESS = 8  # __u64 handled_access_fs, allowed_access
_PATH_BENEATH = struct.Struct("<Qi")
_RULE_PATH_BENEATH = dict(K.LANDLOCK_RULE)["LANDLOCK_RULE_PATH_BENEATH"]


def _access(value: int) -> str:
    return format_flags(value, K.LANDLOCK_ACCESS_FS, "LANDLOCK_ACCESS_FS_???").text


def ruleset_attr(address: int, size: int, memory: Memory) -> DecodedValue:
    """``{handled_access_fs=LANDLOCK_ACCESS_FS_EXECUTE, ...}``."""
    data = read_exact(memory, address, _ACCESS) if size >= _ACCESS else None
    if data is None:
        return unreadable(address)
    value = int.from_bytes(data, "little")
    more = ", ..." if size > _ACCESS else ""
    return DecodedValue(f"{{handled_access_fs={_access(value)}{more}}}", value, address)


def path_beneath_attr(address: int, memory: Memory) -> DecodedValue:
    """``{allowed_access=LANDLOCK_ACCESS_FS_READ_FILE, parent_fd=3}``."""
    data = read_exact(memory, address, _PATH_BENEATH.size)
    if data is None:
        return unreadable(address)
    allowed, parent = _PATH_BENEATH.unpack(data)
    text = f"{{allowed_access={_access(allowed)}, parent_fd={fd_in_memory(parent)}}}"
    return DecodedValue(text, {"allowed_access": allowed, "parent_fd": parent}, address)


def _ruleset_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return ruleset_attr(raw[at], raw[at + 1], memory)


def _rule_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    if raw[at - 1] & 0xFFFFFFFF != _RULE_PATH_BENEATH:
        return unreadable(raw[at])
    return path_beneath_attr(raw[at], memory)


DECODERS: dict[str, Decoder] = {
    "struct:landlock_ruleset_attr": Decoder(entry=_ruleset_entry),
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("landlock_add_rule", "rule_attr"): Decoder(entry=_rule_entry),
}
