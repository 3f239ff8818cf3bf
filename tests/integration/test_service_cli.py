"""``traced service`` and the client's word when a socket does not answer, for real.

No user manager runs here (nor in CI), so ``systemctl --user`` fails as it does
outside a login session: the tests check that traced says so in one line, after
writing the units; then that the units it wrote are ones systemd accepts and
whose ExecStart starts a daemon with no PATH at all, through
systemd-socket-activate, as the user manager would start it.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.daemon_fixture import HANG_GUARD, REPO
from tests.integration.test_systemd import unit_directives, verify
from tests.integration.tools import require_tool

pytestmark = pytest.mark.integration

WHY = "it runs traced service's units as systemd would"


def service(action: str, env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "traced", "service", action, *options]
    return subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.fixture
def no_user_manager(tmp_path: Path) -> dict[str, str]:
    """An environment whose systemctl --user reaches no manager, with its own config."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    return {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_RUNTIME_DIR": str(runtime),
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={runtime}/no-bus",
    }


def test_install_writes_units_that_start_a_daemon_without_path(
    no_user_manager: dict[str, str], short_dir: Path
) -> None:
    done = service("install", no_user_manager, "--now")
    units = Path(no_user_manager["XDG_CONFIG_HOME"]) / "systemd" / "user"
    written = [units / "traced.socket", units / "traced.service"]
    assert all(path.exists() for path in written), done.stdout
    # No user manager: one line says which step failed, one what to do; no traceback.
    assert done.returncode == 1 and "Traceback" not in done.stderr
    [failed, advice] = done.stderr.splitlines()
    assert failed.startswith("traced: `systemctl --user daemon-reload` failed: "), failed
    assert "systemctl --user enable --now traced.socket" in advice
    assert verify(written, user=True, runtime_dir=Path(no_user_manager["XDG_RUNTIME_DIR"])) == []
    [start] = unit_directives(written[1])["ExecStart"]
    assert shlex.split(start) == [sys.executable, "-m", "traced", "daemon"]
    activate = require_tool("systemd-socket-activate", WHY)
    path = short_dir / "svc.sock"
    # What the user manager does on the first connection, with an empty environment.
    with subprocess.Popen(
        [activate, "--listen", str(path), *shlex.split(start)],
        env={"XDG_RUNTIME_DIR": no_user_manager["XDG_RUNTIME_DIR"]},
        stderr=subprocess.DEVNULL,
    ) as daemon:
        try:
            deadline = time.monotonic() + HANG_GUARD
            while not path.exists():
                assert time.monotonic() < deadline and daemon.poll() is None
                time.sleep(0.05)
            argv = [sys.executable, "-m", "traced", "--socket", str(path), "launch", "-f"]
            argv += ["--daemon", "-e", "trace=none", "--", "true"]
            launched = subprocess.run(argv, capture_output=True, text=True, timeout=HANG_GUARD)
            assert launched.returncode == 0, launched.stderr
        finally:
            daemon.terminate()
            daemon.wait(timeout=HANG_GUARD)


def test_uninstall_removes_what_install_wrote(no_user_manager: dict[str, str]) -> None:
    service("install", no_user_manager)
    units = Path(no_user_manager["XDG_CONFIG_HOME"]) / "systemd" / "user"
    assert sorted(path.name for path in units.iterdir()) == ["traced.service", "traced.socket"]
    done = service("uninstall", no_user_manager)
    assert list(units.iterdir()) == [] and "removed traced.socket, traced.service" in done.stdout


@pytest.fixture
def mute_socket(short_dir: Path) -> Iterator[Path]:
    """A socket that accepts each connection and closes it unanswered: a socket unit
    whose service fails to start (``service-start-limit-hit``)."""
    path = short_dir / "mute.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(path))
        listener.listen()
        listener.settimeout(0.2)
        done = threading.Event()

        def close_each() -> None:
            while not done.is_set():
                try:
                    connection, _ = listener.accept()
                except TimeoutError:
                    continue
                connection.close()

        thread = threading.Thread(target=close_each)
        thread.start()
        try:
            yield path
        finally:
            done.set()
            thread.join()


def test_a_socket_that_does_not_answer_is_an_error_not_a_fallback(
    mute_socket: Path, tmp_path: Path
) -> None:
    ran = tmp_path / "ran"
    env = {**os.environ, "TRACED_SOCKET": str(mute_socket)}
    argv = [sys.executable, "-m", "traced", "launch", "-f", "--", "touch", str(ran)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=HANG_GUARD)
    assert done.returncode == 1 and not ran.exists()  # no silent in-process trace
    [line] = done.stderr.splitlines()
    assert line.startswith(f"traced: {mute_socket} accepted the connection but closed it"), line
    assert "traced service status" in line
    status = service("status", env)
    assert status.returncode == 1
    assert "accepts connections but no daemon answers" in status.stdout, status.stdout


@pytest.fixture
def silent_socket(short_dir: Path) -> Iterator[Path]:
    """A socket that accepts each connection and never says a word: a service that
    hangs before its greeting."""
    path = short_dir / "silent.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(path))
        listener.listen()
        yield path


def test_a_silent_socket_is_an_error_once_the_hello_timeout_ends(
    silent_socket: Path, tmp_path: Path
) -> None:
    ran = tmp_path / "ran"
    env = {**os.environ, "TRACED_SOCKET": str(silent_socket), "TRACED_HELLO_TIMEOUT": "0.5"}
    argv = [sys.executable, "-m", "traced", "launch", "-f", "--", "touch", str(ran)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=HANG_GUARD)
    assert done.returncode == 1 and not ran.exists()  # no silent in-process trace
    [line] = done.stderr.splitlines()
    assert line.startswith(f"traced: {silent_socket} accepted the connection but timed out"), line


def test_a_hello_timeout_that_is_no_number_of_seconds_is_refused(silent_socket: Path) -> None:
    env = {**os.environ, "TRACED_SOCKET": str(silent_socket), "TRACED_HELLO_TIMEOUT": "soon"}
    argv = [sys.executable, "-m", "traced", "ps"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=HANG_GUARD)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "TRACED_HELLO_TIMEOUT='soon' is not a number of seconds above 0" in done.stderr
