"""Argument predicates in the kernel's filter (issue 16): the build traced for the files it writes.

    .venv/bin/python bench/predicates.py [--quick] [--rounds N] [--files N]

build.py's generated C project, ``make -j2``, timed untraced, under
``strace -f --seccomp-bpf -e trace=openat`` (strace's filter stops every openat; the
writes would be picked out of its output afterwards) and under
``traced launch -f --no-daemon -e 'trace=openat(flags&O_CREAT|O_WRONLY|O_RDWR)'``, whose
filter stops only the openat calls that can write (the compiler's objects, the
linker's output), letting the many reads (headers, libraries) run at full speed.
The goal: within 5% of untraced.

Two floors run in the same rounds.  ``strace -f --seccomp-bpf -e trace=none`` follows the
build's processes (each fork, exec and exit a ptrace stop) and stops for no syscall: what
following them by ptrace costs any tracer.  bench/bareloop.py with traced's own compiled
filter (the same predicate) is the Python floor: a tracer that starts a bare interpreter,
stops where traced stops, asks PTRACE_GET_SYSCALL_INFO and restarts, with no decoding,
events or output: what any tracer written in Python costs here at least.

Fairness as in build.py: every variant builds after an untimed ``make clean``, each
round runs every variant once, in an order rotated each round, medians over the
rounds, traces to ``-o /dev/null``.  Once, untimed, each tracer writes its trace to a file, to count
the calls it stopped for and check that traced's are exactly strace's writing ones.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from build import (
    FUNCTIONS_PER_FILE,
    UNTRACED,
    Timings,
    Variant,
    build_bench_args,
    build_once,
    in_workdir,
    make_clean,
    prepare,
    ratio,
    rotated_rounds,
)
from measure import REPO, first_line, note, report_head, venv_bin
from traced.filter.expression import parse_filter
from traced.syscalls.arch import host_arch
from traced.tracer.engine import Engine
from traced.tracer.run import TracePolicy

TITLE = "Argument predicates in the filter (`make -j2`, the files a build writes)"
PREDICATE = "trace=openat(flags&O_CREAT|O_WRONLY|O_RDWR)"
STRACE_BPF = "strace -f --seccomp-bpf -e trace=openat"
TRACED = "traced -e 'trace=openat(flags&O_CREAT|O_WRONLY|O_RDWR)'"
# The floor under the goal: following the build's processes (each fork, exec and exit
# a ptrace stop), stopping for no syscall at all.
STRACE_NONE = "strace -f --seccomp-bpf -e trace=none"
TRACED_NONE = "traced -e trace=none"
# The Python floor: bench/bareloop.py, traced's compiled filter for the predicate.
LOOP = "bare Python loop, traced's filter"
BARELOOP = REPO / "bench" / "bareloop.py"
UNTRACED_TARGET = 1.05
WRITES = re.compile(r"O_(CREAT|WRONLY|RDWR)")


def predicate_filter(path: Path) -> Path:
    """The seccomp program traced's engine installs for PREDICATE, in ``path``: the
    bare loop's filter."""
    chosen = parse_filter([PREDICATE], host_arch())
    policy = TracePolicy(chosen.syscalls, rules=tuple(chosen.rules.items()))
    path.write_bytes(Engine(blocking=True).filter_program(policy))
    return path


def variants(bpf: Path) -> list[Variant]:
    out = ("-f", "-o", "/dev/null")
    return [
        Variant(UNTRACED, None, ()),
        Variant(STRACE_BPF, None, ("strace", *out, "--seccomp-bpf", "-e", "trace=openat", "--")),
        Variant(TRACED, None, (venv_bin("traced"), "launch", "-f", "--no-daemon", *out, "-e",
                               PREDICATE, "--")),
        Variant(STRACE_NONE, None, ("strace", *out, "--seccomp-bpf", "-e", "trace=none", "--")),
        Variant(TRACED_NONE, None, (venv_bin("traced"), "launch", "-f", "--no-daemon", *out, "-e",
                                    "trace=none", "--")),
        Variant(LOOP, None, (sys.executable, str(BARELOOP), "--filter", str(bpf), "--")),
    ]  # fmt: skip


def openats(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if "openat(" in line]


def check(project: Path, workdir: Path) -> tuple[int, int, int]:
    """One untimed build under each tracer writing to a file: strace's openat calls,
    those of them that write, and traced's calls (which must be those)."""
    theirs, ours = workdir / "strace.txt", workdir / "traced.txt"
    for argv, path in (
        (["strace", "-f", "--seccomp-bpf", "-e", "trace=openat", "-o", str(theirs)], theirs),
        ([venv_bin("traced"), "launch", "-f", "--no-daemon", "-e", PREDICATE, "-o", str(ours)],
         ours),
    ):  # fmt: skip
        make_clean(project)
        build_once(Variant(path.stem, None, (*argv, "--")), project, workdir)
    every = openats(theirs)
    writing = [line for line in every if WRITES.search(line)]
    return len(every), len(writing), len(openats(ours))


