"""Entry-only tracing against entry and exit, on a walk of many traced syscalls.

    .venv/bin/python bench/entry_only.py [--quick] [--rounds N]

``find /usr/share -maxdepth 4`` (~8.4k ``%file`` calls) untraced, under ``strace -f
--seccomp-bpf -e trace=%file`` and under ``traced launch -f --no-daemon -e trace=%file``
with and without ``--entry-only``, every tracer to ``-o /dev/null``, alternating in each
round, on a quiet and a busy machine (bench/busy.py); medians and ratios.  Issue 16's
goal: entry-only takes at most 0.6x the time of entry and exit.  Every variant runs
once unmeasured first (the page cache, the venv's imports).  ``--quick``: 3 rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from busy import machine_state, state_order
from headline import TIMES
from measure import report_head, time_run, venv_bin

WALK = ["find", "/usr/share", "-maxdepth", "4"]
FILTER = ["-e", "trace=%file"]
GOAL = 0.6  # issue 16: entry-only at most 0.6x the time of entry and exit


def variants() -> dict[str, list[str]]:
    traced = [venv_bin("traced"), "launch", "-f", "--no-daemon", "-o", "/dev/null", *FILTER]
    return {
        "untraced": WALK,
        "strace --seccomp-bpf": [
            "strace",
            "-f",
            "--seccomp-bpf",
            "-o",
            "/dev/null",
            *FILTER,
            *WALK,
        ],
        "traced, entry and exit": [*traced, "--", *WALK],
        "traced --entry-only": [*traced, "--entry-only", "--", *WALK],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else args.rounds
    runs = variants()
    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as work:
        log = Path(work) / "run.log"
        for command in runs.values():  # warm-up, not timed
            time_run(command, log, 300.0)
        for r in range(rounds):
            for state in state_order(r):
                with machine_state(state):
                    names = list(runs) if r % 2 == 0 else list(reversed(runs))
                    for name in names:
                        seconds = time_run(runs[name], log, 300.0)
                        times.setdefault((state, name), []).append(seconds)
    print("\n".join(report_head("Entry-only tracing", __file__, argv)))
    print(f"{rounds} rounds, alternating, medians.\n")
    print(
        "| state | " + " | ".join(f"{name} s" for name in runs) + " | entry-only ÷ entry and exit |"
    )
    print("|---|" + "---|" * (len(runs) + 1))
    verdicts = []
    for state in ("quiet", "busy"):
        med = {name: statistics.median(times[(state, name)]) for name in runs}
        ratio = med["traced --entry-only"] / med["traced, entry and exit"]
        cells = " | ".join(f"{med[name]:.3f}" for name in runs)
        print(f"| {state} | {cells} | {ratio:.2f}{TIMES} |")
        mark = "✓" if ratio <= GOAL else "✗"
        verdicts.append(
            f"- **entry-only**, {state}: {ratio:.2f}{TIMES} the time of entry and exit "
            f"(goal ≤ {GOAL}{TIMES}) {mark}"
        )
    print("\n" + "\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
