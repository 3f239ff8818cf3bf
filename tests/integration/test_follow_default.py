"""Children are followed with -f, as under strace: a program that uses ptrace itself
(tests/programs/ptrace_child.c: a child asks PTRACE_TRACEME and its parent traces it)
fails under -f, as under strace -f, and works without it (or with --no-follow, the
default spelled out), as under strace without -f: same exit status, same lines.  No
seccomp filter then: the untraced child would inherit it, and its RET_TRACE would
fail the child's calls with ENOSYS."""

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
    assert run([*TRACED, "-f", "-o", str(tmp_path / "t"), "--", program], tmp_path / "t") != 0


@pytest.mark.parametrize("calls", [[], CALLS], ids=["every call", "a trace= set"])
@pytest.mark.parametrize("spelled", [[], ["--no-follow"]], ids=["default", "--no-follow"])
def test_without_f_a_child_may_be_traced_by_its_parent(
    programs: dict[str, Path],
    strace_tool: str,
    tmp_path: Path,
    calls: list[str],
    spelled: list[str],
) -> None:
    program = str(programs["ptrace_child"])
    theirs, ours = tmp_path / "strace", tmp_path / "traced"
    assert run([strace_tool, "-o", str(theirs), *CALLS, program], theirs) == 0
    assert run([*TRACED, *spelled, "-o", str(ours), *calls, "--", program], ours) == 0
    if calls:
        # The child's stop and its parent's wait4 race: its SIGCHLD may come first.
        expected, got = sorted(lines(theirs)), sorted(lines(ours))
        assert got == expected, "\n".join(difflib.unified_diff(expected, got, n=1))
        assert any("CLD_TRAPPED" in line for line in got)  # the child stopped for its parent


def test_a_debugger_runs_under_traced_without_f(strace_tool: str, tmp_path: Path) -> None:
    """strace itself, the debugger at hand: its tracee must be free to be traced."""
    ours = tmp_path / "traced"
    inner = [strace_tool, "-o", str(tmp_path / "inner"), "-e", "trace=uname", "uname"]
    assert run([*TRACED, "-o", str(ours), "-e", "trace=wait4", "--", *inner], ours) == 0
    assert "uname({sysname=" in (tmp_path / "inner").read_text()
    assert all(not line.text[:1].isdigit() for line in normalize(ours.read_text().splitlines()))


def test_the_cli_through_a_daemon_follows_only_with_f(
    daemon: Path, programs: dict[str, Path], tmp_path: Path
) -> None:
    base = [sys.executable, "-m", "traced", "--socket", str(daemon), "launch", "--daemon"]
    command = ["-e", "trace=wait4", "--", str(programs["ptrace_child"])]
    assert run([*base, "-o", str(tmp_path / "t"), *command], tmp_path / "t") == 0
    assert run([*base, "-f", "-o", str(tmp_path / "f"), *command], tmp_path / "f") != 0


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
        (["--no-follow", "-f"], "-f follows the tasks the command creates and --no-follow"),
        (["--inject-in-kernel"], "--inject-in-kernel needs the seccomp filter, which is"),
        (["--no-follow", "--inject-in-kernel"], "installed only with -f"),
    ],
)
def test_what_needs_f_is_refused_without_it(options: list[str], refusal: str) -> None:
    done = subprocess.run([*TRACED, *options, "--", "true"], env=tracer_env(),
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2 and refusal in done.stderr
