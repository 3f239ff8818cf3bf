"""-e inject= and -e fault= on real processes: what the program sees (its errno, the
value returned, the signal it catches), which invocations are hit, and traced's
lines against strace 6.1's own for the same command.

The program (tests/programs/inject_calls.c) calls unlinkat N times and prints, for
each call, what it returned, its errno and the signals it caught meanwhile.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.daemon_fixture import REPO, Peer
from tests.integration.tools import require_tool

pytestmark = pytest.mark.integration

ENV = {"PATH": os.environ["PATH"], "LC_ALL": "C"}
TRACED = [sys.executable, "-m", "traced", "launch", "-f", "--no-daemon"]
EPERM, ENOENT, ENOSYS, EACCES = 1, 2, 38, 13


def traced(
    args: list[str], cwd: Path
) -> tuple[list[str], list[str], subprocess.CompletedProcess[str]]:
    """The program's lines and traced's (from -o) for ``traced launch ARGS``."""
    out = cwd / "traced.txt"
    done = subprocess.run(
        [*TRACED, "-o", str(out), *args],
        cwd=cwd, env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.splitlines(), unpid(out.read_text()), done


def unpid(text: str) -> list[str]:
    """The lines less -f -o's pid column: each tracer's run has its own pids."""
    return [re.sub(r"^\d+ +", "", line) for line in text.splitlines()]


def straced(args: list[str], cwd: Path) -> tuple[list[str], list[str]]:
    strace = require_tool("strace", "it is the reference")
    out = cwd / "strace.txt"
    done = subprocess.run(
        [strace, "-f", "-o", str(out), *args], cwd=cwd, env=ENV, capture_output=True, text=True
    )
    return done.stdout.splitlines(), unpid(out.read_text())


def calls(lines: list[str]) -> list[tuple[int, int, int]]:
    """The program's (rc, errno, signals caught) for each call."""
    found = [re.fullmatch(r"call \d+: rc=(-?\d+) errno=(\d+) signals=(\d+)", x) for x in lines]
    return [(int(m[1]), int(m[2]), int(m[3])) for m in found if m]


CASES = {
    "error when=2..3": ("inject=unlinkat:error=EPERM:when=2..3", 4),
    "retval": ("inject=unlinkat:retval=42", 2),
    "signal when=2": ("inject=unlinkat:signal=SIGUSR1:when=2", 3),
    "error and signal": ("inject=unlinkat:error=EPERM:signal=SIGUSR2:when=1+2", 3),
    "fault": ("fault=unlinkat:when=2+", 3),
    "syscall=": ("inject=unlinkat:syscall=getppid:error=EACCES", 1),
    "delays": ("inject=unlinkat:delay_enter=1000:delay_exit=2ms:when=1", 2),
    "error and delay": ("inject=unlinkat:error=EPERM:delay_exit=10", 1),
    "retval -1": ("inject=unlinkat:retval=-1:when=1", 1),
}


