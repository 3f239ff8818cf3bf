"""Fault injection: tracees, clients, the daemon and the in-process tracer are
killed at random moments, and /proc must show that nothing was left behind.

* Tracees SIGKILLed in a seccomp-stop, blocked in a traced and in an untraced
  syscall, in a group-stop, while forking (parent, fresh children, whole group),
  and while a non-leader thread execs: each session ends, SIGKILL its status.
* Clients SIGKILLed mid-stream (a slow launcher, the traced CLI, a lossless
  watcher that holds every session) and mid-launch (right after sending, right
  after the answer, anywhere in the CLI's start): their commands end, what they
  held runs on.
* The daemon SIGTERMed with 50 live sessions, a lossless subscriber holding the
  busy ones: every launched command gets its SIGTERM (those that handle it say
  so) and is gone, attached processes run on untraced, and it exits 0.
* ``traced launch --no-daemon`` SIGKILLed while its command runs filtered, or
  while it starts: the command does not survive it.

After every fault, once the dust settles (a bounded wait, as a hang guard only):
no process of the test is stopped (State t/T), none is a zombie, none runs with
its seccomp filter and no tracer (Seccomp 2, TracerPid 0: its traced syscalls
would fail with ENOSYS), and a healthy sibling session, traced throughout by the
same daemon, ends with status 0 and exactly the getppid events it reports.

Random points come from one seed, printed by every test; set
TRACED_FAULT_SEED to replay a run.

Kernel facts these tests depend on:

* SIGKILL ends a task wherever it is: in a ptrace-stop (a seccomp-stop, a
  group-stop held by PTRACE_LISTEN), blocked in a syscall, mid-fork, or in an
  execve that is tearing down the other threads of its group.
* A lossless (``block``) subscriber that never reads fills its socket, then its
  queue; the daemon then stops resuming the session (traced/reactor.py
  ``Run.hold``).  The restart of the exit stop that published the last event has
  already happened, so the tracee is held at its next stop: the seccomp-stop of
  its next traced syscall.  There it sits in State ``t (tracing stop)`` for as
  long as we like, which makes "killed in a seccomp-stop" deterministic.
* PTRACE_O_EXITKILL (traced/linux/ptrace.py ``LAUNCH_OPTIONS``) makes the kernel
  SIGKILL every tracee seized with it, and every task auto-attached from one,
  when the tracer exits; so a SIGKILLed ``traced launch --no-daemon`` cannot
  leave its command running filtered and untraced.
* An orphan is reparented to PID 1 (here, a process that reaps its zombies
  lazily): zombies are therefore looked for among the daemon's descendants,
  where an unreaped tracee would be.
"""

from __future__ import annotations

import functools
import json
import os
import random
import secrets
import select
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.integration.daemon_fixture import REPO, Peer, close_all_peers, peer_pid, running_daemon
from tests.integration.procscan import (
    SECCOMP_FILTER,
    Census,
    Proc,
    children,
    cmdline,
    daemon_tracers,
    descendants,
    marked,
    processes,
    settle,
    state_of,
    status_fields,
    syscall_nr,
    wait_for,
    zombie_exit_status,
)

pytestmark = pytest.mark.integration

SEED = int(os.environ.get("TRACED_FAULT_SEED") or secrets.randbits(32))
# Trials per case.  The races are in forks and execs, so those get the most.
TRIALS = 12
RACY_TRIALS = 20
SETTLE_SECONDS = 10.0  # a hang guard: everything normally settles in milliseconds
# A hang guard: the daemon answers in milliseconds, so a read that waits this long
# means it stopped serving its clients.
READ_TIMEOUT = 10.0
GRACE_SECONDS = 0.3
# After a client died mid-launch: how long nothing of ours must stay gone before the
# dust counts as settled (the daemon reads what it sent within a loop iteration).
QUIET_SECONDS = 0.05


def daemon_config(grace: float) -> str:
    return (
        f"[daemon]\nkill_grace_seconds = {grace}\n"
        "[limits]\nmax_sessions = 64\nmax_sessions_per_uid = 64\n"
    )


FOREVER = "1000000000"  # loop's iteration count: it never ends on its own
NR_READ = 0
NR_SLEEPS = frozenset((35, 230))  # nanosleep, clock_nanosleep


def open_peer(sock: Path) -> Peer:
    peer = Peer(sock)
    peer.sock.settimeout(READ_TIMEOUT)
    return peer


def launched(answer: dict[str, Any]) -> tuple[str, int]:
    assert answer["type"] == "response", answer
    return answer["result"]["session"], answer["result"]["pid"]


def session_end(messages: list[dict[str, Any]], session: str) -> dict[str, Any]:
    return next(m for m in messages if m.get("type") == "session_end" and m["session"] == session)


