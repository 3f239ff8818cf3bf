"""Every error traced raises, in one place.

Each carries the pid it concerns (0 where none) and the errno the kernel gave
(0 where none), and is chained with ``raise ... from`` to the OSError behind it.
Events are never exceptions: these are for failures of traced itself.
"""

from __future__ import annotations

import enum
import errno as _errno
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# A command that could not be executed, as a shell reports it (POSIX "Exit Status for
# Commands"): 127 when it was not found, 126 when it was found but could not run.
EXIT_NOT_FOUND = 127
EXIT_NOT_EXECUTABLE = 126


def exit_status_for_exec_error(err: int) -> int:
    """The exit status for an exec that failed with errno ``err``: 127 for ENOENT, else 126."""
    return EXIT_NOT_FOUND if err == _errno.ENOENT else EXIT_NOT_EXECUTABLE


class TracedError(Exception):
    """Base of all traced errors: a message, a pid and an errno."""

    def __init__(self, message: str, *, pid: int = 0, errno: int = 0) -> None:
        super().__init__(message)
        self.pid = pid
        self.errno = errno

    @property
    def errno_name(self) -> str:
        return _errno.errorcode.get(self.errno, str(self.errno))


class KernelCallError(TracedError):
    """A syscall traced made on its own behalf failed."""

    @classmethod
    def from_errno(cls, call: str, err: int, pid: int = 0) -> KernelCallError:
        name = _errno.errorcode.get(err, str(err))
        where = f" on pid {pid}" if pid else ""
        return cls(f"{call}{where} failed: {name} ({os.strerror(err)})", pid=pid, errno=err)


class PtraceError(KernelCallError):
    """A ptrace request failed."""


class TraceeGoneError(PtraceError):
    """ESRCH: the tracee was killed or is not in a ptrace-stop; waitpid will tell the rest."""


class MemoryReadError(KernelCallError):
    """Reading the tracee's memory failed (bad pointer, or the tracee went away)."""


class SeccompError(KernelCallError):
    """prctl or seccomp refused the filter."""


class FilterTooLargeError(TracedError):
    """The compiled cBPF program would exceed the kernel's 4096 instruction limit."""


class UnknownSyscallError(TracedError):
    """A syscall name that no ABI of this architecture knows."""

    def __init__(self, name: str) -> None:
        super().__init__(f"invalid system call '{name}'")
        self.name = name


class SpawnError(TracedError):
    """The command could not be started: exec failed, or setup in the child did."""

    def __init__(self, program: str, err: int, stage: str = "exec") -> None:
        name = _errno.errorcode.get(err, str(err))
        what = "cannot execute" if stage == "exec" else f"cannot {stage} for"
        super().__init__(f"{what} '{program}': {os.strerror(err)} ({name})", errno=err)
        self.program = program
        self.stage = stage


class InvalidLaunchError(TracedError):
    """A command execve cannot take as given (a NUL in an argument, ``=`` in an
    environment name...): refused before anything is forked, saying what is wrong."""


class AttachError(PtraceError):
    """PTRACE_SEIZE of an existing process was refused (EPERM, ESRCH)."""


class ConfigError(TracedError):
    """A configuration file that cannot be read, parsed or accepted.

    ``path`` is the file (None for a mapping checked without one) and
    ``problems`` each thing wrong with it, one ``[section] key = value: why`` each.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        problems: Sequence[str] = (),
        errno: int = 0,
    ) -> None:
        super().__init__(message, errno=errno)
        self.path = path
        self.problems = tuple(problems)


class SocketActivationError(TracedError):
    """$LISTEN_PID/$LISTEN_FDS are malformed, or a passed descriptor is not a socket."""


class DaemonUnavailable(TracedError):
    """Nothing answers at the socket path."""


class DaemonNotAnswering(TracedError):
    """Something accepted the connection but no daemon greeted it: a service that
    fails to start behind its socket unit.  Never a reason to trace in-process."""


class ErrorCode(enum.StrEnum):
    """The protocol's error codes (an ``error`` message's ``code``), one place for both ends."""

    MALFORMED = "malformed"  # not JSON, or not an object
    LINE_TOO_LONG = "line_too_long"
    TRUNCATED = "truncated"  # the connection closed mid-line
    UNKNOWN_OP = "unknown_op"
    INVALID = "invalid"  # a known op with bad fields
    UNKNOWN_SYSCALL = "unknown_syscall"
    BAD_FILTER = "bad_filter"
    NOT_FOUND = "not_found"  # no such session
    PERMISSION_DENIED = "permission_denied"
    SPAWN_FAILED = "spawn_failed"
    ATTACH_FAILED = "attach_failed"
    LIMIT = "limit"  # a configured limit was hit
    INTERNAL = "internal"


class RequestFailed(TracedError):
    """The daemon answered a request with an error.  ``code`` is None for a code this
    client does not know: a newer daemon may add codes, each a plain failure here."""

    def __init__(self, code: str, message: str, errno_name: str | None = None) -> None:
        super().__init__(message, errno=getattr(_errno, errno_name or "", 0))
        self.code = _known_code(code)


def _known_code(code: str) -> ErrorCode | None:
    try:
        return ErrorCode(code)
    except ValueError:
        return None


class FilterError(TracedError):
    """An expression this parser does not accept."""


class InjectError(FilterError):
    """A malformed -e inject= or -e fault= argument, in strace's words."""


class PredicateError(FilterError):
    """An argument predicate (``-e trace=openat(flags&O_CREAT)``) this parser does not
    accept: ``expression`` is the trace value it is in, ``position`` the 0-based offset
    of the mistake there, shown under it with a caret."""

    def __init__(self, why: str, expression: str, position: int) -> None:
        position = max(0, min(position, len(expression)))
        super().__init__(f"{why}\n  {expression}\n  {' ' * position}^")
        self.why = why
        self.expression = expression
        self.position = position


class DaemonStartError(TracedError):
    """The daemon cannot start: e.g. another one already listens on the socket."""


class RequestError(TracedError):
    """A request the daemon refuses: ``code`` is the protocol's error code (a string must
    be one of its values: ValueError otherwise)."""

    def __init__(self, code: ErrorCode | str, message: str, errno_name: str | None = None) -> None:
        super().__init__(message, errno=getattr(_errno, errno_name or "", 0))
        self.code = ErrorCode(code)


class StackTraceUnavailable(TracedError):
    """-k (stack traces): libunwind cannot be loaded, or has no support for this
    architecture; the message names the library and the package that has it."""


# The protocol's code for an error a request ran into, by the error's type (the first
# match); any other error is internal.  The daemon's front and its tracer workers
# both answer with it.
_CODES: tuple[tuple[type[TracedError], ErrorCode], ...] = (
    (UnknownSyscallError, ErrorCode.UNKNOWN_SYSCALL),
    (FilterError, ErrorCode.BAD_FILTER),
    (SpawnError, ErrorCode.SPAWN_FAILED),
    (AttachError, ErrorCode.ATTACH_FAILED),
    (InvalidLaunchError, ErrorCode.INVALID),
    (StackTraceUnavailable, ErrorCode.INVALID),  # the request asks what this machine lacks
)


def code_of(error: BaseException) -> ErrorCode:
    return next((code for kind, code in _CODES if isinstance(error, kind)), ErrorCode.INTERNAL)
