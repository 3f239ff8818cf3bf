"""-P judged where the call stops: a session launched with ``decoding.paths`` reports
only the calls that name one of the paths or use an fd referring to one, as strace's
pathtrace does; the others are let run at their entry, undecoded and unreported (which
is what makes ``-P`` cheap on a busy tracee).  A real daemon, a real command."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.integration.daemon_fixture import Peer, running_daemon, session_of


def _calls(tmp_path: Path, decoding: dict[str, object]) -> list[tuple[str, str]]:
    target = tmp_path / "target"
    target.write_text("x")
    script = (
        "import os\n"
        f"fd = os.open({str(target)!r}, os.O_RDONLY)\n"
        "os.read(fd, 1)\n"
        "os.write(1, b'y')\n"  # stdout is /dev/null: another path
        "os.close(fd)\n"
    )
    with running_daemon(tmp_path) as started:
        peer = Peer(started.socket)
        answer = peer.launch(
            [sys.executable, "-c", script], trace="openat,read,write,close", decoding=decoding
        )
        session = session_of(answer)
        messages = peer.messages_until_end(session)
    return [
        (m["name"], m["args"][0]["text"] if m["args"] else "")
        for m in messages
        if m.get("type") == "syscall"
    ]


def test_only_the_calls_on_the_paths_are_reported(tmp_path: Path) -> None:
    target = str(tmp_path / "target")
    calls = _calls(tmp_path, {"paths": [target], "fd_paths": True})
    print(calls)
    names = [name for name, _ in calls]
    assert names == ["openat", "read", "close"], calls  # python's own start-up: none
    assert calls[1][1] == calls[2][1]  # the fd openat returned


def test_without_paths_every_call_is_reported(tmp_path: Path) -> None:
    calls = _calls(tmp_path, {"fd_paths": True})
    assert len(calls) > 10, calls  # python's start-up opens and reads its modules
    assert ("write", "1") in calls
