"""-c: strace's summary table, from constructed events."""

import io
import json

from traced.cli.printer import Printer
from traced.cli.summary import HEADER, RULE, Summary
from traced.events import SyscallEvent


def event(name: str, nr: int, ns: int | None, error: str | None = None) -> SyscallEvent:
    return SyscallEvent(
        session="s",
        pid=1,
        tid=1,
        ts_ns=0,
        nr=nr,
        name=name,
        arch="x86_64",
        args=(),
        duration_ns=ns,
        retval=None if ns is None else 0,
        error=error,
    )


def test_table_in_straces_columns_sorted_by_time_then_number() -> None:
    summary = Summary()
    for e in (
        event("close", 3, 2000),
        event("read", 0, 1000),
        event("openat", 257, 6000),
        event("openat", 257, 1000, "ENOENT"),
        event("exit_group", 231, None),
    ):
        summary.add(e)
    assert summary.table().splitlines() == [
        HEADER,
        RULE,
        " 70.00    0.000007           3         2         1 openat",
        " 20.00    0.000002           2         1           close",
        " 10.00    0.000001           1         1           read",
        RULE,
        "100.00    0.000010           2         4         1 total",
    ]


def test_zero_times_keep_syscall_number_order() -> None:
    summary = Summary()
    for e in (event("close", 3, 0), event("read", 0, 0)):
        summary.add(e)
    names = [line.split()[-1] for line in summary.table().splitlines()[2:4]]
    assert names == ["read", "close"]


def test_with_json_the_table_is_one_summary_record() -> None:
    """-c --json (and -C --json, after the events): the table's figures as one JSON
    line, rows in the table's order, so a program need not parse strace's columns."""
    out = io.StringIO()
    printer = Printer(out, as_json=True, to_file=False)
    printer.summary = Summary()
    printer.print_lines = False
    for e in (event("close", 3, 2000), event("openat", 257, 6000, "ENOENT")):
        printer(e)
    printer.finish()
    [line] = out.getvalue().splitlines()
    assert json.loads(line) == {
        "type": "summary",
        "syscalls": [
            {"name": "openat", "calls": 1, "errors": 1, "time_ns": 6000},
            {"name": "close", "calls": 1, "errors": 0, "time_ns": 2000},
        ],
        "total": {"calls": 2, "errors": 1, "time_ns": 8000},
    }
