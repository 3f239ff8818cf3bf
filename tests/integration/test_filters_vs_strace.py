"""The filter parser against real strace 6.1: the same expressions are accepted,
the same errors are given, and the same syscalls are selected."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from traced.errors import TracedError
from traced.filter.expression import parse_filter
from traced.syscalls.arch import X86_64

pytestmark = pytest.mark.integration

SCRIPT = "ls / >/dev/null; cat /nonexistent 2>/dev/null; true"
LINE = re.compile(r"^\d+\s+(?:<\.\.\. (\w+) resumed>|(\w+)\()")

EXPRESSIONS = [
    # valid trace= expressions
    "trace=openat,close",
    "t=read",
    "openat",
    "trace=%file",
    "trace=!%file,openat",
    "trace=%desc",
    "trace=%memory",
    "trace=%process",
    "trace=%signal",
    "trace=%%stat",
    "trace=%network",
    "trace=%creds",
    "trace=file",
    "trace=signal",
    "trace=/^open",
    "trace=/^(open|close)",
    "trace=/stat$",
    "trace=/",
    "trace=?nosuchcall,openat",
    "trace=?%nosuch,close",
    "trace=!openat",
    "trace=!!openat",
    "trace=none",
    "trace=all",
    "trace=!none",
    "trace=openat,all",
    "trace=257",
    "trace=openat@64",
    "trace=/open@64",
    "trace=?",
    "trace=,openat,,",
    # raw= takes a syscall set too (it changes printing, not selection)
    "raw=openat",
    "x=%file,close",
    "raw=nosuch",
    "x=%nosuch",
    # valid status= and signal=
    "status=failed",
    "status=!successful,FAILED",
    "signal=!SIGCHLD",
    "s=chld,hup,17,SIGRT_1,rtmin",
    "signal=99",  # strace 6.1 takes any number up to 255, a signal or not
    # invalid
    "trace=nosuch",
    "trace=",
    "trace=!",
    "trace=,",
    "trace=%file,!openat",
    "trace=%NET",
    "trace=openat, close",
    "trace=/(",
    "trace=/[a",
    "trace=/a{2,1}",
    "trace=/zzzz",
    "trace=99999",
    "trace=0x10",
    "trace=openat@zz",
    "trace=oldstat@64",
    "foo=bar",
    "status=bogus",
    "status=",
    "signal=SIGFOO",
    "signal=256",
    "signal=SIGRT_0",
    "signal=",
]


def strace_names(strace: str, out: Path, *options: str) -> tuple[int, str, set[str]]:
    """Run the script under strace: exit code, stderr, the syscall names printed."""
    out.unlink(missing_ok=True)
    command = [strace, "-f", "-qq", "-o", str(out), *options, "/bin/sh", "-c", SCRIPT]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    names = set()
    if out.exists():
        for line in out.read_text().splitlines():
            if match := LINE.match(line):
                names.add(match[1] or match[2])
    return done.returncode, done.stderr, names


@pytest.fixture(scope="module")
def program_syscalls(strace_tool: str, tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every syscall the script makes (two unfiltered runs, to be safe)."""
    out = tmp_path_factory.mktemp("full") / "out"
    names: set[str] = set()
    for _ in range(2):
        rc, stderr, found = strace_names(strace_tool, out)
        assert rc == 0, stderr
        names |= found
    assert {"openat", "execve", "close"} <= names
    return names


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_agrees_with_strace(
    expression: str, strace_tool: str, program_syscalls: set[str], tmp_path: Path
) -> None:
    rc, stderr, printed = strace_names(strace_tool, tmp_path / "out", "-e", expression)
    try:
        ours = parse_filter([expression], X86_64)
    except TracedError as error:
        assert rc != 0, f"strace accepts {expression!r}, we say: {error}"
        first = stderr.splitlines()[0]  # "PROGRAM: message", PROGRAM as invoked
        assert first.removeprefix(f"{strace_tool}: ") == str(error)
        return
    assert rc == 0, f"strace refuses {expression!r} ({stderr.strip()}), we accept it"
    if ours.syscalls is None:
        selected = program_syscalls | printed
    else:
        assert printed <= ours.syscalls, f"strace printed {printed - ours.syscalls}"
        selected = ours.syscalls & program_syscalls
    if expression.startswith(("status=", "signal=", "s=", "raw=", "x=")):
        return  # those select by outcome, or only change how lines print
    assert selected == printed