@pytest.mark.parametrize(("expression", "count"), CASES.values(), ids=CASES.keys())
def test_lines_and_effects_are_straces(
    programs: dict[str, Path], tmp_path: Path, expression: str, count: int
) -> None:
    argv = [str(programs["inject_calls"]), str(count), "victim"]
    theirs, their_lines = straced(["-e", "trace=unlinkat", "-e", expression, *argv], tmp_path)
    ours, our_lines, done = traced(
        ["-e", "trace=unlinkat", "-e", expression, "--", *argv], tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert calls(ours) == calls(theirs) and len(calls(ours)) == count
    assert our_lines == their_lines


def test_the_program_sees_the_errno_and_the_value(
    programs: dict[str, Path], tmp_path: Path
) -> None:
    argv = [str(programs["inject_calls"]), "4", "victim"]
    ours, _, _ = traced(
        ["-e", "trace=unlinkat", "-e", "inject=unlinkat:error=EPERM:when=2..3", "--", *argv],
        tmp_path,
    )
    assert calls(ours) == [(0, 0, 0), (-1, EPERM, 0), (-1, EPERM, 0), (-1, ENOENT, 0)]
    ours, _, _ = traced(
        [
            "-e",
            "trace=unlinkat",
            "-e",
            "inject=unlinkat:retval=42:signal=USR1",
            "--",
            *argv[:1],
            "1",
            "victim",
        ],
        tmp_path,
    )
    assert calls(ours) == [(42, 0, 1)]


def test_full_mode_injects_at_syscall_stops(programs: dict[str, Path], tmp_path: Path) -> None:
    """No trace=: no filter, every call stops; the signal goes with the entry's restart."""
    argv = [str(programs["inject_calls"]), "3", "victim"]
    expression = "inject=unlinkat:error=EPERM:signal=SIGUSR1:when=2"
    theirs, their_lines = straced(["-e", expression, *argv], tmp_path)
    ours, our_lines, _ = traced(["-e", expression, "--", *argv], tmp_path)
    assert calls(ours) == calls(theirs) == [(0, 0, 0), (-1, EPERM, 1), (-1, ENOENT, 0)]
    wanted = re.compile(r"^(unlinkat|---)")
    assert [x for x in our_lines if wanted.match(x)] == [x for x in their_lines if wanted.match(x)]


def test_counts_are_per_process(programs: dict[str, Path], tmp_path: Path) -> None:
    """Two processes, each with its own count: the second call of each is failed."""
    program = programs["inject_calls"]
    script = f"{program} 2 a; {program} 2 b"
    ours, _, _ = traced(
        [
            "-e",
            "trace=unlinkat",
            "-e",
            "inject=unlinkat:error=EPERM:when=2",
            "--",
            "sh",
            "-c",
            script,
        ],
        tmp_path,
    )
    assert calls(ours) == [(0, 0, 0), (-1, EPERM, 0), (0, 0, 0), (-1, EPERM, 0)]


def test_only_traced_calls_are_injected(programs: dict[str, Path], tmp_path: Path) -> None:
    argv = [str(programs["inject_calls"]), "1", "victim"]
    ours, _, _ = traced(
        ["-e", "trace=openat", "-e", "inject=unlinkat:error=EPERM", "--", *argv], tmp_path
    )
    assert calls(ours) == [(0, 0, 0)]  # as strace: unlinkat is not traced, so untouched


def test_in_kernel_errors_never_stop_and_the_program_sees_them(
    programs: dict[str, Path], tmp_path: Path
) -> None:
    argv = [str(programs["inject_calls"]), "3", "victim"]
    args = [
        "-e",
        "trace=unlinkat,execve",
        "-e",
        "inject=unlinkat:error=EACCES",
        "--inject-in-kernel",
    ]
    ours, lines, done = traced([*args, "--", *argv], tmp_path)
    assert done.returncode == 0, done.stderr
    assert calls(ours) == [(-1, EACCES, 0)] * 3
    assert not [line for line in lines if line.startswith("unlinkat")]  # no stop, no line
    assert [line for line in lines if line.startswith("execve")]  # the rest as ever


def test_execve_is_never_failed_in_the_kernel(tmp_path: Path) -> None:
    """Our own execve runs under the filter: an execve fault stays at stops, and the
    command's first execve (ours) is neither counted nor failed, as under strace."""
    args = ["-e", "trace=execve", "-e", "fault=execve", "--inject-in-kernel"]
    _, lines, done = traced([*args, "--", "sh", "-c", "exec /bin/true"], tmp_path)
    assert done.returncode != 0, lines  # sh's exec of true failed
    assert lines[0].startswith('execve("/usr/bin/sh", ') and lines[0].endswith(" = 0"), lines
    assert lines[1].startswith('execve("/bin/true", ["/bin/true"], ') and lines[1].endswith(
        "= -1 ENOSYS (Function not implemented) (INJECTED)"
    )


def test_a_delay_holds_one_tracee_and_not_the_others(
    programs: dict[str, Path], tmp_path: Path
) -> None:
    """A two-second delay of one process's unlinkat: the other process, started once
    the first has made its file (its next call is the held one), runs to its end
    meanwhile (its exit comes first in the trace)."""
    program = programs["inject_calls"]
    script = f"{program} 1 a & until [ -e a ]; do :; done; {program} 0 b; wait"
    args = ["-e", "trace=unlinkat,exit_group", "-e", "inject=unlinkat:delay_enter=2s"]
    _, lines, done = traced([*args, "--", "sh", "-c", script], tmp_path)
    assert done.returncode == 0, done.stderr
    ends = [i for i, line in enumerate(lines) if "exit_group(0)" in line]
    [resumed] = [i for i, line in enumerate(lines) if "unlinkat resumed" in line]
    assert lines[resumed].endswith("= 0 (DELAYED)")
    assert len([i for i in ends if i < resumed]) == 1, lines  # the other's


@pytest.mark.parametrize(
    "expression",
    [
        "inject=unlinkat",
        "inject=unlinkat:foo",
        "fault=unlinkat:retval=1",
        "inject=nosuch:error=EPERM",
    ],
)
def test_errors_are_straces(tmp_path: Path, expression: str) -> None:
    strace = require_tool("strace", "it is the reference")
    theirs = subprocess.run([strace, "-e", expression, "true"], capture_output=True, text=True)
    _, _, done = traced(["-e", expression, "--", "true"], tmp_path)
    assert done.returncode == theirs.returncode == 1
    assert done.stderr.removeprefix("traced:") == theirs.stderr.removeprefix(f"{strace}:")


def test_a_daemon_session_injects(daemon: Path, programs: dict[str, Path], tmp_path: Path) -> None:
    peer = Peer(daemon)
    argv = [str(programs["inject_calls"]), "3", str(tmp_path / "victim")]
    fields = {"trace": "unlinkat", "inject": ["inject=unlinkat:error=EPERM:when=2+"]}
    session = peer.launch(argv, **fields)["result"]["session"]
    events = [m for m in peer.messages_until_end(session) if m.get("name") == "unlinkat"]
    assert [(e["error"], e["injected"]) for e in events] == [
        (None, False), ("EPERM", True), ("EPERM", True)
    ]  # fmt: skip
    refused = peer.launch(argv, inject=["inject=unlinkat:foo"])
    assert refused["code"] == "bad_filter"
    assert refused["message"] == "invalid inject argument 'unlinkat:foo'"


def test_pokes_write_the_tracees_memory_as_straces_do(
    programs: dict[str, Path], tmp_path: Path
) -> None:
    """poke_exit= after read fills its buffer, poke_enter= before write sends its
    bytes: the program sees what strace's pokes make it see, and the lines say so."""
    pokes = [
        # when=2: the first read is the dynamic loader's, of libc
        "-e", "trace=read,write", "-e", "inject=read:poke_exit=@arg2=deadbeef:when=2",
        "-e", "inject=write:poke_enter=@arg2=4a45:when=1",
    ]  # fmt: skip
    program = [str(programs["poke_calls"])]
    theirs, _ = straced([*pokes, *program], tmp_path)
    ours, lines, done = traced([*pokes, "--", *program], tmp_path)
    assert done.returncode == 0, done.stderr
    assert ours == theirs == ["JEllo", "deadbeef00000000"]
    assert any(line.endswith("= 8 (INJECTED: args)") and "read(" in line for line in lines)
