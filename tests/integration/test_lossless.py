"""Nothing lost: a workload whose syscalls strace counts exactly, and subscribers
that must account for every one of them.

The producer is tests/programs/exact_calls: N getppid() calls (or N chdir() of
a 4000-byte path), nothing else of that name, so its stream is exactly one
``exec`` event, N ``syscall`` events and one ``exit`` event.  Each test first has
strace count the calls (``strace -f -c``), so the expected number is measured,
not assumed.

What the tests prove, each printing its figures:

* A ``block`` subscriber receives all N calls, seq 1, 2, 3 ... without a gap,
  and a ``session_end`` whose seq is the last event's; a ``drop`` subscriber of
  the same session that reads nothing until the session is over accounts for
  every event: received + lost = the total, each seq covered exactly once.
* A ``drop`` subscriber alone never holds the tracee: the session runs to its
  end (status 0) while the subscriber has read nothing at all, and afterwards
  received + lost = the total again.
* A ``block`` subscriber 100 times slower than the producer loses nothing.  "100
  times slower" is measured, not assumed: the test first runs the producer
  traced with a reader that keeps up, and the producer's own timing of its loop
  gives its rate P.  Then the reader is throttled to P / 100 (it sleeps until
  the i-th event is due at i * 100 / P seconds).  The traced P is the strict
  choice: the untraced rate (printed too) is 25 to 600 times higher, so a reader
  at 1/100 of it would be about as fast as the traced producer, and hold
  nothing.  At P / 100 a run of N calls would take minutes, so this run is sized
  to take about SLOW_SECONDS (at least MIN_SLOW_EVENTS calls), and strace
  counts it too.  Its events are 8 KiB each (the 4000-byte path, as value and as
  text), so the daemon's socket buffer holds only a few dozen of them and the
  queue of SLOW_QUEUE events is full nearly all the time: back-pressure is
  engaged for almost the whole run.  That the tracee really was held is checked
  with the daemon's own count of the calls made (``stats``): the tracee never
  got more than half the run ahead of the reader, whereas unheld it would have
  finished while the reader had read about 1 %.

Kernel facts these tests depend on:

* strace -c counts every call of the traced syscalls, failed ones included.
* clock_gettime is served by the vDSO without entering the kernel, so the
  producer's self-timing adds no traced syscall.
* A Unix stream socket's sender may have at most its send buffer (net.core
  .wmem_default, 208 KiB by default) in flight; past that, the daemon's
  non-blocking send fails with EAGAIN and its own per-subscriber queue fills.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.integration.daemon_fixture import Peer
from tests.integration.tools import require_tool

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("hang_guard")]

N = 100_000  # getppid calls, as the issue asks: 4 to 10 s traced here, depending on the load
N_UNREAD = 5_000  # the drop-only run: what it proves does not need N
QUEUE = 64  # events a subscriber may have waiting: small, so back-pressure engages early
SLOW_QUEUE = 16  # the slow reader's: a small queue and 8 KiB events keep the tracee on a leash
SLOW_FACTOR = 100
SLOW_SECONDS = 4.0  # how long the slow reader's run should take
MIN_SLOW_EVENTS = 200  # at least this many for the slow run, however slow the machine
PATH_BYTES = 4000
PROBE_EVENTS = 2000  # the run that measures the producer's rate with a reader that keeps up
HANG_GUARD = 120.0  # seconds; only a broken daemon makes a test wait this long


# --- the producer -----------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    program: Path
    calls: int
    path_bytes: int = 0  # 0: getppid; otherwise chdir of a path this long

    @property
    def name(self) -> str:
        return "chdir" if self.path_bytes else "getppid"

    @property
    def argv(self) -> list[str]:
        extra = [str(self.path_bytes)] if self.path_bytes else []
        return [str(self.program), str(self.calls), *extra]

    @property
    def events(self) -> int:
        """exec, the calls, exit."""
        return self.calls + 2


def strace_count(workload: Workload, tmp_path: Path) -> int:
    """How many calls of the workload's syscall strace sees it make."""
    strace = require_tool("strace", "it counts the calls the producer really makes")
    summary = tmp_path / f"strace-{workload.name}-{workload.calls}.txt"
    command = [strace, "-f", "-c", "-o", str(summary), "-e", f"trace={workload.name}"]
    done = subprocess.run([*command, *workload.argv], capture_output=True, timeout=HANG_GUARD)
    assert done.returncode == 0, done.stderr
    for line in summary.read_text().splitlines():
        columns = line.split()
        if columns and columns[-1] == workload.name:
            return int(columns[3])  # % time, seconds, usecs/call, calls, [errors,] syscall
    raise AssertionError(f"strace saw no {workload.name}:\n{summary.read_text()}")


