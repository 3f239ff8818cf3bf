"""``-c``/``-C``: the per-syscall summary table, in strace's columns.  Pure.

strace's default sums system CPU time per syscall; like its ``-w``, we sum the
wall time between each syscall's entry and exit stops, the time we observe.
Rows are sorted by time, then by syscall number, as strace sorts them.
Syscalls that never returned (exit_group, ...) are not counted, as in strace.
"""

from __future__ import annotations

from traced.events import SyscallEvent

HEADER = "% time     seconds  usecs/call     calls    errors syscall"
RULE = "------ ----------- ----------- --------- --------- ----------------"

# Plain classes, not dataclasses: every launch imports this module, and a dataclass
# costs some 0.5 ms to create (bench/startup.py).


class _Row:
    __slots__ = ("calls", "errors", "nanoseconds", "nr")

    def __init__(self, nr: int, calls: int = 0, errors: int = 0, nanoseconds: int = 0) -> None:
        self.nr = nr
        self.calls = calls
        self.errors = errors
        self.nanoseconds = nanoseconds


class Summary:
    def __init__(self) -> None:
        self.rows: dict[str, _Row] = {}

    def add(self, event: SyscallEvent) -> None:
        if event.retval is None:
            return
        row = self.rows.setdefault(event.name, _Row(event.nr))
        row.calls += 1
        row.errors += event.error is not None
        row.nanoseconds += event.duration_ns or 0

    def _ordered(self) -> list[tuple[str, _Row]]:
        return sorted(self.rows.items(), key=lambda item: (-item[1].nanoseconds, item[1].nr))

    def record(self) -> dict[str, object]:
        """-c --json: the table's figures as one JSON object, rows in the table's order."""
        rows = [{"name": name, **_figures(row)} for name, row in self._ordered()]
        total = _Row(0)
        for row in self.rows.values():
            total.calls, total.errors = total.calls + row.calls, total.errors + row.errors
            total.nanoseconds += row.nanoseconds
        return {"type": "summary", "syscalls": rows, "total": _figures(total)}

    def table(self) -> str:
        total_ns = sum(row.nanoseconds for row in self.rows.values())
        ordered = self._ordered()
        lines = [HEADER, RULE]
        lines += [_line(name, row, total_ns) for name, row in ordered]
        total = _Row(
            0,
            sum(r.calls for r in self.rows.values()),
            sum(r.errors for r in self.rows.values()),
            total_ns,
        )
        lines += [RULE, _line("total", total, total_ns, percent=100.0)]
        return "\n".join(lines) + "\n"


def _figures(row: _Row) -> dict[str, int]:
    return {"calls": row.calls, "errors": row.errors, "time_ns": row.nanoseconds}


def _line(name: str, row: _Row, total_ns: int, percent: float | None = None) -> str:
    if percent is None:
        percent = 100.0 * row.nanoseconds / total_ns if total_ns else 0.0
    seconds = row.nanoseconds / 1e9
    per_call = row.nanoseconds // 1000 // row.calls if row.calls else 0
    errors = str(row.errors) if row.errors else ""
    return f"{percent:6.2f} {seconds:11.6f} {per_call:11d} {row.calls:9d} {errors:>9} {name}"
