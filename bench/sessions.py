"""Many sessions: S concurrent launches through one daemon against S concurrent straces.

    .venv/bin/python bench/sessions.py [--quick] [--rounds N] [--syscalls K] [--sessions 64,256]

What is measured, and why: a daemon is one Python process tracing every session, where
each strace is its own process with its own CPU time.  With many programs traced at once
the daemon is the one place all their stops go through, so this is where traced could lose
to strace.  The workload is tests/programs/exact_calls.c (the program the lossless tests
use, compiled here with ``gcc -O2``), which makes exactly K ``getppid`` syscalls
(``syscall(SYS_getppid)``, never cached) and exits, its loop time on stdout; both tracers
trace ``getppid`` only, so with a seccomp filter only those K syscalls stop.

Variants, each timed by wall clock, S programs at once:

- ``untraced``: S programs started together, until all have exited.
- ``strace``: S ``strace -f -o /dev/null -e trace=getppid PROG K`` at once, until all exit.
- ``strace --seccomp-bpf``: the same with ``--seccomp-bpf`` (the same stops as traced).
- ``traced, S connections``: one asyncio client process (this one) with S connections to
  one daemon (connected before the clock starts), one ``launch`` on each (``stdio: false``,
  so the program's stdio is /dev/null; ``trace: "getppid"``; ``policy: "block"``, so
  nothing may be dropped), all sent at once; the clock runs from the first launch sent to
  the last ``session_end`` received.  Every event of every session is read and parsed
  (``json.loads``), each session's stream is checked (``seq`` 1, 2, ... with no gap and no
  ``lost``, ``session_end.seq`` = the last seq) and its syscall events must number exactly
  K, else the benchmark fails.
- ``traced, 1 connection``: the same S launches on a single connection.
- ``traced, one loop``: the S connections' launches through a daemon with
  ``workers = 1``, which traces every session on its own loop, beside the sockets
  (the daemon before tracer workers).  The other traced variants use a daemon with
  the default, one tracer worker process per CPU (traced/daemon/workers.py).
- ``one strace -f --seccomp-bpf, all S`` and ``traced launch -f (in-process), all S``:
  one tracer for all S programs, which one ``sh`` starts at once.  Not the target's
  comparison either: one thread against one thread, it separates what the language
  costs from what the S straces gain by spreading over the cores.

Events/s = S*K / wall.  The ratio traced/strace is of wall times (target <= 1.0); the
daemon's CPU is its own and its workers'.  Every round runs every variant once, in an
order rotated each round, so that drifts of the machine's load hit all of them alike;
figures are medians over rounds.  The daemon's and
this client's CPU seconds during the traced runs say where the time goes.

The default daemon limits would refuse this (``max_clients`` 64 counts every connection,
``max_sessions`` 64, ``max_sessions_per_uid`` 16), so the daemon gets a config file with
them raised (shown in the report).  RLIMIT_NOFILE is raised for the daemon as well.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from daemon_client import (
    AsyncClient,
    Daemon,
    Message,
    StreamCollector,
    config_summary,
    daemon_cpu_split,
    median,
    own_cpu_seconds,
    raise_nofile,
    running_daemon,
    system_lines,
    which,
)
from measure import REPO, BenchError, compile_program, note, report_head, venv_bin
from perfsplit import recorded
from pyspy import sampled

# exactly K getppid (argv: K); prints its loop time, which goes to /dev/null here.
PROGRAM = REPO / "tests" / "programs" / "exact_calls.c"
TITLE = "Many sessions: concurrent launches through one daemon vs concurrent straces"

TRACE = "getppid"
RUN_TIMEOUT_S = 600.0

UNTRACED = "untraced"
STRACE = "strace -f"
STRACE_BPF = "strace -f --seccomp-bpf"
TRACED_N = "traced, S connections"
TRACED_1 = "traced, 1 connection"
# The daemon with one loop (workers = 1): what the tracer workers gain, in the same rounds.
TRACED_W1 = "traced, one loop"
# One tracer for all S programs, which a shell starts: one strace against traced
# in-process, a single thread each.  Not the target's comparison: it separates what
# the language costs from what the 64 straces gain by spreading over the cores.
STRACE_ONE = "one strace -f --seccomp-bpf, all S"
TRACED_ONE = "traced launch -f (in-process), all S"
VARIANTS = (UNTRACED, STRACE, STRACE_BPF, TRACED_N, TRACED_1, TRACED_W1, STRACE_ONE, TRACED_ONE)


@dataclass
class Run:
    wall_s: float
    daemon_cpu_s: float = 0.0
    daemon_sys_s: float = 0.0
    client_cpu_s: float = 0.0


@dataclass
class Results:
    runs: dict[tuple[int, str], list[Run]] = field(default_factory=dict)

    def add(self, sessions: int, variant: str, run: Run) -> None:
        self.runs.setdefault((sessions, variant), []).append(run)

    def wall(self, sessions: int, variant: str) -> float:
        return self.of(sessions, variant, lambda r: r.wall_s)

    def of(self, sessions: int, variant: str, pick: Callable[[Run], float]) -> float:
        return median([pick(r) for r in self.runs.get((sessions, variant), [])])


def daemon_config(max_sessions: int, workers: int | None = None) -> dict[str, dict[str, object]]:
    room = max_sessions + 16
    daemon: dict[str, object] = {"log_level": "warning"}
    if workers is not None:
        daemon["workers"] = workers
    return {
        "limits": {
            "max_clients": room,
            "max_sessions": room,
            "max_sessions_per_uid": room,
        },
        "daemon": daemon,
    }


# --- the strace and untraced variants ------------------------------------------------------


def run_processes(argvs: Sequence[Sequence[str]]) -> float:
    """Wall seconds from starting every argv to the last one's exit."""
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for argv in argvs
    ]
    failures: list[str] = []
    deadline = start + RUN_TIMEOUT_S
    for proc in procs:
        try:
            _, err = proc.communicate(timeout=max(1.0, deadline - time.perf_counter()))
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            failures.append(f"{proc.args!r} timed out")
            continue
        if proc.returncode != 0:
            failures.append(f"{proc.args!r} exited {proc.returncode}: {err.decode()[-300:]}")
    elapsed = time.perf_counter() - start
    if failures:
        raise BenchError(f"{len(failures)} runs failed, e.g. {failures[0]}")
    return elapsed


