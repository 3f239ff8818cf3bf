"""Tracer workers (traced/daemon/workers.py): sessions traced by worker processes of
the daemon, each on its own loop, with nothing changed for the clients.

A real daemon with ``workers = 2`` (what a 2-CPU machine gets by default), real
commands, real sockets; who traces what is read from /proc (``TracerPid``).
What these tests prove, each printing its figures:

* Workers start as sessions come: an idle daemon has none; two concurrent
  launches are traced by two different worker processes, neither of them the
  daemon; ``list`` and a signal forwarded by a client reach each session through
  its worker.
* Many concurrent sessions over two workers: every session's stream is whole and
  numbered 1, 2, 3 ... without a gap, for its launcher and for a subscriber to
  everything alike.
* A worker that dies (SIGKILL) ends each of its sessions with a session_end that
  carries an error: its launched command dies with it (PTRACE_O_EXITKILL), its
  attached process runs on untraced, nothing is left stopped.  The other
  worker's sessions go on, and the next session starts a new worker.
* A worker left without a session for IDLE_SECONDS leaves: the daemon is idle again.
* A daemon that dies takes its workers with it; they end their launched commands
  and let their attached processes go.
* ``workers = 1`` is the daemon with one loop: no worker process, the daemon traces.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.daemon_fixture import (
    Peer,
    end_of,
    running_daemon,
    session_of,
    wait_until,
)
from tests.integration.procscan import alive, children, proc, tracer_of, worker_pids
from traced.daemon.workers import IDLE_SECONDS

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("hang_guard")]

TWO_WORKERS = "[daemon]\nworkers = 2\n[limits]\nmax_sessions = 64\nmax_sessions_per_uid = 64\n"
SESSIONS = 24  # concurrent launches over two workers
CALLS = 400  # getppid calls each
FOREVER = "1000000000"  # loop's iteration count: it never ends on its own
LET_GO_SECONDS = 10.0


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A daemon with up to two tracer workers (none yet): its socket and pid."""
    with running_daemon(tmp_path, config=TWO_WORKERS) as started:
        assert worker_pids(started.process.pid) == set()
        yield started.socket, started.process.pid


def events(messages: list[dict[str, Any]], session: str) -> list[dict[str, Any]]:
    kinds = ("session_end", "lost")
    return [
        m for m in messages if m.get("session") == session and "seq" in m and m["type"] not in kinds
    ]


def test_sessions_are_spread_over_the_workers(daemon: tuple[Path, int]) -> None:
    sock, front = daemon
    peer = Peer(sock)
    answers = [peer.launch(["sleep", "30"], trace="none", detach=True) for _ in range(2)]
    pids = [a["result"]["pid"] for a in answers]
    sessions = [session_of(a) for a in answers]
    wait_until(lambda: all(tracer_of(pid) for pid in pids), "both commands to be traced")
    tracers = [tracer_of(pid) for pid in pids]
    workers = worker_pids(front)
    listed = {s["session"]: s for s in peer.request("list")["result"]["sessions"]}
    print(f"daemon {front}, workers {sorted(workers)}: the two commands traced by {tracers}")
    assert len(set(tracers)) == 2 and set(tracers) <= workers, (tracers, workers)
    assert [listed[s]["pid"] for s in sessions] == pids
    assert all(listed[s]["tasks"] == 1 for s in sessions), listed
    watcher = Peer(sock)
    for session in sessions:
        assert watcher.request("subscribe", session=session)["type"] == "response"
        answer = peer.request("signal", session=session, signal="TERM")
        assert answer == {"type": "response", "id": answer["id"], "result": {"signal": "SIGTERM"}}
    ends = ends_of(watcher, sessions)  # in whichever order the two workers end them
    assert [(end["signal"], end["error"]) for end in ends] == [("SIGTERM", None)] * 2, ends


