"""A tracee's own seccomp filter, in the core: the task that installs one (and its
group, and the tasks it creates) goes to full mode, so the calls its filter refuses
are seen at their entry stop.  Constructed stops, no processes."""

from __future__ import annotations

import pytest

from traced.core.abi import (
    PR_SET_SECCOMP,
    PTRACE_CONT,
    PTRACE_SYSCALL,
    SECCOMP_SET_MODE_FILTER,
    SECCOMP_SET_MODE_STRICT,
)
from traced.core.session import TraceSession
from traced.core.stops import Entry, Exit, Spawned, TrapStop
from traced.core.task import Mode, Resume, Task
from traced.core.tracee import handle
from traced.events import SyscallEvent

ROOT = 10
PR_SET_NO_NEW_PRIVS = 38


def call(name: str, *raw: int, tid: int = ROOT, wanted: bool = False) -> Entry:
    return Entry(1, tid, 0, name, "x86_64", (), wanted, (*raw, 0, 0, 0, 0, 0)[:6])


def started(mode: Mode = Mode.SECCOMP) -> TraceSession:
    session = TraceSession("s1", mode, ROOT)
    session.add_task(ROOT, ROOT)
    session.feed(ROOT, TrapStop())
    return session


def install(session: TraceSession, entry: Entry, rval: int = 0) -> Resume | None:
    tid = entry.tid
    session.feed(tid, entry)
    return session.feed(tid, Exit(2, rval, rval < 0))[1]


INSTALLS = [
    ("seccomp", SECCOMP_SET_MODE_FILTER),
    ("seccomp", SECCOMP_SET_MODE_STRICT),
    ("prctl", PR_SET_SECCOMP),
    # An int argument: what the register holds above it is not the caller's.
    ("prctl", PR_SET_SECCOMP | 0xDEAD_0000_0000),
]


@pytest.mark.parametrize(("name", "op"), INSTALLS)
def test_a_task_that_installs_its_own_filter_goes_to_full_mode(name: str, op: int) -> None:
    session = started()
    resume = install(session, call(name, op))
    assert resume == Resume(ROOT, PTRACE_SYSCALL)  # its next syscall stops at its entry
    assert session.tasks[ROOT].mode is Mode.FULL and session.switched == {ROOT}


NOT_INSTALLS = [
    ("prctl", PR_SET_NO_NEW_PRIVS, 0),
    ("seccomp", 2, 0),  # SECCOMP_GET_ACTION_AVAIL
    ("seccomp", SECCOMP_SET_MODE_FILTER, -22),  # refused: EINVAL
    ("prctl", PR_SET_SECCOMP, -14),  # refused: EFAULT
    ("getppid", PR_SET_SECCOMP, 0),
]


@pytest.mark.parametrize(("name", "op", "rval"), NOT_INSTALLS)
def test_other_calls_and_failed_installs_keep_seccomp_mode(name: str, op: int, rval: int) -> None:
    session = started()
    assert install(session, call(name, op), rval) == Resume(ROOT, PTRACE_CONT)
    assert session.tasks[ROOT].mode is Mode.SECCOMP and not session.switched


def test_the_install_is_reported_as_any_call_when_asked_for() -> None:
    session = started()
    session.feed(ROOT, call("seccomp", SECCOMP_SET_MODE_FILTER, wanted=True))
    [event], _ = session.feed(ROOT, Exit(2, 0, False))
    assert isinstance(event, SyscallEvent) and (event.name, event.retval) == ("seccomp", 0)


def test_the_launched_roots_own_setup_is_not_a_filter_of_the_programs() -> None:
    task = Task(ROOT, ROOT, "s1", Mode.SECCOMP, prestart=True)
    handle(task, TrapStop())
    handle(task, call("seccomp", SECCOMP_SET_MODE_FILTER))
    handle(task, Exit(2, 0, False))
    assert task.mode is Mode.SECCOMP


def test_a_refused_call_is_then_seen_entry_and_exit() -> None:
    session = started()
    install(session, call("prctl", PR_SET_SECCOMP))
    assert session.feed(ROOT, call("uname", wanted=True)) == (
        [],
        Resume(ROOT, PTRACE_SYSCALL, starts_call=True),
    )
    [event], resume = session.feed(ROOT, Exit(3, -1, True))
    assert isinstance(event, SyscallEvent) and (event.name, event.error) == ("uname", "EPERM")
    assert resume == Resume(ROOT, PTRACE_SYSCALL)


def test_children_made_after_the_install_inherit_full_mode_and_earlier_ones_do_not() -> None:
    session = started()
    session.feed(ROOT, Spawned(1, 11, 11))  # before: no filter of its own
    install(session, call("seccomp", SECCOMP_SET_MODE_FILTER))
    session.feed(ROOT, Spawned(4, 12, 12))  # after: it inherits the filter
    session.feed(ROOT, Spawned(5, 13, ROOT))  # a thread, too
    modes = {tid: task.mode for tid, task in session.tasks.items()}
    assert modes == {ROOT: Mode.FULL, 11: Mode.SECCOMP, 12: Mode.FULL, 13: Mode.FULL}
    assert session.feed(12, TrapStop())[1] == Resume(12, PTRACE_SYSCALL)
    assert session.feed(11, TrapStop())[1] == Resume(11, PTRACE_CONT)


def test_a_child_met_before_its_parents_fork_event_gets_its_parents_mode() -> None:
    session = started()
    install(session, call("seccomp", SECCOMP_SET_MODE_FILTER))
    # The reactor adopts it at its first stop, naming its parent from /proc.
    child = session.adopt_early(12, 12, parent=ROOT)
    assert child.mode is Mode.FULL
    assert session.feed(12, TrapStop())[1] == Resume(12, PTRACE_SYSCALL)
    stranger = session.adopt_early(14, 14, parent=99)
    session.feed(ROOT, Spawned(6, 14, 14))  # the fork event corrects it
    assert stranger.mode is Mode.FULL


def test_the_rest_of_the_thread_group_follows() -> None:
    """SECCOMP_FILTER_FLAG_TSYNC puts the filter on every thread of the group."""
    session = started()
    session.feed(ROOT, Spawned(1, 11, ROOT))
    session.feed(11, TrapStop())
    install(session, call("seccomp", SECCOMP_SET_MODE_FILTER, 1, tid=11))
    assert session.tasks[ROOT].mode is Mode.FULL and session.tasks[11].mode is Mode.FULL


def test_full_mode_sessions_are_not_switched() -> None:
    session = started(Mode.FULL)
    install(session, call("seccomp", SECCOMP_SET_MODE_FILTER))
    assert not session.switched
