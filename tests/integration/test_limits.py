"""Every limit of config.example.toml, hit on purpose: the error a user gets, and the
daemon serving on.  One test per limit, each with a real daemon configured small:
[limits] max_clients, max_sessions, max_sessions_per_uid, max_tasks_per_session,
max_line, and [delivery] queue_size, string_size.  Each test prints what the user
sees.

The client of another uid that max_sessions_per_uid needs is other_uid.py's (a
small C program connects as ``nobody`` and hands the connection over).  The fork
bomb is tests/programs/fork_bomb.c.

Kernel facts these tests rely on:

* A tracee its tracer does not resume stays in tracing stop: state ``t`` in
  /proc/PID/stat.
* fork(2) copies argv, so a marker in the fork bomb's argv is in the cmdline of
  every process of its tree, and /proc finds survivors by it alone.
* /proc/PID/fd has one entry per fd the daemon holds: an fd it opened for a
  request it refused, and never closed, shows there.
* A Unix stream socket whose reader does not read fills up; the writer's
  non-blocking send then fails with EAGAIN, so the daemon's queue for that client
  fills next.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.integration import procscan
from tests.integration.daemon_fixture import (
    Peer,
    end_of,
    peer_pid,
    running_daemon,
    session_of,
    wait_until,
)
from tests.integration.other_uid import NOBODY, Processes, Programs, activated_daemon, nobody_peer

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("hang_guard")]


GATE = ["sh", "-c", "read x; exit 7"]


def gated(peer: Peer, argv: list[str] = GATE, **fields: Any) -> tuple[str, int]:
    """Launch ``argv`` (by default ``sh -c 'read x'``) reading a pipe: its session, and
    the pipe's write end (write a line or close it to end the session)."""
    gate_read, gate_write = os.pipe()
    null = os.open(os.devnull, os.O_RDWR)
    try:
        request = peer.send("launch", (gate_read, null, null), argv=argv, stdio=True, **fields)
    finally:
        os.close(gate_read)
        os.close(null)
    return session_of(peer.answer(request)), gate_write


def show(limit: str, error: dict[str, Any]) -> None:
    print(f"{limit}: the user gets {json.dumps(error)}")


def assert_limit_error(answer: dict[str, Any], key: str, value: int) -> None:
    assert answer["type"] == "error" and answer["code"] == "limit", answer
    assert f"{key} = {value}" in answer["message"], answer


def test_max_clients(tmp_path: Path) -> None:
    with running_daemon(tmp_path, config="[limits]\nmax_clients = 3\n") as started:
        sock = started.socket
        admitted = [Peer(sock) for _ in range(3)]
        refused = Peer(sock)
        show("max_clients = 3, a 4th client", refused.hello)
        assert_limit_error(refused.hello, "max_clients", 3)
        assert refused.hello["id"] is None
        assert refused.file.readline() == b""  # and the connection is closed
        admitted.pop().close()

        def admits_one_more() -> bool:
            peer = Peer(sock)
            if peer.hello["type"] == "hello":
                return True
            peer.close()
            return False

        wait_until(admits_one_more, "a client to be admitted once another left")
        assert all(p.request("list")["type"] == "response" for p in admitted)


def test_max_sessions(tmp_path: Path, processes: Processes) -> None:
    # The attach is to a sleep of ours: were the limit to let it through, the daemon
    # would trace that, not pytest itself (which it would hold, hanging the run).
    spare = processes.start(["sleep", "60"])
    with running_daemon(tmp_path, config="[limits]\nmax_sessions = 2\n") as started:
        sock = started.socket
        watcher, launcher = Peer(sock), Peer(sock)
        assert watcher.request("subscribe", policy="block")["type"] == "response"
        (first, first_gate), (_, second_gate) = (gated(launcher, detach=True) for _ in range(2))
        launched = launcher.launch(["true"], trace="none")
        attached = launcher.request("attach", pid=spare.pid)
        show("max_sessions = 2, a 3rd launch", launched)
        show("max_sessions = 2, an attach", attached)
        assert_limit_error(launched, "max_sessions", 2)
        assert_limit_error(attached, "max_sessions", 2)
        os.close(first_gate)  # one session ends
        assert end_of(watcher, first)["status"] == 7
        freed = launcher.launch(["true"], trace="none")
        assert end_of(launcher, session_of(freed))["status"] == 0
        os.close(second_gate)


