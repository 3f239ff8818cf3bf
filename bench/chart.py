"""The headline table as a bar chart, written as SVG by hand (no plotting dependency).

One row per workload and mode (start-up, a time rather than a ratio, is left to the
table), two bars each: traced's ratio on a quiet machine and on a busy one.  The x axis
is logarithmic, so that 0.8x and 8x are as far from 1x (strace) as each other; a dashed
line marks 1x, and a short red line on each row its target.
"""

from __future__ import annotations

import math
from html import escape

from headline import TIMES, Row

LABEL_W, PLOT_W, RIGHT = 330, 520, 70
ROW_H, BAR_H, TOP = 30, 10, 58
COLOURS = {"quiet": "#4c78a8", "busy": "#f58518"}
TICKS = (0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 20, 50, 100)
FONT = 'font-family="sans-serif" font-size="11"'
SVG_NS = "http://www.w3.org/2000/svg"


class Scale:
    """Ratios to x pixels, logarithmically, from ``low`` to ``high``."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = math.log(low), math.log(high)

    def shows(self, ratio: float) -> bool:
        return self.low <= math.log(ratio) <= self.high

    def __call__(self, ratio: float) -> float:
        clipped = min(max(math.log(ratio), self.low), self.high)
        return LABEL_W + (clipped - self.low) / (self.high - self.low) * PLOT_W


def scale_for(rows: list[Row]) -> Scale:
    values = [v for r in rows for v in (r.quiet, r.busy, r.target) if v]
    return Scale(min(0.5, min(values, default=1) / 1.2), max(4.0, max(values, default=1) * 1.25))


def _text(x: float, y: float, words: str, anchor: str = "start", extra: str = "") -> str:
    place = f'x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"'
    return f"<text {place} {FONT}{extra}>{escape(words)}</text>"


def _rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{fill}"/>'
    )


def _vline(x: float, top: float, bottom: float, stroke: str, extra: str = "") -> str:
    ends = f'x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}"'
    return f'<line {ends} stroke="{stroke}"{extra}/>'


TARGET = ' stroke-width="2"'
RED = "#d62728"


def _axis(scale: Scale, height: float) -> list[str]:
    parts = []
    for tick in TICKS:
        if not scale.shows(tick):
            continue
        x = scale(tick)
        dash = ' stroke-dasharray="4 3"' if tick == 1 else ""
        colour = "#555" if tick == 1 else "#ddd"
        parts.append(_vline(x, TOP - 6, height - 8, colour, dash))
        parts.append(_text(x, TOP - 10, f"{tick:g}{TIMES}", "middle"))
    return parts


def _legend() -> list[str]:
    parts = [
        _text(
            8,
            16,
            "traced's time ÷ strace's (log scale); the red mark is the row's target",
            extra=' font-weight="bold"',
        )
    ]
    x = 8.0
    for state, colour in COLOURS.items():
        parts.append(_rect(x, 24, 12, 10, colour))
        parts.append(_text(x + 16, 33, f"{state} machine"))
        x += 110
    parts.append(_vline(x, 22, 36, RED, TARGET))
    parts.append(_text(x + 6, 33, "target"))
    return parts


def _row(scale: Scale, row: Row, y: float) -> list[str]:
    label = f"{row.workload} · {row.mode}"
    parts = [_text(LABEL_W - 8, y + ROW_H / 2 + 4, label, "end")]
    for offset, (state, value) in enumerate((("quiet", row.quiet), ("busy", row.busy))):
        top = y + 4 + offset * (BAR_H + 1)
        if value is None:
            parts.append(_text(LABEL_W + 4, top + BAR_H - 1, f"{state}: no figure"))
            continue
        end = scale(value)
        parts.append(_rect(LABEL_W, top, max(end - LABEL_W, 1), BAR_H, COLOURS[state]))
        mark = "✓" if value <= row.target else "✗"
        parts.append(_text(end + 4, top + BAR_H - 1, f"{value:.2f}{TIMES} {mark}"))
    x = scale(row.target)
    parts.append(_vline(x, y + 2, y + ROW_H - 4, RED, TARGET))
    return parts


def svg(rows: list[Row]) -> str:
    """The chart of every ratio row (``unit`` "x")."""
    shown = [r for r in rows if r.unit == "x"]
    scale = scale_for(shown)
    height = TOP + ROW_H * len(shown) + 12
    width = LABEL_W + PLOT_W + RIGHT
    parts = [
        f'<svg xmlns="{SVG_NS}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        _rect(0, 0, width, height, "white"),
        *_legend(),
    ]
    for index in range(1, len(shown), 2):  # stripes first: the grid and bars go on top
        y = TOP + index * ROW_H
        parts.append(_rect(0, y, width, ROW_H, "#f4f4f4"))
    parts += _axis(scale, height)
    for index, row in enumerate(shown):
        parts += _row(scale, row, TOP + index * ROW_H)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
