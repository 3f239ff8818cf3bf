"""Turning timings into Markdown: medians, ratios, per-stop costs, the targets."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from measure import LoadLog
from variants import Output, Tool, Variant

# The targets (bench/README.md says why).
FILTERED_TARGET = 1.03  # wall time with every syscall filtered out, x untraced
PER_STOP_TARGET = 1.0  # cost of one stopped syscall, x strace's (issue 5; issue 2 had 1.25)

Row = Sequence[str]


def table(headers: Row, rows: Iterable[Row]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def micros(value: float | None) -> str:
    return "—" if value is None else f"{value * 1e6:.2f}"


def verdict(value: float | None, target: float) -> str:
    if value is None:
        return "—"
    return "✓ met" if value <= target else "✗ missed"


def divide(top: float | None, bottom: float | None) -> float | None:
    if top is None or bottom is None or bottom == 0:
        return None
    return top / bottom


@dataclass
class Results:
    """The timings of one pinning mode, and what the loop's syscalls were at each N."""

    samples: dict[Variant, list[float]]
    counts: dict[int, Counter[str]]
    pinned: bool

    def find(self, tool: Tool, case: str, output: Output, n: int | None = None) -> Variant | None:
        for variant in self.samples:
            matches = (variant.tool, variant.case, variant.output, variant.pinned)
            if matches == (tool, case, output, self.pinned) and n in (None, variant.n):
                return variant
        return None

    def median(self, variant: Variant | None) -> float | None:
        return None if variant is None else statistics.median(self.samples[variant])

    def untraced(self, variant: Variant) -> float | None:
        """The untraced run of the same program: /bin/true, or the loop at the same N."""
        case = "startup" if variant.case == "startup" else "loop"
        n = 0 if variant.case == "startup" else variant.n
        return self.median(self.find(Tool.UNTRACED, case, Output.NONE, n))

    def startup(self, tool: Tool) -> float | None:
        """The fixed cost of tracing at all: ``-e trace=none /bin/true`` minus untraced."""
        tracer = Tool.TRACED if tool is Tool.TRACED else Tool.STRACE
        probe = self.find(tracer, "startup", Output.FILE)
        return None if probe is None else _minus(self.median(probe), self.untraced(probe))

    def total(self, n: int) -> int:
        return sum(self.counts[n].values())

    def stops(self, variant: Variant) -> int:
        """How many syscalls stop the tracee: the filter's, or every one without a filter."""
        if variant.tool is Tool.UNTRACED or variant.case == "startup":
            return 0
        if variant.tool is Tool.STRACE or variant.names is None:
            return self.total(variant.n)
        return sum(self.counts[variant.n][name] for name in variant.names)

    def printed(self, variant: Variant) -> int:
        """How many syscall lines its trace should hold."""
        if variant.names is None:
            return self.total(variant.n)
        return sum(self.counts[variant.n][name] for name in variant.names)

    def overhead(self, variant: Variant | None, corrected: bool) -> float | None:
        """Seconds over the untraced run; less the tracer's fixed startup if ``corrected``."""
        if variant is None:
            return None
        extra = _minus(self.median(variant), self.untraced(variant))
        return _minus(extra, self.startup(variant.tool)) if corrected else extra

    def per_stop(self, variant: Variant | None, corrected: bool) -> float | None:
        """Seconds per stopped syscall."""
        if variant is None:
            return None
        return divide(self.overhead(variant, corrected), self.stops(variant) or None)

    def vs_untraced(self, variant: Variant, corrected: bool) -> float | None:
        elapsed = self.median(variant)
        if corrected:
            elapsed = _minus(elapsed, self.startup(variant.tool))
        return divide(elapsed, self.untraced(variant))


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def strace_output(output: Output) -> Output:
    """The strace output kind a traced output compares with (JSON: strace to a file)."""
    return Output.FILE if output is Output.JSON else output


