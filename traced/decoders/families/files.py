"""Files and descriptors: open and at-flags, access modes, fcntl, lseek, fadvise,
pathnames, getdents' buffer, and the fd pair pipe fills.

Values are Linux x86_64's, written out (the kernel's, not the build host's); the
unit tests cross-check every name Python's os and fcntl modules also define.
O_SYNC (0x101000) comes before O_DSYNC (0x1000) and O_TMPFILE (0x410000) before
O_DIRECTORY: a flag is named by the first entry whose bits are all set.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.arrays import nonzero_tail
from traced.decoders.families import dirents, fcntl_args
from traced.decoders.kinds import Decoder, at_exit, by_register
from traced.decoders.strings import PATH_MAX, decode_cstring, decode_path
from traced.decoders.style import PLAIN, applied
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    NOT_PRINTED,
    DecodedValue,
    Memory,
    Options,
    as_signed,
    octal,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import (
    Table,
    flag_names,
    format_enum,
    format_flags,
    joined,
    lookup,
    named,
    number,
    styled,
)
from traced.events import Arg

AT_FDCWD = -100

OPEN_ACCMODE: Table = (("O_RDONLY", 0), ("O_WRONLY", 1), ("O_RDWR", 2), ("O_ACCMODE", 3))
OPEN: Table = K.OPEN_FLAGS  # in strace's order: O_SYNC before __O_SYNC and O_DSYNC
AT: Table = (
    ("AT_SYMLINK_NOFOLLOW", 0x100), ("AT_REMOVEDIR", 0x200), ("AT_SYMLINK_FOLLOW", 0x400),
    ("AT_NO_AUTOMOUNT", 0x800), ("AT_EMPTY_PATH", 0x1000), ("AT_RECURSIVE", 0x8000),
)  # fmt: skip
FACCESSAT: Table = (
    ("AT_SYMLINK_NOFOLLOW", 0x100), ("AT_EACCESS", 0x200), ("AT_EMPTY_PATH", 0x1000),
)  # fmt: skip
ACCESS: Table = (("F_OK", 0), ("R_OK", 4), ("W_OK", 2), ("X_OK", 1))
FCNTL_CMD: Table = tuple(
    (f"F_{name}", value)
    for value, name in (
        (0, "DUPFD"), (1, "GETFD"), (2, "SETFD"), (3, "GETFL"), (4, "SETFL"), (5, "GETLK"),
        (6, "SETLK"), (7, "SETLKW"), (8, "SETOWN"), (9, "GETOWN"), (10, "SETSIG"),
        (11, "GETSIG"), (12, "GETLK64"), (13, "SETLK64"), (14, "SETLKW64"),
        (15, "SETOWN_EX"), (16, "GETOWN_EX"), (17, "GETOWNER_UIDS"), (36, "OFD_GETLK"),
        (37, "OFD_SETLK"), (38, "OFD_SETLKW"), (1024, "SETLEASE"), (1025, "GETLEASE"),
        (1026, "NOTIFY"), (1029, "CANCELLK"), (1030, "DUPFD_CLOEXEC"),
        (1031, "SETPIPE_SZ"), (1032, "GETPIPE_SZ"), (1033, "ADD_SEALS"), (1034, "GET_SEALS"),
    )
)  # fmt: skip
FADVISE: Table = tuple(
    (f"POSIX_FADV_{name}", value)
    for value, name in enumerate(
        ("NORMAL", "RANDOM", "SEQUENTIAL", "WILLNEED", "DONTNEED", "NOREUSE")
    )
)
FD_FLAGS: Table = (("FD_CLOEXEC", 1),)
WHENCE = {0: "SEEK_SET", 1: "SEEK_CUR", 2: "SEEK_END", 3: "SEEK_DATA", 4: "SEEK_HOLE"}

# --- flags and numbers -------------------------------------------------------------


def open_flags(raw: int, width: int = 32) -> DecodedValue:
    """``O_WRONLY|O_CREAT|O_TRUNC``: the access mode always, then the other flags (an
    int's, or open_how's u64 ``width``)."""
    value = raw & ((1 << width) - 1)
    mode = lookup(value & 3, OPEN_ACCMODE) or "O_RDONLY"
    names, rest = flag_names(value & ~3, OPEN)
    return joined([mode, *names] + ([f"{rest:#x}"] if rest else []), raw)


def pipe_flags(raw: int) -> DecodedValue:
    """pipe2's and dup3's ``O_CLOEXEC``: open flags without an access mode."""
    return format_flags(raw & 0xFFFFFFFF, OPEN, "O_???")


def at_flags(raw: int) -> DecodedValue:
    return format_flags(raw & 0xFFFFFFFF, AT, "AT_???")


def faccessat_flags(raw: int) -> DecodedValue:
    return format_flags(raw & 0xFFFFFFFF, FACCESSAT, "AT_???")


def dirfd(raw: int) -> DecodedValue:
    value = as_signed(raw, 32)
    if value == AT_FDCWD:
        return DecodedValue(named(value, "AT_FDCWD", decimal=True), value, raw)
    return DecodedValue(str(value), value, raw)


def access_mode(raw: int) -> DecodedValue:
    return format_flags(raw & 0xFFFFFFFF, ACCESS, "?_OK")


def fcntl_cmd(raw: int) -> DecodedValue:
    return format_enum(raw & 0xFFFFFFFF, FCNTL_CMD, "F_???")


def whence(raw: int) -> DecodedValue:
    """lseek's whence: SEEK_SET, SEEK_CUR, ... or ``0x7 /* SEEK_??? */``."""
    name = WHENCE.get(raw)
    return DecodedValue(named(raw, name, "SEEK_???"), name or raw, raw)


