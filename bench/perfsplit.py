"""Where a process's CPU goes between the kernel and the interpreter: perf, as a table.

    with recorded(pid) as split:
        ...  # the work to profile
    lines = split.table(top=8)

py-spy (bench/pyspy.py) names the Python functions, but it only sees Python frames,
and in ``--nonblocking`` mode it keeps the samples whose stack it could read whole,
which is easier while the thread sits in a syscall than while it runs Python: its
shares lean towards the functions that make syscalls.  perf samples the CPU itself
(``perf record -p PID``, the kernel's cpu-clock on a VM without a PMU), so its split of
samples by DSO (the kernel, libpython, the C extensions) is the one to trust for how
much of the time is the kernel's, and its kernel symbols say which part.

On a VM, a sample that falls while interrupts are disabled is taken when they are
enabled again, so the time of a section run with interrupts off (a wake-up that sends an
IPI, a run-queue lock) shows as ``_raw_spin_unlock_irq``/``_irqrestore``; their callers
are named with ``-g``, which this leaves out for the overhead.  Without perf (or
without permission: perf_event_paranoid) the table says so.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from measure import sampling

FREQUENCY = 499  # samples/s
_ROW = re.compile(r"^\s+([\d.]+)%\s+(.+?)\s*$")


@dataclass
class Split:
    dsos: list[tuple[float, str]] = field(default_factory=list)
    kernel_symbols: list[tuple[float, str]] = field(default_factory=list)
    error: str = ""

    def table(self, top: int = 8) -> list[str]:
        if self.error or not self.dsos:
            return [f"(no perf profile: {self.error or 'no samples'})"]
        rows = [
            f"perf record -F {FREQUENCY}, by where the CPU was (share of samples):",
            "",
            "| DSO | share |",
            "|---|---|",
        ]
        rows += [f"| `{dso}` | {share:.1f}% |" for share, dso in self.dsos[:top]]
        rows += ["", "| kernel symbol | share of all samples |", "|---|---|"]
        rows += [f"| `{sym}` | {share:.1f}% |" for share, sym in self.kernel_symbols[:top]]
        return rows


def _rows(report: str) -> list[tuple[float, str]]:
    found = []
    for line in report.splitlines():
        match = _ROW.match(line)
        if match:
            found.append((float(match.group(1)), match.group(2)))
    return found


def _report(data: Path, sort: str) -> str:
    command = ["perf", "report", "-i", str(data), "--stdio", "--no-children", "--sort", sort]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    return done.stdout


def _read(data: Path, split: Split) -> None:
    split.dsos = _rows(_report(data, "dso"))
    symbols = _rows(_report(data, "sym"))
    split.kernel_symbols = [(share, s[4:]) for share, s in symbols if s.startswith("[k] ")]


@contextlib.contextmanager
def recorded(pid: int) -> Iterator[Split]:
    """Sample ``pid`` with perf while the block runs; the Split fills in when it ends."""
    split = Split()
    if shutil.which("perf") is None:
        split.error = "perf not installed"
        yield split
        return
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "perf.data"
        command = ["perf", "record", "-F", str(FREQUENCY), "-p", str(pid), "-o", str(data)]
        with sampling(command) as perf:
            yield split
        if data.exists() and data.stat().st_size:
            _read(data, split)
        if not split.dsos:
            split.error = perf.stderr or "no output"