# --- the traced variants ------------------------------------------------------------------


class Demux:
    """Stream messages of many sessions on one connection, by session id."""

    def __init__(self) -> None:
        self.streams: dict[str, StreamCollector] = {}

    def stream(self, session: str) -> StreamCollector:
        if session not in self.streams:
            self.streams[session] = StreamCollector()
        return self.streams[session]

    def __call__(self, message: Message, received: int) -> None:
        session = message.get("session")
        if isinstance(session, str):
            self.stream(session)(message, received)


async def traced_run(daemon: Daemon, program: Path, k: int, s: int, connections: int) -> Run:
    demuxes = [Demux() for _ in range(connections)]
    clients = await asyncio.gather(
        *(AsyncClient.connect(daemon.socket, demux) for demux in demuxes)
    )
    try:
        argv = [str(program), str(k)]
        (user0, sys0), client_cpu0 = daemon_cpu_split(daemon.pid), own_cpu_seconds()
        start = time.perf_counter()
        launches = [
            clients[i % connections].request(
                "launch", argv=argv, trace=TRACE, stdio=False, policy="block"
            )
            for i in range(s)
        ]
        results = await asyncio.wait_for(asyncio.gather(*launches), RUN_TIMEOUT_S)
        owners = [demuxes[i % connections] for i in range(s)]
        streams = [owner.stream(r["session"]) for owner, r in zip(owners, results, strict=True)]
        remaining = RUN_TIMEOUT_S - (time.perf_counter() - start)
        await asyncio.wait_for(asyncio.gather(*(st.done.wait() for st in streams)), remaining)
        wall = time.perf_counter() - start
        (user1, sys1), client_cpu = daemon_cpu_split(daemon.pid), own_cpu_seconds()
        for st in streams:
            end = st.check(expected_syscalls=k)
            if end.get("code") != 0:
                raise BenchError(f"a traced program ended with {end}")
        daemon_cpu = user1 + sys1 - user0 - sys0
        return Run(wall, daemon_cpu, sys1 - sys0, client_cpu - client_cpu0)
    finally:
        await asyncio.gather(*(c.close() for c in clients))


