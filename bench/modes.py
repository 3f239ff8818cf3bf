"""The ways real.py runs a workload, each run timed and its trace checked.

A :class:`Mode` is a tool and a filter (None: every syscall):

- ``untraced``: the workload alone;
- ``strace -f -o FILE``; with a filter, ``strace -f --seccomp-bpf -e F -o FILE`` (the
  same stops as traced's) and ``strace -f -e F -o FILE`` (stops at every syscall, prints
  F's);
- ``traced launch -f --no-daemon -o FILE`` (text) and ``... --json -o FILE``, with or without
  ``-e F``;
- ``traced launch -f --daemon -o FILE`` on the benchmark's own daemon (a private socket),
  which two subscribers watch (bench/subscribers.py): every event is formatted three
  times, in two processes besides the daemon.

Every run must exit 0 (measure.time_run), and after each round every traced run's trace
(and each subscriber's share of it) must hold as many syscall lines as strace's run of
the same filter in the same round and state, within :data:`TOLERANCE` (task timing moves
a few calls: futex, wait4, an extra brk): a tracer that lost its way is not timed as a
fast one.  traced's text counts lines as strace's do (``<... resumed>`` lines do not
count, their ``<unfinished ...>`` halves do); its JSON counts ``"type":"syscall"`` lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from headline import DAEMON, STRACE, STRACE_BPF, TRACED, TRACED_JSON, UNTRACED
from measure import BenchError, syscall_counts, time_run, venv_bin
from subscribers import Subscribers, json_line
from workloads import Workload

TRACED_TOOLS = (TRACED, TRACED_JSON, DAEMON)
TOLERANCE = 0.03  # of strace's syscall lines
SLACK = 20  # lines, for the short workloads
RUN_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Mode:
    tool: str
    expr: str | None = None

    @property
    def key(self) -> str:
        return self.tool if self.expr is None else f"{self.tool} -e {self.expr}"

    @property
    def reference(self) -> Mode:
        """The strace run whose syscall lines this one's are checked against."""
        return Mode(STRACE if self.expr is None else STRACE_BPF, self.expr)


def modes_for(workload: Workload) -> list[Mode]:
    made = [Mode(UNTRACED), Mode(STRACE), Mode(TRACED), Mode(TRACED_JSON), Mode(DAEMON)]
    for expr in workload.filters:
        made += [Mode(STRACE_BPF, expr), Mode(STRACE, expr), Mode(TRACED, expr)]
    return made


def close(count: int, reference: int) -> bool:
    return abs(count - reference) <= max(reference * TOLERANCE, SLACK)


def argv_for(mode: Mode, workload: Workload, trace: Path, sock: Path | None) -> list[str]:
    command = list(workload.argv)
    if mode.tool == UNTRACED:
        return command
    select = ["-e", mode.expr] if mode.expr else []
    if mode.tool in (STRACE, STRACE_BPF):
        bpf = ["--seccomp-bpf"] if mode.tool == STRACE_BPF else []
        return ["strace", "-f", *bpf, "-o", str(trace), *select, *command]
    traced = venv_bin("traced")
    if mode.tool == DAEMON:
        if sock is None:
            raise BenchError("the daemon mode needs a daemon")
        return [
            traced,
            "--socket",
            str(sock),
            "launch",
            "-f",
            "--daemon",
            "-o",
            str(trace),
            "--",
            *command,
        ]
    json = ["--json"] if mode.tool == TRACED_JSON else []
    return [traced, "launch", "-f", "--no-daemon", *json, "-o", str(trace), *select, "--", *command]


def count_lines(mode: Mode, trace: Path) -> int:
    """The syscall lines of a run's trace file."""
    if not trace.exists() or trace.stat().st_size == 0:
        raise BenchError(f"{mode.key}: empty or missing trace {trace}")
    if mode.tool == TRACED_JSON:
        with trace.open("rb") as lines:
            return sum(1 for line in lines if json_line(line))
    return syscall_counts(trace).total()


@dataclass
class Run:
    seconds: float
    lines: int = 0  # syscall lines in its trace (0 untraced)
    subscribers: tuple[int, ...] = ()  # the daemon mode: lines each subscriber added


@dataclass
class Runner:
    """Runs modes of one workload into ``folder``; the daemon's, if any, on ``sock``."""

    folder: Path
    sock: Path | None = None
    subscribers: Subscribers | None = None

    def run(self, mode: Mode, workload: Workload) -> Run:
        slug = re.sub(r"[^a-z0-9]+", "-", f"{workload.name} {mode.key}".lower()).strip("-")
        trace, log = self.folder / f"{slug}.trace", self.folder / f"{slug}.log"
        trace.unlink(missing_ok=True)
        workload.ready()
        since = self.subscribers.mark() if mode.tool == DAEMON and self.subscribers else ()
        seconds = time_run(
            argv_for(mode, workload, trace, self.sock), log, RUN_TIMEOUT_S, workload.cwd
        )
        if mode.tool == UNTRACED:
            return Run(seconds)
        run = Run(seconds, count_lines(mode, trace))
        if since and self.subscribers is not None:  # they should read what the launch did
            run.subscribers = self.subscribers.settle(since, run.lines, close)
        trace.unlink()
        return run


def check_round(runs: dict[Mode, Run], workload: Workload) -> list[str]:
    """Every traced run of one round and state against its strace: what is wrong."""
    wrong = []
    for mode, run in runs.items():
        if mode.tool not in TRACED_TOOLS:
            continue
        reference = runs.get(mode.reference)
        if reference is None:
            continue
        counts = {"trace": run.lines}
        counts.update(zip(("text subscriber", "JSON subscriber"), run.subscribers, strict=False))
        for what, count in counts.items():
            if not close(count, reference.lines):
                wrong.append(
                    f"{workload.name}, {mode.key}: {what} has {count} syscall lines, "
                    f"{mode.reference.key} {reference.lines}"
                )
    return wrong
