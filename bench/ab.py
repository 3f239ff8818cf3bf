"""A/B: the same traced workload under two revisions of traced, alternating.

    .venv/bin/python bench/ab.py BASE [--rounds N] [--cpu]
                                 [--sessions S | --loop N | --build EXPR | --execs N]

The changes of the stop path are judged with this (bench/README.md, "Changes tried").
BASE (any git revision) is checked out in a temporary worktree; each round runs the
workload once under BASE and once under the working tree, in turns, and the report
gives both medians and their ratio.  Both run with this interpreter and its
installed dependencies, the revision chosen by PYTHONPATH (which comes before the
editable install's finder), in-process (``--no-daemon``), output to /dev/null:

- ``--sessions S`` (the default, 64): one ``sh`` starts S copies of
  tests/programs/exact_calls.c (2,000 getppid each) under ``traced launch -f -e
  trace=getppid``: the many-tracee path of bench/sessions.py, without the daemon.
- ``--loop N``: tests/programs/loop.c with every syscall traced: one tracee, whose
  every stop the reactor handles alone.
- ``--build EXPR``: a real program, bench/build.py's project, ``make -j2`` (after an
  untimed ``make clean``) traced ``-f -e EXPR``: the ~460 processes of a build, their
  fork, exec and exit stops, and the calls EXPR stops.
- ``--execs N``: ``sh`` running ``/bin/true`` N times, ``-e trace=none``: the stops of
  a process's life and nothing else (a fork, an exec, a SIGCHLD, a death each).

``--cpu`` measures the tracer's own CPU time instead of the wall time: ``perf stat -i
-e task-clock``, which counts the tracer process and not the tracees it starts.  On two
cores kept busy by a build, the tracer's CPU is what it takes from the build; its wall
time, which the build's own time swamps, tells little.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from build import DEFAULT_FILES, make_clean, prepare
from measure import REPO, BenchError, compile_loop, compile_program, note, time_run
from sessions import PROGRAM, starter

K = 2_000  # getppid per program, as in sessions.py
RUN_TIMEOUT_S = 300.0


def workload(args: argparse.Namespace, workdir: Path) -> tuple[str, list[str]]:
    """(what it is, the traced command line after ``traced launch``)."""
    out = ["--no-daemon", "-f", "-o", "/dev/null"]
    if args.build:
        project = prepare(workdir, DEFAULT_FILES)
        return f"`make -j2` of build.py's project, `-e {args.build}`", [
            *out,
            "-e",
            args.build,
            "--",
            "make",
            "-C",
            str(project),
            "-j2",
        ]
    if args.execs:
        loop = f"i=0; while [ $i -lt {args.execs} ]; do /bin/true; i=$((i+1)); done"
        return f"`sh` running `/bin/true` {args.execs:,} times", [
            *out,
            "-e",
            "trace=none",
            "--",
            "sh",
            "-c",
            loop,
        ]
    if args.loop:
        loop = compile_loop(workdir)
        return f"one tracee, loop.c N = {args.loop:,}, every syscall", [
            *out,
            "--",
            str(loop),
            str(args.loop),
        ]
    program = compile_program(PROGRAM, workdir / "exact_calls")
    shell = starter([str(program), str(K)], args.sessions)
    return f"S = {args.sessions} exact_calls ({K:,} getppid each)", [
        *out,
        "-e",
        "trace=getppid",
        "--",
        *shell,
    ]


def under(source: Path, launch: list[str]) -> list[str]:
    """The run from ``source``; its bytecode cached, so that no run but the first pays
    for compiling traced (where PYTHONDONTWRITEBYTECODE is set, every run would)."""
    env = ["env", "-u", "PYTHONDONTWRITEBYTECODE", f"PYTHONPATH={source}"]
    return [*env, sys.executable, "-m", "traced", "launch", *launch]


def one_run(argv: list[str], log: Path, cpu: bool) -> float:
    """Seconds of one run: its wall time, or with ``cpu`` the tracer's own CPU time."""
    if not cpu:
        return time_run(argv, log, RUN_TIMEOUT_S)
    counted = log.with_suffix(".perf")
    time_run(["perf", "stat", "-i", "-x,", "-e", "task-clock", "-o", str(counted), *argv],
             log, RUN_TIMEOUT_S)  # fmt: skip
    for line in counted.read_text().splitlines():
        if ",task-clock," in line:
            return float(line.split(",")[0]) / 1000  # perf gives ms
    raise BenchError(f"perf stat counted no task-clock: {counted}")


def measure(
    sources: dict[str, Path], launch: list[str], args: argparse.Namespace, logs: Path
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in sources}
    for source in sources.values():  # each revision's bytecode, compiled untimed
        time_run(under(source, ["--no-daemon", "-o", "/dev/null", "--", "true"]),
                 logs / "warm.log", RUN_TIMEOUT_S)  # fmt: skip
    for number in range(1, args.rounds + 1):
        for name, source in sources.items():
            if args.build:
                make_clean(Path(launch[-2]))
            seconds = one_run(under(source, launch), logs / f"{name}.log", args.cpu)
            times[name].append(seconds)
            note(f"round {number}/{args.rounds} {name}: {seconds:.3f} s")
    return times


def report(
    base: str, what: str, times: dict[str, list[float]], argv: Sequence[str], cpu: bool
) -> str:
    medians = {name: statistics.median(values) for name, values in times.items()}
    measured = "the tracer's CPU s" if cpu else "s"
    rows = [
        f"`.venv/bin/python bench/ab.py {' '.join(argv)}`: {what}, {len(times['base'])} rounds",
        "",
        f"| revision | median {measured} | all |",
        "|---|---|---|",
    ]
    for name, values in times.items():
        label = f"{name} ({base})" if name == "base" else "working tree"
        rows.append(f"| {label} | {medians[name]:.3f} | {', '.join(f'{v:.3f}' for v in values)} |")
    rows += ["", f"working tree / base = **{medians['new'] / medians['base']:.3f}x**"]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the git revision to compare the working tree with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=64)
    parser.add_argument("--loop", type=int, help="N: one tracee instead of S sessions")
    parser.add_argument("--build", metavar="EXPR", help="make -j2 traced with -e EXPR")
    parser.add_argument("--execs", type=int, help="N /bin/true under sh, -e trace=none")
    parser.add_argument("--cpu", action="store_true", help="the tracer's CPU, not wall time")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="traced-ab-") as tmp:
        workdir = Path(tmp)
        checkout = workdir / "base"
        git = ["git", "-C", str(REPO), "worktree"]
        subprocess.run(
            [*git, "add", "--detach", str(checkout), args.base], check=True, capture_output=True
        )
        try:
            what, launch = workload(args, workdir)
            times = measure({"base": checkout, "new": REPO}, launch, args, workdir)
        except BenchError as error:
            print(f"bench: error: {error}", file=sys.stderr)
            return 1
        finally:
            subprocess.run(
                [*git, "remove", "--force", str(checkout)], check=False, capture_output=True
            )
    print(report(args.base, what, times, sys.argv[1:] if argv is None else argv, args.cpu))
    return 0


if __name__ == "__main__":
    sys.exit(main())
