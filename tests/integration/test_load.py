"""Load and soak: one daemon, 1,000 sessions one after another and 200 at once.

What this file proves, each test printing its figures:

* 1,000 sessions, each launched and read to its ``session_end`` by a real
  protocol client, leave the daemon as they found it after a warm-up: exactly
  as many open fds, no zombie child, and a VmRSS at most 3 MiB bigger.  Every
  session ends with status 0, seqs 1, 2, 3 ... without a gap,
  ``session_end.seq`` equal to the last event's, and exactly the openat calls
  that strace sees /bin/true make.  Half the sessions share one connection, the
  other half open a connection each; the two halves run side by side on two
  client threads, each thread's sessions strictly one after another (launch,
  read to the end, next).  Measured here, 1,000 sessions took 5-12 s on one
  thread or two alike (the single-threaded daemon is the bottleneck, and the
  spread is other work on this 2-core machine); two threads also put launches,
  accepts and disconnects in flight at once.
* 200 sessions live at once.  A fork bomb (bounded in itself) and 199 programs
  that wait at a barrier the test owns are launched back to back, one more
  program takes the place of the bomb once ``max_tasks_per_session`` has killed
  it, and only when all 200 programs have reported in does the test check that
  ``list`` shows 200 live sessions.  A launch past ``max_sessions_per_uid`` is
  then refused with code ``limit`` naming the key.  The bomb's session ends
  with status 137, SIGKILL and an error naming the limit, and no process of it
  is left; every other session ends with status 0 and exactly its getppid
  calls; afterwards the daemon holds no more fds than before, and no zombie.

Kernel facts this file depends on:

* /proc/PID/fd has one entry per open fd; /proc/PID/status gives ``VmRSS``,
  ``State`` (``Z`` for a zombie), ``PPid`` and ``TracerPid``.  A zombie's
  cmdline reads empty, so zombies are found through their parent or tracer (the
  daemon), never through a marker.
* A tracee that dies stays a zombie until its tracer has waited for it, even
  when its parent is someone else.
* fork(2) copies argv, so a marker in the fork bomb's argv is in the cmdline of
  every process of its tree.
* read(2) on a pipe returns 0 once every write end is closed: closing the test's
  only write end of the "go" pipe releases every barrier program at once.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.integration.daemon_fixture import (
    Peer,
    close_all_peers,
    daemon_pid,
    running_daemon,
    session_of,
)
from tests.integration.procscan import (
    all_pids,
    daemon_tracers,
    fd_count,
    marked,
    processes,
    rss_kib,
)
from tests.integration.tools import require_tool

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("hang_guard")]
T = TypeVar("T")

HANG_GUARD = 60.0  # seconds; only a broken daemon makes a test wait this long
SETTLE = 5.0  # seconds the daemon gets to close fds and reap children after the last session

SEQUENTIAL = 1000
WARM_UP = 60
# Measured here after a 60-session warm-up: +156 to +168 KiB over 1,000 sessions
# (5 runs).  A live session costs the daemon about 6 KiB of RSS (the concurrent test
# prints it), so keeping every ended session would add about 6 MiB.  The bound, 18
# times the measured growth, catches any leak of half a session's worth or more.
RSS_GROWTH_BOUND_KIB = 3 * 1024

CONCURRENT = 200
BARRIER_CALLS = 50  # getppid calls each barrier program makes before the barrier
TASK_LIMIT = 32
BOMB_DEPTH = 6  # 2**7 - 1 = 127 processes if nothing stops it: 4 times the limit
BOMB_TASKS = 2 ** (BOMB_DEPTH + 1) - 1

LIMITS = f"""
[daemon]
kill_grace_seconds = 1.0
[limits]
max_sessions = {CONCURRENT + 56}
max_sessions_per_uid = {CONCURRENT}
max_tasks_per_session = {TASK_LIMIT}
"""


@dataclass
class Daemon:
    sock: Path
    pid: int


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """One daemon for the whole file, as the soak is about one daemon's lifetime."""
    with running_daemon(tmp_path_factory.mktemp("load"), config=LIMITS) as started:
        yield Daemon(started.socket, daemon_pid(started.socket))


# --- what the daemon holds --------------------------------------------------------


