"""What a few syscalls write even when they fail, as strace shows it.

A failed call's outputs are normally left as their addresses: the kernel wrote
nothing.  Two exceptions strace knows: a sleep a signal interrupted (nanosleep, a
relative clock_nanosleep) writes the time it had left, and name_to_handle_at, given
too little room (EOVERFLOW), writes the room it needed.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence

from msgspec.structs import replace

from traced.decoders.families.handles import returned_handle
from traced.decoders.families.timers import interrupted_sleep_left
from traced.decoders.values import DecodedValue, Memory
from traced.events import Arg
from traced.syscalls.names import RESTART_ERRNOS

_HANDLE = 2  # name_to_handle_at's handle argument


def _written(syscall: str, args: Sequence[Arg], raw: Sequence[int], memory: Memory,
             error: int) -> tuple[int, DecodedValue] | None:  # fmt: skip
    if error in RESTART_ERRNOS:
        return interrupted_sleep_left(syscall, raw, memory)
    if syscall == "name_to_handle_at" and error == errno.EOVERFLOW and len(args) > _HANDLE:
        asked = args[_HANDLE].value
        if isinstance(asked, int):
            decoded = returned_handle(raw[_HANDLE], asked, memory, succeeded=False)
            return None if decoded is None else (_HANDLE, decoded)
    return None


def failed_outputs(
    syscall: str, args: Sequence[Arg], raw: Sequence[int], memory: Memory, error: int
) -> tuple[Arg, ...] | None:
    """The arguments with what the failed call wrote, or None where it wrote nothing."""
    written = _written(syscall, args, raw, memory, error)
    if written is None:
        return None
    at, decoded = written
    shown = list(args)
    shown[at] = replace(shown[at], text=decoded.text, value=decoded.value)
    return tuple(shown)
