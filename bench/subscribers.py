"""Two ``traced subscribe`` clients on a benchmark's daemon, and what they have read.

real.py's daemon mode is a launch through a daemon that two other clients watch, as a
daemon is meant to be used: one ``traced subscribe -o FILE`` (text) and one ``traced
subscribe --json -o FILE``, both with ``--policy block`` so that neither may drop an
event (the daemon holds the tracees while a subscriber is behind: what they cost is
then in the launch's time).  Each writes every event it reads to its file; after each
run the syscall lines that run added are counted, so that a run whose subscribers missed
events fails instead of passing as a fast one.

A subscriber says nothing when it is subscribed, so :meth:`Subscribers.start` launches
``true`` through the daemon until both files have grown: from then on they see every
session.  A subscriber flushes its file at each session's end, but may write that end
some time after the launch has returned, so :meth:`Subscribers.settle` waits (untimed)
until both have the lines expected, or have stopped growing.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from measure import SYSCALL_LINE, BenchError, venv_bin

JSON_SYSCALL = b'{"type":"syscall",'
PROBES = 10
PROBE_WAIT_S = 3.0
STILL_S = 1.0  # a file that has not grown for this long is done
SETTLE_MAX_S = 60.0


def text_line(line: bytes) -> bool:
    return SYSCALL_LINE.match(line.decode(errors="replace")) is not None


def json_line(line: bytes) -> bool:
    return line.startswith(JSON_SYSCALL)


class GrowingCount:
    """The syscall lines of a file another process is appending to, counted as it grows."""

    def __init__(self, path: Path, is_syscall: Callable[[bytes], bool]) -> None:
        self.path = path
        self.is_syscall = is_syscall
        self.offset = 0
        self.partial = b""
        self.count = 0

    def poll(self) -> int:
        with self.path.open("rb") as file:
            file.seek(self.offset)
            data = file.read()
        self.offset += len(data)
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()
        self.count += sum(1 for line in lines if self.is_syscall(line))
        return self.count


class Subscribers:
    """A text and a JSON subscriber on ``sock``, writing into ``folder``."""

    def __init__(self, sock: Path, folder: Path) -> None:
        self.sock = sock
        self.folder = folder
        self.procs: list[subprocess.Popen[bytes]] = []
        self.counts: list[GrowingCount] = []

    def _client(self, *args: str) -> list[str]:
        return [venv_bin("traced"), "--socket", str(self.sock), *args]

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for suffix, json, is_syscall in (("txt", False, text_line), ("jsonl", True, json_line)):
            path = self.folder / f"subscriber.{suffix}"
            path.write_bytes(b"")
            argv = self._client("subscribe", "--policy", "block", "-o", str(path))
            argv += ["--json"] if json else []
            with (self.folder / f"subscriber-{suffix}.log").open("wb") as log:
                self.procs.append(
                    subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
                )
            self.counts.append(GrowingCount(path, is_syscall))
        self._wait_subscribed()

    def _wait_subscribed(self) -> None:
        probe = self._client("launch", "-f", "--daemon", "-o", "/dev/null", "--", "true")
        for _ in range(PROBES):
            subprocess.run(probe, check=True, stdout=subprocess.DEVNULL)
            deadline = time.monotonic() + PROBE_WAIT_S
            while time.monotonic() < deadline:
                if all(c.path.stat().st_size > 0 for c in self.counts):
                    return
                self._check_alive()
                time.sleep(0.05)
        raise BenchError(f"the subscribers saw no session in {PROBES} launches")

    def _check_alive(self) -> None:
        for proc in self.procs:
            if proc.poll() is not None:
                raise BenchError(f"a subscriber exited {proc.returncode}: {proc.args!r}")

    def mark(self) -> tuple[int, ...]:
        return tuple(c.poll() for c in self.counts)

    def settle(
        self, since: tuple[int, ...], expected: int, close: Callable[[int, int], bool]
    ) -> tuple[int, ...]:
        """The lines each subscriber added since ``since``, once it has ``expected`` of
        them (``close`` decides) or has stopped growing."""
        began = still = time.monotonic()
        last = self.mark()
        while time.monotonic() - began < SETTLE_MAX_S:
            added = tuple(now - before for now, before in zip(last, since, strict=True))
            if all(close(n, expected) for n in added) or time.monotonic() - still > STILL_S:
                return added
            time.sleep(0.05)
            now = self.mark()
            if now != last:
                last, still = now, time.monotonic()
        return tuple(now - before for now, before in zip(last, since, strict=True))

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for count in self.counts:
            count.path.unlink(missing_ok=True)
        self.procs, self.counts = [], []
