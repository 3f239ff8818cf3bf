"""A traced task's record, and the step one stop makes of it: the core's values.

Pure.  A Task is changed only by :func:`traced.core.tracee.plan`; a Step is what
one plan produced: the restart, and what the stop's events need, captured when
the stop was planned (see :mod:`traced.core.reports`, which builds them).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from traced.core.stops import Entry, InjectRule, Stop, Tamper
from traced.events import Event


class Mode(enum.Enum):
    SECCOMP = "seccomp"
    FULL = "full"


class Phase(enum.Enum):
    NEW = "new"  # seized or auto-attached, waiting for its first trap
    RUNNING = "running"  # between syscalls
    IN_SYSCALL = "in_syscall"  # entered a syscall; its exit stop comes next
    STOPPED = "stopped"  # in a group-stop, held by PTRACE_LISTEN
    # Seized, then found not to be its client's (see disown): let go at its first
    # stop, with nothing of it reported.
    LEAVING = "leaving"
    GONE = "gone"  # exited, killed or detached: forget it

    # Members are singletons, so identity is equality: hash them as objects, in C,
    # rather than by Enum's Python-level hash of the name.  A phase keys the
    # transition table (traced.core.tracee) at every stop.
    __hash__ = object.__hash__


class Restart(enum.Enum):
    RESUME = "resume"  # CONT or SYSCALL, whichever the mode and phase need
    DELIVER = "deliver"  # resume, delivering the stop's signal
    LISTEN = "listen"
    TAMPER = "tamper"  # resume, delivering the injection's signal (Step.tamper), if any
    NONE = "none"  # the task is dead


class Resume(NamedTuple):
    """One ptrace restart request for the reactor to make."""

    tid: int
    request: int
    sig: int = 0
    # It lets the task's syscall in flight run: the shell reads the clock as it makes
    # it (:func:`running_call`).  The core says so, so that the restarts of entry-only
    # tracing, and every other restart, cost the shell no look-up of their task.
    starts_call: bool = False


@dataclass(slots=True)
class Task:
    # Who it is: fixed for the record's life (a non-leader exec that gives a thread
    # the leader's tid makes a new record), so events built after a restart name it
    # as it was when the stop was planned.
    tid: int
    tgid: int
    session: str
    mode: Mode
    report_entries: bool = False  # a syscall_entry event at each reported entry
    # Entry-only tracing: each call's entry is its whole report; in seccomp mode the
    # seccomp stop is restarted with PTRACE_CONT, so the call makes one stop, not two.
    entry_only: bool = False
    announced: bool = False  # the syscall in flight had its syscall_entry event
    # Its state: changed only by plan(), as a transition's ``change``.
    phase: Phase = Phase.NEW
    in_flight: Entry | None = None
    # The call a restart_syscall would resume: the last one seen to give up with
    # ERESTART_RESTARTBLOCK (None: none seen, as when we attach to a task asleep in one).
    previous: str | None = None
    # A launched root before its first exec runs our own setup code: only its
    # execve attempts are the user's business.
    prestart: bool = False
    detaching: bool = False
    # A measure, not a state: the wall clock just before the restart that let the
    # syscall in flight run (set by the shell, :func:`running_call`); 0: none yet.
    call_started: int = 0
    # -e inject=: each injected syscall's invocations so far, by (ABI, nr), as strace
    # counts them (per tracee); the rule of the call in flight, if it is tampered with.
    invocations: dict[tuple[str, int], int] | None = None
    tampering: InjectRule | None = None


def running_call(task: Task, clock: Callable[[], int]) -> None:
    """The shell is about to restart ``task`` (with a Resume that ``starts_call``): if
    that lets its syscall in flight run, the call's duration (-T, -c) counts from
    ``clock()`` read now, as strace's does (it takes the entry time as late as it can,
    so as not to count its own handling of the stop)."""
    if task.phase is Phase.IN_SYSCALL:
        task.call_started = clock()


def let_go(task: Task) -> None:
    """Detach ``task`` at its next stop, whatever that stop is (see _restart)."""
    task.detaching = True


def disown(task: Task) -> None:
    """A task seized but not its client's to watch (the attach's second check failed):
    let go at its first stop, reporting nothing of it, nor of a child it made first."""
    task.phase = Phase.LEAVING
    task.detaching = True


class Step:
    """The outcome of one stop: the task's new state is set, its restart chosen, and
    what its events need captured; the events themselves are built on demand.

    The reactor restarts the tracee first and only then asks for the events, so
    that building them overlaps with the tracee running.  They are built from the
    stop, the task's fixed identity and the values captured here, never from the
    task's state, which the task's next stop may already have changed.
    """

    __slots__ = (
        "_build",
        "before",
        "closed",
        "joined",
        "left",
        "opened",
        "resume",
        "stop",
        "tamper",
        "task",
    )

    def __init__(self, task: Task, stop: Stop, build: Build) -> None:
        self.task = task
        self.stop = stop
        self._build = build
        self.resume: Resume | None = None
        self.closed: Entry | None = None  # the reported syscall this stop ends or abandons
        self.opened: Entry | None = None  # the entry this stop reports as entered
        # Events the session produced around this stop, built as it was planned.
        self.before: Sequence[Event] = ()
        # The tids the session began and stopped holding at this stop, so that a
        # caller keeping its own map of tids (the reactor) can follow.
        self.joined: tuple[int, ...] = ()
        self.left: tuple[int, ...] = ()
        # -e inject=: what the shell does to the tracee before its restart, or None.
        self.tamper: Tamper | None = None

    def reread(self, stop: Stop) -> None:
        """The stop read again after the shell changed the tracee's memory
        (poke_enter=, poke_exit=): its events, and the call in flight, say what the
        syscall sees, as strace, which decodes a call after its pokes."""
        old, self.stop = self.stop, stop
        if isinstance(stop, Entry):
            if self.opened is old:
                self.opened = stop
            if self.task.in_flight is old:
                self.task.in_flight = stop

    def build_with(self, build: Build) -> None:
        """Its events are another builder's (the rare case a change finds, at plan time)."""
        self._build = build

    def events(self) -> list[Event]:
        built = self._build(self)
        return [*self.before, *built] if self.before else built


Build = Callable[[Step], list[Event]]  # a stop's events, made from its step alone
