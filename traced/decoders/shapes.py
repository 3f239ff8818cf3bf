"""How strace words a syscall's arguments where each alone does not say it: pure.

Decoding gives every argument its own text; some syscalls are printed in terms
of the whole call.  An argument strace leaves out keeps its value and gets an
empty ``text`` (open's mode without O_CREAT, futex's unused arguments); clone
gets strace's keywords.  And some results are more than a number: F_GETFL's
flags, a ``-e raw=`` syscall's hex.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Mapping, Sequence
from functools import cache

from msgspec.structs import replace

from traced.decoders import _constants as K
from traced.decoders._ioctls import IOCTLS
from traced.decoders.families.files import fcntl_result
from traced.decoders.families.ioctl import ioctl_result
from traced.decoders.families.kernel import personality_result
from traced.decoders.families.ldt import set_thread_area_result
from traced.decoders.families.misc import (
    FUTEX_SHOWN,
    futex_bitset,
    futex_command,
    futex_wake_op,
)
from traced.decoders.families.mounts import mount_ignored
from traced.decoders.families.polling import poll_result, select_result
from traced.decoders.families.prctl import prctl_result
from traced.decoders.families.resources import ioprio_words
from traced.decoders.families.sched import sched_result
from traced.decoders.families.signals import signal
from traced.decoders.families.stat import format_makedev, format_mode
from traced.decoders.families.system import syslog_shown
from traced.decoders.families.times import (
    clock_state,
    decode_timespec,
    time_comment,
    timex_readable,
)
from traced.decoders.style import RAW, applied, current
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    NOT_PRINTED,
    Memory,
    Options,
    chex,
    hex_address,
    octal,
)
from traced.decoders.xlat import format_flags
from traced.events import Arg
from traced.syscalls.signatures import NATIVE_ABI, signature

# Syscalls whose result is a new fd, which -y decorates like an argument.
RETURNS_FD = frozenset((
    "open", "openat", "openat2", "creat", "socket", "accept", "accept4", "dup", "dup2",
    "dup3", "epoll_create", "epoll_create1", "eventfd", "eventfd2", "signalfd", "signalfd4",
    "timerfd_create", "inotify_init", "inotify_init1", "memfd_create", "pidfd_open",
    "fanotify_init", "userfaultfd", "perf_event_open", "open_by_handle_at", "open_tree",
    "fsopen", "fsmount", "fspick", "mq_open", "io_uring_setup", "pidfd_getfd", "memfd_secret",
))  # fmt: skip
_DUPFD_COMMANDS = frozenset((0, 1030))  # F_DUPFD, F_DUPFD_CLOEXEC


_LANDLOCK_CREATE_RULESET_VERSION = dict(K.LANDLOCK_CREATE)["LANDLOCK_CREATE_RULESET_VERSION"]
# bpf's commands that return a new fd (strace's RVAL_FD ones).
_BPF_FD_COMMANDS = frozenset(
    dict(K.BPF_CMD)[f"BPF_{name}"]
    for name in ("MAP_CREATE", "PROG_LOAD", "OBJ_PIN", "OBJ_GET", "PROG_GET_FD_BY_ID",
                 "MAP_GET_FD_BY_ID", "BTF_LOAD", "BTF_GET_FD_BY_ID", "LINK_CREATE",
                 "LINK_GET_FD_BY_ID")
)  # fmt: skip
# The calls that may return a new fd, as their arguments say: fcntl's F_DUPFD commands,
# landlock_create_ruleset unless asked for the ABI version, bpf's fd commands, ioctl's
# KVM_CREATE_VM ...
MAY_RETURN_FD = RETURNS_FD | {"fcntl", "fcntl64", "landlock_create_ruleset", "bpf", "ioctl"}


@cache
def _kvm_fds() -> frozenset[int]:
    """KVM_CREATE_VM's and KVM_CREATE_VCPU's numbers: the ioctls that return an fd."""
    return frozenset(
        value for name, value in IOCTLS if name in ("KVM_CREATE_VM", "KVM_CREATE_VCPU")
    )


def returns_fd(name: str, raw: Sequence[int]) -> bool:
    """Whether the call's result is a new fd (-y decorates it), by its arguments too:
    fcntl's F_DUPFD commands, pidfd_getfd."""
    if name in ("fcntl", "fcntl64"):
        return len(raw) > 1 and raw[1] & 0xFFFFFFFF in _DUPFD_COMMANDS
    if name == "bpf":
        return len(raw) > 0 and raw[0] & 0xFFFFFFFF in _BPF_FD_COMMANDS
    if name == "landlock_create_ruleset":
        return len(raw) > 2 and not raw[2] & _LANDLOCK_CREATE_RULESET_VERSION
    if name == "ioctl":
        return len(raw) > 1 and raw[1] & 0xFFFFFFFF in _kvm_fds()
    return name in RETURNS_FD


