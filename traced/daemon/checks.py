"""What the daemon checks and converts on the way in: ids, errors, credentials, signals,
a launch's fds.

Kernel facts this module depends on:

* A client may trace only what ptrace would let it trace itself: the rules, and
  how they are read from /proc, are traced/linux/access.py's.
* setgroups/setgid/setuid, in that order, drop root for good: the launched
  command then runs with exactly the client's uid, gid and groups.
* SCM_RIGHTS fds arrive in the order they were sent; one sendmsg carries at most
  SCM_MAX_FD (253) of them, so a launch's stdio and inherited fds fit one message.
* sigaction refuses SIGKILL and SIGSTOP, and signal numbers run 1..SIGRTMAX.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping

from pydantic import ValidationError

from traced.daemon.systemd import scrub_environment
from traced.errors import ErrorCode, RequestError
from traced.linux import access
from traced.tracer.spawn import CLOSED, Credentials
from traced.wire.protocol import LaunchRequest


def echoable(value: object) -> int | str | None:
    """A request id we may echo: the protocol's ids are strings or integers."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return None


def validation_message(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" + (
        f" (+{error.error_count() - 1} more)" if error.error_count() > 1 else ""
    )


def devnull_stdio() -> tuple[int, int, int]:
    null_in = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    null_out = os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
    return null_in, null_out, null_out


def launch_fd_count(request: LaunchRequest) -> int:
    """How many fds ride on a launch request's line: stdio's three, then ``inherited``'s."""
    return (3 if request.stdio else 0) + len(request.inherited)


def launch_fds(
    request: LaunchRequest, received: list[int] | None, null: tuple[int, int, int] | None
) -> tuple[tuple[int, int, int], tuple[tuple[int, int], ...]]:
    """The command's stdio (CLOSED where the client's was closed; ``null`` without
    ``stdio``) and its inherited fds as (number, our fd), from the fds received."""
    if launch_fd_count(request) and received is None:
        raise RequestError(
            ErrorCode.INVALID,
            f"stdio and inherited need {launch_fd_count(request)} fds sent with the request",
        )
    for field, numbers in (("closed", request.closed), ("inherited", request.inherited)):
        if len(set(numbers)) != len(numbers):
            raise RequestError(ErrorCode.INVALID, f"{field}: a number is given twice")
    fds = received or []
    if request.tty and not (request.stdio and 0 not in request.closed and os.isatty(fds[0])):
        raise RequestError(ErrorCode.INVALID, "tty: the stdin sent must be a terminal")
    stdio = (fds[0], fds[1], fds[2]) if request.stdio or null is None else null
    first, second, third = (CLOSED if n in request.closed else fd for n, fd in enumerate(stdio))
    sent = fds[len(fds) - len(request.inherited) :]
    return (first, second, third), tuple(zip(request.inherited, sent, strict=True))


def ignored_signals(numbers: list[int]) -> frozenset[int]:
    """A launch's ``ignored_signals``: each one a signal that can be ignored."""
    for signo in numbers:
        if not 1 <= signo <= signal.SIGRTMAX or signo in (signal.SIGKILL, signal.SIGSTOP):
            raise RequestError(
                ErrorCode.INVALID,
                f"ignored_signals: {signo} is not a signal that can be ignored "
                f"(1..{int(signal.SIGRTMAX)}, not SIGKILL or SIGSTOP)",
            )
    return frozenset(numbers)


def credentials_for(uid: int, gid: int, groups: tuple[int, ...]) -> Credentials | None:
    """A root daemon runs an unprivileged client's command as that client: its uid,
    gid and supplementary groups, all as they were when it connected (SO_PEERCRED,
    SO_PEERGROUPS; not the passwd database's, which a client may have dropped, and
    not /proc/PID's: that pid may since belong to another process)."""
    if os.getuid() != 0 or uid == 0:
        return None
    return Credentials(uid, gid, groups)


def launch_environment(
    requested: Mapping[str, str] | None, credentials: Credentials | None
) -> dict[str, str]:
    """The command's environment: the client's, or without one the daemon's own, but
    only for a client of the daemon's uid or root.  Another uid's command (a root
    daemon's credentials are set) gets an empty one: nothing of what the daemon was
    started with (secrets, systemd's CREDENTIALS_DIRECTORY) is that uid's to see.
    systemd's variables for the daemon are removed either way."""
    if requested is not None:
        return scrub_environment(requested)
    if credentials is not None:
        return {}
    return scrub_environment(os.environ)


def check_may_trace(client: access.Client, pid: int) -> None:
    """Refuse an attach the kernel would refuse the client's own ``strace -p PID``
    (traced/linux/access.py), before anything is seized.  The engine asks again of
    every thread it seizes, after the seize too."""
    if client.uid == 0:
        return
    try:
        with access.PinnedTask(pid) as task:
            reason = access.refusal(client, task)
    except OSError:
        reason = "gone"
    if reason == "gone":
        raise RequestError(ErrorCode.ATTACH_FAILED, f"no process {pid}")
    if reason is not None:
        raise RequestError(
            ErrorCode.PERMISSION_DENIED, f"uid {client.uid} may not trace pid {pid}: {reason}"
        )


def signal_number(value: int | str) -> int:
    if isinstance(value, int):
        if not 1 <= value <= signal.SIGRTMAX:
            raise RequestError(
                ErrorCode.INVALID, f"signal {value} is not between 1 and {signal.SIGRTMAX}"
            )
        return value
    name = value.upper()
    name = name if name.startswith("SIG") else "SIG" + name
    try:
        return int(signal.Signals[name])
    except KeyError:
        raise RequestError(ErrorCode.INVALID, f"unknown signal {value!r}") from None
