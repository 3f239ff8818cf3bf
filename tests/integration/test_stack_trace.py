"""-k under strace and traced on the same programs: the same lines, frames and all.

strace 6.1 here walks stacks with libunwind, as traced does, so each frame's file,
function and offsets are the same in both: a frame's offsets are in its file, not
in memory, so ASLR leaves them alone, and stack lines are compared exactly.  The
other lines are compared as the corpus compares them (corpus.py): each pid by the
order it first appears in, every hex number outside the stack lines masked.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.corpus import run_pair, tracer_env
from traced.errors import StackTraceUnavailable
from traced.linux import unwind

pytestmark = pytest.mark.integration

_PID = re.compile(r"^(\d+) +")
_HEX = re.compile(r"\b0x[0-9a-f]+\b")
_PID_FIELD = re.compile(r"\b(si_pid|pid)=\d+")


def canonical(lines: list[str]) -> list[str]:
    """Pids named by order of appearance, the syscall lines' hex numbers masked;
    stack lines (`` > ``) exactly as written."""
    pids: dict[str, str] = {}
    out = []
    for line in lines:
        if line.startswith(" > "):
            out.append(line)
            continue
        found = _PID.match(line)
        pid, text = "", line
        if found is not None:
            pid = pids.setdefault(found.group(1), f"#{len(pids)}")
            text = line[found.end() :]
        text = _PID_FIELD.sub(r"\1=PID", _HEX.sub("0x?", text))
        out.append(f"{pid} {re.sub(r' {2,}= ', ' = ', text)}")
    return out


def compare(command: list[str], options: list[str], cwd: Path) -> list[str]:
    strace, traced = run_pair(command, options, cwd, tracer_env())
    theirs, ours = canonical(strace), canonical(traced)
    assert any(line.startswith(" > ") for line in theirs), "strace printed no stack"
    assert ours == theirs, "\n".join(difflib.unified_diff(theirs, ours, "strace", "traced", n=2))
    return ours


def test_echo_s_write_and_exit_group_have_strace_s_stacks(short_dir: Path) -> None:
    lines = compare(["/bin/echo", "hi"], ["-k", "-e", "trace=write,exit_group"], short_dir)
    exited = lines.index("#0 +++ exited with 0 +++")
    assert lines[exited + 1].startswith(" > ")  # exit_group's, walked at its entry


@pytest.mark.parametrize(
    "options",
    [
        ["-k", "-e", "trace=chdir,write,execve,exit_group", "-e", "signal=SIGURG"],
        ["--stack-trace", "-qq", "-e", "trace=%memory,chdir", "-e", "signal=none"],
        ["-kk", "-e", "trace=execve,exit_group,chdir", "-e", "signal=none", "-y"],
        ["-k", "-Z", "-e", "trace=chdir,write", "-e", "signal=none"],  # a failed call's
        ["-k", "-z", "-e", "trace=chdir,write,exit_group", "-e", "signal=SIGURG"],
    ],
    ids=" ".join,
)
def test_calls_deep_in_a_program_have_strace_s_stacks(
    options: list[str], programs: dict[str, Path], short_dir: Path
) -> None:
    """Frames four deep, under C and C++ names (demangled), a signal's stack, a child's
    execve (walked at its entry), and the mappings ld.so makes, placed as they change."""
    lines = compare([str(programs["stack_calls"])], options, short_dir)
    assert any("(ns::f3(int)+0x" in line for line in lines)


def test_the_daemon_prints_the_same_stacks(daemon: Path, programs: dict[str, Path]) -> None:
    command = [str(programs["stack_calls"])]
    options = ["-k", "-e", "trace=chdir,write", "-e", "signal=SIGURG"]
    texts = []
    for mode in ("--no-daemon", "--daemon"):
        done = subprocess.run(
            [sys.executable, "-m", "traced", "launch", mode, *options, "--", *command],
            env={**tracer_env(), "TRACED_SOCKET": str(daemon)},
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        texts.append([line for line in done.stderr.splitlines() if line.startswith(" > ")])
    assert texts[0] and texts[0] == texts[1]


def test_json_events_carry_the_frames(programs: dict[str, Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "traced", "launch", "--no-daemon", "--json", "-k",
         "-e", "trace=chdir", "-e", "signal=none", "--", str(programs["stack_calls"])],
        env=tracer_env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    calls = [json.loads(line) for line in done.stderr.splitlines()]
    chdir = [event for event in calls if event.get("name") == "chdir"]
    assert len(chdir) == 2
    stack = chdir[1]["stack"]
    assert stack["at"] == "exit"
    first, second = stack["frames"][:2]
    assert first["module"].endswith("libc.so.6") and first["symbol"] == "chdir"
    assert second["module"] == str(programs["stack_calls"]) and second["symbol"] == "f3"
    assert [frame["symbol"] for frame in stack["frames"][2:4]] == ["_ZN2ns2f3Ei", "_ZN2ns2f2Ei"]
    frames = stack["frames"]
    assert all(frame["error"] is None and frame["ip"] > frame["address"] for frame in frames)


def test_without_libunwind_k_says_which_library_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The error a machine without libunwind8 gets (a library name no machine has)."""
    row = unwind.ARCHES[os.uname().machine]._replace(library="libunwind-nowhere.so.8")
    monkeypatch.setitem(unwind.ARCHES, os.uname().machine, row)
    with pytest.raises(StackTraceUnavailable, match=r"libunwind-nowhere\.so\.8.*libunwind8"):
        unwind.Libunwind()
    with pytest.raises(StackTraceUnavailable, match="not supported on vax"):
        unwind.Libunwind("vax")


def test_k_with_c_is_strace_s_warning_and_no_walk(programs: dict[str, Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "traced", "launch", "--no-daemon", "-c", "-k", "-e", "trace=chdir",
         "--", str(programs["stack_calls"])],
        env=tracer_env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("traced: -k/--stack-traces has no effect with -c/--summary-only")
    assert " > " not in done.stderr
