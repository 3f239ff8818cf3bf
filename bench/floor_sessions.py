"""The sessions floor: can S sessions take ≤ 1.3x the time of S straces in Python at all?

    .venv/bin/python bench/floor.py --sessions 64,256 [--rounds N] [--syscalls K]

bench/sessions.py's workload (S copies of tests/programs/exact_calls.c at once, K
``getppid`` each, ``trace=getppid``) under bench/sessloop.py's bare loops, one loop
process per CPU (as the daemon has one tracer worker per CPU), each tracing its share of
the S programs with traced's own compiled filter (traced.filter.bpf), beside what
issue 14's target compares: S ``strace -f`` and S ``strace -f --seccomp-bpf`` (``-o
/dev/null``) and S launches through one daemon on S connections, every event read and
checked (bench/sessions.py's ``one``, reused as it is).  Two floor levels:

- ``bare loops``: wait, PTRACE_GET_SYSCALL_INFO, restart, nothing else;
- ``bare loops + delivery``: and each syscall built as traced's event, encoded with
  msgspec after its ``seq``, sent on a Unix socket (one send per loop turn) to one client
  process that reads and parses every line with ``json.loads`` and checks each session's
  ``seq``: the least a daemon must do to hand a syscall to a client.  No front hop: the
  loops write to the client themselves.

``--spin`` adds both with traced's spin (bench/sessloop.py); ``--msgspec-client`` the
delivery floor whose client parses with msgspec's decoder instead of ``json.loads`` (what
a cheaper parse would gain); ``--no-daemon`` leaves traced out (a quicker run of the
floors and the straces alone).  A loop's time runs from
its "go" (its Python started, its imports and sockets done, as a running daemon's
are) through forking, seizing and releasing its programs to its last one's exit and the
client's end; the straces' from starting S of them (bench/sessions.py).  Quiet and busy
(bench/busy.py), states and variants alternated and rotated each round, medians.  If
the bare loops alone take more than 1.3x the straces, no Python tracer meets the target.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sessions
from busy import machine_state, state_order
from daemon_client import raise_nofile, running_daemon, system_lines
from floor_sessions_report import (
    DELIVER,
    DELIVER_MSGSPEC,
    DELIVER_SPIN,
    EXPR,
    FLOOR,
    FLOOR_SPIN,
    Cpu,
    report,
)
from headline import DAEMON, STRACE, STRACE_BPF, Results
from measure import REPO, BenchError, compile_program, note, report_head
from real_extra import rotated
from traced.filter.bpf import compile_filter
from traced.filter.expression import parse_trace
from traced.syscalls.arch import host_arch

TITLE = "The sessions floor: bare Python loops over S programs against S straces and traced"
SESSLOOP = REPO / "bench" / "sessloop.py"
RUN_TIMEOUT_S = 600.0
BY_SESSIONS = {STRACE: sessions.STRACE, STRACE_BPF: sessions.STRACE_BPF, DAEMON: sessions.TRACED_N}


@dataclass
class Setup:
    program: Path
    bpf: Path
    k: int
    daemon: object  # daemon_client.Daemon
    spin: bool
    msgspec_client: bool = False
    daemon_too: bool = True
    cpu: dict[tuple[int, str, str], list[Cpu]] = field(default_factory=dict)


def _shares(s: int, loops: int) -> list[int]:
    return [s // loops + (i < s % loops) for i in range(loops)]


def _start(argv: list[str], fds: Sequence[int]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=tuple(fds), close_fds=True
    )


def floor_run(
    setup: Setup, s: int, deliver: bool, spin: bool, parse: str = "json"
) -> tuple[float, Cpu]:
    """One run of the loops (and their client): wall seconds from "go" to the last exit."""
    python, loop = sys.executable, str(SESSLOOP)
    shares = _shares(s, os.cpu_count() or 1)
    pairs = [socket.socketpair() for _ in shares] if deliver else []
    procs = []
    if deliver:
        theirs = [b.fileno() for _, b in pairs]
        client = [python, loop, "--client", *map(str, theirs), "--parse", parse]
        procs.append(_start(client, theirs))
    for i, share in enumerate(shares):
        argv = [python, loop, "--filter", str(setup.bpf), "--programs", str(share)]
        argv += ["--spin"] if spin else []
        fds = [pairs[i][0].fileno()] if deliver else []
        argv += ["--deliver", str(fds[0])] if deliver else []
        procs.append(_start([*argv, "--", str(setup.program), str(setup.k)], fds))
    for a, b in pairs:
        a.close()
        b.close()

    def kill_all() -> None:
        for proc in procs:
            proc.kill()

    watchdog = threading.Timer(RUN_TIMEOUT_S, kill_all)
    watchdog.start()
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdin is not None
            if proc.stdout.read(1) != b"r":
                raise BenchError(f"{proc.args!r} did not start")
        start = time.perf_counter()
        for proc in procs:
            proc.stdin.write(b"g")  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
        said = [json.loads(proc.stdout.read() or b"{}") for proc in procs]  # type: ignore[union-attr]
        codes = [proc.wait() for proc in procs]
        elapsed = time.perf_counter() - start
    finally:
        watchdog.cancel()
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return elapsed, _checked(said, codes, s, setup.k, deliver)


def _checked(said: list[dict[str, int]], codes: list[int], s: int, k: int, deliver: bool) -> Cpu:
    """The loops' and client's CPU; BenchError unless every program ran and every event
    reached the client, in order."""
    if any(codes):
        raise BenchError(f"a floor process exited {codes}")
    client = said.pop(0) if deliver else None
    if sum(x["failed"] for x in said):
        raise BenchError(f"{sum(x['failed'] for x in said)} programs failed under the loops")
    if sum(x["stops"] for x in said) < 2 * s * k:
        raise BenchError(f"{sum(x['stops'] for x in said)} stops, expected >= {2 * s * k}")
    if client is not None:
        got = (client["syscalls"], client["gaps"], client["sessions"])
        if got != (s * k, 0, s):
            raise BenchError(f"client got (syscalls, gaps, sessions) {got}, not {(s * k, 0, s)}")
    loops_cpu, loops_sys = (sum(float(x[key]) for x in said) for key in ("cpu_s", "sys_s"))
    return Cpu(loops_cpu, float(client["cpu_s"]) if client else 0.0, loops_sys)


def one(tool: str, setup: Setup, s: int) -> tuple[float, Cpu]:
    if tool in BY_SESSIONS:
        run = sessions.one(BY_SESSIONS[tool], [setup.daemon], setup.program, setup.k, s)  # type: ignore[list-item]
        return run.wall_s, Cpu(run.daemon_cpu_s, run.client_cpu_s, run.daemon_sys_s)
    deliver = tool in (DELIVER, DELIVER_SPIN, DELIVER_MSGSPEC)
    spin = tool in (FLOOR_SPIN, DELIVER_SPIN)
    return floor_run(setup, s, deliver, spin, "msgspec" if tool == DELIVER_MSGSPEC else "json")


def measure(setup: Setup, sizes: Sequence[int], rounds: int, results: Results) -> None:
    tools = [STRACE, STRACE_BPF, *([DAEMON] if setup.daemon_too else []), FLOOR, DELIVER]
    tools += [FLOOR_SPIN, DELIVER_SPIN] if setup.spin else []
    tools += [DELIVER_MSGSPEC] if setup.msgspec_client else []
    for s in sizes:
        name = f"{s} sessions"
        results.described[name] = f"{s} programs at once, {setup.k:,} getppid each, `-e {EXPR}`"
        note(f"{name}: warm-up (not counted)")
        k, setup.k = setup.k, setup.k // 10 or 1
        for tool in tools[2:]:
            one(tool, setup, s)
        setup.k = k
        for r in range(rounds):
            for state in state_order(r):
                with machine_state(state):
                    for tool in rotated(tools, r):
                        seconds, cpu = one(tool, setup, s)
                        results.add(name, tool, EXPR, state, seconds)
                        setup.cpu.setdefault((s, state, tool), []).append(cpu)
                note(f"{name} round {r + 1}/{rounds} {state} done")


def run(
    argv: Sequence[str] | None,
    sizes: Sequence[int],
    rounds: int,
    k: int,
    options: Sequence[str] = (),
) -> int:
    """floor.py ``--sessions``: measure, then print the report."""
    import tempfile  # noqa: PLC0415

    nofile = raise_nofile()
    note(f"RLIMIT_NOFILE now {nofile}")
    results = Results(rounds=rounds)
    with tempfile.TemporaryDirectory(prefix="traced-floor-sessions-") as tmp:
        work = Path(tmp)
        arch = host_arch()
        bpf = work / "filter.bpf"
        bpf.write_bytes(compile_filter(arch, parse_trace([EXPR], arch) or ()))
        program = compile_program(sessions.PROGRAM, work / "exact_calls")
        with running_daemon(work, sessions.daemon_config(max(sizes))) as daemon:
            setup = Setup(program, bpf, k, daemon, "spin" in options)
            setup.msgspec_client = "msgspec-client" in options
            setup.daemon_too = "no-daemon" not in options
            try:
                measure(setup, sizes, rounds, results)
            except BenchError as error:
                print(f"bench: error: {error}", file=sys.stderr)
                return 1
    head = report_head(TITLE, str(Path(__file__).parent / "floor.py"), argv, system_lines())
    loops = os.cpu_count() or 1
    intro = (
        f"{rounds} rounds, every variant once a round on a quiet and on a busy machine (a "
        f"one-core shell loop), medians; K = {k:,} getppid a program, `-e {EXPR}`; "
        f"{loops} bare loops (one per CPU), every strace to `-o /dev/null`, the daemon "
        "with its default tracer workers (one per CPU) and S connections, every event read."
    )
    print("\n".join([*head, intro, "", *report(results, setup.cpu, sizes, k)]))
    return 0
