"""The floor: how close to strace a Python tracer can get at all, on real programs.

    .venv/bin/python bench/floor.py [--quick] [--rounds N] [--only NAME ...]

Times bench/bareloop.py (wait, PTRACE_GET_SYSCALL_INFO, restart: nothing else) beside
``strace -f`` and traced on real workloads (bench/workloads.py; by default ``find`` and
the ``make -j2`` build), on a quiet and on a busy machine (bench/busy.py), in alternating
rounds, medians.  Two modes, each as strace and traced run it:

- every syscall: ``strace -f``, ``traced launch``, the bare loop in full mode
  (PTRACE_SYSCALL at every stop), with and without its spin (bareloop.py ``--spin``),
  and with traced's decoding and a line per call (``--decode``): the floor of a Python
  tracer that prints strace's text with these decoders;
- a filter (the workload's last: ``%file`` for find, ``%process,%file`` for the build):
  ``strace -f --seccomp-bpf -e F``, ``traced launch -e F``, the bare loop with traced's
  own compiled filter (traced.filter.bpf) installed in the child.

Every tracer writes to ``-o /dev/null`` (the bare loop writes nothing, ``--decode`` to
/dev/null): the comparison is of the stop path, not of output. Each time includes the
tracer's own start (Python's for traced and the loop). The report gives each ratio,
traced's distance to the floor (traced's time over the loop's), and the cost per stop by
kind: the wall time a tracer adds over the untraced run per stop, and, from one untimed
``--profile`` run of the loop per mode and state, the loop's own time per stop kind
(from the wait's return to the restart's) and its time waiting. If the floor itself
misses a target of issue 14, no Python tracer meets it: the report says which.

``--sessions 64,256`` measures the sessions floor instead (bench/floor_sessions.py): S
programs under bare loops, one per CPU, with and without delivery of every event to a
client, against S straces and S launches through one daemon.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import floor_sessions
import workloads
from busy import machine_state, state_order
from daemon_client import system_lines
from floor_report import FLOOR, FLOOR_DECODE, FLOOR_SPIN, Stats, report
from headline import STRACE, STRACE_BPF, TRACED, UNTRACED, Results
from measure import REPO, BenchError, note, report_head, time_run, venv_bin
from real_extra import rotated
from traced.filter.bpf import compile_filter
from traced.filter.expression import parse_trace
from traced.syscalls.arch import host_arch

TITLE = "The floor: a bare Python ptrace loop against strace and traced"
BARELOOP = REPO / "bench" / "bareloop.py"
DEFAULT = ("find", "make -j2")
RUN_TIMEOUT_S = 300.0
ProfileMap = dict[tuple[str, str, str | None], Stats]  # (workload, state, filter): stats


@dataclass(frozen=True)
class Variant:
    tool: str
    expr: str | None = None


def variants(expr: str) -> list[Variant]:
    loops = (FLOOR, FLOOR_SPIN, FLOOR_DECODE)
    full = [Variant(t) for t in (UNTRACED, STRACE, TRACED, *loops)]
    return full + [Variant(t, expr) for t in (STRACE_BPF, TRACED, *loops)]


class Runner:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.filters: dict[str, Path] = {}
        self.stats: dict[tuple[str, str | None], Stats] = {}  # the last, by run kind and filter

    def bpf(self, expr: str) -> Path:
        """traced's own compiler's program for ``expr``, in a file for the loop."""
        if expr not in self.filters:
            arch = host_arch()
            path = self.work / f"filter-{len(self.filters)}.bpf"
            path.write_bytes(compile_filter(arch, parse_trace([expr], arch) or ()))
            self.filters[expr] = path
        return self.filters[expr]

    def argv(self, v: Variant, w: workloads.Workload, profile: bool = False) -> list[str]:
        select = ["-e", v.expr] if v.expr else []
        if v.tool == UNTRACED:
            return list(w.argv)
        if v.tool in (STRACE, STRACE_BPF):
            bpf = ["--seccomp-bpf"] if v.tool == STRACE_BPF else []
            return ["strace", "-f", *bpf, "-o", "/dev/null", *select, *w.argv]
        if v.tool == TRACED:
            return [
                venv_bin("traced"),
                "launch",
                "-f",
                "--no-daemon",
                "-o",
                "/dev/null",
                *select,
                "--",
                *w.argv,
            ]
        loop = [sys.executable, str(BARELOOP), "--stats", str(self.work / "stats.json")]
        loop += ["--filter", str(self.bpf(v.expr))] if v.expr else []
        loop += ["--spin"] if v.tool == FLOOR_SPIN else []
        loop += ["--decode", "/dev/null"] if v.tool == FLOOR_DECODE else []
        loop += ["--profile"] if profile else []
        return [*loop, "--", *w.argv]

    def run(self, v: Variant, w: workloads.Workload, profile: bool = False) -> float:
        w.ready()
        seconds = time_run(self.argv(v, w, profile), self.work / "run.log", RUN_TIMEOUT_S, w.cwd)
        if v.tool in (FLOOR, FLOOR_SPIN, FLOOR_DECODE):
            stats = json.loads((self.work / "stats.json").read_text())
            if not sum(stats["stops"].values()):
                raise BenchError(f"{w.name}: the bare loop saw no stop")
            key = (f"{w.name}|{'profile' if profile else v.tool}", v.expr)
            self.stats[key] = stats
        return seconds


def measure(
    w: workloads.Workload, runner: Runner, rounds: int, results: Results, profiles: ProfileMap
) -> None:
    expr = w.filters[-1]
    results.described[w.name] = f"`{shlex.join(w.argv)}`, filter `-e {expr}`"
    runner.run(Variant(UNTRACED), w)  # warm the caches
    for r in range(rounds):
        for state in state_order(r):
            with machine_state(state):
                for v in rotated(variants(expr), r):
                    seconds = runner.run(v, w)
                    results.add(w.name, v.tool, v.expr, state, seconds)
                if r == 0:  # one profiled run of each loop mode, untimed
                    for e in (None, expr):
                        runner.run(Variant(FLOOR, e), w, profile=True)
                        profiles[(w.name, state, e)] = runner.stats[(f"{w.name}|profile", e)]
            note(f"{w.name} round {r + 1}/{rounds} {state} done")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds, a smaller build")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--only", nargs="+", default=list(DEFAULT), choices=workloads.NAMES)
    parser.add_argument("--sessions", help="S values (64,256): the sessions floor instead")
    parser.add_argument("--syscalls", type=int, default=2000, help="K a program (--sessions)")
    parser.add_argument("--spin", action="store_true", help="and the floors with a spin")
    parser.add_argument("--msgspec-client", action="store_true", help="and a msgspec client")
    parser.add_argument("--no-daemon", action="store_true", help="--sessions without traced")
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 5)
    if args.sessions:
        sizes = [int(x) for x in args.sessions.split(",")]
        flags = {"spin": args.spin, "msgspec-client": args.msgspec_client}
        flags["no-daemon"] = args.no_daemon
        options = [name for name, on in flags.items() if on]
        return floor_sessions.run(argv, sizes, rounds, args.syscalls, options)
    results, profiles = Results(quick=args.quick, rounds=rounds), ProfileMap()
    work = workloads.workdir()
    try:
        runner = Runner(work)
        for w in workloads.prepare(args.only, work, args.quick):
            measure(w, runner, rounds, results, profiles)
    except BenchError as error:
        print(f"bench: error: {error}\nbench: files kept in {work}", file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    head = report_head(TITLE, __file__, argv, system_lines())
    intro = (
        f"{rounds} rounds, every variant once a round on a quiet and on a busy machine (a "
        "one-core shell loop), medians; every tracer to `-o /dev/null`."
    )
    print("\n".join([*head, intro, "", *report(results, profiles)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
