"""Names users read for kernel numbers: errno values and signals, as strace spells them.

The kernel returns four errno values that never reach userspace (the syscall is
restarted or turned into EINTR on the way out) but that a tracer sees at the
syscall-exit-stop.  Python's ``errno`` module does not know them.
"""

from __future__ import annotations

import errno
import os

ERESTARTSYS = 512
ERESTARTNOINTR = 513
ERESTARTNOHAND = 514
ERESTART_RESTARTBLOCK = 516
RESTART_ERRNOS = frozenset((ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, ERESTART_RESTARTBLOCK))

# The one errno registry: Python's names, with strace's choice where two names
# share a number (Python's errorcode picks the other one), and the kernel's own.
ERRNO_NAMES: dict[int, str] = dict(errno.errorcode) | {
    errno.EAGAIN: "EAGAIN", errno.EDEADLK: "EDEADLK", errno.EOPNOTSUPP: "EOPNOTSUPP",
    ERESTARTSYS: "ERESTARTSYS", ERESTARTNOINTR: "ERESTARTNOINTR",
    ERESTARTNOHAND: "ERESTARTNOHAND", 515: "ENOIOCTLCMD",
    ERESTART_RESTARTBLOCK: "ERESTART_RESTARTBLOCK", 517: "EPROBE_DEFER", 518: "EOPENSTALE",
    519: "ENOPARAM", 521: "EBADHANDLE", 522: "ENOTSYNC", 523: "EBADCOOKIE", 524: "ENOTSUPP",
    525: "ETOOSMALL", 526: "ESERVERFAULT", 527: "EBADTYPE", 528: "EJUKEBOX",
    529: "EIOCBQUEUED", 530: "ERECALLCONFLICT",
}  # fmt: skip
_ERRNO_NUMBERS = {name: number for number, name in ERRNO_NAMES.items()}
# strace's words for the restart codes, which strerror does not know.
_RESTART_MESSAGES = {
    ERESTARTSYS: "To be restarted if SA_RESTART is set",
    ERESTARTNOINTR: "To be restarted",
    ERESTARTNOHAND: "To be restarted if no handler",
    ERESTART_RESTARTBLOCK: "Interrupted by signal",
}

# The signal numbers of asm-generic (x86_64, i386, x32 and aarch64 alike), in order from
# 1; strace names 32 SIGRTMIN and the real-time ones after it SIGRT_<n>.  Spelled out
# rather than taken from Python's signal module, whose names follow the host's libc
# (SIGIOT for 6, SIGPOLL for 29 on some builds) and stop short of SIGRTMIN.
_STANDARD_SIGNALS = """SIGHUP SIGINT SIGQUIT SIGILL SIGTRAP SIGABRT SIGBUS SIGFPE SIGKILL SIGUSR1
    SIGSEGV SIGUSR2 SIGPIPE SIGALRM SIGTERM SIGSTKFLT SIGCHLD SIGCONT SIGSTOP SIGTSTP SIGTTIN
    SIGTTOU SIGURG SIGXCPU SIGXFSZ SIGVTALRM SIGPROF SIGWINCH SIGIO SIGPWR SIGSYS SIGRTMIN"""
SIGRTMIN = 32
SIGRTMAX = 64
SIGNAL_NAMES: dict[int, str] = dict(enumerate(_STANDARD_SIGNALS.split(), 1)) | {
    SIGRTMIN + n: f"SIGRT_{n}" for n in range(1, SIGRTMAX - SIGRTMIN + 1)
}

# The highest errno the kernel returns: -4095..-1 are errors, anything else is a value.
MAX_ERRNO = 4095


# modify_ldt returns its int result clipped to an unsigned int (arch/x86/kernel/ldt.c:
# "the ABI for sys_modify_ldt() expects 'int'"), so a 64-bit tracee's error reaches the
# tracer as 4294967258, which the kernel's is_error does not take for one.  strace
# names the error all the same (``= 4294967258 ENOSYS (...)``) and -z, -Z judge the call
# failed; its -c alone counts it a success, from is_error.  traced's -c counts the error
# too: the call failed.  A 32-bit tracee's arrives as -38 already.
_CLIPPED_RESULTS = frozenset(("modify_ldt",))
_CLIPPED_ERRORS_FROM = 0x1_0000_0000 - MAX_ERRNO - 1


def clipped_errno(syscall: str, retval: int) -> int | None:
    """The errno a result the kernel did not take for an error carries, if any."""
    if syscall not in _CLIPPED_RESULTS or not _CLIPPED_ERRORS_FROM <= retval <= 0xFFFFFFFF:
        return None
    return 0x1_0000_0000 - retval


def errno_name(number: int) -> str:
    """EPERM, ENOENT, ..., ERESTARTSYS; unknown numbers as strace shows them."""
    return ERRNO_NAMES.get(number) or f"errno{number}"


def errno_value(name: str) -> int:
    """The inverse of :func:`errno_name` (aliases such as EWOULDBLOCK too), 0 if unknown."""
    if name.startswith("errno") and name[5:].isdigit():  # errno_name's for unknown numbers
        return int(name[5:])
    return _ERRNO_NUMBERS.get(name) or int(getattr(errno, name, 0))


def errno_message(number: int) -> str:
    """strerror's text, or strace's for the kernel-internal restart codes."""
    if number in _RESTART_MESSAGES:
        return _RESTART_MESSAGES[number]
    return os.strerror(number) if number < 512 else f"Unknown error {number}"


def signal_name(number: int) -> str:
    """SIGINT, SIGRTMIN, SIGRT_3, ... (strace's spelling of real-time signals)."""
    if number > SIGRTMIN:
        return f"SIGRT_{number - SIGRTMIN}"
    return SIGNAL_NAMES.get(number, str(number))
