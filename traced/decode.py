"""Argument decoders: pure functions from raw syscall words plus tracee memory to values.

Pure with respect to the kernel: memory arrives through the :class:`Memory`
protocol, which the reactor backs with process_vm_readv and tests back with
bytes they construct.  A decoder never raises, whatever the memory holds: an
unreadable pointer stays the raw integer, as strace prints an address.

For now arguments are integers, sign-corrected by their declared type, and
paths are strings; full decoding (flags, structs, -y) builds on this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from traced.events import ArgValue
from traced.syscalls.signatures import signature

PATH_MAX = 4096
_SIGNED_32 = frozenset(("int", "fd", "dirfd", "pid", "signal"))
_SIGNED_64 = frozenset(("long", "ssize", "off"))


class Memory(Protocol):
    def cstring(self, address: int, limit: int = ...) -> bytes: ...


def as_signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def decode_int(type_tag: str, value: int) -> int:
    if type_tag in _SIGNED_32:
        return as_signed(value, 32)
    if type_tag in _SIGNED_64:
        return as_signed(value, 64)
    return value


def decode_path(memory: Memory, address: int) -> ArgValue:
    """The path at ``address`` as text, or the address itself when it cannot be read."""
    if address == 0:
        return 0
    try:
        raw = memory.cstring(address, PATH_MAX)
    except OSError:
        return address
    return raw.decode("utf-8", "backslashreplace")


def decode_args(name: str, raw: Sequence[int], memory: Memory) -> tuple[ArgValue, ...]:
    """The syscall's own arguments (as many as its signature has), decoded."""
    values: list[ArgValue] = []
    for arg, value in zip(signature(name).args, raw, strict=False):
        if arg.type == "path":
            values.append(decode_path(memory, value))
        else:
            values.append(decode_int(arg.type, value))
    return tuple(values)
