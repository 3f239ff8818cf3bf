"""protocol/transcripts against a live daemon: the test vectors say what it says.

tests/unit/test_protocol_schema.py checks each line against the schema; a line can
be valid there and still not what the daemon sends (open's mode as ``"000"`` where
the daemon sends ``""``).  Here each transcript's requests are replayed on a real
daemon, in order, and its answers compared with the transcript's:

- errors.jsonl: each answer's type, id, code and errno, and its message with
  numbers (a uid, a pid) left out;
- launch.jsonl and entries.jsonl: the command's stream, event by event: type,
  syscall, each argument's name, type and text (addresses and data left out:
  they are the machine's), the fields every message has;
- every transcript: each message type carries exactly the fields the live
  daemon gives that type.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.integration.daemon_fixture import REPO, Peer, running_daemon

pytestmark = pytest.mark.integration

TRANSCRIPTS = REPO / "protocol" / "transcripts"
# Texts that are the machine's, not the protocol's: addresses, and what was read.
_ADDRESS = re.compile(r"0x[0-9a-f]+")
_DATA_TYPES = frozenset(("buf_in", "buf_out"))
Message = dict[str, Any]


def lines_of(name: str) -> list[Message]:
    text = (TRANSCRIPTS / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def replay(peer: Peer, lines: list[Message]) -> list[Message]:
    """Send each c2s line (a launch with /dev/null as its stdio); the answers, and the
    launched session's stream to its end."""
    got: list[Message] = []
    for line in lines:
        if line["dir"] != "c2s":
            continue
        data = line["raw"] if "raw" in line else json.dumps(line["msg"])
        null = os.open(os.devnull, os.O_RDWR)
        try:
            peer.send_raw(data.encode() + b"\n", (null,) * line.get("fds", 0))
        finally:
            os.close(null)
        answer = peer.read()
        got.append(answer)
        session = answer.get("result", {}).get("session") if answer["type"] == "response" else None
        if session is not None and line["msg"]["op"] == "launch":
            got += peer.messages_until_end(session)
    return got


def _arg_view(arg: Message) -> tuple[str, str, str]:
    text = "" if arg["type"] in _DATA_TYPES else _ADDRESS.sub("0x", arg["text"])
    return arg["name"], arg["type"], text


def _event_view(message: Message) -> tuple[object, ...]:
    args = tuple(_arg_view(arg) for arg in message.get("args", ()))
    return message["type"], message.get("name"), args, sorted(message)


@pytest.mark.parametrize("name", ["launch.jsonl", "entries.jsonl"])
def test_a_launchs_stream_is_the_transcripts(name: str, tmp_path: Path) -> None:
    lines = lines_of(name)
    with running_daemon(tmp_path) as started:
        got = replay(Peer(started.socket), lines)
    want = [line["msg"] for line in lines if line["dir"] == "s2c"][1:]  # after the hello
    assert [m["type"] for m in got] == [m["type"] for m in want]
    for live, written in zip(got, want, strict=True):
        assert _event_view(live) == _event_view(written), (live, written)
        if "seq" in written:
            assert live["seq"] == written["seq"]


def _answer_view(message: Message) -> tuple[object, ...]:
    words = re.sub(r"\d+", "N", message.get("message", ""))
    return message["type"], message.get("id"), message.get("code"), message.get("errno"), words


def test_errors_are_answered_as_the_transcript_says(tmp_path: Path) -> None:
    lines = lines_of("errors.jsonl")
    config = f"[limits]\nmax_line = {lines[0]['msg']['max_line']}\n"
    with running_daemon(tmp_path, config=config) as started:
        got = replay(Peer(started.socket), lines)
    want = [line["msg"] for line in lines if line["dir"] == "s2c"][1:]
    assert [_answer_view(m) for m in got] == [_answer_view(m) for m in want]


def _every_kind(peer: Peer, behind: Peer) -> list[Message]:
    """A live session that makes every kind of event (a child, its SIGCHLD, a stop
    we end with SIGCONT), watched by ``behind`` on a queue of 1 it reads only after:
    ``lost`` records too."""
    behind.request("subscribe", policy="drop", queue=1)
    script = "/bin/true & wait; kill -STOP $$; echo resumed"
    session = peer.launch(["sh", "-c", script])["result"]["session"]
    seen: list[Message] = []
    while not seen or seen[-1].get("type") != "session_end":
        seen.append(peer.read())
        if seen[-1].get("type") == "group_stop":
            peer.send("signal", session=session, signal="SIGCONT")
    return seen + behind.messages_until_end(session)


def _filtered_attach(peer: Peer) -> list[Message]:
    """attach with ``filter``, to a sleeper: its seccomp_filter event (it is killed
    when ``peer`` goes: kill-on-exit)."""
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        peer.request("attach", pid=sleeper.pid, trace="openat", filter="kill-on-exit")
        seen = [peer.read()]
        while seen[-1].get("type") != "seccomp_filter":
            seen.append(peer.read())
        return seen
    finally:
        sleeper.kill()
        sleeper.wait()


def test_every_message_type_has_the_fields_the_daemon_sends(tmp_path: Path) -> None:
    with running_daemon(tmp_path) as started:
        peer = Peer(started.socket)
        live = [peer.hello, *replay(peer, lines_of("launch.jsonl"))]
        live += replay(peer, lines_of("entries.jsonl"))
        live += _every_kind(Peer(started.socket), Peer(started.socket))
        live += _filtered_attach(Peer(started.socket))
        sleeper = peer.launch(["sleep", "60"], detach=True)["result"]["session"]
        listed, stats = peer.request("list"), peer.request("stats")
        peer.request("signal", session=sleeper, signal="SIGKILL")
    fields: dict[str, set[str]] = {}
    for message in live:
        fields.setdefault(message["type"], set(message))
    for path in sorted(TRANSCRIPTS.glob("*.jsonl")):
        for line in lines_of(path.name):
            message = line.get("msg", {})
            kind = message.get("type") if line["dir"] == "s2c" else None
            if kind is None or kind in ("response", "error"):
                continue
            assert kind in fields, f"{path.name}: no live {kind} to compare with"
            assert set(message) == fields[kind], (path.name, message)
    # The answers' shapes: a session's info, and the stats.
    written = [line["msg"] for line in lines_of("list-stats.jsonl") if line["dir"] == "s2c"]
    infos = [m["result"]["sessions"] for m in written if "sessions" in m.get("result", {})]
    stat_results = [m["result"] for m in written if "decoder_failures" in m.get("result", {})]
    assert stat_results and set(stats["result"]) == set(stat_results[0])
    [live_info] = [set(i) for i in listed["result"]["sessions"] if i["session"] == sleeper]
    assert infos and all(set(info) == live_info for info in infos[0])
