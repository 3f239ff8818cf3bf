"""The per-task state machine: a stop goes in, events and one ptrace restart come out.

Pure: no syscalls.  The reactor decodes the wait status, fetches what the stop
needs (syscall info, event message, siginfo) and feeds the resulting stop value
to plan(); it then performs the restart this module chose, and only then asks
for the stop's events.  plan() makes every change to the task, through the
table's transition; the events are built later from what it captured.

Kernel facts the table encodes:

* Seccomp mode (the seed's protocol): a SECCOMP_RET_TRACE stop is a syscall
  entry.  Restarting it with PTRACE_SYSCALL makes the syscall-exit-stop appear;
  restarting that with PTRACE_CONT lets the task run until the filter next asks.
* Full mode (no filter, or attach): PTRACE_SYSCALL everywhere, so every syscall
  stops at entry and exit and the user's filter is applied here, in userspace.
* A signal-delivery-stop's signal is delivered only if the restart passes it on.
* A group-stop of a seized task is held with PTRACE_LISTEN: the task stays
  stopped, as it would untraced, until SIGCONT makes it trap again (a TrapStop).
* A task's first stop after PTRACE_SEIZE+INTERRUPT, or after being auto-attached
  at fork/clone, is a PTRACE_EVENT_STOP trap.
* An interrupted syscall exits with ERESTART*; when the task is restarted it
  enters the syscall again (or restart_syscall), which stops again.
* PTRACE_EVENT_EXEC stops the task with the new image in place, before it runs
  any of it: a task detached there runs its new program untraced from its start.
* PTRACE_DETACH is a restart like the others: it may deliver the stop's signal.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from traced.core.abi import PTRACE_CONT, PTRACE_DETACH, PTRACE_LISTEN, PTRACE_SYSCALL
from traced.core.stops import (
    Entry,
    Exec,
    Exit,
    Exited,
    GroupStop,
    Killed,
    OtherEvent,
    SignalStop,
    Spawned,
    Stop,
    TrapStop,
)
from traced.events import (
    Event,
    ExecEvent,
    ExitEvent,
    SignalEvent,
    SpawnEvent,
    SyscallEntryEvent,
    SyscallEvent,
)
from traced.syscalls.names import errno_name, signal_name

EXEC_SYSCALLS = frozenset(("execve", "execveat"))


class Mode(enum.Enum):
    SECCOMP = "seccomp"
    FULL = "full"


class Phase(enum.Enum):
    NEW = "new"  # seized or auto-attached, waiting for its first trap
    RUNNING = "running"  # between syscalls
    IN_SYSCALL = "in_syscall"  # entered a syscall; its exit stop comes next
    STOPPED = "stopped"  # in a group-stop, held by PTRACE_LISTEN
    GONE = "gone"  # exited, killed or detached: forget it


class Restart(enum.Enum):
    RESUME = "resume"  # CONT or SYSCALL, whichever the mode and phase need
    DELIVER = "deliver"  # resume, delivering the stop's signal
    LISTEN = "listen"
    NONE = "none"  # the task is dead


class Resume(NamedTuple):
    """One ptrace restart request for the reactor to make."""

    tid: int
    request: int
    sig: int = 0


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
    # Its state: changed only by plan(), as a transition's ``change``.
    phase: Phase = Phase.NEW
    in_flight: Entry | None = None
    # A launched root before its first exec runs our own setup code: only its
    # execve attempts are the user's business.
    prestart: bool = False
    detaching: bool = False


def let_go(task: Task) -> None:
    """Detach ``task`` at its next stop, whatever that stop is (see _restart)."""
    task.detaching = True


class Step:
    """The outcome of one stop: the task's new state is set, its restart chosen, and
    what its events need captured; the events themselves are built on demand.

    The reactor restarts the tracee first and only then asks for the events, so
    that building them overlaps with the tracee running.  They are built from the
    stop, the task's fixed identity and the values captured here, never from the
    task's state, which the task's next stop may already have changed.
    """

    __slots__ = ("_build", "before", "closed", "joined", "left", "opened", "resume", "stop", "task")

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

    def events(self) -> list[Event]:
        built = self._build(self)
        return [*self.before, *built] if self.before else built


# A transition's effect, in two halves: ``change`` sets the task's state when the
# stop is planned, and records in the step what the events will need; ``build``
# makes the events later, from the step alone.
Change = Callable[[Task, Stop, Step], None]
Build = Callable[[Step], list[Event]]


@dataclass(frozen=True, slots=True)
class Effect:
    change: Change | None  # None: the stop changes nothing but the phase
    build: Build


@dataclass(frozen=True, slots=True)
class Transition:
    next_phase: Phase | None  # None: stay in the current phase
    effect: Effect
    restart: Restart


# The changes, made at plan time.


def _reportable(task: Task, entry: Entry) -> bool:
    return entry.wanted and (not task.prestart or entry.name in EXEC_SYSCALLS)


def _close(task: Task, step: Step) -> None:
    """The syscall in flight ends (or is abandoned) here: captured if it is reported."""
    entry, task.in_flight = task.in_flight, None
    if entry is not None and _reportable(task, entry):
        step.closed = entry


def _enter(task: Task, stop: Stop, step: Step) -> None:
    assert isinstance(stop, Entry)
    _close(task, step)  # one that never returned to us: reported unfinished
    task.in_flight = stop
    if task.report_entries and _reportable(task, stop):
        step.opened = stop


def _leave(task: Task, stop: Stop, step: Step) -> None:
    _close(task, step)


def _exec(task: Task, stop: Stop, step: Step) -> None:
    assert isinstance(stop, Exec)
    task.prestart = False
    if stop.foreign:
        let_go(task)  # not its owner's to watch any more: detached before it runs


def _end(task: Task, stop: Stop, step: Step) -> None:
    _close(task, step)  # the syscall it died in never returns


# The builders, run after the restart.


def _no_events(step: Step) -> list[Event]:
    return []


def _syscall_event(task: Task, entry: Entry, exit_: Exit | None) -> SyscallEvent:
    retval = error = duration = None
    fd_path: str | None
    retval_text: str | None
    if exit_ is not None:
        duration = exit_.ts - entry.ts
        retval, error = (-1, errno_name(-exit_.rval)) if exit_.is_error else (exit_.rval, None)
        args = entry.args if exit_.args is None else exit_.args
        fd_path, retval_text = exit_.fd_path, exit_.retval_text
    else:
        args, fd_path, retval_text = entry.args, None, None
    return SyscallEvent(
        session=task.session,
        pid=task.tgid,
        tid=entry.tid,
        ts_ns=entry.ts,
        nr=entry.nr,
        name=entry.name,
        arch=entry.abi,
        args=args,
        duration_ns=duration,
        retval=retval,
        error=error,
        fd_path=fd_path,
        retval_text=retval_text,
    )


def _unfinished(step: Step) -> list[Event]:
    closed = step.closed
    return [] if closed is None else [_syscall_event(step.task, closed, None)]


def _entered(step: Step) -> list[Event]:
    events = _unfinished(step)
    entry = step.opened
    if entry is not None:
        events.append(
            SyscallEntryEvent(
                session=step.task.session,
                pid=step.task.tgid,
                tid=entry.tid,
                ts_ns=entry.ts,
                nr=entry.nr,
                name=entry.name,
                arch=entry.abi,
                args=entry.args,
            )
        )
    return events


def _returned(step: Step) -> list[Event]:
    closed, stop = step.closed, step.stop
    assert isinstance(stop, Exit)
    return [] if closed is None else [_syscall_event(step.task, closed, stop)]


def _spawned(step: Step) -> list[Event]:
    task, stop = step.task, step.stop
    assert isinstance(stop, Spawned)
    return [
        SpawnEvent(
            session=task.session,
            pid=stop.child_tgid,
            tid=stop.child_tid,
            ts_ns=stop.ts,
            parent_pid=task.tgid,
            parent_tid=task.tid,
            thread=stop.child_tgid == task.tgid,
        )
    ]


def _execed(step: Step) -> list[Event]:
    task, stop = step.task, step.stop
    assert isinstance(stop, Exec)
    old_tid = stop.old_tid if stop.old_tid != task.tid else None
    event = ExecEvent(
        session=task.session,
        pid=task.tgid,
        tid=task.tid,
        ts_ns=stop.ts,
        path=stop.path,
        argv=stop.argv,
        old_tid=old_tid,
    )
    return [event]


def _signalled(step: Step) -> list[Event]:
    task, stop = step.task, step.stop
    assert isinstance(stop, SignalStop)
    event = SignalEvent(
        session=task.session,
        pid=task.tgid,
        tid=task.tid,
        ts_ns=stop.ts,
        signo=stop.sig,
        signal=signal_name(stop.sig),
        code=stop.code,
        sender_pid=stop.sender_pid,
        sender_uid=stop.sender_uid,
        child_status=stop.child_status,
        child_utime=stop.child_utime,
        child_stime=stop.child_stime,
    )
    return [event]


def _ended(step: Step) -> list[Event]:
    task, stop = step.task, step.stop
    assert isinstance(stop, Exited | Killed)
    events = _unfinished(step)
    if isinstance(stop, Exited):
        code, sig, core = stop.code, None, False
    else:
        code, sig, core = None, signal_name(stop.sig), stop.core_dumped
    ended = ExitEvent(
        session=task.session,
        pid=task.tgid,
        tid=task.tid,
        ts_ns=stop.ts,
        code=code,
        signal=sig,
        core_dumped=core,
    )
    return [*events, ended]


def abandon_in_flight(task: Task) -> list[Event]:
    """The syscall in flight will never return (its task vanished): it is reported
    unfinished now, as the session plans the stop that made it vanish."""
    entry, task.in_flight = task.in_flight, None
    if entry is None or not _reportable(task, entry):
        return []
    return [_syscall_event(task, entry, None)]


NOTHING = Effect(None, _no_events)
ENTER = Effect(_enter, _entered)
LEAVE = Effect(_leave, _returned)
SPAWN = Effect(None, _spawned)
EXEC = Effect(_exec, _execed)
SIGNAL = Effect(None, _signalled)
END = Effect(_end, _ended)

_ALIVE = (Phase.NEW, Phase.RUNNING, Phase.IN_SYSCALL, Phase.STOPPED)

TRANSITIONS: dict[tuple[Phase, type], Transition] = {
    (Phase.NEW, TrapStop): Transition(Phase.RUNNING, NOTHING, Restart.RESUME),
    (Phase.NEW, GroupStop): Transition(Phase.STOPPED, NOTHING, Restart.LISTEN),
    (Phase.NEW, Entry): Transition(Phase.IN_SYSCALL, ENTER, Restart.RESUME),
    (Phase.RUNNING, Entry): Transition(Phase.IN_SYSCALL, ENTER, Restart.RESUME),
    # The previous syscall never returned to us (e.g. we attached mid-syscall).
    (Phase.IN_SYSCALL, Entry): Transition(Phase.IN_SYSCALL, ENTER, Restart.RESUME),
    (Phase.IN_SYSCALL, Exit): Transition(Phase.RUNNING, LEAVE, Restart.RESUME),
    # The exit of a syscall entered before we were watching: nothing to pair it with.
    (Phase.NEW, Exit): Transition(Phase.RUNNING, NOTHING, Restart.RESUME),
    (Phase.RUNNING, Exit): Transition(Phase.RUNNING, NOTHING, Restart.RESUME),
    (Phase.RUNNING, GroupStop): Transition(Phase.STOPPED, NOTHING, Restart.LISTEN),
    (Phase.IN_SYSCALL, GroupStop): Transition(Phase.STOPPED, NOTHING, Restart.LISTEN),
    (Phase.STOPPED, GroupStop): Transition(Phase.STOPPED, NOTHING, Restart.LISTEN),
    # SIGCONT (or our own PTRACE_INTERRUPT) ends the LISTEN with a trap.
    (Phase.STOPPED, TrapStop): Transition(Phase.RUNNING, NOTHING, Restart.RESUME),
    (Phase.RUNNING, TrapStop): Transition(Phase.RUNNING, NOTHING, Restart.RESUME),
    (Phase.IN_SYSCALL, TrapStop): Transition(Phase.IN_SYSCALL, NOTHING, Restart.RESUME),
    (Phase.STOPPED, SignalStop): Transition(Phase.RUNNING, SIGNAL, Restart.DELIVER),
    (Phase.STOPPED, Entry): Transition(Phase.IN_SYSCALL, ENTER, Restart.RESUME),
}
for _phase in _ALIVE:
    TRANSITIONS.setdefault((_phase, Spawned), Transition(None, SPAWN, Restart.RESUME))
    TRANSITIONS.setdefault((_phase, Exec), Transition(None, EXEC, Restart.RESUME))
    TRANSITIONS.setdefault((_phase, SignalStop), Transition(None, SIGNAL, Restart.DELIVER))
    TRANSITIONS.setdefault((_phase, OtherEvent), Transition(None, NOTHING, Restart.RESUME))
    TRANSITIONS.setdefault((_phase, Exited), Transition(Phase.GONE, END, Restart.NONE))
    TRANSITIONS.setdefault((_phase, Killed), Transition(Phase.GONE, END, Restart.NONE))


class UnexpectedStop(Exception):
    """A stop the table has no transition for: a bug in traced, not in the tracee."""


def _resume_request(task: Task) -> int:
    if task.mode is Mode.FULL or task.phase is Phase.IN_SYSCALL:
        return PTRACE_SYSCALL
    return PTRACE_CONT


def _restart(task: Task, stop: Stop, restart: Restart) -> Resume | None:
    if restart is Restart.NONE:
        return None
    sig = stop.sig if restart is Restart.DELIVER and isinstance(stop, SignalStop) else 0
    if task.detaching:
        task.phase = Phase.GONE
        return Resume(task.tid, PTRACE_DETACH, sig)
    if restart is Restart.LISTEN:
        return Resume(task.tid, PTRACE_LISTEN)
    return Resume(task.tid, _resume_request(task), sig)


def plan(task: Task, stop: Stop) -> Step:
    """Advance ``task`` by one stop: its whole new state now, its restart, and its
    events on demand (see Step)."""
    transition = TRANSITIONS.get((task.phase, type(stop)))
    if transition is None:
        raise UnexpectedStop(f"task {task.tid} in phase {task.phase.value} got {stop!r}")
    if transition.next_phase is not None:
        task.phase = transition.next_phase
    effect = transition.effect
    step = Step(task, stop, effect.build)
    if effect.change is not None:
        effect.change(task, stop, step)
    step.resume = _restart(task, stop, transition.restart)
    return step


def handle(task: Task, stop: Stop) -> tuple[list[Event], Resume | None]:
    """:func:`plan` and its events at once."""
    step = plan(task, stop)
    return step.events(), step.resume
