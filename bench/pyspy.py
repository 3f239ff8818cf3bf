"""Where a traced process spends its time: py-spy samples, summarized as a table.

    with sampled(pid) as profile:
        ...  # the work to profile
    lines = profile.table(top=12)

py-spy (the ``bench`` extra: ``.venv/bin/pip install -e '.[bench]'``; without it the
report says "py-spy not installed") reads the target's stacks from outside,
``--nonblocking``, so the daemon is not paused while sampled.
Idle samples (the loop asleep in epoll) are left out, so the shares are of the time
the process was on a CPU or runnable.  "self" is the share of samples whose innermost
Python frame is the function; "total" the share in which it is on the stack at all.
A function that makes a syscall (ptrace, waitpid, sendmsg) gets the syscall's time as
its self time: py-spy sees Python frames, not the kernel.  And in ``--nonblocking`` mode
a stack is easier to read whole while the thread waits in a syscall than while it runs
Python, so those functions' shares come out high: bench/perfsplit.py gives the kernel's
true share.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from measure import sampling

PY_SPY = Path(sys.executable).parent / "py-spy"
RATE = 250  # samples/s: enough for shares, little enough not to perturb the target


@dataclass
class Profile:
    samples: int = 0
    own: Counter[str] = field(default_factory=Counter)
    anywhere: Counter[str] = field(default_factory=Counter)
    error: str = ""

    def add_stack(self, frames: list[str], count: int) -> None:
        self.samples += count
        self.own[frames[-1]] += count
        for frame in set(frames):
            self.anywhere[frame] += count

    def table(self, top: int = 12) -> list[str]:
        if self.error or not self.samples:
            return [f"(no profile: {self.error or 'no samples'})"]
        rows = [
            f"py-spy, {self.samples:,} samples at {RATE}/s (idle left out)",
            "",
            "| function (innermost Python frame) | self | total |",
            "|---|---|---|",
        ]
        for frame, count in self.own.most_common(top):
            total = self.anywhere[frame]
            rows.append(f"| `{frame}` | {count / self.samples:.0%} | {total / self.samples:.0%} |")
        return rows


def _frame_name(raw: str) -> str:
    """``restart (traced/linux/ptrace.py:120)`` -> ``ptrace.py:restart``."""
    name, _, where = raw.partition(" (")
    module = where.split(":")[0].rsplit("/", 1)[-1]
    return f"{module}:{name}" if module else name


def _parse_raw(text: str, profile: Profile) -> None:
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_frame_name(part) for part in stack.split(";") if part]
        if frames:
            profile.add_stack(frames, int(count))


@contextlib.contextmanager
def sampled(pid: int) -> Iterator[Profile]:
    """Sample ``pid`` while the block runs; the Profile fills in when it ends."""
    profile = Profile()
    if not PY_SPY.exists() and shutil.which("py-spy") is None:
        profile.error = "py-spy not installed"
        yield profile
        return
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "stacks.txt"
        command = [str(PY_SPY if PY_SPY.exists() else "py-spy"), "record", "--nonblocking"]
        command += ["--format", "raw", "--rate", str(RATE), "-o", str(out), "-p", str(pid)]
        with sampling(command, timeout_s=30) as spy:
            yield profile
        if out.exists():
            _parse_raw(out.read_text(), profile)
        else:
            profile.error = spy.stderr or "no output"