def ends_of(peer: Peer, sessions: list[str]) -> list[dict[str, Any]]:
    """The session_end of each of ``sessions``, read on ``peer`` in any order."""
    seen, peer.backlog = peer.backlog, []
    ends = {m["session"]: m for m in seen if m.get("type") == "session_end"}
    while not set(sessions) <= set(ends):
        message = peer.read()
        if message.get("type") == "session_end":
            ends[message["session"]] = message
    return [ends[session] for session in sessions]


def test_list_counts_the_tasks_a_client_has_seen_spawn(daemon: tuple[Path, int]) -> None:
    # The count lives in the worker; it comes with the event that changes it.
    sock, _front = daemon
    peer = Peer(sock)
    answer = peer.launch(["sh", "-c", "sleep 30 & sleep 30 & wait"], trace="none")
    session = session_of(answer)
    spawns = 0
    while spawns < 2:
        message = peer.read()
        spawns += message.get("type") == "spawn" and message["session"] == session
    [listed] = peer.request("list")["result"]["sessions"]
    assert (listed["session"], listed["tasks"]) == (session, 3), listed
    peer.request("signal", session=session, signal="KILL")
    assert end_of(peer, session)["signal"] == "SIGKILL"


def test_every_session_is_numbered_without_a_gap_over_two_workers(
    daemon: tuple[Path, int], programs: dict[str, Path]
) -> None:
    sock, front = daemon
    everything = Peer(sock)
    assert everything.request("subscribe", policy="block")["type"] == "response"
    launchers = [Peer(sock) for _ in range(SESSIONS)]
    argv = [str(programs["exact_calls"]), str(CALLS)]
    null = os.open(os.devnull, os.O_RDWR)
    try:  # every launch sent before any answer is read: they run at once
        asked = [
            p.send("launch", (null,) * 3, argv=argv, stdio=True, trace="getppid") for p in launchers
        ]
    finally:
        os.close(null)
    sessions = [session_of(p.answer(i)) for p, i in zip(launchers, asked, strict=True)]
    seen: dict[str, list[dict[str, Any]]] = {}
    for peer, session in zip(launchers, sessions, strict=True):
        seen[session] = peer.messages_until_end(session)
    everyone: list[dict[str, Any]] = []
    while sum(m["type"] == "session_end" for m in everyone) < SESSIONS:
        everyone.append(everything.read())
    for session in sessions:
        for stream in (seen[session], everyone):
            numbered = events(stream, session)
            [end] = [m for m in stream if m["type"] == "session_end" and m["session"] == session]
            assert [e["seq"] for e in numbered] == list(range(1, end["seq"] + 1)), session
            calls = [e for e in numbered if e["type"] == "syscall"]
            assert len(calls) == CALLS and end["status"] == 0, (len(calls), end)
    print(
        f"{SESSIONS} sessions of {CALLS} getppid over workers {sorted(worker_pids(front))}: "
        f"{len(everyone)} messages to the subscriber to everything, every seq in place"
    )


def test_a_killed_worker_ends_its_sessions_with_an_error_and_leaves_no_tracee(
    daemon: tuple[Path, int], programs: dict[str, Path], busy: subprocess.Popen[bytes]
) -> None:
    sock, front = daemon
    peer = Peer(sock)
    launched = peer.launch([str(programs["loop"]), FOREVER], trace="getppid", policy="drop")
    attached = peer.request("attach", pid=busy.pid, trace="newfstatat,stat", policy="drop")
    wait_until(lambda: tracer_of(busy.pid) != 0, "the attach")
    pid = launched["result"]["pid"]
    victim, other = tracer_of(pid), tracer_of(busy.pid)
    assert victim != other and {victim, other} == worker_pids(front)
    # Both on one worker: the launched command's; the attached process on the other.
    os.kill(victim, signal.SIGKILL)
    end = end_of(peer, session_of(launched))
    print(f"worker {victim} SIGKILLed: {end}")
    assert end["code"] is None and end["signal"] is None and end["status"] is None, end
    assert f"pid {victim}" in end["error"] and "killed by SIGKILL" in end["error"], end
    wait_until(lambda: not alive(pid), "the launched command to die with its worker")
    assert tracer_of(busy.pid) == other, "the other worker's session was touched"
    wait_until(lambda: worker_pids(front) == {other}, "the dead worker to be reaped")
    later = peer.launch(["sleep", "30"], trace="none", policy="drop")
    replacement = tracer_of(later["result"]["pid"])
    assert worker_pids(front) == {other, replacement} and replacement != victim
    os.kill(other, signal.SIGKILL)
    end = end_of(peer, session_of(attached))
    assert f"pid {other}" in end["error"], end
    wait_until(lambda: tracer_of(busy.pid) == 0, "the attached process to be let go")
    time.sleep(0.1)
    found = proc(busy.pid)
    assert found is not None and not found.stopped and busy.poll() is None, found
    again = peer.launch(["true"], trace="none")
    assert end_of(peer, session_of(again))["status"] == 0
    print(f"then worker {other} SIGKILLed: {end['error']}; worker {replacement} took over")


