"""``--entry-only``: each call as it was entered, one stop per call, no result.

strace has no such mode, so the check is against strace's own lines cut at their
result: the same calls, with the same arguments (outputs as addresses, since they
were never filled when the call was entered).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.daemon_fixture import REPO, Peer
from tests.integration.tools import require_tool

pytestmark = pytest.mark.integration

ENV = {"PATH": os.environ["PATH"], "LC_ALL": "C"}  # no locale files: the same calls each run
CALLS = "trace=openat,close,read,fadvise64"
_ADDRESS = re.compile(r"0x[0-9a-f]+")


def _entered(line: str) -> str:
    """strace's line as the call was entered: its result cut off, read's buffer an address."""
    call = re.sub(r"\s*= .*$", "", line)
    return _ADDRESS.sub("0x…", re.sub(r'^read\((\d+), ".*"(\.\.\.)?, ', r"read(\1, 0x…, ", call))


def _unpid(trace: Path) -> list[str]:
    """The lines less -f -o's pid column: each tracer's run has its own pids."""
    return [re.sub(r"^\d+ +", "", line) for line in trace.read_text().splitlines()]


def test_entry_only_lines_are_straces_entries(tmp_path: Path) -> None:
    strace = require_tool("strace", "it is the reference")
    argv = ["cat", "/etc/hostname", str(tmp_path / "absent")]
    theirs, ours = tmp_path / "strace.txt", tmp_path / "traced.txt"
    subprocess.run(
        [strace, "-f", "-e", CALLS, "-o", str(theirs), *argv], env=ENV, capture_output=True
    )
    traced = [sys.executable, "-m", "traced", "launch", "-f", "--no-daemon", "--entry-only"]
    done = subprocess.run(
        [*traced, "-e", CALLS, "-o", str(ours), "--", *argv],
        env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # cat's own status: the absent file
    want = [_entered(line) for line in _unpid(theirs) if "(" in line]
    got = [_ADDRESS.sub("0x…", line) for line in _unpid(ours) if "(" in line]
    assert got == want
    assert not [line for line in got if " = " in line]


def test_options_that_need_results_are_refused() -> None:
    for option in (["-z"], ["-Z"], ["-T"], ["-c"], ["-C"], ["-e", "status=failed"]):
        argv = [
            sys.executable,
            "-m",
            "traced",
            "launch",
            "-f",
            "--entry-only",
            *option,
            "--",
            "true",
        ]
        done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True)
        assert done.returncode == 2, option
        assert done.stderr.startswith("traced: --entry-only: a call's result is never seen")


def test_a_daemon_session_sends_entries_only(daemon: Path, programs: dict[str, Path]) -> None:
    peer = Peer(daemon)
    argv = [str(programs["loop"]), "20"]
    session = peer.launch(argv, trace="getppid", entry_only=True)["result"]["session"]
    events = [m for m in peer.messages_until_end(session) if m.get("name") == "getppid"]
    assert [m["type"] for m in events] == ["syscall_entry"] * 20
