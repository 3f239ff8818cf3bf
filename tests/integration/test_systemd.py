"""systemd integration against the real thing: notification datagrams to real
sockets, sockets really inherited by a child process (by hand and through
systemd-socket-activate), and the unit files checked by systemd-analyze.

systemd-analyze and systemd-socket-activate come with Debian's ``systemd``
package; a missing one fails the test with that message, it never skips it.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.integration.tools import require_tool
from traced.daemon.systemd import READY, STOPPING, notify, scrub_environment, status

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
WHY = "it checks traced's systemd integration"
UNITS = [REPO_ROOT / "systemd" / "traced.socket", REPO_ROOT / "systemd" / "traced.service"]
TIMEOUT = 30.0

# Run in the child: adopt the passed sockets, accept the connection the test
# made, greet it, and report on stdout what it got.
CHILD = r"""
import json, os, socket, subprocess, sys
from traced.daemon.systemd import listen_fds_with_names

adopted = listen_fds_with_names(unset=sys.argv[1] == "unset")
sockets = []
for name, sock in adopted:
    sockets.append({
        "name": name,
        "fd": sock.fileno(),
        "family": int(sock.family),
        "type": int(sock.type),
        "inheritable": os.get_inheritable(sock.fileno()),
        "listening": sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN),
        "sockname": sock.getsockname(),
    })
    connection, _ = sock.accept()
    with connection:
        connection.sendall(b"hello from " + str(os.getpid()).encode())
