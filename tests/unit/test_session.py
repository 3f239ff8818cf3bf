"""The session core: tasks that come, go, and change tid.  No processes."""

from typing import NamedTuple

import pytest

from tests.unit.plain import plain_args
from traced.core.abi import PTRACE_CONT, PTRACE_DETACH, PTRACE_SYSCALL
from traced.core.session import Outcome, TraceSession
from traced.core.stops import Entry, Exec, Exit, Exited, Killed, Spawned, TrapStop
from traced.core.task import Mode, Phase, Resume, disown, running_call
from traced.events import Entries, ExecEvent, SpawnEvent, SyscallEntryEvent, SyscallEvent

ROOT = 10


def started() -> TraceSession:
    session = TraceSession("s1", Mode.SECCOMP, ROOT)
    session.add_task(ROOT, ROOT)
    session.feed(ROOT, TrapStop())
    return session


def test_child_announced_by_parent_then_first_trap() -> None:
    session = started()
    [spawn], _ = session.feed(ROOT, Spawned(1, 11, 11))
    assert isinstance(spawn, SpawnEvent) and session.knows(11)
    assert session.feed(11, TrapStop()) == ([], Resume(11, PTRACE_CONT))


def test_child_first_trap_before_parent_event() -> None:
    session = started()
    session.adopt_early(11, 11)  # the reactor adds an unknown tid it claimed
    session.feed(11, TrapStop())
    [spawn], _ = session.feed(ROOT, Spawned(1, 11, 11))
    assert isinstance(spawn, SpawnEvent)
    # The record its first trap made is kept: a fresh one would be NEW again.
    assert set(session.tasks) == {ROOT, 11} and session.tasks[11].phase is Phase.RUNNING


def test_a_child_gone_before_its_parents_fork_event_is_not_brought_back() -> None:
    """make -j2 found this: the child ran to its end before the parent's event."""
    session = started()
    session.adopt_early(11, 11)
    session.feed(11, TrapStop())
    session.feed(11, Exited(5, 0))
    assert not session.knows(11)
    session.feed(ROOT, Spawned(6, 11, 11))
    assert not session.knows(11)
    session.feed(ROOT, Exited(7, 0))
    assert session.finished and session.outcome is not None


def test_session_finishes_with_root_status_after_last_task() -> None:
    session = started()
    session.feed(ROOT, Spawned(1, 11, 11))
    session.feed(ROOT, Exited(2, 7))
    assert not session.finished and session.outcome == Outcome(7, None)
    session.feed(11, TrapStop())
    session.feed(11, Killed(3, 9, False))
    assert session.finished and session.outcome.shell_status == 7


def test_killed_root_reports_128_plus_signal() -> None:
    session = started()
    session.feed(ROOT, Killed(2, 9, False))
    assert session.outcome is not None and session.outcome.shell_status == 137


def test_exec_from_non_leader_thread_takes_over_the_leader_tid() -> None:
    session = started()
    session.feed(ROOT, Spawned(1, 12, ROOT))  # a thread
    session.feed(12, TrapStop())
    # The leader blocks in a syscall; the thread calls execve.
    session.feed(ROOT, Entry(2, ROOT, 202, "futex", "x86_64", plain_args(0, 0, 0, 0, 0, 0), True))
    execve = Entry(3, 12, 59, "execve", "x86_64", plain_args("/bin/true", 0, 0), True)
    assert session.feed(12, execve)[1] == Resume(12, PTRACE_SYSCALL, starts_call=True)
    events, resume = session.feed(ROOT, Exec(4, 12, "/bin/true", ("true",)))
    vanished, exec_event = events
    assert isinstance(vanished, SyscallEvent) and vanished.name == "futex"
    assert vanished.retval is None
    assert isinstance(exec_event, ExecEvent) and (exec_event.tid, exec_event.old_tid) == (ROOT, 12)
    assert resume == Resume(ROOT, PTRACE_SYSCALL, starts_call=True)  # to see execve's own exit
    assert not session.knows(12)
    [returned], resume = session.feed(ROOT, Exit(5, 0, False))
    # The value execve returned, not the number of the next syscall.
    assert isinstance(returned, SyscallEvent)
    assert (returned.name, returned.retval, returned.tid) == ("execve", 0, 12)
    assert resume == Resume(ROOT, PTRACE_CONT)