# strace's RVAL_TID and RVAL_TGID: the calls whose result is a thread's or a process's
# id, which -Y prints with its comm (RVAL_PGID's and RVAL_SID's are groups': a number).
_RETURNS_TASK_ID = frozenset(
    ("getpid", "getppid", "gettid", "fork", "vfork", "clone", "clone3", "wait4", "waitpid")
)
_F_GETOWN = 9


def returns_task_id(name: str, raw: Sequence[int]) -> bool:
    """Whether -Y names the call's result as a task (``= 1234<sh>``); fcntl's F_GETOWN
    by its command (a positive owner is a process, a negative one a process group)."""
    if name in ("fcntl", "fcntl64"):
        return len(raw) > 1 and raw[1] & 0xFFFFFFFF == _F_GETOWN
    return name in _RETURNS_TASK_ID


_PR_SET_NAME = dict(K.PRCTL)["PR_SET_NAME"]


def changes_comm(name: str, raw: Sequence[int]) -> bool:
    """Whether the call may change its task's comm, which strace -Y reads again when
    it returns (its COMM_CHANGE calls): an exec, prctl's PR_SET_NAME."""
    if name == "prctl":
        return len(raw) > 0 and raw[0] & 0xFFFFFFFF == _PR_SET_NAME
    return name in ("execve", "execveat")


_OPEN = dict(K.OPEN_FLAGS)
_O_CREAT, _O_TMPFILE_BIT = _OPEN["O_CREAT"], _OPEN["__O_TMPFILE"]  # O_TMPFILE less O_DIRECTORY
_CLONE_PARENT_SETTID, _CLONE_SETTLS = 0x00100000, 0x00080000
_CLONE_CHILD_TID = 0x01000000 | 0x00200000  # CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID


def _hidden(arg: Arg) -> Arg:
    return replace(arg, text=NOT_PRINTED)


_At = Mapping[str, int]  # an argument's position by its name


def _open_mode(args: list[Arg], at: _At) -> None:
    """open/openat print their mode only when it may be used: O_CREAT or __O_TMPFILE
    (strace's test: O_TMPFILE is __O_TMPFILE with O_DIRECTORY)."""
    flags_raw = args[-2].raw or 0
    if not flags_raw & (_O_CREAT | _O_TMPFILE_BIT):
        args[-1] = _hidden(args[-1])


def _mq_open_mode(args: list[Arg], at: _At) -> None:
    """mq_open's mode and attributes are read only with O_CREAT."""
    if not (args[at["oflag"]].raw or 0) & _O_CREAT:
        args[at["mode"]] = _hidden(args[at["mode"]])
        args[at["attr"]] = _hidden(args[at["attr"]])


_DEVICE_TYPES = (stat.S_IFCHR, stat.S_IFBLK)


def _mknod_mode(args: list[Arg], at: _At) -> None:
    """mknod's mode is an unsigned short, shown with its type; the device only for a
    character or block special file, the types that have one."""
    mode_at = at["mode"]
    mode = (args[mode_at].raw or 0) & 0xFFFF
    args[mode_at] = replace(args[mode_at], text=format_mode(mode), value=mode)
    dev = args[at["dev"]]
    if stat.S_IFMT(mode) not in _DEVICE_TYPES:
        args[at["dev"]] = _hidden(dev)
    else:  # a dev_t the kernel takes as an unsigned int
        number = (dev.raw or 0) & 0xFFFFFFFF
        args[at["dev"]] = replace(dev, text=format_makedev(number), value=number)


_MEMBARRIER_CMD_FLAG_CPU = dict(K.MEMBARRIER_FLAGS)["MEMBARRIER_CMD_FLAG_CPU"]


def _membarrier_cpu(args: list[Arg], at: _At) -> None:
    """membarrier's cpu_id is read only with MEMBARRIER_CMD_FLAG_CPU."""
    if not (args[at["flags"]].raw or 0) & _MEMBARRIER_CMD_FLAG_CPU:
        args[at["cpu_id"]] = _hidden(args[at["cpu_id"]])


