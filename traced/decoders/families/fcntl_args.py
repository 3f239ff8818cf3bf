"""fcntl's third argument and its result, by the command, as strace 6.1 prints them
(its fcntl.c).

What the third argument is depends on the command alone: nothing (F_GETFD, F_GETOWN
...), a number, flags (F_SETFL's open flags, F_NOTIFY's DN_*, F_ADD_SEALS'
F_SEAL_*), a signal, a lock type, or a pointer to a struct flock or f_owner_ex.
F_GETLK and F_GETOWN_EX fill their struct, so it is read at exit, after a success
(an address otherwise); the set commands' structs are read at entry.  A command
strace does not know has its argument in hex.  struct flock is x86_64's, where
flock64 is the same.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

from traced.decoders import _constants as K
from traced.decoders.families.signals import signal
from traced.decoders.pidnames import pid_text
from traced.decoders.values import DecodedValue, Memory, as_signed, chex, read_exact, unreadable
from traced.decoders.xlat import format_enum, format_flags, lookup
from traced.events import Arg

FCNTL_COMMANDS = {
    "F_DUPFD": 0, "F_GETFD": 1, "F_SETFD": 2, "F_GETFL": 3, "F_SETFL": 4, "F_GETLK": 5,
    "F_SETLK": 6, "F_SETLKW": 7, "F_SETOWN": 8, "F_GETOWN": 9, "F_SETSIG": 10,
    "F_GETSIG": 11, "F_SETOWN_EX": 15, "F_GETOWN_EX": 16, "F_OFD_GETLK": 36,
    "F_OFD_SETLK": 37, "F_OFD_SETLKW": 38, "F_SETLEASE": 1024, "F_GETLEASE": 1025,
    "F_NOTIFY": 1026, "F_DUPFD_CLOEXEC": 1030, "F_SETPIPE_SZ": 1031, "F_GETPIPE_SZ": 1032,
    "F_ADD_SEALS": 1033, "F_GET_SEALS": 1034,
}  # fmt: skip
_F = FCNTL_COMMANDS
_FLOCK = struct.Struct("<hh4xqqi4x")
_WHENCE = (("SEEK_SET", 0), ("SEEK_CUR", 1), ("SEEK_END", 2), ("SEEK_DATA", 3), ("SEEK_HOLE", 4))


def flock(address: int, memory: Memory, *, with_pid: bool) -> DecodedValue:
    """``{l_type=F_RDLCK, l_whence=SEEK_SET, l_start=0, l_len=0}``, and F_GETLK's
    l_pid, the holder the kernel found."""
    data = read_exact(memory, address, _FLOCK.size)
    if data is None:
        return unreadable(address)
    kind, whence, start, length, pid = _FLOCK.unpack(data)
    parts = [
        f"l_type={format_enum(kind & 0xFFFF, K.LOCK_TYPES, 'F_???').text}",
        f"l_whence={format_enum(whence & 0xFFFF, _WHENCE, 'SEEK_???').text}",
        f"l_start={start}",
        f"l_len={length}",
    ]
    if with_pid:
        parts.append(f"l_pid={pid_text(pid)}")
    return DecodedValue("{" + ", ".join(parts) + "}", [kind, whence, start, length], address)


def owner_ex(address: int, memory: Memory) -> DecodedValue:
    """``{type=F_OWNER_TID, pid=1234}``."""
    data = read_exact(memory, address, 8)
    if data is None:
        return unreadable(address)
    kind, pid = struct.unpack("<ii", data)
    kind_text = format_enum(kind & 0xFFFFFFFF, K.F_OWNER, "F_OWNER_???").text
    shown = str(pid) if kind == _F_OWNER_PGRP else pid_text(pid)  # a group: no comm
    return DecodedValue(f"{{type={kind_text}, pid={shown}}}", [kind, pid], address)


_F_OWNER_PGRP = 2


ByCommand = Callable[[int, Memory], DecodedValue]


def _number(raw: int, memory: Memory) -> DecodedValue:
    value = as_signed(raw, 64)
    return DecodedValue(str(value), value, raw)


def _owner(raw: int, memory: Memory) -> DecodedValue:
    """F_SETOWN's owner: a process (named under -Y), or minus a process group."""
    value = as_signed(raw, 64)
    return DecodedValue(pid_text(value), value, raw)


def _unchanged_address(raw: int, memory: Memory) -> DecodedValue:
    return unreadable(raw)


# Arguments read at entry, by command (F_SETFD, F_SETFL and F_DUPFD are files.py's).
_ENTRY: dict[int, ByCommand] = {
    _F["F_SETOWN"]: _owner,
    _F["F_SETPIPE_SZ"]: _number,
    _F["F_SETLK"]: lambda raw, memory: flock(raw, memory, with_pid=False),
    _F["F_SETLKW"]: lambda raw, memory: flock(raw, memory, with_pid=False),
    _F["F_OFD_SETLK"]: lambda raw, memory: flock(raw, memory, with_pid=False),
    _F["F_OFD_SETLKW"]: lambda raw, memory: flock(raw, memory, with_pid=False),
    _F["F_SETOWN_EX"]: owner_ex,
    _F["F_NOTIFY"]: lambda raw, memory: format_flags(raw, K.DN, "DN_???"),
    _F["F_SETLEASE"]: lambda raw, memory: format_enum(raw, K.LOCK_TYPES, "F_???"),
    _F["F_ADD_SEALS"]: lambda raw, memory: format_flags(raw, K.F_SEAL, "F_SEAL_???"),
    _F["F_SETSIG"]: lambda raw, memory: signal(raw),
    # filled by the kernel: the address until the call has returned
    _F["F_GETLK"]: _unchanged_address,
    _F["F_OFD_GETLK"]: _unchanged_address,
    _F["F_GETOWN_EX"]: _unchanged_address,
}
_EXIT: dict[int, ByCommand] = {
    _F["F_GETLK"]: lambda raw, memory: flock(raw, memory, with_pid=True),
    _F["F_OFD_GETLK"]: lambda raw, memory: flock(raw, memory, with_pid=True),
    _F["F_GETOWN_EX"]: owner_ex,
}
KNOWN = frozenset(FCNTL_COMMANDS.values())


def entry_argument(command: int, raw: int, memory: Memory) -> DecodedValue | None:
    """The argument as strace prints it at entry; None where files.py decides."""
    command &= 0xFFFFFFFF
    printer = _ENTRY.get(command)
    if printer is not None:
        return printer(raw, memory)
    if command not in KNOWN:
        return DecodedValue(chex(raw), raw, raw)
    return None


def exit_argument(
    raw: Sequence[int], at: int, memory: Memory, *, retval: int, args: Sequence[Arg]
) -> DecodedValue | None:
    """F_GETLK's and F_GETOWN_EX's struct, once the kernel filled it."""
    printer = _EXIT.get(raw[1] & 0xFFFFFFFF)
    return None if printer is None else printer(raw[at], memory)


def result(command: int, retval: int) -> str | None:
    """F_GETLEASE's lock type, F_GETSIG's signal and F_GET_SEALS' seals, after the
    number, as strace words them."""
    command &= 0xFFFFFFFF
    if command == _F["F_GETLEASE"]:
        name = lookup(retval, K.LOCK_TYPES)
        return f"{retval:#x} ({name})" if name else f"{retval:#x}"
    if command == _F["F_GETSIG"] and retval:
        return f"{retval} ({signal(retval).text})"
    if command == _F["F_GET_SEALS"] and retval:
        return f"{retval:#x} (seals {format_flags(retval, K.F_SEAL, 'F_SEAL_???').text})"
    return None