def test_a_task_born_while_detaching_is_detached_too() -> None:
    session = started()
    session.detach_all()
    session.feed(ROOT, Spawned(1, 11, 11))
    assert session.tasks[11].detaching
    _events, resume = session.feed(11, TrapStop())
    assert resume is not None and resume.request == PTRACE_DETACH
    assert not session.knows(11)


def test_each_step_names_the_tids_it_adds_and_removes() -> None:
    """What the reactor's map of tids follows."""
    session = started()
    step = session.plan(ROOT, Spawned(1, 11, 11))
    assert (step.joined, step.left) == ((11,), ())
    step = session.plan(11, TrapStop())
    assert (step.joined, step.left) == ((), ())
    step = session.plan(11, Exited(2, 0))
    assert (step.joined, step.left) == ((), (11,))


def test_a_child_adopted_early_does_not_join_again_at_its_fork_event() -> None:
    session = started()
    session.adopt_early(11, 11)
    assert session.plan(ROOT, Spawned(1, 11, 11)).joined == ()


def test_a_non_leader_exec_removes_the_execing_tid() -> None:
    session = started()
    session.feed(ROOT, Spawned(1, 12, ROOT))
    session.feed(12, TrapStop())
    step = session.plan(ROOT, Exec(2, 12, "/bin/true", ("true",)))
    assert (step.joined, step.left) == ((), (12,))
    assert set(session.tasks) == {ROOT} and session.group_sizes == {ROOT: 1}


def test_a_leaders_death_takes_the_records_of_its_group_that_vanished_unreported() -> None:
    """A thread that exec'd and was killed before its exec event: its old tid never
    stops again, and the group's leader is reported dead only after it is gone."""
    session = started()
    session.feed(ROOT, Spawned(1, 12, ROOT))
    session.feed(12, TrapStop())
    session.feed(12, Entry(2, 12, 0, "read", "x86_64", plain_args(0, 0, 0), True))
    session.feed(ROOT, Spawned(3, 13, 13))  # another process: not of the group
    step = session.plan(ROOT, Killed(4, 9, False))
    assert (step.joined, step.left) == ((), (ROOT, 12))
    unfinished = step.events()[0]
    assert isinstance(unfinished, SyscallEvent) and (unfinished.tid, unfinished.name) == (
        12,
        "read",
    )
    assert set(session.tasks) == {13} and session.group_sizes == {13: 1}


def test_a_leaders_death_with_its_group_gone_already_removes_only_itself() -> None:
    session = started()
    session.feed(ROOT, Spawned(1, 12, ROOT))
    session.feed(12, TrapStop())
    session.feed(12, Exited(2, 0))
    assert session.group_sizes == {ROOT: 1}
    step = session.plan(ROOT, Exited(3, 0))
    assert step.left == (ROOT,) and session.finished and not session.group_sizes


def test_a_foreign_exec_lets_the_task_go_and_the_session_forgets_it() -> None:
    session = TraceSession("s1", Mode.FULL, ROOT)
    session.add_task(ROOT, ROOT)
    session.feed(ROOT, TrapStop())
    session.feed(ROOT, Spawned(1, 12, ROOT))
    session.feed(12, TrapStop())
    step = session.plan(
        ROOT, Exec(2, 12, "/usr/bin/passwd", ("passwd",), detached="uids 65534 0 0")
    )
    assert step.resume == Resume(ROOT, PTRACE_DETACH)
    assert step.left == (12, ROOT) and session.finished
    [event] = step.events()
    assert isinstance(event, ExecEvent) and (event.tid, event.old_tid) == (ROOT, 12)


