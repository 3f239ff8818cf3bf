"""``traced top`` on a real pseudo-terminal: the screen shows the expected rows, the
keys act, and the terminal comes back as it was."""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import termios
import time
from pathlib import Path

import pytest

from tests.integration.daemon_fixture import HANG_GUARD, REPO, Peer

pytestmark = pytest.mark.integration

_ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]")


class Top:
    """``traced top ARGS`` on a pty of the test's, 120 columns by 50 lines."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.pid, self.master = pty.fork()
        if self.pid == 0:
            try:
                os.environ.update(env or {}, COLUMNS="120", LINES="50")
                os.chdir(REPO)
                os.execv(str(REPO / ".venv" / "bin" / "traced"), ["traced", "top", *args])
            finally:
                os._exit(127)
        termios.tcsetwinsize(self.master, (50, 120))
        self.raw = b""

    @property
    def text(self) -> str:
        return _ESCAPES.sub(b"", self.raw).decode(errors="replace")

    def until(self, *words: str) -> str:
        deadline = time.monotonic() + HANG_GUARD
        while not all(word in self.text for word in words):
            assert time.monotonic() < deadline, f"not on the screen: {words}: {self.text[-2000:]}"
            if select.select([self.master], [], [], 0.1)[0]:
                self.raw += os.read(self.master, 65536)
        return self.text

    def quit(self) -> int:
        os.write(self.master, b"q")
        deadline = time.monotonic() + HANG_GUARD
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            assert time.monotonic() < deadline, "traced top does not quit"
            if select.select([self.master], [], [], 0.05)[0]:
                with contextlib.suppress(OSError):  # EIO: top is gone
                    self.raw += os.read(self.master, 65536)

    def close(self) -> None:
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.master)


def test_top_of_a_command_shows_its_processes_syscalls_and_paths(tmp_path: Path) -> None:
    target = tmp_path / "watched-file"
    target.write_text("x")
    script = f"for i in 1 2 3; do cat {target}; done; exec sleep 600"
    top = Top("-d", "0.2", "--", "sh", "-c", script)
    as_new = termios.tcgetattr(top.master)
    try:
        screen = top.until("sleep 600", "openat", str(target), "CALLS/S")
        assert re.search(r"cat \S*watched-file", screen)  # each cat, under its shell
        os.write(top.master, b"s")  # sort by errors: the header says so
        top.until("sort: errors")
        assert top.quit() == 0
        assert termios.tcgetattr(top.master) == as_new  # echo and line mode back
    finally:
        top.close()


def test_top_of_the_daemon_shows_its_sessions(daemon: Path, programs: dict[str, Path]) -> None:
    peer = Peer(daemon)
    script = f"while :; do {programs['loop']} 50; sleep 0.1; done"
    session = peer.launch(["sh", "-c", script], detach=True)["result"]["session"]
    top = Top("-d", "0.2", env={"TRACED_SOCKET": str(daemon)})
    try:
        top.until("getppid", "events/s", str(programs["loop"]))
        assert top.quit() == 0
    finally:
        top.close()
        peer.request("signal", session=session, signal="SIGKILL")
