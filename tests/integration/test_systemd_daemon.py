"""The real daemon under socket activation: first through systemd-socket-activate,
then with the real units under a real ``systemd --user`` manager.

Every wait is bounded (a broken daemon or manager fails the test in well under
a minute) and every process started here is stopped in ``finally``: the
daemon, the commands it launched and the user manager.

``systemd --user`` starts only where sd_booted() holds (/run/systemd/system
exists; created here if missing and removed again) and with its own
XDG_RUNTIME_DIR, XDG_CONFIG_HOME and XDG_DATA_HOME: besides the packaged user
units it loads only traced's, and it talks to no other manager.
If the manager itself cannot start here, the test is skipped with its output;
once it runs, anything wrong with the units or the daemon fails the test.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.daemon_fixture import REPO, Peer, close_all_peers
from tests.integration.procscan import alive, cmdline, daemon_tracers, parent_of, wait_for
from tests.integration.tools import require_tool
from traced.daemon.systemd import SYSTEMD_VARIABLES, scrub_environment

pytestmark = pytest.mark.integration

WHY = "it checks traced's systemd integration"
UNITS = REPO / "systemd"
RUN_SYSTEMD_SYSTEM = Path("/run/systemd/system")


class Deadline:
    """One time budget for a whole test, shared by all its waits."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self, cap: float) -> float:
        return max(min(self.end - time.monotonic(), cap), 0.1)


# Processes


def has_execed(pid: int, program: bytes) -> bool:
    """The launch answer comes before the command's execve: until then
    /proc/PID shows the daemon's forked child, with the daemon's environment."""
    argv = cmdline(pid)
    return bool(argv) and os.path.basename(argv[0]) == program


