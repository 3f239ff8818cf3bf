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
from functools import cache
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
from traced.decoders.flags import AT_FDCWD
from traced.decoders.shapes import shape_entry
from traced.decoders.strings import decode_path
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    Decoded,
    Memory,
    Options,
    as_signed,
    chex,
    hex_address,
)
from traced.events import Arg
from traced.syscalls.signatures import BY_ABI, NATIVE_ABI, Signature, signature

__all__ = [
    "NATIVE_ABI", "FdNames", "Memory", "Options", "decode_entry", "decode_exit", "first_output",
    "has_outputs",
]  # fmt: skip

FdNames = Callable[[int], str | None]  # fd → what /proc/PID/fd/FD links to (-100: cwd)


def no_fd_names(fd: int) -> str | None:
    return None


_SIGNED_32 = frozenset(("int", "fd", "pid", "uid", "gid"))
_SIGNED_64 = frozenset(("long", "ssize", "off"))
# Types strace prints as an address (NULL for 0) when it does not follow the pointer.
_POINTER_TYPES = frozenset((
    "ptr", "buf_in", "buf_out", "cwd", "random", "strv", "stat_out", "statx_out",
    "statfs_out", "timespec", "timeval", "utimens", "sockaddr", "sigset", "rlimit", "int_ptr",
    "socklen_ptr", "str", "path", "iovec", "siginfo", "pipefd", "wstatus",
))  # fmt: skip
# Outputs by type: whatever the syscall, the kernel writes these.
_OUTPUT_TYPES = frozenset((
    "buf_out", "cwd", "random", "stat_out", "statx_out", "statfs_out", "pipefd", "wstatus",
    "socklen_ptr",
))  # fmt: skip
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


def is_output(syscall: str, arg_name: str, type_tag: str) -> bool:
    return type_tag in _OUTPUT_TYPES or (syscall, arg_name) in _OUTPUT_ARGS


def int_text(type_tag: str, value: int, syscall: str) -> tuple[int, str]:
    """An integer argument's value (sign-corrected by type) and strace's text for it."""
    if type_tag in _SIGNED_32:
        value = as_signed(value, 32)
    elif type_tag in _SIGNED_64:
        value = as_signed(value, 64)
    if type_tag in _POINTER_TYPES or type_tag.startswith("struct:"):
        return value, hex_address(value)
    if type_tag == "hex" or (type_tag == "pgoff" and value):
        return value, f"{value:#x}"
    if type_tag == "off" and syscall == "mmap":
        return value, chex(value)  # strace shows mmap's offset in hex
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
    tag: str  # the signature's type
    output: bool  # the kernel writes it: decoded at exit
    self_contained: bool  # decoded from its register alone: the same value, the same Arg


_DEPENDS_ON_OTHERS = frozenset(("enum:socket_protocol",))


def _self_contained(syscall: str, name: str, tag: str) -> bool:
    if tag in _DEPENDS_ON_OTHERS or (syscall in ("fcntl", "fcntl64") and name == "arg"):
        return False
    if tag in VALUE_TAGS:
        return True
    return not (tag in _POINTER_TYPES or tag.startswith("struct:"))


@cache  # the ABIs' tables share most signatures
def _slots(sig: Signature) -> tuple[Slot, ...]:
    slots = []
    for index, spec in enumerate(sig.args):
        output = is_output(sig.name, spec.name, spec.type)
        alone = not output and _self_contained(sig.name, spec.name, spec.type)
        slots.append(Slot(index, spec.name, spec.type, output, alone))
    return tuple(slots)


def raw_arg(slot: Slot, value: int) -> Arg:
    """-e raw=: the register in hex, as strace prints an undecoded argument."""
    return Arg(name=slot.name, type=slot.tag, value=value, raw=value, text=chex(value))


def self_contained_arg(syscall: str, slot: Slot, value: int, abi: str = NATIVE_ABI) -> Arg:
    key = (abi, syscall, slot.position, value)  # a position's type can differ by ABI
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


@cache  # built on first use, not at import: the CLI starts faster for it
def _known_slots(syscall: str, abi: str) -> tuple[Slot, ...] | None:
    """The slots of a name in an ABI's table; None for a name it does not list.

    The same name can have another layout on another ABI (i386's clone, mmap)."""
    sig = (BY_ABI.get(abi) or BY_ABI[NATIVE_ABI]).get(syscall)
    return None if sig is None else _slots(sig)


