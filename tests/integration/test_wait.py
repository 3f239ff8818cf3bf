"""traced.linux.wait against the kernel: the facts its opening block states, on real
children, one seized and one not."""

from __future__ import annotations

import os
import signal
import time

import pytest

from traced.core.abi import LAUNCH_OPTIONS, PTRACE_EVENT_STOP
from traced.core.stops import Kind, decode_status
from traced.linux import ptrace, wait


def _stopped_child() -> int:
    """A child stopped by its own SIGSTOP, waited for (so no status is pending)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.kill(os.getpid(), signal.SIGSTOP)
        os._exit(7)
    os.waitpid(pid, os.WUNTRACED)
    return pid


def _until(found: object, what: str, seconds: float = 10.0) -> None:
    """A hang guard, not a timing assertion: the kernel's status comes in microseconds."""
    deadline = time.monotonic() + seconds
    while not found():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {seconds} s")
        time.sleep(0.001)


def test_a_stop_is_taken_with_the_status_waitpid_would_give() -> None:
    pid = _stopped_child()
    ptrace.seize(pid, LAUNCH_OPTIONS)
    try:
        ptrace.interrupt(pid)
        stops: list[tuple[int, int]] = []
        _until(lambda: stops.extend(wait.take_stops(8)) or stops, "ptrace-stop")
        [(tid, status)] = stops
        assert tid == pid and os.WIFSTOPPED(status)
        # PTRACE_EVENT_STOP in bits 16-23, the stopping signal in 8-15, as waitpid has it
        assert status >> 16 == PTRACE_EVENT_STOP and os.WSTOPSIG(status) == signal.SIGSTOP
        assert decode_status(status).kind is Kind.GROUP_STOP  # it was stopped, then seized
        assert wait.take(pid) is None  # consumed: nothing left for waitpid
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, wait.WALL)


def test_a_death_is_peeked_not_consumed_and_taken_by_tid() -> None:
    pid = _stopped_child()
    os.kill(pid, signal.SIGCONT)
    _until(lambda: wait.peek() is not None, "death")
    assert wait.peek() == (pid, False)
    assert wait.peek() == (pid, False)  # still there: a peek consumes nothing
    assert wait.take_stops(8) == []  # a death is no stop
    status = wait.take(pid)
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 7
    assert wait.peek() is None and wait.take(pid) is None


def test_a_job_control_stop_of_a_child_that_is_no_tracee_is_not_a_ptrace_stop() -> None:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.kill(os.getpid(), signal.SIGSTOP)
        os._exit(0)
    try:
        _until(lambda: os.waitid(os.P_PID, pid, os.WSTOPPED | os.WNOHANG | os.WNOWAIT), "stop")
        assert wait.take_stops(8) == []  # not a ptrace-stop: dropped ...
        assert os.waitid(os.P_PID, pid, os.WSTOPPED | os.WNOHANG | os.WNOWAIT) is None  # taken
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def test_a_tid_that_is_not_ours_has_nothing_to_take() -> None:
    assert wait.take(1) is None
