"""-e inject='s decisions in the core, driven by constructed stops: which invocations
are tampered with, per task and per syscall, and what the shell is told to do."""

from __future__ import annotations

import signal

from tests.unit.plain import plain_args
from traced.core.abi import PTRACE_CONT, PTRACE_SYSCALL
from traced.core.stops import (
    Call,
    Entry,
    Exec,
    Exit,
    InjectEntry,
    InjectRule,
    TamperedExit,
    TrapStop,
)
from traced.core.task import Mode, Resume, Task
from traced.core.tracee import handle, plan
from traced.events import SyscallEvent
from traced.syscalls.arch import X86_64

TID = 100
EPERM = -1
NATIVE = X86_64.native


def call(rule: InjectRule | None, name: str = "unlinkat") -> Call:
    return Call(
        name, NATIVE, True, False, False, False, rule, Entry if rule is None else InjectEntry
    )


def entry(the_call: Call, ts: int = 10) -> Entry:
    nr = NATIVE.numbers_by_name[the_call.name]
    return the_call.entry(
        ts, TID, nr, the_call.name, "x86_64", plain_args(-100, "f1", 0), True, (), the_call
    )


def running(mode: Mode = Mode.SECCOMP, prestart: bool = False) -> Task:
    task = Task(TID, TID, "s1", mode, prestart=prestart)
    handle(task, TrapStop())
    return task


def invocations(task: Task, the_call: Call, count: int) -> list[bool]:
    """Which of ``count`` calls were tampered with (their entry step had a tamper)."""
    chosen = []
    for n in range(count):
        step = plan(task, entry(the_call, ts=n))
        chosen.append(step.tamper is not None)
        kind = TamperedExit if step.tamper is not None else Exit
        plan(task, kind(n + 1, -1, True))
    return chosen


def test_a_call_without_rule_is_an_entry_as_ever() -> None:
    assert type(entry(call(None))) is Entry
    step = plan(running(), entry(call(None)))
    assert step.tamper is None and step.resume == Resume(TID, PTRACE_SYSCALL, starts_call=True)


def test_when_counts_per_task_and_per_syscall() -> None:
    rule = InjectRule(first=2, last=3, step=1, nr=-1, result=EPERM, fails=True)
    unlinkat, rmdir = call(rule), call(rule, "rmdir")
    one, two = running(), Task(TID + 1, TID + 1, "s1", Mode.SECCOMP)
    handle(two, TrapStop())
    assert invocations(one, unlinkat, 2) == [False, True]
    assert invocations(one, rmdir, 1) == [False]  # its own count
    assert invocations(one, unlinkat, 3) == [True, False, False]
    assert invocations(two, unlinkat, 3) == [False, True, True]  # a task of its own


def test_first_alone_and_steps() -> None:
    assert invocations(running(), call(InjectRule(first=3, step=0, nr=-1)), 6) == [
        False, False, True, False, False, False
    ]  # fmt: skip
    assert invocations(running(), call(InjectRule(first=2, step=2, nr=-1)), 6) == [
        False, True, False, True, False, True
    ]  # fmt: skip


def test_nothing_before_the_first_exec_is_counted_or_injected() -> None:
    task = running(prestart=True)
    the_call = call(InjectRule(first=1, step=0, nr=-1, result=EPERM, fails=True), "execve")
    assert invocations(task, the_call, 1) == [False]
    plan(task, Exec(5, TID, "/bin/true", ("true",)))
    assert invocations(task, the_call, 2) == [True, False]


def test_an_error_is_written_at_entry_and_exit_and_reported_injected() -> None:
    rule = InjectRule(nr=-1, result=EPERM, fails=True)
    task = running()
    step = plan(task, entry(call(rule)))
    assert step.tamper is not None
    assert (step.tamper.nr, step.tamper.result, step.tamper.signal) == (-1, None, 0)
    assert step.resume == Resume(TID, PTRACE_SYSCALL, starts_call=True)
    step = plan(task, TamperedExit(20, EPERM, True))
    assert step.tamper is not None and (step.tamper.nr, step.tamper.result) == (None, EPERM)
    assert step.resume == Resume(TID, PTRACE_CONT)
    [event] = step.events()
    assert isinstance(event, SyscallEvent)
    assert (event.retval, event.error, event.injected, event.delayed) == (-1, "EPERM", True, False)
    assert task.tampering is None


def test_a_signal_goes_with_the_entry_in_full_mode_and_the_exit_in_seccomp_mode() -> None:
    rule = InjectRule(signal=signal.SIGUSR1)
    full = running(Mode.FULL)
    assert plan(full, entry(call(rule))).resume == Resume(
        TID, PTRACE_SYSCALL, signal.SIGUSR1, starts_call=True
    )
    assert plan(full, TamperedExit(20, 0, False)).resume == Resume(TID, PTRACE_SYSCALL)
    seccomp = running()
    assert plan(seccomp, entry(call(rule))).resume == Resume(TID, PTRACE_SYSCALL, starts_call=True)
    exit_step = plan(seccomp, TamperedExit(20, 0, False))
    assert exit_step.resume == Resume(TID, PTRACE_CONT, signal.SIGUSR1)
    [event] = exit_step.events()
    assert isinstance(event, SyscallEvent) and not event.injected and not event.delayed


def test_delays_are_the_shells_to_make_and_the_event_says_delayed() -> None:
    rule = InjectRule(delay_enter_ns=1000, delay_exit_ns=None)
    task = running()
    step = plan(task, entry(call(rule)))
    assert step.tamper is not None and step.tamper.delay_ns == 1000
    step = plan(task, TamperedExit(20, 0, False))
    assert step.tamper is not None and step.tamper.delay_ns is None
    [event] = step.events()
    assert isinstance(event, SyscallEvent) and event.delayed and not event.injected


def test_an_unchosen_invocation_exits_as_any_other() -> None:
    task = running()
    step = plan(task, entry(call(InjectRule(first=5, step=0, nr=-1))))
    assert step.tamper is None and task.tampering is None
    step = plan(task, Exit(20, 0, False))
    assert step.tamper is None and step.resume == Resume(TID, PTRACE_CONT)
