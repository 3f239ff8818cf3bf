"""A terminal of the command's own, when ``traced launch`` goes through the daemon
from a terminal: a pty this client opens and relays, as ``ssh -t`` does.

Kernel facts this module depends on:

* ``openpty`` gives a master and a slave.  What the command writes to the slave
  is read from the master; what is written to the master is its input, through
  the slave's line discipline: echo, line editing, Ctrl-C as SIGINT and Ctrl-Z as
  SIGTSTP to the terminal's foreground process group.
* The daemon makes the slave the command's controlling terminal (setsid, then
  TIOCSCTTY: traced.tracer.spawn), so /dev/tty opens it and job control works.
* The slave starts with the modes (tcgetattr) and the size (TIOCGWINSZ) of the
  user's terminal; TIOCSWINSZ on the master passes on a new size, and the kernel
  sends SIGWINCH to the foreground group itself.
* The user's terminal goes raw, so each key reaches the slave's line discipline
  as typed, and comes back as it was on every way out (the command's end, an
  error, a signal that ends traced).  Output processing (OPOST) stays on, so
  traced's own lines on the same terminal still start at the left margin.
* A read of the master fails with EIO once no process holds the slave open: the
  command and everything it started are gone, and so is the relay's work.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import select
import signal
import termios
import threading
from collections.abc import Iterator

_STDIN = 0
_CHUNK = 65536
# After the session's end, how long the command's last output may take to come
# through (the relay ends at once if no process holds the slave any more).
_DRAIN_S = 2.0


def wanted() -> bool:
    """A terminal of its own when ours is one: stdin is a terminal."""
    return os.isatty(_STDIN)


def same_terminal(fd: int) -> bool:
    """Whether ``fd`` is the very terminal stdin is (stdout redirected to a file is not)."""
    try:
        return os.isatty(fd) and os.fstat(fd).st_rdev == os.fstat(_STDIN).st_rdev
    except OSError:
        return False


class CommandTerminal:
    """The pty: its slave for the command's stdio, its master relayed to ours."""

    def __init__(self) -> None:
        self.saved = termios.tcgetattr(_STDIN)  # first: nothing to close if it fails
        self.master, slave = os.openpty()
        self.slave: int | None = slave  # ours until the daemon has its copy (sent)
        termios.tcsetattr(slave, termios.TCSANOW, self.saved)
        self.resize()
        self._stop_read, self._stop_write = os.pipe()
        self._sync_read, self._sync_write = os.pipe()
        self._synced = threading.Event()
        self._relay: threading.Thread | None = None
        # Where its output shows: our stdout, unless that went elsewhere (a file).
        self.screen = next((fd for fd in (1, 2) if same_terminal(fd)), _STDIN)

    def resize(self) -> None:
        """Our terminal's size, passed on to the command's (SIGWINCH follows there)."""
        with contextlib.suppress(OSError):
            size = fcntl.ioctl(_STDIN, termios.TIOCGWINSZ, b"\0" * 8)
            fcntl.ioctl(self.master, termios.TIOCSWINSZ, size)

    def sent(self) -> None:
        """The daemon has its copy of the slave: ours goes, so EIO marks the end."""
        if self.slave is not None:
            os.close(self.slave)
            self.slave = None

    @contextlib.contextmanager
    def relaying(self) -> Iterator[None]:
        """Our terminal raw and the relay running, until the block ends; then the
        command's last output, and our terminal as it was."""
        previous = signal.signal(signal.SIGWINCH, lambda signo, frame: self.resize())
        relay = threading.Thread(target=self._run, name="traced-tty", daemon=True)
        try:
            self.raw()
            self._relay = relay
            relay.start()
            yield
        finally:
            if relay.is_alive():
                relay.join(timeout=_DRAIN_S)
                os.write(self._stop_write, b"x")  # anything the command left holding the slave
                relay.join()
            self.restore()
            signal.signal(signal.SIGWINCH, previous)

    def raw(self) -> None:
        """cfmakeraw, but for output processing (see the module's facts)."""
        mode = termios.tcgetattr(_STDIN)
        mode[0] &= ~(
            termios.IGNBRK | termios.BRKINT | termios.PARMRK | termios.ISTRIP
            | termios.INLCR | termios.IGNCR | termios.ICRNL | termios.IXON
        )  # fmt: skip
        mode[2] = (mode[2] & ~(termios.CSIZE | termios.PARENB)) | termios.CS8
        mode[3] &= ~(termios.ECHO | termios.ECHONL | termios.ICANON | termios.ISIG | termios.IEXTEN)
        mode[6][termios.VMIN], mode[6][termios.VTIME] = 1, 0
        termios.tcsetattr(_STDIN, termios.TCSADRAIN, mode)

    def restore(self) -> None:
        with contextlib.suppress(termios.error):
            termios.tcsetattr(_STDIN, termios.TCSADRAIN, self.saved)

    def suspend(self) -> None:
        """The command stopped (Ctrl-Z): so do we, as it would have without traced,
        our terminal cooked for the shell meanwhile; raw again once continued."""
        self.restore()
        os.kill(os.getpid(), signal.SIGSTOP)
        self.raw()
        self.resize()

    def sync(self) -> None:
        """Wait until what the command wrote so far is on the screen: before a line of
        ours that must come after it (its exit), as it would in-process."""
        if self._relay is None or not self._relay.is_alive():
            return
        self._synced.clear()
        os.write(self._sync_write, b"s")
        self._synced.wait(_DRAIN_S)

    def _run(self) -> None:
        """Keys to the command, its output to our stdout, until the slave is gone."""
        try:
            self._relay_all()
        finally:
            self._synced.set()  # nobody waits for a relay that is over

    def _relay_all(self) -> None:
        watched = [_STDIN, self.master, self._stop_read, self._sync_read]
        while True:
            try:
                ready, _, _ = select.select(watched, [], [])
            except InterruptedError:
                continue
            if self._stop_read in ready:
                return
            if self._sync_read in ready:
                os.read(self._sync_read, 64)
                if not self._drain():
                    return
                self._synced.set()
                continue
            if self.master in ready and not self._pass(self.master, self.screen):
                return
            if _STDIN in ready and not self._pass(_STDIN, self.master):
                watched.remove(_STDIN)  # our stdin ended; the command's output goes on

    def _drain(self) -> bool:
        """All the master has now, without waiting for more; False at its end."""
        while select.select([self.master], [], [], 0)[0]:
            if not self._pass(self.master, self.screen):
                return False
        return True

    @staticmethod
    def _pass(source: int, target: int) -> bool:
        """One read's worth from ``source`` to ``target``; False at its end."""
        try:
            data = os.read(source, _CHUNK)
        except OSError as error:
            if error.errno == errno.EIO:  # the master: no slave left open
                return False
            raise
        view = memoryview(data)
        while view:
            view = view[os.write(target, view) :]
        return bool(data)

    def close(self) -> None:
        self.sent()  # if it never was
        for fd in (
            self.master, self._stop_read, self._stop_write, self._sync_read, self._sync_write
        ):  # fmt: skip
            with contextlib.suppress(OSError):
                os.close(fd)
