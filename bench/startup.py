"""Start-up: how long ``traced launch -- true`` takes, against strace and the interpreter.

    .venv/bin/python bench/startup.py [--quick] [--rounds N] [--traced DIR]

Times, alternating in every round, medians over the rounds:

- ``traced launch --no-daemon -o /dev/null -- true`` and ``traced launch -- true`` with
  no daemon listening (in-process both; the second also asks for a daemon first and
  writes the trace to stderr), ``traced launch --daemon -o /dev/null -- true`` through a
  running daemon, ``traced --help``;
- ``strace -f -o /dev/null true`` and ``true`` untraced;
- the floors: ``python -c pass``, ``python -S -c pass``, and ``python -c "import asyncio,
  uvloop, msgspec"`` (what traced's dependencies cost before any code of its own runs);
- when the command's first syscall comes: the ``-ttt`` stamp of the trace's first line
  (execve's entry), less the time the tracer was started, for traced and for strace.

Then the import profile of one in-process launch (``python -X importtime``, the
median of a few runs): the self time of each group of modules, and the costliest.

traced runs from a non-editable install, as the README's main command makes it
(``pip install .``): a venv in bench/out/startup-venv, refreshed with this tree at
each run (``--traced DIR``: a venv of your own).  The editable .venv is timed too, as
one more row: its ``.pth`` imports a finder (importlib.util, pathlib) at every start.
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
from measure import REPO, BenchError, note, report_head

TITLE = "Start-up: `traced launch -- true` against strace and the interpreter"
TARGET_MS = 50.0
VENV = REPO / "bench" / "out" / "startup-venv"
STAMP = re.compile(r"(?:^\d+\s+)?(\d+)\.(\d{6}) ")  # -ttt's seconds.micros, after -f's pid
DEPENDENCIES = "import asyncio, uvloop, msgspec"
GROUPS = ("traced", "asyncio", "uvloop", "msgspec", "pydantic", "structlog")


def install(venv: Path) -> None:
    """A venv holding this tree as ``pip install .`` installs it (compiled, no .pth)."""
    if not (venv / "bin" / "python").exists():
        note(f"creating {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(REPO)], check=True)
    note(f"installing this tree into {venv}")
    pip = [str(venv / "bin" / "pip"), "install", "-q", "--no-deps", "--force-reinstall"]
    subprocess.run([*pip, str(REPO)], check=True, capture_output=True)


def variants(venv: Path, dev: Path, sock: Path | None) -> dict[str, list[str]]:
    traced, python = str(venv / "bin" / "traced"), str(venv / "bin" / "python")
    local = [traced, "launch", "--no-daemon", "-o", "/dev/null", "--", "true"]
    found: dict[str, list[str]] = {
        "traced launch --no-daemon -o /dev/null -- true": local,
        "traced launch -- true (no daemon)": [traced, "launch", "--", "true"],
    }
    if sock is not None:
        found["traced launch --daemon -o /dev/null -- true"] = [
            traced, "--socket", str(sock), "launch", "--daemon", "-o", "/dev/null", "--", "true"
        ]  # fmt: skip
    found |= {
        "traced --help": [traced, "--help"],
        "the same --no-daemon launch, editable .venv": [str(dev / "bin" / "traced"), *local[1:]],
        "strace -f -o /dev/null true": ["strace", "-f", "-o", "/dev/null", "true"],
        "true": ["true"],
        "python -c pass": [python, "-c", "pass"],
        "python -S -c pass": [python, "-S", "-c", "pass"],
        f'python -c "{DEPENDENCIES}"': [python, "-c", DEPENDENCIES],
    }
    return found


def first_call_variants(venv: Path, trace: Path) -> dict[str, list[str]]:
    traced = str(venv / "bin" / "traced")
    return {
        "traced": [traced, "launch", "--no-daemon", "-ttt", "-o", str(trace), "--", "true"],
        "strace": ["strace", "-f", "-ttt", "-o", str(trace), "true"],
    }


def timed(argv: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one run, which must exit 0."""
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise BenchError(f"{argv} exited {done.returncode}: {done.stderr[-500:]!r}")
    return elapsed


def to_first_call(argv: list[str], trace: Path, env: dict[str, str]) -> float:
    """Seconds from starting ``argv`` to the -ttt stamp on its trace's first line."""
    began = time.time_ns()
    timed(argv, env)
    match = STAMP.match(trace.read_text().splitlines()[0])
    if match is None:
        raise BenchError(f"no -ttt stamp on the first line of {trace}")
    stamp = int(match.group(1)) * 1_000_000_000 + int(match.group(2)) * 1000
    return (stamp - began) / 1e9


