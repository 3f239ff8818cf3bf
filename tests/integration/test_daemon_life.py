"""What the daemon owes the processes and clients around it, beyond one request: the
orphans a command leaves it are reaped, a client that half-closed its connection is
still served, and a vanished attach client's target is let go.

A real daemon, real commands (tests/programs), real sockets; what is left over is
read from /proc (procscan)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.daemon_fixture import Peer, daemon_pid, session_of, wait_until
from tests.integration.procscan import (
    alive,
    children,
    daemon_tracers,
    proc,
    processes,
    settle,
    tracer_of,
)

pytestmark = pytest.mark.integration

LAUNCHES = 6
ORPHANS = 3  # per launch
SETTLE_SECONDS = 5.0
CALLS = 3000  # getppid calls of the half-closed client's command
LET_GO_SECONDS = 5.0  # a vanished client's attached process is untraced within this
# A process that makes syscalls all the time, so an attach and a detach show at once.


def zombie_children(daemon: int) -> list[str]:
    """Zombie children of the daemon and of its tracer workers (whose children the
    commands they launch are)."""
    pids = [child for pid in daemon_tracers(daemon) for child in children(pid)]
    return [str(p) for p in processes(pids) if p.zombie]


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
    argv = [sys.executable, "-m", "traced", "launch", "-f", "--no-daemon", "-o", "/dev/null"]
    for trace in ("all", "none"):
        command = [*argv, "-e", f"trace={trace}", "--", str(programs["clone_parent"])]
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
        assert done.returncode == 0, f"trace={trace}: {done.returncode} {done.stderr}"


def traced_attach(socket_path: Path, *options: str) -> list[str]:
    argv = [sys.executable, "-m", "traced", "--socket", str(socket_path), "attach", "--daemon"]
    return [*argv, "-e", "trace=newfstatat,stat", "-o", os.devnull, *options]


def test_a_killed_attach_client_lets_its_process_go(
    daemon: Path, busy: subprocess.Popen[bytes]
) -> None:
    client = subprocess.Popen([*traced_attach(daemon), str(busy.pid)], stderr=subprocess.DEVNULL)
    front = daemon_pid(daemon)  # its tracer worker starts with the session: asked each time
    try:
        wait_until(lambda: tracer_of(busy.pid) in daemon_tracers(front), "the daemon to attach")
    finally:
        client.kill()
        client.wait()
    killed_at = time.monotonic()
    wait_until(lambda: tracer_of(busy.pid) == 0, "the process to be let go", LET_GO_SECONDS)
    print(f"attach client SIGKILLed: its process let go in {time.monotonic() - killed_at:.2f} s")
    time.sleep(0.1)
    assert busy.poll() is None and alive(busy.pid), "the attached process did not run on"
    left = proc(busy.pid)
    assert left is not None and not left.stopped, left


def test_a_detached_attach_outlives_its_client_until_detached(
    daemon: Path, busy: subprocess.Popen[bytes]
) -> None:
    attach = [*traced_attach(daemon, "--detach"), str(busy.pid)]
    done = subprocess.run(attach, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    session = done.stdout.strip()
    tracers = daemon_tracers(daemon_pid(daemon))
    time.sleep(0.3)  # the client is gone: the trace goes on
    assert tracer_of(busy.pid) in tracers
    peer = Peer(daemon)
    assert [s["session"] for s in peer.request("list")["result"]["sessions"]] == [session]
    assert peer.request("detach", session=session)["type"] == "response"
    wait_until(lambda: tracer_of(busy.pid) == 0, "the process to be let go", LET_GO_SECONDS)
    assert busy.poll() is None


def launch_and_half_close(peer: Peer, argv: list[str], trace: str) -> None:
    """Send a launch, then shut down the sending side at once: all is said."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        peer.send("launch", (null, null, null), argv=argv, stdio=True, trace=trace)
    finally:
        os.close(null)
    peer.sock.shutdown(socket.SHUT_WR)


def read_to_eof(peer: Peer) -> list[dict[str, Any]]:
    """Every message until the daemon closes the connection (a hang guard bounds it)."""
    return [json.loads(line) for line in peer.file]


@pytest.mark.usefixtures("hang_guard")
def test_a_half_closed_launch_client_is_served_to_the_end(
    daemon: Path, programs: dict[str, Path]
) -> None:
    peer = Peer(daemon)
    launch_and_half_close(peer, [str(programs["loop"]), str(CALLS)], "getppid")
    messages = read_to_eof(peer)
    assert messages[-1]["type"] == "session_end", f"no session_end, only: {messages[-3:]}"
    answer, *events, end = messages
    assert answer["type"] == "response", answer
    assert end["type"] == "session_end" and end["status"] == 0, end
    assert (
        [e["seq"] for e in events] == list(range(1, len(events) + 1)) == [*range(1, end["seq"] + 1)]
    )
    calls = [e for e in events if e["type"] == "syscall"]
    assert len(calls) == CALLS and {e["name"] for e in calls} == {"getppid"}
    print(f"half-closed client: {len(events)} events and the session_end, then end of file")


@pytest.mark.usefixtures("hang_guard")
def test_a_half_closed_client_that_then_closes_ends_its_command(daemon: Path) -> None:
    peer = Peer(daemon)
    launch_and_half_close(peer, ["sleep", "60"], "none")
    answer = peer.read()
    assert answer["type"] == "response", answer
    pid = answer["result"]["pid"]
    time.sleep(0.3)
    assert alive(pid), "the command was ended while its client could still read"
    peer.close()  # now it is gone: its command is ended as a closed terminal's
    wait_until(lambda: not alive(pid), "the command to end", LET_GO_SECONDS)