def all_runs(results: Results) -> str:
    rows = []
    for variant, times in results.samples.items():
        if variant.pinned != results.pinned:
            continue
        rows.append(
            [
                variant.case,
                f"{variant.n:,}" if variant.n else "/bin/true",
                variant.tool.value,
                variant.output.value,
                seconds(statistics.median(times)),
                f"{min(times):.3f}-{max(times):.3f}",
                ratio(results.vs_untraced(variant, corrected=False)),
                f"{results.stops(variant):,}",
            ]
        )
    headers = ["case", "N", "tool", "output", "median s", "min-max s", "vs untraced", "stops"]
    return table(headers, rows)


def startup_table(results: Results) -> str:
    rows = []
    for tool in (Tool.UNTRACED, Tool.TRACED, Tool.STRACE):
        output = Output.NONE if tool is Tool.UNTRACED else Output.FILE
        probe = results.find(tool, "startup", output)
        fixed = None if tool is Tool.UNTRACED else results.startup(tool)
        rows.append([tool.value, seconds(results.median(probe)), seconds(fixed)])
    return table(["tool (-e trace=none /bin/true)", "median s", "fixed cost s"], rows)


def filtered_out(results: Results) -> str:
    """Case "none": the filter lets every loop syscall through; only its cost shows."""
    rows = []
    for tool in (Tool.TRACED, Tool.STRACE_BPF):
        for output in (Output.FILE, Output.NULL, Output.JSON):
            variant = results.find(tool, "none", output)
            if variant is None:
                continue
            corrected = results.vs_untraced(variant, corrected=True)
            calls = results.total(variant.n)
            per_call = divide(results.overhead(variant, corrected=True), calls)
            rows.append(
                [
                    tool.value,
                    output.value,
                    f"{variant.n:,}",
                    seconds(results.median(variant)),
                    seconds(results.untraced(variant)),
                    ratio(results.vs_untraced(variant, corrected=False)),
                    ratio(corrected),
                    "—" if per_call is None else f"{per_call * 1e9:.1f}",
                    verdict(corrected, FILTERED_TARGET),
                ]
            )
    headers = [
        "tool", "output", "N", "median s", "untraced s", "vs untraced raw",
        "vs untraced corrected", "ns/syscall corrected", f"≤ {FILTERED_TARGET}x",
    ]  # fmt: skip
    return table(headers, rows)


def _versus_row(results: Results, case: str, output: Output) -> Row | None:
    traced = results.find(Tool.TRACED, case, output)
    if traced is None:
        return None
    bpf = results.find(Tool.STRACE_BPF, case, strace_output(output))
    plain = results.find(Tool.STRACE, case, strace_output(output), traced.n)
    return [
        case,
        f"{traced.n:,}",
        output.value,
        seconds(results.median(traced)),
        seconds(results.median(bpf)),
        seconds(results.median(plain)),
        ratio(results.vs_untraced(traced, corrected=False)),
        ratio(divide(results.median(traced), results.median(bpf))),
        ratio(divide(results.median(traced), results.median(plain))),
    ]


def versus(results: Results, cases: Sequence[str]) -> str:
    """Wall time of traced against strace with the same filter and output kind."""
    rows = [_versus_row(results, case, output) for case in cases for output in Output]
    headers = [
        "case", "N", "traced output", "traced s", "strace --seccomp-bpf s", "strace s",
        "traced vs untraced", "traced/strace-bpf", "traced/strace",
    ]  # fmt: skip
    return table(headers, [row for row in rows if row is not None])


def _per_stop_row(results: Results, case: str, output: Output) -> Row | None:
    traced = results.find(Tool.TRACED, case, output)
    bpf = results.find(Tool.STRACE_BPF, case, strace_output(output))
    plain = results.find(Tool.STRACE, case, strace_output(output))
    if traced is None or plain is None:
        return None
    costs = [results.per_stop(v, c) for v in (traced, bpf, plain) for c in (False, True)]
    raw, corrected = divide(costs[0], costs[2]), divide(costs[1], costs[3])
    return [
        case,
        output.value,
        f"{results.stops(traced):,}",
        f"{results.stops(plain):,} (N={plain.n:,})",
        *(micros(cost) for cost in costs),
        ratio(raw),
        ratio(corrected),
        verdict(corrected, PER_STOP_TARGET),
    ]


