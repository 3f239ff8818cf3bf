"""Clients and targets of another uid, against a root daemon: the machinery of
test_security.py and test_limits.py (which need root to use it).

* :func:`activated_daemon`: a root daemon handed a 0666 socket the way systemd's
  socket activation does, so that any uid may connect and SO_PEERCRED alone decides
  (daemon_fixture.running_daemon, with the settings and environment of such a deployment);
* :func:`nobody_peer` / :func:`connect_as`: a connection made by a process of another
  uid, handed back to the test, which then speaks as that uid;
* :func:`programs_anyone_can_run`: small helper programs (and set-user-ID and
  unreadable copies of sleep and id) in a folder every uid can reach; pytest's tmp
  folders are 0700;
* :class:`Processes`: every process a test starts, killed and reaped at its end.

Kernel facts this module relies on:

* connect(2) to a Unix socket needs search permission on each folder of the path
  and write permission on the socket file (unix(7)).
* SO_PEERCRED is the effective uid and gid of the process that called connect(2),
  taken at that moment.  Handing the connected fd to another process does not change
  it, so a small C helper connects as another uid and hands the connection back over
  SCM_RIGHTS.  The helper stays alive, so the pid that SO_PEERCRED names is still its.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.integration.daemon_fixture import (
    HANG_GUARD,
    Daemon,
    Listen,
    Peer,
    close_all_peers,
    running_daemon,
)
from tests.integration.tools import require_tool

NOBODY = pwd.getpwnam("nobody")
SECRET = "TRACED_TEST_DAEMON_SECRET"
# What a service manager would put in a daemon's environment, and a secret of its own.
DAEMON_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LC_ALL": "C.UTF-8",  # a C locale would make Python add LC_CTYPE to its environment
    "NOTIFY_SOCKET": "@traced-test-no-manager-listens",
    "LISTEN_FDNAMES": "traced.socket",
    "INVOCATION_ID": "0123456789abcdef0123456789abcdef",
    "CREDENTIALS_DIRECTORY": "/run/credentials/traced.service",
    SECRET: "hunter2",
}

C_PROGRAMS = {
    # fdprobe [OUT]: the descriptors it holds, as "FD TARGET" lines, to OUT or stdout.
    # It lists /proc/self/fd and leaves out exactly the one fd that listing uses.
    "fdprobe": r"""
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    static char report[65536];
    size_t used = 0;
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL)
        return 1;
    int own = dirfd(dir);
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
        int fd = atoi(entry->d_name);
        if (entry->d_name[0] == '.' || fd == own)
            continue;
        char link[64], target[PATH_MAX] = "";
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t length = readlink(link, target, sizeof target - 1);
        target[length > 0 ? length : 0] = '\0';
        used += snprintf(report + used, sizeof report - used, "%d %s\n", fd, target);
    }
    closedir(dir);
    FILE *out = argc > 1 ? fopen(argv[1], "w") : stdout;
    return out == NULL || fputs(report, out) < 0 || fclose(out) != 0;
}
""",
    # handover SOCKET FD: connect to SOCKET, send the connection (or the connect errno,
    # as text) over FD, then wait to be killed, so the peer pid stays this process.
    "handover": r"""
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int channel = atoi(argv[2]);
    int conn = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strncpy(address.sun_path, argv[1], sizeof address.sun_path - 1);
    char status[16] = "0";
    int connected = connect(conn, (struct sockaddr *)&address, sizeof address) == 0;
    if (!connected)
        snprintf(status, sizeof status, "%d", errno);
    struct iovec data = {status, strlen(status)};
    union { struct cmsghdr header; char space[CMSG_SPACE(sizeof(int))]; } control;
    struct msghdr message = {.msg_iov = &data, .msg_iovlen = 1};
    if (connected) {
        message.msg_control = control.space;
        message.msg_controllen = sizeof control.space;
        struct cmsghdr *rights = CMSG_FIRSTHDR(&message);
        rights->cmsg_level = SOL_SOCKET;
        rights->cmsg_type = SCM_RIGHTS;
        rights->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(rights), &conn, sizeof conn);
    }
    if (sendmsg(channel, &message, 0) < 0)
        return 1;
    close(channel);
    close(conn);
    pause();
    return 0;
}
""",
}


@contextlib.contextmanager
def world_folder(prefix: str) -> Iterator[Path]:
    """A fresh folder every uid can reach (0755), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    try:
        folder.chmod(0o755)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Programs:
    fdprobe: Path
    handover: Path
    setuid_sleep: Path  # a root-owned set-user-ID copy of sleep
    setuid_id: Path  # a root-owned set-user-ID copy of id
    unreadable_sleep: Path  # sleep that others may run (0711) but not read