def fadvise(raw: int) -> DecodedValue:
    return format_enum(raw & 0xFFFFFFFF, FADVISE, "POSIX_FADV_???")


# --- fcntl's argument and result, by its command ----------------------------------

F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL = 0, 1, 2, 3, 4
F_DUPFD_CLOEXEC = 1030
# Commands that take no third argument: strace prints ``fcntl(3, F_GETFD)``.
FCNTL_NO_ARG = frozenset((F_GETFD, F_GETFL, 9, 11, 1025, 1032, 1034))  # ... GETOWN .. GET_SEALS


def fcntl_arg(command: int, raw: int) -> DecodedValue | None:
    """fcntl's third argument in terms of its command, or None for the generic text."""
    command &= 0xFFFFFFFF
    if command in FCNTL_NO_ARG:
        return DecodedValue(NOT_PRINTED, None, raw)
    if command == F_SETFD:
        if raw & 1:
            return DecodedValue(styled("FD_CLOEXEC", number(raw)), ["FD_CLOEXEC"], raw)
        return DecodedValue(str(raw), [], raw)
    if command == F_SETFL:
        return open_flags(raw)
    if command in (F_DUPFD, F_DUPFD_CLOEXEC):
        value = as_signed(raw, 32)
        return DecodedValue(str(value), value, raw)
    return None


def fcntl_result(command: int, retval: int) -> str | None:
    """``0x8002 (flags O_RDWR|O_LARGEFILE)`` for F_GETFL, ``0x1 (flags FD_CLOEXEC)`` for
    F_GETFD.  strace 6.1 words F_GETFL's flags by name whatever -X says, F_GETFD's not."""
    command &= 0xFFFFFFFF
    if command == F_GETFL:
        with applied(PLAIN):
            return f"{retval:#x} (flags {open_flags(retval).text})"
    if command == F_GETFD and retval:
        flags = format_flags(retval, FD_FLAGS).text
        return f"{retval:#x} (flags {flags})" if retval == 1 else f"{retval:#x}"
    return fcntl_args.result(command, retval)


def _fcntl_entry(
    raw: Sequence[int], at: int, memory: Memory, options: Options
) -> DecodedValue | None:
    decoded = fcntl_arg(raw[1], raw[at])
    return decoded if decoded is not None else fcntl_args.entry_argument(raw[1], raw[at], memory)


def _fcntl_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    return fcntl_args.exit_argument(raw, at, memory, retval=retval, args=args)


# --- memory the kernel fills -------------------------------------------------------

# d_reclen is a u16 at offset 16 in linux_dirent and linux_dirent64.


def dirent_count(raw: int, memory: Memory, size: int) -> DecodedValue:
    """``0x5581 /* 139 entries */``: getdents' buffer, as strace shows it without -v."""
    data = read_exact(memory, raw, max(0, size)) if size > 0 else b""
    if data is None:
        return unreadable(raw)
    count, offset, end = 0, 16, len(data) - 2  # offset: the next d_reclen's
    while offset <= end:
        # d_reclen, little-endian, read without a struct call: a buffer holds hundreds.
        reclen = data[offset] | data[offset + 1] << 8
        if reclen == 0:
            break
        count += 1
        offset += reclen
    return DecodedValue(f"{raw:#x} /* {count} entries */", count, raw)


