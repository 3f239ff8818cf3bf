"""Argument predicates on every path: a launch's filter, full mode and attach (judged
at the stop), the daemon's launch field, and a subscriber narrowing its stream.

The lines of the calls shown are strace's own (``strace -e trace=openat``, kept to
the calls the predicate selects); the calls it rejects are not shown.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.daemon_fixture import REPO, Peer
from tests.integration.tools import require_tool

pytestmark = pytest.mark.integration

ENV = {"PATH": os.environ["PATH"], "LC_ALL": "C", "PYTHONPATH": str(REPO)}
WRITES = "openat(flags&O_CREAT|O_WRONLY|O_RDWR)"
TRACED = [sys.executable, "-m", "traced"]


def script(folder: Path) -> list[str]:
    """A command opening files to read, to write and to create."""
    return [
        "sh",
        "-c",
        f"cat /etc/hostname > {folder}/a; cat {folder}/a >> {folder}/b; : > {folder}/c",
    ]


def lines(path: Path) -> list[str]:
    """The openat lines of a ``-f -o`` file, without their pids."""
    calls = (re.sub(r"^\d+ +", "", line) for line in path.read_text().splitlines())
    return [line for line in calls if line.startswith("openat(")]


def writing(line: str) -> bool:
    return bool(re.search(r"O_(CREAT|WRONLY|RDWR)", line))


@pytest.mark.parametrize("mode", ["--no-daemon", "--full"])
def test_a_launch_shows_straces_lines_of_the_calls_that_match(tmp_path: Path, mode: str) -> None:
    strace = require_tool("strace", "it is the reference")
    theirs, ours = tmp_path / "strace.txt", tmp_path / "traced.txt"
    subprocess.run(
        [strace, "-f", "-o", str(theirs), "-e", "trace=openat", *script(tmp_path)], env=ENV
    )
    options = ["-f", "--no-daemon"] if mode == "--no-daemon" else ["-f", "--no-daemon", "--full"]
    done = subprocess.run(
        [*TRACED, "launch", *options, "-e", f"trace={WRITES}", "-o", str(ours), "--",
         *script(tmp_path)],
        env=ENV, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    want = [line for line in lines(theirs) if writing(line)]
    assert len(want) == 3 and lines(ours) == want
    assert any(not writing(line) for line in lines(theirs))  # some were left out


def test_a_mistake_is_told_where_it_is() -> None:
    done = subprocess.run(
        [*TRACED, "launch", "-f", "--no-daemon", "-e", "trace=openat(flag&O_CREAT)", "--", "true"],
        env=ENV, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "traced: openat has no argument 'flag' (its arguments: dirfd, pathname, flags, mode)",
        "  openat(flag&O_CREAT)",
        "         ^",
    ]


def test_attach_judges_the_predicate_at_each_stop(tmp_path: Path) -> None:
    """No filter on a running process: every call stops, and only fd 2's writes show."""
    code = "import os,time\nwhile True:\n os.write(1,b'o'); os.write(2,b'e'); time.sleep(0.01)"
    target = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    out, errors = tmp_path / "attach.txt", tmp_path / "stderr.txt"
    argv = [*TRACED, "attach", "--no-daemon", "-e", "trace=write(fd==2)", "-o", str(out)]
    try:
        with errors.open("w") as stderr:
            tracer = subprocess.Popen([*argv, str(target.pid)], env=ENV, stderr=stderr)
        deadline = time.monotonic() + 20
        while "attached" not in errors.read_text():
            assert time.monotonic() < deadline and tracer.poll() is None, errors.read_text()
            time.sleep(0.05)
        while not out.exists() or out.read_text().count("write(") < 5:  # shown as they come
            assert time.monotonic() < deadline and tracer.poll() is None, errors.read_text()
            time.sleep(0.05)
        tracer.send_signal(signal.SIGINT)
        assert tracer.wait(20) == 130, errors.read_text()
    finally:
        target.kill()
        target.wait()
    shown = [line for line in out.read_text().splitlines() if line.startswith("write(")]
    assert len(shown) >= 5
    assert all(line.startswith('write(2, "e", 1)') for line in shown), shown


def test_the_daemon_filters_a_launch_and_narrows_a_subscriber(daemon: Path, tmp_path: Path) -> None:
    narrow, launcher = Peer(daemon), Peer(daemon)
    subscribed = narrow.request("subscribe", policy="block", trace="openat(flags&O_APPEND)")
    assert subscribed["type"] == "response"
    answer = launcher.launch(script(tmp_path), trace=WRITES)
    session = answer["result"]["session"]
    launched = [m for m in launcher.messages_until_end(session) if m.get("type") == "syscall"]
    seen = [m for m in narrow.messages_until_end(session) if m.get("type") == "syscall"]
    files = [call["args"][1]["value"] for call in launched]
    assert files == [f"{tmp_path}/a", f"{tmp_path}/b", f"{tmp_path}/c"]
    assert {call["name"] for call in launched} == {"openat"}
    appended = [call["args"][1]["value"] for call in seen]
    assert appended == [f"{tmp_path}/b"]  # >> appends; a and c are opened with > (O_TRUNC)
    refused = launcher.request("launch", argv=["true"], trace="openat(pathname==0)")
    assert refused["type"] == "error" and refused["code"] == "bad_filter"
    assert "pointer" in refused["message"]


def test_a_subscriber_drops_the_calls_of_its_predicate(daemon: Path, tmp_path: Path) -> None:
    """Narrower than the launch: only the appends (O_APPEND), of all the writes."""
    narrow, launcher = Peer(daemon), Peer(daemon)
    trace = "openat(flags&O_APPEND)"
    assert narrow.request("subscribe", policy="block", trace=trace)["type"] == "response"
    session = launcher.launch(script(tmp_path), trace=WRITES)["result"]["session"]
    seen = [m for m in narrow.messages_until_end(session) if m.get("type") == "syscall"]
    assert [call["args"][1]["value"] for call in seen] == [f"{tmp_path}/b"]
