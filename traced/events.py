"""Events are values: frozen models, one per thing a tracee did.

Every event is a JSON object whose ``type`` names it.  Field names are the
contract clients read (see protocol/ once it exists); add fields, never rename.

* ``syscall``: entry and exit merged, its ``args`` typed (:class:`Arg`).
  ``retval`` and ``error`` are null when the syscall never returned (exit_group,
  or a thread destroyed by another's execve).
  On failure ``retval`` is -1 and ``error`` the errno name, as strace prints it.
* ``syscall_entry``: a syscall began (only when the session asked for entries).
* ``spawn``: a new task, with the task that made it.
* ``exec``: a successful execve; ``old_tid`` is set when a non-leader thread
  exec'd and took over the thread-group id.
* ``signal``: a signal about to be delivered to a tracee.
* ``exit``: a task ended, by ``code`` or by ``signal``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Arg(BaseModel):
    """One syscall argument, typed: what strace prints and what it means.

    ``type`` is the signature's type tag (``path``, ``fd``, ``flags:open`` ...,
    see traced/syscalls/signatures.py); ``value`` the decoded value (a string, a
    list of flag names, a dict for a struct, or the integer); ``raw`` the register
    as an unsigned integer; ``text`` exactly what strace prints for it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    type: str
    # JSON by construction (the decoders build it); typed Any, because checking
    # a recursive JSON type costs more than the rest of the argument.
    value: Any = Field(description="the decoded value: int, string, list or object")
    raw: int | None
    text: str


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    session: str
    pid: int  # thread-group id, what users call the process id
    tid: int
    ts_ns: int  # wall clock at the stop that began the event


class SyscallEvent(_Event):
    type: Literal["syscall"] = "syscall"
    nr: int
    name: str
    arch: str
    args: tuple[Arg, ...]
    duration_ns: int | None
    retval: int | None
    error: str | None
    fd_path: str | None = None  # -y: what a returned fd refers to (openat's 3</etc/passwd>)
    # strace's words for the result where they are more than the number (F_GETFL's flags)
    retval_text: str | None = None

    @property
    def finished(self) -> bool:
        return self.retval is not None


class SyscallEntryEvent(_Event):
    """A syscall was entered; its ``syscall`` event follows when it returns.

    Only sessions that ask for entries get them (``entries``): a text printer
    shows the call as strace does, before it blocks, and marks it
    ``<unfinished ...>`` when another task's line comes first.  Outputs are
    still their addresses here.
    """

    type: Literal["syscall_entry"] = "syscall_entry"
    nr: int
    name: str
    arch: str
    args: tuple[Arg, ...]


class SpawnEvent(_Event):
    type: Literal["spawn"] = "spawn"
    parent_pid: int
    parent_tid: int
    thread: bool  # a thread of parent_pid, rather than a new process


class ExecEvent(_Event):
    type: Literal["exec"] = "exec"
    path: str
    argv: tuple[str, ...]
    old_tid: int | None


class SignalEvent(_Event):
    type: Literal["signal"] = "signal"
    signo: int
    signal: str
    code: int
    sender_pid: int
    sender_uid: int
    # SIGCHLD from the kernel: the child's exit code (or signal) and CPU clock ticks.
    child_status: int | None = None
    child_utime: int | None = None
    child_stime: int | None = None


class ExitEvent(_Event):
    type: Literal["exit"] = "exit"
    code: int | None
    signal: str | None
    core_dumped: bool


Event = SyscallEvent | SyscallEntryEvent | SpawnEvent | ExecEvent | SignalEvent | ExitEvent
# The same union, told apart by ``type`` when parsed from JSON.
TaggedEvent = Annotated[Event, Field(discriminator="type")]
