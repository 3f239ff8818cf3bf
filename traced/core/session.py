"""One traced command tree: the set of tasks, and the stops that concern several.

Pure: no syscalls.  Per-task logic lives in :mod:`traced.core.tracee`; this module
handles what spans tasks:

* a new task's first stop may arrive before or after its parent's
  fork/vfork/clone event, so whichever comes first creates its record;
* after an execve from a non-leader thread the kernel gives the exec'ing thread
  the leader's tid, and the leader and every other thread vanish: their
  syscalls in flight are reported unfinished, and the record moves;
* a thread-group leader's death is reported only once every other thread of
  its group has been reaped, so records of the group still held then are of
  tids that vanished unreported (an exec'ing thread given the leader's tid, and
  killed before its exec event): they go with the leader;
* a task that installed a seccomp filter of its own goes to full mode (see
  traced.core.tracee); so does the rest of its thread group (SECCOMP_FILTER_FLAG_TSYNC
  gives them the filter too), and every task it creates, which inherits the filter;
* ``traced attach --filter``: once our filter is in an attached process (injected:
  traced.core.filter_install), its thread group goes to seccomp mode, each task at its next
  stop, as does every task it creates; the session's other processes (made before
  the install) have no filter and stay in full mode, as groups switched are;
* the session ends when its last task is gone; its status is the root's;
* with Entries.INTERLEAVED a syscall's entry is reported only while the session
  holds another task: when a second one appears, the calls in flight then are
  reported entered, before anything of the newcomer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from traced.core.stops import Exec, Exited, Killed, Spawned, Stop
from traced.core.task import Mode, Phase, Resume, Step, Task, disown, let_go
from traced.core.tracee import abandon_in_flight, announce_in_flight, plan
from traced.events import Entries, Event

# The calls that end the task that makes them: entered, they never return.
FINAL_CALLS = frozenset(("exit", "exit_group"))


class Outcome(NamedTuple):  # not a frozen dataclass: ~0.5 ms to create, 6x a NamedTuple
    """How the root task ended: an exit code, or a signal."""

    code: int | None
    signal: int | None

    @property
    def shell_status(self) -> int:
        """What a shell would report: the code, or 128 + the signal."""
        return self.code if self.code is not None else 128 + (self.signal or 0)


@dataclass
class TraceSession:
    session_id: str
    mode: Mode
    root_tid: int
    tasks: dict[int, Task] = field(default_factory=dict)
    outcome: Outcome | None = None
    stops: Counter[str] = field(default_factory=Counter)  # by kind, for tests and benches
    detaching: bool = False
    entries: Entries = Entries.NEVER
    entry_only: bool = False  # see Task.entry_only
    # Entry events owed by a change of the task count (see Entries.INTERLEAVED),
    # reported before the events of the next stop planned.
    owed: list[Event] = field(default_factory=list)
    # New tasks adopted at their own first stop, before their parent's fork event:
    # that event must not bring them back, even if they have come and gone since.
    early: set[int] = field(default_factory=set)
    # Records held per thread group: a leader's death looks for stale records of
    # its group (see _forget_group) only when there are some, not at every exit.
    group_sizes: Counter[int] = field(default_factory=Counter)
    # Thread groups switched to full mode in a seccomp session: they installed a
    # filter of their own (see traced.core.tracee).  Empty in the common case, so
    # the reactor asks a task's mode only when it is not.
    switched: set[int] = field(default_factory=set)

    def add_task(
        self, tid: int, tgid: int, *, prestart: bool = False, mode: Mode | None = None
    ) -> Task:
        task = Task(
            tid,
            tgid,
            self.session_id,
            mode or self.mode,
            report_entries=self._shows_entries(len(self.tasks) + 1),
            entry_only=self.entry_only,
            prestart=prestart,
            detaching=self.detaching,  # born while we let go: let go of it too
        )
        self._hold(task)
        return task

    def adopt_early(self, tid: int, tgid: int, parent: int = 0) -> Task:
        """A new task whose first stop came before its parent's fork event.

        ``parent``: its parent process, as /proc names it.  A thread's is its group's
        parent, so a thread inherits full mode from its group, a process from its
        parent's."""
        self.early.add(tid)
        switched = tgid in self.switched or parent in self.switched
        return self.add_task(tid, tgid, mode=Mode.FULL if switched else None)

    def filter_installed(self, tgid: int) -> None:
        """Our filter is in thread group ``tgid`` now (traced attach --filter): its tasks
        restart in seccomp mode from their next stop (tracee._restart reads the mode),
        and so do the tasks it creates (they inherit the filter: _welcome gives a child
        its parent's mode, adopt_early the session's).  The session's other thread
        groups have no filter: marked switched, they and theirs stay in full mode."""
        if tgid in self.switched:
            return  # a filter of its own came first: it outranks ours, full mode stays
        self.mode = Mode.SECCOMP
        for task in self.tasks.values():
            if task.tgid == tgid:
                task.mode = Mode.SECCOMP
            else:
                self.switched.add(task.tgid)

    def knows(self, tid: int) -> bool:
        return tid in self.tasks

    @property
    def finished(self) -> bool:
        return not self.tasks

    def feed(self, tid: int, stop: Stop) -> tuple[list[Event], Resume | None]:
        """Advance the session by one stop of task ``tid``: its events and its restart."""
        step = self.plan(tid, stop)
        return step.events(), step.resume

    def plan(self, tid: int, stop: Stop) -> Step:
        """Like :meth:`feed`, with the events left to build after the restart.

        The step also names the tids this stop added (``joined``) and removed
        (``left``), for the reactor's map of tids."""
        self.stops[type(stop).__name__] += 1
        if type(stop) is Exec and stop.old_tid != tid:
            before = self._take_over(stop.old_tid, tid)
            step = plan(self.tasks[tid], stop)
            step.before, step.left = before, (stop.old_tid,)
        else:
            step = plan(self.tasks[tid], stop)
        task = step.task
        if type(stop) is Spawned and self._welcome(stop.child_tid, stop.child_tgid, task):
            step.joined = (stop.child_tid,)
            if task.detaching:  # made as we let its parent go: not ours either
                disown(self.tasks[stop.child_tid])
        if task.mode is not self.mode and task.tgid not in self.switched:
            self._switch_group(task.tgid)  # it installed a filter of its own
        if task.phase is Phase.GONE:
            self._forget(task, stop)
            step.left = (*step.left, tid)
            if task.tid == task.tgid and type(stop) in (Exited, Killed):
                self._forget_group(task.tgid, step)
        if self.owed:
            step.before, self.owed = [*self.owed, *step.before], []
        return step

    def death_follows(self, step: Step) -> bool:
        """Whether to wait for the death of a task just restarted into exit or
        exit_group before any other task's stop: only where its entry was reported
        as a line its death will finish (an entry-only line is whole already), where
        another task's line could cut it, and where that death is the next thing the
        kernel reports of it, which it is not for a leader whose threads live on
        (its death waits for theirs)."""
        task, opened = step.task, step.opened
        if opened is None or opened.name not in FINAL_CALLS or step.resume is None:
            return False
        if task.entry_only or len(self.tasks) < 2:
            return False
        return task.tid != task.tgid or self.group_sizes[task.tgid] == 1

    def _shows_entries(self, task_count: int) -> bool:
        entries = self.entries
        return entries is Entries.ALWAYS or (entries is Entries.INTERLEAVED and task_count > 1)

    def _interleave(self, on: bool) -> None:
        """The task count crossed one: entries are reported from now on (and owed for
        the calls in flight), or no longer."""
        for task in self.tasks.values():
            task.report_entries = on
            if on and (owed := announce_in_flight(task)) is not None:
                self.owed.append(owed)

    def detach_all(self) -> list[int]:
        """Mark every task to be let go at its next stop; returns the tids to interrupt."""
        self.detaching = True
        for task in self.tasks.values():
            let_go(task)
        return list(self.tasks)

    def _welcome(self, tid: int, tgid: int, parent: Task) -> bool:
        """The parent's fork event: the child's record begins here, unless it came first.
        Whether it began here.  The child runs in its parent's mode."""
        if tid in self.early:
            self.early.discard(tid)  # adopted already (and perhaps exited already)
            child = self.tasks.get(tid)
            if child is not None:
                child.mode = parent.mode
            return False
        if tid in self.tasks:
            return False
        self.add_task(tid, tgid, mode=parent.mode)
        return True

    def _switch_group(self, tgid: int) -> None:
        """Full mode for a thread group whose task installed a filter of its own."""
        self.switched.add(tgid)
        for task in self.tasks.values():
            if task.tgid == tgid:
                task.mode = Mode.FULL

    def _take_over(self, old_tid: int, leader_tid: int) -> list[Event]:
        """A non-leader thread exec'd: it becomes ``leader_tid``; the old leader vanishes."""
        events: list[Event] = []
        leader = self._drop(leader_tid)
        if leader is not None and leader.in_flight is not None:
            events += abandon_in_flight(leader)
        mover = self._drop(old_tid)
        if mover is not None:
            self._hold(replace(mover, tid=leader_tid))  # a new record: see Task's identity
        return events

    def _forget_group(self, tgid: int, step: Step) -> None:
        """The group's leader died: whatever else of the group we hold is long gone,
        and so are the syscalls it was in."""
        if not self.group_sizes[tgid]:
            return  # the usual case: its other threads were reaped before it
        stale = [task for task in self.tasks.values() if task.tgid == tgid]
        unfinished = list(step.before)
        for task in stale:
            self._drop(task.tid)
            unfinished += abandon_in_flight(task)
        step.left = (*step.left, *(task.tid for task in stale))
        step.before = unfinished

    def _hold(self, task: Task) -> None:
        self._drop(task.tid)  # a record it replaces no longer counts
        self.tasks[task.tid] = task
        self.group_sizes[task.tgid] += 1
        if len(self.tasks) == 2 and self.entries is Entries.INTERLEAVED:
            self._interleave(True)

    def _drop(self, tid: int) -> Task | None:
        task = self.tasks.pop(tid, None)
        if task is not None:
            self.group_sizes[task.tgid] -= 1
            if not self.group_sizes[task.tgid]:
                del self.group_sizes[task.tgid]
            if len(self.tasks) == 1 and self.entries is Entries.INTERLEAVED:
                self._interleave(False)
        return task

    def _forget(self, task: Task, stop: Stop) -> None:
        self._drop(task.tid)
        if task.tid != self.root_tid:
            return
        if type(stop) is Exited:
            self.outcome = Outcome(stop.code, None)
        elif type(stop) is Killed:
            self.outcome = Outcome(None, stop.sig)
