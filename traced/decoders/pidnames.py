"""-Y (--decode-pids=comm): a pid printed with the comm of its task, ``1234<sh>``.

strace's printpid prints the number, then, for a thread or process id (not a process
group's nor a session's) above 0, ``<COMM>`` with COMM read from /proc/PID/comm
when it prints it; a task that is gone (a child reaped by the very wait4 being
printed) has no comm there, and its pid is the number alone.  The comm is quoted as
an fd's path is (print_quoted_string_ex with ``<>`` escaped: ``foo\\74bar\\76``).

The comm must be read at the stop whose line is printed, so the reading is the
tracer's: it gives the decoders a :data:`Comms` (/proc/PID/comm, in
traced.linux.procfs), and a decoder deep in a family (siginfo's si_pid) finds it in
a :class:`contextvars.ContextVar` that :func:`naming_pids` sets for the span of one
decode, as fdnames.py does for -y; outside it, a pid is its number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from traced.decoders.strings import fd_path_text

# pid (1 and up) -> its task's comm, or None where no task has it (anymore).
Comms = Callable[[int], "bytes | None"]

_COMMS: ContextVar[Comms | None] = ContextVar("traced_pid_comms", default=None)


def no_comms(pid: int) -> bytes | None:
    return None


def comm_text(comm: bytes) -> str:
    """A comm as strace prints it between ``<`` and ``>``: ``foo\\33[2Jbar``."""
    return fd_path_text(comm)


def with_comm(pid: int, comm: bytes | None) -> str:
    """``1234<sh>``; the number alone without a comm (or an empty one, as strace)."""
    return f"{pid}<{comm_text(comm)}>" if comm else str(pid)


def pid_text(pid: int, comms: Comms | None = None) -> str:
    """A thread or process id as strace's printpid prints it: with its comm under -Y
    (``comms``, else the one :func:`naming_pids` set), the number otherwise."""
    comms = comms if comms is not None else _COMMS.get()
    if comms is None or pid <= 0:
        return str(pid)
    return with_comm(pid, comms(pid))


def naming_pids_now() -> bool:
    """Whether pids are named in the current decode (-Y)."""
    return _COMMS.get() is not None


@contextmanager
def naming_pids(comms: Comms) -> Iterator[None]:
    """``comms`` names the pids the decoders print inside the block."""
    token = _COMMS.set(comms)
    try:
        yield
    finally:
        _COMMS.reset(token)
