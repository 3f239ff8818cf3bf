"""-P PATH on a build: which processes touch one header, under strace and traced.

    .venv/bin/python bench/paths.py [--quick] [--rounds N] [--files N]

build.py's generated C project, ``make -j2``, timed untraced, under
``strace -f -P include/common.h`` and under ``traced launch -f --no-daemon -P
include/common.h``.  -P names no syscall, so both tracers stop at every one; the
difference is what a stop costs when the call touches another path.  strace judges
its pathtrace at the entry and lets the rest go; traced does the same in its tracer
(stopread: the fds' targets and the path arguments, read from the registers alone),
where it used to decode every call and leave the choice to the printer.

Fairness as in build.py: every variant builds after an untimed ``make clean``, each
round runs every variant once, in an order rotated each round, medians over the
rounds, traces to ``-o /dev/null``.  Once, untimed, each tracer writes its trace to a
file, and the calls they show are compared.
"""

from __future__ import annotations

import argparse
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
from measure import first_line, note, report_head, venv_bin

TITLE = "-P PATH on a build (`make -j2`, the calls on one header)"
HEADER = "include/common.h"
STRACE = f"strace -f -P {HEADER}"
TRACED = f"traced -f -P {HEADER}"


def variants() -> list[Variant]:
    out = ("-f", "-o", "/dev/null", "-P", HEADER)
    return [
        Variant(UNTRACED, None, ()),
        Variant(STRACE, None, ("strace", *out, "--")),
        Variant(TRACED, None, (venv_bin("traced"), "launch", "--no-daemon", *out, "--")),
    ]


def shown(path: Path) -> list[str]:
    """The calls of a trace, without pids and results: what both tracers must agree on."""
    calls = []
    for line in path.read_text().splitlines():
        call = line.split(maxsplit=1)[-1] if line[:1].isdigit() else line
        if "(" in call and not call.startswith(("+++", "---")):
            calls.append(call.split("(")[0])
    return sorted(calls)


def check(project: Path, workdir: Path) -> tuple[int, bool]:
    """One untimed build under each tracer writing to a file: how many calls strace
    shows, and whether traced shows the same ones (by name)."""
    theirs, ours = workdir / "strace.txt", workdir / "traced.txt"
    for argv, path in (
        (["strace", "-f", "-P", HEADER, "-o", str(theirs)], theirs),
        ([venv_bin("traced"), "launch", "-f", "--no-daemon", "-P", HEADER, "-o", str(ours)], ours),
    ):
        make_clean(project)
        build_once(Variant(path.stem, None, (*argv, "--")), project, workdir)
    return len(shown(theirs)), shown(theirs) == shown(ours)


def report(
    argv: Sequence[str] | None, args: argparse.Namespace, timings: Timings, counts: tuple[int, bool]
) -> str:
    by_name = {variant.name: timings.median(variant) for variant in timings.runs}
    base, strace = by_name[UNTRACED], by_name[STRACE]
    calls, same = counts
    lines = report_head(TITLE, __file__, argv, [
        f"- make: {first_line(['make', '--version'])}",
        f"- project: {args.files} modules + main.c, {FUNCTIONS_PER_FILE} functions each; "
        "each timed run is `make -j2` after an untimed `make clean`",
        f"- {args.rounds} rounds, every variant once a round, the order rotated each "
        "round; medians; traces to `-o /dev/null`",
        f"- calls on {HEADER} in one build: {calls} under strace; traced's "
        + ("are the same" if same else "DIFFER (see the traces)"),
    ])  # fmt: skip
    lines += [
        "| variant | median s | min-max s | vs untraced | vs strace |",
        "|---|---|---|---|---|",
    ]
    for variant, runs in timings.runs.items():
        median = timings.median(variant)
        lines.append(
            f"| {variant.name} | {median:.2f} | {min(runs):.2f}-{max(runs):.2f} | "
            f"{ratio(median / base)} | {ratio(median / strace)} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_bench_args(argv, __doc__.split("\n\n")[0])

    def work(workdir: Path) -> str:
        project = prepare(workdir, args.files)
        timings = rotated_rounds(variants(), args.rounds, project, workdir)
        note("checking the traces (untimed)")
        return report(argv, args, timings, check(project, workdir))

    return in_workdir("paths", work)


if __name__ == "__main__":
    sys.exit(main())
