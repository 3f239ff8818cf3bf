"""real.py's timings, and the table and bar chart that open bench/RESULTS.md.

Pure: no process is run here.  real.py adds each run's wall time as a :class:`Sample`
and saves :class:`Results` as JSON; suite.py loads it back and writes the table and
bench/results.svg (rendered here, by hand: no plotting dependency).  Every ratio is of
medians over rounds, traced's over its reference's, in the same machine state:

- every syscall (text, ``--json``, through the daemon): against ``strace -f -o FILE``,
  target ≤ 1.5;
- with a filter: against ``strace -f --seccomp-bpf`` with it (the same stops), target
  ≤ 1.2; plain ``strace -f`` with the same filter in brackets;
- S sessions through one daemon: against S concurrent straces, the faster of ``strace
  -f`` and ``strace -f --seccomp-bpf`` (as bench/sessions.py), target ≤ 1.3;
- ``traced launch -- true``: its own median, target ≤ 50 ms (strace's in brackets).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

UNTRACED = "untraced"
STRACE = "strace -f"
STRACE_BPF = "strace -f --seccomp-bpf"
TRACED = "traced"
TRACED_JSON = "traced --json"
DAEMON = "traced --daemon"
QUIET, BUSY = "quiet", "busy"
TIMES = "\u00d7"  # the multiplication sign, spelt so (ruff takes the glyph for an x)

FULL_TARGET = 1.5
FILTER_TARGET = 1.2
SESSIONS_TARGET = 1.3
STARTUP_TARGET_S = 0.050
STARTUP = "startup"
SESSIONS = " sessions"  # "64 sessions", "256 sessions"


@dataclass(frozen=True)
class Sample:
    workload: str
    tool: str
    expr: str | None
    state: str
    seconds: float


@dataclass
class Results:
    quick: bool = False
    rounds: int = 0
    samples: list[Sample] = field(default_factory=list)
    described: dict[str, str] = field(default_factory=dict)  # workload: what it is
    syscalls: dict[str, int] = field(default_factory=dict)  # "workload|expr": strace's lines
    failed: dict[str, str] = field(default_factory=dict)  # workload: why

    def add(self, workload: str, tool: str, expr: str | None, state: str, seconds: float) -> None:
        self.samples.append(Sample(workload, tool, expr, state, seconds))

    def median(self, workload: str, tool: str, expr: str | None, state: str) -> float | None:
        found = [
            s.seconds
            for s in self.samples
            if (s.workload, s.tool, s.expr, s.state) == (workload, tool, expr, state)
        ]
        return statistics.median(found) if found else None

    def workloads(self) -> list[str]:
        return list(dict.fromkeys(s.workload for s in self.samples))

    def exprs(self, workload: str) -> list[str]:
        found = (s.expr for s in self.samples if s.workload == workload and s.tool == TRACED)
        return [e for e in dict.fromkeys(found) if e is not None]

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Results:
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw["samples"] = [Sample(**s) for s in raw["samples"]]
        return cls(**raw)


@dataclass(frozen=True)
class Row:
    workload: str
    mode: str
    against: str
    target: float
    quiet: float | None  # the ratio (seconds for start-up)
    busy: float | None
    quiet_alt: float | None = None  # the bracketed figure
    busy_alt: float | None = None
    lines: int | None = None
    unit: str = "x"

    def met(self, value: float | None) -> str:
        return "?" if value is None else "✓" if value <= self.target else "✗"


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return None if top is None or bottom is None or bottom <= 0 else top / bottom


def _both(
    results: Results, workload: str, top: tuple[str, str | None], bottom: tuple[str, str | None]
) -> tuple[float | None, float | None]:
    return tuple(  # type: ignore[return-value]
        _ratio(results.median(workload, *top, state), results.median(workload, *bottom, state))
        for state in (QUIET, BUSY)
    )


def workload_rows(results: Results, workload: str) -> list[Row]:
    lines = results.syscalls.get(f"{workload}|None")
    rows = []
    for tool, mode in (
        (TRACED, "every syscall, text"),
        (TRACED_JSON, "every syscall, --json"),
        (DAEMON, "daemon, 2 subscribers"),
    ):
        quiet, busy = _both(results, workload, (tool, None), (STRACE, None))
        rows.append(Row(workload, mode, STRACE, FULL_TARGET, quiet, busy, lines=lines))
    for expr in results.exprs(workload):
        quiet, busy = _both(results, workload, (TRACED, expr), (STRACE_BPF, expr))
        alt_q, alt_b = _both(results, workload, (TRACED, expr), (STRACE, expr))
        lines = results.syscalls.get(f"{workload}|{expr}")
        row = Row(
            workload,
            f"-e {expr}",
            f"{STRACE_BPF} (strace -f)",
            FILTER_TARGET,
            quiet,
            busy,
            alt_q,
            alt_b,
            lines,
        )
        rows.append(row)
    return rows


def sessions_row(results: Results, workload: str) -> Row:
    expr = next((s.expr for s in results.samples if s.workload == workload), None)
    ratios: dict[str, list[float | None]] = {}
    for state in (QUIET, BUSY):
        traced = results.median(workload, DAEMON, expr, state)
        plain = results.median(workload, STRACE, expr, state)
        bpf = results.median(workload, STRACE_BPF, expr, state)
        faster = min((t for t in (plain, bpf) if t is not None), default=None)
        ratios[state] = [_ratio(traced, faster), _ratio(traced, plain)]
    (q, qa), (b, ba) = ratios[QUIET], ratios[BUSY]
    return Row(
        workload, "daemon, S clients", "S straces (strace -f)", SESSIONS_TARGET, q, b, qa, ba
    )


def startup_row(results: Results) -> Row:
    medians = [results.median(STARTUP, t, None, s) for s in (QUIET, BUSY) for t in (TRACED, STRACE)]
    return Row(
        STARTUP,
        "launch -- true",
        "its own time (strace's)",
        STARTUP_TARGET_S,
        medians[0],
        medians[2],
        medians[1],
        medians[3],
        unit="s",
    )


def rows(results: Results) -> list[Row]:
    made: list[Row] = []
    for workload in results.workloads():
        if workload == STARTUP:
            made.append(startup_row(results))
        elif workload.endswith(SESSIONS):
            made.append(sessions_row(results, workload))
        else:
            made += workload_rows(results, workload)
    return made


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if unit == "s" else f"{value:.2f}{TIMES}"


def _cell(row: Row, value: float | None, alt: float | None) -> str:
    main = f"**{_figure(value, row.unit)}**"
    return main if alt is None else f"{main} ({_figure(alt, row.unit)})"


def table(results: Results) -> str:
    """The Markdown table: a row per workload and mode, quiet and busy."""
    head = "| workload | mode | syscalls | against | quiet | busy | target | met (quiet, busy) |"
    out = [head, "|---|---|---|---|---|---|---|---|"]
    for row in rows(results):
        target = f"≤ {_figure(row.target, row.unit)}"
        lines = f"{row.lines:,}" if row.lines else ""
        cells = [
            f"`{row.workload}`",
            row.mode,
            lines,
            row.against,
            _cell(row, row.quiet, row.quiet_alt),
            _cell(row, row.busy, row.busy_alt),
            target,
            f"{row.met(row.quiet)} {row.met(row.busy)}",
        ]
        out.append("| " + " | ".join(cells) + " |")
    out += [
        f"| `{name}` | **failed** | | | {why[:200]} | | | ✗ |"
        for name, why in results.failed.items()
    ]
    return "\n".join(out)
