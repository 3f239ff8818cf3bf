"""From a syscall's raw registers to typed :class:`~traced.events.Arg` values.

The glue between the signatures (what each argument is) and the decoders (how a
type is read and printed).  Pure with respect to the kernel: memory arrives
through the :class:`Memory` protocol and fd paths through :data:`FdNames`, which
the reactor backs with process_vm_readv and /proc, and tests with plain data.
Nothing here raises on what a tracee holds: an unreadable pointer stays its
address, as strace prints it.

Arguments come in two kinds.  Inputs are decoded at the entry stop, when the
memory holds what the program passed.  Outputs (a buffer read() fills, the stat
fstat writes, pipe's fds) are decoded at the exit stop and only on success; at
entry, and after a failure, they are shown as the address strace prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from msgspec.structs import replace

from traced.decoders import (
    VALUE_TAGS,
    decode,
    decode_buffer,
    decode_sockaddr,
    decode_value,
    flags,
    special,
)
from traced.decoders.shapes import shape_entry
from traced.decoders.strings import decode_path
from traced.decoders.values import DEFAULT_OPTIONS, Decoded, Memory, Options, as_signed
from traced.events import Arg
from traced.syscalls.signatures import SIGNATURES, Signature, signature

__all__ = ["FdNames", "Memory", "Options", "decode_entry", "decode_exit", "first_output"]

FdNames = Callable[[int], str | None]  # fd → what /proc/PID/fd/FD links to (-100: cwd)


def no_fd_names(fd: int) -> str | None:
    return None


_SIGNED_32 = frozenset(("int", "fd", "pid", "uid", "gid"))
_SIGNED_64 = frozenset(("long", "ssize", "off"))
# Types strace prints as an address (NULL for 0) when it does not follow the pointer.
_POINTER_TYPES = frozenset((
    "ptr", "buf_in", "buf_out", "strv", "stat_out", "statx_out", "statfs_out", "timespec",
    "timeval", "sockaddr", "sigset", "rlimit", "int_ptr", "socklen_ptr", "str", "path",
    "iovec", "siginfo", "pipefd", "wstatus",
))  # fmt: skip
# Outputs by type: whatever the syscall, the kernel writes these.
_OUTPUT_TYPES = frozenset(
    ("buf_out", "stat_out", "statx_out", "statfs_out", "pipefd", "wstatus", "socklen_ptr")
)
# Outputs by name, where the same type is an input elsewhere (setrlimit's rlimit).
_OUTPUT_ARGS = frozenset(
    (
        ("getrlimit", "rlim"),
        ("ugetrlimit", "rlim"),
        ("prlimit64", "old_limit"),
        *((name, "tp") for name in ("clock_gettime", "clock_getres", "clock_gettime64")),
        *((name, "addr") for name in ("accept", "accept4", "getsockname", "getpeername")),
        ("recvfrom", "src_addr"),
        ("getdents", "dirp"),
        ("getdents64", "dirp"),
    )
)
# Buffers whose length is the return value (read), not the next argument (write).
_LENGTH_IS_RESULT = frozenset(("buf_out",))
# Arguments whose type is too general to say, but that strace shows as addresses.
_AS_POINTER = {("ioctl", "arg"), ("arch_prctl", "addr")}
_TYPE_OVERRIDES = {
    ("statx", "flags"): "flags:statx",  # strace names AT_STATX_SYNC_AS_STAT
    ("faccessat2", "flags"): "flags:faccessat",  # AT_EACCESS, which shares AT_REMOVEDIR's bit
    ("utimensat", "times"): "utimens",
    ("getcwd", "buf"): "cwd",  # a path, not a buffer cut at -s
    ("getrandom", "buf"): "random",  # bytes strace shows in hex
    ("utimensat_time64", "times"): "utimens",
}


def is_output(syscall: str, arg_name: str, type_tag: str) -> bool:
    return type_tag in _OUTPUT_TYPES or (syscall, arg_name) in _OUTPUT_ARGS


def int_text(type_tag: str, value: int, syscall: str) -> tuple[int, str]:
    """An integer argument's value (sign-corrected by type) and strace's text for it."""
    if type_tag in _SIGNED_32:
        value = as_signed(value, 32)
    elif type_tag in _SIGNED_64:
        value = as_signed(value, 64)
    if type_tag in _POINTER_TYPES or type_tag.startswith("struct:"):
        return value, f"{value:#x}" if value else "NULL"
    if type_tag == "hex" or (type_tag == "pgoff" and value):
        return value, f"{value:#x}"
    if type_tag == "off" and syscall == "mmap":
        return value, f"{value:#x}" if value else "0"  # strace shows mmap's offset in hex
    if type_tag == "mode":
        return value, f"0{value:o}" if value else "000"
    return value, str(value)


_Key = tuple[object, ...]
# Args are values: a self-contained argument decoded before from the same register
# is the same Arg again (flags, fds and sizes recur; naming flags is the cost
# saved).  Bounded, then started over.
_SEEN: dict[_Key, Arg] = {}
SEEN_LIMIT = 8192


def _plain(name: str, tag: str, raw: int, syscall: str) -> Arg:
    value, text = int_text(tag, raw, syscall)
    return Arg(name=name, type=tag, value=value, raw=raw, text=text)


def _typed(name: str, tag: str, decoded: Decoded) -> Arg:
    return Arg(name=name, type=tag, value=decoded.value, raw=decoded.raw, text=decoded.text)


_FD_TYPES = frozenset(("fd", "dirfd"))
AT_FDCWD = -100


def _with_fd_path(arg: Arg, fds: FdNames) -> Arg:
    """-y: ``3</etc/passwd>``, and ``AT_FDCWD</home/me>`` for the working directory."""
    fd = arg.value
    path = fds(fd) if isinstance(fd, int) and (fd >= 0 or fd == AT_FDCWD) else None
    if path is None:
        return arg
    return replace(arg, text=f"{arg.text}<{path}>")


class Slot(NamedTuple):
    """One argument of one syscall, with everything decoding asks of it known ahead."""

    position: int
    name: str
    tag: str  # the type to decode it as (strace's view, where it differs from ours)
    output: bool  # the kernel writes it: decoded at exit
    self_contained: bool  # decoded from its register alone: the same value, the same Arg


_MEMORY_TAGS = frozenset(("utimens", "cwd"))
_DEPENDS_ON_OTHERS = frozenset(("enum:socket_protocol",))


def _self_contained(syscall: str, name: str, tag: str) -> bool:
    if tag in _DEPENDS_ON_OTHERS or (syscall in ("fcntl", "fcntl64") and name == "arg"):
        return False
    if tag in VALUE_TAGS:
        return True
    return not (tag in _POINTER_TYPES or tag in _MEMORY_TAGS or tag.startswith("struct:"))


def _slots(sig: Signature) -> tuple[Slot, ...]:
    slots = []
    for index, spec in enumerate(sig.args):
        tag = "ptr" if (sig.name, spec.name) in _AS_POINTER else spec.type
        tag = _TYPE_OVERRIDES.get((sig.name, spec.name), tag)
        output = is_output(sig.name, spec.name, spec.type)
        alone = not output and _self_contained(sig.name, spec.name, tag)
        slots.append(Slot(index, spec.name, tag, output, alone))
    return tuple(slots)


def raw_arg(slot: Slot, value: int) -> Arg:
    """-e raw=: the register in hex, as strace prints an undecoded argument."""
    text = f"{value:#x}" if value else "0"
    return Arg(name=slot.name, type=slot.tag, value=value, raw=value, text=text)


def self_contained_arg(syscall: str, slot: Slot, value: int) -> Arg:
    key = (syscall, slot.position, value)
    arg = _SEEN.get(key)
    if arg is None:
        decoded = decode_value(slot.tag, value)
        if decoded is None:
            arg = _plain(slot.name, slot.tag, value, syscall)
        else:
            arg = _typed(slot.name, slot.tag, decoded)
        _remember(_SEEN, key, arg)
    return arg


def _remember(seen: dict[_Key, Arg], key: _Key, arg: Arg) -> None:
    if len(seen) >= SEEN_LIMIT:
        seen.clear()
    seen[key] = arg


_SLOTS = {name: _slots(sig) for name, sig in SIGNATURES.items()}


def _first_output(slots: tuple[Slot, ...]) -> int:
    return next((slot.position for slot in slots if slot.output), len(slots))


# Where strace's line stops at entry (``read(3, `` ... ``<unfinished ...>``).
_FIRST_OUTPUT = {name: _first_output(slots) for name, slots in _SLOTS.items()}
_WITH_OUTPUTS = frozenset(
    name for name, slots in _SLOTS.items() if _first_output(slots) < len(slots)
)


def first_output(name: str) -> int:
    """Index of the first argument the kernel writes: strace prints up to it at entry."""
    return _FIRST_OUTPUT.get(name, 6)


def has_outputs(name: str) -> bool:
    """Whether the syscall returns something through memory that we decode at exit."""
    return name in _WITH_OUTPUTS


_NO_SOCKADDR_LENGTH = frozenset(("accept", "accept4"))  # their length is a pointer


def _input(syscall: str, slot: Slot, raw: Sequence[int], memory: Memory, options: Options) -> Arg:
    value, tag, following = raw[slot.position], slot.tag, slot.position + 1
    if tag == "path":  # the most common memory read, straight to its decoder
        return _typed(slot.name, tag, decode_path(value, memory, options))
    if tag == "buf_in" and following < len(raw):
        return _typed(slot.name, tag, decode_buffer(value, memory, raw[following], options))
    if tag == "sockaddr" and following < len(raw) and syscall not in _NO_SOCKADDR_LENGTH:
        return _typed(slot.name, tag, decode_sockaddr(value, memory, raw[following]))
    decoded = _special_input(syscall, slot, raw, memory) or decode(
        tag, value, memory, options, slot.name
    )
    if decoded is None:
        return _plain(slot.name, tag, value, syscall)
    return _typed(slot.name, tag, decoded)


def _special_input(syscall: str, slot: Slot, raw: Sequence[int], memory: Memory) -> Decoded | None:
    """Arguments read in terms of another argument (fcntl's by its command)."""
    value = raw[slot.position]
    if slot.tag == "enum:socket_protocol":
        return flags.socket_protocol(value, raw[0])
    if slot.tag == "utimens":
        return special.timespec_pair(value, memory)
    if slot.tag == "socklen_ptr":
        return special.socklen(value, memory)
    if syscall in ("fcntl", "fcntl64") and slot.name == "arg":
        return special.fcntl_arg(raw[1], value)
    return None


# Read at entry as well as at exit, to show ``[in => out]``.
_IN_AND_OUT = frozenset(("socklen_ptr",))


def decode_entry(
    syscall: str,
    raw: Sequence[int],
    memory: Memory,
    options: Options = DEFAULT_OPTIONS,
    fds: FdNames = no_fd_names,
) -> tuple[Arg, ...]:
    """Every argument of the signature: inputs decoded, outputs as their address."""
    slots = _SLOTS.get(syscall) or _slots(signature(syscall))
    if syscall in options.raw:
        return tuple(raw_arg(slot, raw[slot.position]) for slot in slots[: len(raw)])
    args = []
    for slot in slots[: len(raw)]:
        if slot.self_contained or (slot.output and slot.tag not in _IN_AND_OUT):
            arg = self_contained_arg(syscall, slot, raw[slot.position])
        else:
            arg = _input(syscall, slot, raw, memory, options)
        if options.decorate_fds and slot.tag in _FD_TYPES:
            arg = _with_fd_path(arg, fds)
        args.append(arg)
    return shape_entry(syscall, tuple(args))


def _special_output(
    slot: Slot, raw: Sequence[int], memory: Memory, *, retval: int, before: Arg, limit: int
) -> Decoded | None:
    value = raw[slot.position]
    if slot.tag == "cwd":
        return decode_path(value, memory)
    if slot.tag == "random":
        return special.hex_bytes(value, memory, retval, limit)
    if slot.tag == "wstatus":
        return special.wait_status(value, memory) if retval > 0 and value else None
    if slot.tag in ("struct:dirent", "struct:dirent64"):
        return special.dirent_count(value, memory, retval)
    if slot.tag == "socklen_ptr":
        entered = before.value if isinstance(before.value, int) else None
        return special.socklen(value, memory, entered)
    if slot.tag == "sockaddr" and slot.position + 1 < len(raw):
        length = special.socklen(raw[slot.position + 1], memory).value
        return decode_sockaddr(value, memory, length if isinstance(length, int) else 0)
    return None


def _output(
    slot: Slot, raw: Sequence[int], memory: Memory, *, retval: int, options: Options, before: Arg
) -> Arg | None:
    decoded = _special_output(
        slot, raw, memory, retval=retval, before=before, limit=options.string_limit
    )
    if decoded is None and slot.tag in _LENGTH_IS_RESULT:
        decoded = decode_buffer(raw[slot.position], memory, retval, options)
    if decoded is None:
        decoded = decode(slot.tag, raw[slot.position], memory, options, slot.name)
    return None if decoded is None else _typed(slot.name, slot.tag, decoded)


def decode_exit(
    syscall: str,
    args: tuple[Arg, ...],
    raw: Sequence[int],
    memory: Memory,
    *,
    retval: int,
    options: Options = DEFAULT_OPTIONS,
) -> tuple[Arg, ...]:
    """After a successful syscall: ``args`` with the outputs the kernel wrote decoded."""
    if syscall not in _WITH_OUTPUTS or syscall in options.raw:
        return args
    decoded = list(args)
    for slot in _SLOTS[syscall][: len(args)]:
        if slot.output:
            before = args[slot.position]
            decoded[slot.position] = (
                _output(slot, raw, memory, retval=retval, options=options, before=before) or before
            )
    return tuple(decoded)
