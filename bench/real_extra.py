"""The two rows of real.py's table that are no single program under a tracer.

- **Many sessions**: bench/sessions.py's workload, reused as it is (its ``one`` runs a
  variant): S copies of tests/programs/exact_calls.c, K ``getppid`` each, started at
  once, each under its own ``strace -f`` (and ``strace -f --seccomp-bpf``) against S
  launches through one daemon on S connections, every event read and every stream
  checked by sessions.py itself.  Here in the same quiet and busy rounds as the rest.
- **Start-up**: ``traced launch -f --no-daemon -o /dev/null -- true`` against ``strace -f
  -o /dev/null true`` and ``true``, a few runs a round.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import sessions
from busy import machine_state, state_order
from daemon_client import Daemon
from headline import DAEMON, STARTUP, STRACE, STRACE_BPF, TRACED, UNTRACED, Results
from measure import compile_program, note, time_run, venv_bin

STARTUP_RUNS = 3  # a round, each state
SESSION_VARIANTS = {
    sessions.STRACE: STRACE,
    sessions.STRACE_BPF: STRACE_BPF,
    sessions.TRACED_N: DAEMON,
}


T = TypeVar("T")


def rotated(items: Sequence[T], by: int) -> list[T]:
    """``items`` from the ``by``-th on, then the rest: each round starts elsewhere."""
    shift = by % len(items)
    return [*items[shift:], *items[:shift]]


def measure_sessions(
    daemon: Daemon, work: Path, sizes: Sequence[int], k: int, *, rounds: int, results: Results
) -> None:
    """S sessions through ``daemon`` (whose limits must allow them) against S straces."""
    program = compile_program(sessions.PROGRAM, work / "exact_calls")
    expr = f"trace={sessions.TRACE}"
    for s in sizes:
        name = f"{s} sessions"
        results.described[name] = f"{s} programs at once, {k:,} getppid each, `-e {expr}`"
        note(f"{name}: warm-up")
        sessions.one(sessions.TRACED_N, [daemon], program, k // 10 or 1, s)
        for r in range(rounds):
            for state in state_order(r):
                with machine_state(state):
                    for variant in rotated(list(SESSION_VARIANTS), r):
                        run = sessions.one(variant, [daemon], program, k, s)
                        results.add(name, SESSION_VARIANTS[variant], expr, state, run.wall_s)
                        note(f"{name} round {r + 1}/{rounds} {state} {variant}: {run.wall_s:.2f} s")


def startup_argvs() -> dict[str, list[str]]:
    quiet = ["-o", "/dev/null"]
    return {
        UNTRACED: ["true"],
        STRACE: ["strace", "-f", *quiet, "true"],
        TRACED: [venv_bin("traced"), "launch", "-f", "--no-daemon", *quiet, "--", "true"],
    }


def measure_startup(work: Path, rounds: int, results: Results) -> None:
    results.described[STARTUP] = "`traced launch --no-daemon -o /dev/null -- true`"
    log = work / "startup.log"
    for r in range(rounds):
        for state in state_order(r):
            with machine_state(state):
                for tool in rotated(list(startup_argvs()), r):
                    for _ in range(STARTUP_RUNS):
                        seconds = time_run(startup_argvs()[tool], log, 60.0)
                        results.add(STARTUP, tool, None, state, seconds)
        note(f"startup round {r + 1}/{rounds} done")