def kill_leftover(pid: int, marker: bytes) -> None:
    """SIGKILL ``pid`` if it still runs and its argv contains ``marker`` (not a reused pid)."""
    if alive(pid) and any(marker in arg for arg in cmdline(pid)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def environment_names(pid: int) -> set[str]:
    environ = Path(f"/proc/{pid}/environ").read_bytes()
    return {entry.split(b"=", 1)[0].decode() for entry in environ.split(b"\0") if entry}


def stop_group(process: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM the process, SIGKILL its whole process group if it lingers, reap it."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=5)


# Protocol clients with bounded reads


def connect_peer(path: Path, timeout: float) -> Peer:
    """A :class:`Peer` whose socket times out (connect, hello and every later read)."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        return Peer(path)
    finally:
        socket.setdefaulttimeout(previous)


def run_exit_3(peer: Peer, launched: list[int]) -> list[dict[str, Any]]:
    """Launch ``sh -c 'exit 3'`` traced for execve; its session's messages."""
    answer = peer.launch(["sh", "-c", "exit 3"], trace="execve")
    assert answer["type"] == "response", answer
    launched.append(answer["result"]["pid"])
    session = answer["result"]["session"]
    messages = [m for m in peer.messages_until_end(session) if m.get("session") == session]
    [end] = [m for m in messages if m["type"] == "session_end"]
    assert (end["status"], end["code"], end["error"]) == (3, 3, None), end
    calls = [m for m in messages if m["type"] == "syscall"]
    assert calls and {c["name"] for c in calls} == {"execve"}, messages
    assert any(c["retval"] == 0 and c["args"][0]["value"].endswith("/sh") for c in calls), calls
    return messages


def launch_detached_sleep(peer: Peer, seconds: int, launched: list[int], timeout: float) -> int:
    answer = peer.launch(["sleep", str(seconds)], trace="none", detach=True)
    assert answer["type"] == "response", answer
    pid: int = answer["result"]["pid"]
    launched.append(pid)
    assert wait_for(lambda: has_execed(pid, b"sleep"), timeout), f"{pid}: {cmdline(pid)}"
    return pid


def assert_clean_command(pid: int) -> None:
    """What systemd passed to the daemon does not reach the commands it launches."""
    leaked = environment_names(pid) & set(SYSTEMD_VARIABLES)
    assert not leaked, f"the launched command inherited {sorted(leaked)}"
    fds = sorted(int(fd) for fd in os.listdir(f"/proc/{pid}/fd"))
    assert fds == [0, 1, 2], f"the launched command has the daemon's fds: {fds}"


# 1. systemd-socket-activate


def receive_notification(receiver: socket.socket) -> tuple[list[bytes], int]:
    """One sd_notify datagram, as its lines, and the pid that sent it."""
    credentials = struct.Struct("=iII")  # struct ucred: pid, uid, gid
    message, ancillary, _, _ = receiver.recvmsg(4096, socket.CMSG_SPACE(credentials.size))
    [(level, kind, data)] = ancillary
    assert (level, kind) == (socket.SOL_SOCKET, socket.SCM_CREDENTIALS)
    pid, _, _ = credentials.unpack(data)
    return message.split(b"\n"), pid


def test_socket_activation_with_systemd_socket_activate(short_dir: Path) -> None:
    activate = require_tool("systemd-socket-activate", WHY)
    deadline = Deadline(40)
    path = short_dir / "traced.sock"
    notify_path = short_dir / "notify"
    launched: list[int] = []
    command = [
        activate,
        f"--listen={path}",
        "--fdname=traced.socket",
        f"--setenv=NOTIFY_SOCKET={notify_path}",
        sys.executable,
        "-m",
        "traced",
        "daemon",
    ]
    with (
        socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as receiver,
        (short_dir / "daemon.log").open("wb") as log,
    ):
        receiver.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        receiver.bind(str(notify_path))
        process = subprocess.Popen(
            command,
            env=scrub_environment(os.environ),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            start_new_session=True,
        )

        def output() -> str:
            return (short_dir / "daemon.log").read_text(errors="replace")

        try:
            ready = wait_for(lambda: path.exists() or process.poll() is not None, deadline.left(10))
            assert ready and process.poll() is None, f"not listening: {output()}"
            # Nothing runs the daemon yet: it is exec'd on the first connection.
            assert os.path.basename(cmdline(process.pid)[0]) == b"systemd-socket-activate"

            peer = connect_peer(path, deadline.left(15))
            assert peer.hello["type"] == "hello" and peer.hello["protocol"] == 1, peer.hello
            assert cmdline(process.pid)[-3:] == [b"-m", b"traced", b"daemon"]
            receiver.settimeout(deadline.left(10))
            lines, sender = receive_notification(receiver)
            assert lines[0] == b"READY=1" and sender == process.pid, (lines, sender)

            run_exit_3(peer, launched)
            sleeper = launch_detached_sleep(peer, 5, launched, deadline.left(10))
            assert_clean_command(sleeper)
            peer.close()

            process.send_signal(signal.SIGTERM)
            returncode = process.wait(timeout=deadline.left(15))
            assert returncode == 0, f"the daemon exited with {returncode}: {output()}"
            receiver.settimeout(deadline.left(5))
            lines, sender = receive_notification(receiver)
            assert lines == [b"STOPPING=1"] and sender == process.pid, (lines, sender)
            # It ended what it launched, and left alone the socket it was given.
            assert wait_for(lambda: not alive(sleeper), deadline.left(10))
            assert path.exists()
            print(f"systemd-socket-activate: daemon {process.pid}, {len(launched)} launches")
        finally:
            close_all_peers()
            stop_group(process, grace=5)
            for pid in launched:
                kill_leftover(pid, b"sleep")


# 2. The real units under a real systemd --user


def unit_copies(units: Path, service_log: Path) -> None:
    """traced.socket as is; traced.service with ExecStart= this checkout's daemon,
    and a drop-in that sends the daemon's output to ``service_log``: no journald
    runs here, so without it a failing daemon's traceback would be lost."""
    units.mkdir(parents=True)
    shutil.copy(UNITS / "traced.socket", units / "traced.socket")
    script = Path(sys.executable).with_name("traced")
    exec_start = f"{script} daemon" if script.exists() else f"{sys.executable} -m traced daemon"
    service, count = re.subn(
        r"^ExecStart=.*$",
        lambda _: f"ExecStart={exec_start}",
        (UNITS / "traced.service").read_text(),
        flags=re.MULTILINE,
    )
    assert count == 1, "traced.service must have exactly one ExecStart= line"
    (units / "traced.service").write_text(service)
    (units / "traced.service.d").mkdir()
    (units / "traced.service.d" / "log.conf").write_text(
        f"[Service]\nStandardOutput=append:{service_log}\nStandardError=inherit\n"
    )


class ContainedCgroups:
    """A fresh cgroup in each hierarchy systemd tracks itself in, for the manager.

    A user manager that finds itself in the root cgroup (a host without systemd
    as PID 1) makes init.scope there and moves every process of the root into it,
    the test runner's and everyone else's.  Started inside its own sub-cgroup it
    takes that for its root and touches nothing outside it.
    """

    HIERARCHIES = (Path("/sys/fs/cgroup/systemd"), Path("/sys/fs/cgroup/unified"))

    def __init__(self, name: str) -> None:
        self.paths = [root / name for root in self.HIERARCHIES if (root / "cgroup.procs").exists()]

    def __enter__(self) -> ContainedCgroups:
        for path in self.paths:
            path.mkdir()
        return self

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` run from inside the cgroups: a shell joins them, then execs it."""
        joins = "".join(f"echo $$ > {path}/cgroup.procs; " for path in self.paths)
        return ["/bin/sh", "-c", joins + 'exec "$@"', "sh", *argv]

    def __exit__(self, *exc_info: object) -> None:
        for path in self.paths:
            for pid in _pids_below(path):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            for child in sorted(path.rglob("*"), key=lambda p: -len(p.parts)):
                if child.is_dir():
                    with contextlib.suppress(OSError):
                        child.rmdir()
            with contextlib.suppress(OSError):
                path.rmdir()


def _pids_below(path: Path) -> list[int]:
    return [int(pid) for procs in path.rglob("cgroup.procs") for pid in procs.read_text().split()]


class UserManager:
    """``systemd --user`` with a private runtime, config and data folders."""

    def __init__(self, top: Path, deadline: Deadline) -> None:
        self.systemd = require_tool(
            "systemd", WHY, "/lib/systemd/systemd", "/usr/lib/systemd/systemd"
        )
        self.systemctl_path = require_tool("systemctl", WHY)
        self.deadline = deadline
        self.runtime = top / "rt"
        self.runtime.mkdir()
        self.runtime.chmod(0o700)
        self.log_path = top / "manager.log"
        # A user manager logs to /dev/console (no journald here): its stderr
        # has only what it prints before that, e.g. why it could not start.
        self.service_log = top / "service.log"
        self.env = scrub_environment(os.environ)
        self.env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        self.env.update(
            XDG_RUNTIME_DIR=str(self.runtime),
            XDG_CONFIG_HOME=str(top / "config"),
            XDG_DATA_HOME=str(top / "data"),
            XDG_STATE_HOME=str(top / "state"),
            XDG_CACHE_HOME=str(top / "cache"),
            SYSTEMD_LOG_COLOR="0",
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, cgroups: ContainedCgroups) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                cgroups.wrap([self.systemd, "--user"]),
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd="/",
                start_new_session=True,
            )
        process = self.process
        private = self.runtime / "systemd" / "private"
        up = wait_for(
            lambda: private.exists() or process.poll() is not None, self.deadline.left(15)
        )
        if not up or process.poll() is not None:
            state = "did not open" if not up else f"exited with {process.returncode} before"
            pytest.skip(
                f"systemd --user cannot run here: it {state} $XDG_RUNTIME_DIR/systemd/private; "
                f"its output: {self.log()[-2000:]!r} "
                f"(/run/systemd/system exists: {RUN_SYSTEMD_SYSTEM.is_dir()})"
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def systemctl(self, *args: str, cap: float = 10) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.systemctl_path, "--user", "--no-pager", *args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=self.deadline.left(cap),
            check=False,
        )

    def state(self, unit: str) -> str:
        return self.systemctl("is-active", unit).stdout.strip()

    def show(self, unit: str, prop: str) -> str:
        return self.systemctl("show", "--property", prop, "--value", unit).stdout.strip()

    def diagnose(self) -> str:
        """The units' status and the manager's log, for failure messages."""
        try:
            done = self.systemctl("status", "--lines=30", "traced.socket", "traced.service", cap=5)
            status = done.stdout + done.stderr
        except subprocess.TimeoutExpired:
            status = "(systemctl status timed out)"
        try:
            daemon = self.service_log.read_text(errors="replace")[-3000:]
        except FileNotFoundError:
            daemon = "(none)"
        manager = self.log()[-2000:]
        return f"\n{status}\ntraced.service output:\n{daemon}\nsystemd --user output:\n{manager}"

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                subprocess.run(
                    [self.systemctl_path, "--user", "stop", "traced.service", "traced.socket"],
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=4,
                    check=False,
                )
        stop_group(self.process, grace=6)


@contextlib.contextmanager
def booted_with_systemd() -> Iterator[None]:
    """/run/systemd/system for the duration (sd_booted(); systemd --user checks it)."""
    created = not RUN_SYSTEMD_SYSTEM.exists()
    if created:
        RUN_SYSTEMD_SYSTEM.mkdir(parents=True)
    try:
        yield
    finally:
        if created:
            with contextlib.suppress(OSError):
                RUN_SYSTEMD_SYSTEM.rmdir()


def test_units_under_a_real_systemd_user_manager(short_dir: Path) -> None:
    deadline = Deadline(35)
    manager = UserManager(short_dir, deadline)
    unit_copies(short_dir / "config" / "systemd" / "user", manager.service_log)
    sock = manager.runtime / "traced" / "traced.sock"
    launched: list[int] = []
    main_pid = 0
    with booted_with_systemd(), ContainedCgroups(f"traced-test-{os.getpid()}") as cgroups:
        try:
            manager.start(cgroups)
            started = manager.systemctl("start", "traced.socket")
            assert started.returncode == 0, f"{started.stderr}{manager.diagnose()}"
            assert manager.state("traced.socket") == "active", manager.diagnose()
            assert manager.state("traced.service") == "inactive", manager.diagnose()
            mode = sock.stat().st_mode
            assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600, oct(mode)
            assert stat.S_IMODE(sock.parent.stat().st_mode) == 0o700

            # The first connection starts the service, which adopts the socket.
            try:
                peer = connect_peer(sock, deadline.left(15))
            except (OSError, AssertionError) as error:
                pytest.fail(f"no daemon answered on traced.socket: {error!r}{manager.diagnose()}")
            assert peer.hello["type"] == "hello" and peer.hello["protocol"] == 1, peer.hello
            # Type=notify: "active" only once READY=1 arrived from the main process.
            states = ["inactive"]

            def service_active() -> bool:
                states.append(manager.state("traced.service"))
                return states[-1] == "active"

            active = wait_for(service_active, deadline.left(15), interval=0.1)
            assert active, f"traced.service stayed {states[-1]!r}{manager.diagnose()}"
            main_pid = int(manager.show("traced.service", "MainPID"))
            assert b"daemon" in cmdline(main_pid), cmdline(main_pid)

            run_exit_3(peer, launched)
            sleeper = launch_detached_sleep(peer, 30, launched, deadline.left(10))
            assert_clean_command(sleeper)
            # The child of the daemon or of one of its tracer workers, in the service's
            # cgroup (what KillMode=mixed acts on), as its workers are.
            tracers = daemon_tracers(main_pid)
            assert parent_of(sleeper) in tracers, (parent_of(sleeper), tracers)
            for pid in (sleeper, *tracers):
                assert "/traced.service" in Path(f"/proc/{pid}/cgroup").read_text()
            peer.close()

            stopped = manager.systemctl("stop", "traced.service", "traced.socket", cap=15)
            assert stopped.returncode == 0, f"{stopped.stderr}{manager.diagnose()}"
            assert manager.state("traced.service") == "inactive", manager.diagnose()
            assert manager.state("traced.socket") == "inactive", manager.diagnose()
            # A clean exit on SIGTERM, never restarted, and nothing it launched left.
            assert manager.show("traced.service", "Result") == "success", manager.diagnose()
            assert manager.show("traced.service", "NRestarts") == "0", manager.diagnose()
            assert wait_for(lambda: not alive(sleeper), deadline.left(5))
            assert not any(alive(pid) for pid in tracers), tracers
            print(f"systemd --user: traced.service (pid {main_pid}) activated, launched, stopped")
        finally:
            close_all_peers()
            manager.stop()
            if main_pid:
                kill_leftover(main_pid, b"traced")
            for pid in launched:
                kill_leftover(pid, b"sleep")


def test_service_install_now_under_a_real_systemd_user_manager(short_dir: Path) -> None:
    """``traced service install --now``, ``status`` and ``uninstall``, as a user types
    them, against a running user manager: the socket listens and is enabled, a
    connection starts the daemon, and uninstall leaves nothing behind."""
    deadline = Deadline(35)
    manager = UserManager(short_dir, deadline)
    units = short_dir / "config" / "systemd" / "user"
    main_pid = 0

    def service(action: str, *options: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "traced", "service", action, *options]
        return subprocess.run(
            argv, env=manager.env, cwd=REPO, capture_output=True, text=True, timeout=60
        )

    with booted_with_systemd(), ContainedCgroups(f"traced-test-{os.getpid()}") as cgroups:
        try:
            manager.start(cgroups)
            installed = service("install", "--now")
            assert installed.returncode == 0, f"{installed.stderr}{manager.diagnose()}"
            assert "traced.socket listens" in installed.stdout, installed.stdout
            assert manager.systemctl("is-enabled", "traced.socket").stdout.strip() == "enabled"
            assert manager.state("traced.socket") == "active", manager.diagnose()
            status = service("status")  # its connection starts the service
            assert status.returncode == 0, f"{status.stdout}{manager.diagnose()}"
            assert re.search(r"^socket: .*: answers: traced", status.stdout, re.M), status.stdout
            main_pid = int(manager.show("traced.service", "MainPID"))
            assert main_pid and b"daemon" in cmdline(main_pid), manager.diagnose()

            removed = service("uninstall")
            assert removed.returncode == 0, f"{removed.stderr}{manager.diagnose()}"
            assert not (units / "traced.socket").exists()
            assert not (units / "traced.service").exists()
            assert manager.state("traced.socket") == "inactive", manager.diagnose()
            assert wait_for(lambda: not alive(main_pid), deadline.left(10))
        finally:
            close_all_peers()
            manager.stop()
            if main_pid:
                kill_leftover(main_pid, b"traced")
