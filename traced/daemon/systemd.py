"""systemd integration, stdlib only: readiness notification and socket activation.

Facts this module relies on (sd_notify(3), sd_listen_fds(3), systemd.socket(5)):

* Notification: the service manager puts the address of an AF_UNIX datagram
  socket in $NOTIFY_SOCKET.  A message is one datagram of newline-separated
  ``VARIABLE=value`` assignments, e.g. ``READY=1``, ``STATUS=text``,
  ``STOPPING=1``.  An address starting with '@' is in the abstract namespace:
  the '@' stands for a leading NUL byte.  Otherwise it is an absolute
  filesystem path (newer systemd may also give ``vsock:``, unsupported here).
  With NotifyAccess=main, only messages sent by the main process count.
  The variable is absent when nobody listens; that is not an error.
* Socket activation: the manager passes the listening sockets already open, as
  consecutive file descriptors starting at 3 (SD_LISTEN_FDS_START), and says
  so in the environment: $LISTEN_FDS is how many, $LISTEN_PID the pid they are
  meant for, $LISTEN_FDNAMES their colon-separated names (FileDescriptorName=,
  default "unknown").  If $LISTEN_PID is not our pid, the variables were
  inherited from a parent and the descriptors are not ours.
* The descriptors arrive without FD_CLOEXEC (they had to survive execve), so we
  set it, or every command we launch would inherit the daemon's socket.  We also
  unset the variables after reading them (as sd_listen_fds(unset_environment=1)
  does, whatever it found), so that no child sees them, and commands we launch
  get an environment without any of them (:func:`scrub_environment`).
"""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Mapping, MutableMapping

from traced.errors import SocketActivationError
from traced.logs import get_logger

__all__ = [
    "LISTEN_VARIABLES",
    "READY",
    "SD_LISTEN_FDS_START",
    "STOPPING",
    "SYSTEMD_VARIABLES",
    "SocketActivationError",
    "listen_fds",
    "listen_fds_with_names",
    "notify",
    "notify_address",
    "parse_listen_env",
    "parse_listen_names",
    "scrub_environment",
    "status",
]

SD_LISTEN_FDS_START = 3
READY = "READY=1"
STOPPING = "STOPPING=1"
LISTEN_VARIABLES = ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES")
SYSTEMD_VARIABLES = ("NOTIFY_SOCKET", *LISTEN_VARIABLES)
# A notification must not block the daemon for long if the manager is stuck.
_NOTIFY_TIMEOUT = 1.0

_log = get_logger(__name__)


def status(text: str) -> str:
    """A ``STATUS=`` assignment for :func:`notify`; newlines, which would start
    another assignment, become spaces."""
    return "STATUS=" + " ".join(text.splitlines())


def notify_address(value: str) -> bytes | None:
    """The socket address a $NOTIFY_SOCKET value names, or None if it is not one
    we can use (empty, relative, or another transport such as ``vsock:``)."""
    if value.startswith("@") and len(value) > 1:
        return b"\0" + os.fsencode(value[1:])
    if value.startswith("/"):
        return os.fsencode(value)
    return None


def notify(state: str) -> bool:
    """Send ``state`` (e.g. :data:`READY`, ``status("...")``, :data:`STOPPING`)
    to the service manager.

    False when there is no manager listening ($NOTIFY_SOCKET unset) or the
    message could not be sent (the failure is logged); never raises for either.
    """
    value = os.environ.get("NOTIFY_SOCKET")
    if not value:
        return False
    address = notify_address(value)
    if address is None:
        _log.warning("systemd_notify_unsupported_address", notify_socket=value)
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.settimeout(_NOTIFY_TIMEOUT)
            sock.sendto(state.encode(), address)
    except OSError as error:
        _log.warning(
            "systemd_notify_failed",
            notify_socket=value,
            state=state,
            error=error.strerror or str(error),
        )
        return False
    return True


def parse_listen_env(env: Mapping[str, str], pid: int) -> int:
    """How many descriptors, from fd 3 on, the environment says were passed to ``pid``.

    0 when $LISTEN_PID or $LISTEN_FDS is absent or $LISTEN_PID is another pid
    (the variables were inherited).  Raises :class:`SocketActivationError`
    when either is not a decimal number, or $LISTEN_FDS is negative.
    """
    pid_text = env.get("LISTEN_PID")
    fds_text = env.get("LISTEN_FDS")
    if pid_text is None or fds_text is None:
        return 0
    listen_pid = _decimal("LISTEN_PID", pid_text)
    count = _decimal("LISTEN_FDS", fds_text)
    if listen_pid <= 0:
        raise SocketActivationError(f"LISTEN_PID={pid_text!r} is not a pid")
    if listen_pid != pid:
        return 0
    return count


def parse_listen_names(env: Mapping[str, str], count: int) -> list[str]:
    """The ``count`` names of $LISTEN_FDNAMES; "unknown" for each when it is
    unset or does not have exactly ``count`` names (as sd_listen_fds_with_names)."""
    names = env.get("LISTEN_FDNAMES")
    if names is not None:
        split = names.split(":")
        if len(split) == count:
            return split
    return ["unknown"] * count


def listen_fds(unset: bool = True) -> list[socket.socket]:
    """The sockets the service manager passed us, close-on-exec; [] when not activated.

    With ``unset``, $LISTEN_PID, $LISTEN_FDS and $LISTEN_FDNAMES are removed
    from os.environ (and the C environment), whatever they held.
    Raises :class:`SocketActivationError` for malformed variables or a passed
    descriptor that is not a socket.
    """
    return [sock for _, sock in listen_fds_with_names(unset)]


def listen_fds_with_names(unset: bool = True) -> list[tuple[str, socket.socket]]:
    """:func:`listen_fds`, each socket with its name from $LISTEN_FDNAMES."""
    try:
        count = parse_listen_env(os.environ, os.getpid())
        names = parse_listen_names(os.environ, count)
    finally:
        if unset:
            _unset(os.environ)
    sockets: list[tuple[str, socket.socket]] = []
    try:
        for fd in range(SD_LISTEN_FDS_START, SD_LISTEN_FDS_START + count):
            sockets.append((names[fd - SD_LISTEN_FDS_START], _adopt(fd)))
    except BaseException:
        for _, sock in sockets:
            sock.detach()
        raise
    return sockets


def scrub_environment(env: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``env`` without the variables systemd meant for the daemon
    ($NOTIFY_SOCKET, $LISTEN_PID, $LISTEN_FDS, $LISTEN_FDNAMES): for the
    environments of launched commands."""
    return {name: value for name, value in env.items() if name not in SYSTEMD_VARIABLES}


def _decimal(name: str, text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise SocketActivationError(f"{name}={text!r} is not a non-negative decimal number")
    return int(text)


def _unset(environ: MutableMapping[str, str]) -> None:
    for name in LISTEN_VARIABLES:
        environ.pop(name, None)


def _adopt(fd: int) -> socket.socket:
    """A socket object for passed descriptor ``fd``, made close-on-exec."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError as error:
        raise SocketActivationError(
            f"LISTEN_FDS names fd {fd}, which is not open", errno=error.errno or 0
        ) from error
    if not stat.S_ISSOCK(mode):
        raise SocketActivationError(f"fd {fd} passed by the service manager is not a socket")
    os.set_inheritable(fd, False)
    return socket.socket(fileno=fd)
