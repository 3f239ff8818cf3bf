"""What a tracee's wait status means, and the stop values the state machine eats.

Kernel facts this module depends on (see ptrace(2), "Stopped states"):

* ``WIFEXITED``/``WIFSIGNALED`` end a task; everything else we see is a
  ptrace-stop with ``WSTOPSIG = (status >> 8) & 0xff`` and ``event = status >> 16``.
* With PTRACE_O_TRACESYSGOOD a syscall-entry or -exit stop has WSTOPSIG
  ``SIGTRAP | 0x80``; only PTRACE_GET_SYSCALL_INFO tells entry from exit.
* ``event`` is PTRACE_EVENT_FORK/VFORK/CLONE/EXEC/VFORK_DONE/EXIT/SECCOMP/STOP.
  PTRACE_EVENT_STOP (seized tracees only) is a group-stop when WSTOPSIG is a
  stopping signal (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) and otherwise a trap: a
  new task's first stop, a PTRACE_INTERRUPT, or the end of a LISTENed group-stop.
* Any other stop with event 0 is a signal-delivery-stop for WSTOPSIG.

Decoding is pure.  The reactor then fetches what each kind needs (syscall info,
event message, siginfo) and builds one of the frozen stop values below.
"""

from __future__ import annotations

import enum
import functools
import os
import signal
from collections.abc import Callable
from typing import NamedTuple

from traced.core.abi import (
    PTRACE_EVENT_CLONE,
    PTRACE_EVENT_EXEC,
    PTRACE_EVENT_FORK,
    PTRACE_EVENT_SECCOMP,
    PTRACE_EVENT_STOP,
    PTRACE_EVENT_VFORK,
)
from traced.events import Arg, Stack
from traced.syscalls.arch import Abi

SYSCALL_TRAP = signal.SIGTRAP | 0x80
STOPPING_SIGNALS = frozenset((signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU))


class Kind(enum.Enum):
    SYSCALL = "syscall"  # entry or exit: ask GET_SYSCALL_INFO which
    SECCOMP = "seccomp"  # a filter returned SECCOMP_RET_TRACE: the entry of a syscall
    NEW_TASK = "new_task"
    EXEC = "exec"
    GROUP_STOP = "group_stop"
    TRAP_STOP = "trap_stop"
    SIGNAL = "signal"
    EXITED = "exited"
    KILLED = "killed"
    OTHER_EVENT = "other_event"


_EVENT_KINDS = {
    PTRACE_EVENT_FORK: Kind.NEW_TASK,
    PTRACE_EVENT_VFORK: Kind.NEW_TASK,
    PTRACE_EVENT_CLONE: Kind.NEW_TASK,
    PTRACE_EVENT_EXEC: Kind.EXEC,
    PTRACE_EVENT_SECCOMP: Kind.SECCOMP,
}


class Decoded(NamedTuple):
    kind: Kind
    sig: int = 0  # WSTOPSIG, exit code or terminating signal
    event: int = 0
    core_dumped: bool = False


# Few distinct statuses occur (an exit code, a signal, or a stop signal with a
# ptrace event: a few hundred at most), and one is decoded at every stop, so each
# is decoded once.  The bound holds them all, and keeps a kernel that sent odd
# statuses from growing the cache without end.
@functools.lru_cache(maxsize=1024)
def decode_status(status: int) -> Decoded:
    """Classify a waitpid status.  Pure: no syscalls."""
    if os.WIFEXITED(status):
        return Decoded(Kind.EXITED, os.WEXITSTATUS(status))
    if os.WIFSIGNALED(status):
        return Decoded(Kind.KILLED, os.WTERMSIG(status), core_dumped=os.WCOREDUMP(status))
    sig = os.WSTOPSIG(status)
    event = status >> 16
    if sig == SYSCALL_TRAP:
        return Decoded(Kind.SYSCALL, sig)
    if event == PTRACE_EVENT_STOP:
        kind = Kind.GROUP_STOP if sig in STOPPING_SIGNALS else Kind.TRAP_STOP
        return Decoded(kind, sig, event)
    if event:
        return Decoded(_EVENT_KINDS.get(event, Kind.OTHER_EVENT), sig, event)
    return Decoded(Kind.SIGNAL, sig)


# The stops the state machine eats.  ``ts`` is the wall clock, in ns, when the
# reactor saw the stop.  They are NamedTuples because one is built per stop and
# a tuple is the cheapest immutable value Python has; compare them by type first.


class InjectRule(NamedTuple):
    """One syscall's injection as a session applies it in one ABI, made once per
    syscall number and session (tracer.run) from -e inject=/fault=.  Pure data: the
    core decides which invocations it touches (traced.core.inject), the shell acts."""

    first: int = 1  # invocations from 1: FIRST, then every STEP-th, up to LAST
    last: int | None = None
    step: int = 1  # 0: FIRST alone
    nr: int | None = None  # the number written at entry: -1 (none) or a %pure call's
    result: int | None = None  # the return register at exit: -errno, or retval
    fails: bool = False  # result is an errno (error=), not a value (retval=)
    signal: int = 0  # sent as the call is entered (0: none)
    delay_enter_ns: int | None = None
    delay_exit_ns: int | None = None
    # (argument index, bytes): written where the argument points, at entry / exit
    poke_enter: tuple[tuple[int, bytes], ...] = ()
    poke_exit: tuple[tuple[int, bytes], ...] = ()

    @property
    def pokes(self) -> bool:
        return bool(self.poke_enter or self.poke_exit)

    @property
    def delays(self) -> bool:
        return self.delay_enter_ns is not None or self.delay_exit_ns is not None


