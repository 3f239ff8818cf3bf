"""The whole benchmark suite, one command: every measure of issues 5 and 14, into bench/RESULTS.md.

    .venv/bin/python bench/suite.py [--quick] [--only NAME ...] [--out FILE]

Runs each benchmark in turn (never two at once: on a 2-core machine they would
measure each other), each in its own process, and writes one report:

- ``real``: real.py: real programs (find, ls -lR, tar, git status, python3, make -j2)
  under strace and traced, every syscall, with a filter and through a daemon with two
  subscribers; 64 and 256 daemon sessions; ``traced launch -- true``; all of it on a
  quiet and on a busy machine.  RESULTS.md opens with its table, and its chart is
  written beside it (results.svg);
- ``floor``: floor.py: a bare Python ptrace loop on find and the build, against strace
  and traced: whether a target can be met in Python at all, and the cost per stop;
- ``stops``: run.py: the cost per stopped syscall against strace on a getppid loop,
  filtered-out syscalls against untraced, and ``traced launch -- true`` startup;
- ``seccomp-floor``: seccomp_floor.py: what an allow-all seccomp filter alone costs a
  getppid loop (the floor under the filtered-out target; a few seconds);
- ``build``: build.py: a 120-file C project built with ``make -j2``;
- ``sessions``: sessions.py: 64 and 256 concurrent sessions through one daemon;
- ``memory``: memory.py: the daemon's RSS, idle and per traced task;
- ``latency``: latency.py: syscall exit to subscriber, p50/p99;
- ``decoding``: decode_bench.py: what full argument decoding costs;
- ``inject``: inject.py: ``-e inject=unlinkat:error=EPERM`` on an unlinkat loop, at
  stops and in the kernel, against strace's injection and untraced.
- ``predicates``: predicates.py: the build traced for the files it writes, an argument
  predicate in the filter (issue 16), against strace --seccomp-bpf and untraced.
- ``entry-only``: entry_only.py: find's ``%file`` calls with ``--entry-only`` against
  entry and exit (issue 16's goal: at most 0.6x the time).

Each benchmark alternates its variants within its own run and quotes medians
and ratios; this script adds the machine, the versions (taken before the first
run), and at the top every target line of every report (a ``- `` line with ✓ met
or ✗ missed), so the verdicts read in one place.  A benchmark that fails is
reported as failed, with its stderr's tail, and the suite goes on.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from chart import svg
from headline import Results, rows, table
from measure import machine_lines

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "RESULTS.md"
CHART = "results.svg"  # beside RESULTS.md
TIMEOUT_S = 3600


@dataclass(frozen=True)
class Bench:
    name: str
    script: str
    quick: tuple[str, ...]  # arguments for --quick
    full: tuple[str, ...] = ()
    data: bool = False  # takes --data FILE: its timings as JSON (real.py)


SUITE = (
    Bench("real", "real.py", ("--quick",), data=True),
    Bench("floor", "floor.py", ("--quick",)),
    Bench("stops", "run.py", ("--quick", "--max-wait", "60"), ("--max-wait", "180")),
    Bench("seccomp-floor", "seccomp_floor.py", ()),
    Bench("build", "build.py", ("--quick",)),
    Bench("sessions", "sessions.py", ("--quick",)),
    Bench("memory", "memory.py", ("--quick",)),
    Bench("latency", "latency.py", ("--quick",)),
    Bench("decoding", "decode_bench.py", ("--rounds", "3", "--e2e-rounds", "5")),
    Bench("startup", "startup.py", ("--quick",)),
    Bench("inject", "inject.py", ("--quick",)),
    Bench("predicates", "predicates.py", ("--quick",)),
    Bench("entry-only", "entry_only.py", ("--quick",)),
)


@dataclass
class Outcome:
    bench: Bench
    report: str
    seconds: float
    failed: str | None
    data: Results | None = None


def machine() -> str:
    """The machine, the versions and the load, taken before any benchmark runs."""
    lines = [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        *machine_lines(),
        f"- 1-min load at start: {os.getloadavg()[0]:.2f}",
    ]
    return "\n".join(lines)


def run(bench: Bench, quick: bool) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="traced-suite-") as tmp:
        data = Path(tmp) / "data.json"
        outcome = _run(bench, quick, ["--data", str(data)] if bench.data else [])
        if data.exists():
            outcome.data = Results.load(data)
    return outcome


def _run(bench: Bench, quick: bool, extra: list[str]) -> Outcome:
    argv = [sys.executable, str(BENCH / bench.script), *(bench.quick if quick else bench.full)]
    argv += extra
    print(f"suite: {bench.name}: {' '.join(argv[1:])}", file=sys.stderr, flush=True)
    began = time.monotonic()
    try:
        done = subprocess.run(
            argv, cwd=REPO, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return Outcome(bench, "", time.monotonic() - began, f"timed out after {TIMEOUT_S} s")
    seconds = time.monotonic() - began
    if done.returncode != 0:
        tail = "\n".join(done.stderr.splitlines()[-15:])
        return Outcome(bench, done.stdout, seconds, f"exit {done.returncode}:\n{tail}")
    return Outcome(bench, done.stdout, seconds, None)


def verdicts(outcomes: list[Outcome]) -> list[str]:
    """Every target line (``- ... ✓`` or ``- ... ✗``: table rows are left in their
    tables), with the benchmark it is from; a failed benchmark says so."""
    found = []
    for outcome in outcomes:
        if outcome.failed:
            found.append(f"- **{outcome.bench.name}**: failed, no verdict (see its section)")
        for line in outcome.report.splitlines():
            if line.startswith("- ") and ("✓" in line or "✗" in line):
                found.append(f"- **{outcome.bench.name}**: {line[2:].strip()}")
    return found


# Where each report of a run holds the evidence for its misses; the reasoning, with the
# figures of the committed run, is in bench/README.md.
WHY = [
    "Why a target is missed, with this run's evidence:",
    "",
    "- **real**: the `floor` section says, workload by workload, whether a bare Python"
    " ptrace loop meets the same target, and how far traced is from that loop.",
    "- **stops**, filtered-out: the `seccomp-floor` section measures what any seccomp filter adds"
    " to a getppid, with no tracer at all; strace --seccomp-bpf's row pays it too.",
    "- **build**: strace --seccomp-bpf's own ratio to untraced is in the table; the"
    " section's last lines give traced's fixed startup, timed in the same rounds, and the"
    " ratios without it.",
    "- **sessions**: one tracer worker per CPU against 64 (or 256) straces. The section's"
    " one-loop rows (`workers = 1`) show what the workers gain, and its last part is the"
    " profile (perf's kernel/interpreter split, py-spy's functions).",
    "- **decoding**: full decoding reads the tracee's memory for each path and struct"
    ' (bench/README.md, "Decoding").',
    "",
    'The reasoning: bench/README.md, "The targets traced misses, and why".',
]


def opening(outcomes: list[Outcome], chart: Path) -> list[str]:
    """real.py's table, and its chart written to ``chart``: what RESULTS.md opens with."""
    data = next((o.data for o in outcomes if o.data is not None), None)
    if data is None:
        return []
    chart.write_text(svg(rows(data)), encoding="utf-8")
    return [
        "## traced against strace on real programs",
        "",
        table(data),
        "",
        f"![traced's time over strace's, quiet and busy]({chart.name})",
        "",
        f"The chart: [{chart.name}]({chart.name}).",
        "",
        "Each ratio is traced's median over its reference's (medians of rounds that alternate"
        " every mode, on a quiet machine and with one core kept busy by a shell loop), in"
        " bold; in brackets, against plain `strace -f` with the same filter (or, for"
        " start-up, strace's own time). The `real` section below says what each workload"
        " is and has every median; `floor` says which targets a bare Python loop meets.",
        "",
    ]


