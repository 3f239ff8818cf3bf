"""Hostile cases of the command line (issue 13): a launch too big for one line, a
Ctrl-C before traced is ready, a full disk under -o, and -ff out of fds.  Each runs
the real ``traced`` in a process of its own, with a real daemon where it says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.daemon_fixture import REPO, running_daemon
from traced.errors import ErrorCode, RequestFailed
from traced.wire.client import Client

pytestmark = pytest.mark.integration

TRACED = [sys.executable, "-m", "traced"]


def _traced(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TRACED, *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- 13.3: a launch's argv and env in one line --------------------------------------


def test_a_launch_with_an_environment_of_a_megabyte_and_a_half_works_through_the_daemon(
    tmp_path: Path,
) -> None:
    # 24 variables of 64 KiB: each under MAX_ARG_STRLEN (128 KiB), together 1.5 MiB,
    # under ARG_MAX (2 MiB with an 8 MiB stack) but over the old 1 MiB max_line.
    env = dict(os.environ)
    big = {f"BIG_{n}": chr(ord("a") + n) * (64 << 10) for n in range(24)}
    env.update(big)
    count = "import os; print(sum(len(v) for k, v in os.environ.items() if k.startswith('BIG_')))"
    with running_daemon(tmp_path) as started:
        done = _traced(
            "--socket", str(started.socket), "launch", "--daemon", "-e", "trace=none",
            "--", sys.executable, "-c", count, env=env,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(24 * (64 << 10)), done.stdout


def test_a_request_over_max_line_ends_the_client_with_an_error(tmp_path: Path) -> None:
    # A daemon with a small max_line: traced refuses to send what it cannot take,
    # and says why, instead of waiting for an answer that carries no id.
    env = {**os.environ, "TOO_BIG": "x" * 8192}
    with running_daemon(tmp_path, config="[limits]\nmax_line = 4096\n") as started:
        done = _traced(
            "--socket", str(started.socket), "launch", "--daemon", "-e", "trace=none",
            "--", "true", env=env, timeout=30,
        )  # fmt: skip
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "max_line of 4096" in done.stderr, done.stderr


def test_an_error_without_an_id_ends_the_wait_for_an_answer(tmp_path: Path) -> None:
    # The daemon's line_too_long (and malformed) cannot carry the request's id: a
    # client waiting for its answer must take it as that answer, not wait forever.
    with running_daemon(tmp_path, config="[limits]\nmax_line = 4096\n") as started:
        client = Client(started.socket)
        client.sock.settimeout(20)  # a hang fails the test instead of stalling it
        try:
            client.sock.sendall(b'{"id": 1, "op": "list", "pad": "' + b"x" * 5000 + b'"}\n')
            with pytest.raises(RequestFailed) as failed:
                client.answer(1)
            assert failed.value.code is ErrorCode.LINE_TOO_LONG
            client.sock.sendall(b"not json\n")
            with pytest.raises(RequestFailed) as failed:
                client.answer(2)
            assert failed.value.code is ErrorCode.MALFORMED
            assert "sessions" in client.request("list")  # the connection goes on
        finally:
            client.close()
