"""Subscribers as a user meets them: what a subscription asks for is what it gets, and
``traced subscribe`` writes to stdout, saying whose each line is."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.integration.daemon_fixture import HANG_GUARD, REPO, Peer

pytestmark = pytest.mark.integration

CALLS = 20


def numbered(messages: list[dict[str, Any]], session: str) -> list[int]:
    """The seqs of a session's events other than entries, in the order they came."""
    kinds = ("session_end", "lost", "syscall_entry", "response", "error")
    return [
        m["seq"] for m in messages if m.get("session") == session and m.get("type") not in kinds
    ]


def test_entries_go_only_to_the_subscriptions_that_asked_for_them(
    daemon: Path, programs: dict[str, Path]
) -> None:
    plain, wanting = Peer(daemon), Peer(daemon)
    assert plain.request("subscribe", policy="block")["type"] == "response"
    assert wanting.request("subscribe", policy="block", entries=True)["type"] == "response"
    launcher = Peer(daemon)
    argv = [str(programs["loop"]), str(CALLS)]
    session = launcher.launch(argv, trace="getppid", entries=True)["result"]["session"]
    peers = {"plain": plain, "wanting": wanting, "launcher": launcher}
    seen = {name: peer.messages_until_end(session) for name, peer in peers.items()}

    assert not [m for m in seen["plain"] if m.get("type") == "syscall_entry"]
    for name in ("wanting", "launcher"):
        ours = [m for m in seen[name] if m.get("session") == session]
        entries = [m for m in ours if m["type"] == "syscall_entry"]
        assert len(entries) == CALLS and {m["name"] for m in entries} == {"getppid"}, name
        # Each entry comes just before its call, and carries the number before it.
        for before, entry, after in zip(ours, ours[1:], ours[2:], strict=False):
            if entry["type"] == "syscall_entry":
                assert after["type"] == "syscall" and after["tid"] == entry["tid"]
                assert entry["seq"] == before["seq"] and after["seq"] == before["seq"] + 1
    # Every subscriber can prove it missed nothing: entries take no number.
    for name, messages in seen.items():
        seqs = numbered(messages, session)
        assert seqs == list(range(1, len(seqs) + 1)), name
        end = next(m for m in messages if m.get("type") == "session_end")
        assert end["seq"] == seqs[-1] and end["status"] == 0


def test_entries_come_only_from_sessions_that_make_them(
    daemon: Path, programs: dict[str, Path]
) -> None:
    """A session makes entries when launched with them: asking later gets none."""
    wanting, launcher = Peer(daemon), Peer(daemon)
    assert wanting.request("subscribe", policy="block", entries=True)["type"] == "response"
    argv = [str(programs["loop"]), str(CALLS)]
    session = launcher.launch(argv, trace="getppid")["result"]["session"]
    messages = wanting.messages_until_end(session)
    assert len([m for m in messages if m.get("type") == "syscall"]) == CALLS
    assert not [m for m in messages if m.get("type") == "syscall_entry"]


# --- traced subscribe, the command ---------------------------------------------------


class Lines:
    """A running ``traced subscribe``'s stdout, read line by line with a deadline."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        self.process, self.stdout = process, process.stdout
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.stdout, selectors.EVENT_READ)
        self.seen: list[str] = []
        self._pending = b""

    def until(self, done: Callable[[list[str]], bool]) -> list[str]:
        """Read until ``done(lines so far)``; fails after the hang guard."""
        deadline = time.monotonic() + HANG_GUARD
        while not done(self.seen):
            left = deadline - time.monotonic()
            assert left > 0, f"gave up waiting; stdout so far: {self.seen[-20:]}"
            if not self.selector.select(left):
                continue
            chunk = os.read(self.stdout.fileno(), 65536)
            assert chunk, f"traced subscribe ended: {self.seen[-20:]}"
            *whole, self._pending = (self._pending + chunk).split(b"\n")
            self.seen += [line.decode() for line in whole]
        return self.seen


@contextmanager
def subscriber(daemon: Path, *options: str) -> Iterator[Lines]:
    """``traced subscribe OPTIONS`` with stdout a pipe and stderr apart; Ctrl-C at the end."""
    env = {**os.environ, "TRACED_SOCKET": str(daemon)}
    command = [sys.executable, "-m", "traced", "subscribe", *options]
    process = subprocess.Popen(
        command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        yield Lines(process)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=HANG_GUARD)
        assert process.returncode == 0, stderr


def waiting_launch(peer: Peer, flag: Path, programs: dict[str, Path]) -> str:
    """A session whose shell polls for ``flag`` (so a subscriber sees it alive), then
    makes CALLS getppid calls; its id."""
    script = f"while [ ! -e {flag} ]; do sleep 0.05; done; exec {programs['loop']} {CALLS}"
    # With entries: a subscriber that did not ask for them must still get none.
    launched = peer.launch(["sh", "-c", script], detach=True, entries=True)
    session: str = launched["result"]["session"]
    return session


def test_subscribe_writes_json_to_stdout(
    daemon: Path, programs: dict[str, Path], tmp_path: Path
) -> None:
    flag = tmp_path / "go"
    with subscriber(daemon, "--json") as out:
        session = waiting_launch(Peer(daemon), flag, programs)
        out.until(lambda lines: any(session in line for line in lines))
        flag.touch()
        lines = out.until(
            lambda seen: sum('"getppid"' in line and '"syscall"' in line for line in seen) >= CALLS
        )
    events = [json.loads(line) for line in lines]
    assert {e["session"] for e in events} == {session}
    assert not [e for e in events if e["type"] == "syscall_entry"]  # it asked for none


def test_subscribe_text_says_whose_each_line_is(
    daemon: Path, programs: dict[str, Path], tmp_path: Path
) -> None:
    flags = [tmp_path / "go-1", tmp_path / "go-2"]
    with subscriber(daemon) as out:
        peer = Peer(daemon)
        sessions = [waiting_launch(peer, flag, programs) for flag in flags]
        tags = [f"[s:{session[:8]} pid" for session in sessions]
        out.until(lambda lines: all(any(t in line for line in lines) for t in tags))
        for flag in flags:
            flag.touch()
        ends = [f"[s:{s[:8]}] +++ session {s} exited with 0 +++" for s in sessions]
        lines = out.until(lambda seen: all(end in seen for end in ends))
    for tag in tags:
        calls = [line for line in lines if line.startswith(tag) and "] getppid() " in line]
        assert len(calls) >= CALLS, lines[-40:]  # and the shell's own, for $PPID
    # A child's exit is its own line, tagged: never mistaken for the end of everything.
    assert all(line.startswith("[s:") for line in lines if line), lines[-40:]
