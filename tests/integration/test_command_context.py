"""A command gets exactly the fds and the context it is owed, in-process and through a
real daemon (one started as ``nohup`` starts it): its stdio as traced got it (a closed
one closed), the fds traced inherited, PATH searched in its own folder, every signal
at its default but those its requester ignored, and a clear refusal of an argv or
environment execve cannot take."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvloop

from tests.integration.daemon_fixture import Peer, end_of, running_daemon, session_of
from traced.errors import InvalidLaunchError
from traced.tracer.engine import Engine
from traced.tracer.run import TracePolicy
from traced.tracer.spawn import LaunchSpec

pytestmark = pytest.mark.integration

TRACED = [sys.executable, "-m", "traced"]
TIMEOUT = 60


@pytest.fixture(params=["in-process", "daemon"])
def launch(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    """``traced launch`` in-process, or through a daemon started with SIGHUP ignored."""
    if request.param == "in-process":
        yield [*TRACED, "launch", "-f", "--no-daemon", "-e", "trace=none"]
        return
    folder = tmp_path / "daemon"
    folder.mkdir()
    with running_daemon(folder, ignored_signals=(signal.SIGHUP,)) as daemon:
        yield [
            *TRACED,
            "--socket",
            str(daemon.socket),
            "launch",
            "-f",
            "--daemon",
            "-e",
            "trace=none",
        ]


def in_shell(script: str, command: list[str]) -> subprocess.CompletedProcess[str]:
    """``command`` exec'd by sh after ``script``'s redirections (``exec "$@" <&-``)."""
    return subprocess.run(
        ["sh", "-c", f'exec "$@" {script}', "sh", *command],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


# For fds 0-2: whether the command holds it.  The tests are the shell's own, so they
# open nothing; only the echo to the report file is redirected.
STD_PROBE = (
    'for fd in 0 1 2; do if [ -e /proc/self/fd/$fd ]; then echo "$fd open" >> "$0"; '
    'else echo "$fd closed" >> "$0"; fi; done; echo "output$((40 + 2))" 2>/dev/null; exit 0'
)


def test_closed_standard_fds_stay_closed_in_the_command(launch: list[str], tmp_path: Path) -> None:
    # Closed for traced, closed for the command: never traced's epoll fd (libuv then
    # aborts), never its trace file (the command's output would land in the trace).
    report, trace = tmp_path / "report", tmp_path / "trace.json"
    command = [*launch, "--json", "-o", str(trace), "--", "sh", "-c", STD_PROBE, str(report)]
    done = in_shell("<&- >&-", command)
    assert done.returncode == 0, done.stderr
    assert report.read_text() == "0 closed\n1 closed\n2 open\n", done.stderr
    assert "output42" not in trace.read_text()  # the argv has "output$((40 + 2))"
    done = in_shell("2>&-", [*launch, "--", "sh", "-c", STD_PROBE, str(report)])
    assert done.returncode == 0, done.stderr
    assert report.read_text().splitlines()[3:] == ["0 open", "1 open", "2 closed"]


# The fds the command holds from 3 to 40, after reading fds 3 and 9.
INHERITED_PROBE = (
    'cat <&3; cat <&9; for fd in $(seq 3 40); do [ -e /proc/self/fd/$fd ] && echo "has $fd"; '
    "done; exit 0"
)


def test_inherited_fds_reach_the_command(launch: list[str], tmp_path: Path) -> None:
    # As under strace: ``traced launch -- cmd 3<file`` gives cmd its fd 3 (and 9).
    (tmp_path / "three").write_text("three\n")
    (tmp_path / "nine").write_text("nine\n")
    done = in_shell(
        f"3<{tmp_path / 'three'} 9<{tmp_path / 'nine'}",
        [*launch, "--", "sh", "-c", INHERITED_PROBE],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "three\nnine\nhas 3\nhas 9\n", done.stderr


def test_more_inherited_fds_than_a_request_carries_trace_in_process(tmp_path: Path) -> None:
    # 251 fds do not fit one sendmsg with stdio's three: with a daemon up, the launch
    # is traced in-process (every fd reaches the command); --daemon refuses (exit 2).
    null = os.open(os.devnull, os.O_RDONLY)
    fds = [os.dup(null) for _ in range(251)]
    probe = f'[ -e /proc/self/fd/{fds[0]} ] && [ -e /proc/self/fd/{fds[-1]} ] && echo "has all"'
    try:
        with running_daemon(tmp_path) as daemon:
            base = [*TRACED, "--socket", str(daemon.socket), "launch", "-f", "-e", "trace=none"]
            auto, forced = (
                subprocess.run(
                    [*base, *argv], pass_fds=fds, capture_output=True, text=True, timeout=TIMEOUT
                )
                for argv in (["--", "sh", "-c", probe], ["--daemon", "--", "true"])
            )
    finally:
        for fd in (null, *fds):
            os.close(fd)
    assert (auto.returncode, auto.stdout) == (0, "has all\n"), auto.stderr
    assert forced.returncode == 2 and "use --no-daemon" in forced.stderr, forced.stderr


def test_a_relative_path_entry_is_searched_in_the_commands_folder(
    launch: list[str], tmp_path: Path
) -> None:
    # PATH=".:$PATH": the shell finds ./mytool in its folder; so must the daemon,
    # whose own folder is elsewhere.
    folder = tmp_path / "tools"
    folder.mkdir()
    tool = folder / "mytool"
    tool.write_text("#!/bin/sh\nexit 7\n")
    tool.chmod(0o755)
    env = {**os.environ, "PATH": f".:{os.environ['PATH']}"}
    done = subprocess.run(
        [*launch, "--", "mytool"], cwd=folder, env=env, capture_output=True, timeout=TIMEOUT
    )
    assert done.returncode == 7, done.stderr


# Runs ``sys.argv[1:]`` with SIGUSR2 ignored and SIGUSR1 blocked.
IGNORE_USR2_BLOCK_USR1 = """\
import os, signal, sys
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
os.execv(sys.argv[1], sys.argv[1:])
"""


def _mask(status: str, field: str) -> set[int]:
    (line,) = (line for line in status.splitlines() if line.startswith(f"{field}:"))
    bits = int(line.split()[1], 16)
    return {signo for signo in range(1, 65) if bits >> (signo - 1) & 1}


def test_the_command_ignores_what_its_requester_ignored_and_nothing_else(
    launch: list[str],
) -> None:
    # The daemon ignores SIGHUP (started under nohup): its commands must not.  The one
    # who asks ignores SIGUSR2 (and blocks SIGUSR1): its command ignores SIGUSR2, as
    # it would without traced (and under strace), with nothing blocked.
    command = [*launch, "--", "sh", "-c", "exec cat /proc/self/status"]
    done = subprocess.run(
        [sys.executable, "-c", IGNORE_USR2_BLOCK_USR1, *command],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert _mask(done.stdout, "SigIgn") == {signal.SIGUSR2}
    assert _mask(done.stdout, "SigBlk") == set()


def test_a_daemon_refuses_what_execve_cannot_take_as_invalid(tmp_path: Path) -> None:
    # Not "EIO" (126) from the child: the request is invalid, and the error says why.
    with running_daemon(tmp_path) as daemon:
        peer = Peer(daemon.socket)
        bad: dict[str, dict[str, Any]] = {
            "environment name 'A=B'": {"argv": ["/bin/true"], "env": {"A=B": "1"}},
            "argv[1] contains a NUL": {"argv": ["/bin/echo", "a\0b"]},
            "environment variable X contains a NUL": {"argv": ["/bin/true"], "env": {"X": "\0"}},
            "cwd contains a NUL": {"argv": ["/bin/true"], "cwd": "/\0"},
        }
        for words, fields in bad.items():
            answer = peer.launch(trace="none", **fields)
            assert answer["type"] == "error", (words, answer, end_of(peer, session_of(answer)))
            assert answer["code"] == "invalid" and words in answer["message"], answer
        ok = peer.launch(["/bin/true"], trace="none", env={"A": "=B"})
        assert end_of(peer, session_of(ok))["status"] == 0


def test_the_engine_refuses_what_execve_cannot_take_before_forking() -> None:
    async def attempt(spec: LaunchSpec) -> None:
        with Engine() as engine:
            engine.launch(spec, TracePolicy(frozenset()), lambda event: None)

    for spec in (
        LaunchSpec(("/bin/echo", "a\0b")),
        LaunchSpec(("/bin/true",), env={"A=B": "1"}),
        LaunchSpec(("/bin/true",), env={"": "1"}),
        LaunchSpec(("/bin/true",), env={"X": "\udc80\ud800"}),
    ):
        with pytest.raises(InvalidLaunchError):
            uvloop.run(attempt(spec))
