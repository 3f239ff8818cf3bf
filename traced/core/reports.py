"""A stop's events, built from its step after the tracee was restarted.

Pure.  Each builder reads the step alone (the stop, the entries plan() captured,
the task's fixed identity), never the task's state, which the task's next stop
may already have changed: the reactor restarts first and builds events after, so
that building them overlaps with the tracee running.
"""

from __future__ import annotations

from traced.core.stops import Entry, Exec, Exit, Exited, GroupStop, Killed, SignalStop, Spawned
from traced.core.task import Step, Task
from traced.events import (
    Arg,
    Event,
    ExecEvent,
    ExitEvent,
    GroupStopEvent,
    SignalEvent,
    SpawnEvent,
    SyscallEntryEvent,
    SyscallEvent,
    Text,
    os_text,
    text_of,
)
from traced.syscalls.names import clipped_errno, errno_name, signal_name


def _comm(comm: bytes | None) -> Text | None:
    """-Y: a comm as events carry it (none read: null)."""
    return None if comm is None else text_of(comm)


def syscall_result(syscall: str, rval: int, is_error: bool) -> tuple[int, str | None]:
    """The event's result and error name: -1 for an error, but the value the tracee
    got where the kernel clipped the error into one (modify_ldt: names.clipped_errno)."""
    if is_error:
        return -1, errno_name(-rval)
    clipped = clipped_errno(syscall, rval)
    return rval, None if clipped is None else errno_name(clipped)


def no_events(step: Step) -> list[Event]:
    return []


def syscall_event(
    task: Task,
    entry: Entry,
    exit_: Exit | None,
    *,
    detached: bool = False,
    injected: bool = False,
    delayed: bool = False,
    poked: bool = False,
) -> SyscallEvent:
    retval = error = duration = exit_comm = None
    fd_path: str | None
    retval_text: str | None
    if exit_ is not None:
        # From the entry's restart (running_call), not from its stop: our own work on
        # the stop is not the call's time.
        started = task.call_started if task.call_started >= entry.ts else entry.ts
        duration = exit_.ts - started
        retval, error = syscall_result(entry.name, exit_.rval, exit_.is_error)
        args = entry.args if exit_.args is None else exit_.args
        fd_path, retval_text = exit_.fd_path, exit_.retval_text
        stack = entry.stack if exit_.stack is None else exit_.stack
        if exit_.comm is not None and exit_.comm != entry.comm:
            exit_comm = _comm(exit_.comm)
    else:
        args, fd_path, retval_text, stack = entry.args, None, None, entry.stack
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
        fd_path=None if fd_path is None else os_text(fd_path),
        retval_text=retval_text,
        detached=detached,
        injected=injected,
        delayed=delayed,
        poked=poked,
        stack=stack,
        comm=_comm(entry.comm),
        exit_comm=exit_comm,
    )


def resuming(previous: str | None) -> Arg:
    """restart_syscall's one argument as strace shows it: the call it resumes."""
    name = previous or "system call"
    return Arg(
        name="resumes",
        type="resumed_call",
        value=previous,
        raw=None,
        text=f"<... resuming interrupted {name} ...>",
    )


def unfinished(step: Step) -> list[Event]:
    closed = step.closed
    return [] if closed is None else [syscall_event(step.task, closed, None)]


def entry_event(task: Task, entry: Entry) -> SyscallEntryEvent:
    return SyscallEntryEvent(
        session=task.session,
        pid=task.tgid,
        tid=entry.tid,
        ts_ns=entry.ts,
        nr=entry.nr,
        name=entry.name,
        arch=entry.abi,
        args=entry.args,
        comm=_comm(entry.comm),
    )


def entered(step: Step) -> list[Event]:
    events = unfinished(step)
    if step.opened is not None:
        events.append(entry_event(step.task, step.opened))
    return events


def returned(step: Step) -> list[Event]:
    closed, stop = step.closed, step.stop
    assert isinstance(stop, Exit)
    return [] if closed is None else [syscall_event(step.task, closed, stop)]


def tampered(step: Step) -> list[Event]:
    """-e inject=: the call as it returned, with what was done to it."""
    closed, stop, tamper = step.closed, step.stop, step.tamper
    assert isinstance(stop, Exit)
    if closed is None:
        return []
    rule = tamper.rule if tamper is not None else None
    injected = rule is not None and rule.result is not None
    delayed = rule is not None and rule.delays
    poked = rule is not None and rule.pokes
    return [syscall_event(step.task, closed, stop, injected=injected, delayed=delayed, poked=poked)]


def detached(step: Step) -> list[Event]:
    """A call our interrupt cut short as we let its task go: unfinished, not failed."""
    closed = step.closed
    return [] if closed is None else [syscall_event(step.task, closed, None, detached=True)]


def announced(step: Step) -> list[Event]:
    """Entry-only: the entry, which is the call's whole report."""
    opened = step.opened
    return [] if opened is None else [entry_event(step.task, opened)]


def spawned(step: Step) -> list[Event]:
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


def execed(step: Step) -> list[Event]:
    task, stop = step.task, step.stop
    assert isinstance(stop, Exec)
    old_tid = stop.old_tid if stop.old_tid != task.tid else None
    event = ExecEvent(
        session=task.session,
        pid=task.tgid,
        tid=task.tid,
        ts_ns=stop.ts,
        path=os_text(stop.path),
        argv=tuple(os_text(arg) for arg in stop.argv),
        old_tid=old_tid,
        detached=stop.detached,
    )
    return [event]


def signalled(step: Step) -> list[Event]:
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
        errno=stop.errno or None,
        call_addr=stop.call_addr,
        syscall=stop.syscall,
        audit_arch=stop.audit_arch,
        value=stop.value,
        addr=stop.addr,
        stack=stop.stack,
        comm=_comm(stop.comm),
        sender_comm=_comm(stop.sender_comm),
    )
    return [event]


def stopped(step: Step) -> list[Event]:
    task, stop = step.task, step.stop
    assert isinstance(stop, GroupStop)
    event = GroupStopEvent(
        session=task.session,
        pid=task.tgid,
        tid=task.tid,
        ts_ns=stop.ts,
        signo=stop.sig,
        signal=signal_name(stop.sig),
        stack=stop.stack,
        comm=_comm(stop.comm),
    )
    return [event]


def ended(step: Step) -> list[Event]:
    task, stop = step.task, step.stop
    assert isinstance(stop, Exited | Killed)
    events = unfinished(step)
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
        comm=_comm(stop.comm),
    )
    return [*events, ended]