def decode_fd_pair(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """pipe's and socketpair's ``[3, 4]``."""
    data = None if raw == 0 else read_exact(memory, raw, 8)
    if data is None:
        return unreadable(raw)
    first, second = struct.unpack("<ii", data)
    return DecodedValue(f"[{first}, {second}]", [first, second], raw)


def _path_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return decode_cstring(raw[at], memory, options, PATH_MAX - 1)  # the commonest read


def _cwd_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    return decode_path(raw[at], memory)  # getcwd's: whole, whatever -s says


def _dirents_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    if options.verbose:
        return dirents.dirents(raw[at], memory, retval, wide=False)
    return dirent_count(raw[at], memory, retval)


def _dirents64_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    if options.verbose:
        return dirents.dirents(raw[at], memory, retval, wide=True)
    return dirent_count(raw[at], memory, retval)


_O_CREAT = dict(OPEN)["O_CREAT"]
_O_TMPFILE_BIT = 0o20000000  # __O_TMPFILE: O_TMPFILE without O_DIRECTORY
OPEN_HOW = struct.Struct("<QQQ")  # struct open_how: u64 flags, mode, resolve (24 bytes)


def decode_open_how(
    raw: int, memory: Memory, size: int, options: Options = DEFAULT_OPTIONS
) -> DecodedValue:
    """openat2's ``{flags=O_WRONLY|O_CREAT, mode=0600, resolve=RESOLVE_BENEATH}``: the
    mode where open uses it or it is set; a size short of the struct leaves it unread,
    a longer one shows the bytes past it that are set (``???`` where unreadable)."""
    if raw == 0:
        return DecodedValue("NULL", None, raw)
    data = read_exact(memory, raw, OPEN_HOW.size) if size >= OPEN_HOW.size else None
    if data is None:
        return unreadable(raw)
    flags, mode, resolve = OPEN_HOW.unpack(data)
    fields = [f"flags={open_flags(flags, 64).text}"]
    if flags & (_O_CREAT | _O_TMPFILE_BIT) or mode:
        fields.append(f"mode={octal(mode)}")
    fields.append(f"resolve={format_flags(resolve, K.RESOLVE, 'RESOLVE_???').text}")
    fields += nonzero_tail(raw, OPEN_HOW.size, size, memory, options)
    value = {"flags": flags, "mode": mode, "resolve": resolve}
    return DecodedValue("{" + ", ".join(fields) + "}", value, raw)


def _open_how_entry(
    raw: Sequence[int], at: int, memory: Memory, options: Options
) -> DecodedValue | None:
    return decode_open_how(raw[at], memory, raw[at + 1], options) if at + 1 < len(raw) else None


DECODERS: dict[str, Decoder] = {
    "dirfd": by_register(dirfd), "flags:open": by_register(open_flags),
    "flags:pipe": by_register(pipe_flags), "flags:at": by_register(at_flags),
    "flags:access": by_register(access_mode), "flags:faccessat": by_register(faccessat_flags),
    "enum:fcntl_cmd": by_register(fcntl_cmd), "enum:whence": by_register(whence),
    "enum:fadvise": by_register(fadvise),
    "path": Decoder(entry=_path_entry, alone=decode_path),
    "cwd": Decoder(exit=_cwd_exit), "pipefd": at_exit(decode_fd_pair),
    "struct:dirent": Decoder(exit=_dirents_exit), "struct:dirent64": Decoder(exit=_dirents64_exit),
    "struct:open_how": Decoder(entry=_open_how_entry),
}  # fmt: skip
# The names a filter's argument predicates may use (traced.filter.predicates), by type.
CONSTANTS: dict[str, Table] = {
    "dirfd": (("AT_FDCWD", AT_FDCWD),), "flags:open": OPEN_ACCMODE + OPEN,
    "flags:pipe": OPEN, "flags:at": AT, "flags:access": ACCESS, "flags:faccessat": FACCESSAT,
    "enum:fcntl_cmd": FCNTL_CMD, "enum:fadvise": FADVISE,
    "enum:whence": tuple((name, value) for value, name in WHENCE.items()),
}  # fmt: skip
# Arguments decoded by their syscall and name: fcntl's third, by its command.
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("fcntl", "arg"): Decoder(entry=_fcntl_entry, exit=_fcntl_exit, in_and_out=True),
    ("fcntl64", "arg"): Decoder(entry=_fcntl_entry, exit=_fcntl_exit, in_and_out=True),
}  # fmt: skip
