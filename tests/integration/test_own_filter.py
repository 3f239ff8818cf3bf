"""A traced program with a seccomp filter of its own (a sandbox) behaves as it does
untraced and under ``strace -f``, and its calls are shown as strace shows them.

* Its filter's SECCOMP_RET_TRACE fails the call with ENOSYS when no tracer asked for
  seccomp stops.  Under traced too: in full mode and on attach (no
  PTRACE_O_TRACESECCOMP), and in a launch with our filter (its stops told from
  ours by their data, and failed as the kernel would).
* Its filter's ERRNO (or TRAP, or KILL) outranks our TRACE, so with our filter
  alone the refused call would never stop: the task goes to full mode once its
  install returns, and ``uname(...) = -1 EPERM`` is shown as strace (without
  --seccomp-bpf) shows it, in the children it makes afterwards too.

The program is tests/programs/own_filter.c.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.corpus import normalize, run_pair, tracer_env

pytestmark = pytest.mark.integration

ENOSYS_EXIT, EPERM_EXIT = 38, 1
TIMEOUT = 60


def traced(*options: str) -> list[str]:
    return [sys.executable, "-m", "traced", *options]


def status_of(argv: list[str], cwd: Path) -> int:
    done = subprocess.run(
        argv,
        cwd=cwd,
        env=tracer_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    return done.returncode


def lines_of(raw: list[str], *starts: str) -> list[str]:
    """The normalized lines (pids named, addresses masked) that start with ``starts``."""
    return [f"{line.pid} {line.text}" for line in normalize(raw) if line.text.startswith(starts)]


# With getppid asked for and our filter; with our filter, getppid not asked for; and
# in full mode, where traced stops at every syscall and sets no TRACESECCOMP.
LAUNCHES = [["-e", "trace=getppid"], ["-e", "trace=openat"], ["-e", "trace=all"]]


@pytest.mark.parametrize("options", LAUNCHES, ids=" ".join)
def test_its_own_trace_verdict_fails_with_enosys_as_untraced(
    options: list[str], programs: dict[str, Path], strace_tool: str, tmp_path: Path
) -> None:
    program = [str(programs["own_filter"]), "trace"]
    assert status_of(program, tmp_path) == ENOSYS_EXIT  # untraced: ENOSYS
    assert status_of([strace_tool, "-f", "-o", "/dev/null", *program], tmp_path) == ENOSYS_EXIT
    out = tmp_path / "traced.txt"
    launch = traced("launch", "-f", "--no-daemon", "-o", str(out), *options, "--", *program)
    assert status_of(launch, tmp_path) == ENOSYS_EXIT, out.read_text()


def test_its_own_trace_verdict_shows_as_strace_shows_it(
    programs: dict[str, Path], strace_tool: str, tmp_path: Path
) -> None:
    command = [str(programs["own_filter"]), "trace"]
    strace, ours = run_pair(command, ["-e", "trace=getppid"], tmp_path, tracer_env())
    theirs = lines_of(strace, "getppid")
    assert theirs == ["P1 getppid() = -1 ENOSYS (Function not implemented)"]
    assert lines_of(ours, "getppid") == theirs


def test_its_own_trace_verdict_fails_with_enosys_while_attached(
    programs: dict[str, Path], tmp_path: Path
) -> None:
    out, errors = tmp_path / "attached.txt", tmp_path / "stderr.txt"
    target = subprocess.Popen([str(programs["own_filter"]), "trace", "wait"], stdin=subprocess.PIPE)
    attach = None
    try:
        with errors.open("wb") as stderr:
            argv = traced("attach", "--no-daemon", "-e", "trace=getppid", "-o", str(out))
            attach = subprocess.Popen([*argv, str(target.pid)], env=tracer_env(), stderr=stderr)
        deadline = time.monotonic() + 20
        while _tracer_of(target.pid) == 0:
            assert time.monotonic() < deadline, "traced never attached"
            time.sleep(0.02)
        assert target.stdin is not None
        target.stdin.write(b"g")
        target.stdin.close()
        assert target.wait(timeout=TIMEOUT) == ENOSYS_EXIT
        assert attach.wait(timeout=TIMEOUT) == 0, errors.read_text()
    finally:
        target.kill()
        target.wait()
        if attach is not None and attach.poll() is None:
            attach.kill()
            attach.wait()
    assert lines_of(out.read_text().splitlines(), "getppid") == [
        "P1 getppid() = -1 ENOSYS (Function not implemented)"
    ]


def _tracer_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("TracerPid:"):
            return int(line.split()[1])
    return 0


REFUSED = [
    ("errno", "a filter installed with prctl(PR_SET_SECCOMP)"),
    ("fork", "a child forked after its parent's seccomp() inherits the filter"),
]


@pytest.mark.parametrize(("mode", "what"), REFUSED, ids=[mode for mode, _ in REFUSED])
def test_a_call_its_own_filter_refuses_is_shown_as_strace_shows_it(
    mode: str, what: str, programs: dict[str, Path], strace_tool: str, tmp_path: Path
) -> None:
    command = [str(programs["own_filter"]), mode]
    assert status_of(command, tmp_path) == EPERM_EXIT
    strace, ours = run_pair(command, ["-e", "trace=uname"], tmp_path, tracer_env())
    theirs = lines_of(strace, "uname")
    assert len(theirs) == 1 and theirs[0].endswith("= -1 EPERM (Operation not permitted)")
    assert lines_of(ours, "uname") == theirs, what
    out = tmp_path / "traced.txt"
    launch = traced(
        "launch", "-f", "--no-daemon", "-o", str(out), "-e", "trace=uname", "--", *command
    )
    assert status_of(launch, tmp_path) == EPERM_EXIT


def test_a_sandboxed_process_is_traced_whole(programs: dict[str, Path], tmp_path: Path) -> None:
    """After the switch, every call of the sandboxed task is still decoded and
    reported once: nothing twice (our filter's stops after its entry stops), no
    unfinished call."""
    out = tmp_path / "traced.txt"
    command = [str(programs["own_filter"]), "errno"]
    options = ["-e", "trace=uname,exit_group,prctl"]
    launch = traced("launch", "-f", "--no-daemon", "-o", str(out), *options, "--", *command)
    assert status_of(launch, tmp_path) == EPERM_EXIT
    texts = [line.text for line in normalize(out.read_text().splitlines())]
    assert [text.split("(")[0] for text in texts] == [
        "prctl",
        "prctl",
        "uname",
        "exit_group",
        "+++ exited with 1 +++",
    ], texts
    assert not [text for text in texts if "unfinished" in text or "resumed" in text]
