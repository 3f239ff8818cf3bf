"""signalfd(2): SIGCHLD as a readable file descriptor.

Kernel facts this module depends on:

* A signal that is blocked in every thread stays pending, and a signalfd for it
  becomes readable; reading consumes the pending instances.  Blocked signals are
  queued even when their disposition is "ignore" (SIGCHLD's default).
* Standard signals coalesce: one readable event may stand for many SIGCHLDs.
* The blocked mask is inherited over fork and kept over execve, so a child that
  will exec must unblock it (traced.tracer.spawn does).

uvloop keeps SIGCHLD for its own subprocess handling, so the reactor cannot use
``add_signal_handler`` for it; a signalfd watched with ``add_reader`` is the
loop-friendly equivalent, and costs one read per wake-up.
"""

from __future__ import annotations

import ctypes
import os
import signal

from traced.errors import KernelCallError
from traced.linux.libc import last_errno, libc

SFD_NONBLOCK = os.O_NONBLOCK
SFD_CLOEXEC = os.O_CLOEXEC
_SIGINFO_SIZE = 128
_DRAIN_SIZE = _SIGINFO_SIZE * 32


class _SigSet(ctypes.Structure):
    _fields_ = (("words", ctypes.c_ulong * 16),)


_signalfd = libc.signalfd
_signalfd.argtypes = (ctypes.c_int, ctypes.POINTER(_SigSet), ctypes.c_int)
_signalfd.restype = ctypes.c_int


def open_signalfd(sig: int) -> int:
    """Block ``sig`` in this thread and return a non-blocking signalfd for it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, [sig])
    mask = _SigSet()
    mask.words[(sig - 1) // 64] |= 1 << ((sig - 1) % 64)
    fd: int = _signalfd(-1, ctypes.byref(mask), SFD_NONBLOCK | SFD_CLOEXEC)
    if fd < 0:
        raise KernelCallError.from_errno("signalfd", last_errno())
    return fd


def drain_signalfd(fd: int) -> None:
    """Consume every pending instance; the caller then polls for what they meant."""
    try:
        while len(os.read(fd, _DRAIN_SIZE)) == _DRAIN_SIZE:
            pass
    except BlockingIOError:
        pass


def close_signalfd(fd: int, sig: int) -> None:
    os.close(fd)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
