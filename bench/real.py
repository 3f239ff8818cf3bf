"""Real programs under strace and traced, on a quiet machine and on a busy one.

    .venv/bin/python bench/real.py [--quick] [--rounds N] [--only NAME ...]
                                   [--sessions 64,256] [--data FILE]

The workloads (bench/workloads.py: find, ls -lR, tar -c, tar -x, git status, python3,
make -j2), each run by every mode of bench/modes.py: untraced; every syscall under
``strace -f -o FILE``, ``traced launch -f --no-daemon -o FILE`` and ``... --json -o FILE``
and ``traced launch -f --daemon -o FILE`` with two subscribers (text and JSON) on a daemon
of the benchmark's own; and for each filter that fits it (``%file``, and on the build
``%process,%file``), ``strace -f --seccomp-bpf -e F``, ``strace -f -e F`` and ``traced
-e F``.  Then bench/sessions.py's many-session load (64 and 256 sessions through one
daemon against as many straces) and ``traced launch -- true`` start-up.

Fairness: each round runs every mode once on a quiet machine and once on a busy one
(bench/busy.py: a one-core shell loop the benchmark starts and kills), the modes in an
order rotated each round and the two states alternating which comes first, so that
drifts of the machine's load fall on all alike; figures are medians over rounds.  Every
run must exit 0 and every traced trace must hold as many syscall lines as strace's of
the same round (bench/modes.py): a broken run fails the workload, never passes as fast.

Prints a Markdown report (the table of bench/headline.py, then every median); with
``--data FILE`` also saves the timings as JSON, from which suite.py writes the table at
the top of bench/RESULTS.md and the chart bench/results.svg.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import real_extra
import sessions
import workloads
from busy import machine_state, state_order
from daemon_client import raise_nofile, running_daemon, system_lines
from headline import QUIET, STRACE, Results, table
from measure import BenchError, note, report_head, time_run
from modes import Runner, check_round, modes_for
from subscribers import Subscribers

TITLE = "Real programs: traced against strace, quiet and busy"
QUICK_ROUNDS, FULL_ROUNDS = 3, 5
QUICK_K, FULL_K = 500, 2000  # getppid per session program


def measure_workload(
    workload: workloads.Workload, runner: Runner, rounds: int, results: Results
) -> None:
    """Every mode of ``workload``, ``rounds`` times on each machine state."""
    modes = modes_for(workload)
    results.described[workload.name] = f"`{shlex.join(workload.argv)}`: {workload.what}"
    workload.ready()
    time_run(list(workload.argv), runner.folder / "warm-up.log", 300.0, workload.cwd)
    for r in range(rounds):
        for state in state_order(r):
            runs = {}
            with machine_state(state):
                for mode in real_extra.rotated(modes, r):
                    runs[mode] = runner.run(mode, workload)
                    results.add(workload.name, mode.tool, mode.expr, state, runs[mode].seconds)
            note(
                f"{workload.name} round {r + 1}/{rounds} {state}: "
                + ", ".join(f"{m.key} {run.seconds:.2f}" for m, run in runs.items())
            )
            wrong = check_round(runs, workload)
            if wrong:
                raise BenchError("; ".join(wrong))
            if state == QUIET and r == 0:
                for mode, run in runs.items():
                    if mode.tool == STRACE:
                        results.syscalls[f"{workload.name}|{mode.expr}"] = run.lines


def measure_all(args: argparse.Namespace, work: Path, results: Results) -> None:
    sizes = [int(s) for s in args.sessions.split(",") if s]
    raise_nofile()  # before the daemon starts: it inherits the limit
    config = sessions.daemon_config(max(sizes, default=16))
    with running_daemon(work, config) as daemon:
        for workload in workloads.prepare(args.only, work / "inputs", args.quick):
            subscribers = Subscribers(daemon.socket, work / "subscribers")
            runner = Runner(work / "runs", daemon.socket, subscribers)
            runner.folder.mkdir(exist_ok=True)
            try:
                subscribers.start()
                measure_workload(workload, runner, args.rounds, results)
            except BenchError as error:
                note(f"{workload.name} FAILED: {error}")
                results.failed[workload.name] = str(error)
            finally:
                subscribers.stop()
        if sizes:
            real_extra.measure_sessions(
                daemon, work, sizes, args.k, rounds=args.rounds, results=results
            )
    real_extra.measure_startup(work, args.rounds, results)


def medians(results: Results) -> str:
    """Every median, for the record: workload, mode, quiet and busy seconds."""
    head = "| workload | tool | filter | quiet s | busy s | runs (both states) |"
    out = [head, "|---|---|---|---|---|---|"]
    keys = dict.fromkeys((s.workload, s.tool, s.expr) for s in results.samples)
    for workload, tool, expr in keys:
        q, b = (results.median(workload, tool, expr, state) for state in ("quiet", "busy"))
        n = sum(
            1 for s in results.samples if (s.workload, s.tool, s.expr) == (workload, tool, expr)
        )
        out.append(f"| `{workload}` | {tool} | {expr or '—'} | {q or 0:.3f} | {b or 0:.3f} | {n} |")
    return "\n".join(out)


def report(results: Results, argv: Sequence[str] | None) -> str:
    head = report_head(TITLE, __file__, argv, system_lines())
    described = [f"- `{name}`: {what}" for name, what in results.described.items()]
    return "\n".join(
        [
            *head,
            f"{results.rounds} rounds, each mode once a round on a quiet and on a busy machine "
            "(a one-core shell loop); medians. The ratio is traced's time over the reference's, "
            "in the same state; brackets: against plain `strace -f` (same filter), or strace's "
            "own start-up.",
            "",
            table(results),
            "",
            "Workloads:",
            "",
            *described,
            "",
            "### Every median",
            "",
            medians(results),
            "",
        ]
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_ROUNDS} rounds, a smaller build, K={QUICK_K}"
    )
    parser.add_argument("--rounds", type=int)
    parser.add_argument(
        "--only", nargs="+", default=list(workloads.NAMES), choices=workloads.NAMES, metavar="NAME"
    )
    parser.add_argument(
        "--sessions", default="64,256", help="S values, comma-separated ('' for none)"
    )
    parser.add_argument("--data", type=Path, help="save the timings as JSON here")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (QUICK_ROUNDS if args.quick else FULL_ROUNDS)
    args.k = QUICK_K if args.quick else FULL_K
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results = Results(quick=args.quick, rounds=args.rounds)
    work = workloads.workdir()
    try:
        measure_all(args, work, results)
    except BenchError as error:
        print(f"bench: error: {error}\nbench: files kept in {work}", file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    if args.data:
        results.save(args.data)
    print(report(results, argv))
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
