"""The corpus figures of issue 4, traced against strace and strace against itself.

    .venv/bin/python scripts/corpus_report.py [--diff N] [--only NAME ...] [--no-self]

Runs every program of ``tests/integration/corpus.py`` under ``strace -f`` and
``traced launch`` (and under strace twice: the ceiling, which shows that the
normalization masks exactly what differs between runs), and prints per program
and for the whole corpus the identical/total lines of each class.  ``--diff N``
also prints the first N differing line pairs of each program.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run by path, so the repository is not on sys.path

from tests.integration.corpus import (  # noqa: E402  (corpus lives beside the tests that use it)
    CORPUS_CLASSES,
    Program,
    Result,
    corpus,
    format_differences,
    run_program,
)


def build_tcp_echo(folder: Path) -> Path:
    source = REPO / "tests" / "programs" / "tcp_echo.c"
    executable = folder / "tcp_echo"
    command = ["gcc", "-O1", "-pthread", "-Wall", "-o", str(executable), str(source)]
    subprocess.run(command, check=True)
    return executable


def measure(program: Program, folder: Path, *, second_strace: bool) -> Result:
    cwd = folder / ("self" if second_strace else "work") / program.name
    cwd.mkdir(parents=True, exist_ok=True)
    return run_program(program, cwd, second_strace=second_strace)


def summary_row(name: str, result: Result) -> str:
    cells = []
    for cls in CORPUS_CLASSES:
        same, total = result.identical[cls], result.total[cls]
        cells.append(f"{same:>5}/{total:<5} {100 * result.ratio(cls):5.1f}%")
    return f"{name:<12} " + " ".join(cells)


def header() -> str:
    return f"{'program':<12} " + " ".join(f"{cls:<18}" for cls in CORPUS_CLASSES)


def report(programs: list[Program], folder: Path, *, selfcheck: bool, diff: int) -> None:
    totals = {False: Result(), True: Result()}
    rows: dict[bool, list[str]] = {False: [], True: []}
    for program in programs:
        for second_strace in (False, True) if selfcheck else (False,):
            result = measure(program, folder, second_strace=second_strace)
            totals[second_strace].add(result)
            rows[second_strace].append(summary_row(program.name, result))
            if diff and result.differences:
                kind = "strace vs strace" if second_strace else "strace vs traced"
                print(f"--- {program.name} ({kind}) ---")
                print(format_differences(result.differences, diff))
    for second_strace, title in ((False, "traced vs strace"), (True, "strace vs strace")):
        if rows[second_strace]:
            print(f"\n== {title} ==\n{header()}")
            print("\n".join(rows[second_strace]))
            print(summary_row("ALL", totals[second_strace]))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diff", type=int, default=0, help="differing pairs shown per program")
    parser.add_argument("--only", nargs="*", default=[], help="program names to run")
    parser.add_argument("--no-self", action="store_true", help="skip strace vs strace")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="corpus-report-") as name:
        folder = Path(name)
        programs = corpus(build_tcp_echo(folder))
        if args.only:
            programs = [p for p in programs if p.name in args.only]
        report(programs, folder, selfcheck=not args.no_self, diff=args.diff)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
