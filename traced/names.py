"""Names users read for kernel numbers: errno values and signals, as strace spells them.

The kernel returns four errno values that never reach userspace (the syscall is
restarted or turned into EINTR on the way out) but that a tracer sees at the
syscall-exit-stop.  Python's ``errno`` module does not know them.
"""

from __future__ import annotations

import errno
import signal

ERESTARTSYS = 512
ERESTARTNOINTR = 513
ERESTARTNOHAND = 514
ERESTART_RESTARTBLOCK = 516

_KERNEL_ONLY_ERRNOS = {
    ERESTARTSYS: "ERESTARTSYS",
    ERESTARTNOINTR: "ERESTARTNOINTR",
    ERESTARTNOHAND: "ERESTARTNOHAND",
    515: "ENOIOCTLCMD",
    ERESTART_RESTARTBLOCK: "ERESTART_RESTARTBLOCK",
}
RESTART_ERRNOS = frozenset((ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, ERESTART_RESTARTBLOCK))

# The highest errno the kernel returns: -4095..-1 are errors, anything else is a value.
MAX_ERRNO = 4095

_SIGRTMIN = 32


# Where two names share a number, Python's errorcode picks the other one.
_STRACE_ALIASES = {errno.EDEADLK: "EDEADLK", errno.EOPNOTSUPP: "EOPNOTSUPP"}


def errno_name(number: int) -> str:
    """EPERM, ENOENT, ..., ERESTARTSYS; unknown numbers as strace shows them."""
    name = (
        _STRACE_ALIASES.get(number)
        or errno.errorcode.get(number)
        or _KERNEL_ONLY_ERRNOS.get(number)
    )
    return name if name else f"errno{number}"


def _canonical_signal_names() -> dict[int, str]:
    names = {int(sig): sig.name for sig in signal.Signals}
    # Python prefers the alias SIGIOT for 6 and SIGPOLL for 29 on some builds; strace does not.
    names.update({6: "SIGABRT", 29: "SIGIO", 17: "SIGCHLD"})
    return names


_SIGNAL_NAMES = _canonical_signal_names()


def signal_name(number: int) -> str:
    """SIGINT, SIGRTMIN, SIGRT_3, ... (strace's spelling of real-time signals)."""
    if number >= _SIGRTMIN:
        return "SIGRTMIN" if number == _SIGRTMIN else f"SIGRT_{number - _SIGRTMIN}"
    return _SIGNAL_NAMES.get(number, str(number))


def errno_value(name: str) -> int:
    """The inverse of :func:`errno_name`, 0 for a name it does not know."""
    for number, known in _KERNEL_ONLY_ERRNOS.items():
        if known == name:
            return number
    return int(getattr(errno, name, 0))