def zombies_of(daemon: int) -> list[int]:
    """Zombies the daemon should reap: its children, or tasks it traces (the daemon's
    or its tracer workers')."""
    tracers = daemon_tracers(daemon)
    return [p.pid for p in processes(all_pids()) if p.zombie and {p.ppid, p.tracer_pid} & tracers]


def settled(read: Callable[[], T], done: Callable[[T], bool]) -> T:
    """``read()`` once ``done`` holds of it, or its last value after SETTLE seconds."""
    deadline = time.monotonic() + SETTLE
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.02)
        value = read()
    return value


def daemon_fds(pid: int) -> int:
    """The fds the daemon holds: its own and its tracer workers'."""
    return sum(fd_count(tracer) for tracer in daemon_tracers(pid))


def daemon_rss_kib(pid: int) -> int:
    """The daemon's resident memory: its own and its tracer workers'."""
    return sum(rss_kib(tracer) for tracer in daemon_tracers(pid))


def steady_fd_count(pid: int) -> int:
    """The daemon's fd count once it stops changing (closed clients take a loop turn)."""
    seen: list[int] = []

    def sample() -> list[int]:
        seen.append(daemon_fds(pid))
        return seen[-10:]

    last = settled(sample, lambda window: len(window) == 10 and len(set(window)) == 1)
    return last[-1]


# --- protocol ---------------------------------------------------------------------


@dataclass
class Stream:
    """One session's stream as a client received it."""

    calls: Counter[str] = field(default_factory=Counter)
    last_seq: int = 0
    gaps: list[tuple[int, int]] = field(default_factory=list)  # (expected, got)
    end: dict[str, Any] | None = None

    def take(self, message: dict[str, Any]) -> None:
        if message["type"] == "session_end":
            self.end = message
            return
        if message["seq"] != self.last_seq + 1:
            self.gaps.append((self.last_seq + 1, message["seq"]))
        self.last_seq = message["seq"]
        if message["type"] == "syscall":
            self.calls[message["name"]] += 1

    def problems(self) -> list[str]:
        """What is wrong with a stream that should be whole and end with status 0."""
        wrong = [f"seq gap: expected {want}, got {got}" for want, got in self.gaps]
        if self.end is None:
            return [*wrong, "no session_end"]
        if self.end["seq"] != self.last_seq:
            wrong.append(f"session_end.seq {self.end['seq']} != last seq {self.last_seq}")
        if self.end["status"] != 0:
            wrong.append(f"status {self.end['status']} ({self.end.get('error')})")
        return wrong


def read_until_ended(peer: Peer, sessions: set[str]) -> dict[str, Stream]:
    """Every message of ``sessions`` (the backlog first) until each has ended."""
    streams = {session: Stream() for session in sessions}
    pending = set(sessions)
    messages = iter(peer.backlog)
    peer.backlog = []
    while pending:
        message = next(messages, None) or peer.read()
        session = message.get("session")
        if session in streams and "seq" in message and message["type"] != "lost":
            streams[session].take(message)
            if message["type"] == "session_end":
                pending.discard(session)
    return streams


def launch(peer: Peer, argv: list[str], stdio: tuple[int, int, int], trace: str) -> dict[str, Any]:
    """A launch whose command gets ``stdio`` as its fds 0, 1 and 2."""
    answer: dict[str, Any] = peer.answer(
        peer.send("launch", stdio, argv=argv, stdio=True, trace=trace)
    )
    return answer


def live_sessions(peer: Peer) -> dict[str, dict[str, Any]]:
    answer = peer.request("list")
    assert answer["type"] == "response", answer
    return {info["session"]: info for info in answer["result"]["sessions"]}


# --- 1,000 sequential sessions ------------------------------------------------------


