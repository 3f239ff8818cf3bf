"""-y inside structures: an fd a decoder finds in tracee memory (io_uring_register's
fd arrays, io_uring_params' wq_fd), named as an fd argument is: ``3</dev/full>``.

An fd argument is named by arguments.py, which has the tracee's fd table at hand
(its ``FdNames``); a decoder deep in a family has not, and threading it through
every decoder's signature would change them all.  So, as with the printing style
(style.py), the naming is a :class:`contextvars.ContextVar` that :func:`naming`
sets for the span of one decode under -y; outside it, an fd is its number.

strace's printfd names only an fd the tracee has (0 and up); any other is its
number, ``-1``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# fd (0 and up) -> its text with the path (``3</dev/full>``), or None where it names nothing.
Namer = Callable[[int], "str | None"]

_NAMER: ContextVar[Namer | None] = ContextVar("traced_fd_namer", default=None)


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
def naming(namer: Namer) -> Iterator[None]:
    """``namer`` names the fds the decoders print inside the block."""
    token = _NAMER.set(namer)
    try:
        yield
    finally:
        _NAMER.reset(token)
