"""The per-task state machine, driven by constructed stops: no processes."""

import signal

import pytest
from msgspec.structs import replace

from tests.unit.plain import plain_args
from traced.core.abi import PTRACE_CONT, PTRACE_DETACH, PTRACE_LISTEN, PTRACE_SYSCALL
from traced.core.stops import (
    Entry,
    Exec,
    Exit,
    Exited,
    GroupStop,
    Killed,
    SignalStop,
    Spawned,
    TrapStop,
)
from traced.core.task import Mode, Phase, Resume, Task, let_go
from traced.core.tracee import UnexpectedStop, handle, plan
from traced.events import (
    ExecEvent,
    ExitEvent,
    GroupStopEvent,
    SignalEvent,
    SpawnEvent,
    SyscallEntryEvent,
    SyscallEvent,
)
from traced.syscalls.names import ERESTART_RESTARTBLOCK, ERESTARTSYS

TID = 100


def entry(name: str = "openat", ts: int = 10, wanted: bool = True, tid: int = TID) -> Entry:
    return Entry(ts, tid, 257, name, "x86_64", plain_args(-100, "/etc/passwd", 0, 0), wanted)


def running(mode: Mode = Mode.SECCOMP, **fields: object) -> Task:
    task = Task(TID, TID, "s1", mode, **fields)  # type: ignore[arg-type]
    handle(task, TrapStop())
    return task


def test_new_task_first_trap_resumes_with_cont_in_seccomp_mode() -> None:
    task = Task(TID, TID, "s1", Mode.SECCOMP)
    events, resume = handle(task, TrapStop())
    assert events == [] and resume == Resume(TID, PTRACE_CONT)
    assert task.phase is Phase.RUNNING


def test_new_task_first_trap_resumes_with_syscall_in_full_mode() -> None:
    _, resume = handle(Task(TID, TID, "s1", Mode.FULL), TrapStop())
    assert resume == Resume(TID, PTRACE_SYSCALL)


def test_seccomp_protocol_syscall_at_entry_cont_at_exit() -> None:
    task = running()
    events, resume = handle(task, entry(ts=10))
    assert events == [] and resume == Resume(TID, PTRACE_SYSCALL, starts_call=True)
    events, resume = handle(task, Exit(ts=35, rval=3, is_error=False))
    assert resume == Resume(TID, PTRACE_CONT)
    [event] = events
    assert isinstance(event, SyscallEvent)
    assert (event.name, event.args[1].value, event.retval, event.error) == (
        "openat",
        "/etc/passwd",
        3,
        None,
    )
    assert (event.ts_ns, event.duration_ns, event.pid, event.tid) == (10, 25, TID, TID)


def test_full_mode_always_resumes_with_syscall() -> None:
    task = running(Mode.FULL)
    assert handle(task, entry())[1] == Resume(TID, PTRACE_SYSCALL, starts_call=True)
    assert handle(task, Exit(20, 0, False))[1] == Resume(TID, PTRACE_SYSCALL)


def test_failed_syscall_reports_minus_one_and_errno_name() -> None:
    task = running()
    handle(task, entry())
    [event], _ = handle(task, Exit(20, -2, True))
    assert isinstance(event, SyscallEvent)
    assert (event.retval, event.error) == (-1, "ENOENT")


def test_unwanted_entry_is_tracked_but_not_reported() -> None:
    task = running(Mode.FULL)
    handle(task, entry(wanted=False))
    events, _ = handle(task, Exit(20, 0, False))
    assert events == [] and task.phase is Phase.RUNNING


def test_signal_delivery_stop_reinjects_the_signal() -> None:
    task = running()
    stop = SignalStop(5, signal.SIGUSR1, 0, 42, 1000)
    [event], resume = handle(task, stop)
    assert resume == Resume(TID, PTRACE_CONT, signal.SIGUSR1)
    assert isinstance(event, SignalEvent)
    assert (event.signal, event.sender_pid, event.sender_uid) == ("SIGUSR1", 42, 1000)


def test_interrupted_syscall_is_reported_then_traced_again() -> None:
    task = running()
    handle(task, entry("read"))
    [interrupted], resume = handle(task, Exit(20, -ERESTARTSYS, True))
    assert isinstance(interrupted, SyscallEvent) and interrupted.error == "ERESTARTSYS"
    assert resume == Resume(TID, PTRACE_CONT)
    handle(task, SignalStop(21, signal.SIGALRM, 0, 0, 0))
    handle(task, entry("read", ts=30))
    [restarted], _ = handle(task, Exit(40, 5, False))
    assert isinstance(restarted, SyscallEvent) and (restarted.name, restarted.retval) == ("read", 5)


def test_group_stop_is_held_with_listen_until_sigcont_traps() -> None:
    task = running()
    events, resume = handle(task, GroupStop(signal.SIGSTOP, ts=7))
    # Reported, as strace reports it: --- stopped by SIGSTOP ---
    stopped = GroupStopEvent(session="s1", pid=TID, tid=TID, ts_ns=7, signo=19, signal="SIGSTOP")
    assert events == [stopped] and resume == Resume(TID, PTRACE_LISTEN)
    assert task.phase is Phase.STOPPED
    assert handle(task, GroupStop(signal.SIGSTOP))[1] == Resume(TID, PTRACE_LISTEN)
    assert handle(task, TrapStop())[1] == Resume(TID, PTRACE_CONT)
    assert task.phase is Phase.RUNNING


