"""``traced daemon``: sockets, signals and systemd around :class:`Daemon`.

Kernel and systemd facts this module depends on:

* A Unix socket's permissions gate connect(2): the folder is made 0700 and the
  socket 0600 before anyone can connect, and SO_PEERCRED checks the rest.  Only
  the owner of a folder may change its mode, and anyone who may write to a folder
  may rename what is in it, so the socket's folder must be the daemon's own.
* Under socket activation systemd owns the socket; we use what LISTEN_FDS hands
  us and never unlink it.  Otherwise a stale socket file (no one accepting) is
  replaced, and a live one means another daemon: we refuse to start.
* READY=1 goes to NOTIFY_SOCKET once we accept, STOPPING=1 when we begin to stop.

With ``workers`` of 2 or more the sessions are traced by up to that many worker
processes (daemon.workers), started as sessions come, closed once idle and at the
end after the last session has ended; with 0 or 1, by an engine on this process's
own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import stat
from pathlib import Path

from traced.daemon import systemd as systemd_integration
from traced.daemon.config import Config
from traced.daemon.hub import Hub
from traced.daemon.server import Daemon
from traced.daemon.tracing import InProcess, Tracing
from traced.daemon.workers import WorkerPool
from traced.errors import DaemonStartError
from traced.logs import get_logger
from traced.tracer.engine import Engine

_log = get_logger(__name__)


def bind_socket(path: Path) -> socket.socket:
    """A listening socket at ``path``, folder 0700 and socket 0600.

    The folder must be ours: whoever owns it may replace the socket in it and
    impersonate the daemon.  Folders created on the way are not writable by group
    or others, whatever the umask: whoever may write to one could rename the folder
    below it and put their own in its place.  A shared folder (sticky, as /tmp is)
    is refused, never tightened: 0700 on /tmp would lock every other user out of it."""
    old_umask = os.umask(0o022)
    os.umask(old_umask | 0o022)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    finally:
        os.umask(old_umask)
    owner = path.parent.stat().st_uid
    if owner != os.getuid():
        raise DaemonStartError(
            f"{path.parent} belongs to uid {owner}, not to this daemon's uid {os.getuid()}: "
            "its owner could replace the socket"
        )
    if path.parent.stat().st_mode & stat.S_ISVTX:
        raise DaemonStartError(
            f"{path.parent} is a shared folder (sticky, like /tmp): the socket needs a folder "
            f"of its own, such as {path.parent / 'traced' / path.name}"
        )
    os.chmod(path.parent, 0o700)
    if path.exists():
        _remove_stale(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    old_umask = os.umask(0o177)
    try:
        listener.bind(str(path))
    finally:
        os.umask(old_umask)
    os.chmod(path, 0o600)
    # The kernel's largest backlog (net.core.somaxconn): a burst of clients (bench/
    # sessions.py connects 256 at once) must queue, not be refused mid-connect.
    listener.listen(socket.SOMAXCONN)
    return listener


def _remove_stale(path: Path) -> None:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    try:
        probe.connect(str(path))
    except OSError:
        path.unlink()
        return
    finally:
        probe.close()
    raise DaemonStartError(f"another daemon is listening on {path}")


async def serve(config: Config, socket_path: Path) -> None:
    listeners = systemd_integration.listen_fds()
    owned = not listeners
    if owned:
        listeners = [bind_socket(socket_path)]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    hub = Hub()
    with contextlib.ExitStack() as stack:
        count = config.worker_count()
        tracing: Tracing
        if count >= 2:
            tracing = WorkerPool(count, hub, config.log_level_number)
        else:
            tracing = InProcess(stack.enter_context(Engine(reap_orphans=True)), hub)
        daemon = Daemon(tracing, hub, config)
        for listener in listeners:
            daemon.listen(listener)
        where = socket_path if owned else "systemd sockets"
        _log.info("daemon ready", socket=str(where), pid=os.getpid(), workers=count)
        ready = systemd_integration.status(f"accepting on {where}")
        systemd_integration.notify(f"{systemd_integration.READY}\n{ready}")
        await stop.wait()
        _log.info("daemon stopping", sessions=len(daemon.hub.sessions))
        systemd_integration.notify(systemd_integration.STOPPING)
        for listener in listeners:
            loop.remove_reader(listener.fileno())
        await daemon.shutdown()
        await tracing.close()
    for listener in listeners:
        listener.close()
    if owned:
        with contextlib.suppress(FileNotFoundError):
            socket_path.unlink()
