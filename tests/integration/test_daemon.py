"""End to end: a real daemon process, real sockets, real tracees."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.integration.daemon_fixture import REPO, Peer, close_all_peers, peer_pid, running_daemon
from tests.integration.procscan import fd_count, wait_for

pytestmark = pytest.mark.integration

N = 2000


def events_of(messages: list[dict[str, Any]], session: str) -> list[dict[str, Any]]:
    return [
        m
        for m in messages
        if m.get("session") == session
        and "seq" in m
        and "type" in m
        and m["type"] not in ("session_end", "lost")
    ]


def assert_contiguous(events: list[dict[str, Any]], first: int = 1) -> None:
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(first, first + len(seqs))), seqs[:10]


def test_hello_names_version_and_limits(daemon: Path) -> None:
    peer = Peer(daemon)
    assert peer.hello["type"] == "hello" and peer.hello["protocol"] == 1
    assert "launch" in peer.hello["capabilities"] and peer.hello["max_line"] > 0
    peer.close()


def test_two_launches_and_one_subscriber_to_everything(
    daemon: Path, programs: dict[str, Path]
) -> None:
    watcher = Peer(daemon)
    assert watcher.request("subscribe", policy="block")["type"] == "response"
    launchers = [Peer(daemon), Peer(daemon)]
    sessions = [
        p.launch([str(programs["loop"]), str(N)], trace="getppid")["result"]["session"]
        for p in launchers
    ]
    ends: dict[str, dict[str, Any]] = {}
    messages: list[dict[str, Any]] = []
    while len(ends) < 2:
        message = watcher.read()
        messages.append(message)
        if message["type"] == "session_end":
            ends[message["session"]] = message
    for session in sessions:
        events = events_of(messages, session)
        assert_contiguous(events)
        calls = [e for e in events if e["type"] == "syscall"]
        assert len(calls) == N and {e["name"] for e in calls} == {"getppid"}
        assert ends[session]["status"] == 0 and ends[session]["seq"] == len(events)
    for p in launchers:
        p.close()
    print(f"two sessions, one subscriber: {len(messages)} messages, {2 * N} syscalls, seq intact")


def _numbered(peer: Peer, session: str, count: int) -> bool:
    """Whether the session has numbered ``count`` events (list's ``events``)."""
    listed = peer.request("list")["result"]["sessions"]
    return any(s["session"] == session and s["events"] >= count for s in listed)


def test_late_subscriber_sees_events_from_then_on(daemon: Path, tmp_path: Path) -> None:
    launcher = Peer(daemon)
    script = "import os,time\nfor i in range(40):\n    os.stat('/'); time.sleep(0.01)"
    session = launcher.launch([sys.executable, "-c", script], trace="newfstatat,stat", detach=True)[
        "result"
    ]["session"]
    # joins after three events however slowly the command starts
    lister = Peer(daemon)
    assert wait_for(lambda: _numbered(lister, session, 3), 10), "no third event in 10 s"
    late = Peer(daemon)
    late.request("subscribe", session=session)
    messages = late.messages_until_end(session)
    events = events_of(messages, session)
    assert events and events[0]["seq"] > 3
    assert_contiguous(events, events[0]["seq"])
    print(f"late subscriber: joined at seq {events[0]['seq']}, got {len(events)} events")


def slow_reader(peer: Peer, session: str, delay: float) -> list[dict[str, Any]]:
    messages = []
    while True:
        message = peer.read()
        messages.append(message)
        if message.get("type") == "session_end" and message["session"] == session:
            return messages
        time.sleep(delay)


def test_slow_subscriber_block_policy_is_lossless(daemon: Path, programs: dict[str, Path]) -> None:
    peer = Peer(daemon)
    answer = peer.launch([str(programs["loop"]), str(N)], trace="getppid", policy="block", queue=16)
    session = answer["result"]["session"]
    messages = slow_reader(peer, session, 0.0005)
    calls = [m for m in events_of(messages, session) if m["type"] == "syscall"]
    assert len(calls) == N and not [m for m in messages if m["type"] == "lost"]
    assert_contiguous(events_of(messages, session))
    print(f"block: {len(calls)} of {N} getppid delivered in order through a 16-event queue")


def test_slow_subscriber_drop_policy_counts_exactly(
    daemon: Path, programs: dict[str, Path]
) -> None:
    peer = Peer(daemon)
    answer = peer.launch(
        [str(programs["loop"]), str(20 * N)], trace="getppid", policy="drop", queue=16
    )
    session = answer["result"]["session"]
    messages = slow_reader(peer, session, 0.002)
    events = events_of(messages, session)
    lost = [m for m in messages if m["type"] == "lost"]
    end = messages[-1]
    assert lost, "a reader this slow must have lost events"
    assert len(events) + sum(m["count"] for m in lost) == end["seq"]
    covered = sorted(
        [e["seq"] for e in events]
        + [s for m in lost for s in range(m["first_seq"], m["last_seq"] + 1)]
    )
    assert covered == list(range(1, end["seq"] + 1))
    print(
        f"drop: {len(events)} received + {sum(m['count'] for m in lost)} lost "
        f"= {end['seq']} events, in {len(lost)} lost records"
    )


def test_garbage_and_oversized_lines_leave_the_daemon_serving(daemon: Path) -> None:
    bad = Peer(daemon)
    bad.send_raw(b"this is not json\n")
    assert bad.read()["code"] == "malformed"
    bad.send_raw(b"[1, 2]\n")
    assert bad.read()["code"] == "malformed"
    bad.send_raw(b'{"id": 7, "op": "frobnicate"}\n')
    reply = bad.read()
    assert (reply["id"], reply["code"]) == (7, "unknown_op")
    bad.send_raw(b'{"id": 8, "op": "launch", "argv": []}\n')
    assert bad.read()["code"] == "invalid"
    bad.send_raw(b'{"id": 9, "op": "subscribe", "trace": "no_such_call"}\n')
    assert bad.read()["code"] == "unknown_syscall"
    bad.send_raw(b'{"junk": "' + b"x" * (bad.hello["max_line"] + 10) + b'"}\n')
    assert bad.read()["code"] == "line_too_long"
    assert bad.request("list")["type"] == "response"  # the same connection still works
    half = Peer(daemon)
    half.send_raw(b'{"id": 1, "op": "li')
    half.close()
    other = Peer(daemon)
    assert other.request("list")["type"] == "response"
    print("malformed, unknown op, invalid, unknown syscall, oversized, half-written: survived")


def test_stats_and_list(daemon: Path, programs: dict[str, Path]) -> None:
    peer = Peer(daemon)
    session = peer.launch([str(programs["loop"]), "100"], trace="getppid,openat")
    sid = session["result"]["session"]
    listed = peer.request("list")["result"]["sessions"]
    assert [s["session"] for s in listed] in ([sid], [])  # it may already have ended
    peer.messages_until_end(sid)
    other = Peer(daemon)
    launched = other.launch(["sleep", "2"], trace="none", detach=True)["result"]
    stats = other.request("stats", session=launched["session"])["result"]
    assert stats["sessions"] == {launched["session"]: {}}
    # The first session's openat paths were decoded from real memory: no decoder failed.
    assert stats["decoder_failures"] == {}
    info = other.request("list")["result"]["sessions"]
    assert any(s["session"] == launched["session"] and s["argv"] == ["sleep", "2"] for s in info)
    other.request("signal", session=launched["session"], signal="SIGKILL")


def test_client_that_goes_away_ends_its_command(daemon: Path) -> None:
    peer = Peer(daemon)
    answer = peer.launch(["sleep", "30"], trace="none")
    pid = answer["result"]["pid"]
    peer.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists()


def test_a_launched_command_runs_at_its_clients_nice_value(daemon: Path) -> None:
    """``nice -n 7 traced launch make`` must run make niced, whatever the daemon's nice.
    The client is niced before it connects, as ``nice`` does: the daemon takes the nice
    of a client as it connects (by launch time, its pid may be another process's)."""
    before = os.getpriority(os.PRIO_PROCESS, 0)
    os.setpriority(os.PRIO_PROCESS, 0, 7)
    try:
        peer = Peer(daemon)
        answer = peer.launch(["sleep", "30"], trace="none")["result"]
    finally:
        os.setpriority(os.PRIO_PROCESS, 0, before)
    stat = Path(f"/proc/{answer['pid']}/stat")
    deadline = time.monotonic() + 10
    while "(sleep)" not in stat.read_text() and time.monotonic() < deadline:
        time.sleep(0.01)  # the response comes at fork; the nice is set before the exec
    nice = int(stat.read_text().rsplit(")", 1)[1].split()[16])
    peer.request("signal", session=answer["session"], signal="KILL")
    assert nice == 7


def test_detached_launch_outlives_its_client(daemon: Path) -> None:
    """(What the command holds and sees is test_security.py's.)"""
    peer = Peer(daemon)
    answer = peer.launch(["sleep", "30"], trace="none", detach=True)["result"]
    peer.close()
    time.sleep(0.3)
    pid = answer["pid"]
    assert Path(f"/proc/{pid}").exists()
    Peer(daemon).request("signal", session=answer["session"], signal="SIGKILL")


def test_cli_launch_goes_through_the_daemon(daemon: Path, tmp_path: Path) -> None:
    env = {**os.environ, "TRACED_SOCKET": str(daemon)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "traced",
            "launch",
            "-f",
            "--daemon",
            "--json",
            "-o",
            str(tmp_path / "t"),
            "-e",
            "trace=execve",
            "--",
            "sh",
            "-c",
            "exit 9",
        ],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 9, done.stderr
    types = Counter(
        line.split('"type":"')[1].split('"')[0]
        for line in (tmp_path / "t").read_text().splitlines()
    )
    assert types["syscall"] == 1 and types["exec"] == 1 and types["exit"] == 1


def test_cli_ps_kill_and_refusal_without_daemon(daemon: Path, tmp_path: Path) -> None:
    env = {**os.environ, "TRACED_SOCKET": str(daemon)}
    peer = Peer(daemon)
    sid = peer.launch(["sleep", "30"], trace="none", detach=True)["result"]["session"]
    ps = subprocess.run(
        [sys.executable, "-m", "traced", "ps"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert sid in ps.stdout and "sleep 30" in ps.stdout
    kill = subprocess.run(
        [sys.executable, "-m", "traced", "kill", sid, "KILL"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert kill.returncode == 0, kill.stderr
    missing = {**os.environ, "TRACED_SOCKET": str(tmp_path / "nothing.sock")}
    forced = subprocess.run(
        [sys.executable, "-m", "traced", "launch", "-f", "--daemon", "--", "true"],
        env=missing,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert forced.returncode == 1 and "no daemon" in forced.stderr


def test_daemon_stop_ends_launched_commands(tmp_path: Path) -> None:
    with running_daemon(tmp_path) as started:
        sock = started.socket
        peer = Peer(sock)
        pid = peer.launch(["sleep", "30"], trace="none", detach=True)["result"]["pid"]
        assert Path(f"/proc/{pid}").exists()
        close_all_peers()
    assert not Path(f"/proc/{pid}").exists()
    assert not sock.exists()


def test_stdlib_only_client_sees_socket_errors_cleanly(daemon: Path) -> None:
    raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    raw.connect(str(daemon))
    raw.close()  # a client that vanishes before reading its hello
    assert Peer(daemon).request("list")["type"] == "response"


def test_cli_forwards_terminal_signals_to_the_command(daemon: Path, tmp_path: Path) -> None:
    env = {**os.environ, "TRACED_SOCKET": str(daemon)}
    client = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "traced",
            "launch",
            "-f",
            "--daemon",
            "-o",
            str(tmp_path / "t"),
            "-e",
            "trace=none",
            "--",
            "sleep",
            "30",
        ],
        env=env,
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    peer = Peer(daemon)
    deadline = time.monotonic() + 10
    while not peer.request("list")["result"]["sessions"] and time.monotonic() < deadline:
        time.sleep(0.05)
    client.send_signal(signal.SIGINT)
    _, stderr = client.communicate(timeout=10)
    assert client.returncode == 128 + signal.SIGINT, stderr
    assert "+++ killed by SIGINT +++" in (tmp_path / "t").read_text()


def test_cli_subscribe_prints_a_session(
    daemon: Path, programs: dict[str, Path], tmp_path: Path
) -> None:
    env = {**os.environ, "TRACED_SOCKET": str(daemon)}
    peer = Peer(daemon)
    script = "import os,time\ntime.sleep(0.5)\nfor i in range(5):\n    os.stat('/')"
    sid = peer.launch([sys.executable, "-c", script], trace="newfstatat,stat", detach=True)[
        "result"
    ]["session"]
    watched = subprocess.run(
        [
            sys.executable,
            "-m",
            "traced",
            "subscribe",
            "--session",
            sid,
            "-e",
            "trace=newfstatat",
            "-o",
            "-",
        ],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    lines = [line for line in watched.stdout.splitlines() if line.startswith("newfstatat(")]
    assert len(lines) >= 5 and all('"/"' in line for line in lines[-5:]), watched.stdout


def test_a_stdlib_only_client_from_protocol_examples(
    daemon: Path, programs: dict[str, Path]
) -> None:
    launcher = Peer(daemon)
    script = "import os,time\ntime.sleep(0.5)\nfor i in range(3):\n    os.getppid()"
    sid = launcher.launch([sys.executable, "-c", script], trace="getppid", detach=True)["result"][
        "session"
    ]
    # -I -S: no site-packages, no traced, no pydantic; only what protocol/ shows.
    watched = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            str(REPO / "protocol/examples/subscribe.py"),
            str(daemon),
            sid,
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert watched.returncode == 0, watched.stderr
    lines = watched.stdout.splitlines()
    assert [line.split()[2] for line in lines if line.split()[2] == "getppid"] == ["getppid"] * 3
    assert lines[-1].startswith(f"end {sid}") and lines[-1].endswith("status=0")


def _sleeper() -> subprocess.Popen[bytes]:
    code = "import os,time\nwhile True:\n    os.stat('/'); time.sleep(0.01)"
    return subprocess.Popen([sys.executable, "-c", code])


def test_attach_and_detach_through_the_daemon(daemon: Path) -> None:
    target = _sleeper()
    try:
        time.sleep(0.2)
        peer = Peer(daemon)
        answer = peer.request("attach", pid=target.pid, trace="newfstatat,stat")
        sid = answer["result"]["session"]
        first = peer.read()
        assert (
            first["type"] == "syscall"
            and first["args"][1 if first["name"] == "newfstatat" else 0]["value"] == "/"
        )
        assert Peer(daemon).request("detach", session=sid)["type"] == "response"
        messages = peer.messages_until_end(sid)
        end = messages[-1]
        assert end["type"] == "session_end" and end["status"] is None
        time.sleep(0.1)
        assert target.poll() is None  # left running
        status = Path(f"/proc/{target.pid}/status").read_text()
        assert "TracerPid:\t0" in status
    finally:
        target.kill()
        target.wait()


def test_daemon_stop_detaches_attached_processes(tmp_path: Path) -> None:
    target = _sleeper()
    try:
        time.sleep(0.2)
        with running_daemon(tmp_path) as started:
            peer = Peer(started.socket)
            assert peer.request("attach", pid=target.pid, trace="none")["type"] == "response"
            close_all_peers()
        time.sleep(0.1)
        assert target.poll() is None
        assert "TracerPid:\t0" in Path(f"/proc/{target.pid}/status").read_text()
    finally:
        target.kill()
        target.wait()


def test_refuses_to_launch_as_another_session_or_signal_what_it_cannot(daemon: Path) -> None:
    peer = Peer(daemon)
    assert peer.request("signal", session="nope")["code"] == "not_found"
    assert peer.request("detach", session="nope")["code"] == "not_found"
    sid = peer.launch(["sleep", "5"], trace="none", detach=True)["result"]["session"]
    assert peer.request("detach", session=sid)["code"] == "invalid"  # launched: never untraced
    assert peer.request("signal", session=sid, signal=999)["code"] == "invalid"
    assert peer.request("signal", session=sid, signal="SIGNOPE")["code"] == "invalid"
    assert peer.request("attach", pid=2**22 + 7)["code"] == "attach_failed"
    peer.request("signal", session=sid, signal="KILL")


def test_a_slow_drop_subscriber_never_slows_a_fast_one(
    daemon: Path, programs: dict[str, Path]
) -> None:
    slow, fast = Peer(daemon), Peer(daemon)
    slow.request("subscribe", policy="drop", queue=8)
    fast.request("subscribe", policy="block")
    launcher = Peer(daemon)
    sid = launcher.launch([str(programs["loop"]), str(N)], trace="getppid", detach=True)["result"][
        "session"
    ]
    got = [m for m in fast.messages_until_end(sid) if m.get("type") == "syscall"]
    assert len(got) == N  # everything, although the slow one never read a byte yet
    slow_messages = slow_reader(slow, sid, 0)
    lost = sum(m["count"] for m in slow_messages if m["type"] == "lost")
    assert len(events_of(slow_messages, sid)) + lost == slow_messages[-1]["seq"]


def test_fds_sent_without_a_request_are_not_kept(daemon: Path) -> None:
    peer = Peer(daemon)
    pid = peer_pid(peer.sock)
    before = fd_count(pid)
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        for _ in range(5):  # a line that never ends, each piece carrying 16 fds
            peer.send_raw(b"x", (null,) * 16)
        time.sleep(0.3)
        held = fd_count(pid) - before
        assert held <= 3, f"the daemon keeps {held} of a client's fds"
        assert Peer(daemon).request("list")["type"] == "response"
    finally:
        os.close(null)
