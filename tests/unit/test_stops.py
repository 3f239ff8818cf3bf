"""decode_status on wait statuses built the way the kernel builds them."""

import signal

import pytest

from traced.core.abi import (
    PTRACE_EVENT_CLONE,
    PTRACE_EVENT_EXEC,
    PTRACE_EVENT_SECCOMP,
    PTRACE_EVENT_STOP,
    PTRACE_EVENT_VFORK_DONE,
)
from traced.core.stops import Kind, decode_status


def stopped(sig: int, event: int = 0) -> int:
    return (event << 16) | (sig << 8) | 0x7F


@pytest.mark.parametrize(
    ("status", "kind", "sig"),
    [
        (0x0300, Kind.EXITED, 3),
        (signal.SIGKILL, Kind.KILLED, signal.SIGKILL),
        (stopped(signal.SIGTRAP | 0x80), Kind.SYSCALL, signal.SIGTRAP | 0x80),
        (stopped(signal.SIGTRAP, PTRACE_EVENT_SECCOMP), Kind.SECCOMP, signal.SIGTRAP),
        (stopped(signal.SIGTRAP, PTRACE_EVENT_CLONE), Kind.NEW_TASK, signal.SIGTRAP),
        (stopped(signal.SIGTRAP, PTRACE_EVENT_EXEC), Kind.EXEC, signal.SIGTRAP),
        (stopped(signal.SIGTRAP, PTRACE_EVENT_VFORK_DONE), Kind.OTHER_EVENT, signal.SIGTRAP),
        (stopped(signal.SIGSTOP, PTRACE_EVENT_STOP), Kind.GROUP_STOP, signal.SIGSTOP),
        (stopped(signal.SIGTSTP, PTRACE_EVENT_STOP), Kind.GROUP_STOP, signal.SIGTSTP),
        (stopped(signal.SIGTRAP, PTRACE_EVENT_STOP), Kind.TRAP_STOP, signal.SIGTRAP),
        (stopped(signal.SIGSTOP), Kind.SIGNAL, signal.SIGSTOP),
        (stopped(signal.SIGCHLD), Kind.SIGNAL, signal.SIGCHLD),
    ],
)
def test_decode_status(status: int, kind: Kind, sig: int) -> None:
    decoded = decode_status(status)
    assert (decoded.kind, decoded.sig) == (kind, sig)


def test_core_dump_flag() -> None:
    decoded = decode_status(signal.SIGSEGV | 0x80)
    assert decoded.kind is Kind.KILLED and decoded.core_dumped