# What a command this process starts would inherit (close_fds=False: every
# inheritable descriptor is passed on).
grandchild = subprocess.run(
    ["sh", "-c", 'echo "${LISTEN_PID-unset} ${LISTEN_FDS-unset} ${LISTEN_FDNAMES-unset}"; '
     'if [ -e /proc/$$/fd/3 ]; then echo fd3-open; else echo fd3-closed; fi'],
    close_fds=False, capture_output=True, text=True, check=True,
).stdout.split("\n")
report = {
    "pid": os.getpid(),
    "sockets": sockets,
    "env": {name: os.environ.get(name) for name in ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES")},
    "grandchild_env": grandchild[0],
    "grandchild_fd3": grandchild[1],
}
print(json.dumps(report), flush=True)
"""


def child_env(**extra: str) -> dict[str, str]:
    env = scrub_environment(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


# notify


def receive(receiver: socket.socket) -> tuple[bytes, int]:
    """One datagram and the pid that sent it (SCM_CREDENTIALS, as systemd checks it)."""
    credentials = struct.Struct("=iII")  # struct ucred: pid, uid, gid
    message, ancillary, _, _ = receiver.recvmsg(4096, socket.CMSG_SPACE(credentials.size))
    [(level, kind, data)] = ancillary
    assert (level, kind) == (socket.SOL_SOCKET, socket.SCM_CREDENTIALS)
    pid, _, _ = credentials.unpack(data)
    return message, pid


def assert_nothing_more(receiver: socket.socket) -> None:
    receiver.setblocking(False)
    with pytest.raises(BlockingIOError):
        receiver.recv(4096)


@pytest.fixture
def receiver() -> Iterator[socket.socket]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        sock.settimeout(TIMEOUT)
        yield sock


def test_notify_to_a_filesystem_socket(
    receiver: socket.socket, short_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = short_dir / "notify"
    receiver.bind(str(path))
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    for state in (READY, status("tracing 2 sessions"), STOPPING):
        assert notify(state) is True
        assert receive(receiver) == (state.encode(), os.getpid())
    assert_nothing_more(receiver)


def test_notify_to_an_abstract_socket(
    receiver: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"traced-test/{os.getpid()}/{uuid.uuid4().hex}"
    receiver.bind(b"\0" + name.encode())
    monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
    assert notify(READY) is True
    assert receive(receiver) == (b"READY=1", os.getpid())
    assert_nothing_more(receiver)


def test_notify_to_a_vanished_socket_is_false_not_an_error(
    short_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = short_dir / "gone"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
    # Closed but still on disk: ECONNREFUSED.
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    assert notify(READY) is False
    # Removed: ENOENT.
    path.unlink()
    assert notify(READY) is False
    # An abstract name nobody binds: ECONNREFUSED.
    monkeypatch.setenv("NOTIFY_SOCKET", f"@traced-test/nobody/{uuid.uuid4().hex}")
    assert notify(STOPPING) is False


# listen_fds, with a socket really inherited at fd 3


@pytest.fixture
def listener(short_dir: Path) -> Iterator[socket.socket]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(short_dir / "listen.sock"))
        sock.listen()
        yield sock


def connect(path: str) -> socket.socket:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(TIMEOUT)
    client.connect(path)
    return client


def spawn_with_fd3(argv: list[str], env: Mapping[str, str], fd: int) -> tuple[int, int]:
    """Start argv with ``fd`` as its fd 3, not close-on-exec, as systemd passes
    sockets; its stdout is a pipe.  Returns (pid, read end of the pipe)."""
    if fd == 3:  # dup2(3, 3) would leave close-on-exec set
        fd = os.dup(fd)
        try:
            return spawn_with_fd3(argv, env, fd)
        finally:
            os.close(fd)
    read_end, write_end = os.pipe()
    try:
        pid = os.posix_spawn(
            argv[0],
            argv,
            env,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, write_end, 1),
                (os.POSIX_SPAWN_DUP2, fd, 3),
            ],
        )
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    return pid, read_end


def collect(pid: int, read_end: int) -> tuple[str, int]:
    """The child's whole stdout and its exit status; kills it if it takes too long."""
    chunks = []
    deadline = time.monotonic() + TIMEOUT
    try:
        while True:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([read_end], [], [], max(remaining, 0))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                pytest.fail(f"the child did not finish within {TIMEOUT} s")
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        _, wait_status = os.waitpid(pid, 0)
    return b"".join(chunks).decode(), os.waitstatus_to_exitcode(wait_status)


def run_activated(argv: list[str], env: Mapping[str, str], listener: socket.socket) -> Any:
    pid, read_end = spawn_with_fd3(argv, env, listener.fileno())
    output, code = collect(pid, read_end)
    assert code == 0, output
    return json.loads(output)


def test_listen_fds_adopts_the_socket_passed_at_fd_3(listener: socket.socket) -> None:
    path = listener.getsockname()
    client = connect(path)  # queued in the backlog until the child accepts it
    with client:
        # The wrapper gives the child its own pid in LISTEN_PID, as systemd does.
        argv = ["/bin/sh", "-c", 'LISTEN_PID=$$ exec "$@"', "sh", sys.executable, "-c", CHILD]
        env = child_env(LISTEN_FDS="1", LISTEN_FDNAMES="traced.socket")
        report = run_activated([*argv, "unset"], env, listener)
        assert client.recv(100) == f"hello from {report['pid']}".encode()
    assert report["sockets"] == [
        {
            "name": "traced.socket",
            "fd": 3,
            "family": socket.AF_UNIX,
            "type": socket.SOCK_STREAM,
            "inheritable": False,
            "listening": 1,
            "sockname": path,
        }
    ]
    assert report["env"] == {"LISTEN_PID": None, "LISTEN_FDS": None, "LISTEN_FDNAMES": None}
    assert report["grandchild_env"] == "unset unset unset"
    assert report["grandchild_fd3"] == "fd3-closed"


def test_listen_fds_can_leave_the_environment(listener: socket.socket) -> None:
    with connect(listener.getsockname()):
        argv = ["/bin/sh", "-c", 'LISTEN_PID=$$ exec "$@"', "sh", sys.executable, "-c", CHILD]
        report = run_activated([*argv, "keep"], child_env(LISTEN_FDS="1"), listener)
    [adopted] = report["sockets"]
    assert adopted["name"] == "unknown" and adopted["inheritable"] is False
    assert report["env"] == {
        "LISTEN_PID": str(report["pid"]),
        "LISTEN_FDS": "1",
        "LISTEN_FDNAMES": None,
    }
    # The socket is close-on-exec even so; the variables name another pid there.
    assert report["grandchild_fd3"] == "fd3-closed"


def test_listen_fds_ignores_sockets_meant_for_another_pid(listener: socket.socket) -> None:
    # LISTEN_PID names this test process: the child merely inherited the variables.
    env = child_env(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
    report = run_activated([sys.executable, "-c", CHILD, "unset"], env, listener)
    assert report["sockets"] == []
    # Unset all the same (as sd_listen_fds does), and the descriptor left alone.
    assert report["env"] == {"LISTEN_PID": None, "LISTEN_FDS": None, "LISTEN_FDNAMES": None}
    assert report["grandchild_fd3"] == "fd3-open"


def test_listen_fds_without_activation_is_empty(listener: socket.socket) -> None:
    report = run_activated([sys.executable, "-c", CHILD, "unset"], child_env(), listener)
    assert report["sockets"] == []


def test_listen_fds_under_systemd_socket_activate(short_dir: Path) -> None:
    activate = require_tool("systemd-socket-activate", WHY)
    path = short_dir / "activate.sock"
    command = [activate, "--listen", str(path), "--fdname=ctl", sys.executable, "-c", CHILD]
    with subprocess.Popen(
        [*command, "unset"],
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            # It execs the command on the first connection.
            deadline = time.monotonic() + TIMEOUT
            while not path.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"systemd-socket-activate did not listen: {process.stderr}")
                time.sleep(0.05)
            with connect(str(path)) as client:
                output, errors = process.communicate(timeout=TIMEOUT)
                greeting = client.recv(100)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0, errors
    report = json.loads(output)
    assert greeting == f"hello from {report['pid']}".encode()
    [adopted] = report["sockets"]
    assert adopted["name"] == "ctl" and adopted["fd"] == 3 and adopted["sockname"] == str(path)
    assert adopted["inheritable"] is False
    assert report["env"] == {"LISTEN_PID": None, "LISTEN_FDS": None, "LISTEN_FDNAMES": None}
    assert report["grandchild_fd3"] == "fd3-closed"


# The unit files


def unit_directives(path: Path) -> dict[str, list[str]]:
    """Every uncommented ``Key=value`` of a unit file, by key."""
    directives: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z]+)=(.*)$", line.strip())
        if match:
            directives.setdefault(match[1], []).append(match[2])
    return directives


