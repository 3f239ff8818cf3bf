"""A command launched through the daemon from a terminal gets a terminal of its own.

Each test runs ``traced launch --daemon`` on a real pseudo-terminal it holds the
master of (``pty.fork``), types into it as a user would, and reads the screen.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.integration.daemon_fixture import HANG_GUARD, REPO, Peer

pytestmark = pytest.mark.integration


class Screen:
    """``traced launch --daemon -e trace=none -- sh -c SCRIPT`` on a pty of the test's."""

    def __init__(self, daemon: Path, script: str, *options: str) -> None:
        argv = ["traced", "launch", "-f", "--daemon", "-e", "trace=none", *options, "--"]
        self.pid, self.master = pty.fork()
        if self.pid == 0:  # the child: traced, on the pty's slave
            try:
                os.environ["TRACED_SOCKET"] = str(daemon)
                os.chdir(REPO)
                os.execv(str(REPO / ".venv" / "bin" / "traced"), [*argv, "sh", "-c", script])
            finally:
                os._exit(127)
        self.seen = b""

    def until(self, text: bytes) -> bytes:
        """Read the screen until ``text`` shows; fails after the hang guard."""
        deadline = time.monotonic() + HANG_GUARD
        while text not in self.seen:
            assert time.monotonic() < deadline, f"no {text!r} on the screen: {self.seen!r}"
            if select.select([self.master], [], [], 0.1)[0]:
                try:
                    self.seen += os.read(self.master, 4096)
                except OSError:  # EIO: traced is gone
                    assert text in self.seen, f"no {text!r} on the screen: {self.seen!r}"
        return self.seen

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def status(self, options: int = 0) -> int:
        """traced's exit status (or, with WUNTRACED, -signal if it stopped)."""
        deadline = time.monotonic() + HANG_GUARD
        while True:
            pid, status = os.waitpid(self.pid, options | os.WNOHANG)
            if pid:
                return (
                    -os.WSTOPSIG(status)
                    if os.WIFSTOPPED(status)
                    else os.waitstatus_to_exitcode(status)
                )
            assert time.monotonic() < deadline, f"traced runs on: {self.seen!r}"
            with_eio = select.select([self.master], [], [], 0.05)[0]
            if with_eio:
                try:
                    self.seen += os.read(self.master, 4096)
                except OSError:
                    time.sleep(0.05)

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.master)


@contextmanager
def screen(daemon: Path, script: str, *options: str) -> Iterator[Screen]:
    shown = Screen(daemon, script, *options)
    try:
        yield shown
    finally:
        shown.close()


TIOCGPTN = 0x80045430  # x86_64's: the number of a pty master's slave, /dev/pts/N


def test_the_command_opens_dev_tty_a_terminal_of_its_own(daemon: Path) -> None:
    with screen(daemon, 'exec 3</dev/tty && echo "got-tty $(tty)"') as shown:
        [number] = struct.unpack("I", fcntl.ioctl(shown.master, TIOCGPTN, b"\0" * 4))
        assert shown.status() == 0
        screen_text = shown.until(b"+++ exited with 0 +++").decode()
    ours = f"/dev/pts/{number}"
    [theirs] = re.findall(r"got-tty (\S+)", screen_text)
    assert theirs.startswith("/dev/pts/") and theirs != ours  # not ours: its own pty
    # Its last words come before traced's line for its end, as they would in-process.
    assert screen_text.index("got-tty") < screen_text.rindex("\n+++ exited with 0 +++")


def test_typed_lines_are_echoed_and_edited_by_the_commands_terminal(daemon: Path) -> None:
    with screen(daemon, 'echo ready; read line; echo "read:$line"') as shown:
        shown.until(b"ready")
        shown.type(b"helo\x7flo\r")  # a typo, erased with backspace: the line discipline's
        assert b"read:hello" in shown.until(b"read:hello")
        assert shown.status() == 0


def test_ctrl_c_reaches_the_command(daemon: Path) -> None:
    script = 'trap "echo got-int; exit 3" INT; echo ready; while :; do sleep 0.1; done'
    with screen(daemon, script) as shown:
        shown.until(b"ready")
        shown.type(b"\x03")
        shown.until(b"got-int")
        assert shown.status() == 3


