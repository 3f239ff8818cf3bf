"""What traced was started with that its command is owed: closed standard fds, the
fds it inherited, the signals it was started with ignored.  Taken first thing in
``main``, before traced opens anything of its own.

Kernel facts this module depends on:

* open(2) returns the lowest free fd.  So while one of fds 0-2 is closed, the next
  fd traced opens (an epoll fd, a trace file) lands there, and the command, given
  "its" fd 0, 1 or 2, would get that.  Each closed one is therefore filled with
  /dev/null, close-on-exec, at once, and noted as closed: the command gets it closed.
* Across execve, fds without FD_CLOEXEC stay open; Python opens every fd of its own
  with O_CLOEXEC (PEP 446).  So the open fds of 3 and above that lack the flag when
  ``main`` starts are the ones traced inherited, and the command gets each at its
  number, as under strace.
* An ignored signal stays ignored across execve (``nohup`` works so).  Python itself
  ignores SIGPIPE and SIGXFSZ at start-up, so whether those were ignored before is
  lost; the command gets them at SIG_DFL, as any program started by Python does.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import sys
from typing import NamedTuple

_STDIO = (0, 1, 2)
_PYTHONS_OWN = frozenset({signal.SIGPIPE, signal.SIGXFSZ})
# SCM_MAX_FD: the fds one sendmsg may carry; a launch request sends stdio's three first.
MAX_INHERITED_THROUGH_DAEMON = 253 - 3


class Owed(NamedTuple):  # not a dataclass: ~0.5 ms to create, and --help would import inspect
    closed_stdio: frozenset[int] = frozenset()  # of 0, 1, 2: closed when traced started
    fds: tuple[int, ...] = ()  # inherited, 3 and above, in order
    ignored_signals: frozenset[int] = frozenset()

    def stdio(self) -> tuple[int, int, int]:
        """The fds that become the command's 0, 1, 2 in-process: ours, or -1 (closed)."""
        first, second, third = (-1 if fd in self.closed_stdio else fd for fd in _STDIO)
        return first, second, third


def take() -> Owed:
    """Note what the command is owed, and fill closed fds 0-2 so nothing lands there."""
    closed = frozenset(fd for fd in _STDIO if not _is_open(fd))
    for fd in sorted(closed):
        _fill(fd)
    return Owed(closed, _inherited_fds(), _ignored_signals())


def _is_open(fd: int) -> bool:
    try:
        fcntl.fcntl(fd, fcntl.F_GETFD)
    except OSError:
        return False
    return True


def _fill(fd: int) -> None:
    """/dev/null at ``fd``, close-on-exec; sys.std* there too where Python had none,
    so that what traced would write to a closed fd is dropped, not a traceback."""
    null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    if null != fd:
        os.dup2(null, fd, inheritable=False)
        os.close(null)
    name = ("stdin", "stdout", "stderr")[fd]
    if getattr(sys, name) is None:
        setattr(sys, name, open(fd, "r" if fd == 0 else "w", closefd=False))  # noqa: SIM115


def _inherited_fds() -> tuple[int, ...]:
    with contextlib.suppress(OSError):
        listed = sorted(int(name) for name in os.listdir("/proc/self/fd"))
        return tuple(fd for fd in listed if fd > 2 and _inheritable(fd))
    return ()


def _inheritable(fd: int) -> bool:
    try:
        return not fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
    except OSError:  # the listing's own fd, closed by now
        return False


def _ignored_signals() -> frozenset[int]:
    ignored = set()
    for sig in signal.valid_signals():
        with contextlib.suppress(OSError, ValueError):
            if signal.getsignal(sig) == signal.SIG_IGN:
                ignored.add(int(sig))
    return frozenset(ignored) - _PYTHONS_OWN
