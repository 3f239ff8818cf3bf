"""Entry-only tracing against entry and exit, on a walk of many traced syscalls.

    .venv/bin/python bench/entry_only.py [--rounds N]

``find /usr/share -maxdepth 4`` (~8.4k ``%file`` calls) untraced, under ``strace -f
--seccomp-bpf -e trace=%file`` and under ``traced launch --no-daemon -e trace=%file``
with and without ``--entry-only``, every tracer to ``-o /dev/null``, alternating in each
round, on a quiet and a busy machine (bench/busy.py); medians and ratios.  Issue 16's
goal: entry-only takes at most 0.6x the time of entry and exit.
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


def variants() -> dict[str, list[str]]:
    traced = [venv_bin("traced"), "launch", "--no-daemon", "-o", "/dev/null", *FILTER]
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
    args = parser.parse_args(argv)
    runs = variants()
    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as work:
        log = Path(work) / "run.log"
        for r in range(args.rounds):
            for state in state_order(r):
                with machine_state(state):
                    names = list(runs) if r % 2 == 0 else list(reversed(runs))
                    for name in names:
                        seconds = time_run(runs[name], log, 300.0)
                        times.setdefault((state, name), []).append(seconds)
    print("\n".join(report_head("Entry-only tracing", __file__, argv)))
    print(f"{args.rounds} rounds, alternating, medians.\n")
    print(
        "| state | " + " | ".join(f"{name} s" for name in runs) + " | entry-only ÷ entry and exit |"
    )
    print("|---|" + "---|" * (len(runs) + 1))
    for state in ("quiet", "busy"):
        med = {name: statistics.median(times[(state, name)]) for name in runs}
        ratio = med["traced --entry-only"] / med["traced, entry and exit"]
        cells = " | ".join(f"{med[name]:.3f}" for name in runs)
        print(f"| {state} | {cells} | {ratio:.2f}{TIMES} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