def per_stop(results: Results, cases: Sequence[str]) -> str:
    """µs per stopped syscall: (median - untraced median [- fixed startup]) / stops."""
    rows = [_per_stop_row(results, case, output) for case in cases for output in Output]
    headers = [
        "case", "traced output", "stops traced & strace-bpf", "stops strace",
        "traced µs raw", "traced µs corr", "strace-bpf µs raw", "strace-bpf µs corr",
        "strace µs raw", "strace µs corr", "traced/strace-bpf raw", "traced/strace-bpf corr",
        f"≤ {PER_STOP_TARGET}x",
    ]  # fmt: skip
    return table(headers, [row for row in rows if row is not None])


def target_lines(results: Results) -> list[str]:
    """One ✓/✗ line per target and traced output kind, each saying what it compares."""
    mode = "pinned" if results.pinned else "unpinned"
    lines = []
    for output in Output:
        traced = results.find(Tool.TRACED, "none", output)
        bpf = results.find(Tool.STRACE_BPF, "none", strace_output(output))
        if traced is None:
            continue
        corrected = results.vs_untraced(traced, corrected=True)
        strace = ratio(None if bpf is None else results.vs_untraced(bpf, corrected=True))
        lines.append(
            f"- {mode}, filtered-out syscalls (`-e trace=gettid`), traced {output.value}: "
            f"{ratio(corrected)} untraced, startup-corrected (strace --seccomp-bpf: {strace}; "
            f"target ≤ {FILTERED_TARGET}x) {verdict(corrected, FILTERED_TARGET)}"
        )
    for case in ("one", "all", "every"):
        for output in Output:
            traced = results.find(Tool.TRACED, case, output)
            bpf = results.find(Tool.STRACE_BPF, case, strace_output(output))
            if traced is None:
                continue
            cost = divide(results.per_stop(traced, True), results.per_stop(bpf, True))
            lines.append(
                f"- {mode}, per stopped syscall, case {case}, traced {output.value}: "
                f"{ratio(cost)} strace --seccomp-bpf's, startup-corrected "
                f"(target ≤ {PER_STOP_TARGET}x) {verdict(cost, PER_STOP_TARGET)}"
            )
    return lines


def trace_check(results: Results, line_counts: dict[Variant, int]) -> list[str]:
    """Warnings for trace files whose syscall lines differ from what the filter implies."""
    warnings = []
    for variant, found in line_counts.items():
        expected = results.printed(variant)
        if variant.pinned == results.pinned and abs(found - expected) > 0.01 * expected + 5:
            warnings.append(f"{variant.label}: {found:,} syscall lines, expected ~{expected:,}")
    return warnings


def load_summary(load: LoadLog) -> str:
    text = (
        f"1-min load when measuring began: **{load.start:.2f}** (waited {load.waited_s:.0f} s "
        f"for it to drop to ≤ {load.threshold}); before each round: "
        f"{min(load.rounds):.2f}-{max(load.rounds):.2f} (this includes the benchmark's own "
        f"load, about 1); at the end: {load.end:.2f}."
    )
    if load.loaded:
        text += (
            f" **WARNING: the machine was loaded (> {load.threshold}) by other work;"
            " figures are noisier and likely pessimistic.**"
        )
    return text


def mode_section(results: Results, line_counts: dict[Variant, int]) -> str:
    cases = ("none", "one", "all", "every")
    parts = [
        "#### Per stopped syscall (µs; raw = (median - untraced)/stops, "
        "corr = also less the tracer's fixed startup)",
        per_stop(results, cases),
        "#### Filtered-out syscalls (case none: `-e trace=gettid`, never called)",
        filtered_out(results),
        "#### Wall time, traced vs strace (same filter, same output kind; JSON vs strace -o FILE)",
        versus(results, cases),
        "#### Fixed startup",
        startup_table(results),
        "#### Every run (median of the rounds)",
        all_runs(results),
    ]
    warnings = trace_check(results, line_counts)
    if warnings:
        parts.append("Trace check:\n\n" + "\n".join(f"- {w}" for w in warnings))
    return "\n\n".join(parts)