def events_of(messages: list[dict[str, Any]], session: str) -> list[dict[str, Any]]:
    return [
        m
        for m in messages
        if m.get("session") == session and "seq" in m and m["type"] != "session_end"
    ]


def syscalls_of(messages: list[dict[str, Any]], session: str) -> list[dict[str, Any]]:
    return [e for e in events_of(messages, session) if e["type"] == "syscall"]


def kill_if_ours(pid: int, marker: str) -> bool:
    """SIGKILL ``pid`` if it still carries our marker (a reaped pid may be someone else's)."""
    if not any(marker.encode() in arg for arg in cmdline(pid)):
        return False
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def blocked_in(pid: int, syscalls: Collection[int]) -> Callable[[], bool]:
    """A condition: ``pid`` sleeps inside one of ``syscalls``."""
    return lambda: state_of(pid) == "S" and syscall_nr(pid) in syscalls


class Sibling:
    """A healthy session beside the faults: it must end with status 0 and lose nothing.

    ``fault_tracee pace`` calls getppid about every millisecond until its stdin
    (a pipe only the test writes) is closed, then prints how many calls it made."""

    def __init__(self, sock: Path, program: Path, marker: str) -> None:
        self.peer = open_peer(sock)
        stdin_read, self.stdin_write = os.pipe()
        self.stdout_read, stdout_write = os.pipe()
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            request = self.peer.send(
                "launch",
                (stdin_read, stdout_write, null),
                argv=[str(program), "pace", marker],
                stdio=True,
                trace="getppid",
            )
            self.session, self.pid = launched(self.peer.answer(request))
        finally:
            for fd in (stdin_read, stdout_write, null):
                os.close(fd)

    def finish(self) -> str:
        os.close(self.stdin_write)
        messages = self.peer.messages_until_end(self.session)
        with os.fdopen(self.stdout_read) as out:
            reported = int(out.read() or "-1")
        end = session_end(messages, self.session)
        events = events_of(messages, self.session)
        calls = [e for e in events if e["type"] == "syscall" and e["name"] == "getppid"]
        figure = (
            f"sibling: status {end['status']}, {reported} getppid made, {len(calls)} "
            f"reported, seq 1..{end['seq']}"
        )
        assert end["status"] == 0, figure
        assert [e["seq"] for e in events] == list(range(1, end["seq"] + 1)), figure
        assert len(calls) == reported > 0, figure
        return figure


@dataclass
class Lab:
    """A daemon on a private socket, a sibling session, and what /proc showed so far."""

    tmp: Path
    sock: Path
    daemon_pid: int
    programs: dict[str, Path]
    marker: str  # in the argv of every process the test starts
    rng: random.Random
    control: Peer  # asks the daemon for stats, list and signals
    sibling: Sibling
    census: Census = field(default_factory=Census)
    tallies: Counter[str] = field(default_factory=Counter)  # what the trials got to see

    def program(self, name: str) -> str:
        return str(self.programs[name])

    def trial_marker(self, case: str, trial: int) -> str:
        return f"{self.marker}-{case}-{trial}"

    def ours(self) -> set[int]:
        """Every process of the test but the sibling (the daemon's tree but its tracer
        workers, and anything carrying our marker, wherever it was reparented)."""
        tree = descendants(self.daemon_pid) - daemon_tracers(self.daemon_pid)
        return (tree | marked(self.marker)) - {self.sibling.pid}

    def observe(self) -> None:
        """A look in the middle of a fault: nothing may run filtered and untraced, ever."""
        self.census.observe(processes({*self.ours(), self.sibling.pid}))

    def settle(self, what: str, quiet: float = 0.0) -> None:
        """Wait (bounded) until nothing of ours but the sibling is left, and still
        nothing ``quiet`` seconds later (a launch a dead client sent may not have been
        read yet); then account for whatever is left: stopped, zombie, filtered
        without a tracer, or merely alive."""
        left = settle(lambda: processes(self.ours()), SETTLE_SECONDS, quiet)
        self.census.settled(left)
        assert not left, f"after {what}: {self.census}\n{self.log_tail()}"

    def messages_until_end(self, peer: Peer, session: str) -> list[dict[str, Any]]:
        """The session's stream up to its session_end, which must come."""
        try:
            return peer.messages_until_end(session)
        except TimeoutError:
            sessions = self.control.request("list")["result"]["sessions"]
            still = [s for s in sessions if s["session"] == session]
            left = [str(p) for p in processes(self.ours())]
            pytest.fail(f"session {session} never ended; listed as {still}; processes {left}")

    def stats(self, session: str) -> int:
        return syscall_count(self.control, session)

    def is_still(self, session: str, pid: int) -> bool:
        return is_still(self.control, session, pid)

    def log_tail(self) -> str:
        log = self.tmp / "daemon.log"
        return "daemon log:\n" + (log.read_text()[-3000:] if log.exists() else "(none)")

    def report(self, case: str, outcomes: list[str]) -> str:
        """The figure of a whole test: trials, seed, census, outcomes, the sibling."""
        figure = (
            f"{case}: {len(outcomes)} trials, seed {SEED}, {self.census}; "
            f"outcomes {dict(Counter(outcomes))}"
        )
        figure += f"; seen {dict(self.tallies)}" if self.tallies else ""
        assert self.census.clean, f"{figure}\n{self.log_tail()}"
        return f"{figure}; {self.sibling.finish()}"


