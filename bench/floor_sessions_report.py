"""bench/floor_sessions.py's report: the floors against S straces and traced.  Pure.

From the medians (:class:`headline.Results`, one workload per S) and the CPU seconds of
each run (the daemon's front and workers and its client; the loops and their client).
The straces' reference is the faster of ``strace -f`` and ``strace -f --seccomp-bpf``,
as issue 14's target and bench/headline.py's sessions rows take it.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from floor_report import _div, _s, _x
from headline import DAEMON, SESSIONS_TARGET, STRACE, STRACE_BPF, TIMES, Results

FLOOR, FLOOR_SPIN = "bare loops", "bare loops --spin"
DELIVER, DELIVER_SPIN = "bare loops + delivery", "bare loops + delivery --spin"
DELIVER_MSGSPEC = "bare loops + delivery, msgspec client"  # what a cheaper parse gains
EXPR = "trace=getppid"


@dataclass(frozen=True)
class Cpu:
    """CPU seconds of a run: the tracer's (the daemon with its workers, or the loops),
    and its client's."""

    tracer: float
    client: float
    tracer_sys: float = 0.0  # of ``tracer``, in the kernel


CpuMap = Mapping[tuple[int, str, str], Sequence[Cpu]]  # (S, state, tool): each run's


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _head(cells: Sequence[str]) -> list[str]:
    return [_row(cells), "|" + "---|" * len(cells)]


class View:
    """The medians of one run of the benchmark, by S, state and tool."""

    def __init__(self, results: Results, cpu: CpuMap) -> None:
        self.results, self.cpu = results, cpu

    def t(self, s: int, tool: str, state: str) -> float | None:
        return self.results.median(f"{s} sessions", tool, EXPR, state)

    def strace(self, s: int, state: str) -> tuple[str, float | None]:
        """The faster strace kind and its median."""
        pairs = ((tool, self.t(s, tool, state)) for tool in (STRACE, STRACE_BPF))
        known = [(tool, m) for tool, m in pairs if m is not None]
        return min(known, key=lambda x: x[1]) if known else (STRACE, None)

    def best(self, s: int, state: str, tools: Sequence[str]) -> tuple[str, float | None]:
        known = [(t, m) for t in tools if (m := self.t(s, t, state)) is not None]
        return min(known, key=lambda x: x[1]) if known else (tools[0], None)

    def cpu_of(self, s: int, state: str, tool: str) -> Cpu | None:
        runs = self.cpu.get((s, state, tool))
        if not runs:
            return None
        return Cpu(
            statistics.median(r.tracer for r in runs),
            statistics.median(r.client for r in runs),
            statistics.median(r.tracer_sys for r in runs),
        )


def _can(ratio: float | None, who: str) -> str:
    if ratio is None:
        return "?"
    return f"✓ {who} can" if ratio <= SESSIONS_TARGET else f"✗ {who} cannot"


def verdicts(view: View, s: int) -> list[str]:
    out = []
    for state in ("quiet", "busy"):
        kind, strace = view.strace(s, state)
        loop_tool, loop = view.best(s, state, (FLOOR, FLOOR_SPIN))
        deliver_tool, deliver = view.best(s, state, (DELIVER, DELIVER_SPIN))
        traced = view.t(s, DAEMON, state)
        loop_x, deliver_x = _div(loop, strace), _div(deliver, strace)
        out.append(
            f"- S = {s}, {state}: the bare loop ({loop_tool}) takes {_x(loop_x)} {s} straces "
            f"({kind}, the faster; target ≤ {SESSIONS_TARGET}{TIMES}) "
            f"{_can(loop_x, 'a Python loop')}; the delivery floor ({deliver_tool}) takes "
            f"{_x(deliver_x)} {_can(deliver_x, 'a Python daemon that delivers every event')}"
        )
        if traced is not None:
            out[-1] += (
                f"; traced takes {_x(_div(traced, strace))} the straces, "
                f"{_x(_div(traced, loop))} the bare loop, {_x(_div(traced, deliver))} the "
                "delivery floor"
            )
        cheap = _div(view.t(s, DELIVER_MSGSPEC, state), strace)
        if cheap is not None:
            out[-1] += (
                f"; with a client that parses with msgspec ({DELIVER_MSGSPEC}) the delivery "
                f"floor takes {_x(cheap)} {_can(cheap, 'a Python daemon')}"
            )
    return out


def times_table(view: View, sizes: Sequence[int], tools: Sequence[str]) -> list[str]:
    floors = [t for t in (FLOOR, FLOOR_SPIN, DELIVER, DELIVER_SPIN, DELIVER_MSGSPEC) if t in tools]
    out = _head(
        [
            "S",
            "state",
            "strace -f s",
            "strace -f --seccomp-bpf s",
            "traced --daemon s",
            *(f"{t} s" for t in floors),
            *(f"{t} ÷ strace" for t in floors),
            "traced ÷ strace",
            *(f"traced ÷ {t}" for t in floors),
        ]
    )
    for s in sizes:
        for state in ("quiet", "busy"):
            _, strace = view.strace(s, state)
            traced = view.t(s, DAEMON, state)
            medians = [view.t(s, t, state) for t in floors]
            out.append(
                _row(
                    [
                        str(s),
                        state,
                        _s(view.t(s, STRACE, state)),
                        _s(view.t(s, STRACE_BPF, state)),
                        _s(traced),
                        *map(_s, medians),
                        *(_x(_div(m, strace)) for m in medians),
                        _x(_div(traced, strace)),
                        *(_x(_div(traced, m)) for m in medians),
                    ]
                )
            )
    return out


def cpu_table(view: View, sizes: Sequence[int], tools: Sequence[str], k: int) -> list[str]:
    floors = (FLOOR, FLOOR_SPIN, DELIVER, DELIVER_SPIN, DELIVER_MSGSPEC)
    tracers = [t for t in (DAEMON, *floors) if t in tools]
    out = _head(
        [
            "S",
            "state",
            *(f"{t}: tracer (sys) / client CPU s" for t in tracers),
            *(f"{t}: tracer µs per syscall" for t in tracers),
        ]
    )
    for s in sizes:
        for state in ("quiet", "busy"):
            cpus = [view.cpu_of(s, state, t) for t in tracers]
            split = [
                "—" if c is None else f"{c.tracer:.2f} ({c.tracer_sys:.2f}) / {c.client:.2f}"
                for c in cpus
            ]
            per = ["—" if c is None else f"{c.tracer / (s * k) * 1e6:.1f}" for c in cpus]
            out.append(_row([str(s), state, *split, *per]))
    return out


def report(results: Results, cpu: CpuMap, sizes: Sequence[int], k: int) -> list[str]:
    view = View(results, cpu)
    tools = list(dict.fromkeys(sample.tool for sample in results.samples))
    out: list[str] = []
    for s in sizes:
        out += [f"### S = {s}: {results.described.get(f'{s} sessions', '')}", ""]
        out += [*verdicts(view, s), ""]
    out += ["Medians and ratios (strace: the faster of the two kinds):", ""]
    out += [*times_table(view, sizes, tools), ""]
    out += [
        "CPU (medians): traced's is its daemon's (front and tracer workers) and its "
        "client's (the benchmark's asyncio process, S connections); a floor's is its loops' "
        "(their own, not their tracees') and its client's; per syscall, the tracer's CPU "
        "over S·K:",
        "",
        *cpu_table(view, sizes, tools, k),
        "",
    ]
    return out