def _only(outcomes: list[Outcome]) -> str:
    """`` --only ...`` when the run left benchmarks out, so the command line is the one run."""
    names = [outcome.bench.name for outcome in outcomes]
    return "" if len(names) == len(SUITE) else " --only " + " ".join(names)


def report(outcomes: list[Outcome], quick: bool, machine: str, chart: Path) -> str:
    mode = "--quick" if quick else "full"
    parts = [
        "# Benchmark results",
        "",
        *opening(outcomes, chart),
        f"`.venv/bin/python bench/suite.py{' --quick' if quick else ''}{_only(outcomes)}`"
        f" ({mode} rounds);"
        " every figure below is a median over rounds that alternate the variants.",
        "",
        machine,
        "",
        "## Targets",
        "",
        *verdicts(outcomes),
        "",
        *(WHY if any("✗" in line for line in verdicts(outcomes)) else []),
        "",
    ]
    for outcome in outcomes:
        parts += [f"## {outcome.bench.name} ({outcome.seconds:.0f} s)", ""]
        if outcome.failed:
            parts += [f"**failed**: {outcome.failed}", ""]
        parts += [outcome.report.strip(), ""]
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="each benchmark's quick mode")
    parser.add_argument("--only", nargs="+", choices=[b.name for b in SUITE], metavar="NAME")
    parser.add_argument("--out", type=Path, default=RESULTS)
    options = parser.parse_args()
    chosen = [b for b in SUITE if not options.only or b.name in options.only]
    before = machine()
    outcomes = [run(bench, options.quick) for bench in chosen]
    chart = options.out.with_name(CHART)
    options.out.write_text(report(outcomes, options.quick, before, chart), encoding="utf-8")
    print(f"suite: wrote {options.out}", file=sys.stderr)
    return 1 if any(outcome.failed for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
