"""Fault injection: ``-e inject=unlinkat:error=EPERM`` on a loop of unlinkat calls.

    .venv/bin/python bench/inject.py [--quick] [--rounds N] [--calls N]

A C loop calls ``unlinkat(AT_FDCWD, "absent", 0)`` N times (each fails, ENOENT
untraced, EPERM injected).  Variants, alternating in each round, every tracer to
``-o /dev/null`` with ``-e trace=unlinkat -e inject=unlinkat:error=EPERM``:

- untraced;
- ``strace -f --seccomp-bpf``: strace's injection, two stops a call;
- ``traced launch -f --no-daemon``: traced's injection at stops, as strace's;
- ``traced launch -f --no-daemon --inject-in-kernel``: the filter's SECCOMP_RET_ERRNO,
  no stop at all.

Issue 16's goal: the injection within 5% of untraced speed.  The in-kernel kind is
also run on a loop of no calls, so its ratio is quoted with traced's fixed start-up
taken out as well as with it (start-up is bench/startup.py's business).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from headline import TIMES
from measure import compile_program, report_head, time_run, venv_bin

LOOP_C = r"""
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 0, failed = 0;
    for (long i = 0; i < n; i++)
        failed += unlinkat(AT_FDCWD, "absent-inject-bench", 0) != 0;
    return failed == n ? 0 : 1;
}
"""
INJECT = ["-e", "trace=unlinkat", "-e", "inject=unlinkat:error=EPERM"]
GOAL = 1.05


def variants(loop: str, calls: int) -> dict[str, list[str]]:
    traced = [venv_bin("traced"), "launch", "-f", "--no-daemon", "-o", "/dev/null", *INJECT]
    strace = ["strace", "-f", "--seccomp-bpf", "-o", "/dev/null", *INJECT]
    return {
        "untraced": [loop, str(calls)],
        "strace --seccomp-bpf": [*strace, loop, str(calls)],
        "traced, at stops": [*traced, "--", loop, str(calls)],
        "traced --inject-in-kernel": [*traced, "--inject-in-kernel", "--", loop, str(calls)],
        "untraced, no calls": [loop, "0"],
        "traced --inject-in-kernel, no calls": [*traced, "--inject-in-kernel", "--", loop, "0"],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds of 200,000 calls")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    rounds, calls = (3, 200_000) if args.quick else (args.rounds, args.calls)
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "unlinkat_loop.c"
        source.write_text(LOOP_C)
        loop = str(compile_program(source, Path(work) / "unlinkat_loop"))
        runs = variants(loop, calls)
        log = Path(work) / "run.log"
        for r in range(rounds):
            for name in list(runs) if r % 2 == 0 else list(reversed(runs)):
                times.setdefault(name, []).append(time_run(runs[name], log, 600.0, Path(work)))
    med = {name: statistics.median(values) for name, values in times.items()}
    base = med["untraced"]
    net = (med["traced --inject-in-kernel"] - med["traced --inject-in-kernel, no calls"]) / max(
        base - med["untraced, no calls"], 1e-9
    )
    print("\n".join(report_head("Fault injection", __file__, argv)))
    print(f"{rounds} rounds of {calls:,} unlinkat calls, alternating, medians.\n")
    print("| variant | s | ÷ untraced |\n|---|---|---|")
    for name, seconds in med.items():
        print(f"| {name} | {seconds:.3f} | {seconds / base:.2f}{TIMES} |")
    kernel = med["traced --inject-in-kernel"] / base
    mark = "✓" if net <= GOAL else "✗"
    print(
        f"\n- inject=unlinkat:error=EPERM, in the kernel, within 5% of untraced: "
        f"{kernel:.2f}{TIMES} with start-up, {net:.2f}{TIMES} without {mark}"
    )
    stops = med["traced, at stops"] / med["strace --seccomp-bpf"]
    print(f"- traced's injection at stops against strace's: {stops:.2f}{TIMES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
