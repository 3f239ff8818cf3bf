"""Events are values: frozen structs, one per thing a tracee did.

Every event is a JSON object whose ``type`` names it.  Field names are the
contract clients read (protocol/PROTOCOL.md); add fields, never rename.

* ``syscall``: entry and exit merged, its ``args`` typed (:class:`Arg`).
  ``retval`` and ``error`` are null when the syscall never returned (exit_group,
  or a thread destroyed by another's execve).
  On failure ``retval`` is -1 and ``error`` the errno name, as strace prints it.
  With -k, ``stack``: the call stack (:class:`Stack`), as are signals' and group-stops'.
* ``syscall_entry``: a syscall began (only when the session asked for entries).
* ``spawn``: a new task, with the task that made it.
* ``exec``: a successful execve; ``old_tid`` is set when a non-leader thread
  exec'd and took over the thread-group id; ``detached`` when traced let the task
  go there, before its new program ran, and why.
* ``signal``: a signal about to be delivered to a tracee.
* ``group_stop``: a tracee stopped (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU), until SIGCONT.
* ``exit``: a task ended, by ``code`` or by ``signal``.

Under -Y (``decorate_pids``) the events strace writes a line for carry ``comm``, the
task's /proc/TID/comm read at the stop (null otherwise, or where it had none).
* ``seccomp_filter``: ``traced attach --filter`` installed our filter in the
  process (``installed``), or could not, and says why (``reason``).

Events are msgspec Structs rather than pydantic models: one is built for every
syscall on the stop path, and a Struct costs a tenth of a model to build and to
encode (bench/decode_bench.py), and a tenth of its import time.  The engine
builds them from values it made itself, so nothing here validates; values from
outside (a client reading the daemon's JSON) go through :func:`parse_event`.
"""

from __future__ import annotations

import base64
import binascii
import enum
from typing import Any, Literal, cast, get_args

import msgspec


class Bytes(msgspec.Struct, frozen=True):
    """Bytes that are not UTF-8 (a file name, a buffer), carried exactly: ``{"base64":
    "..."}``.  Where such bytes may come, the JSON holds a string when they are UTF-8
    (exactly those bytes, a backslash being a backslash) and this object otherwise."""

    base64: str


# Bytes as they travel: a string if they are UTF-8, else Bytes (in an Arg's value, the
# same object as a dict, since a value's type is free).
Text = str | Bytes


def text_of(data: bytes) -> Text:
    """``data`` as it travels (:class:`Bytes`)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return Bytes(base64.b64encode(data).decode("ascii"))


def text_value(data: bytes) -> str | dict[str, str]:
    """``data`` as an Arg's value carries it: a string, or ``{"base64": ...}``."""
    text = text_of(data)
    return text if isinstance(text, str) else {"base64": text.base64}


