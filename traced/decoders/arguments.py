"""From a syscall's raw registers to typed :class:`~traced.events.Arg` values.

The glue between the signatures (what each argument is) and the decoders (how a
type is read and printed).  Pure with respect to the kernel: memory arrives
through the :class:`Memory` protocol and fd paths through :data:`FdNames`, which
the reactor backs with process_vm_readv and /proc, and tests with plain data.
Nothing here raises on what a tracee holds: an unreadable pointer stays its
address, as strace prints it, and a decoder that raises (a bug) leaves its argument
as its number or address and is counted (:mod:`traced.decoders.faults`).

Each argument narrower than its register (an ``int``, an ``unsigned int``, a flag
set: :func:`~traced.syscalls.signatures.c_integer`) is cut to its C type first,
here, for every decoder at once: the kernel reads only those bits, and strace
prints only them (``io_setup(2, ...)`` whatever the register's upper half holds).
``Arg.raw`` keeps the whole register.

Arguments come in two kinds.  Inputs are decoded at the entry stop, when the
memory holds what the program passed.  Outputs (a buffer read() fills, the stat
fstat writes, pipe's fds) are decoded at the exit stop and only on success; at
entry, and after a failure, they are shown as the address strace prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from functools import cache
from typing import NamedTuple

from msgspec.structs import replace

from traced.decoders import dumps, faults
from traced.decoders.families import (
    aio,
    bpf_attr,
    handles,
    identity,
    ipc_structs,
    perf_attr,
    polling,
    sched,
    system,
    timers,
    times,
)
from traced.decoders.families.files import AT_FDCWD
from traced.decoders.families.stat import format_makedev
from traced.decoders.fdnames import Tasks, naming
from traced.decoders.kinds import Decoder, Entry, Exit
from traced.decoders.netlink.fds import NetlinkOf, netlink_known, no_netlink
from traced.decoders.pidnames import Comms, naming_pids, no_comms, pid_text
from traced.decoders.registry import decoder_of
from traced.decoders.shapes import shape_entry
from traced.decoders.strings import PATH_MAX, decode_cstring, fd_path_text, quote
from traced.decoders.style import PLAIN, Style, applied
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    NOT_PRINTED,
    DecodedValue,
    Memory,
    Options,
    StructsHidden,
    as_signed,
    chex,
    hex_address,
    octal,
)
from traced.events import Arg, Text, os_text
from traced.syscalls.signatures import (
    BY_ABI,
    NATIVE_ABI,
    UNMATCHED_PATHS,
    Signature,
    c_integer,
    signature,
)

__all__ = [
    "NATIVE_ABI",
    "FdNames",
    "Memory",
    "NetlinkOf",
    "Options",
    "TaskFdNames",
    "decode_entry",
    "decode_exit",
    "first_output",
    "has_outputs",
    "name_fds",
    "no_netlink",
]  # fmt: skip


class FdTarget(NamedTuple):
    """What an fd refers to, as os.readlink decodes /proc/PID/fd/FD (PEP 383), with
    the kernel's `` (deleted)`` taken off a file that is gone (strace's test: the
    link's inode is not the path's), which strace prints after the brackets."""

    path: str
    deleted: bool = False
    # -yy, -e decode-fds=dev,socket,pidfd: what strace says beyond the path, found only
    # for the kinds asked (procfs.fd_target): a device's ("char", major, minor), a
    # pidfd's pid, a socket's protocol (UNIX-STREAM, TCP, UDPv6...) and a bound unix
    # socket's path.
    device: tuple[str, int, int] | None = None
    pid: int | None = None
    protocol: str | None = None
    bound: str | None = None  # an abstract address with its leading NUL
    peer: int | None = None  # a connected unix socket's peer's inode

    @property
    def described(self) -> bool:
        """Whether -yy found more than the path (a returned fd's text then says it)."""
        return self.device is not None or self.pid is not None or self.protocol is not None


# fd → what it refers to (-100: the cwd); a plain string is a file not deleted.
FdNames = Callable[[int], "str | FdTarget | None"]


def fd_text(fd: int | str, target: str | FdTarget, style: Style = PLAIN) -> str:
    """-y's ``3</etc/passwd>``, ``13</memfd:m2>(deleted)``; in ``style`` (-xx) when
    called outside a decode (a returned fd's text)."""
    if style is not PLAIN:
        with applied(style):
            return fd_text(fd, target)
    if isinstance(target, str):
        target = FdTarget(target)
    path = fd_path_text(target.path.encode("utf-8", "surrogateescape"))
    if target.pid is not None:
        path = f"pid:{target.pid}"  # -yy: ``3<pid:1234>``
    elif target.protocol is not None:  # -yy: ``3<TCP:[1234]>``, ``3<UNIX-STREAM:[5->6,"s"]>``
        inode = target.path.removeprefix("socket:[").removesuffix("]")
        peer = "" if target.peer is None else f"->{target.peer}"
        path = f"{target.protocol}:[{inode}{peer}{_unix_address(target.bound)}]"
    if target.device is not None:  # -yy: ``3</dev/null<char 1:3>>``
        kind, major, minor = target.device
        path += f"<{kind} {major}:{minor}>"
    return f"{fd}<{path}>" + ("(deleted)" if target.deleted else "")


def _unix_address(bound: str | None) -> str:
    """``,"path"``, an abstract address ``,@"name"``, or nothing."""
    if bound is None:
        return ""
    if bound.startswith("\0"):
        return ",@" + quote(bound[1:].encode("utf-8", "surrogateescape"))
    return "," + quote(bound.encode("utf-8", "surrogateescape"))


def no_fd_names(fd: int) -> str | None:
    return None


class TaskFdNames(NamedTuple):
    """-y's view of other processes' fds (kcmp's, pidfd_getfd's target), which the
    shell reads from /proc: fd ``fd`` of process ``pid``, and the pid a pidfd of the
    tracee's refers to."""

    fd: Callable[[int, int], str | FdTarget | None]
    pidfd_pid: Callable[[int], int | None]


def _tasks(tasks: TaskFdNames | None) -> Tasks | None:
    if tasks is None:
        return None
    fd_of = tasks.fd

    def named(pid: int, fd: int) -> str | None:
        target = fd_of(pid, fd)
        return None if target is None else fd_text(fd, target)

    return Tasks(named, tasks.pidfd_pid)


_SIGNED_32 = frozenset(("int", "fd", "dirfd", "pid", "signal"))
_SIGNED_64 = frozenset(("long", "ssize", "off"))
_IDS = frozenset(("uid", "gid"))  # unsigned, but strace names (uid_t) -1 as -1
_WORD = (1 << 64) - 1
# Types strace prints as an address (NULL for 0) when it does not follow the pointer.
_POINTER_TYPES = frozenset((
    "ptr", "buf_in", "buf_out", "cwd", "random", "strv", "stat_out", "statx_out",
    "statfs_out", "timespec", "timeval", "utimens", "sockaddr", "sigset", "rlimit", "int_ptr",
    "socklen_ptr", "str", "path", "iovec", "siginfo", "pipefd", "wstatus", "iovec_in",
    "iovec_out",
))  # fmt: skip
# Outputs by type: whatever the syscall, the kernel writes these.
_OUTPUT_TYPES = frozenset((
    "buf_out", "cwd", "random", "stat_out", "statx_out", "statfs_out", "pipefd", "wstatus",
    "socklen_ptr", "iovec_out", "struct:rusage", "struct:utsname", "struct:timex",
))  # fmt: skip
# Outputs by name, where the same type is an input elsewhere (setrlimit's rlimit).
_OUTPUT_ARGS = frozenset(
    (
        ("getrlimit", "rlim"),
        ("ugetrlimit", "rlim"),
        ("prlimit64", "old_limit"),
        *((name, "tp") for name in ("clock_gettime", "clock_gettime64")),
        *((name, "res") for name in ("clock_getres", "clock_getres_time64")),
        *((name, "tp") for name in ("sched_rr_get_interval", "sched_rr_get_interval_time64")),
        *((name, "addr") for name in ("accept", "accept4", "getsockname", "getpeername")),
        ("recvfrom", "src_addr"),
        ("recvmsg", "msg"),
        ("sendfile", "offset"),
        ("sendfile64", "offset"),
        ("sendmmsg", "msgvec"),
        ("recvmmsg", "msgvec"),
        ("recvmmsg_time64", "msgvec"),
        ("getdents", "dirp"),
        ("getdents64", "dirp"),
        # what the kernel had before: the old mask, the old action
        *((name, "oldset") for name in ("rt_sigprocmask", "sigprocmask")),
        *((name, "set") for name in ("rt_sigpending", "sigpending")),
        *((name, "oldact") for name in ("rt_sigaction", "sigaction")),
        *((name, "info") for name in ("rt_sigtimedwait", "rt_sigtimedwait_time64")),
        ("waitid", "infop"),
        ("sigaltstack", "old_ss"),
        *((name, "events") for name in ("epoll_wait", "epoll_pwait", "epoll_pwait2")),
        # strace prints what follows epoll's events at exit too: addresses after a failure
        *((name, "sigmask") for name in ("epoll_pwait", "epoll_pwait2")),
        ("epoll_pwait2", "timeout"),
        ("gettimeofday", "tv"),
        ("prctl", "arg2"),  # written by the PR_GET_* options that take a pointer
        ("prctl", "arg5"),  # PR_SCHED_CORE_GET's cookie (families/prctl_values.py)
        ("quotactl", "addr"),  # the getters' structs (families/quota.py)
        ("quotactl_fd", "addr"),
        ("get_mempolicy", "nodemask"),  # families/numa.py
        ("move_pages", "status"),
        # what keyctl's READ, DH_COMPUTE, PKEY_* and CAPABILITIES wrote (families/keyctl.py)
        *(("keyctl", name) for name in ("arg2", "arg3", "arg5")),
        ("sched_getparam", "param"),
        ("sched_getaffinity", "mask"),
        ("sched_getattr", "attr"),
        ("get_thread_area", "u_info"),  # families/ldt.py
        ("process_vm_readv", "local_iov"),
        ("getcpu", "cpu"),
        ("getcpu", "node"),
        ("clone3", "cl_args"),  # the kernel writes the pidfd and parent tid it points to
        ("clock_nanosleep", "remain"),  # strace prints it at exit
        ("clock_nanosleep_time64", "remain"),
        ("nanosleep", "rem"),
        ("ioctl", "arg"),  # for the requests that return an int (families/ioctl.py)
        ("fcntl", "arg"),  # F_GETLK's and F_GETOWN_EX's struct (families/fcntl_args.py)
        ("fcntl64", "arg"),
        *identity.OUTPUTS,
        ("msgrcv", "msgp"),
        *ipc_structs.OUTPUTS,
        *perf_attr.OUTPUTS,
        *bpf_attr.OUTPUTS,
        *timers.OUTPUTS,
        *system.OUTPUTS,
        *times.OUTPUTS,
        *handles.OUTPUTS,
        *aio.OUTPUTS,
        # what the kernel wrote back: io_uring_params' rings, a probe's ops, the counts
        # of workers before (families/io_uring.py)
        ("io_uring_setup", "params"),
        ("io_uring_register", "arg"),
        ("seccomp", "args"),  # SECCOMP_GET_NOTIF_SIZES's sizes (families/kernel.py)
        ("ptrace", "data"),  # PEEKDATA's word, GETSIGINFO's siginfo ... (families/ptrace.py)
    )
)


def is_output(syscall: str, arg_name: str, type_tag: str) -> bool:
    return type_tag in _OUTPUT_TYPES or (syscall, arg_name) in _OUTPUT_ARGS


def int_text(type_tag: str, value: int, syscall: str) -> tuple[int, str]:
    """An integer argument's value (sign-corrected by type) and strace's text for it."""
    if type_tag in _SIGNED_32:
        value = as_signed(value, 32)
    elif type_tag in _IDS:
        value = -1 if value & 0xFFFFFFFF == 0xFFFFFFFF else value & 0xFFFFFFFF
    elif type_tag in _SIGNED_64:
        value = as_signed(value, 64)
    if type_tag in _POINTER_TYPES or type_tag.startswith("struct:"):
        return value, hex_address(value)
    if type_tag == "hex" or (type_tag == "pgoff" and value):
        return value, chex(value)  # C's %#x: 0 as 0
    if type_tag == "off" and syscall == "mmap":
        return value, chex(value)  # strace shows mmap's offset in hex
    if type_tag == "mode":
        return value, octal(value)
    if type_tag == "dev":  # a dev_t the kernel takes as an unsigned int
        return value & 0xFFFFFFFF, format_makedev(value & 0xFFFFFFFF)
    return value, str(value)


def c_cut(bits: int, signed: bool, register: int) -> int:
    """A register as its C integer of ``bits`` sees it, as a register again: the low
    bits, sign-extended or not (so -1 as an int is still all ones, as glibc passes it)."""
    value = register & ((1 << bits) - 1)
    if signed and value >> (bits - 1):
        value |= _WORD ^ ((1 << bits) - 1)
    return value


def _plain(name: str, tag: str, raw: int, syscall: str, register: int | None = None) -> Arg:
    value, text = int_text(tag, raw, syscall)
    return Arg(
        name=name, type=tag, value=value, raw=raw if register is None else register, text=text
    )


def _typed(name: str, tag: str, decoded: DecodedValue, register: int | None = None) -> Arg:
    raw = decoded.raw if register is None or decoded.raw is None else register
    return Arg(name=name, type=tag, value=decoded.value, raw=raw, text=decoded.text)


_FD_TYPES = frozenset(("fd", "dirfd"))
_UNNAMED = nullcontext()  # no -y: fds in memory stay numbers (fdnames.py)
# The calls whose buffers strace decodes as netlink messages on a netlink socket.
NETLINK_CALLS = frozenset((
    "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "recvmmsg_time64",
))  # fmt: skip


def _with_fd_path(arg: Arg, fds: FdNames, *, dirfd: bool = True) -> Arg:
    """-y: ``3</etc/passwd>``, and for a ``dirfd`` ``AT_FDCWD</home/me>``, the working
    directory (-100 is no fd where a call takes no AT_FDCWD)."""
    fd = arg.value
    known = isinstance(fd, int) and (fd >= 0 or (dirfd and fd == AT_FDCWD))
    path = fds(fd) if known and isinstance(fd, int) else None
    if path is None:
        return arg
    return replace(arg, text=fd_text(arg.text, path))


def _with_fd_paths(arg: Arg, fds: FdNames) -> Arg:
    """-y on the fds pipe2 and socketpair return: ``[3<pipe:[1]>, 4<pipe:[1]>]``."""
    if not isinstance(arg.value, list):
        return arg
    texts = []
    for fd in arg.value:
        target = fds(fd) if isinstance(fd, int) and fd >= 0 else None
        texts.append(str(fd) if target is None else fd_text(fd, target))
    return replace(arg, text="[" + ", ".join(texts) + "]")


def name_fds(
    args: tuple[Arg, ...], fds: FdNames, syscall: str = "", memory: Memory | None = None
) -> tuple[Arg, ...]:
    """-P: each fd argument with what it refers to (``Arg.path``), its text unchanged
    (and a path argument -e raw= shows as a number, with the path it names),
    so that the calls on a selected path's fds are shown as strace shows them (its
    pathtrace's fdmatch: an fd below 0, AT_FDCWD too, names nothing); a set of fds,
    poll's pollfds (read from ``memory``) or select's fd_sets (as decoded), with what
    each of its fds refers to (``Arg.paths``).  fsconfig is strace's special case: not
    its fd, but its aux fd and its value's path, by the command."""
    if syscall == "fsconfig" and len(args) == _FSCONFIG_ARGS:
        return _fsconfig_paths(args, fds)
    named = list(args)
    for i, arg in enumerate(args):
        if arg.type in _FD_TYPES:
            named[i] = _fd_named(arg, fds)
        elif arg.type == "path" and (syscall, arg.name) not in UNMATCHED_PATHS:
            named[i] = _raw_path_named(arg, memory)
        elif arg.type in _FD_SETS:
            in_set = _set_fds(arg, args[i + 1] if i + 1 < len(args) else None, memory)
            found = (_fd_target_text(fd, fds) for fd in in_set)
            paths = tuple(path for path in found if path is not None)
            if paths:
                named[i] = replace(arg, paths=paths)
    return tuple(named)


def _raw_path_named(arg: Arg, memory: Memory | None) -> Arg:
    """A path argument -e raw= left a number (a decoded one names its path already):
    the path it names, read as strace's pathtrace reads it, whatever the decoding."""
    if isinstance(arg.value, str) or arg.raw is None or memory is None:
        return arg
    value = decode_cstring(arg.raw, memory, DEFAULT_OPTIONS, PATH_MAX - 1).value
    return replace(arg, path=value) if isinstance(value, str) else arg


def _fd_named(arg: Arg, fds: FdNames) -> Arg:
    fd = arg.value
    path = _fd_target_text(fd, fds) if isinstance(fd, int) else None
    return arg if path is None else replace(arg, path=path)


_FSCONFIG_ARGS = 5
_FSCONFIG_SET_PATH, _FSCONFIG_SET_PATH_EMPTY, _FSCONFIG_SET_FD = 3, 4, 5  # linux/mount.h


def _fsconfig_paths(args: tuple[Arg, ...], fds: FdNames) -> tuple[Arg, ...]:
    """fsconfig under -P: the paths FSCONFIG_SET_PATH* name (aux's directory and the
    value), the fd FSCONFIG_SET_FD passes (aux); nothing else of it."""
    _, command, _, value, aux = args
    named = list(args)
    if command.raw is not None and command.raw & 0xFFFFFFFF in (
        _FSCONFIG_SET_PATH, _FSCONFIG_SET_PATH_EMPTY, _FSCONFIG_SET_FD,
    ):  # fmt: skip
        named[4] = _fd_named(aux, fds)
    if command.raw is not None and command.raw & 0xFFFFFFFF in (
        _FSCONFIG_SET_PATH, _FSCONFIG_SET_PATH_EMPTY,
    ) and isinstance(value.value, str):  # fmt: skip
        named[3] = replace(value, path=value.value)
    return tuple(named)


def _fd_target_text(fd: int, fds: FdNames) -> Text | None:
    """What ``fd`` refers to, as ``Arg.path`` holds it; None for a negative fd or a
    closed one."""
    target = fds(fd) if fd >= 0 else None
    if target is None:
        return None
    return os_text(target if isinstance(target, str) else target.path)


# The calls -P judges by what their decoders make of them (name_fds's special cases:
# fsconfig's by its command, the sets of fds of poll and select): their early look
# would not be theirs.
_PATHS_WHEN_DECODED = frozenset((
    "fsconfig", "poll", "ppoll", "ppoll_time64", "select", "_newselect", "pselect6",
    "pselect6_time64",
))  # fmt: skip


def entry_paths(
    syscall: str, registers: Sequence[int], memory: Memory, fds: FdNames, abi: str = NATIVE_ABI
) -> list[str] | None:
    """-P's look before decoding: the paths a call names and those its fds refer to,
    the same :func:`name_fds` and the decoded ``path`` arguments give, read from the
    registers (cut to their C types) alone, so a call on no selected path costs no
    other decoding.  None for a call only its decoding can judge."""
    if syscall in _PATHS_WHEN_DECODED:
        return None
    found = []
    for slot in _slots_of(syscall, abi)[: len(registers)]:
        word = registers[slot.position]
        if slot.tag in _FD_TYPES:
            text = _fd_target_text(word - (word >> 63 << 64), fds)  # as the signed C int
            path = text if isinstance(text, str) else None
        elif slot.tag == "path" and (syscall, slot.name) not in UNMATCHED_PATHS:
            value = decode_cstring(word, memory, DEFAULT_OPTIONS, PATH_MAX - 1).value
            path = value if isinstance(value, str) else None
        else:
            continue
        if path is not None:
            found.append(path)
    return found


_FD_SETS = frozenset(("struct:pollfd", "struct:fd_set"))


def _set_fds(arg: Arg, after: Arg | None, memory: Memory | None) -> list[int]:
    """The fds of a set: a pollfd array's, ``after`` its count, or an fd_set's."""
    if arg.type == "struct:fd_set":
        value = arg.value
        return [fd for fd in value if isinstance(fd, int)] if isinstance(value, list) else []
    if memory is None or after is None or not arg.raw:
        return []
    return polling.pollfd_fds(arg.raw, (after.raw or 0) & 0xFFFFFFFF, memory)


class Slot(NamedTuple):
    """One argument of one syscall, with everything decoding asks of it known ahead:
    its decoders, looked up in the registry once per signature."""

    position: int
    name: str
    tag: str  # the signature's type
    output: bool  # the kernel writes it: decoded at exit
    # Decoded from its register alone: the same value, the same Arg.
    self_contained: bool
    register: Callable[[int], DecodedValue] | None  # a self-contained argument's decoder
    entry: Entry | None  # any other argument's decoder at entry (None: its number)
    exit: Exit | None  # an output's decoder at exit (None: left as at entry)
    # A self-contained argument's Args by register value (see _self_contained_arg).
    known: dict[int, Arg]
    whole_at_entry: bool = False  # an output strace prints at entry all the same
    on_failure: bool = False  # an output decoded at exit after a failure too


_NO_DECODER = Decoder()


def _is_pointer(tag: str) -> bool:
    return tag in _POINTER_TYPES or tag.startswith("struct:")


def _slot(sig: Signature, position: int, name: str, tag: str) -> Slot:
    output = is_output(sig.name, name, tag)
    decoder = decoder_of(sig.name, name, tag) or _NO_DECODER
    # An output is its address at entry, unless strace shows it both ways.
    entry = decoder.entry if not output or decoder.in_and_out else None
    # Self-contained: printed as its number (or an output's address), or by a decoder
    # of the register alone.  An input pointer nothing follows is not: too many values.
    alone = (output or not _is_pointer(tag)) if entry is None else decoder.register is not None
    register = decoder.register if alone else None
    exit = decoder.exit if output else None
    whole = output and decoder.whole_at_entry
    failure = output and decoder.on_failure
    return Slot(position, name, tag, output, alone, register, entry, exit, {}, whole, failure)


@cache  # the ABIs' tables share most signatures
def _slots(sig: Signature) -> tuple[Slot, ...]:
    return tuple(_slot(sig, index, spec.name, spec.type) for index, spec in enumerate(sig.args))


# Pseudo-arguments, which no register holds (rt_sigreturn's frame: signatures.py):
# -e raw= shows nothing of them, as strace shows no argument of a call that has none.
_NO_REGISTER = frozenset(("struct:rt_sigframe",))


def raw_arg(slot: Slot, value: int) -> Arg:
    """-e raw=: the register in hex, as strace prints an undecoded argument."""
    text = NOT_PRINTED if slot.tag in _NO_REGISTER else chex(value)
    return Arg(name=slot.name, type=slot.tag, value=value, raw=value, text=text)


# Args are values: a self-contained argument decoded before from the same register
# of the same syscall is the same Arg again.  Flags, fds and sizes recur (a program's
# openat flags and mmap protections take a handful of values), and naming flags is
# the cost saved.  Each slot keeps its own (a slot is one syscall's argument in one
# ABI), so the lookup is one dictionary's, keyed by the register alone.
KNOWN_PER_SLOT = 1024  # a bound, so that a program cycling through values cannot grow it


def _self_contained_arg(syscall: str, slot: Slot, register: int, value: int) -> Arg:
    """The Arg of ``value``, the register ``register`` cut to its C type."""
    arg = slot.known.get(register)
    if arg is None:
        arg = _decode_alone(syscall, slot, register, value)
        if len(slot.known) >= KNOWN_PER_SLOT:
            slot.known.clear()
        slot.known[register] = arg
    return arg


def _decode_alone(syscall: str, slot: Slot, register: int, value: int) -> Arg:
    decoded = None
    if slot.register is not None:
        try:
            decoded = slot.register(value)
        except Exception as error:  # a decoder's bug: counted, shown as the number
            faults.record(slot.tag, error)
    if decoded is None:
        return _plain(slot.name, slot.tag, value, syscall, register)
    return _typed(slot.name, slot.tag, decoded, register)


@cache  # built on first use, not at import: the CLI starts faster for it
def _known_slots(syscall: str, abi: str) -> tuple[Slot, ...] | None:
    """The slots of a name in an ABI's table; None for a name it does not list.

    The same name can have another layout on another ABI (i386's clone, mmap)."""
    sig = (BY_ABI.get(abi) or BY_ABI[NATIVE_ABI]).get(syscall)
    return None if sig is None else _slots(sig)


@cache
def _slots_of(syscall: str, abi: str) -> tuple[Slot, ...]:
    """The slots of any name: its ABI's signature, or the generic one of six words."""
    return _known_slots(syscall, abi) or _slots(signature(syscall, abi))


# (position, mask, sign bit) per narrow argument: its C type's bits, and the top one
# of them for a signed type (0 for an unsigned one).
Cuts = tuple[tuple[int, int, int], ...]


@cache
def _cuts_of(syscall: str, abi: str) -> Cuts:
    sig = (BY_ABI.get(abi) or BY_ABI[NATIVE_ABI]).get(syscall)
    if sig is None:
        return ()
    cuts = []
    for at, arg in enumerate(sig.args):
        c_type = c_integer(syscall, arg.name, arg.type)
        if c_type is not None:
            bits, signed = c_type
            cuts.append((at, (1 << bits) - 1, 1 << (bits - 1) if signed else 0))
    return tuple(cuts)


def c_registers(syscall: str, raw: Sequence[int], abi: str = NATIVE_ABI) -> tuple[int, ...]:
    """The registers with each narrow argument cut to its C type (:func:`c_cut`, done
    inline: this runs at every decoded entry)."""
    cuts = _cuts_of(syscall, abi)
    if not cuts:
        return tuple(raw)  # the same tuple, when it is one
    registers = list(raw)
    count = len(registers)
    for at, mask, sign in cuts:
        if at < count:
            value = registers[at] & mask
            registers[at] = value | (_WORD ^ mask) if value & sign else value
    return tuple(registers)


def _first_output(slots: tuple[Slot, ...]) -> int:
    return next(
        (slot.position for slot in slots if slot.output and not slot.whole_at_entry), len(slots)
    )


@cache
def first_output(name: str, abi: str = NATIVE_ABI) -> int:
    """Index of the first argument the kernel writes: strace prints up to it at entry
    (``read(3, `` ... ``<unfinished ...>``); 6 (past every register) when none is."""
    slots = _known_slots(name, abi)
    first = 6 if slots is None else _first_output(slots)
    return 6 if first == len(slots or ()) else first


def cut_inside(name: str, args: Sequence[Arg], abi: str = NATIVE_ABI) -> int | None:
    """The argument strace prints at entry and completes at exit, when this call's is
    (clone3's struct, `` => {parent_tid=[42]}`` added): a line cut there is
    ``clone3({...} <unfinished ...>``, resumed with `` => {...}, 88)``.  None when the
    call is cut before its first output, as others are."""
    at = _whole_at_entry(name, abi)
    if at is None or at + 1 >= len(args) or name != "clone3":
        return None
    flags, size = args[at].value, args[at + 1].value
    if not isinstance(flags, int) or not isinstance(size, int):
        return None
    return at if sched.clone3_completed_at_exit(flags, size) else None


@cache
def _whole_at_entry(name: str, abi: str) -> int | None:
    slots = _known_slots(name, abi) or ()
    return next((slot.position for slot in slots if slot.whole_at_entry), None)


@cache
def has_failure_outputs(name: str, abi: str = NATIVE_ABI) -> bool:
    """Whether the syscall has an output strace prints even after a failure."""
    slots = _known_slots(name, abi)
    return slots is not None and any(slot.on_failure for slot in slots)


@cache
def has_outputs(name: str, abi: str = NATIVE_ABI) -> bool:
    """Whether the syscall returns something through memory that we decode at exit."""
    slots = _known_slots(name, abi)
    return slots is not None and any(slot.output for slot in slots)


def _input(
    syscall: str, slot: Slot, raw: Sequence[int], memory: Memory, options: Options, *, register: int
) -> Arg:
    value, entry = raw[slot.position], slot.entry
    if entry is None:
        return _plain(slot.name, slot.tag, value, syscall, register)
    try:
        decoded = entry(raw, slot.position, memory, options)
    except Exception as error:  # a decoder's bug: counted, shown as the number or address
        faults.record(slot.tag, error)
        decoded = None
    if decoded is None:
        return _plain(slot.name, slot.tag, value, syscall, register)
    return _typed(slot.name, slot.tag, decoded, register)


def decode_entry(
    syscall: str,
    raw: Sequence[int],
    memory: Memory,
    options: Options = DEFAULT_OPTIONS,
    fds: FdNames = no_fd_names,
    *,
    abi: str = NATIVE_ABI,
    registers: Sequence[int] | None = None,
    netlink: NetlinkOf = no_netlink,
    tasks: TaskFdNames | None = None,
    comms: Comms = no_comms,
) -> tuple[Arg, ...]:
    """Every argument of the signature: inputs decoded, outputs as their address.

    ``registers``: ``raw`` cut to the arguments' C types (:func:`c_registers`), if the
    caller has it already (it keeps it for the call's exit: :func:`decode_exit`).
    In a style other than strace's default (-X, -x: style.py), decoded under it and
    past the slots' memo of self-contained arguments, which holds the default's text.
    ``netlink``: which fds are netlink sockets, asked by the socket calls' buffers;
    ``tasks``: other processes' fds, named under -y where a call refers to them;
    ``comms``: under -Y, the comm of a pid's task (pidnames.py), read now."""
    if syscall in NETLINK_CALLS and netlink is not no_netlink:
        with netlink_known(netlink):
            return decode_entry(
                syscall, raw, memory, options, fds, abi=abi, registers=registers, tasks=tasks,
                comms=comms,
            )  # fmt: skip
    if syscall in options.nonverbose:
        memory = StructsHidden(memory)
    if options.decorate_pids and syscall not in options.raw:
        with naming_pids(comms):
            args = _decode_entry_named(
                syscall, raw, memory, options, fds=fds, abi=abi, registers=registers, tasks=tasks
            )
        return _with_comms(syscall, args, comms)
    return _decode_entry_named(
        syscall, raw, memory, options, fds=fds, abi=abi, registers=registers, tasks=tasks
    )


def _decode_entry_named(
    syscall: str,
    raw: Sequence[int],
    memory: Memory,
    options: Options,
    *,
    fds: FdNames,
    abi: str,
    registers: Sequence[int] | None,
    tasks: TaskFdNames | None,
) -> tuple[Arg, ...]:
    with naming(_namer(fds), _tasks(tasks)) if options.decorate_fds else _UNNAMED:
        style = options.style
        if style is PLAIN:  # past the memo under -Y: a decoder's pid has its comm of now
            memo = not options.decorate_pids
            return _decode_entry(
                syscall, raw, memory, options, fds=fds, abi=abi, memo=memo, registers=registers
            )
        with applied(style):
            return _decode_entry(
                syscall, raw, memory, options, fds=fds, abi=abi, memo=False, registers=registers
            )


# -Y: the "pid" arguments that are no task's id (setpgid's process group; a perf
# event's pid, which strace prints as a number), and the arguments that are one only
# when the argument before says so: (syscall, argument) -> (that argument, its value).
_NOT_TASK_IDS = frozenset((("setpgid", "pgid"), ("perf_event_open", "pid")))
_TASK_ID_WHEN = {
    ("waitid", "id"): ("idtype", 1),  # P_PID
    ("getpriority", "who"): ("which", 0),  # PRIO_PROCESS
    ("setpriority", "who"): ("which", 0),
    ("ioprio_get", "who"): ("which", 1),  # IOPRIO_WHO_PROCESS
    ("ioprio_set", "who"): ("which", 1),
}


def _with_comms(syscall: str, args: tuple[Arg, ...], comms: Comms) -> tuple[Arg, ...]:
    """-Y: the arguments strace's printpid prints as a thread's or a process's id
    (PT_TID, PT_TGID), with the comm of its task: ``kill(1234<sh>, SIGTERM)``."""
    named = list(args)
    by_name = {arg.name: arg for arg in args}
    for at, arg in enumerate(args):
        if not isinstance(arg.value, int) or arg.value <= 0:
            continue
        if arg.type == "pid" and (syscall, arg.name) not in _NOT_TASK_IDS:
            pass
        elif (syscall, arg.name) in _TASK_ID_WHEN:
            selector, process = _TASK_ID_WHEN[syscall, arg.name]
            chosen = by_name.get(selector)
            if chosen is None or chosen.raw is None or chosen.raw & 0xFFFFFFFF != process:
                continue
        else:
            continue
        if arg.text == str(arg.value):  # not one a decoder worded (ptrace's, hidden)
            named[at] = replace(arg, text=pid_text(arg.value, comms))
    return tuple(named)


def _namer(fds: FdNames) -> Callable[[int], str | None]:
    """-y's text of an fd a decoder reads from memory (fdnames.py), by ``fds``."""

    def name(fd: int) -> str | None:
        target = fds(fd)
        return None if target is None else fd_text(fd, target)

    return name


def _decode_entry(
    syscall: str,
    raw: Sequence[int],
    memory: Memory,
    options: Options,
    *,
    fds: FdNames,
    abi: str,
    memo: bool,
    registers: Sequence[int] | None,
) -> tuple[Arg, ...]:
    slots = _slots_of(syscall, abi)
    if syscall in options.raw:
        return tuple(raw_arg(slot, raw[slot.position]) for slot in slots[: len(raw)])
    args = []
    if registers is None:
        registers = c_registers(syscall, raw, abi)
    for slot in slots[: len(raw)]:
        register = raw[slot.position]
        if slot.self_contained and memo:
            arg = _self_contained_arg(syscall, slot, register, registers[slot.position])
        elif slot.self_contained:
            arg = _decode_alone(syscall, slot, register, registers[slot.position])
        else:
            arg = _input(syscall, slot, registers, memory, options, register=register)
        if options.decorate_fds and slot.tag in _FD_TYPES:
            arg = _with_fd_path(arg, fds, dirfd=slot.tag == "dirfd")
        args.append(arg)
    if options.dump_writes and syscall in dumps.WRITES and _fd_of(raw) in options.dump_writes:
        _with_dump(args, dumps.write_dump(syscall, registers, memory))
    return shape_entry(syscall, tuple(args), abi)


def _fd_of(raw: Sequence[int]) -> int:
    return as_signed(raw[0], 32) if raw else -1


def _with_dump(args: list[Arg], lines: list[str]) -> None:
    """-e read=/write=: the dump, on the buffer's argument (the second)."""
    if lines and len(args) > 1:
        args[1] = replace(args[1], dump="\n".join(lines))


def decode_exit(
    syscall: str,
    args: tuple[Arg, ...],
    raw: Sequence[int],
    memory: Memory,
    *,
    retval: int,
    options: Options = DEFAULT_OPTIONS,
    abi: str = NATIVE_ABI,
    fds: FdNames = no_fd_names,
    registers: Sequence[int] | None = None,
    netlink: NetlinkOf = no_netlink,
    failed: bool = False,
    comms: Comms = no_comms,
) -> tuple[Arg, ...]:
    """After a successful syscall: ``args`` with the outputs the kernel wrote decoded.

    For the syscalls :func:`has_outputs` names; others come back unchanged.
    ``registers``: as :func:`decode_entry`'s, kept from the call's entry; ``netlink``:
    as its.  With ``failed`` (``retval`` the negative errno), only the outputs decoded
    on failure (:func:`has_failure_outputs`)."""
    if syscall in options.raw:
        return args
    if syscall in NETLINK_CALLS and netlink is not no_netlink:
        with netlink_known(netlink):
            return decode_exit(
                syscall, args, raw, memory, retval=retval, options=options, abi=abi, fds=fds,
                registers=registers, failed=failed, comms=comms,
            )  # fmt: skip
    if syscall in options.nonverbose:
        memory = StructsHidden(memory)
    with (
        naming_pids(comms) if options.decorate_pids else _UNNAMED,
        naming(_namer(fds)) if options.decorate_fds else _UNNAMED,
    ):
        style = options.style
        if style is PLAIN:
            return _decode_exit(
                syscall, args, raw, memory, retval=retval, options=options, abi=abi, fds=fds,
                registers=registers, failed=failed,
            )  # fmt: skip
        with applied(style):
            return _decode_exit(
                syscall, args, raw, memory, retval=retval, options=options, abi=abi, fds=fds,
                registers=registers, failed=failed,
            )  # fmt: skip


def _decode_exit(
    syscall: str,
    args: tuple[Arg, ...],
    raw: Sequence[int],
    memory: Memory,
    *,
    retval: int,
    options: Options,
    abi: str,
    fds: FdNames,
    registers: Sequence[int] | None,
    failed: bool = False,
) -> tuple[Arg, ...]:
    decoded = list(args)
    if registers is None:
        registers = c_registers(syscall, raw, abi)
    # Last first: a sockaddr's length is the socklen after it, read once, there.
    for slot in reversed((_known_slots(syscall, abi) or ())[: len(args)]):
        if slot.exit is not None and (slot.on_failure or not failed):
            try:
                output = slot.exit(
                    registers, slot.position, memory, options, retval=retval, args=decoded
                )
            except Exception as error:  # a decoder's bug: counted; the address stays
                faults.record(slot.tag, error)
                output = None
            if output is not None:
                register = raw[slot.position]
                arg = _typed(slot.name, slot.tag, output, register)
                if options.decorate_fds and slot.tag == "pipefd":
                    arg = _with_fd_paths(arg, fds)
                decoded[slot.position] = arg
    if (
        not failed
        and options.dump_reads
        and syscall in dumps.READS
        and _fd_of(raw) in options.dump_reads
    ):
        _with_dump(decoded, dumps.read_dump(syscall, registers, memory, retval))
    if _dumps_messages(syscall, _fd_of(raw), options):
        _with_dump(decoded, dumps.mmsg_dump(registers, memory, retval))
    return tuple(decoded)


def _dumps_messages(syscall: str, fd: int, options: Options) -> bool:
    """-e write= / -e read= on sendmmsg / recvmmsg: dumped at exit, once the call says
    how many messages, and how many bytes of each, went through."""
    if syscall in dumps.MMSG_WRITES:
        return fd in options.dump_writes
    return syscall in dumps.MMSG_READS and fd in options.dump_reads