def report(argv: Sequence[str] | None, args: argparse.Namespace, timings: Timings,
           counts: tuple[int, int, int], loads: tuple[float, float]) -> str:  # fmt: skip
    every, writing, ours = counts
    base = timings.median(_named(timings, UNTRACED))
    bpf = timings.median(_named(timings, STRACE_BPF))
    lines = report_head(TITLE, __file__, argv, [
        f"- make: {first_line(['make', '--version'])}",
        f"- project: {args.files} modules + main.c, {FUNCTIONS_PER_FILE} functions each; "
        "each timed run is `make -j2` after an untimed `make clean`",
        f"- {args.rounds} rounds, every variant once a round, the order rotated each "
        "round; medians; traces to `-o /dev/null`",
        f"- 1-min load average: {loads[0]:.2f} at the start, {loads[1]:.2f} at the end",
        f"- openat calls of one build: {every} (strace stops at each), of which {writing} "
        f"can write; traced showed {ours} "
        + ("(the same)" if ours == writing else "(NOT the same: see the traces)"),
    ])  # fmt: skip
    lines += ["| variant | median s | min-max s | vs untraced | vs strace --seccomp-bpf |",
              "|---|---|---|---|---|"]  # fmt: skip
    for variant, runs in timings.runs.items():
        median = timings.median(variant)
        name = variant.name.replace("|", "\\|")  # a table cell
        lines.append(
            f"| {name} | {median:.2f} | {min(runs):.2f}-{max(runs):.2f} | "
            f"{ratio(median / base)} | {ratio(median / bpf)} |"
        )
    traced, floor = _named(timings, TRACED), _named(timings, STRACE_NONE)
    loop = _named(timings, LOOP)
    ours_ratio = timings.median(traced) / base
    floor_ratio = timings.median(floor) / base
    loop_ratio = timings.median(loop) / base
    mark = "✓" if ours_ratio <= UNTRACED_TARGET else "✗"
    lines += ["", f"- `-e '{PREDICATE}'` / untraced = {ratio(ours_ratio)} "
              f"(target ≤ {UNTRACED_TARGET:.2f}x) {mark}",
              f"- the floor, a tracer that follows the build's processes and stops for no "
              f"syscall (`{STRACE_NONE}`): {ratio(floor_ratio)} untraced"
              + (" (above the target: no tracer that follows them by ptrace meets it in "
                 "this run)" if floor_ratio > UNTRACED_TARGET else ""),
              f"- traced over that floor: {ratio(ours_ratio / floor_ratio)} (its start and "
              f"the {ours} writing calls' stops)",
              f"- the Python floor, {LOOP} (bench/bareloop.py: an interpreter's start, "
              f"the same stops, no decoding, no output): {ratio(loop_ratio)} untraced"
              + (" (above the target: no tracer written in Python meets it in this run)"
                 if loop_ratio > UNTRACED_TARGET else "")
              + f"; traced over it: {ratio(ours_ratio / loop_ratio)}",
              f"- paired, the median of each round's ratio to that round's untraced build "
              f"(a drift of the machine cancels): traced {ratio(_paired(timings, traced))}, "
              f"the floor {ratio(_paired(timings, floor))}, the Python floor "
              f"{ratio(_paired(timings, loop))}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def _named(timings: Timings, name: str) -> Variant:
    return next(v for v in timings.runs if v.name == name)


def _paired(timings: Timings, variant: Variant) -> float:
    """The median over rounds of ``variant``'s time ÷ the same round's untraced time."""
    untraced = timings.runs[_named(timings, UNTRACED)]
    return statistics.median(a / b for a, b in zip(timings.runs[variant], untraced, strict=True))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_bench_args(argv, __doc__.split("\n\n")[0])

    def work(workdir: Path) -> str:
        project = prepare(workdir, args.files)
        start = os.getloadavg()[0]
        bpf = predicate_filter(workdir / "predicate.bpf")
        timings = rotated_rounds(variants(bpf), args.rounds, project, workdir)
        note("checking the traces (untimed)")
        counts = check(project, workdir)
        return report(argv, args, timings, counts, (start, os.getloadavg()[0]))

    return in_workdir("predicates", work)


if __name__ == "__main__":
    sys.exit(main())
