"""A/B: the same traced workload under two revisions of traced, alternating.

    .venv/bin/python bench/ab.py BASE [--rounds N] [--sessions S | --loop N]

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
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from measure import REPO, BenchError, compile_loop, compile_program, note, time_run
from sessions import PROGRAM, starter

K = 2_000  # getppid per program, as in sessions.py
RUN_TIMEOUT_S = 300.0


def workload(args: argparse.Namespace, workdir: Path) -> tuple[str, list[str]]:
    """(what it is, the traced command line after ``traced launch``)."""
    out = ["--no-daemon", "-f", "-o", "/dev/null"]
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
    return ["env", f"PYTHONPATH={source}", sys.executable, "-m", "traced", "launch", *launch]


def measure(
    sources: dict[str, Path], launch: list[str], rounds: int, logs: Path
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in sources}
    for number in range(1, rounds + 1):
        for name, source in sources.items():
            seconds = time_run(under(source, launch), logs / f"{name}.log", RUN_TIMEOUT_S)
            times[name].append(seconds)
            note(f"round {number}/{rounds} {name}: {seconds:.3f} s")
    return times


def report(base: str, what: str, times: dict[str, list[float]], argv: Sequence[str]) -> str:
    medians = {name: statistics.median(values) for name, values in times.items()}
    rows = [
        f"`.venv/bin/python bench/ab.py {' '.join(argv)}`: {what}, {len(times['base'])} rounds",
        "",
        "| revision | median s | all s |",
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
            times = measure({"base": checkout, "new": REPO}, launch, args.rounds, workdir)
        except BenchError as error:
            print(f"bench: error: {error}", file=sys.stderr)
            return 1
        finally:
            subprocess.run(
                [*git, "remove", "--force", str(checkout)], check=False, capture_output=True
            )
    print(report(args.base, what, times, sys.argv[1:] if argv is None else argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
