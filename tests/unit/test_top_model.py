"""traced top's model: rows from events.  Pure: made-up events, no process, no screen."""

from __future__ import annotations

from msgspec.structs import replace

from tests.unit.plain import syscall
from traced.cli.top_model import SORTS, TopModel
from traced.events import Arg, ExecEvent, ExitEvent, GroupStopEvent, SpawnEvent, SyscallEvent


def opened(path: str, pid: int = 7, error: str | None = None, ns: int = 1000) -> SyscallEvent:
    args = (
        Arg(name="dirfd", type="dirfd", value=-100, raw=0, text="AT_FDCWD"),
        Arg(name="pathname", type="path", value=path, raw=0, text=f'"{path}"'),
    )
    return SyscallEvent(
        session="s", pid=pid, tid=pid, ts_ns=1, nr=257, name="openat", arch="x86_64",
        args=args, duration_ns=ns, retval=-1 if error else 3, error=error,
    )  # fmt: skip


def started(pid: int, parent: int, argv: tuple[str, ...]) -> list[object]:
    return [
        SpawnEvent(session="s", pid=pid, tid=pid, ts_ns=1, parent_pid=parent, parent_tid=parent,
                   thread=False),
        ExecEvent(session="s", pid=pid, tid=pid, ts_ns=2, path=argv[0], argv=argv, old_tid=None),
    ]  # fmt: skip


def test_processes_form_a_tree_with_their_commands_states_and_rates() -> None:
    model = TopModel()
    model.feed(ExecEvent(session="s", pid=7, tid=7, ts_ns=0, path="/bin/sh", argv=("sh",),
                         old_tid=None))  # fmt: skip
    for event in started(8, 7, ("cat", "x")):
        model.feed(event)  # type: ignore[arg-type]
    for _ in range(4):
        model.feed(syscall("read", pid=8))
    model.feed(GroupStopEvent(session="s", pid=7, tid=7, ts_ns=3, signo=19, signal="SIGSTOP"))
    model.feed(ExitEvent(session="s", pid=8, tid=8, ts_ns=4, code=0, signal=None,
                         core_dumped=False))  # fmt: skip
    rows = model.view(seconds=2.0).processes
    assert [(r.depth, r.pid, r.command, r.state, r.calls, r.per_second) for r in rows] == [
        (0, 7, "sh", "stopped (SIGSTOP)", 0, 0.0),
        (1, 8, "cat x", "exited", 4, 2.0),
    ]
    assert model.view(seconds=1.0).processes[1].per_second == 0.0  # none since the last view


def test_syscalls_sort_by_count_errors_or_time_and_paths_are_counted() -> None:
    model = TopModel()
    for event in (opened("/a"), opened("/a"), opened("/b", error="ENOENT", ns=10**9)):
        model.feed(event)
    for _ in range(5):
        model.feed(syscall("close"))
    assert [row.name for row in model.view(1.0).syscalls] == ["close", "openat"]
    model.next_sort()
    view = model.view(1.0)
    assert view.sort == SORTS[1] and view.syscalls[0][:3] == ("openat", 3, 1)
    model.next_sort()
    assert model.view(1.0).syscalls[0].seconds == 1.000002
    assert model.view(1.0).paths == (("/a", 2), ("/b", 1))


def test_one_session_at_a_time_and_every_event_and_loss_counted() -> None:
    model = TopModel()
    model.feed(syscall("read", pid=1))
    other = SyscallEvent(session="t", pid=2, tid=2, ts_ns=1, nr=0, name="write", arch="x86_64",
                         args=(), duration_ns=1, retval=0, error=None)  # fmt: skip
    model.feed(other)
    model.feed_lost(5)
    view = model.view(seconds=0.5)
    assert (view.sessions, view.events_per_second, view.lost) == (("s", "t"), 4.0, 5)
    model.pick_next_session()
    assert [row.pid for row in model.view(1.0).processes] == [1]
    model.pick_next_session()
    assert [row.pid for row in model.view(1.0).processes] == [2]
    model.pick_next_session()
    assert model.session is None


def test_a_session_not_shown_is_still_counted_and_a_stopped_process_runs_again() -> None:
    model = TopModel()
    model.feed(syscall("read", pid=1))
    model.pick_next_session()  # session "s" alone on screen
    model.feed(replace(syscall("write", pid=2), session="t"))
    assert [row.name for row in model.view(1.0).syscalls] == ["read"]
    model.pick_next_session()
    assert [row.name for row in model.view(1.0).syscalls] == ["write"]  # it was kept
    model.feed(GroupStopEvent(session="s", pid=1, tid=1, ts_ns=2, signo=19, signal="SIGSTOP"))
    model.feed(syscall("read", pid=1))
    model.pick_next_session()
    assert [row.state for row in model.view(1.0).processes if row.pid == 1] == ["running"]
