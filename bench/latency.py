"""Latency: from a syscall's exit to a subscriber receiving its event (p50, p90, p99, max).

    .venv/bin/python bench/latency.py [--quick] [--rounds N] [--syscalls N]

What is measured, and why: a live view (``traced subscribe``, a dashboard) is only as
useful as its events are fresh.  This measures, inside one daemon on this machine, how long
after a traced syscall has returned its event is in a client's hands.

The traced program (C, compiled here) makes N ``syscall(SYS_getppid)`` calls spaced by a
``nanosleep`` (1 ms: moderate load, 1,000 events/s; and 0.1 ms: 10,000 events/s).  Only
``getppid`` is traced (``trace: "getppid"``, so the seccomp filter stops nothing else;
``nanosleep`` and ``clock_gettime`` run untraced).  Right before and right after each
``getppid`` it reads ``CLOCK_REALTIME`` (vDSO, no syscall); at the end it writes those
timestamps to a file.  Clocks are the same machine's, so they compare across processes.

Two clients in this one asyncio process receive every event and stamp it with
``time.time_ns()`` (``CLOCK_REALTIME``) as soon as the chunk holding it has been read:

- **launch**: the connection that sent ``launch`` (``policy: "block"``, the session's own
  stream);
- **subscribe**: another connection with ``subscribe`` to every session (``policy:
  "drop"``, the default), made before the launch.

For the i-th ``getppid`` event (``seq`` order; the count must be N, else the benchmark
fails) two latencies are computed:

- **program exit -> received**: receive time - the program's clock right after
  ``getppid`` returned.  The program can only read its clock once the tracer has resumed
  it from the syscall-exit stop, so this is from that resume to delivery; it is negative
  if the daemon wrote the event out before resuming the tracee.
- **ts_ns + duration_ns -> received**: receive time - (entry stop time + duration), i.e.
  from when the daemon saw the exit stop; needs no cooperation from the program.

Also shown: the program's own before -> after time per ``getppid`` (what a traced syscall
costs the program: two stops through the daemon).  Rates alternate within each round;
percentiles are medians over rounds (the max is the max of all rounds).
"""

from __future__ import annotations

import argparse
import asyncio
import struct
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from daemon_client import (
    AsyncClient,
    Daemon,
    Message,
    compile_c,
    median,
    percentile,
    running_daemon,
    system_lines,
)
from measure import BenchError, note, report_head

PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s N INTERVAL_NS OUTFILE\n", argv[0]);
        return 2;
    }
    long n = atol(argv[1]);
    long interval = atol(argv[2]);
    long long *t = calloc(2 * n, sizeof *t);
    struct timespec gap = {interval / 1000000000L, interval % 1000000000L};
    for (long i = 0; i < n; i++) {
        t[2 * i] = now_ns();
        syscall(SYS_getppid);
        t[2 * i + 1] = now_ns();
        nanosleep(&gap, NULL);
    }
    FILE *out = fopen(argv[3], "wb");
    if (!out || fwrite(t, sizeof *t, 2 * n, out) != (size_t)(2 * n)) {
        perror("write timestamps");
        return 1;
    }
    fclose(out);
    return 0;
}
"""

TITLE = "Latency: syscall exit to event received"
TRACE = "getppid"
WAIT_S = 120.0
INTERVALS_NS = (1_000_000, 100_000)
RECEIVERS = ("launch", "subscribe")
QUANTILES = (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))


class Receiver:
    """(seq, exit estimate from the event, receive time) of one session's getppid events."""

    def __init__(self) -> None:
        self.events: list[tuple[int, int, int]] = []
        self.lost = 0
        self.ended = asyncio.Event()
        self.end: Message | None = None
        self.session: str | None = None

    def __call__(self, message: Message, received: int) -> None:
        if self.session is not None and message.get("session") != self.session:
            return
        kind = message.get("type")
        if kind == "syscall" and message.get("name") == TRACE:
            exit_ns = int(message["ts_ns"]) + int(message["duration_ns"] or 0)
            self.events.append((int(message["seq"]), exit_ns, received))
        elif kind == "lost":
            self.lost += int(message["count"])
        elif kind == "session_end":
            self.end = message
            self.ended.set()


@dataclass
class Round:
    interval_ns: int
    # (receiver, estimate) -> latencies in µs
    latencies: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    in_syscall_us: list[float] = field(default_factory=list)
    lost: dict[str, int] = field(default_factory=dict)
    achieved_per_s: float = 0.0