def syscall_count(control: Peer, session: str) -> int:
    answer = control.request("stats", session=session)
    assert answer["type"] == "response", answer
    return sum(answer["result"]["sessions"][session].values())


def is_still(control: Peer, session: str, pid: int) -> bool:
    """Stopped (t/T) and producing no events: held by the daemon, or group-stopped."""
    before = syscall_count(control, session)
    if state_of(pid) not in ("t", "T"):
        return False
    time.sleep(0.03)
    return state_of(pid) in ("t", "T") and syscall_count(control, session) == before


@pytest.fixture
def lab(tmp_path: Path, programs: dict[str, Path], request: pytest.FixtureRequest) -> Iterator[Lab]:
    marker = f"tracedfault-{uuid.uuid4().hex[:12]}"
    with running_daemon(tmp_path, config=daemon_config(GRACE_SECONDS)) as started:
        sock = started.socket
        control = open_peer(sock)
        sibling = Sibling(sock, programs["fault_tracee"], f"{marker}-sibling")
        rng = random.Random(f"{SEED}:{request.node.name}")
        setup = Lab(tmp_path, sock, peer_pid(control.sock), programs, marker, rng, control, sibling)
        try:
            yield setup
        finally:
            for pid in marked(marker):  # only after a failure is anything left to end
                kill_if_ours(pid, marker)


# --- tracees killed -------------------------------------------------------------------


def kill_in_seccomp_stop(lab: Lab, marker: str) -> str:
    """Held at the seccomp-stop of its next traced syscall by a block subscriber
    (the launching connection) that never reads, then SIGKILLed there."""
    trace = lab.rng.choice(["getppid", "getppid,openat,close", "openat,close"])
    queue = lab.rng.randint(1, 64)
    peer = open_peer(lab.sock)
    argv = [lab.program("loop"), FOREVER, marker]
    session, pid = launched(peer.launch(argv, trace=trace, policy="block", queue=queue))
    time.sleep(lab.rng.uniform(0, 0.02))
    held = wait_for(lambda: lab.is_still(session, pid), SETTLE_SECONDS)
    assert held, f"never held: state {state_of(pid)}\n{lab.log_tail()}"
    assert state_of(pid) == "t", f"not in a tracing stop: {status_fields(pid)}"
    stopped_in = syscall_nr(pid)
    lab.observe()
    os.kill(pid, signal.SIGKILL)
    messages = lab.messages_until_end(peer, session)
    assert session_end(messages, session)["signal"] == "SIGKILL"
    last = syscalls_of(messages, session)[-1]
    # The syscall it was stopped at the entry of is reported as never returning.
    assert (last["nr"], last["retval"]) == (stopped_in, None), (last, stopped_in)
    return f"held at {last['name']}"


def kill_blocked(lab: Lab, marker: str, mode: str) -> str:
    """Blocked in read() (traced: the daemon let it in with PTRACE_SYSCALL) or in
    nanosleep (untraced: the filter let it run), then SIGKILLed after a random delay."""
    peer = open_peer(lab.sock)
    argv = [lab.program("fault_tracee"), mode, marker]
    session, pid = launched(peer.launch(argv, trace="read"))
    expected = {NR_READ} if mode == "read" else NR_SLEEPS
    blocked = wait_for(blocked_in(pid, expected), SETTLE_SECONDS)
    assert blocked, f"{pid} never blocked: state {state_of(pid)}, syscall {syscall_nr(pid)}"
    time.sleep(lab.rng.uniform(0, 0.03))
    lab.observe()
    os.kill(pid, signal.SIGKILL)
    messages = lab.messages_until_end(peer, session)
    assert session_end(messages, session)["signal"] == "SIGKILL"
    calls = syscalls_of(messages, session)
    unfinished = [c["name"] for c in calls if c["retval"] is None]
    if mode == "read":
        assert unfinished == ["read"] and calls[-1]["name"] == "read", unfinished
    else:
        assert unfinished == [], unfinished  # the sleep was never a traced syscall
    return f"killed in {mode}"


