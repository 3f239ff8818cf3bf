"""Arguments whose printing depends on another argument or on the result.

strace prints fcntl's third argument only for commands that take one, wait4's
status as the W* macros that hold, getdents' buffer as an entry count, and
utimensat's times as a pair with UTIME_NOW/UTIME_OMIT named.  Each function is
pure: values and memory in, :class:`Decoded` out, never raising.
"""

from __future__ import annotations

import struct

from traced.decoders import flags
from traced.decoders import tables as t
from traced.decoders.structs import time_comment
from traced.decoders.values import Decoded, Memory, as_signed, read_exact, unreadable

# --- fcntl ---------------------------------------------------------------------

F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL = 0, 1, 2, 3, 4
F_DUPFD_CLOEXEC = 1030
# Commands that take no third argument: strace prints ``fcntl(3, F_GETFD)``.
FCNTL_NO_ARG = frozenset((F_GETFD, F_GETFL, 9, 11, 1025, 1032, 1034))  # ... GETOWN .. GET_SEALS
NOT_PRINTED = ""  # an argument's text when strace leaves it out of the line


def fcntl_arg(command: int, raw: int) -> Decoded | None:
    """fcntl's third argument in terms of its command, or None for the generic text."""
    command &= 0xFFFFFFFF
    if command in FCNTL_NO_ARG:
        return Decoded(NOT_PRINTED, None, raw)
    if command == F_SETFD:
        return Decoded(
            "FD_CLOEXEC" if raw & 1 else str(raw), ["FD_CLOEXEC"] if raw & 1 else [], raw
        )
    if command == F_SETFL:
        return flags.open_flags(raw)
    if command in (F_DUPFD, F_DUPFD_CLOEXEC):
        value = as_signed(raw, 32)
        return Decoded(str(value), value, raw)
    return None


def fcntl_result(command: int, retval: int) -> str | None:
    """``0x8002 (flags O_RDWR|O_LARGEFILE)`` for F_GETFL, ``0x1 (flags FD_CLOEXEC)`` for F_GETFD."""
    command &= 0xFFFFFFFF
    if command == F_GETFL:
        return f"{retval:#x} (flags {flags.open_flags(retval).text})"
    if command == F_GETFD and retval:
        return f"{retval:#x} (flags FD_CLOEXEC)" if retval == 1 else f"{retval:#x}"
    return None


# --- wait status -----------------------------------------------------------------


def wait_status_text(status: int) -> str:
    """``[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`` and its siblings, as strace prints them."""
    status &= 0xFFFFFFFF
    low, high = status & 0x7F, (status >> 8) & 0xFF
    if status == 0xFFFF:  # before WIFSTOPPED, whose test it would also pass
        body = "WIFCONTINUED(s)"
    elif low == 0:
        body = f"WIFEXITED(s) && WEXITSTATUS(s) == {high}"
    elif low == 0x7F:
        body = f"WIFSTOPPED(s) && WSTOPSIG(s) == {flags.signal(high).text}"
    else:
        body = f"WIFSIGNALED(s) && WTERMSIG(s) == {flags.signal(low).text}"
        body += " && WCOREDUMP(s)" if status & 0x80 else ""
    rest = status >> 16
    return f"[{{{body}}}" + (f" | {rest:#x} << 16" if rest else "") + "]"


def wait_status(raw: int, memory: Memory) -> Decoded:
    data = read_exact(memory, raw, 4)
    if data is None:
        return unreadable(raw)
    status = struct.unpack("<i", data)[0]
    return Decoded(wait_status_text(status), status, raw)


# --- directory entries -------------------------------------------------------------

_RECLEN = struct.Struct("<H")  # d_reclen, at offset 16 in linux_dirent and linux_dirent64


def dirent_count(raw: int, memory: Memory, size: int) -> Decoded:
    """``0x5581 /* 139 entries */``: getdents' buffer, as strace shows it without -v."""
    data = read_exact(memory, raw, max(0, size)) if size > 0 else b""
    if data is None:
        return unreadable(raw)
    count = offset = 0
    while offset + 18 <= len(data):
        reclen = _RECLEN.unpack_from(data, offset + 16)[0]
        if reclen == 0:
            break
        count += 1
        offset += reclen
    return Decoded(f"{raw:#x} /* {count} entries */", count, raw)


# --- utimensat's pair of times --------------------------------------------------------

UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2


def _utime(sec: int, nsec: int) -> str:
    if nsec == UTIME_NOW:
        return "UTIME_NOW"
    if nsec == UTIME_OMIT:
        return "UTIME_OMIT"
    return f"{{tv_sec={sec}, tv_nsec={nsec}}}{time_comment(sec, nsec)}"


def timespec_pair(raw: int, memory: Memory) -> Decoded:
    """``[UTIME_OMIT, {tv_sec=1700000000, tv_nsec=0} /* 2023-11-14T22:13:20+0000 */]``."""
    if raw == 0:
        return Decoded("NULL", None, raw)
    data = read_exact(memory, raw, 32)
    if data is None:
        return unreadable(raw)
    times = struct.unpack("<qqqq", data)
    pairs = [times[:2], times[2:]]
    value = [{"tv_sec": sec, "tv_nsec": nsec} for sec, nsec in pairs]
    return Decoded("[" + ", ".join(_utime(*pair) for pair in pairs) + "]", value, raw)


