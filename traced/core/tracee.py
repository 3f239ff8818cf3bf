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
  enters the syscall again (or restart_syscall, which resumes the task's last
  call: strace names it, as we do), which stops again.  So when our own
  interrupt, to detach, ends a blocking call, the call has not finished: the
  kernel restarts it once the task is let go (strace's ``<detached ...>``).
* PTRACE_EVENT_EXEC stops the task with the new image in place, before it runs
  any of it: a task detached there runs its new program untraced from its start.
* PTRACE_DETACH is a restart like the others: it may deliver the stop's signal.
* A task seized and then found not to be ours may stop first at any stop: an
  exec or fork it was in, a signal, its death.  Whichever it is, it is let go
  there and nothing of it is reported (Phase.LEAVING).
* Entry-only tracing restarts a seccomp stop with PTRACE_CONT: the call runs to
  its end and the task on, with no exit stop (ENTRY_ONLY, below).  Its result is
  never seen, so neither is a filter the task installs itself (it would need the
  exit): such a task stays in seccomp mode.
* A task's own seccomp filter outranks ours: its ERRNO, TRAP or KILL verdicts
  end a syscall before any TRACE of ours could stop it, so in seccomp mode those
  calls would be lost.  A syscall-entry-stop comes before seccomp runs, so a task
  that installs a filter of its own (FILTER_INSTALLS, which our filter always
  TRACEs, succeeding at its exit stop) goes to full mode from that exit on, and
  the refused calls are seen, entry and exit.  Its filter lasts for its life,
  across execve, and every task it creates from then on inherits it (and its
  mode: traced.core.session).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from traced.core import inject, reports
from traced.core.abi import (
    PR_SET_SECCOMP,
    PTRACE_CONT,
    PTRACE_DETACH,
    PTRACE_LISTEN,
    PTRACE_SYSCALL,
    SECCOMP_SET_MODE_FILTER,
    SECCOMP_SET_MODE_STRICT,
)
from traced.core.stops import (
    Entry,
    Exec,
    Exit,
    Exited,
    GroupStop,
    InjectEntry,
    Killed,
    OtherEvent,
    SignalStop,
    Spawned,
    Stop,
    TamperedExit,
    TrapStop,
)
from traced.core.task import Build, Mode, Phase, Restart, Resume, Step, Task, let_go
from traced.events import Event
from traced.syscalls.names import ERESTART_RESTARTBLOCK, RESTART_ERRNOS

EXEC_SYSCALLS = frozenset(("execve", "execveat"))
RESTART_SYSCALL = "restart_syscall"  # the kernel's resumption of an interrupted call

_LOW_32 = 0xFFFFFFFF  # an int argument: the register's upper half is not the caller's
# The syscalls that put a filter of the task's own on it, each with the test of its
# registers that says this call does.
FILTER_INSTALLS: dict[str, Callable[[tuple[int, ...]], bool]] = {
    "seccomp": lambda raw: (
        bool(raw) and raw[0] & _LOW_32 in (SECCOMP_SET_MODE_STRICT, SECCOMP_SET_MODE_FILTER)
    ),
    "prctl": lambda raw: bool(raw) and raw[0] & _LOW_32 == PR_SET_SECCOMP,
}


# A transition's effect, in two halves: ``change`` sets the task's state when the
# stop is planned, and records in the step what the events will need; ``build``
# makes the events later, from the step alone.
Change = Callable[[Task, Stop, Step], None]


# The table's rows are NamedTuples, as the stops are: a frozen dataclass costs every
# start of traced ~0.5 ms to create, six times a NamedTuple's.
class Effect(NamedTuple):
    change: Change | None  # None: the stop changes nothing but the phase
    build: Build


class Transition(NamedTuple):
    next_phase: Phase | None  # None: stay in the current phase
    effect: Effect
    restart: Restart


# The changes, made at plan time.


def _reportable(task: Task, entry: Entry) -> bool:
    return entry.wanted and (not task.prestart or entry.name in EXEC_SYSCALLS)


def _close(task: Task, step: Step) -> None:
    """The syscall in flight ends (or is abandoned) here: captured if it is reported."""
    entry, task.in_flight = task.in_flight, None
    task.announced = False
    if entry is not None and _reportable(task, entry):
        step.closed = entry


def _enter(task: Task, stop: Stop, step: Step) -> None:
    assert isinstance(stop, Entry)
    _close(task, step)  # one that never returned to us: reported unfinished
    if stop.name == RESTART_SYSCALL:
        stop = _resuming(task, stop)
    task.in_flight = stop
    if task.report_entries and _reportable(task, stop):
        step.opened = stop
        task.announced = True


def _announce(task: Task, stop: Stop, step: Step) -> None:
    """Entry-only: the entry is the call's whole report, and nothing stays in flight."""
    assert isinstance(stop, Entry)
    if stop.name == RESTART_SYSCALL:
        stop = _resuming(task, stop)
    if _reportable(task, stop):
        step.opened = stop


def _resuming(task: Task, entry: Entry) -> Entry:
    """A restart_syscall names the call it resumes (see _interrupted), as strace does."""
    return entry._replace(args=(reports.resuming(task.previous),))


def announce_in_flight(task: Task) -> Event | None:
    """The entry event of the syscall in flight, owed now that another task could
    cut its line (see Entries.INTERLEAVED); None if it has none or had it."""
    entry = task.in_flight
    if entry is None or task.announced or not _reportable(task, entry):
        return None
    task.announced = True
    return reports.entry_event(task, entry)


def _leave(task: Task, stop: Stop, step: Step) -> None:
    entry = task.in_flight
    _close(task, step)
    assert isinstance(stop, Exit)
    if stop.is_error:
        _interrupted(task, entry, -stop.rval, step)
    if entry is not None and entry.name in FILTER_INSTALLS:
        _own_filter(task, entry, stop)


def _interrupted(task: Task, entry: Entry | None, err: int, step: Step) -> None:
    """A call that gave up, to be restarted: by our interrupt to let its task go (then
    it was cut short, not failed: strace's ``<detached ...>``), or by a signal, after
    which the kernel resumes it as restart_syscall."""
    if task.detaching and err in RESTART_ERRNOS:
        step.build_with(reports.detached)
    elif err == ERESTART_RESTARTBLOCK and entry is not None:
        task.previous = entry.name


def _own_filter(task: Task, entry: Entry, stop: Stop) -> None:
    """A filter of the task's own from now on: full mode (see the module's facts)."""
    assert isinstance(stop, Exit)
    if stop.is_error or task.prestart or task.mode is Mode.FULL:
        return
    if FILTER_INSTALLS[entry.name](entry.raw):
        task.mode = Mode.FULL


def _inject(task: Task, stop: Stop, step: Step) -> None:
    """The entry of a call with a rule: counted, and perhaps tampered with (core.inject)."""
    _enter(task, stop, step)
    assert isinstance(stop, InjectEntry) and stop.call is not None
    rule = stop.call.inject
    task.tampering = None
    if rule is None or task.prestart or not inject.chosen(task, (stop.abi, stop.nr), rule):
        return
    task.tampering = rule
    step.tamper = inject.at_entry(task, rule, stop.raw)


def _leave_tampered(task: Task, stop: Stop, step: Step) -> None:
    rule, task.tampering = task.tampering, None
    _leave(task, stop, step)
    if rule is not None:
        step.tamper = inject.at_exit(task, rule, step.closed.raw if step.closed else ())


def _exec(task: Task, stop: Stop, step: Step) -> None:
    assert isinstance(stop, Exec)
    task.prestart = False
    if stop.detached is not None:
        let_go(task)  # not its owner's to watch any more: detached before it runs


def _end(task: Task, stop: Stop, step: Step) -> None:
    _close(task, step)  # the syscall it died in never returns


def abandon_in_flight(task: Task) -> list[Event]:
    """The syscall in flight will never return (its task vanished): it is reported
    unfinished now, as the session plans the stop that made it vanish."""
    entry, task.in_flight = task.in_flight, None
    if entry is None or not _reportable(task, entry):
        return []
    return [reports.syscall_event(task, entry, None)]


NOTHING = Effect(None, reports.no_events)
ENTER = Effect(_enter, reports.entered)
LEAVE = Effect(_leave, reports.returned)
SPAWN = Effect(None, reports.spawned)
EXEC = Effect(_exec, reports.execed)
SIGNAL = Effect(None, reports.signalled)
STOP = Effect(None, reports.stopped)  # a group-stop: reported, as strace does, each time
END = Effect(_end, reports.ended)
INJECT = Effect(_inject, reports.entered)
LEAVE_TAMPERED = Effect(_leave_tampered, reports.tampered)

_ALIVE = (Phase.NEW, Phase.RUNNING, Phase.IN_SYSCALL, Phase.STOPPED)

TRANSITIONS: dict[tuple[Phase, type], Transition] = {
    (Phase.NEW, TrapStop): Transition(Phase.RUNNING, NOTHING, Restart.RESUME),
    (Phase.NEW, GroupStop): Transition(Phase.STOPPED, STOP, Restart.LISTEN),
    (Phase.NEW, Entry): Transition(Phase.IN_SYSCALL, ENTER, Restart.RESUME),
    (Phase.RUNNING, Entry): Transition(Phase.IN_SYSCALL, ENTER, Restart.RESUME),
    # The previous syscall never returned to us (e.g. we attached mid-syscall).
    (Phase.IN_SYSCALL, Entry): Transition(Phase.IN_SYSCALL, ENTER, Restart.RESUME),
    (Phase.IN_SYSCALL, Exit): Transition(Phase.RUNNING, LEAVE, Restart.RESUME),
    # The exit of a syscall entered before we were watching: nothing to pair it with.
    (Phase.NEW, Exit): Transition(Phase.RUNNING, NOTHING, Restart.RESUME),
    (Phase.RUNNING, Exit): Transition(Phase.RUNNING, NOTHING, Restart.RESUME),
    (Phase.RUNNING, GroupStop): Transition(Phase.STOPPED, STOP, Restart.LISTEN),
    (Phase.IN_SYSCALL, GroupStop): Transition(Phase.STOPPED, STOP, Restart.LISTEN),
    (Phase.STOPPED, GroupStop): Transition(Phase.STOPPED, STOP, Restart.LISTEN),
    # SIGCONT (or our own PTRACE_INTERRUPT) ends the LISTEN with a trap.
    (Phase.STOPPED, TrapStop): Transition(Phase.RUNNING, NOTHING, Restart.RESUME),
    (Phase.RUNNING, TrapStop): Transition(Phase.RUNNING, NOTHING, Restart.RESUME),
    (Phase.IN_SYSCALL, TrapStop): Transition(Phase.IN_SYSCALL, NOTHING, Restart.RESUME),
    (Phase.STOPPED, SignalStop): Transition(Phase.RUNNING, SIGNAL, Restart.DELIVER),
    (Phase.STOPPED, Entry): Transition(Phase.IN_SYSCALL, ENTER, Restart.RESUME),
}
# -e inject=: a call with a rule has an entry of its own type, and a chosen one an
# exit of its own (core.inject); the rows are Entry's and Exit's with those effects.
for (_phase, _kind), _row in list(TRANSITIONS.items()):
    if _kind is Entry:
        TRANSITIONS[(_phase, InjectEntry)] = Transition(_row.next_phase, INJECT, Restart.TAMPER)
    elif _kind is Exit:
        TRANSITIONS[(_phase, TamperedExit)] = _row
TRANSITIONS[(Phase.IN_SYSCALL, TamperedExit)] = Transition(
    Phase.RUNNING, LEAVE_TAMPERED, Restart.TAMPER
)
# A disowned task reports nothing, whatever its first stop: it goes at once.
for _stop in (
    TrapStop,
    GroupStop,
    Entry,
    InjectEntry,
    Exit,
    TamperedExit,
    Spawned,
    Exec,
    OtherEvent,
):
    TRANSITIONS[(Phase.LEAVING, _stop)] = Transition(None, NOTHING, Restart.RESUME)
TRANSITIONS[(Phase.LEAVING, SignalStop)] = Transition(None, NOTHING, Restart.DELIVER)
TRANSITIONS[(Phase.LEAVING, Exited)] = Transition(Phase.GONE, NOTHING, Restart.NONE)
TRANSITIONS[(Phase.LEAVING, Killed)] = Transition(Phase.GONE, NOTHING, Restart.NONE)
for _phase in _ALIVE:
    TRANSITIONS.setdefault((_phase, Spawned), Transition(None, SPAWN, Restart.RESUME))
    TRANSITIONS.setdefault((_phase, Exec), Transition(None, EXEC, Restart.RESUME))
    TRANSITIONS.setdefault((_phase, SignalStop), Transition(None, SIGNAL, Restart.DELIVER))
    TRANSITIONS.setdefault((_phase, OtherEvent), Transition(None, NOTHING, Restart.RESUME))
    TRANSITIONS.setdefault((_phase, Exited), Transition(Phase.GONE, END, Restart.NONE))
    TRANSITIONS.setdefault((_phase, Killed), Transition(Phase.GONE, END, Restart.NONE))

# Entry-only tracing: the same machine, but an entry leaves the task RUNNING, so its
# restart is PTRACE_CONT in seccomp mode (the call's exit never stops) and its exit,
# where full mode still stops there, is one of a call not in flight: nothing.
ANNOUNCE = Effect(_announce, reports.announced)
ENTRY_ONLY = dict(TRANSITIONS)
for _phase in (Phase.NEW, Phase.RUNNING, Phase.STOPPED, Phase.IN_SYSCALL):
    ENTRY_ONLY[(_phase, Entry)] = Transition(Phase.RUNNING, ANNOUNCE, Restart.RESUME)
    # Injection needs the call's exit, which entry-only never stops at: none (and the
    # command line refuses the two together).
    ENTRY_ONLY[(_phase, InjectEntry)] = ENTRY_ONLY[(_phase, Entry)]


class UnexpectedStop(Exception):
    """A stop the table has no transition for: a bug in traced, not in the tracee."""


def _restart(task: Task, stop: Stop, restart: Restart, step: Step) -> Resume | None:
    sig = 0
    if restart is not Restart.RESUME:  # the common case asks nothing more
        if restart is Restart.NONE:
            return None
        if restart is Restart.LISTEN and not task.detaching:
            return Resume(task.tid, PTRACE_LISTEN)
        sig = _signal(stop, restart, step)
    if task.detaching:
        task.phase = Phase.GONE
        return Resume(task.tid, PTRACE_DETACH, sig)
    if task.phase is Phase.IN_SYSCALL:  # its call runs now, and stops at its exit
        return Resume(task.tid, PTRACE_SYSCALL, sig, starts_call=True)
    return Resume(task.tid, PTRACE_SYSCALL if task.mode is Mode.FULL else PTRACE_CONT, sig)


def _signal(stop: Stop, restart: Restart, step: Step) -> int:
    """The signal a restart delivers: the stop's own, or an injection's."""
    if restart is Restart.DELIVER and isinstance(stop, SignalStop):
        return stop.sig
    tamper = step.tamper
    return tamper.signal if restart is Restart.TAMPER and tamper is not None else 0


def plan(task: Task, stop: Stop) -> Step:
    """Advance ``task`` by one stop: its whole new state now, its restart, and its
    events on demand (see Step)."""
    table = ENTRY_ONLY if task.entry_only else TRANSITIONS
    transition = table.get((task.phase, type(stop)))
    if transition is None:
        raise UnexpectedStop(f"task {task.tid} in phase {task.phase.value} got {stop!r}")
    if transition.next_phase is not None:
        task.phase = transition.next_phase
    effect = transition.effect
    step = Step(task, stop, effect.build)
    if effect.change is not None:
        effect.change(task, stop, step)
    step.resume = _restart(task, stop, transition.restart, step)
    return step


def handle(task: Task, stop: Stop) -> tuple[list[Event], Resume | None]:
    """:func:`plan` and its events at once."""
    step = plan(task, stop)
    return step.events(), step.resume