def kill_in_group_stop(lab: Lab, marker: str) -> str:
    """SIGSTOPped while blocked in a traced read, or while spinning through traced
    getppid calls; held in its group-stop (PTRACE_LISTEN), then SIGKILLed."""
    spinning = lab.rng.random() < 0.5
    if spinning:
        argv, trace = [lab.program("loop"), FOREVER, marker], "getppid"
    else:
        argv, trace = [lab.program("fault_tracee"), "read", marker], "read"
    peer = open_peer(lab.sock)
    session, pid = launched(peer.launch(argv, trace=trace))
    if spinning:
        time.sleep(lab.rng.uniform(0.005, 0.05))
    else:
        assert wait_for(blocked_in(pid, {NR_READ}), SETTLE_SECONDS)
    os.kill(pid, signal.SIGSTOP)
    assert wait_for(lambda: lab.is_still(session, pid), SETTLE_SECONDS), state_of(pid)
    time.sleep(lab.rng.uniform(0, 0.03))
    lab.observe()
    os.kill(pid, signal.SIGKILL)
    messages = lab.messages_until_end(peer, session)
    assert session_end(messages, session)["signal"] == "SIGKILL"
    signals = [e["signal"] for e in events_of(messages, session) if e["type"] == "signal"]
    assert "SIGSTOP" in signals, signals
    return "stopped while spinning" if spinning else "stopped while blocked"


def kill_during_forks(lab: Lab, marker: str) -> str:
    """A process forking in a loop, whose children fork too; fresh children (often in
    the middle of their own fork), the parent, or the whole process group are
    SIGKILLed at random moments, until the parent or the group is."""
    peer = open_peer(lab.sock)
    argv = [lab.program("fault_tracee"), "forkloop", marker]
    session, pid = launched(peer.launch(argv, trace="%process,getppid"))
    victims: list[str] = []
    while not victims or victims[-1] == "child":
        time.sleep(lab.rng.uniform(0.005, 0.04))
        victim = lab.rng.choice(["child", "child", "child", "parent", "group"])
        if len(victims) == 5 and victim == "child":
            victim = "group"
        lab.observe()
        if victim == "child":
            young = children(pid)
            for child in lab.rng.sample(young, k=min(2, len(young))):
                kill_if_ours(child, marker)
        elif victim == "parent":
            os.kill(pid, signal.SIGKILL)
        else:
            lab.control.request("signal", session=session, signal="SIGKILL")
        victims.append(victim)
    messages = lab.messages_until_end(peer, session)
    end = session_end(messages, session)
    assert end["signal"] == "SIGKILL", end
    lab.tallies["forks"] += sum(e["type"] == "spawn" for e in events_of(messages, session))
    lab.tallies["children killed"] += victims.count("child")
    return f"{victims[-1]} killed"


def kill_during_thread_exec(lab: Lab, marker: str) -> str:
    """A non-leader thread execs the program again and again (the leader blocked in
    read), and the process is SIGKILLed at a random point of that chain."""
    peer = open_peer(lab.sock)
    argv = [lab.program("fault_tracee"), "exec-chain", marker, "1000000"]
    session, pid = launched(peer.launch(argv, trace="execve,read"))
    time.sleep(lab.rng.uniform(0.01, 0.2))
    lab.observe()
    os.kill(pid, signal.SIGKILL)
    messages = lab.messages_until_end(peer, session)
    assert session_end(messages, session)["signal"] == "SIGKILL"
    execs = [e for e in events_of(messages, session) if e["type"] == "exec"]
    lab.tallies["execs from non-leader threads"] += sum(e["old_tid"] is not None for e in execs)
    return "killed mid-chain"


TRACEE_FAULTS = {
    "seccomp_stop": kill_in_seccomp_stop,
    "blocked_in_traced_read": lambda lab, marker: kill_blocked(lab, marker, "read"),
    "blocked_in_untraced_sleep": lambda lab, marker: kill_blocked(lab, marker, "sleep"),
    "group_stop": kill_in_group_stop,
    "fork_loop": kill_during_forks,
    "exec_from_thread": kill_during_thread_exec,
}


@pytest.mark.parametrize("case", list(TRACEE_FAULTS))
def test_tracee_sigkilled(lab: Lab, case: str) -> None:
    trials = RACY_TRIALS if case in ("fork_loop", "exec_from_thread") else TRIALS
    outcomes = []
    for trial in range(trials):
        outcomes.append(TRACEE_FAULTS[case](lab, lab.trial_marker(case, trial)))
        lab.settle(f"{case} trial {trial}")
    if case == "exec_from_thread":
        assert lab.tallies["execs from non-leader threads"] > 0, "the chain never ran"
    print(lab.report(case, outcomes))