def rounds(commands: dict[str, list[str]], firsts: dict[str, list[str]], trace: Path, n: int):
    env = dict(os.environ, TRACED_SOCKET=str(trace.parent / "nobody.sock"))
    walls: dict[str, list[float]] = defaultdict(list)
    first: dict[str, list[float]] = defaultdict(list)
    for argv in [*commands.values(), *firsts.values()]:  # warm: page cache, .pyc files
        timed(argv, env)
    for index in range(n):
        for name, argv in commands.items():
            walls[name].append(timed(argv, env))
        for name, argv in firsts.items():
            first[name].append(to_first_call(argv, trace, env))
        note(f"round {index + 1}/{n}")
    return walls, first


def import_profile(venv: Path, runs: int, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Module -> (median self µs, median cumulative µs) over ``runs`` importtime runs."""
    argv = [str(venv / "bin" / "python"), "-X", "importtime", "-m", "traced"]
    argv += ["launch", "--no-daemon", "-o", "/dev/null", "--", "true"]
    seen: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for _ in range(runs):
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
        for line in done.stderr.splitlines():
            parts = line.removeprefix("import time:").split("|")
            if len(parts) == 3 and parts[0].strip().isdigit():
                seen[parts[2].strip()].append((int(parts[0]), int(parts[1])))
    return {
        name: (statistics.median(s for s, _ in v), statistics.median(c for _, c in v))
        for name, v in seen.items()
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def wall_table(walls: dict[str, list[float]]) -> list[str]:
    strace = statistics.median(walls["strace -f -o /dev/null true"])
    rows = ["| command | median | min | x strace |", "|---|---:|---:|---:|"]
    for name, values in walls.items():
        median = statistics.median(values)
        rows.append(f"| `{name}` | {ms(median)} | {ms(min(values))} | {median / strace:.1f}x |")
    return rows


def import_lines(profile: dict[str, tuple[float, float]]) -> list[str]:
    groups: dict[str, float] = defaultdict(float)
    for name, (self_us, _) in profile.items():
        top = name.split(".")[0]
        groups[top if top in GROUPS else "the standard library and the rest"] += self_us
    total = sum(groups.values())
    lines = [
        f"Import time of one in-process launch, median self times: {total / 1000:.1f} ms in all"
        " (importtime's own overhead included):",
        "",
        *(f"- {group}: {us / 1000:.1f} ms" for group, us in sorted(groups.items(), key=_second)),
        "",
        "| module | self | cumulative |",
        "|---|---:|---:|",
    ]
    costliest = sorted(profile.items(), key=lambda item: -item[1][0])[:15]
    lines += [f"| {name} | {s / 1000:.2f} ms | {c / 1000:.2f} ms |" for name, (s, c) in costliest]
    return lines


def _second(item: tuple[str, float]) -> float:
    return -item[1]


def target_lines(walls: dict[str, list[float]]) -> list[str]:
    lines = []
    for name in (
        "traced launch -- true (no daemon)",
        "traced launch --no-daemon -o /dev/null -- true",
    ):
        median = statistics.median(walls[name]) * 1000
        mark = "✓" if median <= TARGET_MS else "✗"
        lines.append(f"- `{name}` ≤ {TARGET_MS:.0f} ms: {median:.1f} ms {mark}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10 rounds instead of 20")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--traced", type=Path, help="a venv with traced installed (no refresh)")
    args = parser.parse_args(argv)
    n = args.rounds or (10 if args.quick else 20)
    venv = args.traced or VENV
    if args.traced is None:
        install(venv)
    with tempfile.TemporaryDirectory(prefix="traced-startup-") as tmp:
        work = Path(tmp)
        trace = work / "trace"
        with running_daemon(work) as daemon:
            commands = variants(venv, REPO / ".venv", daemon.socket)
            walls, first = rounds(commands, first_call_variants(venv, trace), trace, n)
        env = dict(os.environ, TRACED_SOCKET=str(work / "nobody.sock"))
        profile = import_profile(venv, 3 if args.quick else 5, env)
    extra = [f"- traced from: {venv} (non-editable); rounds: {n}, every command in each"]
    print("\n".join(report_head(TITLE, __file__, argv, extra)))
    print("\n".join([*target_lines(walls), "", *wall_table(walls), ""]))
    print("When the command's first syscall (execve) comes, from the tracer's start:", "")
    for name, values in first.items():
        print(f"- {name}: {ms(statistics.median(values))} (min {ms(min(values))})")
    print("\n" + "\n".join(import_lines(profile)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
