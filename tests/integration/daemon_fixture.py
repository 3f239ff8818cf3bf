"""A real daemon process (:func:`running_daemon`, the one way the tests start one:
on a private socket, or socket-activated), and small stdlib helpers to talk to it:
a protocol client (:class:`Peer`), the hang guard every read runs under, and the
waits and reads of answers the daemon tests share."""

from __future__ import annotations

import array
import enum
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
HANG_GUARD = 30.0  # seconds: only a broken daemon makes a test wait this long
STOP_TIMEOUT = 15.0  # seconds: a daemon ends its sessions within its kill grace


class Listen(enum.Enum):
    """How a :func:`running_daemon` gets its listening socket."""

    OPTION = "it binds the socket named by --socket"
    DEFAULT = "it binds its default path (the caller names it, to wait for it)"
    # The way systemd's socket activation does (sd_listen_fds(3)): the socket at fd 3,
    # LISTEN_FDS=1 and LISTEN_PID=its pid.  0666, as systemd's SocketMode=0666 would
    # make it (how a daemon with allow_uids is deployed): SO_PEERCRED alone decides.
    ACTIVATED = "it is handed a bound, listening, 0666 socket as fd 3"


# Runs a daemon socket-activated (Listen.ACTIVATED).  With "tty", fd 0 (a terminal)
# becomes the controlling terminal of the new session first.
ACTIVATE = """\
import fcntl, os, sys, termios
listener, tty, *daemon_args = sys.argv[1:]
if tty == "tty":
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
os.dup2(int(listener), 3)
if int(listener) != 3:
    os.close(int(listener))
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
os.execv(sys.executable, [sys.executable, "-m", "traced", "daemon", *daemon_args])
"""


# Runs ``sys.argv[2:]`` with the signals numbered in ``sys.argv[1]`` ignored, as nohup does.
IGNORE = """\
import os, signal, sys
for signo in sys.argv[1].split(","):
    signal.signal(int(signo), signal.SIG_IGN)
os.execv(sys.argv[2], sys.argv[2:])
"""


@dataclass(frozen=True)
class Daemon:
    socket: Path
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def running_daemon(
    folder: Path,
    *options: str,
    config: str = "",
    listen: Listen = Listen.OPTION,
    socket_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    pass_fds: tuple[int, ...] = (),
    tty: int | None = None,
    umask: int = -1,
    ready: bool = True,
    ignored_signals: tuple[int, ...] = (),
) -> Iterator[Daemon]:
    """``traced daemon [OPTIONS]`` with ``config`` (if any) in ``folder``, its output in
    ``folder/daemon.log``; the one way every daemon test starts its daemon.

    The socket is ``socket_path``, by default ``folder/run/traced.sock`` (or, activated,
    ``folder/traced.sock``).  With ``ready``, it is yielded once it accepts; without,
    at once, for a test that waits for something else (the daemon refusing to start).
    It starts with ``ignored_signals`` ignored (as under ``nohup``, for SIGHUP).
    At the end its clients' connections are closed, then it gets SIGTERM and
    ``STOP_TIMEOUT`` seconds to exit (or the test fails) before SIGKILL.
    """
    activated = listen is Listen.ACTIVATED
    path = socket_path or folder / ("traced.sock" if activated else "run/traced.sock")
    argv = [sys.executable, "-m", "traced", "daemon", *options]
    if listen is Listen.OPTION:
        argv[3:3] = ["--socket", str(path)]
    listener = None
    if activated:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(path))
        path.chmod(0o666)
        listener.listen(64)
        pass_fds = (listener.fileno(), *pass_fds)
        tty_word = "no-tty" if tty is None else "tty"
        argv = [sys.executable, "-c", ACTIVATE, str(listener.fileno()), tty_word, *options]
    config = with_test_workers(config)
    if config:
        (folder / "config.toml").write_text(config)
        argv += ["--config", str(folder / "config.toml")]
    if ignored_signals:  # SIG_IGN survives execve
        argv = [sys.executable, "-c", IGNORE, ",".join(map(str, ignored_signals)), *argv]
    log = folder / "daemon.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            argv,
            env=env,
            pass_fds=pass_fds,
            stdin=subprocess.DEVNULL if tty is None else tty,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=tty is not None,
            umask=umask,
            cwd=REPO,
        )
    if listener is not None:
        listener.close()
    try:
        if ready and not activated:  # an activated daemon's socket listens already
            _wait_for(path, process)
        yield Daemon(path, process, log)
    finally:
        close_all_peers()
        _stop(process)