def test_events_built_after_a_take_over_name_the_task_as_it_was() -> None:
    """A thread's step planned before its exec moved it to the leader's tid still
    names the thread: a task's identity is fixed, the take-over makes a new record."""
    session = started()
    session.feed(ROOT, Spawned(1, 12, ROOT))
    session.feed(12, TrapStop())
    spawned = session.plan(12, Spawned(2, 13, ROOT))
    session.plan(ROOT, Exec(3, 12, "/bin/true", ("true",)))
    [event] = spawned.events()
    assert isinstance(event, SpawnEvent) and (event.parent_tid, event.tid) == (12, 13)


def disowned_session() -> TraceSession:
    """An attach whose thread 12 failed the check made after its seize."""
    session = TraceSession("s1", Mode.FULL, ROOT)
    session.add_task(ROOT, ROOT)
    disown(session.add_task(12, ROOT))
    session.feed(ROOT, TrapStop())
    return session


def test_a_disowned_task_is_let_go_at_its_first_stop_whatever_it_is_and_reports_nothing() -> None:
    # Its pid was reused, or it exec'd into privileges, between the check and the
    # seize: whatever it stops at first (here an exec it was in), nothing is told.
    for first in (
        TrapStop(),
        Exec(2, 12, "/usr/bin/su", ("su",)),
        Exited(2, 0),
        Killed(2, 9, False),
    ):
        session = disowned_session()
        events, resume = session.feed(12, first)
        assert events == [] and not session.knows(12), first
        assert resume in (Resume(12, PTRACE_DETACH), None), first
    assert session.knows(ROOT)


def test_a_child_a_disowned_task_made_before_its_first_stop_is_disowned_too() -> None:
    session = disowned_session()
    events, resume = session.feed(12, Spawned(2, 13, 13))
    assert events == [] and resume == Resume(12, PTRACE_DETACH)
    assert session.feed(13, TrapStop()) == ([], Resume(13, PTRACE_DETACH))
    assert set(session.tasks) == {ROOT}


def interleaved() -> TraceSession:
    session = TraceSession("s1", Mode.FULL, ROOT, entries=Entries.INTERLEAVED)
    session.add_task(ROOT, ROOT)
    session.feed(ROOT, TrapStop())
    return session


def call(name: str, ts: int, tid: int = ROOT) -> Entry:
    return Entry(ts, tid, 0, name, "x86_64", plain_args(0), True)


def kinds(events: list) -> list[tuple[str, str]]:
    return [(type(event).__name__, getattr(event, "name", "")) for event in events]


def test_with_one_task_an_interleaved_session_reports_no_entries() -> None:
    session = interleaved()
    assert session.feed(ROOT, call("read", 1)) == (
        [],
        Resume(ROOT, PTRACE_SYSCALL, starts_call=True),
    )
    [returned], _ = session.feed(ROOT, Exit(2, 0, False))
    assert kinds([returned]) == [("SyscallEvent", "read")]


def test_a_second_task_brings_the_entry_of_the_call_in_flight_first() -> None:
    """The parent's clone can be cut by its child's lines: its entry is owed, before
    the spawn, and from then on every entry is reported, until one task is left."""
    session = interleaved()
    session.feed(ROOT, call("clone", 1))
    events, _ = session.feed(ROOT, Spawned(2, 11, 11))
    assert kinds(events) == [("SyscallEntryEvent", "clone"), ("SpawnEvent", "")]
    assert isinstance(events[0], SyscallEntryEvent) and events[0].ts_ns == 1
    session.feed(11, TrapStop())
    assert kinds(session.feed(11, call("write", 3, 11))[0]) == [("SyscallEntryEvent", "write")]
    session.feed(11, Exit(4, 1, False))
    session.feed(11, call("exit_group", 5, 11))
    assert kinds(session.feed(11, Exited(6, 0))[0])[0] == ("SyscallEvent", "exit_group")
    assert kinds(session.feed(ROOT, Exit(7, 11, False))[0]) == [("SyscallEvent", "clone")]
    assert session.feed(ROOT, call("wait4", 8))[0] == []  # alone again