# --- the rounds ----------------------------------------------------------------------------


def starter(argv: Sequence[str], s: int) -> list[str]:
    """A shell that starts ``s`` copies of ``argv`` at once and waits for them all."""
    command = " ".join(argv)
    return ["sh", "-c", f"i=0; while [ $i -lt {s} ]; do {command} & i=$((i+1)); done; wait"]


def one(variant: str, daemons: Sequence[Daemon], program: Path, k: int, s: int) -> Run:
    argv = [str(program), str(k)]
    strace = ["strace", "-f", "-o", "/dev/null", "-e", f"trace={TRACE}"]
    if variant == STRACE_ONE:
        return Run(run_processes([[*strace, "--seccomp-bpf", *starter(argv, s)]]))
    if variant == TRACED_ONE:
        traced = [venv_bin("traced"), "launch", "-f", "--no-daemon", "-o", "/dev/null"]
        return Run(run_processes([[*traced, "-e", f"trace={TRACE}", "--", *starter(argv, s)]]))
    if variant == UNTRACED:
        return Run(run_processes([argv] * s))
    if variant == STRACE:
        return Run(run_processes([[*strace, *argv]] * s))
    if variant == STRACE_BPF:
        return Run(run_processes([[*strace, "--seccomp-bpf", *argv]] * s))
    if variant == TRACED_W1:
        return asyncio.run(traced_run(daemons[1], program, k, s, s))
    connections = s if variant == TRACED_N else 1
    return asyncio.run(traced_run(daemons[0], program, k, s, connections))


