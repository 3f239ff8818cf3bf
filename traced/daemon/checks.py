"""What the daemon checks and converts on the way in: ids, errors, credentials, signals.

Kernel facts this module depends on:

* A process's uids are in /proc/PID/status (real, effective, saved, fs); a client
  may trace only a process all four of which are its own, as ptrace's own check
  asks of an unprivileged tracer.
* setgroups/setgid/setuid, in that order, drop root for good: the launched
  command then runs with exactly the client's uid, gid and groups.
"""

from __future__ import annotations

import os
import pwd
import signal

from pydantic import ValidationError

from traced.errors import RequestError
from traced.linux import procfs
from traced.spawn import Credentials


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


def credentials_for(uid: int, gid: int) -> Credentials | None:
    """A root daemon runs an unprivileged client's command as that client."""
    if os.getuid() != 0 or uid == 0:
        return None
    try:
        name = pwd.getpwuid(uid).pw_name
        groups = tuple(os.getgrouplist(name, gid))
    except KeyError:
        groups = (gid,)
    return Credentials(uid, gid, groups)


def check_may_trace(uid: int, pid: int) -> None:
    if uid == 0:
        return
    real = procfs.status_field(pid, "Uid")
    if real is None:
        raise RequestError("attach_failed", f"no process {pid}")
    if any(int(value) != uid for value in real.split()):
        raise RequestError("permission_denied", f"uid {uid} may not trace pid {pid}")


def signal_number(value: int | str) -> int:
    if isinstance(value, int):
        if not 1 <= value <= signal.SIGRTMAX:
            raise RequestError("invalid", f"signal {value} is not between 1 and {signal.SIGRTMAX}")
        return value
    name = value.upper()
    name = name if name.startswith("SIG") else "SIG" + name
    try:
        return int(signal.Signals[name])
    except KeyError:
        raise RequestError("invalid", f"unknown signal {value!r}") from None
