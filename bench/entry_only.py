"""Entry-only tracing against entry and exit, on a walk of many traced syscalls.

    .venv/bin/python bench/entry_only.py [--quick] [--rounds N] [--walk usr|share]

A ``find`` walk untraced, under ``strace -f --seccomp-bpf -e trace=%file`` and under
``traced launch -f --no-daemon -e trace=%file`` with and without ``--entry-only``,
every tracer to ``-o /dev/null``, alternating in each round, on a quiet and a busy
machine (bench/busy.py); medians and ratios.  Issue 16's goal: entry-only takes at
most 0.6x the time of entry and exit, "on a workload of many traced syscalls".

The walk: ``usr`` (the default) is ``find /usr -xdev``, some 60k ``%file`` calls, so
that the calls, which the goal is about, make the time; ``share`` is the walk of the
first versions, ``find /usr/share -maxdepth 4``, some 8.5k calls, where traced's start
(the interpreter and its imports, the same in both modes) is a quarter of the
entry-only run.  That start is timed in the same rounds (``traced launch ... -- true``)
and the ratio given without it too.  The number of calls comes from one ``strace -f``
run.  Every variant runs once unmeasured first (the page cache, the imports).
``--quick``: 3 rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from busy import STATES, machine_state, state_order
from headline import TIMES
from measure import report_head, syscall_counts, time_run, venv_bin

WALKS = {
    "usr": ["find", "/usr", "-xdev"],
    "share": ["find", "/usr/share", "-maxdepth", "4"],
}
FILTER = ["-e", "trace=%file"]
GOAL = 0.6  # issue 16: entry-only at most 0.6x the time of entry and exit
BOTH, ENTRY_ONLY, START = "traced, entry and exit", "traced --entry-only", "traced start"
TIMEOUT_S = 600.0


def variants(walk: list[str]) -> dict[str, list[str]]:
    traced = [venv_bin("traced"), "launch", "-f", "--no-daemon", "-o", "/dev/null", *FILTER]
    strace = ["strace", "-f", "--seccomp-bpf", "-o", "/dev/null", *FILTER]
    return {
        "untraced": walk,
        "strace --seccomp-bpf": [*strace, *walk],
        BOTH: [*traced, "--", *walk],
        ENTRY_ONLY: [*traced, "--entry-only", "--", *walk],
        START: [*traced, "--", "true"],
    }


def traced_calls(walk: list[str], work: Path) -> int:
    """How many calls both modes stop for: the walk's ``%file`` calls, by strace."""
    trace = work / "calls.txt"
    time_run(
        ["strace", "-f", "-qq", "-o", str(trace), *FILTER, *walk], work / "count.log", TIMEOUT_S
    )
    return sum(syscall_counts(trace).values())


def timed(
    runs: dict[str, list[str]], rounds: int, work: Path
) -> dict[tuple[str, str], list[float]]:
    """Each variant's wall seconds by (state, variant), alternating within each round."""
    log = work / "run.log"
    for command in runs.values():  # warm-up, not timed
        time_run(command, log, TIMEOUT_S)
    times: dict[tuple[str, str], list[float]] = {}
    for r in range(rounds):
        for state in state_order(r):
            with machine_state(state):
                names = list(runs) if r % 2 == 0 else list(reversed(runs))
                for name in names:
                    seconds = time_run(runs[name], log, TIMEOUT_S)
                    times.setdefault((state, name), []).append(seconds)
    return times


def report(runs: Sequence[str], times: dict[tuple[str, str], list[float]], calls: int) -> list[str]:
    lines = [
        "| state | " + " | ".join(f"{name} s" for name in runs)
        + " | entry-only ÷ entry and exit | without the start | µs a call: both / entry-only |",
        "|---|" + "---|" * (len(runs) + 3),
    ]  # fmt: skip
    verdicts = []
    for state in STATES:
        med = {name: statistics.median(times[(state, name)]) for name in runs}
        ratio = med[ENTRY_ONLY] / med[BOTH]
        both, alone = med[BOTH] - med[START], med[ENTRY_ONLY] - med[START]
        cells = " | ".join(f"{med[name]:.3f}" for name in runs)
        per_call = f"{both / calls * 1e6:.1f} / {alone / calls * 1e6:.1f}"
        lines.append(
            f"| {state} | {cells} | {ratio:.2f}{TIMES} | {alone / both:.2f}{TIMES} | {per_call} |"
        )
        mark = "✓" if ratio <= GOAL else "✗"
        verdicts.append(
            f"- **entry-only**, {state}: {ratio:.2f}{TIMES} the time of entry and exit "
            f"(goal ≤ {GOAL}{TIMES}) {mark}"
        )
    return [*lines, "", *verdicts]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    parser.add_argument("--walk", choices=sorted(WALKS), default="usr")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else args.rounds
    walk = WALKS[args.walk]
    runs = variants(walk)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        calls = traced_calls(walk, work)
        times = timed(runs, rounds, work)
    print("\n".join(report_head("Entry-only tracing", __file__, argv)))
    print(
        f"`{' '.join(walk)}`: {calls:,} `%file` calls stopped for.  {rounds} rounds,"
        " alternating, medians; the start is `traced launch ... -- true`.\n"
    )
    print("\n".join(report(list(runs), times, calls)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
