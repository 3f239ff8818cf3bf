"""Where traced's time above the sessions floor goes: the daemon's CPU by process, and why.

    .venv/bin/python bench/profile_sessions.py [--sessions 64] [--syscalls 2000] [--runs 3]

bench/sessions.py's traced run (S launches through one daemon on S connections, every
event read), untimed against anything, to set beside bench/floor_sessions.py's floors:

- ``--runs`` plain runs: the wall time and the CPU seconds (user / sys) of the daemon's
  front, of each tracer worker and of the client (this process);
- one run under ``py-spy record --subprocesses`` (the front and its workers): the
  Python functions, by process, once with every sample and once without those whose
  innermost frame makes a syscall (bench/pyspy.py says why py-spy's shares lean to
  those: here the interpreter's own work is what the floor does not do);
- one run under ``perf record`` of the front and the workers: by process and DSO (the
  kernel's share against the interpreter's) and the top symbols.

Progress on stderr, a Markdown section on stdout.  Not part of suite.py.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import sessions
from daemon_client import cpu_split, raise_nofile, running_daemon, worker_pids
from measure import compile_program, note
from pyspy import PY_SPY, RATE

# Innermost frames that are a syscall (their self time is the kernel's, not Python's).
SYSCALLS = {"restart", "syscall_info", "take_stops", "peek", "take", "receive", "fork_child"}
SYSCALLS |= {"_send_queued", "sleep_until_pending", "send", "recv"}


def _frame(raw: str) -> str:
    """``restart (traced/linux/ptrace.py:109)`` -> ``ptrace.py:restart``."""
    name, _, where = raw.partition(" (")
    return f"{where.split(':')[0].rsplit('/', 1)[-1]}:{name}"


def spy_tables(raw: str, top: int = 12) -> list[str]:
    """py-spy's raw stacks: self shares by process (front, worker), all and Python-only."""
    own: dict[tuple[str, bool], Counter[str]] = {}
    counts: Counter[tuple[str, bool]] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        procs = [f for f in frames if f.startswith("process ")]
        who = "worker" if procs and "worker_main" in procs[-1] else "front"
        names = [_frame(f) for f in frames if not f.startswith("process ")]
        if not names:
            continue
        in_python = names[-1].rsplit(":", 1)[-1] not in SYSCALLS
        for key in ((who, False), (who, True)) if in_python else ((who, False),):
            own.setdefault(key, Counter())[names[-1]] += int(count)
            counts[key] += int(count)
    out = []
    for (who, python_only), found in sorted(own.items()):
        n = counts[(who, python_only)]
        kind = "samples in Python only (no syscall innermost)" if python_only else "samples"
        out += [f"py-spy, {who} processes: {n:,} {kind}", "", "| function | self |", "|---|---|"]
        out += [f"| `{name}` | {c / n:.1%} |" for name, c in found.most_common(top)]
        out.append("")
    return out


def perf_tables(data: Path, pids: dict[int, str], top: int = 14) -> list[str]:
    out = []
    for sort in ("pid,dso", "pid,sym"):
        command = ["perf", "report", "-i", str(data), "--stdio", "--no-children", "--sort", sort]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        rows = [r.split() for r in done.stdout.splitlines() if r.strip() and r[0] != "#"]
        out += [f"perf, by {sort} (share of all samples):", "", "| share | process | where |"]
        out.append("|---|---|---|")
        for row in rows[:top]:
            pid = int(row[1].split(":")[0]) if row[1].split(":")[0].isdigit() else 0
            out.append(f"| {row[0]} | {pids.get(pid, row[1])} | `{' '.join(row[2:])}` |")
        out.append("")
    return out


def sampled(command: list[str], work: Callable[[], object]) -> str:
    """Run ``work`` under a sampler that writes when interrupted; its stderr tail."""
    sampler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)  # attached before the work starts
    try:
        work()
    finally:
        sampler.send_signal(signal.SIGINT)
        _, err = sampler.communicate(timeout=120)
    return err.decode(errors="replace")[-200:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=64)
    parser.add_argument("--syscalls", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    s, k = args.sessions, args.syscalls
    raise_nofile()
    out = [f"### traced's daemon at S = {s}, K = {k:,}: CPU by process", ""]
    with tempfile.TemporaryDirectory(prefix="traced-profile-") as tmp:
        work = Path(tmp)
        program = compile_program(sessions.PROGRAM, work / "exact_calls")
        with running_daemon(work, sessions.daemon_config(s)) as daemon:

            def one() -> sessions.Run:
                return sessions.one(sessions.TRACED_N, [daemon], program, k, s)

            sessions.one(sessions.TRACED_N, [daemon], program, k // 10 or 1, s)  # workers up
            out += ["| run | wall s | front user / sys s | workers user / sys s | client s |"]
            out.append("|---|---|---|---|---|")
            for i in range(args.runs):
                pids = [daemon.pid, *worker_pids(daemon.pid)]
                before = [cpu_split(p) for p in pids]
                run = one()
                used = [
                    (u1 - u0, s1 - s0)
                    for (u0, s0), (u1, s1) in zip(before, map(cpu_split, pids), strict=True)
                ]
                workers = ", ".join(f"{u:.2f} / {y:.2f}" for u, y in used[1:])
                out.append(
                    f"| {i + 1} | {run.wall_s:.3f} | {used[0][0]:.2f} / {used[0][1]:.2f} "
                    f"| {workers} | {run.client_cpu_s:.2f} |"
                )
                note(f"run {i + 1}: {run.wall_s:.3f} s")
            out.append("")
            spy_out = work / "stacks.txt"
            spy = [str(PY_SPY), "record", "--nonblocking", "--subprocesses", "--format", "raw"]
            spy += ["--rate", str(RATE), "-o", str(spy_out), "-p", str(daemon.pid)]
            said = sampled(spy, one)
            out += spy_tables(spy_out.read_text()) if spy_out.exists() else [f"(py-spy: {said})"]
            names = {daemon.pid: "front"} | {p: "worker" for p in worker_pids(daemon.pid)}
            data = work / "perf.data"
            perf = ["perf", "record", "-F", "499", "-o", str(data)]
            perf += ["-p", ",".join(map(str, names))]
            said = sampled(perf, one)
            out += perf_tables(data, names) if data.exists() else [f"(perf: {said})"]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