async def one_round(daemon: Daemon, program: Path, n: int, interval_ns: int, out: Path) -> Round:
    launch_rx, sub_rx = Receiver(), Receiver()
    subscriber = await AsyncClient.connect(daemon.socket, sub_rx)
    launcher = await AsyncClient.connect(daemon.socket, launch_rx)
    try:
        await subscriber.request("subscribe")
        argv = [str(program), str(n), str(interval_ns), str(out)]
        launched = await launcher.request(
            "launch", argv=argv, trace=TRACE, stdio=False, policy="block"
        )
        sub_rx.session = launched["session"]
        await asyncio.wait_for(
            asyncio.gather(launch_rx.ended.wait(), sub_rx.ended.wait()), WAIT_S + n * 1e-3
        )
    finally:
        await subscriber.close()
        await launcher.close()
    if launch_rx.end is None or launch_rx.end.get("code") != 0:
        raise BenchError(f"the program ended with {launch_rx.end}; see {daemon.log}")
    raw = out.read_bytes()
    stamps = struct.unpack(f"<{2 * n}q", raw)
    result = Round(interval_ns)
    result.achieved_per_s = n / max(1e-9, (stamps[-1] - stamps[0]) / 1e9)
    result.in_syscall_us = [(stamps[2 * i + 1] - stamps[2 * i]) / 1e3 for i in range(n)]
    for name, rx in (("launch", launch_rx), ("subscribe", sub_rx)):
        result.lost[name] = rx.lost
        if rx.lost:
            note(f"{name}: {rx.lost} events lost (drop policy); latencies of the rest")
        elif len(rx.events) != n:
            raise BenchError(f"{name} got {len(rx.events)} getppid events, expected {n}")
        seqs = [e[0] for e in rx.events]
        if seqs != sorted(seqs):
            raise BenchError(f"{name}: events out of seq order")
        # Without loss the i-th event is the i-th call.  With loss, events cannot be
        # matched to calls by position, so only the event's own estimate is used.
        if not rx.lost:
            result.latencies[name, "program"] = [
                (received - stamps[2 * i + 1]) / 1e3 for i, (_, _, received) in enumerate(rx.events)
            ]
        result.latencies[name, "event"] = [
            (received - exit_ns) / 1e3 for _, exit_ns, received in rx.events
        ]
    return result


def measure(daemon: Daemon, program: Path, n: int, rounds: int, workdir: Path) -> list[Round]:
    results: list[Round] = []
    note("warm-up round (not counted)")
    asyncio.run(one_round(daemon, program, 50, INTERVALS_NS[0], workdir / "warmup.bin"))
    for r in range(rounds):
        order = INTERVALS_NS if r % 2 == 0 else INTERVALS_NS[::-1]
        for interval in order:
            out = workdir / f"stamps-{r}-{interval}.bin"
            result = asyncio.run(one_round(daemon, program, n, interval, out))
            results.append(result)
            p50 = percentile(sorted(result.latencies["launch", "event"]), 0.5)
            note(
                f"round {r + 1}/{rounds}, every {interval / 1e3:g} µs: launch stream "
                f"p50 {p50:.0f} µs (event estimate)"
            )
    return results


def fmt(us: float) -> str:
    return f"{us:,.0f}" if abs(us) >= 100 else f"{us:.1f}"


def report(results: list[Round], n: int, rounds: int, argv: Sequence[str] | None) -> str:
    out = [
        *report_head(TITLE, __file__, argv, system_lines()),
        f"N = {n:,} traced `getppid` per run; percentiles in µs, median over {rounds} "
        "rounds (max: of all rounds); both receivers in one asyncio client process.",
        "",
        "| spacing (calls/s achieved) | receiver | from | p50 | p90 | p99 | max | min |",
        "|---|---|---|---|---|---|---|---|",
    ]
    estimates = (("program", "program exit (its clock)"), ("event", "ts_ns + duration_ns"))
    for interval in INTERVALS_NS:
        mine = [r for r in results if r.interval_ns == interval]
        achieved = median([r.achieved_per_s for r in mine])
        rate = f"{interval / 1e3:g} µs sleeps ({achieved:,.0f}/s)"
        for receiver in RECEIVERS:
            for key, label in estimates:
                rows = [
                    sorted(r.latencies[receiver, key])
                    for r in mine
                    if (receiver, key) in r.latencies
                ]
                if not rows:
                    continue
                cells = [fmt(median([percentile(v, q) for v in rows])) for _, q in QUANTILES]
                top = max(v[-1] for v in rows)
                low = min(v[0] for v in rows)
                out.append(
                    f"| {rate} | {receiver} | {label} | {' | '.join(cells)} "
                    f"| {fmt(top)} | {fmt(low)} |"
                )
        inside = [sorted(r.in_syscall_us) for r in mine]
        cells = [fmt(median([percentile(v, q) for v in inside])) for _, q in QUANTILES]
        out.append(
            f"| {rate} | (the program) | getppid call, before -> after | {' | '.join(cells)} "
            f"| {fmt(max(v[-1] for v in inside))} | {fmt(min(v[0] for v in inside))} |"
        )
        lost = sum(r.lost.get("subscribe", 0) for r in mine)
        if lost:
            out.append(f"| {rate} | subscribe | events lost (drop) | {lost} | | | | |")
    out += [
        "",
        'A negative "program exit" latency means the event was received before the '
        "program read its clock after the syscall: the tracee was resumed and then "
        "preempted (a loaded machine) before its `clock_gettime`; the `ts_ns + "
        "duration_ns` estimate does not depend on the tracee being scheduled.",
        "",
    ]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 7")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--syscalls", type=int, default=1000)
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 7)
    with tempfile.TemporaryDirectory(prefix="traced-latency-") as tmp:
        workdir = Path(tmp)
        program = compile_c(PROGRAM, workdir, "spaced_getppid")
        with running_daemon(workdir, None) as daemon:
            note(f"daemon pid {daemon.pid}")
            started = time.perf_counter()
            results = measure(daemon, program, args.syscalls, rounds, workdir)
            note(f"measured in {time.perf_counter() - started:.1f} s")
    print(report(results, args.syscalls, rounds, argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
