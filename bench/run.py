"""The benchmark: traced against strace and against no tracing, on a loop of cheap syscalls.

    .venv/bin/python bench/run.py [--quick] [--pin] [--write]

Prints a Markdown report; ``--write`` also puts it under "Latest results" in
bench/README.md, which explains the rows and the targets.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from measure import (
    REPO,
    LoadLog,
    calibrate,
    compile_loop,
    note,
    one_minute_load,
    syscall_counts,
    time_run,
    wait_for_quiet,
)
from report import Results, load_summary, mode_section
from variants import Output, Sizes, Tool, Variant, command, matrix, traced_executable

README = Path(__file__).resolve().parent / "README.md"
RESULTS_HEADING = "## Latest results"
RUN_TIMEOUT_S = 300.0
# One pinning mode's results, with the syscall lines found in its trace files.
Mode = tuple[Results, dict[Variant, int]]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 7")
    parser.add_argument("--rounds", type=int, help="rounds (default 7, or 3 with --quick)")
    parser.add_argument("--pin", action="store_true", help="also run all on CPU 0 (taskset)")
    parser.add_argument("--write", action="store_true", help="update bench/README.md")
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


def _first_line(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).splitlines()[0] if done.returncode == 0 else "?"


def _cpu_model() -> str:
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "?"


def machine() -> list[str]:
    return [
        f"- nproc: {os.cpu_count()} ({_cpu_model()})",
        f"- kernel: {platform.release()}",
        f"- python: {platform.python_version()} ({sys.executable})",
        f"- strace: {_first_line(['strace', '-V'])}",
        f"- gcc: {_first_line(['gcc', '--version'])}",
        f"- traced: {_first_line(['git', '-C', str(REPO), 'describe', '--always', '--dirty'])}",
    ]


def invocation(argv: Sequence[str] | None) -> str:
    python = os.path.relpath(sys.executable) if sys.executable.startswith(os.getcwd()) else "python"
    script = os.path.relpath(__file__)
    return shlex.join([python, script, *(sys.argv[1:] if argv is None else argv)])


def render(runs: list[Mode], load: LoadLog, how: str) -> str:
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    parts = [
        RESULTS_HEADING,
        f"{stamp}, `{how}`",
        "\n".join(machine()),
        load_summary(load),
    ]
    for results, lines in runs:
        title = (
            "Pinned: `taskset -c 0` (tracer and tracee on one CPU)"
            if results.pinned
            else ("Unpinned")
        )
        parts += [f"### {title}", mode_section(results, lines)]
    return "\n\n".join(parts) + "\n"


def write_readme(block: str) -> None:
    """Replace the "Latest results" section (it runs to the end of the file)."""
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    head = text.split(RESULTS_HEADING, 1)[0].rstrip()
    README.write_text((head + "\n\n" if head else "") + block, encoding="utf-8")


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
    block = render(runs, load, invocation(argv))
    print(block)
    if args.write:
        write_readme(block)
        note(f"wrote {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