# --- small tables --------------------------------------------------------------------

FADVISE: t.Table = tuple(
    (f"POSIX_FADV_{name}", value)
    for value, name in enumerate(
        ("NORMAL", "RANDOM", "SEQUENTIAL", "WILLNEED", "DONTNEED", "NOREUSE")
    )
)
FACCESSAT: t.Table = (
    ("AT_SYMLINK_NOFOLLOW", 0x100),
    ("AT_EACCESS", 0x200),
    ("AT_EMPTY_PATH", 0x1000),
)


def fadvise(raw: int) -> Decoded:
    return flags.format_enum(raw & 0xFFFFFFFF, FADVISE, "POSIX_FADV_???", decimal=True)


def faccessat_flags(raw: int) -> Decoded:
    return flags.format_flags(raw & 0xFFFFFFFF, FACCESSAT)


def socklen(raw: int, memory: Memory, before: int | None = None) -> Decoded:
    """``[16]``, or ``[128 => 16]`` when the kernel changed it (accept, getsockname)."""
    data = read_exact(memory, raw, 4)
    if data is None:
        return unreadable(raw)
    after = struct.unpack("<i", data)[0]
    text = f"[{after}]" if before is None or before == after else f"[{before} => {after}]"
    return Decoded(text, after, raw)


# --- getrandom ---------------------------------------------------------------------

GETRANDOM: t.Table = (("GRND_NONBLOCK", 1), ("GRND_RANDOM", 2), ("GRND_INSECURE", 4))


def getrandom_flags(raw: int) -> Decoded:
    return flags.format_flags(raw & 0xFFFFFFFF, GETRANDOM)


def hex_bytes(raw: int, memory: Memory, size: int, limit: int) -> Decoded:
    """``"\\x1f\\xbc..."``: random bytes, which strace shows as hex escapes only."""
    shown = max(0, min(size, limit))
    data = read_exact(memory, raw, shown) if shown else b""
    if data is None:
        return unreadable(raw)
    text = '"' + "".join(f"\\x{byte:02x}" for byte in data) + '"' + ("..." if size > shown else "")
    return Decoded(text, data.hex(), raw)


# --- futex ---------------------------------------------------------------------------

_FUTEX_COMMANDS = (
    "WAIT", "WAKE", "FD", "REQUEUE", "CMP_REQUEUE", "WAKE_OP", "LOCK_PI", "UNLOCK_PI",
    "TRYLOCK_PI", "WAIT_BITSET", "WAKE_BITSET", "WAIT_REQUEUE_PI", "CMP_REQUEUE_PI", "LOCK_PI2",
)  # fmt: skip
FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME = 128, 256
FUTEX_BITSET_MATCH_ANY = 0xFFFFFFFF


def futex_op(raw: int) -> Decoded:
    """``FUTEX_WAKE_PRIVATE``, ``FUTEX_CLOCK_REALTIME|FUTEX_WAIT_BITSET_PRIVATE``."""
    value = raw & 0xFFFFFFFF
    command = futex_command(value)
    if command is None:
        return Decoded(f"{value:#x} /* FUTEX_??? */", value, raw)
    name = "FUTEX_" + command
    name += "_PRIVATE" if value & FUTEX_PRIVATE_FLAG else ""
    name = ("FUTEX_CLOCK_REALTIME|" if value & FUTEX_CLOCK_REALTIME else "") + name
    return Decoded(name, name, raw)


# Which of futex's arguments after the op strace prints, by command: the rest
# are unused by that command.  (val, timeout, uaddr2, val3) by their names.
FUTEX_SHOWN: dict[str, tuple[str, ...]] = {
    "WAIT": ("val", "timeout"),
    "WAKE": ("val",),
    "FD": ("val",),
    "REQUEUE": ("val", "timeout", "uaddr2"),
    "CMP_REQUEUE": ("val", "timeout", "uaddr2", "val3"),
    "CMP_REQUEUE_PI": ("val", "timeout", "uaddr2", "val3"),
    "WAKE_OP": ("val", "timeout", "uaddr2", "val3"),
    "LOCK_PI": ("timeout",),
    "LOCK_PI2": ("timeout",),
    "UNLOCK_PI": (),
    "TRYLOCK_PI": (),
    "WAIT_BITSET": ("val", "timeout", "val3"),
    "WAKE_BITSET": ("val", "val3"),
    "WAIT_REQUEUE_PI": ("val", "timeout", "uaddr2"),
}


def futex_command(raw: int) -> str | None:
    command = raw & 0xFFFFFFFF & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
    return _FUTEX_COMMANDS[command] if command < len(_FUTEX_COMMANDS) else None


def futex_bitset(raw: int) -> str:
    value = raw & 0xFFFFFFFF
    return "FUTEX_BITSET_MATCH_ANY" if value == FUTEX_BITSET_MATCH_ANY else f"{value:#x}"