def _clone_keywords(args: list[Arg], at: _At) -> None:
    """``clone(child_stack=NULL, flags=...|SIGCHLD, child_tidptr=0x...)``: the words
    strace uses, and only the pointers the flags make the kernel read."""
    clone_flags = args[at["flags"]].raw or 0
    shown = {
        "flags": "flags",
        "stack": "child_stack",
        "parent_tid": "parent_tid" if clone_flags & _CLONE_PARENT_SETTID else "",
        "tls": "tls" if clone_flags & _CLONE_SETTLS else "",
        "child_tid": "child_tidptr" if clone_flags & _CLONE_CHILD_TID else "",
    }
    for name, index in at.items():
        word = shown.get(name, "")
        arg = args[index]
        args[index] = replace(arg, text=f"{word}={arg.text}" if word else "")


def _futex_by_command(args: list[Arg], at: _At) -> None:
    """futex shows only the arguments its command uses, each as that command reads it."""
    command = futex_command(args[at["futex_op"]].raw or 0)
    shown = FUTEX_SHOWN.get(command or "", ("val", "timeout", "uaddr2", "val3"))
    for name in ("val", "timeout", "uaddr2", "val3"):
        index = at[name]
        arg = args[index]
        if name not in shown:
            args[index] = _hidden(arg)
        elif name == "timeout" and command in _VAL2_COMMANDS:
            count = (arg.raw or 0) & 0xFFFFFFFF  # val2: a count in the timeout's place
            args[index] = replace(arg, text=str(count), value=count)
        elif name == "timeout" and command is None:
            args[index] = replace(arg, text=hex_address(arg.raw or 0))
        elif name == "val3":
            args[index] = replace(arg, text=_futex_val3(command, arg.raw or 0))


_VAL2_COMMANDS = frozenset(("REQUEUE", "CMP_REQUEUE", "CMP_REQUEUE_PI", "WAKE_OP"))


def _futex_val3(command: str | None, raw: int) -> str:
    if command in ("WAIT_BITSET", "WAKE_BITSET"):
        return futex_bitset(raw)
    if command == "WAKE_OP":
        return futex_wake_op(raw)
    if command in ("CMP_REQUEUE", "CMP_REQUEUE_PI"):
        return str(raw & 0xFFFFFFFF)
    return chex(raw & 0xFFFFFFFF)


# How strace words a syscall's arguments, where that is more than each on its own.
_ENTRY_SHAPES: dict[str, Callable[[list[Arg], _At], None]] = {
    "open": _open_mode,
    "openat": _open_mode,
    "mknod": _mknod_mode,
    "mknodat": _mknod_mode,
    "mount": mount_ignored,
    "mq_open": _mq_open_mode,
    "membarrier": _membarrier_cpu,
    "clone": _clone_keywords,
    "futex": _futex_by_command,
    "syslog": syslog_shown,
}


@cache
def _positions(syscall: str, abi: str) -> dict[str, int]:
    return {arg.name: index for index, arg in enumerate(signature(syscall, abi).args)}


def shape_entry(syscall: str, args: tuple[Arg, ...], abi: str = NATIVE_ABI) -> tuple[Arg, ...]:
    """Arguments strace leaves out get an empty text; some get strace's keywords."""
    shape = _ENTRY_SHAPES.get(syscall)
    if shape is None:
        return args
    at = _positions(syscall, abi)
    if len(args) < len(at):  # registers missing: nothing to word the call by
        return args
    shaped = list(args)
    shape(shaped, at)
    return tuple(shaped)


# The syscalls whose successful result strace words (decode_result), -e raw= aside.
_SIGNAL_RESULTS = frozenset(("rt_sigtimedwait", "rt_sigtimedwait_time64"))
# The calls whose fds ready strace reads back: poll's (and where ppoll's time left is),
# select's (whether its time left is a timeval).
_POLLS = {"poll": None, "ppoll": 2, "ppoll_time64": 2}
_SELECTS = {"select": True, "_newselect": True, "pselect6": False, "pselect6_time64": False}
# The calls that return a clock's state, and where their struct timex is.
_ADJTIMEX = {"adjtimex": 0, "clock_adjtime": 1, "clock_adjtime64": 1}
# recvmmsg's: ``0 (Timeout)``, or the time left of its timeout.
_RECVMMSGS = frozenset(("recvmmsg", "recvmmsg_time64"))
_FROM_MEMORY = frozenset((*_POLLS, *_SELECTS, *_ADJTIMEX, *_RECVMMSGS, "set_thread_area"))
WORDED_RESULTS = (
    frozenset((
        "fcntl", "fcntl64", "umask", "prctl", "sched_getscheduler", "ioctl", "time",
        "ioprio_get", "personality", "membarrier", "set_thread_area",
    ))
    | _SIGNAL_RESULTS | frozenset(_POLLS) | frozenset(_SELECTS) | frozenset(_ADJTIMEX)
    | _RECVMMSGS
)  # fmt: skip