def os_text(name: str) -> Text:
    """A name Python decoded from the kernel (os.readlink: undecodable bytes as
    surrogates, PEP 383) as it travels."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return text_of(name.encode("utf-8", "surrogateescape"))
    return name


def shown(text: Text) -> str:
    """A :data:`Text` for a person: its bytes as UTF-8, undecodable ones as ``\\xNN``."""
    return text if isinstance(text, str) else bytes_of(text).decode("utf-8", "backslashreplace")


def bytes_of(text: Text | dict[str, str]) -> bytes:
    """The bytes a :data:`Text` (or an Arg value's ``{"base64": ...}``) stands for."""
    if isinstance(text, str):
        return text.encode("utf-8")
    encoded = text.base64 if isinstance(text, Bytes) else text["base64"]
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise ValueError(f"not base64: {encoded!r}") from error


class Arg(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One syscall argument, typed: what strace prints and what it means.

    ``type`` is the signature's type tag (``path``, ``fd``, ``flags:open`` ...,
    see traced/syscalls/signatures.py); ``value`` the decoded value (a string, a
    list of flag names, a dict for a struct, or the integer); ``raw`` the register
    as an unsigned integer; ``text`` exactly what strace prints for it.
    """

    name: str
    type: str
    value: Any  # JSON by construction: int, string, list or object
    raw: int | None
    text: str
    # An fd's target, when -P asked for the calls on a path's fds (strace's fdmatch):
    # what /proc/PID/fd/N named at entry (and for a path argument -e raw= shows as its
    # address, the path it names); absent (omitted from JSON) otherwise.
    path: Text | None = None
    # The targets of the fds in the set the argument points to (poll's pollfds,
    # select's fd_sets), when -P asked for them as for ``path``: one per fd that named
    # something at entry, in the set's order; absent (omitted from JSON) otherwise.
    paths: tuple[Text, ...] | None = None
    # -e read=/write=: the data the call moved, as strace's hex dump lines (joined by
    # newlines), which follow the call's line; absent (omitted from JSON) otherwise.
    dump: str | None = None


class Frame(msgspec.Struct, frozen=True):
    """One frame of a stack trace (-k), as strace's `` > MODULE(SYMBOL+0xOFFSET)
    [0xADDRESS]`` line says it: ``ip`` in the file ``module`` (as /proc/PID/maps
    names it) at offset ``address``, ``offset`` bytes into the function ``symbol``
    (as the ELF file names it: C++ names mangled; absent when the file has none
    there).  A walk that cannot go on ends with a frame whose ``error`` says why
    (``unexpected_backtracing_error``: ``ip`` lies in no mapped file; ``too many
    stack frames``), as strace ends it."""

    ip: int = 0
    module: Text | None = None
    address: int = 0
    symbol: str | None = None
    offset: int = 0
    error: str | None = None


StackAt = Literal["entry", "exit", "stop"]


class Stack(msgspec.Struct, frozen=True):
    """-k: a task's call stack, innermost frame first, walked while it was stopped
    ``at`` a syscall's ``exit`` (most calls), its ``entry`` (execve, execveat, exit and
    exit_group, whose caller is gone by the time they return), or a ``stop`` (a
    signal's delivery, a group-stop)."""

    at: StackAt
    frames: tuple[Frame, ...]


class _Event(msgspec.Struct, frozen=True, tag_field="type"):
    session: str
    pid: int  # thread-group id, what users call the process id
    tid: int
    ts_ns: int  # wall clock at the stop that began the event


class SyscallEvent(_Event, tag="syscall", frozen=True, kw_only=True):
    nr: int
    name: str
    arch: str
    args: tuple[Arg, ...]
    duration_ns: int | None
    retval: int | None
    error: str | None
    fd_path: Text | None = None  # -y: what a returned fd refers to (openat's 3</etc/passwd>)
    # strace's words for the result where they are more than the number (F_GETFL's flags)
    retval_text: str | None = None
    # It never returned to us because we let its task go while it blocked (a detach):
    # the kernel restarts it untraced.  strace's ``wait4(-1,  <detached ...>``.
    detached: bool = False
    # -e inject=: its result was replaced (strace's ``(INJECTED)``), it was held at
    # entry or exit (``(DELAYED)``), bytes were written where its arguments point
    # (poke_enter=/poke_exit=: ``(INJECTED: args)``).
    injected: bool = False
    delayed: bool = False
    poked: bool = False
    stack: Stack | None = None  # -k: the call stack at the call's return (or entry)
    comm: Text | None = None  # -Y: the task's comm as the call was entered (1234<sh>)
    # -Y: its comm as the call returned, where the call changed it (execve, prctl's
    # PR_SET_NAME): strace's ``1234<ls> <... execve resumed>``; null otherwise.
    exit_comm: Text | None = None

    @property
    def finished(self) -> bool:
        return self.retval is not None


class SyscallEntryEvent(_Event, tag="syscall_entry", frozen=True, kw_only=True):
    """A syscall was entered; its ``syscall`` event follows when it returns.

    Only sessions that ask for entries get them (``entries``): a text printer
    shows the call as strace does, before it blocks, and marks it
    ``<unfinished ...>`` when another task's line comes first.  Outputs are
    still their addresses here.
    """

    nr: int
    name: str
    arch: str
    args: tuple[Arg, ...]
    comm: Text | None = None  # -Y: the task's comm


class SpawnEvent(_Event, tag="spawn", frozen=True, kw_only=True):
    parent_pid: int
    parent_tid: int
    thread: bool  # a thread of parent_pid, rather than a new process


class ExecEvent(_Event, tag="exec", frozen=True, kw_only=True):
    path: Text
    argv: tuple[Text, ...]
    old_tid: int | None
    # Set when the new program runs with privileges the session's client lacks
    # (set-user-ID, file capabilities): the task was let go before it ran, and this
    # says why ("capabilities cap_dac_read_search").  Nothing of it follows.
    detached: str | None = None


class SignalEvent(_Event, tag="signal", frozen=True, kw_only=True):
    signo: int
    signal: str
    code: int
    sender_pid: int
    sender_uid: int
    # SIGCHLD from the kernel: the child's exit code (or signal) and CPU clock ticks.
    child_status: int | None = None
    child_utime: int | None = None
    child_stime: int | None = None
    errno: int | None = None  # si_errno, when not 0 (a seccomp SIGSYS: its filter's data)
    # A seccomp SIGSYS (RET_TRAP): the refused syscall's address, number and AUDIT_ARCH.
    call_addr: int | None = None
    syscall: int | None = None
    audit_arch: int | None = None
    # si_value of a queued signal (sigqueue, a message queue's notice), when not 0:
    # the union's 8 bytes, of which sival_int is the low 4.
    value: int | None = None
    # A fault the kernel reports (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP): si_addr.
    addr: int | None = None
    stack: Stack | None = None  # -k: the call stack the signal finds
    # -Y: the task's comm, and the sender's (si_pid's), when it still has one
    comm: Text | None = None
    sender_comm: Text | None = None


class GroupStopEvent(_Event, tag="group_stop", frozen=True, kw_only=True):
    """The tracee entered a group-stop: it stays stopped, as it would untraced,
    until a SIGCONT (strace: ``--- stopped by SIGSTOP ---``)."""

    signo: int
    signal: str
    stack: Stack | None = None  # -k: the call stack where it stopped
    comm: Text | None = None  # -Y: the task's comm


class ExitEvent(_Event, tag="exit", frozen=True, kw_only=True):
    code: int | None
    signal: str | None
    core_dumped: bool
    comm: Text | None = None  # -Y: the task's last comm


class FilterEvent(_Event, tag="seccomp_filter", frozen=True, kw_only=True):
    """``traced attach --filter``: our seccomp filter is in the process from now on
    (only the traced syscalls stop it, and it can never be detached), or it could not
    be installed (``reason``), and the process is traced at every syscall."""

    installed: bool
    reason: str | None = None


class Entries(enum.Enum):
    """When a session sends a ``syscall_entry`` event as well as the ``syscall`` one."""

    NEVER = "never"
    # Only while the session has another task, whose lines could come between the
    # call's entry and its return: strace's text then shows ``<unfinished ...>``.
    # With one task a call's line is never cut, so nothing is built for its entry.
    INTERLEAVED = "interleaved"
    ALWAYS = "always"  # a live view shows each call while it blocks


Event = (
    SyscallEvent
    | SyscallEntryEvent
    | SpawnEvent
    | ExecEvent
    | SignalEvent
    | ExitEvent
    | GroupStopEvent
    | FilterEvent
)
EVENT_TYPES: tuple[type[_Event], ...] = get_args(Event)  # the union's members, in its order

_encoder = msgspec.json.Encoder()


def event_json(event: Event) -> bytes:
    """The event as one JSON object, ``type`` first."""
    return _encoder.encode(event)


def parse_event(message: Any) -> Event:
    """An event from decoded JSON (a dict), checked against its type; raises
    ``msgspec.ValidationError`` naming the bad field.  Unknown fields (added in a
    later protocol version, or the daemon's ``seq``) are ignored."""
    return cast(Event, msgspec.convert(message, Event))
