"""traced's own lines on stderr, worded as strace words them, beside the trace.

strace says ``strace: Process 123 attached`` when it takes a running process over
and ``strace: Process 123 detached`` when it lets one go; traced says the same with
its own name, so that a user (or a script) reading either finds the same words.
"""

from __future__ import annotations

import sys
from collections.abc import Collection


def notice(text: str) -> None:
    """``traced: TEXT`` on stderr, at once: it goes between trace lines, in order."""
    sys.stderr.flush()
    print(f"traced: {text}", file=sys.stderr, flush=True)


def attached(pid: int, tids: Collection[int] = ()) -> None:
    """``Process 123 attached``, with its thread count when it has more than one."""
    threads = f" with {len(tids)} threads" if len(tids) > 1 else ""
    notice(f"Process {pid} attached{threads}")


def detached(tids: Collection[int]) -> None:
    for tid in sorted(tids):
        notice(f"Process {tid} detached")