def has_worded_result(syscall: str, options: Options = DEFAULT_OPTIONS) -> bool:
    """Whether :func:`decode_result` may say more than the number for this syscall."""
    return syscall in options.raw or syscall in WORDED_RESULTS


def decode_result(
    syscall: str, raw: Sequence[int], retval: int, options: Options = DEFAULT_OPTIONS,
    memory: Memory | None = None,
) -> str | None:  # fmt: skip
    """strace's words for a successful result, where they are more than the number;
    ``memory`` is the tracee's after the call, for those read from it (poll's fds)."""
    if syscall in options.raw:
        return chex(retval)
    with applied(options.style):
        return _worded(syscall, raw, retval, options, memory)


def _worded_from_memory(
    syscall: str, raw: Sequence[int], retval: int, options: Options, memory: Memory
) -> str | None:
    """The results strace words by what the call left in memory."""
    if syscall in _POLLS and len(raw) > 2:
        at = _POLLS[syscall]
        return poll_result(raw, retval, memory, options, left=0 if at is None else raw[at])
    if syscall in _SELECTS and len(raw) > 4:
        return select_result(raw, retval, memory, timeval=_SELECTS[syscall])
    if syscall in _ADJTIMEX and len(raw) > _ADJTIMEX[syscall]:
        # strace names the state only after printing the struct timex
        return clock_state(retval) if timex_readable(raw[_ADJTIMEX[syscall]], memory) else None
    if syscall == "set_thread_area" and raw and syscall not in options.nonverbose:
        return set_thread_area_result(retval, raw[0], memory)
    if syscall in _RECVMMSGS and len(raw) > 4:
        return _recvmmsg_result(syscall, raw[4], retval, options, memory)
    return None


def _worded(
    syscall: str, raw: Sequence[int], retval: int, options: Options, memory: Memory | None
) -> str | None:
    if memory is not None and syscall in _FROM_MEMORY:
        return _worded_from_memory(syscall, raw, retval, options, memory)
    if syscall == "prctl" and raw:
        return prctl_result(raw[0] & 0xFFFFFFFF, retval)
    if syscall == "personality":  # the previous persona, in hex and by name
        return personality_result(retval)
    if syscall == "sched_getscheduler":
        return sched_result(syscall, retval)
    if syscall == "umask":  # the previous mask, in octal as the argument (``022``)
        return octal(retval)
    if syscall in _SIGNAL_RESULTS and retval > 0:  # the signal taken: ``14 (SIGALRM)``
        return f"{retval} ({signal(retval).text})"
    if syscall == "ioctl" and len(raw) > 1:
        return ioctl_result(raw[1], retval)
    if syscall in ("fcntl", "fcntl64") and len(raw) > 1:
        return fcntl_result(raw[1], retval)
    if syscall == "membarrier" and raw and not raw[0] & 0xFFFFFFFF and retval:
        return f"{retval:#x} ({format_flags(retval, K.MEMBARRIER_CMD).text})"  # QUERY's
    if syscall == "time":  # the seconds since the epoch, and the date they are
        return f"{retval} ({time_comment(retval, 0).strip()[3:-3]})"
    if syscall == "ioprio_get" and current().xlat != RAW:  # ``0 (IOPRIO_PRIO_VALUE(..))``
        return f"{retval} ({ioprio_words(retval & 0xFFFFFFFF)})"
    return None


def _recvmmsg_result(
    syscall: str, timeout: int, retval: int, options: Options, memory: Memory
) -> str | None:
    """``0 (Timeout)``; else, given a timeout, ``2 (left {tv_sec=0, tv_nsec=5})``: what
    the kernel left of it (strace reads it only for a syscall -e verbose= keeps)."""
    if retval == 0:
        return "0 (Timeout)"
    if not timeout or syscall in options.nonverbose:
        return None
    return f"{retval} (left {decode_timespec(timeout, memory).text})"
