"""floor.py's report: times, ratios, the distance to the floor, the cost per stop by kind.

Pure: from the medians (:class:`headline.Results`) and the profiled runs' stop counts
and times (bench/bareloop.py's ``--stats``), by (workload, state, filter).
"""

from __future__ import annotations

from collections.abc import Mapping

from headline import (
    FILTER_TARGET,
    FULL_TARGET,
    STRACE,
    STRACE_BPF,
    TIMES,
    TRACED,
    UNTRACED,
    Results,
)

FLOOR, FLOOR_SPIN = "bare loop", "bare loop --spin"
FLOOR_DECODE = "bare loop --decode"  # and decoding, and a line per call
Stats = Mapping[str, object]
Profiles = Mapping[tuple[str, str, str | None], Stats]
STOP_KINDS = ("entry", "exit", "seccomp")


def _div(top: float | None, bottom: float | None) -> float | None:
    return None if top is None or bottom is None or bottom <= 0 else top / bottom


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}{TIMES}"


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _us(value: float | None) -> str:
    if value is None:
        return "—"
    # Below zero when the untraced median was the slower: noise, said as such.
    return "< 0" if value < 0 else f"{value * 1e6:.1f}"


def stops_of(stats: Stats | None) -> dict[str, int]:
    found = stats.get("stops") if stats else None
    return {k: int(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _head(*groups: list[str]) -> list[str]:
    """A Markdown table's first two lines."""
    cells = [cell for group in groups for cell in group]
    return ["| " + " | ".join(cells) + " |", "|" + "---|" * len(cells)]


def _mode(expr: str | None) -> str:
    return "every syscall" if expr is None else f"`-e {expr}`"


def times_table(results: Results, workload: str, exprs: list[str | None]) -> list[str]:
    out = _head(
        ["state", "mode", "untraced s", "strace s", "traced s", "loop s", "loop --spin s"],
        ["loop --decode s", "loop ÷ strace", "loop --spin ÷ strace", "loop --decode ÷ strace"],
        ["traced ÷ strace", "traced ÷ loop", "traced ÷ loop --spin", "traced ÷ loop --decode"],
    )
    for state in ("quiet", "busy"):
        base = results.median(workload, UNTRACED, None, state)
        for expr in exprs:
            strace = results.median(workload, STRACE if expr is None else STRACE_BPF, expr, state)
            traced, loop, spin, decode = (
                results.median(workload, t, expr, state)
                for t in (TRACED, FLOOR, FLOOR_SPIN, FLOOR_DECODE)
            )
            cells = [state, _mode(expr), _s(base), _s(strace), _s(traced), _s(loop), _s(spin)]
            cells += [_s(decode), *(_x(_div(t, strace)) for t in (loop, spin, decode))]
            cells += [
                _x(_div(traced, strace)),
                *(_x(_div(traced, t)) for t in (loop, spin, decode)),
            ]
            out.append("| " + " | ".join(cells) + " |")
    return out


def per_stop_table(
    results: Results, workload: str, exprs: list[str | None], profiles: Profiles
) -> list[str]:
    out = _head(
        ["state", "mode", "stops (entry / exit / seccomp)", "strace µs", "traced µs", "loop µs"],
        [
            "loop --spin µs",
            "loop --decode µs",
            "loop's own µs: entry / exit / seccomp",
            "loop waiting µs",
        ],
    )
    for state in ("quiet", "busy"):
        base = results.median(workload, UNTRACED, None, state)
        for expr in exprs:
            stats = profiles.get((workload, state, expr))
            stops = stops_of(stats)
            total = sum(stops.get(k, 0) for k in STOP_KINDS)
            strace_tool = STRACE if expr is None else STRACE_BPF
            added = [
                _div(None if m is None or base is None else m - base, total)
                for m in (
                    results.median(workload, t, expr, state)
                    for t in (strace_tool, TRACED, FLOOR, FLOOR_SPIN, FLOOR_DECODE)
                )
            ]
            profile = stats.get("profile_ns") if stats else None
            own = profile if isinstance(profile, dict) else {}
            kinds = " / ".join(_us(_div(own.get(k, 0) / 1e9, stops.get(k))) for k in STOP_KINDS)
            waiting = _us(_div(own.get("wait", 0) / 1e9, total)) if own else "—"
            counts = " / ".join(f"{stops.get(k, 0):,}" for k in STOP_KINDS)
            out.append(
                "| "
                + " | ".join([state, _mode(expr), counts, *map(_us, added), kinds, waiting])
                + " |"
            )
    return out


def verdicts(results: Results, workload: str, exprs: list[str | None]) -> list[str]:
    """Whether the floor itself meets issue 14's targets: if not, no Python tracer can."""
    out = []
    for state in ("quiet", "busy"):
        for expr in exprs:
            strace = results.median(workload, STRACE if expr is None else STRACE_BPF, expr, state)
            loops = {
                t: _div(results.median(workload, t, expr, state), strace)
                for t in (FLOOR, FLOOR_SPIN)
            }
            best_tool = min(loops, key=lambda t: loops[t] or float("inf"))
            best, target = loops[best_tool], FULL_TARGET if expr is None else FILTER_TARGET
            traced = _div(
                results.median(workload, TRACED, expr, state),
                results.median(workload, best_tool, expr, state),
            )
            against = "strace -f" if expr is None else "strace -f --seccomp-bpf"
            mark = (
                "?"
                if best is None
                else "✓ a Python loop can"
                if best <= target
                else "✗ no Python loop can"
            )
            decoding = _div(results.median(workload, FLOOR_DECODE, expr, state), strace)
            if decoding is None:
                printing = ""
            else:
                can = "✓ can" if decoding <= target else "✗ cannot"
                printing = (
                    f"; with traced's decoding and a line per call ({FLOOR_DECODE}) it takes "
                    f"{_x(decoding)}: a Python tracer with these decoders {can}"
                )
            out.append(
                f"- `{workload}`, {_mode(expr)}, {state}: the {best_tool} takes {_x(best)} "
                f"{against} (target ≤ {target}{TIMES}) {mark}; traced takes {_x(traced)} the "
                f"{best_tool}{printing}"
            )
    return out


def report(results: Results, profiles: Profiles) -> list[str]:
    out: list[str] = []
    for workload in results.workloads():
        exprs: list[str | None] = [
            None,
            *dict.fromkeys(s.expr for s in results.samples if s.workload == workload and s.expr),
        ]
        out += [f"### `{workload}`: {results.described.get(workload, '')}", ""]
        out += [*verdicts(results, workload, exprs), ""]
        out += ["Medians and ratios:", "", *times_table(results, workload, exprs), ""]
        out += [
            "Per stop: the time a tracer adds to the untraced run, over the loop's stops "
            "(its start included); the loop's own time per stop kind and waiting, from one "
            "`--profile` run:",
            "",
            *per_stop_table(results, workload, exprs, profiles),
            "",
        ]
    return out
