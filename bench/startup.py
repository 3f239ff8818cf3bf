"""Start-up: how long ``traced launch -- true`` takes, against strace and the interpreter.

    .venv/bin/python bench/startup.py [--quick] [--rounds N] [--traced VENV] [--against VENV]
                                      [--max-load L] [--max-wait S]

Times, alternating in every round, medians over the rounds (wall, and the CPU the
command and its children used, which a busy machine inflates less):

- ``traced launch -f --no-daemon -o /dev/null -- true`` and ``traced launch -- true`` with
  no daemon listening (in-process both; the second also asks for a daemon first and
  writes the trace to stderr), ``traced launch -f --daemon -o /dev/null -- true`` through a
  running daemon, ``traced --help``;
- ``strace -f -o /dev/null true`` and ``true`` untraced;
- the floors: ``python -c pass``, ``python -S -c pass``, ``python -c "import msgspec"``
  (what the in-process launch's one dependency costs before any code of traced runs:
  its events are msgspec Structs; it imports neither asyncio nor uvloop), and ``python
  -c "import asyncio, uvloop, msgspec"`` (the same for the daemon and its clients);
- when the command's first syscall comes: the ``-ttt`` stamp of the trace's first line
  (execve's entry), less the time the tracer was started, for traced and for strace.

Then the import profile of one in-process launch (``python -X importtime``, the
median of a few runs): the self time of each group of modules, and the costliest.

traced runs from a non-editable install, as the README's main command makes it
(``pip install .``): a venv in bench/out/startup-venv, refreshed with this tree at
each run (``--traced VENV``: a venv of your own, not refreshed).  The editable .venv
is timed too, as one more row: its ``.pth`` imports a finder (importlib.util,
pathlib) at every start.  ``--against VENV`` times another install's traced rows in
the same rounds (say ``pip install`` of an older commit), to compare two versions.
It waits (up to ``--max-wait`` s) for the 1-min load to fall to ``--max-load`` first.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from daemon_client import running_daemon
from measure import (
    REPO,
    BenchError,
    LoadLog,
    install,
    note,
    one_minute_load,
    report_head,
    wait_for_quiet,
)

TITLE = "Start-up: `traced launch -- true` against strace and the interpreter"
TARGET_MS = 50.0
VENV = REPO / "bench" / "out" / "startup-venv"
STAMP = re.compile(r"(?:\d+\s+)?(\d+)\.(\d{6}) ")  # -ttt's seconds.micros, after -f's pid
DEPENDENCIES = "import asyncio, uvloop, msgspec"
IN_PROCESS_DEPENDENCIES = "import msgspec"
GROUPS = ("traced", "asyncio", "uvloop", "msgspec", "pydantic", "structlog")
IN_PROCESS = "traced launch -- true (no daemon)"
LOCAL = "traced launch --no-daemon -o /dev/null -- true"
STRACE = "strace -f -o /dev/null true"
Runs = dict[str, list[tuple[float, float]]]  # command -> (wall s, CPU s) of each run


def traced_rows(venv: Path, sock: Path, label: str = "") -> dict[str, list[str]]:
    traced = str(venv / "bin" / "traced")
    daemon = [traced, "--socket", str(sock), "launch", "-f", "--daemon", "-o", "/dev/null"]
    return {
        LOCAL + label: [traced, "launch", "-f", "--no-daemon", "-o", "/dev/null", "--", "true"],
        IN_PROCESS + label: [traced, "launch", "-f", "--", "true"],
        "traced launch --daemon -o /dev/null -- true" + label: [*daemon, "--", "true"],
        "traced --help" + label: [traced, "--help"],
    }


def variants(venv: Path, against: Path | None, sock: Path) -> dict[str, list[str]]:
    python = str(venv / "bin" / "python")
    local = traced_rows(venv, sock)[LOCAL]
    found = traced_rows(venv, sock)
    if against is not None:
        found |= traced_rows(against, sock, f" ({against})")
    return found | {
        "the same --no-daemon launch, editable .venv": [str(REPO / ".venv/bin/traced"), *local[1:]],
        STRACE: ["strace", "-f", "-o", "/dev/null", "true"],
        "true": ["true"],
        "python -c pass": [python, "-c", "pass"],
        "python -S -c pass": [python, "-S", "-c", "pass"],
        f'python -c "{IN_PROCESS_DEPENDENCIES}"': [python, "-c", IN_PROCESS_DEPENDENCIES],
        f'python -c "{DEPENDENCIES}"': [python, "-c", DEPENDENCIES],
    }


def first_call_variants(venv: Path, trace: Path) -> dict[str, list[str]]:
    traced = str(venv / "bin" / "traced")
    return {
        "traced": [traced, "launch", "-f", "--no-daemon", "-ttt", "-o", str(trace), "--", "true"],
        "strace": ["strace", "-f", "-ttt", "-o", str(trace), "true"],
    }


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, its children's included) of one run,
    which must exit 0.  Its output goes to /dev/null."""
    with open(os.devnull, "r+b") as null:
        start = time.perf_counter()
        child = subprocess.Popen(argv, env=env, stdin=null, stdout=null, stderr=null)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if child.returncode != 0:
        raise BenchError(f"{argv} exited {child.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime


def to_first_call(argv: list[str], trace: Path, env: dict[str, str]) -> float:
    """Seconds from starting ``argv`` to the -ttt stamp on its trace's first line."""
    began = time.time_ns()
    timed(argv, env)
    match = STAMP.match(trace.read_text().splitlines()[0])
    if match is None:
        raise BenchError(f"no -ttt stamp on the first line of {trace}")
    stamp = int(match.group(1)) * 1_000_000_000 + int(match.group(2)) * 1000
    return (stamp - began) / 1e9


def rounds(
    commands: dict[str, list[str]], firsts: dict[str, list[str]], trace: Path, n: int
) -> tuple[Runs, dict[str, list[float]]]:
    env = dict(os.environ, TRACED_SOCKET=str(trace.parent / "nobody.sock"))
    runs: Runs = defaultdict(list)
    first: dict[str, list[float]] = defaultdict(list)
    for argv in [*commands.values(), *firsts.values()]:  # warm: page cache, .pyc files
        timed(argv, env)
    for index in range(n):
        for name, argv in commands.items():
            runs[name].append(timed(argv, env))
        for name, argv in firsts.items():
            first[name].append(to_first_call(argv, trace, env))
        note(f"round {index + 1}/{n}")
    return runs, first


Profile = dict[str, tuple[float, float]]  # module -> (median self µs, median cumulative µs)


def import_profiles(
    venvs: Sequence[Path], runs: int, env: dict[str, str], cwd: Path
) -> dict[Path, Profile]:
    """Each venv's import profile of an in-process launch, its ``runs`` importtime runs
    alternating with the other venvs'.  ``cwd`` holds no traced: ``-m`` puts it first
    on the path, and in the repository it would import this tree, not the venv's."""
    seen: dict[Path, dict[str, list[tuple[int, int]]]] = {v: defaultdict(list) for v in venvs}
    for _ in range(runs):
        for venv in venvs:
            argv = [str(venv / "bin" / "python"), "-X", "importtime", "-m", "traced"]
            argv += ["launch", "-f", "--no-daemon", "-o", "/dev/null", "--", "true"]
            done = subprocess.run(
                argv, env=env, cwd=cwd, capture_output=True, text=True, check=True
            )
            for line in done.stderr.splitlines():
                parts = line.removeprefix("import time:").split("|")
                if len(parts) == 3 and parts[0].strip().isdigit():
                    seen[venv][parts[2].strip()].append((int(parts[0]), int(parts[1])))
    return {
        venv: {
            name: (statistics.median(s for s, _ in v), statistics.median(c for _, c in v))
            for name, v in modules.items()
        }
        for venv, modules in seen.items()
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def median_of(runs: Runs, name: str, which: int = 0) -> float:
    return statistics.median(run[which] for run in runs[name])


def wall_table(runs: Runs) -> list[str]:
    strace = median_of(runs, STRACE)
    rows = ["| command | median | min | x strace | CPU |", "|---|---:|---:|---:|---:|"]
    for name, values in runs.items():
        median, least = median_of(runs, name), min(wall for wall, _ in values)
        cpu = median_of(runs, name, 1)
        rows.append(
            f"| `{name}` | {ms(median)} | {ms(least)} | {median / strace:.1f}x | {ms(cpu)} |"
        )
    return rows


def import_lines(profile: Profile, what: Path) -> list[str]:
    groups: dict[str, float] = defaultdict(float)
    for name, (self_us, _) in profile.items():
        top = name.split(".")[0]
        groups[top if top in GROUPS else "the standard library and the rest"] += self_us
    total = sum(groups.values())
    lines = [
        f"Import time of one in-process launch of {what}, median self times: {total / 1000:.1f}"
        " ms in all (importtime's own overhead included):",
        "",
        *(f"- {group}: {us / 1000:.1f} ms" for group, us in sorted(groups.items(), key=_second)),
        "",
        "| module | self | cumulative |",
        "|---|---:|---:|",
    ]
    costliest = sorted(profile.items(), key=lambda item: -item[1][0])[:15]
    lines += [f"| {name} | {s / 1000:.2f} ms | {c / 1000:.2f} ms |" for name, (s, c) in costliest]
    return [*lines, ""]


def _second(item: tuple[str, float]) -> float:
    return -item[1]


def target_lines(runs: Runs) -> list[str]:
    lines = []
    for name in (IN_PROCESS, LOCAL):
        median = median_of(runs, name) * 1000
        mark = "✓" if median <= TARGET_MS else "✗"
        lines.append(f"- `{name}` ≤ {TARGET_MS:.0f} ms: {median:.1f} ms {mark}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10 rounds instead of 20")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--traced", type=Path, help="a venv with traced installed (no refresh)")
    parser.add_argument("--against", type=Path, help="another venv to time in the same rounds")
    parser.add_argument("--max-load", type=float, default=1.0, help="wait for this 1-min load")
    parser.add_argument("--max-wait", type=float, default=120.0, help="but no longer (s)")
    args = parser.parse_args(argv)
    n = args.rounds or (10 if args.quick else 20)
    venv = (args.traced or VENV).absolute()
    against = args.against.absolute() if args.against is not None else None
    if args.traced is None:
        install(venv)
    load = LoadLog(threshold=args.max_load)
    wait_for_quiet(load, args.max_wait)
    with tempfile.TemporaryDirectory(prefix="traced-startup-") as tmp:
        work = Path(tmp)
        trace = work / "trace"
        with running_daemon(work) as daemon:
            commands = variants(venv, against, daemon.socket)
            runs, first = rounds(commands, first_call_variants(venv, trace), trace, n)
        env = dict(os.environ, TRACED_SOCKET=str(work / "nobody.sock"))
        venvs = [venv] if against is None else [venv, against]
        profiles = import_profiles(venvs, 5 if args.quick else 9, env, work)
    extra = [
        f"- traced from: {venv} (non-editable); rounds: {n}, every command in each",
        f"- 1-min load at start: {load.start:.2f} (waited {load.waited_s:.0f} s for"
        f" ≤ {args.max_load}), at the end: {one_minute_load():.2f}",
        f"- PYTHONDONTWRITEBYTECODE: {os.environ.get('PYTHONDONTWRITEBYTECODE') or 'unset'}"
        " (set, the editable .venv compiles traced's sources at every start: no .pyc is kept)",
    ]
    print("\n".join(report_head(TITLE, __file__, argv, extra)))
    print("\n".join([*target_lines(runs), "", *wall_table(runs), ""]))
    print("When the command's first syscall (execve) comes, from the tracer's start:\n")
    for name, values in first.items():
        print(f"- {name}: {ms(statistics.median(values))} (min {ms(min(values))})")
    print()
    for what, profile in profiles.items():
        print("\n".join(import_lines(profile, what)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