def with_test_workers(config: str) -> str:
    """``config`` with ``workers`` set from $TRACED_TEST_WORKERS, when that is set and
    the config does not say: the suite runs with the default (one tracer worker per
    CPU), or, with TRACED_TEST_WORKERS=1, with the daemon's single loop."""
    workers = os.environ.get("TRACED_TEST_WORKERS")
    if workers is None or "workers" in config:
        return config
    if "[daemon]" in config:
        return config.replace("[daemon]", f"[daemon]\nworkers = {int(workers)}", 1)
    return f"[daemon]\nworkers = {int(workers)}\n{config}"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def _wait_for(sock: Path, proc: subprocess.Popen[bytes]) -> None:
    """Until the daemon accepts: its socket file appears at bind(), before listen()."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"daemon exited with {proc.returncode}")
        if sock.exists() and _accepts(sock):
            return
        time.sleep(0.02)
    raise AssertionError("daemon did not accept on its socket")


def _accepts(sock: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(sock))
        except (ConnectionRefusedError, FileNotFoundError):
            return False
    return True


OPEN_PEERS: list[Peer] = []


class Peer:
    """A protocol client made of nothing but socket and json."""

    def __init__(self, path: Path) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(path))
        except OSError:
            sock.close()
            raise
        self._take(sock)

    @classmethod
    def adopt(cls, sock: socket.socket) -> Peer:
        """A Peer over a connection already made (by another process, say: the daemon
        knows a connection by the credentials of whoever called connect(2))."""
        peer = cls.__new__(cls)
        peer._take(sock)
        return peer

    def _take(self, sock: socket.socket) -> None:
        """Own ``sock`` (closed by close_all_peers from now on) and read its hello."""
        OPEN_PEERS.append(self)
        self.sock = sock
        self.file = sock.makefile("rb")
        self.backlog: list[dict[str, Any]] = []  # read while waiting for an answer
        self.next_id = 0
        self.hello = self.read()

    def read(self) -> dict[str, Any]:
        line = self.file.readline()
        assert line, "the daemon closed the connection"
        message: dict[str, Any] = json.loads(line)
        return message

    def send_raw(self, data: bytes, fds: tuple[int, ...] = ()) -> None:
        ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds).tobytes())]
        self.sock.sendmsg([data], ancillary if fds else [])

    def send(self, op: str, fds: tuple[int, ...] = (), **fields: Any) -> int:
        self.next_id += 1
        line = json.dumps({"id": self.next_id, "op": op, **fields}).encode() + b"\n"
        self.send_raw(line, fds)
        return self.next_id

    def answer(self, request_id: int) -> dict[str, Any]:
        """The response or error to ``request_id``; other messages before it are kept."""
        while True:
            message = self.read()
            if message.get("id") == request_id and message["type"] in ("response", "error"):
                return message
            self.backlog.append(message)

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        return self.answer(self.send(op, **fields))

    def launch(self, argv: list[str], **fields: Any) -> dict[str, Any]:
        null = os.open(os.devnull, os.O_RDWR)
        try:
            request_id = self.send("launch", (null, null, null), argv=argv, stdio=True, **fields)
        finally:
            os.close(null)
        return self.answer(request_id)

    def messages_until_end(self, session: str) -> list[dict[str, Any]]:
        seen, self.backlog = self.backlog, []
        ended = any(m.get("type") == "session_end" and m["session"] == session for m in seen)
        while not ended:  # one check per message read: a 100,000-event stream stays linear
            seen.append(self.read())
            ended = seen[-1].get("type") == "session_end" and seen[-1]["session"] == session
        return seen

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def close_all_peers() -> None:
    while OPEN_PEERS:
        OPEN_PEERS.pop().close()


@contextmanager
def hang_guard(seconds: float = HANG_GUARD) -> Iterator[None]:
    """No socket read (of a Peer or any socket made meanwhile) waits more than
    ``seconds``, and no client outlives the block."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        close_all_peers()
        socket.setdefaulttimeout(previous)


def peer_pid(sock: socket.socket) -> int:
    """The pid at the other end of a connection (SO_PEERCRED): the daemon's."""
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("=iII"))
    pid: int = struct.unpack("=iII", raw)[0]
    return pid


def daemon_pid(path: Path) -> int:
    """The pid of the daemon listening on ``path``."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(path))
        return peer_pid(sock)


def wait_until(condition: Callable[[], bool], what: str, timeout: float = HANG_GUARD) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.02)


def session_of(answer: dict[str, Any]) -> str:
    """The session a launch or attach answer names (the answer must be a response)."""
    assert answer["type"] == "response", answer
    session: str = answer["result"]["session"]
    return session


def end_of(peer: Peer, session: str) -> dict[str, Any]:
    """The session_end of ``session``, read on ``peer``."""
    [end] = [
        m
        for m in peer.messages_until_end(session)
        if m.get("type") == "session_end" and m["session"] == session
    ]
    return end