def verified(workload: Workload, tmp_path: Path) -> Workload:
    counted = strace_count(workload, tmp_path)
    assert counted == workload.calls, (
        f"strace counts {counted} {workload.name}, not {workload.calls}"
    )
    return workload


def untraced_rate(workload: Workload) -> float:
    """Calls per second of the producer's own loop, untraced."""
    done = subprocess.run(workload.argv, capture_output=True, text=True, timeout=HANG_GUARD)
    assert done.returncode == 0, done.stderr
    return workload.calls / (int(done.stdout) / 1e9)


# --- streams ----------------------------------------------------------------------


@dataclass
class Received:
    """What one subscriber got of one session."""

    events: list[dict[str, Any]] = field(default_factory=list)
    lost: list[dict[str, Any]] = field(default_factory=list)
    end: dict[str, Any] | None = None

    def take(self, message: dict[str, Any]) -> None:
        if message["type"] == "session_end":
            self.end = message
        elif message["type"] == "lost":
            self.lost.append(message)
        elif "seq" in message:
            self.events.append(message)

    @property
    def lost_count(self) -> int:
        return sum(lost["count"] for lost in self.lost)

    def calls(self, name: str) -> int:
        return sum(1 for e in self.events if e["type"] == "syscall" and e["name"] == name)

    def seqs(self) -> list[int]:
        return [event["seq"] for event in self.events]

    def covered(self) -> list[int]:
        """Each seq once per event received or lost, in order."""
        lost = [s for r in self.lost for s in range(r["first_seq"], r["last_seq"] + 1)]
        return sorted(self.seqs() + lost)


def read_session(peer: Peer, session: str) -> Received:
    received = Received()
    for message in peer.backlog:
        if message.get("session") == session:
            received.take(message)
    peer.backlog = []
    while received.end is None:
        message = peer.read()
        if message.get("session") == session:
            received.take(message)
    return received


def assert_whole(received: Received, workload: Workload) -> None:
    """A block stream: exec, every call, exit; seqs 1, 2, 3 ...; end.seq the last one."""
    assert received.end is not None and received.end["status"] == 0, received.end
    kinds = [e["type"] for e in received.events]
    assert kinds == ["exec"] + ["syscall"] * workload.calls + ["exit"], kinds[:5]
    assert received.calls(workload.name) == workload.calls, received.calls(workload.name)
    assert received.seqs() == list(range(1, workload.events + 1)), received.seqs()[:10]
    assert received.end["seq"] == received.seqs()[-1], received.end
    assert not received.lost, received.lost


def assert_accounted(received: Received, total: int) -> None:
    """A drop stream: every seq 1..total received or reported lost, exactly once."""
    assert received.end is not None and received.end["status"] == 0, received.end
    assert received.end["seq"] == total, received.end
    assert len(received.events) + received.lost_count == total, (
        f"{len(received.events)} received + {received.lost_count} lost != {total}"
    )
    assert received.covered() == list(range(1, total + 1)), "a seq missing or counted twice"


def launch_reporting(peer: Peer, workload: Workload, **fields: Any) -> tuple[str, int]:
    """Launch the workload with its stdout on a pipe: (session, the pipe's read end)."""
    report_read, report_write = os.pipe()
    null = os.open(os.devnull, os.O_RDWR)
    try:
        request = peer.send(
            "launch",
            (null, report_write, null),
            argv=workload.argv,
            stdio=True,
            trace=workload.name,
            **fields,
        )
    finally:
        os.close(report_write)
        os.close(null)
    answer = peer.answer(request)
    assert answer["type"] == "response", answer
    return answer["result"]["session"], report_read


def loop_seconds(report_read: int) -> float:
    """The producer's own timing of its loop (it prints nanoseconds, then exits)."""
    with os.fdopen(report_read) as report:
        return int(report.read()) / 1e9


def wait_until_gone(observer: Peer, session: str) -> None:
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        listed = observer.request("list")["result"]["sessions"]
        if all(info["session"] != session for info in listed):
            return
        time.sleep(0.01)
    raise AssertionError(f"session {session} still live after {HANG_GUARD} s")


# --- the tests --------------------------------------------------------------------