def test_a_daemon_that_dies_takes_its_workers_and_what_they_launched_with_it(
    daemon: tuple[Path, int], busy: subprocess.Popen[bytes]
) -> None:
    sock, front = daemon
    peer = Peer(sock)
    script = "sleep 60 & sleep 60 & wait"
    pid = peer.launch(["sh", "-c", script], trace="none", detach=True)["result"]["pid"]
    peer.request("attach", pid=busy.pid, trace="newfstatat,stat", detach=True)
    wait_until(lambda: len(children(pid)) == 2 and tracer_of(busy.pid) != 0, "the sessions")
    tree, workers = [pid, *children(pid)], worker_pids(front)
    os.kill(front, signal.SIGKILL)
    wait_until(lambda: not any(alive(w) for w in workers), "the workers to exit", LET_GO_SECONDS)
    wait_until(lambda: not any(alive(p) for p in tree), f"{tree} to die", LET_GO_SECONDS)
    wait_until(lambda: tracer_of(busy.pid) == 0, "the attached process to be let go")
    found = proc(busy.pid)
    assert found is not None and not found.stopped and busy.poll() is None, found
    print(f"daemon {front} SIGKILLed: workers {sorted(workers)} and {tree} gone, attach let go")


def test_an_idle_worker_leaves_and_the_next_session_starts_one(daemon: tuple[Path, int]) -> None:
    sock, front = daemon
    peer = Peer(sock)
    first = peer.launch(["true"], trace="none")
    assert end_of(peer, session_of(first))["status"] == 0
    [worker] = worker_pids(front)
    # Its end, not its leaving the list: an exiting process's cmdline empties first.
    wait_until(lambda: not alive(worker), "the idle worker to leave", IDLE_SECONDS + 5)
    assert worker_pids(front) == set()
    again = session_of(peer.launch(["sleep", "60"], trace="none"))
    wait_until(lambda: bool(worker_pids(front)), "a worker for the next session", 30)
    assert worker not in worker_pids(front)  # a new one traces it, not the front itself
    peer.request("signal", session=again, signal="SIGKILL")
    assert end_of(peer, again)["signal"] == "SIGKILL"
    print(f"worker {worker} left after {IDLE_SECONDS} s idle; the next launch started another")


def test_one_worker_is_the_daemon_with_one_loop(tmp_path: Path, programs: dict[str, Path]) -> None:
    with running_daemon(tmp_path, config="[daemon]\nworkers = 1\n") as started:
        peer = Peer(started.socket)
        answer = peer.launch(["sleep", "30"], trace="none", policy="drop")
        pid = answer["result"]["pid"]
        wait_until(lambda: tracer_of(pid) != 0, "the command to be traced")
        assert tracer_of(pid) == started.process.pid
        assert worker_pids(started.process.pid) == set()
        peer.request("signal", session=session_of(answer), signal="KILL")
        assert end_of(peer, session_of(answer))["signal"] == "SIGKILL"