@contextlib.contextmanager
def programs_anyone_can_run() -> Iterator[Programs]:
    """The helper programs, built in a folder every uid can reach."""
    gcc = require_tool("gcc", "the security tests build their helper programs")
    with world_folder("traced-security-bin-") as folder:
        for name, source in C_PROGRAMS.items():
            (folder / f"{name}.c").write_text(source)
            command = [gcc, "-O1", "-Wall", "-o", str(folder / name), str(folder / f"{name}.c")]
            built = subprocess.run(command, capture_output=True, text=True)
            assert built.returncode == 0, built.stderr
        copies = {"setuid_sleep": ("sleep", 0o4755), "setuid_id": ("id", 0o4755)}
        copies["unreadable_sleep"] = ("sleep", 0o711)
        for name, (tool, mode) in copies.items():
            shutil.copy(require_tool(tool, "the security tests run copies of it"), folder / name)
            (folder / name).chmod(mode)
        yield Programs(
            folder / "fdprobe",
            folder / "handover",
            folder / "setuid_sleep",
            folder / "setuid_id",
            folder / "unreadable_sleep",
        )


class Processes:
    """Every process a test starts, SIGKILLed (if still there) and reaped at its end."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc_info: object) -> None:
        close_all_peers()  # a launched command ends with its client
        self.stop_all()

    def start(self, argv: list[str], **options: Any) -> subprocess.Popen[bytes]:
        options.setdefault("stdin", subprocess.DEVNULL)
        process = subprocess.Popen(argv, **options)
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=HANG_GUARD)
            for pipe in (process.stdin, process.stdout, process.stderr):
                if pipe is not None:
                    pipe.close()


def settings(allow_uids: tuple[int, ...], more: str = "") -> str:
    """The daemon's settings: ``allow_uids``, a short grace, and ``more`` sections."""
    return f"[daemon]\nallow_uids = {list(allow_uids)}\nkill_grace_seconds = 1.0\n{more}"


def activated_daemon(
    folder: Path,
    *,
    allow_uids: tuple[int, ...] = (),
    extra_fds: tuple[int, ...] = (),
    tty: int | None = None,
    more_config: str = "",
) -> contextlib.AbstractContextManager[Daemon]:
    """A root daemon deployed as systemd would deploy one with ``allow_uids``: handed a
    0666 socket in ``folder`` (so everyone may connect and SO_PEERCRED alone decides),
    in a service manager's environment (:data:`DAEMON_ENV`)."""
    return running_daemon(
        folder,
        config=settings(allow_uids, more_config),
        listen=Listen.ACTIVATED,
        env=DAEMON_ENV,
        pass_fds=extra_fds,
        tty=tty,
    )


def connect_as(
    processes: Processes,
    programs: Programs,
    path: Path,
    *,
    uid: int,
    gid: int,
    groups: tuple[int, ...] = (),
) -> tuple[socket.socket, subprocess.Popen[bytes]]:
    """A connection to ``path`` made by a process of ``uid``, and that process (alive
    until the test ends); OSError with the errno if its connect(2) failed."""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        holder = processes.start(
            [str(programs.handover), str(path), str(theirs.fileno())],
            user=uid,
            group=gid,
            extra_groups=list(groups),
            pass_fds=(theirs.fileno(),),
        )
        theirs.close()
        status, fds, _, _ = socket.recv_fds(ours, 16, 1)
    if status != b"0":
        raise OSError(int(status), os.strerror(int(status)))
    return socket.socket(fileno=fds[0]), holder


def nobody_peer(
    processes: Processes, programs: Programs, daemon: Daemon, groups: tuple[int, ...] = ()
) -> tuple[Peer, subprocess.Popen[bytes]]:
    """A connection of ``nobody`` (with ``groups``), admitted by the daemon."""
    sock, holder = connect_as(
        processes, programs, daemon.socket, uid=NOBODY.pw_uid, gid=NOBODY.pw_gid, groups=groups
    )
    peer = Peer.adopt(sock)
    assert peer.hello["type"] == "hello", (peer.hello, daemon.output())
    return peer, holder
