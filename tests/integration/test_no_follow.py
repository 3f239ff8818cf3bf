"""--no-follow: a program that uses ptrace itself (tests/programs/ptrace_child.c: a
child asks PTRACE_TRACEME and its parent traces it) fails under a tracer that follows
every child, as under strace -f, and works with --no-follow, as under strace without -f:
same exit status, same lines.  No seccomp filter then: the untraced child would
inherit it, and its RET_TRACE would fail the child's calls with ENOSYS."""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.corpus import normalize, tracer_env
from tests.integration.daemon_fixture import Peer

pytestmark = pytest.mark.integration
TRACED = [sys.executable, "-m", "traced", "launch", "--no-daemon"]
# The program's own calls, ptrace's left out: its requests are not decoded yet.
CALLS = ["-e", "trace=clone,wait4,exit_group"]


def run(command: list[str], output: Path) -> int:
    done = subprocess.run(command, env=tracer_env(), capture_output=True, timeout=60, check=False)
    assert output.exists(), done.stderr
    return done.returncode


def lines(output: Path) -> list[str]:
    """Normalized, the child's pid (a clone's result, never followed) masked too."""
    texts = [line.text for line in normalize(output.read_text().splitlines())]
    return [re.sub(r"\b\d{3,}\b", "PID", text) for text in texts]


def test_followed_children_cannot_trace_themselves(
    programs: dict[str, Path], strace_tool: str, tmp_path: Path
) -> None:
    program = str(programs["ptrace_child"])
    assert subprocess.run([program], check=False).returncode == 0
    assert run([strace_tool, "-f", "-o", str(tmp_path / "s"), program], tmp_path / "s") != 0
    assert run([*TRACED, "-o", str(tmp_path / "t"), "--", program], tmp_path / "t") != 0


@pytest.mark.parametrize("calls", [[], CALLS], ids=["every call", "a trace= set"])
def test_no_follow_lets_a_child_be_traced_by_its_parent(
    programs: dict[str, Path], strace_tool: str, tmp_path: Path, calls: list[str]
) -> None:
    program = str(programs["ptrace_child"])
    theirs, ours = tmp_path / "strace", tmp_path / "traced"
    assert run([strace_tool, "-o", str(theirs), *CALLS, program], theirs) == 0
    assert run([*TRACED, "--no-follow", "-o", str(ours), *calls, "--", program], ours) == 0
    if calls:
        # The child's stop and its parent's wait4 race: its SIGCHLD may come first.
        expected, got = sorted(lines(theirs)), sorted(lines(ours))
        assert got == expected, "\n".join(difflib.unified_diff(expected, got, n=1))
        assert any("CLD_TRAPPED" in line for line in got)  # the child stopped for its parent


def test_no_follow_through_the_daemon(daemon: Path, programs: dict[str, Path]) -> None:
    peer = Peer(daemon)
    session = peer.launch([str(programs["ptrace_child"])], follow=False)["result"]["session"]
    events = peer.messages_until_end(session)
    pid = next(e["pid"] for e in events if e.get("type") == "exec")
    assert {e["tid"] for e in events if e.get("type") == "syscall"} == {pid}  # the parent's
    assert events[-1]["type"] == "session_end" and events[-1]["status"] == 0


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        (["-f"], "-f follows the tasks the command creates and --no-follow does not"),
        (["--inject-in-kernel"], "--inject-in-kernel needs the seccomp filter"),
    ],
)
def test_what_contradicts_no_follow_is_refused(options: list[str], refusal: str) -> None:
    done = subprocess.run([*TRACED, "--no-follow", *options, "--", "true"], env=tracer_env(),
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2 and refusal in done.stderr
