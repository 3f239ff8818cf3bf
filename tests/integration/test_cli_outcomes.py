"""Hostile cases of the command line (issue 13): a launch too big for one line, a
Ctrl-C before traced is ready, a full disk under -o, and -ff out of fds.  Each runs
the real ``traced`` in a process of its own, with a real daemon where it says so."""

from __future__ import annotations

import os
import re
import resource
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.daemon_fixture import HANG_GUARD, REPO, running_daemon
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
            "--socket", str(started.socket), "launch", "-f", "--daemon", "-e", "trace=none",
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
            "--socket", str(started.socket), "launch", "-f", "--daemon", "-e", "trace=none",
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


# --- 13.4: a Ctrl-C while traced starts -----------------------------------------------


def _status_field(pid: int, name: str) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name} in /proc/{pid}/status")


def _signal_state(pid: int) -> str:
    """What the kernel says of a process that did not end: its state and signal masks."""
    fields = ("State", "TracerPid", "SigPnd", "ShdPnd", "SigBlk", "SigCgt")
    return ", ".join(f"{name} {_status_field(pid, name)}" for name in fields)


def _interrupt_attach(target: int, delay: float, socket: Path, mode: str) -> tuple[int, str]:
    """``traced attach`` of ``target``, SIGINT ``delay`` seconds after traced's own code
    began (``MARK``): its status and stderr, once it has ended (10 s, or the test fails)."""
    attach = ["--socket", str(socket), "attach", mode, "-e", "trace=none", str(target)]
    traced = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "traced", *attach],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert traced.stderr is not None
    seen = b""
    deadline = time.monotonic() + 10
    while MARK not in seen:  # importtime writes a line as each import completes
        assert time.monotonic() < deadline, f"traced never imported its parser: {seen!r}"
        if select.select([traced.stderr], [], [], 0.5)[0]:
            chunk = os.read(traced.stderr.fileno(), 65536)
            assert chunk, f"traced ended before its parser was imported: {seen!r}"
            seen += chunk
    time.sleep(delay)
    traced.send_signal(signal.SIGINT)
    try:
        _, rest = traced.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        state = _signal_state(traced.pid)
        traced.kill()
        _, rest = traced.communicate()
        err = (seen + rest).decode(errors="replace")
        raise AssertionError(f"traced went on after a SIGINT at {delay}s: {state}\n{err}") from None
    return traced.returncode, (seen + rest).decode(errors="replace")


def _assert_left_alone(target: subprocess.Popen[bytes], when: str) -> None:
    deadline = time.monotonic() + 5  # through the daemon, the detach takes its turn
    while _status_field(target.pid, "TracerPid") != "0":
        assert time.monotonic() < deadline, f"the target is still traced ({when})"
        time.sleep(0.02)
    assert target.poll() is None, f"the target died ({when})"
    assert _status_field(target.pid, "State")[0] in "SR", f"the target is stopped ({when})"


# traced's own code begins in traced/__main__.py, which imports traced.cli.main (and so
# its parser) right after blocking the signals it handles.  Before that the interpreter
# starts (site, runpy): a SIGINT then is Python's, which ends the process with
# KeyboardInterrupt, or, rarely, loses it in a callback that ignores exceptions
# ("Exception ignored in ... _get_module_lock"), before any line of traced has run.
MARK = b" traced.cli.parser\n"
EARLY_MOMENTS = (0.0, 0.01, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3)  # seconds after MARK
ENDED = (0, 128 + signal.SIGINT)  # detached, or ended before attaching
OUR_CODE = str(REPO / "traced") + "/"  # a traceback through it is traced's own doing


