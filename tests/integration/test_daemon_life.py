"""What the daemon owes the processes and clients around it, beyond one request: the
orphans a command leaves it are reaped, a client that half-closed its connection is
still served, and a vanished attach client's target is let go.

A real daemon, real commands (tests/programs), real sockets; what is left over is
read from /proc (procscan)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.daemon_fixture import Peer, daemon_pid, session_of
from tests.integration.procscan import children, processes, settle

pytestmark = pytest.mark.integration

LAUNCHES = 6
ORPHANS = 3  # per launch
SETTLE_SECONDS = 5.0


def zombie_children(pid: int) -> list[str]:
    return [str(p) for p in processes(children(pid)) if p.zombie]


def test_orphans_a_command_leaves_the_daemon_are_reaped(
    daemon: Path, programs: dict[str, Path]
) -> None:
    # clone_parent makes its children with clone(CLONE_PARENT|CLONE_UNTRACED): the
    # daemon's children, though no tracee and forked by nobody in it.  Some die while
    # their session lives, and the program exits 0 once the daemon has reaped each (3
    # if one is left); the others die after their session has ended.
    peer = Peer(daemon)
    for index in range(LAUNCHES):
        # Full mode, and a filter that the untraced orphans inherit.
        trace = None if index % 2 else "none"
        linger = ["200"] if index >= LAUNCHES // 2 else []
        argv = [str(programs["clone_parent"]), str(ORPHANS), *linger]
        answer = peer.launch(argv, trace=trace)
        messages = peer.messages_until_end(session_of(answer))
        assert messages[-1]["status"] == 0, f"launch {index}: an orphan was left: {messages[-1]}"
        # An orphan is no task of the session: no event names it.
        named = {m["pid"] for m in messages if "seq" in m and "pid" in m}
        assert named <= {answer["result"]["pid"]}, f"launch {index}: events of {named}"
    found = settle(lambda: zombie_children(daemon_pid(daemon)), SETTLE_SECONDS, quiet=0.5)
    assert not found, f"the daemon has zombie children: {found}"


def test_orphans_a_command_leaves_the_cli_are_reaped(programs: dict[str, Path]) -> None:
    argv = [sys.executable, "-m", "traced", "launch", "--no-daemon", "-o", "/dev/null"]
    for trace in ("all", "none"):
        command = [*argv, "-e", f"trace={trace}", "--", str(programs["clone_parent"])]
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
        assert done.returncode == 0, f"trace={trace}: {done.returncode} {done.stderr}"