def test_spawn_event_names_parent_and_thread_flag() -> None:
    task = running()
    [process], resume = handle(task, Spawned(7, child_tid=200, child_tgid=200))
    [thread], _ = handle(task, Spawned(8, child_tid=201, child_tgid=TID))
    assert isinstance(process, SpawnEvent) and isinstance(thread, SpawnEvent)
    assert (process.pid, process.parent_pid, process.thread) == (200, TID, False)
    assert (thread.pid, thread.tid, thread.thread) == (TID, 201, True)
    assert resume == Resume(TID, PTRACE_CONT)


def test_exec_from_inside_a_traced_execve_keeps_waiting_for_its_exit() -> None:
    task = running()
    handle(task, Entry(1, TID, 59, "execve", "x86_64", plain_args("/bin/true", 0, 0), True))
    [event], resume = handle(task, Exec(2, TID, "/bin/true", ("true",)))
    assert isinstance(event, ExecEvent) and event.old_tid is None
    assert resume == Resume(TID, PTRACE_SYSCALL, starts_call=True)
    [execve], resume = handle(task, Exit(3, 0, False))
    assert isinstance(execve, SyscallEvent) and execve.retval == 0
    assert resume == Resume(TID, PTRACE_CONT)


def test_prestart_hides_setup_syscalls_but_not_execve_attempts() -> None:
    task = running(prestart=True)
    handle(task, entry("close"))
    assert handle(task, Exit(2, 0, False))[0] == []
    handle(task, Entry(3, TID, 59, "execve", "x86_64", plain_args("/nope", 0, 0), True))
    [failed], _ = handle(task, Exit(4, -2, True))
    assert isinstance(failed, SyscallEvent) and failed.error == "ENOENT"


def test_exit_reports_the_syscall_that_never_returned() -> None:
    task = running()
    handle(task, entry("exit_group"))
    [unfinished, ended], resume = handle(task, Exited(9, 3))
    assert isinstance(unfinished, SyscallEvent) and unfinished.retval is None
    assert unfinished.duration_ns is None and unfinished.error is None
    assert isinstance(ended, ExitEvent) and (ended.code, ended.signal) == (3, None)
    assert resume is None and task.phase is Phase.GONE


def test_death_by_signal() -> None:
    [ended], _ = handle(running(), Killed(9, signal.SIGSEGV, True))
    assert isinstance(ended, ExitEvent)
    assert (ended.code, ended.signal, ended.core_dumped) == (None, "SIGSEGV", True)


def test_detaching_task_is_detached_at_its_next_stop_with_its_signal() -> None:
    task = running()
    let_go(task)
    _, resume = handle(task, SignalStop(5, signal.SIGINT, 0, 0, 0))
    assert resume == Resume(TID, PTRACE_DETACH, signal.SIGINT)
    assert task.phase is Phase.GONE


def test_stop_for_a_gone_task_is_a_bug() -> None:
    task = running()
    handle(task, Exited(1, 0))
    with pytest.raises(UnexpectedStop):
        handle(task, TrapStop())


def test_outputs_read_at_exit_replace_the_entry_values() -> None:
    task = running()
    handle(
        task,
        Entry(1, TID, 293, "pipe2", "x86_64", plain_args(0x7FFE0000, 0), True, (0x7FFE0000, 0)),
    )
    filled = replace(plain_args(0, 0)[0], value=[3, 4], text="[3, 4]")
    [event], _ = handle(task, Exit(2, 0, False, (filled, *plain_args(0))))
    assert isinstance(event, SyscallEvent) and event.args[0].value == [3, 4]


def test_entries_are_reported_only_when_asked_for() -> None:
    events, _ = handle(running(), entry("openat", ts=10))
    assert events == []
    [reported], _ = handle(running(report_entries=True), entry("openat", ts=10))
    assert isinstance(reported, SyscallEntryEvent)
    assert (reported.name, reported.tid, reported.ts_ns) == ("openat", TID, 10)
    assert reported.args[1].value == "/etc/passwd"


def test_an_entry_is_reported_only_where_its_syscall_would_be() -> None:
    """Not an unwanted syscall, nor one of our own setup before the first exec."""
    assert handle(running(report_entries=True), entry(wanted=False))[0] == []
    setup = running(report_entries=True, prestart=True)
    assert handle(setup, entry("close"))[0] == []
    handle(setup, Exit(2, 0, False))
    execve = Entry(3, TID, 59, "execve", "x86_64", plain_args("/nope", 0, 0), True)
    [reported], _ = handle(setup, execve)
    assert isinstance(reported, SyscallEntryEvent) and reported.name == "execve"