# --- clients killed -------------------------------------------------------------------

CLIENT = r"""
import json, socket, sys, time
path, request, read_delay = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3])
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(path)
lines = sock.makefile("rb")
lines.readline()
sock.sendall(json.dumps({"id": 1, **request}).encode() + b"\n")
print("sent", flush=True)
streaming = False
for line in lines:
    message = json.loads(line)
    if message.get("id") == 1:
        print("answered", message["type"], flush=True)
    elif "seq" in message and not streaming:
        streaming = True
        print("streaming", flush=True)
    if read_delay < 0:
        time.sleep(3600)  # never read again
    time.sleep(read_delay)
"""


class ClientProcess:
    """A stdlib-only protocol client in its own process, which says how far it got.

    ``read_delay`` < 0: after its first message it never reads again."""

    def __init__(self, sock: Path, request: dict[str, Any], read_delay: float) -> None:
        argv = [sys.executable, "-I", "-S", "-c", CLIENT, str(sock), json.dumps(request)]
        self.proc = subprocess.Popen([*argv, str(read_delay)], stdout=subprocess.PIPE)
        assert self.proc.stdout is not None
        self.out = self.proc.stdout
        self.said = b""

    def reached(self, word: str, timeout: float = READ_TIMEOUT) -> bool:
        deadline = time.monotonic() + timeout
        while word.encode() not in self.said:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.out], [], [], remaining)[0]:
                return False
            chunk = os.read(self.out.fileno(), 4096)
            if not chunk:
                return False
            self.said += chunk
        return True

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.out.close()


def launch_request(argv: list[str], **fields: Any) -> dict[str, Any]:
    return {"op": "launch", "argv": argv, **fields}