@pytest.mark.parametrize("mode", ["--no-daemon", "--daemon"])
def test_a_sigint_in_the_first_moments_of_attach_ends_it_and_leaves_the_target_alone(
    tmp_path: Path, mode: str
) -> None:
    target = subprocess.Popen(["sleep", "600"])
    try:
        with running_daemon(tmp_path) as started:
            for delay in EARLY_MOMENTS:
                status, err = _interrupt_attach(target.pid, delay, started.socket, mode)
                when = f"{mode}, SIGINT at {delay}s: exit {status}"
                assert OUR_CODE not in err, f"{when}\n{err}"
                assert status in ENDED, f"{when}\n{err}"
                _assert_left_alone(target, when)
    finally:
        target.kill()
        target.wait()


# Execs its arguments with SIGINT blocked and pending (both survive execve).
INTERRUPTED_ALREADY = """\
import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
os.kill(os.getpid(), signal.SIGINT)
os.execv(sys.argv[1], sys.argv[1:])
"""


ATTACH = ("attach", "--no-daemon", "-e", "trace=none")


def test_a_sigint_pending_when_traced_starts_is_not_lost() -> None:
    # The earliest moment of all: SIGINT sent to traced before its first instruction
    # (blocked and pending across exec, as one that lands while Python starts would be
    # if it could not be taken yet).  traced must act on it: end, attaching nothing.
    target = subprocess.Popen(["sleep", "600"])
    try:
        traced = subprocess.Popen(
            [sys.executable, "-c", INTERRUPTED_ALREADY, *TRACED, *ATTACH, str(target.pid)],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _, err = traced.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            traced.kill()
            traced.communicate()
            raise AssertionError("traced attached and went on despite a pending SIGINT") from None
        assert traced.returncode == 128 + signal.SIGINT, (traced.returncode, err)
        _assert_left_alone(target, "SIGINT pending at exec")
    finally:
        target.kill()
        target.wait()


# --- 13.5: a trace that cannot be written ----------------------------------------------

# 2,450 lines, the same each time (builtins only: no child whose end may interrupt a call)
BUSY_THEN_5 = "i=0; while [ $i -lt 300 ]; do : > /dev/null; i=$((i + 1)); done; exit 5"


def _notices(err: str) -> list[str]:
    assert "Traceback" not in err, err
    return [line for line in err.splitlines() if line.startswith("traced:")]


def _lost_lines(notice: str) -> int:
    match = re.search(r"; (\d+) lines of the trace were not written$", notice)
    assert match, notice
    return int(match.group(1))


@pytest.mark.parametrize("mode", ["--no-daemon", "--daemon"])
def test_a_trace_to_dev_full_leaves_the_command_its_exit_status(tmp_path: Path, mode: str) -> None:
    # /dev/full: every write fails with ENOSPC, as on a full disk.
    with running_daemon(tmp_path) as started:
        done = _traced(
            "--socket", str(started.socket), "launch", "-f", mode, "-o", "/dev/full",
            "--", "sh", "-c", BUSY_THEN_5,
        )  # fmt: skip
    assert done.returncode == 5, (done.returncode, done.stderr)
    [notice] = _notices(done.stderr)  # said once
    assert "cannot write the trace to /dev/full: No space left on device (ENOSPC)" in notice
    assert _lost_lines(notice) > 2000, notice


def _trace_into_a_tmpfs(mnt: Path, size: str) -> subprocess.CompletedProcess[str]:
    """BUSY_THEN_5 traced into MNT/trace, on a tmpfs of ``size`` mounted there for the
    run alone; the lines that made it into the file are counted in MNT.lines."""
    mnt.mkdir()
    script = (
        f'mount -t tmpfs -o size={size} tmpfs {mnt} || exit 99; "$@"; status=$?; '
        f"wc -l < {mnt}/trace > {mnt}.lines; exit $status"
    )
    traced = [*TRACED, "launch", "-f", "--no-daemon", "-o", f"{mnt}/trace", "--", "sh", "-c"]
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", *traced, BUSY_THEN_5],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_a_full_tmpfs_under_o_loses_only_what_did_not_fit_and_says_how_much(
    tmp_path: Path,
) -> None:
    # A real 64 KiB filesystem, mounted in a mount namespace of the traced run's own.
    assert os.geteuid() == 0, "this test mounts a tmpfs in a private namespace: run it as root"
    first = _trace_into_a_tmpfs(tmp_path / "roomy", "64m")
    assert first.returncode == 5 and not _notices(first.stderr), first.stderr
    total = int((tmp_path / "roomy.lines").read_text())
    done = _trace_into_a_tmpfs(tmp_path / "small", "64k")
    assert done.returncode == 5, (done.returncode, done.stderr)
    [notice] = _notices(done.stderr)
    assert "small/trace: No space left on device (ENOSPC)" in notice, notice
    kept = int((tmp_path / "small.lines").read_text())
    assert 0 < kept < total, (kept, total)
    assert kept + _lost_lines(notice) == total, (kept, notice, total)  # every line accounted for