def _first_output(slots: tuple[Slot, ...]) -> int:
    return next((slot.position for slot in slots if slot.output), len(slots))


@cache
def first_output(name: str, abi: str = NATIVE_ABI) -> int:
    """Index of the first argument the kernel writes: strace prints up to it at entry
    (``read(3, `` ... ``<unfinished ...>``)."""
    slots = _known_slots(name, abi)
    return 6 if slots is None else _first_output(slots)


@cache
def has_outputs(name: str, abi: str = NATIVE_ABI) -> bool:
    """Whether the syscall returns something through memory that we decode at exit."""
    slots = _known_slots(name, abi)
    return slots is not None and _first_output(slots) < len(slots)


def _input(syscall: str, slot: Slot, raw: Sequence[int], memory: Memory, options: Options) -> Arg:
    value, tag, following = raw[slot.position], slot.tag, slot.position + 1
    if tag == "path":  # the most common memory read, straight to its decoder
        return _typed(slot.name, tag, decode_path(value, memory, options))
    if tag == "buf_in" and following < len(raw):
        return _typed(slot.name, tag, decode_buffer(value, memory, raw[following], options))
    if tag == "sockaddr" and following < len(raw):  # an input's length is a value
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
    *,
    abi: str = NATIVE_ABI,
) -> tuple[Arg, ...]:
    """Every argument of the signature: inputs decoded, outputs as their address."""
    slots = _known_slots(syscall, abi) or _slots(signature(syscall, abi))
    if syscall in options.raw:
        return tuple(raw_arg(slot, raw[slot.position]) for slot in slots[: len(raw)])
    args = []
    for slot in slots[: len(raw)]:
        if slot.self_contained or (slot.output and slot.tag not in _IN_AND_OUT):
            arg = self_contained_arg(syscall, slot, raw[slot.position], abi)
        else:
            arg = _input(syscall, slot, raw, memory, options)
        if options.decorate_fds and slot.tag in _FD_TYPES:
            arg = _with_fd_path(arg, fds)
        args.append(arg)
    return shape_entry(syscall, tuple(args), abi)


def _written_length(arg: Arg) -> int:
    """The length a socklen_ptr output holds once read (``[16]``); 0 when unread."""
    return arg.value if arg.text.startswith("[") and isinstance(arg.value, int) else 0


def _special_output(
    slot: Slot, raw: Sequence[int], memory: Memory, *, retval: int, args: list[Arg], limit: int
) -> Decoded | None:
    """``args`` holds the entry's arguments, and the outputs after ``slot`` decoded."""
    value, following = raw[slot.position], slot.position + 1
    if slot.tag == "cwd":
        return decode_path(value, memory)
    if slot.tag == "random":
        return special.hex_bytes(value, memory, retval, limit)
    if slot.tag == "wstatus":
        return special.wait_status(value, memory) if retval > 0 and value else None
    if slot.tag in ("struct:dirent", "struct:dirent64"):
        return special.dirent_count(value, memory, retval)
    if slot.tag == "socklen_ptr":
        entered = args[slot.position].value
        return special.socklen(value, memory, entered if isinstance(entered, int) else None)
    if slot.tag == "sockaddr" and following < len(args):
        return decode_sockaddr(value, memory, _written_length(args[following]))
    return None


def _output(
    slot: Slot,
    raw: Sequence[int],
    memory: Memory,
    *,
    retval: int,
    options: Options,
    args: list[Arg],
) -> Arg | None:
    decoded = _special_output(
        slot, raw, memory, retval=retval, args=args, limit=options.string_limit
    )
    if decoded is None and slot.tag == "buf_out":  # its length is the result (read's)
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
    abi: str = NATIVE_ABI,
) -> tuple[Arg, ...]:
    """After a successful syscall: ``args`` with the outputs the kernel wrote decoded.

    For the syscalls :func:`has_outputs` names; others come back unchanged."""
    if syscall in options.raw:
        return args
    decoded = list(args)
    # Last first: a sockaddr's length is the socklen after it, read once, there.
    for slot in reversed((_known_slots(syscall, abi) or ())[: len(args)]):
        if slot.output:
            output = _output(slot, raw, memory, retval=retval, options=options, args=decoded)
            if output is not None:
                decoded[slot.position] = output
    return tuple(decoded)