def measure(
    daemons: Sequence[Daemon], program: Path, k: int, sizes: Sequence[int], rounds: int
) -> Results:
    results = Results()
    for s in sizes:
        note(f"S={s}: warm-up (one traced and one strace run, not counted)")
        one(TRACED_N, daemons, program, k // 10 or 1, s)
        one(STRACE_BPF, daemons, program, k // 10 or 1, s)
        for r in range(rounds):
            order = VARIANTS[r % len(VARIANTS) :] + VARIANTS[: r % len(VARIANTS)]
            for variant in order:
                run = one(variant, daemons, program, k, s)
                results.add(s, variant, run)
                note(f"S={s} round {r + 1}/{rounds} {variant}: {run.wall_s:.3f} s")
    return results


# --- the report ------------------------------------------------------------------------------


def report(
    results: Results,
    k: int,
    sizes: Sequence[int],
    rounds: int,
    config: str,
    *,
    argv: Sequence[str] | None,
) -> str:
    out = [
        *report_head(TITLE, __file__, argv, system_lines()),
        f"Workload: K = {k:,} `syscall(SYS_getppid)` per program, `trace=getppid`; "
        f"S programs at once; median of {rounds} rounds (variants rotated each round). "
        f"Daemon config: {config} (the defaults, `max_clients` 64 counting every "
        "connection, `max_sessions` 64 and `max_sessions_per_uid` 16, would refuse "
        "these launches); RLIMIT_NOFILE raised to "
        f"{resource.getrlimit(resource.RLIMIT_NOFILE)[0]} for the daemon.",
        "",
    ]
    for s in sizes:
        events = s * k
        strace_bpf = results.wall(s, STRACE_BPF)
        strace = results.wall(s, STRACE)
        out += [
            f"### S = {s} ({events:,} traced syscalls in all)",
            "",
            "| variant | wall s (median) | min-max s | syscall events/s | vs strace -f "
            "| vs strace --seccomp-bpf | daemon CPU s (of it sys) | client CPU s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for variant in VARIANTS:
            runs = results.runs.get((s, variant), [])
            if not runs:
                continue
            wall = results.wall(s, variant)
            walls = [r.wall_s for r in runs]
            traced = variant in (TRACED_N, TRACED_1, TRACED_W1)
            rate = "—" if variant == UNTRACED else f"{events / wall:,.0f}"
            vs = "—" if variant == UNTRACED else f"{wall / strace:.2f}x"
            vs_bpf = "—" if variant == UNTRACED else f"{wall / strace_bpf:.2f}x"
            dcpu = "—"
            if traced:
                dcpu = (
                    f"{results.of(s, variant, lambda r: r.daemon_cpu_s):.2f} "
                    f"({results.of(s, variant, lambda r: r.daemon_sys_s):.2f})"
                )
            ccpu = f"{results.of(s, variant, lambda r: r.client_cpu_s):.2f}" if traced else "—"
            name = variant.replace("S connections", f"{s} connections")
            out.append(
                f"| {name} | {wall:.3f} | {min(walls):.3f}-{max(walls):.3f} | {rate} "
                f"| {vs} | {vs_bpf} | {dcpu} | {ccpu} |"
            )
        best_traced = results.wall(s, TRACED_N)
        best_strace = min(strace, strace_bpf)
        ratio = best_traced / best_strace
        verdict = "✓ met" if ratio <= 1.0 else f"✗ missed by {(ratio - 1) * 100:.0f}%"
        busy = results.of(s, TRACED_N, lambda r: r.daemon_cpu_s / r.wall_s)
        per_event = results.of(s, TRACED_N, lambda r: r.daemon_cpu_s) / events * 1e6
        one_tracer = results.wall(s, TRACED_ONE) / results.wall(s, STRACE_ONE)
        out += [
            "",
            f"One tracer for all {s} programs (a shell starts them): traced in-process took "
            f"**{one_tracer:.2f}x** the wall time of one strace -f --seccomp-bpf. Both are "
            "one thread (traced's ~0.1 s startup included); the target's straces are one "
            "process per program.",
            "",
            f"The daemon (its front and its tracer workers) used {busy * 100:.0f}% of one "
            f"core during the {s}-connection runs: {per_event:.1f} µs of daemon CPU per "
            "syscall event (two ptrace stops each: seccomp entry, syscall exit). Each strace "
            f"is its own process, so {s} of them spread over all {os.cpu_count()} cores.",
            "",
            f"- S = {s} sessions: traced ({s} connections, one daemon) / the faster of "
            f"strace -f and strace -f --seccomp-bpf = **{ratio:.2f}x** (target ≤ 1.0) {verdict}",
            "",
            f"The daemon with one loop (`workers = 1`) took "
            f"{results.wall(s, TRACED_W1) / best_traced:.2f}x the wall time of the daemon "
            f"with a tracer worker per CPU ({results.wall(s, TRACED_W1) / best_strace:.2f}x "
            "the faster strace's): what the workers gain.",
            "",
        ]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 5")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--syscalls", type=int, default=2000, help="K per program")
    parser.add_argument("--sessions", default="64,256", help="comma-separated S values")
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 5)
    sizes = [int(x) for x in args.sessions.split(",")]
    which("strace")
    which("gcc")
    nofile = raise_nofile()
    note(f"RLIMIT_NOFILE now {nofile}")
    config = daemon_config(max(sizes))
    with tempfile.TemporaryDirectory(prefix="traced-sessions-") as tmp:
        workdir = Path(tmp)
        program = compile_program(PROGRAM, workdir / "exact_calls")
        one_loop = daemon_config(max(sizes), workers=1)
        with (
            running_daemon(workdir, config) as daemon,
            running_daemon(workdir, one_loop, "one-loop") as second,
        ):
            note(f"daemon pid {daemon.pid} on {daemon.socket}")
            results = measure([daemon, second], program, args.syscalls, sizes, rounds)
            note(f"S={sizes[0]}: two more traced runs, untimed, under py-spy and under perf")
            with sampled(daemon.pid) as profile:
                one(TRACED_N, [daemon], program, args.syscalls, sizes[0])
            with recorded(daemon.pid) as split:
                one(TRACED_N, [daemon], program, args.syscalls, sizes[0])
    print(report(results, args.syscalls, sizes, rounds, config_summary(config), argv=argv))
    print(
        "\n".join(
            [
                f"### Where the daemon's time goes (S = {sizes[0]}, two extra runs)",
                "",
                "The kernel's share against the interpreter's, from perf (see "
                "bench/perfsplit.py for why py-spy's shares lean towards syscalls):",
                "",
                *split.table(),
                "",
                "Which Python functions, from py-spy (a function's self time includes the "
                "syscalls it makes):",
                "",
                *profile.table(),
                "",
            ]
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
