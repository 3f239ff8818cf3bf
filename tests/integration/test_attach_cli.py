"""``traced attach`` (or strace's ``traced -p PID``) as a user meets it: the notices
strace prints, the call it lets go shown as ``<detached ...>``, and Ctrl-C's 130.

In-process and through a daemon alike, on real processes blocked in real syscalls.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.integration.daemon_fixture import HANG_GUARD, REPO, running_daemon
from traced import __version__

pytestmark = pytest.mark.integration

MODES = ("--no-daemon", "--daemon")
READER = "import sys; sys.stdin.buffer.read(1)"


def _state(pid: int) -> str:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0]


def _asleep(pid: int) -> None:
    """Until ``pid`` sleeps in its syscall again: past the entry stop our attach made."""
    deadline = time.monotonic() + HANG_GUARD
    while _state(pid) != "S":
        assert time.monotonic() < deadline, f"pid {pid} stays {_state(pid)}"
        time.sleep(0.01)


@contextmanager
def _socket(mode: str, tmp_path: Path) -> Iterator[list[str]]:
    """The options that point traced at a daemon of its own (none in-process)."""
    if mode == "--no-daemon":
        yield [mode]
        return
    with running_daemon(tmp_path) as started:
        yield ["--socket", str(started.socket), mode]


def _interrupted_attach(options: list[str], pid: int) -> tuple[int, str]:
    """``traced [options] -p PID``, Ctrl-C'd once its tracee sleeps again: status, stderr."""
    traced = subprocess.Popen(
        [sys.executable, "-m", "traced", *options, "-p", str(pid)],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert traced.stderr is not None
        first = traced.stderr.readline()
        assert first == f"traced: Process {pid} attached\n", first
        _asleep(pid)
        traced.send_signal(signal.SIGINT)
        rest = traced.stderr.read()
        return traced.wait(timeout=HANG_GUARD), first + rest
    finally:
        if traced.poll() is None:
            traced.kill()
            traced.wait()
        if traced.stderr is not None:
            traced.stderr.close()


@pytest.mark.parametrize("mode", MODES)
def test_ctrl_c_lets_a_reader_go_mid_read_as_strace_shows_it(mode: str, tmp_path: Path) -> None:
    reader = subprocess.Popen([sys.executable, "-c", READER], stdin=subprocess.PIPE)
    assert reader.stdin is not None
    try:
        _asleep(reader.pid)
        with _socket(mode, tmp_path) as options:
            status, err = _interrupted_attach(options, reader.pid)
        assert status == 128 + signal.SIGINT, err
        lines = err.splitlines()
        assert "read(0,  <detached ...>" in lines, err
        assert f"traced: Process {reader.pid} detached" in lines, err
        assert not [line for line in lines if "ERESTART" in line], err
        reader.stdin.write(b"x")  # untraced now, it finishes its read as if never watched
        reader.stdin.close()
        assert reader.wait(timeout=HANG_GUARD) == 0
    finally:
        reader.kill()
        reader.wait()
        reader.stdin.close()


@pytest.mark.parametrize("mode", MODES)
def test_a_sleeper_shows_the_restart_syscall_it_was_resuming(mode: str, tmp_path: Path) -> None:
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        _asleep(sleeper.pid)
        with _socket(mode, tmp_path) as options:
            status, err = _interrupted_attach(options, sleeper.pid)
        assert status == 128 + signal.SIGINT, err
        shown = "restart_syscall(<... resuming interrupted system call ...> <detached ...>"
        assert shown in err.splitlines(), err
        assert sleeper.poll() is None and _state(sleeper.pid) == "S"  # asleep, untraced
        assert "TracerPid:\t0" in Path(f"/proc/{sleeper.pid}/status").read_text()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_the_version_is_the_packages() -> None:
    for flag in ("-V", "--version"):
        argv = [sys.executable, "-m", "traced", flag]
        done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False)
        assert (done.returncode, done.stdout) == (0, f"traced {__version__}\n"), done