def test_an_entry_after_one_that_never_returned_follows_its_unfinished_report() -> None:
    task = running(report_entries=True)
    handle(task, entry("read", ts=1))
    unfinished, reported = handle(task, entry("openat", ts=2))[0]
    assert isinstance(unfinished, SyscallEvent) and unfinished.name == "read"
    assert unfinished.retval is None
    assert isinstance(reported, SyscallEntryEvent) and reported.name == "openat"


def test_plan_changes_the_task_at_once_and_events_come_later_from_what_it_captured() -> None:
    """Every change happens in plan(); events() may be built after the task moved on."""
    task = running(prestart=False)
    entered = plan(task, entry("read", ts=1))
    assert task.in_flight is not None and task.in_flight.name == "read"
    returned = plan(task, Exit(2, 5, False))
    assert task.in_flight is None and task.phase is Phase.RUNNING
    plan(task, entry("openat", ts=3))  # the next syscall, before the first events are built
    assert entered.events() == []
    [event] = returned.events()
    assert isinstance(event, SyscallEvent) and (event.name, event.retval) == ("read", 5)


def test_an_exec_ends_the_prestart_as_it_is_planned() -> None:
    task = running(prestart=True)
    step = plan(task, Exec(2, TID, "/bin/true", ("true",)))
    assert not task.prestart
    [event] = step.events()
    assert isinstance(event, ExecEvent)


def test_an_exec_into_foreign_credentials_is_reported_then_let_go() -> None:
    """The core decides the detach: the shell only says the new image is not the owner's."""
    task = running(Mode.FULL)
    handle(task, Entry(1, TID, 59, "execve", "x86_64", plain_args("/usr/bin/su", 0, 0), True))
    [event], resume = handle(task, Exec(2, TID, "/usr/bin/su", ("su",), detached="uids 65534 0 0"))
    assert isinstance(event, ExecEvent) and event.path == "/usr/bin/su"
    assert event.detached == "uids 65534 0 0"  # the stream says why
    assert resume == Resume(TID, PTRACE_DETACH) and task.phase is Phase.GONE


def test_an_exec_into_the_owners_credentials_is_followed() -> None:
    task = running(Mode.FULL)
    [event], resume = handle(task, Exec(2, TID, "/bin/true", ("true",)))
    assert resume == Resume(TID, PTRACE_SYSCALL) and not task.detaching
    assert isinstance(event, ExecEvent) and event.detached is None


def test_a_detaching_task_is_let_go_even_at_a_group_stop() -> None:
    task = running()
    let_go(task)
    assert handle(task, GroupStop(signal.SIGSTOP))[1] == Resume(TID, PTRACE_DETACH)
    assert task.phase is Phase.GONE


def test_a_call_our_detach_cuts_short_is_reported_detached_not_failed() -> None:
    task = running(mode=Mode.FULL)
    handle(task, entry("read"))
    let_go(task)  # the session detaches, and interrupts the task's read
    [event], resume = handle(task, Exit(20, -ERESTARTSYS, True))
    assert isinstance(event, SyscallEvent) and event.detached
    assert (event.retval, event.error, event.duration_ns) == (None, None, None)
    assert resume == Resume(TID, PTRACE_DETACH, 0)


def test_a_call_that_returns_as_we_detach_keeps_its_result() -> None:
    task = running(mode=Mode.FULL)
    handle(task, entry("read"))
    let_go(task)
    [event], _ = handle(task, Exit(20, 5, False))
    assert isinstance(event, SyscallEvent) and (event.retval, event.detached) == (5, False)


def test_restart_syscall_names_the_call_it_resumes() -> None:
    task = running(mode=Mode.FULL)
    handle(task, entry("restart_syscall"))  # attached mid-sleep: nothing seen before it
    [first], _ = handle(task, Exit(20, 0, False))
    handle(task, entry("clock_nanosleep", ts=30))
    handle(task, Exit(40, -ERESTART_RESTARTBLOCK, True))
    handle(task, entry("restart_syscall", ts=50))
    [second], _ = handle(task, Exit(60, 0, False))
    texts = [[arg.text for arg in event.args] for event in (first, second)]  # type: ignore[union-attr]
    assert texts == [
        ["<... resuming interrupted system call ...>"],
        ["<... resuming interrupted clock_nanosleep ...>"],
    ]


def test_entry_only_reports_each_entry_and_never_stops_at_its_exit() -> None:
    task = running(entry_only=True)
    [first], resume = handle(task, entry("openat"))
    assert isinstance(first, SyscallEntryEvent) and first.name == "openat"
    assert resume == Resume(TID, PTRACE_CONT)  # the call runs to its end, and on
    assert task.phase is Phase.RUNNING and task.in_flight is None
    [second], _ = handle(task, entry("close", ts=20))
    assert isinstance(second, SyscallEntryEvent) and second.name == "close"


def test_entry_only_in_full_mode_passes_over_the_exit_it_must_stop_at() -> None:
    task = running(mode=Mode.FULL, entry_only=True)
    [event], resume = handle(task, entry("read"))
    assert isinstance(event, SyscallEntryEvent) and resume == Resume(TID, PTRACE_SYSCALL)
    assert handle(task, Exit(20, 5, False)) == ([], Resume(TID, PTRACE_SYSCALL))
