"""``traced ps``, ``stats`` and ``detach`` against a real daemon, as a user types them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.daemon_fixture import REPO, Peer

pytestmark = pytest.mark.integration

CALLS = 30


def traced(daemon: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRACED_SOCKET": str(daemon)}
    argv = [sys.executable, "-m", "traced", *args]
    return subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True, timeout=60)


def a_session(daemon: Path, programs: dict[str, Path]) -> tuple[Peer, str]:
    """A detached session that made CALLS getppid calls and then waits on its stdin."""
    peer = Peer(daemon)
    script = f"{programs['loop']} {CALLS} && exec sleep 600"
    result = peer.launch(["sh", "-c", script], trace="getppid", detach=True)["result"]
    stats = {}
    while stats.get("getppid", 0) < CALLS:  # the calls are made at once; wait till counted
        stats = peer.request("stats", session=result["session"])["result"]["sessions"]
        stats = stats[result["session"]]
    return peer, result["session"]


def test_ps_shows_when_each_session_started_how_long_ago_and_its_events(
    daemon: Path, programs: dict[str, Path]
) -> None:
    peer, session = a_session(daemon, programs)
    try:
        done = traced(daemon, "ps")
        assert done.returncode == 0, done.stderr
        head, *rows = done.stdout.splitlines()
        assert head.split() == [
            "SESSION", "KIND", "PID", "UID", "TASKS", "EVENTS", "STARTED", "TIME", "COMMAND"
        ]  # fmt: skip
        [row] = [row for row in rows if row.startswith(session)]
        fields = row.split()
        assert fields[1] == "launch" and int(fields[5]) >= CALLS, row
        assert re.fullmatch(r"\d\d:\d\d:\d\d", fields[6]) and re.fullmatch(r"\d+s", fields[7])
    finally:
        peer.request("signal", session=session, signal="SIGKILL")


def test_stats_counts_a_sessions_syscalls(daemon: Path, programs: dict[str, Path]) -> None:
    peer, session = a_session(daemon, programs)
    try:
        done = traced(daemon, "stats", session)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert lines[0] == f"session {session}: {CALLS + 1} syscalls", lines  # and sh's own
        assert lines[1].split() == [str(CALLS + 1), "getppid"]
        everyone = traced(daemon, "stats")
        assert f"session {session}: {CALLS + 1} syscalls" in everyone.stdout.splitlines()
    finally:
        peer.request("signal", session=session, signal="SIGKILL")


def test_detaching_a_launched_session_says_to_kill_it_instead(
    daemon: Path, programs: dict[str, Path]
) -> None:
    peer, session = a_session(daemon, programs)
    try:
        done = traced(daemon, "detach", session)
        assert done.returncode == 1
        assert f"(`traced kill {session}`) instead" in done.stderr, done.stderr
        peer.request("subscribe", session=session)  # to see it end
        assert traced(daemon, "kill", session, "KILL").returncode == 0
        assert peer.messages_until_end(session)[-1]["signal"] == "SIGKILL"
    finally:
        peer.close()
