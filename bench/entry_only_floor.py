"""The floor under entry-only's goal: what one stop per call saves a bare loop, and traced.

    .venv/bin/python bench/entry_only_floor.py [--rounds N]

Issue 16 wants ``traced launch --entry-only`` to take at most 0.6x the time of entry
and exit (bench/entry_only.py).  The same ``find /usr/share -maxdepth 4`` under
``-e trace=%file`` (~8.4k calls) is run under bench/bareloop.py with traced's own filter,
entry and exit (the seccomp stop restarted with PTRACE_SYSCALL) against entry-only
(PTRACE_CONT there: one stop per call), in three forms, and under traced itself:

- ``loop``: wait, PTRACE_GET_SYSCALL_INFO, restart, nothing else: the kernel's share
  of a stop (the tracee's stop, the tracer's wake-up, the restart) and the event
  loop's least;
- ``loop --spin``: the same, polling for the next stop after each restart as traced
  does (traced/core/spin.py), so that fewer stops wake an idle CPU;
- ``loop --decode``: with traced's decoders and one line per call, written at the
  entry stop in entry-only mode: what strace-like text cannot do without;
- ``traced``: ``traced launch --no-daemon -o /dev/null``.

Each round runs every variant once, alternating; wall seconds and CPU seconds (user +
system, the tracer's and its tracees') are both reported, as medians, with each pair's
ratio entry-only / entry and exit.  If the bare loop's own ratio is above 0.6, no tracer
that stops once per call can reach the goal on this machine: a stop's fixed cost (the
kernel's, the wake-up) is what is left, and only stopping less often (not at all for
calls the filter could decide alone) would lower it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from measure import REPO, note, report_head, time_run, venv_bin
from traced.filter.bpf import compile_filter
from traced.filter.expression import parse_trace
from traced.syscalls.arch import host_arch

TITLE = "The floor under entry-only tracing: one stop per call, bare and decoded"
WALK = ["find", "/usr/share", "-maxdepth", "4"]
EXPR = "trace=%file"
BARELOOP = REPO / "bench" / "bareloop.py"
GOAL = 0.6
FORMS = ("loop", "loop --spin", "loop --decode", "traced")
UNTRACED = "untraced"
RUN_TIMEOUT_S = 300.0


def argv(form: str, entry_only: bool, bpf: Path, walk: Sequence[str] = WALK) -> list[str]:
    """The command line of one variant (``walk``: ``true`` for its start alone)."""
    if form == UNTRACED:
        return list(walk)
    if form == "traced":
        only = ["--entry-only"] if entry_only else []
        launch = [venv_bin("traced"), "launch", "-f", "--no-daemon", "-o", "/dev/null", "-e", EXPR]
        return [*launch, *only, "--", *walk]
    stats = bpf.with_suffix(".walk.json" if list(walk) == WALK else ".start.json")
    loop = [sys.executable, str(BARELOOP), "--filter", str(bpf), "--stats", str(stats)]
    loop += ["--entry-only"] if entry_only else []
    loop += ["--spin"] if form == "loop --spin" else []
    loop += ["--decode", "/dev/null"] if form == "loop --decode" else []
    return [*loop, "--", *walk]


def timed(command: list[str], log: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one run; CPU is its process tree's user + system time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time_run(command, log, RUN_TIMEOUT_S)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


# (form, entry-only, what): "walk", or "start" (the same tracer on ``true``: its start)
Times = dict[tuple[str, bool, str], list[tuple[float, float]]]


def measure(rounds: int, work: Path) -> tuple[Times, int]:
    """The times, and the calls the filter stops for (the bare loop's seccomp stops)."""
    arch = host_arch()
    bpf = work / "file.bpf"
    bpf.write_bytes(compile_filter(arch, parse_trace([EXPR.split("=", 1)[1]], arch) or ()))
    log = work / "run.log"
    variants = [(form, only, "walk") for form in FORMS for only in (False, True)]
    variants += [(form, False, "start") for form in FORMS] + [(UNTRACED, False, "walk")]
    times: Times = {variant: [] for variant in variants}
    for form, only, what in variants:  # warm-up, not timed
        timed(argv(form, only, bpf, WALK if what == "walk" else ["true"]), log)
    calls = json.loads((work / "file.walk.json").read_text())["stops"]["seccomp"]
    for number in range(rounds):
        order = variants if number % 2 == 0 else variants[::-1]
        for form, only, what in order:
            command = argv(form, only, bpf, WALK if what == "walk" else ["true"])
            times[form, only, what].append(timed(command, log))
        note(f"round {number + 1}/{rounds} done, load {os.getloadavg()[0]:.2f}")
    return times, calls


def _medians(times: Times, key: tuple[str, bool, str]) -> tuple[float, float]:
    wall, cpu = zip(*times[key], strict=True)
    return statistics.median(wall), statistics.median(cpu)


def report(times: Times, calls: int, argv_: Sequence[str] | None, load: str) -> str:
    rounds = len(times[FORMS[0], False, "walk"])
    lines = report_head(TITLE, __file__, argv_, [f"- load average at start: {load}"])
    walk = _medians(times, (UNTRACED, False, "walk"))[0]
    lines += [
        f"{rounds} rounds, alternating, medians; wall s / CPU s (user + system, tracer and"
        f" tracees).  {calls:,} calls stopped for; untraced walk {walk:.3f} s.",
        "",
        "| form | entry and exit | entry-only | entry-only ÷ entry and exit, wall | CPU "
        "| start (on `true`) | µs a call: entry and exit / entry-only | without the start |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for form in FORMS:
        both = _medians(times, (form, False, "walk"))
        one = _medians(times, (form, True, "walk"))
        start = _medians(times, (form, False, "start"))[0]
        per_call = [(t - start - walk) / calls * 1e6 for t in (both[0], one[0])]
        lines.append(
            f"| {form} | {both[0]:.3f} / {both[1]:.3f} | {one[0]:.3f} / {one[1]:.3f} "
            f"| {one[0] / both[0]:.2f}x | {one[1] / both[1]:.2f}x | {start:.3f} "
            f"| {per_call[0]:.1f} / {per_call[1]:.1f} "
            f"| {(one[0] - start) / (both[0] - start):.2f}x |"
        )
    lines += ["", f"Goal: entry-only ≤ {GOAL}x entry and exit (issue 16)."]
    return "\n".join(lines)


def main(argv_: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv_)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as work:
        times, calls = measure(args.rounds, Path(work))
    print(report(times, calls, argv_, load))
    return 0


if __name__ == "__main__":
    sys.exit(main())