class Tamper(NamedTuple):
    """What the shell does to a stopped tracee before it restarts it, as the core
    decided: write the syscall number (at entry) or the result (at exit), bytes into
    its memory, and restart later.  A signal rides on the restart itself (Resume.sig)."""

    rule: InjectRule
    nr: int | None = None
    result: int | None = None
    signal: int = 0
    delay_ns: int | None = None
    pokes: tuple[tuple[int, bytes], ...] = ()  # (address, bytes) written into memory


class Entry(NamedTuple):
    """A syscall is being entered (seccomp-stop, or syscall-entry-stop in full mode)."""

    ts: int
    tid: int  # who entered: after a non-leader execve the task returns under another tid
    nr: int
    name: str
    abi: str
    args: tuple[Arg, ...]  # decoded at entry: what the syscall was given
    wanted: bool  # the user's filter selects it; unwanted entries are tracked, not reported
    raw: tuple[int, ...] = ()  # the registers, for decoding what it returns through them
    call: Call | None = None  # a wanted entry's: what its exit stop will read
    # A wanted entry's registers cut to its arguments' C types, as its decoding at
    # entry cut them once (decoders.arguments.c_registers), for its exit's decoding.
    registers: tuple[int, ...] = ()
    stack: Stack | None = None  # -k: walked here for the calls strace walks at entry
    comm: bytes | None = None  # -Y: the task's /proc/TID/comm at this stop


class InjectEntry(Entry):
    """The entry of a call with an injection rule (``call.inject``): its own rows in
    the transition table count it and choose whether to tamper with it, so the
    entries of every other call pay nothing for injection."""

    __slots__ = ()


class Call(NamedTuple):
    """What every stop of one syscall needs to know of it, worked out at its first
    stop in a session and kept (tracer.run.Run.calls): the questions a stop asks of
    its syscall (which is it, is it wanted, what to read at its exit) become one
    dictionary lookup."""

    name: str
    abi: Abi
    wanted: bool  # the user's filter selects it
    outputs: bool  # it returns something through memory, decoded at exit
    returns_fd: bool  # -y decorates its result
    worded: bool  # strace words its result (fcntl's flags, -e raw='s hex)
    inject: InjectRule | None = None  # -e inject=: a wanted call's rule in its ABI
    # The type of its entry stops: InjectEntry for a call with a rule (its own rows in
    # the transition table), so that no other call's stop asks.
    entry: type[Entry] = Entry
    # Its argument predicates, if it has any: whether a call's registers pass them
    # (traced.filter.predicates; a call that fails is not wanted).
    admits: Callable[[tuple[int, ...]], bool] | None = None
    names_fds: bool = False  # -P: its fd arguments' targets are noted (Arg.path)


class Exit(NamedTuple):
    """The syscall-exit-stop of the syscall in flight."""

    ts: int
    rval: int
    is_error: bool
    # The arguments again, with what the kernel filled in (pipe's fds, read's
    # buffer ...) decoded; None when the exit changed none of them.
    args: tuple[Arg, ...] | None = None
    fd_path: str | None = None  # -y: what the returned fd refers to
    retval_text: str | None = None  # strace's words for the result, if more than a number
    stack: Stack | None = None  # -k: the call stack it returns to
    comm: bytes | None = None  # -Y: the task's comm after a call that may change it


class TamperedExit(Exit):
    """The exit of a call the core chose to tamper with (Task.tampering): ``rval`` is
    already the injected result, which the shell writes as the plan says."""

    __slots__ = ()


class Spawned(NamedTuple):
    """PTRACE_EVENT_FORK/VFORK/CLONE in the parent: ``child_tid`` now exists, traced."""

    ts: int
    child_tid: int
    child_tgid: int


class Exec(NamedTuple):
    """PTRACE_EVENT_EXEC: the new image is in place; ``old_tid`` is who called execve."""

    ts: int
    old_tid: int
    path: str
    argv: tuple[str, ...]
    # Why the new image is no longer its client's to watch, or None: it runs with
    # privileges the client lacks (a set-user-ID or file-capability program an
    # attached process exec'd), so it is let go before it runs, and the event says so.
    detached: str | None = None


class GroupStop(NamedTuple):
    sig: int
    ts: int = 0
    stack: Stack | None = None  # -k
    comm: bytes | None = None  # -Y: the task's comm


class TrapStop(NamedTuple):
    """PTRACE_EVENT_STOP with SIGTRAP: first stop, PTRACE_INTERRUPT, or the end of a LISTEN."""


class SignalStop(NamedTuple):
    ts: int
    sig: int
    code: int
    sender_pid: int
    sender_uid: int
    child_status: int | None = None  # SIGCHLD: exit code or signal, and CPU times
    child_utime: int | None = None
    child_stime: int | None = None
    errno: int = 0  # si_errno
    call_addr: int | None = None  # a seccomp SIGSYS: the syscall's address, nr, arch
    syscall: int | None = None
    audit_arch: int | None = None
    value: int | None = None  # a queued signal's si_value, when not 0
    addr: int | None = None  # a fault's si_addr (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP)
    stack: Stack | None = None  # -k
    comm: bytes | None = None  # -Y: the task's comm, and the sender's (si_pid's)
    sender_comm: bytes | None = None


class Exited(NamedTuple):
    ts: int
    code: int
    comm: bytes | None = None  # -Y: the task's last comm


class Killed(NamedTuple):
    ts: int
    sig: int
    core_dumped: bool
    comm: bytes | None = None  # -Y: the task's last comm


class OtherEvent(NamedTuple):
    event: int


Stop = (
    Entry | Exit | Spawned | Exec | GroupStop | TrapStop | SignalStop | Exited | Killed | OtherEvent
)
