"""-Y (--decode-pids=comm) against strace -f -Y on one program (tests/programs/
decode_pids.c): every line of each task the same, pids named by their order.

The program's tasks interleave as the scheduler has them, so the lines are compared
task by task, each call's ``<unfinished ...>`` and ``<... resumed>`` halves joined.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from tests.integration.corpus import _mask, merge_resumed, run_pair, tracer_env

pytestmark = pytest.mark.integration

TRACE = (
    "trace=getpid,gettid,getppid,getpgid,setpgid,kill,tgkill,tkill,sched_getscheduler,"
    "prlimit64,getpriority,pidfd_open,getsockopt,fcntl,prctl,clone,clone3,waitid,wait4,"
    "exit_group"
)
_PREFIX = re.compile(r"(\d+)(<(?:[^>\\]|\\.)*>)? +(.*)")


def by_task(raw_lines: list[str]) -> dict[str, list[str]]:
    """Each task's lines (named T0, T1 ... in pid order, as they were made), each
    with the comm of its prefix, and every pid in them so named."""
    split = []
    for raw in raw_lines:
        found = _PREFIX.fullmatch(raw)
        assert found is not None, raw
        pid, comm, text = found.groups()
        split.append((f"{pid}{comm or ''}", f"{pid}{comm or ''} ", text))
    pids = sorted({int(task.partition("<")[0]) for task, _, _ in split})
    names = {str(pid): f"T{index}" for index, pid in enumerate(pids)}

    def named(text: str) -> str:
        return re.sub(r"\b\d+\b", lambda number: names.get(number.group(), number.group()), text)

    tasks: dict[str, list[str]] = {}
    for task, text in merge_resumed(split):
        pid, _, comm = task.partition("<")
        line = named(f"<{comm} {text}" if comm else text)
        tasks.setdefault(names[pid], []).append(_mask(line))
    return tasks


def test_decode_pids_prints_what_strace_prints(
    programs: dict[str, Path], strace_tool: str, short_dir: Path
) -> None:
    command = [str(programs["decode_pids"])]
    strace, traced = run_pair(command, ["-Y", "-e", TRACE], short_dir, tracer_env())
    theirs, ours = by_task(strace), by_task(traced)
    assert len(theirs) == 4, theirs  # the process, its thread, its two children
    for task, lines in theirs.items():
        assert all(line.startswith("<") for line in lines), lines
        got = ours.get(task, [])
        assert got == lines, "\n".join(difflib.unified_diff(lines, got, "strace", "traced", n=1))
    assert ours.keys() == theirs.keys()
