"""What an argument predicate costs each call of its syscall, in the kernel's filter.

    .venv/bin/python bench/predicate_cost.py [--quick] [--rounds N] [--calls N]

A C loop calls ``close(-1)`` N times (EBADF each time).  Under traced, no predicate
below ever matches, so the tracee never stops: the difference from ``-e trace=none``
is the filter's work alone, the predicate evaluated on each call, divided by N.
Variants, alternating in each round, every tracer to ``-o /dev/null``:

- untraced;
- ``-e trace=none``: the filter with no syscall to stop, close runs its fast path
  (not in the bitmap: allowed after the same lookup as every other syscall);
- ``-e 'trace=close(fd==12345)'``: one comparison of the low word (an int);
- ``-e 'trace=close(fd==1|2|3|4|5|6|7|8)'``: a set of eight values;
- ``-e 'trace=close(fd>100,fd<200,fd!=150)'``: three conditions, all to be tried;
- ``-e 'trace=close(fd==1),close(fd==2),close(fd==3),close(fd==4)'``: four rules.

Reported: each variant's median, and its cost per call in ns over ``trace=none`` and
over untraced, traced's fixed start-up taken out (both also run on a loop of no
calls, whose difference is that start-up).
Issue 16 asks that syscalls without predicates keep the fast path (checked by the
compiler's tests: the same instructions run) and that a predicate's cost be measured.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from measure import compile_program, report_head, time_run, venv_bin

LOOP_C = r"""
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 0, failed = 0;
    for (long i = 0; i < n; i++)
        failed += close(-1) != 0;
    return failed == n ? 0 : 1;
}
"""
NONE = "-e trace=none"
NO_CALLS = "-e trace=none, no calls"
PREDICATES = {
    NONE: "none",
    "one comparison": "close(fd==12345)",
    "a set of 8": "close(fd==1|2|3|4|5|6|7|8)",
    "3 conditions": "close(fd>100,fd<200,fd!=150)",
    "4 rules": "close(fd==1),close(fd==2),close(fd==3),close(fd==4)",
}


def variants(loop: str, calls: int) -> dict[str, list[str]]:
    traced = [venv_bin("traced"), "launch", "-f", "--no-daemon", "-o", "/dev/null"]
    runs = {"untraced": [loop, str(calls)], "untraced, no calls": [loop, "0"]}
    for name, expression in PREDICATES.items():
        runs[name] = [*traced, "-e", f"trace={expression}", "--", loop, str(calls)]
    runs[NO_CALLS] = [*traced, "-e", "trace=none", "--", loop, "0"]
    return runs


def measure(rounds: int, calls: int) -> dict[str, float]:
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "close_loop.c"
        source.write_text(LOOP_C)
        loop = str(compile_program(source, Path(work) / "close_loop"))
        runs = variants(loop, calls)
        log = Path(work) / "run.log"
        for name in runs:  # warm-up, not timed
            time_run(runs[name], log, 600.0, Path(work))
        for r in range(rounds):
            order = list(runs)
            order = order[r % len(order) :] + order[: r % len(order)]
            for name in order:
                times.setdefault(name, []).append(time_run(runs[name], log, 600.0, Path(work)))
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds of 2,000,000 calls")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=10_000_000)
    args = parser.parse_args(argv)
    rounds, calls = (3, 2_000_000) if args.quick else (args.rounds, args.calls)
    med = measure(rounds, calls)
    print("\n".join(report_head("What a predicate costs per call", __file__, argv)))
    print(f"{rounds} rounds of {calls:,} close(-1) calls, rotated order, medians.\n")
    print("| variant | median s | ns per call over untraced | ns per call over trace=none |")
    print("|---|---|---|---|")
    start_up = med[NO_CALLS] - med["untraced, no calls"]
    for name, seconds in med.items():
        if "no calls" in name:
            continue
        traced = name != "untraced"
        over_untraced = (seconds - start_up * traced - med["untraced"]) / calls * 1e9
        over_none = (seconds - med[NONE]) / calls * 1e9
        expression = PREDICATES.get(name)
        label = f"`-e trace={expression}`" if expression else name
        print(f"| {label} | {seconds:.3f} | {over_untraced:+.1f} | {over_none:+.1f} |")
    print(f"\ntraced's start-up (`trace=none` on no calls, less untraced): {start_up:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