def test_block_and_drop_subscribers_of_one_session_account_for_every_call(
    daemon: Path, programs: dict[str, Path], tmp_path: Path
) -> None:
    workload = verified(Workload(programs["exact_calls"], N), tmp_path)
    dropper = Peer(daemon)
    assert dropper.request("subscribe", policy="drop", queue=QUEUE)["type"] == "response"
    launcher = Peer(daemon)
    started = time.monotonic()
    session, report = launch_reporting(launcher, workload, policy="block", queue=QUEUE)
    lossless = read_session(launcher, session)
    elapsed = time.monotonic() - started
    traced_loop = loop_seconds(report)
    dropped = read_session(dropper, session)  # only now: it read nothing while the tracee ran

    print(
        f"expected {workload.calls} getppid (strace agrees); block subscriber:"
        f" {lossless.calls('getppid')} received, {lossless.lost_count} lost,"
        f" seqs 1..{lossless.seqs()[-1]} in {elapsed:.2f} s ({workload.events / elapsed:.0f}"
        f" events/s; the tracee's loop: {workload.calls / traced_loop:.0f} calls/s traced,"
        f" {untraced_rate(workload):.0f} untraced)"
    )
    print(
        f"drop subscriber of the same session (queue {QUEUE}, read afterwards): "
        f"{len(dropped.events)} received + {dropped.lost_count} lost in {len(dropped.lost)}"
        f" lost records = {len(dropped.events) + dropped.lost_count} of {workload.events} events"
    )
    assert_whole(lossless, workload)
    assert_accounted(dropped, workload.events)
    assert dropped.lost_count > 0, "a subscriber that read nothing while it ran lost nothing"


def test_a_drop_subscriber_never_holds_the_tracee(
    daemon: Path, programs: dict[str, Path], tmp_path: Path
) -> None:
    workload = verified(Workload(programs["exact_calls"], N_UNREAD), tmp_path)
    launcher, observer = Peer(daemon), Peer(daemon)
    started = time.monotonic()
    session, report = launch_reporting(launcher, workload, policy="drop", queue=QUEUE)
    wait_until_gone(observer, session)  # over, while its only subscriber has read nothing
    ran_for = time.monotonic() - started
    received = read_session(launcher, session)
    traced_loop = loop_seconds(report)

    print(
        f"drop, nobody reading: the tracee made its {workload.calls} getppid in"
        f" {traced_loop:.2f} s ({workload.calls / traced_loop:.0f} calls/s), session over after"
        f" {ran_for:.2f} s; then {len(received.events)} received + {received.lost_count} lost"
        f" = {len(received.events) + received.lost_count} of {workload.events} events"
    )
    assert_accounted(received, workload.events)
    assert received.lost_count > 0, "a subscriber that read nothing while it ran lost nothing"


@dataclass
class SlowRun:
    received: Received
    seconds: float
    max_lead: int  # most events the tracee had made beyond what the reader had read


def read_slowly(launcher: Peer, observer: Peer, session: str, rate: float, name: str) -> SlowRun:
    """Read at ``rate`` events per second at most, noting how far ahead the tracee got."""
    received = Received()
    max_lead = 0
    started = time.monotonic()
    while received.end is None:
        message = launcher.read()
        received.take(message)
        due = started + len(received.events) / rate
        time.sleep(max(0.0, due - time.monotonic()))
        if len(received.events) % 8 == 0 and received.end is None:
            stats = observer.request("stats", session=session)
            if stats["type"] == "response":  # else: the session just ended
                made = stats["result"]["sessions"][session].get(name, 0)
                max_lead = max(max_lead, made - received.calls(name))
    return SlowRun(received, time.monotonic() - started, max_lead)


def test_a_block_subscriber_100_times_slower_than_the_producer_loses_nothing(
    daemon: Path, programs: dict[str, Path], tmp_path: Path
) -> None:
    probe = Workload(programs["exact_calls"], PROBE_EVENTS, PATH_BYTES)
    launcher, observer = Peer(daemon), Peer(daemon)
    session, report = launch_reporting(launcher, probe, policy="block", queue=SLOW_QUEUE)
    assert_whole(read_session(launcher, session), probe)
    producer_rate = probe.calls / loop_seconds(report)

    reader_rate = producer_rate / SLOW_FACTOR
    calls = max(MIN_SLOW_EVENTS, round(reader_rate * SLOW_SECONDS))
    workload = verified(Workload(programs["exact_calls"], calls, PATH_BYTES), tmp_path)
    session, report = launch_reporting(launcher, workload, policy="block", queue=SLOW_QUEUE)
    slow = read_slowly(launcher, observer, session, reader_rate, workload.name)
    os.close(report)

    reader_calls_per_second = slow.received.calls("chdir") / slow.seconds
    print(
        f"producer: {producer_rate:.0f} chdir/s traced with a reader that keeps up"
        f" ({untraced_rate(probe):.0f}/s untraced); slow block reader: {calls} chdir expected"
        f" (strace agrees), {slow.received.calls('chdir')} received,"
        f" {slow.received.lost_count} lost, seqs 1..{slow.received.seqs()[-1]}, in"
        f" {slow.seconds:.2f} s = {reader_calls_per_second:.1f}/s"
        f" (1/{producer_rate / reader_calls_per_second:.0f} of the producer's rate);"
        f" the tracee was at most {slow.max_lead} calls ahead of the reader"
        f" (queue {SLOW_QUEUE})"
    )
    assert_whole(slow.received, workload)
    assert slow.max_lead <= calls // 2, f"the tracee got {slow.max_lead} of {calls} events ahead"
