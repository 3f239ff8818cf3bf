"""The benchmark: traced against strace and against no tracing, on a loop of cheap syscalls.

    .venv/bin/python bench/run.py [--quick] [--pin]

Prints a Markdown report (bench/README.md explains the rows and the targets);
bench/suite.py puts it in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from measure import (
    LoadLog,
    calibrate,
    compile_loop,
    note,
    one_minute_load,
    report_head,
    syscall_counts,
    time_run,
    wait_for_quiet,
)
from report import Results, load_summary, mode_section, target_lines
from variants import Output, Sizes, Tool, Variant, command, matrix, traced_executable

TITLE = "Stops: traced against strace per stopped syscall, and against untraced"
RUN_TIMEOUT_S = 300.0
# One pinning mode's results, with the syscall lines found in its trace files.
Mode = tuple[Results, dict[Variant, int]]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 7")
    parser.add_argument("--rounds", type=int, help="rounds (default 7, or 3 with --quick)")
    parser.add_argument("--pin", action="store_true", help="also run all on CPU 0 (taskset)")
    parser.add_argument("--max-wait", type=float, default=180.0, help="s to wait for low load")
    parser.add_argument("--max-load", type=float, default=1.0, help="1-min load deemed quiet")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (3 if args.quick else 7)
    return args


class Bench:
    """Runs variants of the compiled loop; keeps each one's trace and log in ``workdir``."""

    def __init__(self, workdir: Path, loop: Path) -> None:
        self.workdir = workdir
        self.loop = loop
        self.traced = traced_executable()

    def program(self, variant: Variant) -> list[str]:
        if variant.case == "startup":
            return ["/bin/true"]
        return [str(self.loop), str(variant.n)]

    def trace_file(self, variant: Variant) -> Path:
        return self.workdir / f"{variant.slug}.trace"

    def time(self, variant: Variant) -> float:
        argv = command(variant, self.program(variant), self.trace_file(variant), self.traced)
        log = self.workdir / f"{variant.slug}.log"
        return time_run(argv, log, RUN_TIMEOUT_S)


def run_rounds(
    bench: Bench, variants: list[Variant], rounds: int, load: LoadLog
) -> dict[Variant, list[float]]:
    """Every variant once per round, round-robin, so that drifts hit all of them alike."""
    samples: dict[Variant, list[float]] = {variant: [] for variant in variants}
    for done in range(rounds):
        load.rounds.append(one_minute_load())
        note(f"round {done + 1}/{rounds}: {len(variants)} runs, 1-min load {load.rounds[-1]:.2f}")
        for variant in variants:
            samples[variant].append(bench.time(variant))
    return samples


def warm_up(bench: Bench, variants: list[Variant]) -> None:
    """One untimed run of each startup probe: page cache, .pyc files."""
    for variant in variants:
        if variant.case == "startup":
            bench.time(variant)


def trace_lines(bench: Bench, variants: list[Variant]) -> dict[Variant, int]:
    """Syscall lines in the last text trace of each loop run that wrote one to a file."""
    written = [
        v
        for v in variants
        if v.output is Output.FILE and v.case != "startup" and v.tool is not Tool.UNTRACED
    ]
    return {v: sum(syscall_counts(bench.trace_file(v)).values()) for v in written}


def render(runs: list[Mode], load: LoadLog, argv: Sequence[str] | None) -> str:
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    head = report_head(TITLE, __file__, argv, [f"- date: {stamp}"])
    parts = ["\n".join(head).rstrip(), load_summary(load)]
    parts += ["### Targets", "\n".join(line for r, _ in runs for line in target_lines(r))]
    for results, lines in runs:
        title = (
            "Pinned: `taskset -c 0` (tracer and tracee on one CPU)"
            if results.pinned
            else ("Unpinned")
        )
        parts += [f"### {title}", mode_section(results, lines)]
    return "\n\n".join(parts) + "\n"


def measure(args: argparse.Namespace, workdir: Path, load: LoadLog) -> list[Mode]:
    bench = Bench(workdir, compile_loop(workdir))
    variants = matrix(Sizes(), (False, True) if args.pin else (False,))
    counts = calibrate(bench.loop, {v.n for v in variants if v.case != "startup"}, workdir)
    warm_up(bench, variants)
    wait_for_quiet(load, args.max_wait)
    samples = run_rounds(bench, variants, args.rounds, load)
    load.end = one_minute_load()
    lines = trace_lines(bench, variants)
    modes = sorted({v.pinned for v in variants})
    return [(Results(samples, counts, pinned), lines) for pinned in modes]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    load = LoadLog(threshold=args.max_load)
    with tempfile.TemporaryDirectory(prefix="traced-bench-") as workdir:
        runs = measure(args, Path(workdir), load)
    print(render(runs, load, argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