def test_a_child_met_before_its_parents_event_gets_the_parents_entry_owed_first() -> None:
    session = interleaved()
    session.feed(ROOT, call("clone", 1))
    session.adopt_early(11, 11)
    events, _ = session.feed(11, TrapStop())
    assert kinds(events) == [("SyscallEntryEvent", "clone")]
    assert kinds(session.feed(ROOT, Spawned(2, 11, 11))[0]) == [("SpawnEvent", "")]


def test_an_entry_reported_once_is_not_owed_again_when_the_count_crosses_one_again() -> None:
    session = interleaved()
    session.feed(ROOT, Spawned(1, 11, 11))
    session.feed(11, TrapStop())
    assert kinds(session.feed(ROOT, call("futex", 2))[0]) == [("SyscallEntryEvent", "futex")]
    session.feed(11, Exited(3, 0))
    session.adopt_early(12, 12)  # a task of the session met first: not its parent's
    assert session.feed(12, TrapStop())[0] == []


def test_a_call_s_duration_counts_from_its_restart_not_from_its_stop() -> None:
    """strace takes the entry time just before it restarts the tracee: -T and -c do
    not count the tracer's own work on the entry stop (decoding, writing)."""
    session = interleaved()
    session.feed(ROOT, call("close", 1_000))
    running_call(session.tasks[ROOT], lambda: 40_000)  # the shell restarts it at 40 us
    [returned], _ = session.feed(ROOT, Exit(43_000, 0, False))
    assert isinstance(returned, SyscallEvent) and returned.duration_ns == 3_000
    assert returned.ts_ns == 1_000  # -t still shows the entry stop's time
    running_call(session.tasks[ROOT], lambda: 50_000)  # after the exit: not a call's start
    session.feed(ROOT, call("close", 60_000))
    [returned], _ = session.feed(ROOT, Exit(61_000, 0, False))  # no restart seen: its stop
    assert isinstance(returned, SyscallEvent) and returned.duration_ns == 1_000


def session_of(
    *threads: int, entries: Entries = Entries.ALWAYS, entry_only: bool = False
) -> TraceSession:
    """ROOT and ``threads`` of its group, running; entries reported as ``entries`` says."""
    session = TraceSession("s1", Mode.SECCOMP, ROOT, entries=entries, entry_only=entry_only)
    session.add_task(ROOT, ROOT)
    session.feed(ROOT, TrapStop())
    for ts, tid in enumerate(threads, start=1):
        session.feed(ROOT, Spawned(ts, tid, ROOT))
        session.feed(tid, TrapStop())
    return session


@pytest.mark.parametrize("name", ["exit", "exit_group"])
def test_a_thread_s_death_is_awaited_after_its_final_call(name: str) -> None:
    """Its entry line is out and its death will finish it: the shell polls for that
    death before other tasks' stops can cut the line (Reactor._await_death)."""
    session = session_of(11)
    assert session.death_follows(session.plan(11, call(name, 5, 11)))


class Unawaited(NamedTuple):
    """A final call whose death is not waited for: each differs from the case above
    (thread 11's exit, its entry shown, ROOT alive beside it) in one thing only."""

    threads: tuple[int, ...] = (11,)
    caller: int = 11
    name: str = "exit"
    wanted: bool = True
    entries: Entries = Entries.ALWAYS
    entry_only: bool = False


@pytest.mark.parametrize(
    "case",
    [Unawaited(threads=(), caller=ROOT), Unawaited(caller=ROOT, name="exit_group"),
     Unawaited(name="getpid"), Unawaited(wanted=False), Unawaited(entries=Entries.NEVER),
     Unawaited(entry_only=True)],
    ids=["alone: nothing can cut it", "a leader whose thread lives on: its death waits",
         "a call that returns", "not reported", "no entry event",
         "entry-only: its line is whole"],
)  # fmt: skip
def test_no_death_is_awaited(case: Unawaited) -> None:
    session = session_of(*case.threads, entries=case.entries, entry_only=case.entry_only)
    entry = call(case.name, 5, case.caller)._replace(wanted=case.wanted)
    assert not session.death_follows(session.plan(case.caller, entry))