def openat_calls_of_true() -> int:
    """How many openat /bin/true makes, as strace counts them."""
    strace = require_tool("strace", "it counts the openat calls each session must show")
    done = subprocess.run(
        [strace, "-f", "-qq", "-e", "trace=openat", "/bin/true"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return sum(1 for line in done.stderr.splitlines() if "openat(" in line)


def one_true_session(peer: Peer) -> Stream:
    session = session_of(peer.launch(["/bin/true"], trace="openat"))
    return read_until_ended(peer, {session})[session]


def sessions_on_one_connection(sock: Path, count: int) -> list[Stream]:
    peer = Peer(sock)
    try:
        return [one_true_session(peer) for _ in range(count)]
    finally:
        peer.close()


def sessions_on_a_connection_each(sock: Path, count: int) -> list[Stream]:
    streams = []
    for _ in range(count):
        peer = Peer(sock)
        try:
            streams.append(one_true_session(peer))
        finally:
            peer.close()
    return streams


def run_sessions(sock: Path, count: int) -> list[Stream]:
    """``count`` sessions, half on one shared connection and half on a connection each,
    the two halves on two threads at once."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        shared = pool.submit(sessions_on_one_connection, sock, count // 2)
        fresh = pool.submit(sessions_on_a_connection_each, sock, count - count // 2)
        return shared.result() + fresh.result()


def test_thousand_sequential_sessions_leak_nothing(daemon: Daemon) -> None:
    expected_openat = openat_calls_of_true()
    run_sessions(daemon.sock, WARM_UP)
    fds_before = steady_fd_count(daemon.pid)
    rss_before = daemon_rss_kib(daemon.pid)

    started = time.monotonic()
    streams = run_sessions(daemon.sock, SEQUENTIAL)
    elapsed = time.monotonic() - started

    fds_after = settled(lambda: daemon_fds(daemon.pid), lambda n: n == fds_before)
    zombies = settled(lambda: zombies_of(daemon.pid), lambda found: not found)
    rss_after = daemon_rss_kib(daemon.pid)
    figures = (
        f"{len(streams)} sessions in {elapsed:.2f} s ({elapsed / len(streams) * 1000:.1f} ms each,"
        f" 2 client threads); daemon fds {fds_before} -> {fds_after}, zombies {zombies},"
        f" VmRSS {rss_before} -> {rss_after} KiB ({rss_after - rss_before:+d} KiB,"
        f" bound +{RSS_GROWTH_BOUND_KIB} KiB)"
    )
    print(figures)
    broken = {i: s.problems() for i, s in enumerate(streams) if s.problems()}
    assert not broken, f"{len(broken)} sessions went wrong, e.g. {list(broken.items())[:3]}"
    miscounted = [s.calls["openat"] for s in streams if s.calls["openat"] != expected_openat]
    assert not miscounted, f"strace sees {expected_openat} openat; sessions saw {miscounted[:10]}"
    assert len(streams) == SEQUENTIAL, figures
    assert fds_after == fds_before, figures
    assert not zombies, figures
    assert rss_after - rss_before <= RSS_GROWTH_BOUND_KIB, figures


# --- 200 at once, one a fork bomb ----------------------------------------------------


@dataclass
class Barrier:
    """Two pipes: each program writes one byte to ``ready`` and then waits for ``go`` to close."""

    ready_read: int
    ready_write: int
    go_read: int
    go_write: int
    null: int

    @classmethod
    def open(cls) -> Barrier:
        ready_read, ready_write = os.pipe()
        go_read, go_write = os.pipe()
        return cls(ready_read, ready_write, go_read, go_write, os.open(os.devnull, os.O_RDWR))

    @property
    def program_stdio(self) -> tuple[int, int, int]:
        return (self.go_read, self.ready_write, self.null)

    @property
    def bomb_stdio(self) -> tuple[int, int, int]:
        return (self.go_read, self.null, self.null)

    def wait_ready(self, count: int) -> int:
        """How many ready bytes arrived, waiting for ``count`` at most HANG_GUARD seconds."""
        got = 0
        deadline = time.monotonic() + HANG_GUARD
        while got < count:
            readable, _, _ = select.select([self.ready_read], [], [], deadline - time.monotonic())
            if not readable:
                break
            got += len(os.read(self.ready_read, count - got))
        return got

    def release(self) -> None:
        if self.go_write >= 0:
            os.close(self.go_write)
            self.go_write = -1

    def close(self) -> None:
        self.release()
        for fd in (self.ready_read, self.ready_write, self.go_read, self.null):
            os.close(fd)


def wait_for_bomb(observer: Peer, session: str) -> str:
    """Until the bomb's session has ended (the limit worked) or grown to its full size."""
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        info = live_sessions(observer).get(session)
        if info is None:
            return "ended"
        if info["tasks"] >= BOMB_TASKS:
            return f"grew to {info['tasks']} tasks, unchecked"
        time.sleep(0.02)
    return "neither ended nor grew"


def launch_barrier_programs(peer: Peer, barrier: Barrier, program: Path, count: int) -> list[str]:
    argv = [str(program), str(BARRIER_CALLS)]
    return [session_of(launch(peer, argv, barrier.program_stdio, "getppid")) for _ in range(count)]


def test_two_hundred_sessions_at_once_one_a_fork_bomb(
    daemon: Daemon, programs: dict[str, Path]
) -> None:
    fds_before = steady_fd_count(daemon.pid)
    rss_before = daemon_rss_kib(daemon.pid)
    marker = f"traced-load-bomb-{uuid.uuid4().hex}"
    launcher, observer = Peer(daemon.sock), Peer(daemon.sock)
    barrier = Barrier.open()
    try:
        bomb_argv = [str(programs["fork_bomb"]), str(BOMB_DEPTH), marker]
        bomb = session_of(launch(launcher, bomb_argv, barrier.bomb_stdio, "none"))
        started = time.monotonic()
        sessions = launch_barrier_programs(
            launcher, barrier, programs["barrier_calls"], CONCURRENT - 1
        )
        ready = barrier.wait_ready(len(sessions))
        bomb_fate = wait_for_bomb(observer, bomb)
        # Fill up to the per-uid limit: one more program if the bomb is gone already.
        fillers = CONCURRENT - len(live_sessions(observer))
        sessions += launch_barrier_programs(
            launcher, barrier, programs["barrier_calls"], max(fillers, 0)
        )
        ready += barrier.wait_ready(max(fillers, 0))
        live_at_once = len(live_sessions(observer))
        rss_at_peak = daemon_rss_kib(daemon.pid)
        refused = launch(
            launcher,
            [str(programs["barrier_calls"]), "0"],
            barrier.program_stdio,
            "getppid",
        )
        launched_in = time.monotonic() - started
        barrier.release()
        streams = read_until_ended(launcher, {*sessions, bomb})
    finally:
        barrier.close()
    survivors = settled(lambda: processes(marked(marker)), lambda found: not found)
    zombies = settled(lambda: zombies_of(daemon.pid), lambda found: not found)
    close_all_peers()
    fds_after = settled(lambda: daemon_fds(daemon.pid), lambda n: n == fds_before)

    bomb_end = streams.pop(bomb).end
    print(
        f"{len(sessions)} barrier sessions + 1 fork bomb launched and ready in {launched_in:.2f} s;"
        f" {ready} reported ready at once; list showed {live_at_once} live;"
        f" one more launch got {refused.get('code')}: {refused.get('message')!r}"
    )
    per_session = (rss_at_peak - rss_before) / live_at_once
    print(f"VmRSS {rss_before} -> {rss_at_peak} KiB with them live: {per_session:.0f} KiB each")
    print(f"fork bomb (limit {TASK_LIMIT} tasks): {bomb_fate}; session_end {bomb_end}")
    print(f"afterwards: survivors {survivors}, zombies {zombies}, fds {fds_before} -> {fds_after}")

    assert ready == len(sessions), f"only {ready} of {len(sessions)} were live at the barrier"
    assert live_at_once == CONCURRENT, f"list showed {live_at_once} live sessions"
    assert refused["type"] == "error" and refused["code"] == "limit", refused
    assert f"max_sessions_per_uid = {CONCURRENT}" in refused["message"], refused
    broken = {s: stream.problems() for s, stream in streams.items() if stream.problems()}
    assert not broken, f"{len(broken)} sessions went wrong, e.g. {list(broken.items())[:3]}"
    miscounted = {s: st.calls for s, st in streams.items() if st.calls["getppid"] != BARRIER_CALLS}
    assert not miscounted, f"expected {BARRIER_CALLS} getppid each: {list(miscounted.items())[:3]}"
    assert not zombies, zombies
    assert fds_after == fds_before, f"daemon fds {fds_before} -> {fds_after}"
    assert bomb_end is not None
    assert (bomb_end["status"], bomb_end["signal"]) == (137, "SIGKILL"), bomb_end
    assert f"max_tasks_per_session = {TASK_LIMIT}" in (bomb_end.get("error") or ""), bomb_end
    assert not survivors, f"processes of the fork bomb survive: {[str(p) for p in survivors]}"
