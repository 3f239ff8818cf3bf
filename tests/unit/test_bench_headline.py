"""bench/headline.py and bench/chart.py: the table and chart RESULTS.md opens with.

Made-up timings in, Markdown and SVG out: no process is run, nothing is timed.
"""

from __future__ import annotations

import importlib
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

from pytest import approx

BENCH = Path(__file__).resolve().parents[2] / "bench"


def bench(name: str) -> ModuleType:
    # bench/ is scripts, not a package; appended, so that it shadows nothing installed.
    if str(BENCH) not in sys.path:
        sys.path.append(str(BENCH))
    return importlib.import_module(name)


def made_up() -> object:
    h = bench("headline")
    results = h.Results(quick=True, rounds=3)
    timings = {
        # workload, tool, expr: (quiet seconds, busy seconds)
        ("find", h.STRACE, None): (1.0, 0.5),
        ("find", h.TRACED, None): (2.0, 0.7),
        ("find", h.TRACED_JSON, None): (1.4, 0.8),
        ("find", h.DAEMON, None): (3.0, 2.0),
        ("find", h.STRACE_BPF, "trace=%file"): (0.5, 0.25),
        ("find", h.STRACE, "trace=%file"): (1.0, 0.5),
        ("find", h.TRACED, "trace=%file"): (0.55, 0.5),
        ("64 sessions", h.STRACE, "trace=getppid"): (2.0, 2.0),
        ("64 sessions", h.STRACE_BPF, "trace=getppid"): (1.0, 1.0),
        ("64 sessions", h.DAEMON, "trace=getppid"): (1.2, 3.0),
        (h.STARTUP, h.TRACED, None): (0.04, 0.2),
        (h.STARTUP, h.STRACE, None): (0.005, 0.006),
    }
    for (workload, tool, expr), (quiet, busy) in timings.items():
        for noise in (0.9, 1.0, 1.5):  # the median is the middle one
            results.add(workload, tool, expr, h.QUIET, quiet * noise)
            results.add(workload, tool, expr, h.BUSY, busy * noise)
    results.syscalls["find|None"] = 31_550
    return results


def by_mode(results: object) -> dict[tuple[str, str], object]:
    return {(row.workload, row.mode): row for row in bench("headline").rows(results)}


def test_each_ratio_is_of_medians_in_the_same_state() -> None:
    rows = by_mode(made_up())
    text = rows[("find", "every syscall, text")]
    assert (text.quiet, text.busy) == approx((2.0, 1.4))
    assert (text.met(text.quiet), text.met(text.busy)) == ("✗", "✓")
    assert text.lines == 31_550


def test_a_filter_is_against_strace_seccomp_bpf_with_plain_strace_in_brackets() -> None:
    row = by_mode(made_up())[("find", "-e trace=%file")]
    assert (row.quiet, row.busy) == approx((1.1, 2.0))
    assert (row.quiet_alt, row.busy_alt) == approx((0.55, 1.0))
    assert row.target == 1.2


def test_sessions_are_against_the_faster_strace_and_startup_is_a_time() -> None:
    rows = by_mode(made_up())
    sessions = rows[("64 sessions", "daemon, S clients")]
    assert (sessions.quiet, sessions.busy) == approx((1.2, 3.0))
    assert (sessions.met(sessions.quiet), sessions.met(sessions.busy)) == ("✓", "✗")
    startup = rows[("startup", "launch -- true")]
    assert (startup.quiet, startup.quiet_alt) == approx((0.04, 0.005))
    assert startup.unit == "s"


def test_the_table_has_a_row_per_mode_and_says_what_failed() -> None:
    results = made_up()
    results.failed["tar -x"] = "tar -x, traced: trace has 10 syscall lines, strace -f 900"
    lines = bench("headline").table(results).splitlines()
    assert len(lines) == 2 + 4 + 1 + 1 + 1
    assert "| `startup` | launch -- true |" in lines[-2]
    assert "**40 ms** (5 ms)" in lines[-2]
    assert "**failed**" in lines[-1]


def test_results_survive_json(tmp_path: Path) -> None:
    h = bench("headline")
    results = made_up()
    results.save(tmp_path / "data.json")
    assert h.rows(h.Results.load(tmp_path / "data.json")) == h.rows(results)


def test_the_chart_is_svg_with_two_bars_and_a_target_per_ratio_row() -> None:
    rows = bench("headline").rows(made_up())
    root = ET.fromstring(bench("chart").svg(rows))
    ns = "{http://www.w3.org/2000/svg}"
    ratio_rows = [row for row in rows if row.unit == "x"]
    bars = [r for r in root.iter(f"{ns}rect") if r.get("fill") in ("#4c78a8", "#f58518")]
    legend = 2
    assert len(bars) == 2 * len(ratio_rows) + legend
    targets = [line for line in root.iter(f"{ns}line") if line.get("stroke") == "#d62728"]
    assert len(targets) == len(ratio_rows) + 1
    widths = [float(bar.get("width", 0)) for bar in bars[legend:]]
    text_quiet, text_busy = widths[0], widths[1]  # 2.0x, then 1.4x: longer is larger
    assert text_quiet > text_busy