def test_units_say_what_the_daemon_relies_on() -> None:
    socket_unit, service_unit = (unit_directives(path) for path in UNITS)
    assert socket_unit["ListenStream"] == ["%t/traced/traced.sock"]
    assert socket_unit["SocketMode"] == ["0600"]
    assert socket_unit["DirectoryMode"] == ["0700"]
    assert service_unit["Type"] == ["notify"]
    assert service_unit["NotifyAccess"] == ["main"]
    assert service_unit["Restart"] == ["on-failure"]
    assert service_unit["ExecStart"][-1].split()[-1] == "daemon"
    # Inherited by launched commands: these would change what they see and do.
    for forbidden in (
        "SystemCallFilter",
        "MemoryDenyWriteExecute",
        "RestrictNamespaces",
        "ProtectHome",
        "PrivateTmp",
        "PrivateUsers",
        "NoNewPrivileges",
    ):
        assert forbidden not in service_unit


def verify(units: list[Path], *, user: bool, runtime_dir: Path) -> list[str]:
    """systemd-analyze verify's complaints about these units (it exits 0 on mere warnings)."""
    analyze = require_tool("systemd-analyze", WHY)
    mode = ["--user"] if user else []
    # A user manager needs XDG_RUNTIME_DIR (it is %t); none runs here, any directory does.
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime_dir)}
    done = subprocess.run(
        [analyze, *mode, "verify", *map(str, units)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = (done.stdout + done.stderr).splitlines()
    complaints = [line for line in output if any(unit.name in line for unit in units)]
    if done.returncode != 0:
        complaints.append(f"systemd-analyze exited with {done.returncode}: {output}")
    return complaints


@pytest.mark.parametrize("user", [True, False], ids=["user", "system"])
def test_systemd_analyze_verify_accepts_the_units(user: bool, short_dir: Path) -> None:
    runtime_dir = short_dir / "runtime"
    runtime_dir.mkdir(mode=0o700)
    assert verify(UNITS, user=user, runtime_dir=runtime_dir) == []


def test_systemd_analyze_verify_would_catch_a_mistake(tmp_path: Path, short_dir: Path) -> None:
    """The check above looks at the output: prove it sees a warning systemd exits 0 on."""
    units = [tmp_path / unit.name for unit in UNITS]
    for original, copy in zip(UNITS, units, strict=True):
        copy.write_text(original.read_text())
    units[1].write_text(units[1].read_text().replace("[Service]\n", "[Service]\nBogus=1\n"))
    runtime_dir = short_dir / "runtime"
    runtime_dir.mkdir(mode=0o700)
    complaints = verify(units, user=True, runtime_dir=runtime_dir)
    assert any("Bogus" in line for line in complaints), complaints
