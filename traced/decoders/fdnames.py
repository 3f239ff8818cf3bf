"""-y inside structures: an fd a decoder finds in tracee memory (io_uring_register's
fd arrays, io_uring_params' wq_fd), named as an fd argument is: ``3</dev/full>``.

An fd argument is named by arguments.py, which has the tracee's fd table at hand
(its ``FdNames``); a decoder deep in a family has not, and threading it through
every decoder's signature would change them all.  So, as with the printing style
(style.py), the naming is a :class:`contextvars.ContextVar` that :func:`naming`
sets for the span of one decode under -y; outside it, an fd is its number.

strace's printfd names only an fd the tracee has (0 and up); any other is its
number, ``-1``.  A few calls name another process's fds (kcmp's, pidfd_getfd's
target: strace's printfd_pid): :class:`Tasks`, which the tracer's shell backs with
/proc/PID/fd and /proc/PID/fdinfo, set beside the namer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

# fd (0 and up) -> its text with the path (``3</dev/full>``), or None where it names nothing.
Namer = Callable[[int], "str | None"]

_NAMER: ContextVar[Namer | None] = ContextVar("traced_fd_namer", default=None)


class Tasks(NamedTuple):
    """Other processes' fds, as -y names them."""

    # (pid, fd) -> fd ``fd`` of process ``pid`` named (``3</dev/null>``), or None
    fd: Callable[[int, int], str | None]
    # a pidfd of the tracee's -> the pid it refers to (fdinfo's Pid:), or None
    pidfd_pid: Callable[[int], int | None]


_TASKS: ContextVar[Tasks | None] = ContextVar("traced_fd_tasks", default=None)


def task_fd_in_memory(pid: int, fd: int) -> str:
    """fd ``fd`` of process ``pid`` (strace's printfd_pid): named under -y, where
    the process has it open."""
    tasks = _TASKS.get()
    if tasks is None or fd < 0 or pid <= 0:
        return str(fd)
    return tasks.fd(pid, fd) or str(fd)


def pidfd_pid(fd: int) -> int | None:
    """The process the tracee's pidfd ``fd`` refers to, under -y (None: not a pidfd,
    or no -y)."""
    tasks = _TASKS.get()
    return None if tasks is None or fd < 0 else tasks.pidfd_pid(fd)


def fd_in_memory(fd: int) -> str:
    """An int read from tracee memory printed as an fd: named under -y."""
    namer = _NAMER.get()
    if namer is None or fd < 0:
        return str(fd)
    return namer(fd) or str(fd)


AT_FDCWD = -100


def dirfd_in_memory(fd: int, text: str) -> str:
    """A directory fd that is no argument of its own (fsconfig's aux): ``text`` (its
    name, AT_FDCWD, or its number) named under -y, the working directory for AT_FDCWD."""
    namer = _NAMER.get()
    if namer is None or (fd < 0 and fd != AT_FDCWD):
        return text
    named = namer(fd)
    return text if named is None else text + named[len(str(fd)) :]


@contextmanager
def naming(namer: Namer, tasks: Tasks | None = None) -> Iterator[None]:
    """``namer`` names the fds the decoders print inside the block, ``tasks`` those
    of other processes."""
    token = _NAMER.set(namer)
    others = _TASKS.set(tasks)
    try:
        yield
    finally:
        _TASKS.reset(others)
        _NAMER.reset(token)