# --- 13.6: -ff with few fds ------------------------------------------------------------


def _few_fds() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))


def test_ff_with_64_fds_and_200_live_children_loses_nothing(
    tmp_path: Path, programs: dict[str, Path]
) -> None:
    # ulimit -n 64 for traced (and so its command): 201 tasks alive at once, each with
    # a line to write while it lives, so 201 files would be open at once.
    options = ["-ff", "-o", str(tmp_path / "trace"), "-e", "trace=getppid"]
    done = subprocess.run(
        [*TRACED, "launch", "-f", "--no-daemon", *options, "--", str(programs["fork_hold"]), "200"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
        preexec_fn=_few_fds,  # setrlimit alone: safe between fork and exec
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    files = sorted(tmp_path.glob("trace.*"))
    texts = {path.name: path.read_text() for path in files}
    children = [name for name, text in texts.items() if text.startswith("getppid()")]
    if done.returncode == 0:  # it kept going: then nothing may be missing, and no warning
        assert not done.stderr.strip(), done.stderr
        assert len(files) == 201 and len(children) == 200, (len(files), len(children))
        for name in children:
            assert texts[name].endswith("+++ exited with 0 +++\n"), (name, texts[name])
    else:  # it failed: loudly, naming the problem
        assert "Too many open files" in done.stderr, (done.returncode, done.stderr)


# Out of fds before anything was logged: the first log call must still be said.
LOG_WITHOUT_FDS = """\
import os, resource, sys
from traced.logs import configure, get_logger
configure()
resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))
held = []
while True:
    try:
        held.append(os.open("/dev/null", os.O_RDONLY))
    except OSError:
        break
log = get_logger("traced.test")
log.error("out of fds", tid=7)
try:
    raise OSError(24, "Too many open files")
except OSError:
    log.exception("sink failed")
"""


def test_the_first_log_call_is_said_with_no_fd_left() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOG_WITHOUT_FDS],
        cwd=REPO, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 2, done.stderr
    assert lines[0].startswith("error traced.test out of fds tid=7"), lines
    assert "exception='OSError: [Errno 24] Too many open files'" in lines[1], lines


@pytest.mark.parametrize(
    ("options", "mode"), [([], "2"), (["--full"], "0")], ids=["filter", "full"]
)
def test_full_reaches_the_daemon(daemon: Path, options: list[str], mode: str) -> None:
    """--full through a daemon: no seccomp filter in the command (Seccomp: 0), as
    in-process; without it, ours (Seccomp: 2)."""
    argv = [
        sys.executable,
        "-m",
        "traced",
        "launch",
        "-f",
        "--daemon",
        "-e",
        "trace=none",
        *options,
    ]
    script = "grep Seccomp: /proc/self/status"
    env = {**os.environ, "TRACED_SOCKET": str(daemon)}
    done = subprocess.run([*argv, "--", "sh", "-c", script], env=env, capture_output=True,
                          text=True, timeout=HANG_GUARD, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert re.search(rf"^Seccomp:\s+{mode}$", done.stdout, re.M), done.stdout