def test_max_sessions_per_uid(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    settings = "[limits]\nmax_sessions = 10\nmax_sessions_per_uid = 2\n"
    with activated_daemon(world, allow_uids=(NOBODY.pw_uid,), more_config=settings) as daemon:
        root = Peer(daemon.socket)
        assert root.request("subscribe", policy="block")["type"] == "response"
        (first, first_gate), (_, second_gate) = (gated(root, detach=True) for _ in range(2))
        over = root.launch(["true"], trace="none")
        show("max_sessions_per_uid = 2, uid 0's 3rd session", over)
        assert_limit_error(over, "max_sessions_per_uid", 2)
        assert "uid 0" in over["message"]
        nobody, _ = nobody_peer(processes, programs_for_anyone, daemon)
        theirs = nobody.launch(["true"], trace="none")  # another uid: its own count
        assert end_of(nobody, session_of(theirs))["status"] == 0
        os.close(first_gate)  # one session ends
        assert end_of(root, first)["status"] == 7
        freed = root.launch(["true"], trace="none")
        assert end_of(root, session_of(freed))["status"] == 0
        os.close(second_gate)


def test_max_tasks_per_session(tmp_path: Path, programs: dict[str, Path]) -> None:
    marker = f"traced-bomb-{uuid.uuid4().hex}"
    depth = 6  # 127 processes at most, whatever happens
    bomb = [str(programs["fork_bomb"]), str(depth), marker]
    with running_daemon(tmp_path, config="[limits]\nmax_tasks_per_session = 20\n") as started:
        sock = started.socket
        other = Peer(sock)
        bystander_session, gate_write = gated(other)
        peer = Peer(sock)
        # Its processes wait on the gate (their stdin) once grown: all there at once.
        session, bomb_gate = gated(peer, bomb, trace="none")
        messages = peer.messages_until_end(session)
        # Killed processes are gone within moments; the bound only stops a wait for
        # processes that stay (a traced child nobody resumes or kills).
        survivors = procscan.settle(lambda: procscan.processes(procscan.marked(marker)), 5.0)
        os.close(bomb_gate)
        os.write(gate_write, b"go\n")  # the other session was there all along
        os.close(gate_write)
        bystander_end = end_of(other, bystander_session)
    end = messages[-1]
    spawned = sum(1 for m in messages if m.get("type") == "spawn")
    show(f"max_tasks_per_session = 20, a fork bomb ({spawned} spawns seen)", end)
    assert (end["status"], end["signal"]) == (137, "SIGKILL"), end
    assert "max_tasks_per_session = 20" in (end.get("error") or ""), end
    assert not survivors, f"processes of the killed session survive: {survivors}"
    assert bystander_end["status"] == 7, bystander_end


def test_queue_size_drop_policy_counts_what_a_slow_subscriber_lost(
    tmp_path: Path, programs: dict[str, Path]
) -> None:
    calls = 2000
    with running_daemon(tmp_path, config="[delivery]\nqueue_size = 8\n") as started:
        sock = started.socket
        slow = Peer(sock)
        assert slow.request("subscribe")["type"] == "response"  # drop, the daemon's queue
        launcher = Peer(sock)
        argv = [str(programs["loop"]), str(calls)]
        session = session_of(launcher.launch(argv, trace="getppid"))  # block, and it reads
        assert end_of(launcher, session)["status"] == 0
        received = slow.messages_until_end(session)  # only now does it read
    events = [m for m in received if "seq" in m and m["type"] not in ("session_end", "lost")]
    lost = [m for m in received if m["type"] == "lost"]
    end = received[-1]
    show("queue_size = 8, a subscriber that does not read", lost[0] if lost else {})
    print(f"it got {len(events)} events and {len(lost)} lost records of {end['seq']} events")
    assert lost, "a subscriber this slow must have lost events"
    assert len(events) + sum(m["count"] for m in lost) == end["seq"]


def test_queue_size_block_policy_holds_the_tracee_until_the_subscriber_reads(
    tmp_path: Path, programs: dict[str, Path]
) -> None:
    calls = 2000
    with running_daemon(tmp_path, config="[delivery]\nqueue_size = 8\n") as started:
        sock = started.socket
        reader, observer = Peer(sock), Peer(sock)
        argv = [str(programs["loop"]), str(calls)]
        answer = reader.launch(argv, trace="getppid", policy="block")  # the daemon's queue
        session, pid = session_of(answer), answer["result"]["pid"]

        def made() -> int:
            stats = observer.request("stats", session=session)["result"]["sessions"]
            return int(stats[session].get("getppid", 0))

        counts = [made()]

        def settled() -> bool:  # under way, in tracing stop, no syscall since the last look
            counts.append(made())
            return counts[-1] > 0 and procscan.state_of(pid) == "t" and counts[-1] == counts[-2]

        wait_until(settled, "the tracee to be held")
        held_at = counts[-1]
        time.sleep(0.3)  # held, it cannot move however long nobody reads
        assert made() == held_at and procscan.state_of(pid) == "t", "the tracee went on unread"
        messages = reader.messages_until_end(session)  # reading lets it go on
    calls_seen = [m for m in messages if m.get("type") == "syscall"]
    print(
        f"queue_size = 8, block: the tracee waited in state 't' after {held_at} of {calls} "
        f"calls while its client read nothing; once read: {len(calls_seen)} events, "
        f"{sum(m['type'] == 'lost' for m in messages)} lost, status {messages[-1]['status']}"
    )
    assert held_at < calls, "the tracee ran to its end although nobody read"
    assert len(calls_seen) == calls and messages[-1]["status"] == 0
    assert not [m for m in messages if m["type"] == "lost"]


def test_queue_size_bounds_what_a_client_may_ask_for(tmp_path: Path, processes: Processes) -> None:
    """A subscription's queue is what the daemon may hold for it: a client may ask for
    less than queue_size, never more, and may hold one subscription per session plus
    one to everything.  A request refused for its queue leaves nothing behind: no
    session (an attach would go on tracing its process), no fd."""
    spare = processes.start(["sleep", "60"])
    refusals = 20  # launches without stdio: the daemon would open /dev/null for each
    with running_daemon(
        tmp_path, config="[delivery]\nqueue_size = 8\n[limits]\nmax_sessions = 2\n"
    ) as started:
        sock = started.socket
        peer, other = Peer(sock), Peer(sock)
        daemon = peer_pid(peer.sock)
        smaller = peer.request("subscribe", queue=8)
        larger = peer.request("subscribe", queue=9)
        launched = peer.launch(["true"], trace="none", queue=9)
        attached = other.request("attach", pid=spare.pid, trace="none", queue=9)
        left_by_attach = other.request("list")["result"]["sessions"]
        fds_before = procscan.fd_count(daemon)
        quiet = [other.request("launch", argv=["true"], queue=9) for _ in range(refusals)]
        fds_closed = procscan.wait_for(lambda: procscan.fd_count(daemon) <= fds_before, 5.0)
        fds_after = procscan.fd_count(daemon)
        more = [peer.request("subscribe") for _ in range(3)]
    show("queue_size = 8, a subscription asking for 9", larger)
    show("max_sessions = 2, a 4th subscription on one connection", more[-1])
    print(
        f"an attach asking for 9 left sessions {left_by_attach}; {refusals} launches without "
        f"stdio asking for 9: daemon fds {fds_before} -> {fds_after}"
    )
    assert smaller["type"] == "response", smaller
    assert_limit_error(larger, "queue_size", 8)
    assert_limit_error(launched, "queue_size", 8)
    assert_limit_error(attached, "queue_size", 8)
    assert left_by_attach == [], left_by_attach
    for answer in quiet:
        assert_limit_error(answer, "queue_size", 8)
    assert fds_closed, (
        f"{refusals} refused launches left the daemon {fds_before} -> {fds_after} fds"
    )
    assert [m["type"] for m in more] == ["response", "response", "error"], more
    assert more[-1]["code"] == "limit" and "max_sessions + 1 = 3" in more[-1]["message"]


def test_max_line(tmp_path: Path) -> None:
    with running_daemon(tmp_path, config="[limits]\nmax_line = 4096\n") as started:
        sock = started.socket
        peer = Peer(sock)
        assert peer.hello["max_line"] == 4096
        request = b'{"id": "fits", "op": "list"}'
        exactly = request[:-1] + b" " * (4096 - len(request)) + b"}"
        peer.send_raw(exactly + b"\n")
        fits = peer.read()
        peer.send_raw(exactly + b" \n")
        too_long = peer.read()
        after = peer.request("list")
    show("max_line = 4096, a line of 4097 bytes", too_long)
    assert (fits["type"], fits["id"]) == ("response", "fits"), fits
    assert (too_long["type"], too_long["code"], too_long["id"]) == ("error", "line_too_long", None)
    assert "4096" in too_long["message"], too_long
    assert after["type"] == "response"  # the same connection goes on


def test_string_size(tmp_path: Path) -> None:
    write_100 = [sys.executable, "-c", "import os; os.write(1, b'x' * 100)"]
    with running_daemon(tmp_path, config="[delivery]\nstring_size = 8\n") as started:
        sock = started.socket
        peer = Peer(sock)
        texts = {}
        for name, decoding in (("string_size", None), ("its own -s 16", {"string_limit": 16})):
            fields = {"decoding": decoding} if decoding else {}
            session = session_of(peer.launch(write_100, trace="write", **fields))
            [call] = [m for m in peer.messages_until_end(session) if m.get("name") == "write"]
            texts[name] = call["args"][1]["text"]
        too_big = peer.launch(["true"], trace="none", decoding={"string_limit": 2**21})
        largest = peer.launch(["true"], trace="none", decoding={"string_limit": 2**20})
    print(f"string_size = 8: write's buffer reads {texts}")
    show("decoding.string_limit = 2**21", too_big)
    assert texts == {"string_size": '"xxxxxxxx"...', "its own -s 16": '"' + "x" * 16 + '"...'}
    assert too_big["type"] == "error" and too_big["code"] == "invalid", too_big
    assert "string_limit" in too_big["message"]
    assert largest["type"] == "response", largest