# Two ways a command stops on Ctrl-Z: a handler of SIGTSTP that stops itself with
# SIGSTOP (as top does), and sh reading a line, at SIGTSTP's default action (which the
# kernel would discard in an orphaned group: a command leading its own session).
STOPS_ON_CTRL_Z = (
    "import os, signal\n"
    "signal.signal(signal.SIGTSTP, lambda *_: os.kill(os.getpid(), signal.SIGSTOP))\n"
    "print('ready', flush=True)\n"
    "print('after:' + input())\n"
)
CTRL_Z_SCRIPTS = [
    f'exec {sys.executable} -c "{STOPS_ON_CTRL_Z}"',
    'echo ready; read line; echo "after:$line"',
]


@pytest.mark.parametrize("script", CTRL_Z_SCRIPTS, ids=["sigstop-handler", "default-action"])
def test_ctrl_z_stops_traced_with_its_command_and_fg_resumes_both(
    daemon: Path, script: str
) -> None:
    with screen(daemon, script) as shown:
        shown.until(b"ready")
        shown.type(b"\x1a")
        assert shown.status(os.WUNTRACED) == -signal.SIGSTOP  # as a shell's job stops
        assert termios.tcgetattr(shown.master)[3] & termios.ICANON  # cooked for the shell
        os.kill(shown.pid, signal.SIGCONT)  # what the shell's fg does
        shown.type(b"go\r")
        assert b"after:go" in shown.until(b"after:go")
        assert shown.status() == 0


def test_the_terminal_comes_back_as_it_was_when_the_command_is_killed(daemon: Path) -> None:
    fresh_master, fresh_slave = os.openpty()
    as_new = termios.tcgetattr(fresh_slave)  # what a new pty starts with, as ours did
    os.close(fresh_master)
    os.close(fresh_slave)
    peer = Peer(daemon)
    with screen(daemon, "echo ready; exec sleep 600") as shown:
        shown.until(b"ready")
        assert not termios.tcgetattr(shown.master)[3] & termios.ECHO  # raw while it runs
        [session] = peer.request("list")["result"]["sessions"]
        peer.request("signal", session=session["session"], signal="SIGKILL")
        assert shown.status() == 128 + signal.SIGKILL
        assert termios.tcgetattr(shown.master) == as_new


def test_a_window_change_reaches_the_command(daemon: Path) -> None:
    script = "trap 'echo size:$(stty size)' WINCH; echo ready; while :; do sleep 0.1; done"
    with screen(daemon, script) as shown:
        shown.until(b"ready")
        termios.tcsetwinsize(shown.master, (33, 101))
        os.kill(shown.pid, signal.SIGWINCH)  # as the terminal emulator's kernel would
        assert b"size:33 101" in shown.until(b"size:33 101")
        shown.type(b"\x03")
        assert shown.status() == 128 + signal.SIGINT


# Full-screen programs restore the terminal on SIGTSTP, then raise it again at its
# default action.  Each: the command, what it draws when it takes the screen (at its
# start, and again once continued: it flushes what was typed before), the keys that
# end it.
FULL_SCREEN = [
    ("exec less -X /etc/hostname", b"(END)", b"q"),
    ("TERM=xterm exec vim -u NONE -N -n /etc/hostname", b"\x1b[?1049h", b":q\r"),
]


@pytest.mark.parametrize(("script", "draws", "ends"), FULL_SCREEN, ids=["less", "vim"])
def test_ctrl_z_stops_a_full_screen_program_and_fg_resumes_it(
    daemon: Path, script: str, draws: bytes, ends: bytes
) -> None:
    with screen(daemon, script) as shown:
        shown.until(draws)
        shown.type(b"\x1a")
        assert shown.status(os.WUNTRACED) == -signal.SIGSTOP
        shown.seen = b""
        os.kill(shown.pid, signal.SIGCONT)
        shown.until(draws)
        shown.type(ends)
        assert shown.status() == 0
