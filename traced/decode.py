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

from traced.decoders import decode, decode_buffer, decode_sockaddr
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
_POINTER_TYPES = frozenset(
    [
        "ptr",
        "buf_in",
        "buf_out",
        "strv",
        "stat_out",
        "statx_out",
        "statfs_out",
        "timespec",
        "timeval",
        "sockaddr",
        "sigset",
        "rlimit",
        "int_ptr",
        "socklen_ptr",
        "str",
        "path",
        "iovec",
        "siginfo",
        "pipefd",
        "wstatus",
    ]
)
# Outputs by type: whatever the syscall, the kernel writes these.
_OUTPUT_TYPES = frozenset(("buf_out", "stat_out", "statx_out", "statfs_out", "pipefd"))
# Outputs by name, where the same type is an input elsewhere (setrlimit's rlimit).
_OUTPUT_ARGS = frozenset(
    (
        ("getrlimit", "rlim"),
        ("ugetrlimit", "rlim"),
        ("prlimit64", "old_limit"),
        *((name, "tp") for name in ("clock_gettime", "clock_getres", "clock_gettime64")),
    )
)
# Buffers whose length is the return value (read), not the next argument (write).
_LENGTH_IS_RESULT = frozenset(("buf_out",))
# Arguments whose type is too general to say, but that strace shows as addresses.
_AS_POINTER = {("ioctl", "arg"), ("arch_prctl", "addr")}
_TYPE_OVERRIDES = {("statx", "flags"): "flags:statx"}  # strace names AT_STATX_SYNC_AS_STAT


def is_output(syscall: str, arg_name: str, type_tag: str) -> bool:
    return type_tag in _OUTPUT_TYPES or (syscall, arg_name) in _OUTPUT_ARGS


def _first_output(sig: Signature) -> int:
    for index, arg in enumerate(sig.args):
        if is_output(sig.name, arg.name, arg.type):
            return index
    return len(sig.args)


# Where strace's line stops at entry (``read(3, `` ... ``<unfinished ...>``).
_FIRST_OUTPUT = {name: _first_output(sig) for name, sig in SIGNATURES.items()}
_WITH_OUTPUTS = frozenset(
    name for name, index in _FIRST_OUTPUT.items() if index < len(SIGNATURES[name].args)
)


def first_output(name: str) -> int:
    """Index of the first argument the kernel writes: strace prints up to it at entry."""
    return _FIRST_OUTPUT.get(name, 6)


def has_outputs(name: str) -> bool:
    """Whether the syscall returns something through memory that we decode at exit."""
    return name in _WITH_OUTPUTS


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
    return arg.model_copy(update={"text": f"{arg.text}<{path}>"})


def _input(
    syscall: str, index: int, raw: Sequence[int], memory: Memory, *, options: Options, fds: FdNames
) -> Arg:
    spec = signature(syscall).args[index]
    tag = "ptr" if (syscall, spec.name) in _AS_POINTER else spec.type
    tag = _TYPE_OVERRIDES.get((syscall, spec.name), tag)
    value = raw[index]
    if tag == "buf_in" and index + 1 < len(raw):
        return _typed(spec.name, tag, decode_buffer(value, memory, raw[index + 1], options))
    if tag == "sockaddr" and index + 1 < len(raw) and syscall not in ("accept", "accept4"):
        length = raw[index + 1] if index + 1 < len(raw) else 0
        return _typed(spec.name, tag, decode_sockaddr(value, memory, length))
    decoded = decode(tag, value, memory, options, spec.name)
    arg = (
        _plain(spec.name, tag, value, syscall)
        if decoded is None
        else _typed(spec.name, tag, decoded)
    )
    return _with_fd_path(arg, fds) if tag in _FD_TYPES and options.decorate_fds else arg


def decode_entry(
    syscall: str,
    raw: Sequence[int],
    memory: Memory,
    options: Options = DEFAULT_OPTIONS,
    fds: FdNames = no_fd_names,
) -> tuple[Arg, ...]:
    """Every argument of the signature: inputs decoded, outputs as their address."""
    sig = signature(syscall)
    outputs_from = _FIRST_OUTPUT.get(syscall, len(sig.args))
    args = []
    for index, spec in enumerate(sig.args[: len(raw)]):
        if index >= outputs_from and is_output(syscall, spec.name, spec.type):
            args.append(_plain(spec.name, spec.type, raw[index], syscall))
        else:
            args.append(_input(syscall, index, raw, memory, options=options, fds=fds))
    return tuple(args)


def _output(
    syscall: str, index: int, raw: Sequence[int], memory: Memory, *, retval: int, options: Options
) -> Arg | None:
    spec = signature(syscall).args[index]
    if spec.type in _LENGTH_IS_RESULT:
        return _typed(spec.name, spec.type, decode_buffer(raw[index], memory, retval, options))
    decoded = decode(spec.type, raw[index], memory, options, spec.name)
    return None if decoded is None else _typed(spec.name, spec.type, decoded)


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
    if syscall not in _WITH_OUTPUTS:
        return args
    decoded = list(args)
    for index in range(_FIRST_OUTPUT[syscall], len(args)):
        spec = signature(syscall).args[index]
        if is_output(syscall, spec.name, spec.type):
            output = _output(syscall, index, raw, memory, retval=retval, options=options)
            decoded[index] = output or args[index]
    return tuple(decoded)


# Syscalls whose result is a new fd, which -y decorates like an argument.
RETURNS_FD = frozenset(
    [
        "open",
        "openat",
        "openat2",
        "creat",
        "socket",
        "accept",
        "accept4",
        "dup",
        "dup2",
        "dup3",
        "epoll_create",
        "epoll_create1",
        "eventfd",
        "eventfd2",
        "signalfd",
        "signalfd4",
        "timerfd_create",
        "inotify_init",
        "inotify_init1",
        "memfd_create",
        "pidfd_open",
        "fanotify_init",
        "userfaultfd",
        "perf_event_open",
        "open_by_handle_at",
        "open_tree",
        "fsopen",
        "fsmount",
        "fspick",
        "mq_open",
        "io_uring_setup",
    ]
)