def traced_client(lab: Lab, command: list[str], trace: str) -> subprocess.Popen[bytes]:
    """``traced launch --daemon``: the project's own client, following the stream."""
    launch = [sys.executable, "-m", "traced", "--socket", str(lab.sock), "launch", "-f", "--daemon"]
    return subprocess.Popen(
        [*launch, "-o", os.devnull, "-e", f"trace={trace}", "--", *command],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_and_reap(process: subprocess.Popen[bytes]) -> None:
    process.kill()
    process.wait()


def traced_by_daemon(lab: Lab, marker: str, client: int) -> bool:
    """A command carrying ``marker`` (not its client, whose argv has it too) is traced."""
    tracers = daemon_tracers(lab.daemon_pid)
    return any(p.tracer_pid in tracers for p in processes(marked(marker) - {client}))


def kill_streaming_launcher(lab: Lab, marker: str, cli: bool) -> str:
    """A client launches a busy command and follows its stream (slowly, or as the
    CLI prints it); SIGKILLed mid-stream, the daemon must end its command."""
    argv = [lab.program("loop"), FOREVER, marker]
    go_away: Callable[[], None]
    if cli:
        client = traced_client(lab, argv, "getppid")
        streaming = functools.partial(traced_by_daemon, lab, marker, client.pid)
        assert wait_for(streaming, SETTLE_SECONDS), "the CLI's command never ran"
        go_away = functools.partial(kill_and_reap, client)
    else:
        request = launch_request(argv, trace="getppid", policy="block", queue=8)
        process = ClientProcess(lab.sock, request, read_delay=0.001)
        assert process.reached("streaming"), process.said
        go_away = process.kill
    time.sleep(lab.rng.uniform(0, 0.15))
    lab.observe()
    go_away()
    return "traced CLI launcher" if cli else "launcher"


def kill_blocking_watcher(lab: Lab, marker: str, in_process: bool) -> str:
    """A block subscriber to every session that never reads holds them all (the
    sibling too); killed (or its socket closed here), it must let them all go."""
    peer = open_peer(lab.sock)
    argv = [lab.program("loop"), FOREVER, marker]
    session, pid = launched(peer.launch(argv, trace="getppid", detach=True))
    if in_process:
        watcher = open_peer(lab.sock)
        assert watcher.request("subscribe", policy="block", queue=4)["type"] == "response"
        go_away = watcher.close
    else:
        request = {"op": "subscribe", "policy": "block", "queue": 4}
        client = ClientProcess(lab.sock, request, read_delay=-1)
        assert client.reached("answered"), client.said
        go_away = client.kill
    time.sleep(lab.rng.uniform(0, 0.15))
    held = lab.is_still(session, pid)
    lab.tallies["watchers holding at the kill"] += held
    lab.observe()
    go_away()
    before = lab.stats(session)
    released = wait_for(lambda: lab.stats(session) > before, SETTLE_SECONDS)
    assert released, f"session {session} still held after its watcher went away"
    lab.control.request("signal", session=session, signal="SIGKILL")
    watcher_kind = "watcher closed here" if in_process else "watcher"
    return f"{watcher_kind} {'holding' if held else 'not yet holding'}"


def test_client_sigkilled_mid_stream(lab: Lab) -> None:
    outcomes = []
    # Each variant as often as the others, in a random order: half the trials are
    # watchers, so some are sure to be killed while they hold (asserted below).
    variants = ["launcher", "cli", "watcher", "watcher-in-process"] * (TRIALS // 4)
    for trial, variant in enumerate(lab.rng.sample(variants, len(variants))):
        marker = lab.trial_marker("stream", trial)
        if variant in ("launcher", "cli"):
            outcomes.append(kill_streaming_launcher(lab, marker, cli=variant == "cli"))
        else:
            in_process = variant == "watcher-in-process"
            outcomes.append(kill_blocking_watcher(lab, marker, in_process))
        lab.settle(f"mid-stream {variant} trial {trial}")
    # A watcher that did not hold yet is let go trivially: only one that held proves it.
    holding = lab.tallies["watchers holding at the kill"]
    assert holding > 0, f"no watcher held its sessions when killed: {Counter(outcomes)}"
    print(lab.report("client killed mid-stream", outcomes))


def kill_launching_client(lab: Lab, marker: str, moment: str, stubborn: bool) -> None:
    """A client sends launch and is SIGKILLed (or, in-process, closes its socket)
    right after sending, or right after its answer; or the CLI client is SIGKILLed
    anywhere in its start.  Whether or not the command got started, it must not
    outlive the client; a stubborn one ignores SIGHUP and SIGTERM, so only the
    SIGKILL after the grace period ends it."""
    argv = [lab.program("fault_tracee"), "stubborn" if stubborn else "read", marker]
    if moment == "in-process":
        peer = open_peer(lab.sock)
        peer.send("launch", argv=argv, trace="read")
        time.sleep(lab.rng.uniform(0, 0.005))
        lab.tallies["commands running at the kill"] += bool(marked(marker))
        peer.close()
        return
    go_away: Callable[[], None]
    if moment == "cli":
        client = traced_client(lab, argv, "read")
        time.sleep(lab.rng.uniform(0, 0.4))  # imports, connect, launch, first events
        go_away, pid = functools.partial(kill_and_reap, client), client.pid
    else:
        process = ClientProcess(lab.sock, launch_request(argv, trace="read"), read_delay=0)
        assert process.reached("sent" if moment == "after-send" else "answered"), process.said
        time.sleep(lab.rng.uniform(0, 0.003))
        go_away, pid = process.kill, process.proc.pid
    lab.observe()
    lab.tallies["commands running at the kill"] += bool(marked(marker) - {pid})
    go_away()


def test_client_sigkilled_mid_launch(lab: Lab) -> None:
    outcomes = []
    for trial in range(RACY_TRIALS):
        marker = lab.trial_marker("launch", trial)
        moment = lab.rng.choice(["after-send", "after-answer", "in-process", "cli"])
        stubborn = lab.rng.random() < 0.5
        kill_launching_client(lab, marker, moment, stubborn)
        lab.settle(f"mid-launch {moment} trial {trial}", quiet=QUIET_SECONDS)
        outcomes.append(f"{moment}{' (stubborn)' if stubborn else ''}")
    running = lab.tallies["commands running at the kill"]
    assert running > 0, "no trial caught its command running: the test proved nothing"
    print(lab.report("client killed mid-launch", outcomes))


# --- the daemon stopped ---------------------------------------------------------------

LIVE_SESSIONS = 50
FLEET_GRACE_SECONDS = 1.0  # time enough for a graceful command to get its SIGTERM in
# Launched kinds, six (idle) or four (busy) sessions of each, and eight attached.
IDLE_KINDS = ("blocked", "sleeping", "stubborn", "group-stopped", "graceful-blocked")
BUSY_KINDS = ("spinning", "forking", "graceful-spinning")
ATTACHED = LIVE_SESSIONS - 6 * len(IDLE_KINDS) - 4 * len(BUSY_KINDS)


@dataclass
class Fleet:
    """Fifty live sessions of every kind, and what to check once the daemon stopped."""

    launched: Counter[str] = field(default_factory=Counter)
    attached: list[subprocess.Popen[bytes]] = field(default_factory=list)
    graceful: list[Path] = field(default_factory=list)  # created when SIGTERM arrives
    spinning: list[tuple[str, int]] = field(default_factory=list)  # (session, pid)


def fleet_command(
    kind: str, programs: dict[str, Path], marker: str, flag: Path
) -> tuple[list[str], str]:
    """(argv, trace) of one launched kind; a graceful one creates ``flag`` on SIGTERM."""
    fault, loop = str(programs["fault_tracee"]), str(programs["loop"])
    commands = {
        "blocked": ([fault, "read", marker], "read"),
        "sleeping": ([fault, "sleep", marker], "read"),
        "stubborn": ([fault, "stubborn", marker], "read"),
        "group-stopped": ([fault, "read", marker], "read"),
        "graceful-blocked": ([fault, "graceful", marker, str(flag), "read"], "read"),
        "spinning": ([loop, FOREVER, marker], "getppid"),
        "forking": ([fault, "forkloop", marker], "%process"),
        "graceful-spinning": ([fault, "graceful", marker, str(flag), "spin"], "getppid"),
    }
    return commands[kind]


def start_fleet(
    sock: Path, control: Peer, programs: dict[str, Path], *, tmp: Path, marker: str, fleet: Fleet
) -> list[Peer]:
    """Fifty sessions, then a lossless subscriber to all of them that never reads:
    returns once it holds every spinning one (stopped, its syscall count frozen)."""
    # The busy ones last: a newcomer's first stops queue behind theirs, and this test
    # is about the daemon's stop, not about how fast it starts commands under load.
    plan = [*IDLE_KINDS * 6, *["attached"] * ATTACHED, *BUSY_KINDS * 4]
    peers = []
    for index, kind in enumerate(plan):
        # One connection per session: an owned session's events flood only its own.
        peer = open_peer(sock)
        peers.append(peer)
        owned = index % 2 == 1  # ended by the client's departure too; the rest detached
        if kind == "attached":
            target = subprocess.Popen([str(programs["fault_tracee"]), "nap", f"{marker}-attached"])
            fleet.attached.append(target)
            answer = peer.request(
                "attach", pid=target.pid, trace="getppid", subscribe=owned, detach=not owned
            )
            assert answer["type"] == "response", answer
        else:
            flag = tmp / f"terminated-{index}"
            argv, trace = fleet_command(kind, programs, marker, flag)
            session, pid = launched(peer.launch(argv, trace=trace, detach=not owned))
            if kind.startswith("graceful"):
                fleet.graceful.append(flag)
            if kind.endswith("spinning"):
                fleet.spinning.append((session, pid))
            if kind == "group-stopped":
                assert wait_for(blocked_in(pid, {NR_READ}), SETTLE_SECONDS)
                os.kill(pid, signal.SIGSTOP)
        fleet.launched[kind] += 1
    holder = open_peer(sock)
    assert holder.request("subscribe", policy="block", queue=2)["type"] == "response"
    for session, pid in fleet.spinning:
        held = wait_for(functools.partial(is_still, control, session, pid), SETTLE_SECONDS)
        assert held, f"session {session} (pid {pid}) was never held: {state_of(pid)}"
    return [*peers, holder]


def context_switches(pid: int) -> int:
    fields = status_fields(pid) or {}
    return int(fields.get("voluntary_ctxt_switches", "-1"))


def read_to_eof(peer: Peer) -> int:
    """Bytes the daemon still sent before closing (the socket timeout guards a hang)."""
    total = 0
    while chunk := peer.sock.recv(1 << 20):
        total += len(chunk)
    return total


def stop_daemon(daemon: int, peers: list[Peer]) -> float:
    """SIGTERM, then the daemon (our child, not yet reaped) must exit 0 and close every
    connection.  Its exit status is read from its zombie.  Returns the seconds it took
    (a figure to print, not to assert on)."""
    start = time.monotonic()
    os.kill(daemon, signal.SIGTERM)
    exited = wait_for(lambda: state_of(daemon) in ("Z", None), SETTLE_SECONDS)
    took = time.monotonic() - start
    status = zombie_exit_status(daemon)
    assert exited and status == 0, f"daemon: state {state_of(daemon)}, wait status {status}"
    for peer in peers:
        read_to_eof(peer)
    return took


def launched_survivors(marker: str, attached: set[int]) -> list[Proc]:
    return [p for p in processes(marked(marker) - attached) if not p.zombie]


def check_still_running_untraced(attached: list[Proc]) -> None:
    """Detached as before: running (it keeps making voluntary context switches, one per
    nanosleep), not stopped, no tracer, and never a filter (attach installs none)."""
    switches = {p.pid: context_switches(p.pid) for p in attached}
    time.sleep(0.05)
    for p in attached:
        now = processes([p.pid])
        assert now and now[0].state in ("S", "R"), f"{p} is stopped or gone: {now}"
        assert now[0].tracer_pid == 0 and now[0].seccomp == 0, str(now[0])
        assert context_switches(p.pid) > switches[p.pid], f"{p} does not run"


def test_daemon_sigterm_with_50_live_sessions(tmp_path: Path, programs: dict[str, Path]) -> None:
    marker = f"tracedfault-{uuid.uuid4().hex[:12]}"
    fleet = Fleet()
    census = Census()
    try:
        with running_daemon(tmp_path, config=daemon_config(FLEET_GRACE_SECONDS)) as started:
            sock = started.socket
            control = open_peer(sock)
            try:
                peers = [
                    control,
                    *start_fleet(sock, control, programs, tmp=tmp_path, marker=marker, fleet=fleet),
                ]
            except TimeoutError:
                pytest.fail(
                    f"a request went unanswered for {READ_TIMEOUT} s with "
                    f"{sum(fleet.launched.values())} sessions live {dict(fleet.launched)}"
                )
            daemon = peer_pid(control.sock)
            live = control.request("list")["result"]["sessions"]
            assert len(live) == LIVE_SESSIONS, len(live)
            before = processes(descendants(daemon) | marked(marker))
            census.observe(before)
            stopped = sum(p.stopped for p in before)  # held by the holder, or group-stopped
            took = stop_daemon(daemon, peers)
            close_all_peers()
        attached_pids = {target.pid for target in fleet.attached}
        left = settle(functools.partial(launched_survivors, marker, attached_pids), SETTLE_SECONDS)
        census.settled(left)
        attached = processes(attached_pids)
        census.add_checked(attached)
        assert len(attached) == len(fleet.attached), "an attached process died"
        check_still_running_untraced(attached)
        # SIGTERM must reach each command, busy or idle, held or not, before SIGKILL.
        unterminated = [flag.name for flag in fleet.graceful if not flag.exists()]
        assert not unterminated, f"never got their SIGTERM: {unterminated}"
    finally:
        for target in fleet.attached:
            target.kill()
            target.wait()
    figure = (
        f"daemon SIGTERM: {LIVE_SESSIONS} sessions {dict(fleet.launched)}, seed {SEED}, "
        f"{stopped} tracees stopped at the time: daemon exited 0 in {took:.1f} s, "
        f"{len(fleet.graceful)} graceful commands handled their SIGTERM, "
        f"{len(fleet.attached)} attached processes detached and running; {census}"
    )
    assert census.clean, figure
    print(figure)


# --- the in-process tracer killed -----------------------------------------------------


def traced_cli(programs: dict[str, Path], marker: str, workload: str) -> list[str]:
    fault, loop = str(programs["fault_tracee"]), str(programs["loop"])
    command, trace = {
        "spinning": ([loop, FOREVER, marker], "getppid"),
        "forking": ([fault, "forkloop", marker], "%process,getppid"),
        "blocked": ([fault, "read", marker], "read"),
    }[workload]
    launch = [sys.executable, "-m", "traced", "launch", "-f", "--no-daemon", "-o", os.devnull]
    return [*launch, "-e", f"trace={trace}", "--", *command]


def alive_marked(marker: str) -> list[Proc]:
    return [p for p in processes(marked(marker)) if not p.zombie]


def test_cli_tracer_sigkilled_leaves_no_filtered_tracee(
    programs: dict[str, Path], request: pytest.FixtureRequest
) -> None:
    rng = random.Random(f"{SEED}:{request.node.name}")
    census = Census()
    moments: Counter[str] = Counter()
    trials = TRIALS
    for trial in range(trials):
        marker = f"tracedfault-{uuid.uuid4().hex[:12]}-cli-{trial}"
        workload = rng.choice(["spinning", "forking", "blocked"])
        moment = "starting" if trial % 4 == 3 else "running"
        moments[f"{workload}-{moment}"] += 1
        tracer = subprocess.Popen(
            traced_cli(programs, marker, workload),
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def tracee_runs_filtered(tracer_pid: int = tracer.pid, marker: str = marker) -> bool:
            found = processes(marked(marker) - {tracer_pid})
            return any(p.tracer_pid == tracer_pid and p.seccomp == SECCOMP_FILTER for p in found)

        if moment == "running":
            assert wait_for(tracee_runs_filtered, SETTLE_SECONDS), "the tracee never started"
            time.sleep(rng.uniform(0, 0.05))
        else:
            time.sleep(rng.uniform(0, 0.4))  # anywhere in startup: imports, fork, seize
        # Its tracer alive, no process of it may ever run filtered without a tracer.
        census.observe(processes(marked(marker)))
        tracer.kill()
        tracer.wait()
        # Dying tasks are briefly filtered and untraced: only what stays that way counts.
        left = settle(functools.partial(alive_marked, marker), SETTLE_SECONDS)
        census.settled(left)
        assert not left, f"trial {trial} ({workload}, {moment}): {census}"
    assert census.clean, str(census)
    print(f"in-process tracer SIGKILLed: {trials} trials {dict(moments)}, seed {SEED}; {census}")
