"""The command line as a user meets it: signals to a launch whose command is gone."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.procscan import alive

pytestmark = pytest.mark.integration


def test_sigterm_ends_a_launch_whose_command_has_left_children(tmp_path: Path) -> None:
    # The command exits at once; its child lives on, traced.  SIGTERM cannot be
    # passed to the command any more, so traced ends (128 + 15), and
    # PTRACE_O_EXITKILL takes the child with it rather than leaving it behind.
    pidfile = tmp_path / "child.pid"
    script = f"sleep 60 & echo $! > {pidfile}; exit 0"
    argv = [sys.executable, "-m", "traced", "launch", "-f", "--no-daemon", "-e", "trace=none"]
    launch = subprocess.Popen([*argv, "--", "sh", "-c", script], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not pidfile.exists() or not pidfile.read_text().strip():
        assert time.monotonic() < deadline, "the command never started its child"
        time.sleep(0.02)
    child = int(pidfile.read_text())
    time.sleep(0.2)  # let the command itself exit
    launch.send_signal(signal.SIGTERM)
    assert launch.wait(timeout=10) == 128 + signal.SIGTERM
    deadline = time.monotonic() + 5
    while alive(child):  # a zombie has ended; its parent (sh) is gone too
        assert time.monotonic() < deadline, "the traced child outlived its tracer"
        time.sleep(0.02)
