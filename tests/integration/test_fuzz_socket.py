"""Property-based fuzzing of the daemon's Unix socket: a real daemon, real sockets.

Hypothesis draws batches of lines (tests/integration/fuzz_strategies.py): arbitrary
bytes, text that is not UTF-8, UTF-16/32, truncated requests, JSON nested thousands
deep, lines just under, at and over max_line, numbers of 4301+ digits, a wrong type
for every field of every op, unknown fields and ops, missing and odd ids (past
2^64, lone surrogates), requests about sessions that never were, have ended or are
another connection's (signal, detach, stats, subscribe twice).  Each batch goes on a
fresh connection before its hello is read, pipelined, in one write or in writes of
a few bytes, and pauses somewhere (often mid-line, sometimes inside a line already
past max_line) while a second "canary" client connects and is served.  It proves,
per protocol/PROTOCOL.md:

1. the daemon never crashes: it is alive after every batch and has logged no
   traceback and no error-level line (a request that fails inside the daemon is
   logged with its traceback and answered `internal`: a finding, never noise);
2. every line gets exactly one answer (section 4): the hello first, then for each
   line an error with a documented code and the id echoed when it was an integer
   or a string, or a response, as the contract says for that line (`internal`
   never); none lost, none twice, none with an id no line had;
3. no client blocks another: the canary gets its hello and an answer while a
   fuzzing client is mid-line, and while a client that floods garbage and never
   reads has its socket backed up with unread errors; and the daemon stops reading
   that client (its socket stays full) rather than queue answers without bound;
4. afterwards a plain launch of /bin/true still ends with status 0.

The lines this fuzzing found mishandled are replayed first in every run
(fuzz_strategies.regressions).  A last, pure test checks that the framing core
(traced.wire.framing.LineDecoder) frames any bytes the same however they are split.

Reproducibility: ``derandomize=True`` and no example database, so every run, CI
included, draws the same examples and cannot flake (to explore further locally, set
derandomize=False: a new seed each run).  No shrink phase: each example talks to a
live daemon, and a failure names its offending lines itself.  The daemon runs with
max_line 8192, so lines over it are cheap and a 4301-digit number fits in one.

Kernel facts: a Unix stream socket keeps a connection's bytes in order whatever
the writes, and SO_PEERCRED gives the daemon's pid; FIONREAD tells how many bytes
wait unread in a socket.
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import itertools
import json
import select
import socket
import termios
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.integration.daemon_fixture import Peer, peer_pid, running_daemon
from tests.integration.fuzz_strategies import (
    DOCUMENTED_CODES,
    MAX_LINE,
    RESPONSE,
    Batch,
    Expect,
    Message,
    Sessions,
    batches,
    regressions,
)
from tests.integration.procscan import alive, rss_kib
from traced.wire.framing import Line, LineDecoder, Oversized

pytestmark = pytest.mark.integration

EXAMPLES = 250
FEWEST_PER_BATCH = 25
MOST_PER_BATCH = 80
MIN_MESSAGES = 10_000
HANG_GUARD = 20.0  # seconds; only ever reached when an answer never comes
TINY_WRITES = 2048  # bytes written a few at a time at each side of the pause
# The flood goes on until the daemon stops taking it: its socket stays full (our
# non-blocking send gets EAGAIN, and select sees no room) for FLOOD_STALL seconds.
# Measured here, that is after 98,304 lines: the one read the daemon made and the
# two of 64 KiB the kernel holds for it.  A daemon that read on, however far behind
# its answers were, would take all of FLOOD_CAP lines.
FLOOD_CAP = 1_000_000
FLOOD_STALL = 2.0  # seconds; the daemon, reading, makes room again within milliseconds
FLOOD_BACKLOG = 64 * 1024  # unread bytes that show the flooder's socket is backed up
# What the daemon may grow by while it holds a flooder's answers.  It stops reading a
# client with more than 1 MiB unsent (connection.py, _MAX_BACKLOG), checked after each
# read of 64 KiB: 32,768 two-byte lines, whose 110-byte errors it queues at once.
# Measured here, that read costs it +18 to +19.5 MiB of RSS (about 600 bytes a line:
# the error, its memoryview and queue entry, and the frames and parse errors made on
# the way, which pymalloc keeps).  The bound leaves room for that one read, not for
# a second: a daemon that read on would hold ~600 MB for FLOOD_CAP lines.
FLOOD_RSS_BOUND_KIB = 32 * 1024
CONFIG = f"[limits]\nmax_line = {MAX_LINE}\n"
SEED_NOTE = "derandomize=True, database=None"  # printed with the figures


@dataclass
class FuzzDaemon:
    sock: Path
    log: Path
    pid: int
    sessions: Sessions
    log_seen: int = 0

    def alive(self) -> bool:
        return alive(self.pid)

    def new_log(self) -> str:
        """What the daemon logged since the last call."""
        with self.log.open("rb") as log:
            log.seek(self.log_seen)
            data = log.read()
        self.log_seen += len(data)
        return data.decode(errors="replace")


def log_findings(text: str) -> str:
    """The log, if it holds a failure: a traceback (unhandled, or logged with a
    handled request) or an error-level line; else nothing."""
    markers = ("Traceback", '"level": "error"', '"level": "critical"')
    return text if any(marker in text for marker in markers) else ""


def start_sessions(path: Path) -> tuple[Sessions, Peer]:
    """A session that has ended and a live detached `sleep` of another connection."""
    owner = Peer(path)
    ended = owner.launch(["/bin/true"], trace="none")["result"]["session"]
    assert owner.messages_until_end(ended)[-1]["status"] == 0
    live = owner.launch(["sleep", "600"], trace="none", detach=True)["result"]["session"]
    return Sessions(live=live, ended=ended), owner


@pytest.fixture(scope="module")
def fuzz_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzDaemon]:
    tmp = tmp_path_factory.mktemp("fuzz")
    with running_daemon(tmp, config=CONFIG) as started:
        sessions, owner = start_sessions(started.socket)
        daemon = FuzzDaemon(started.socket, started.log, peer_pid(owner.sock), sessions)
        try:
            yield daemon
        finally:
            with contextlib.suppress(OSError, AssertionError):
                owner.request("signal", session=sessions.live, signal="SIGKILL")


# --- a connection's lines, read in a thread ----------------------------------------------


class Collector:
    """Reads every line the daemon sends on a socket, in a thread, so that a client
    writing a large batch never waits on its own unread answers."""

    def __init__(self, sock: socket.socket) -> None:
        self.lines: list[bytes] = []
        self.answers = 0
        self.eof = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, args=(sock.makefile("rb"),), daemon=True)
        self._thread.start()

    def _run(self, stream: Any) -> None:
        with contextlib.suppress(OSError, ValueError), stream:
            for raw in stream:
                answer = is_answer(raw)
                with self._changed:
                    self.lines.append(raw)
                    self.answers += answer
                    self._changed.notify_all()
        with self._changed:
            self.eof = True
            self._changed.notify_all()

    def wait_for(self, answers: int) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.answers >= answers or self.eof, HANG_GUARD)

    def wait_eof(self) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.eof, HANG_GUARD)


def is_answer(raw: bytes) -> bool:
    try:
        message = json.loads(raw)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("type") in (RESPONSE, "error")


# --- checking one connection's answers ------------------------------------------------------


@dataclass
class Tally:
    messages: int = 0
    examples: int = 0
    canaries: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)


def parse_server_lines(lines: list[bytes]) -> tuple[list[dict[str, Any]], list[str]]:
    """Every line the daemon wrote, as JSON objects with a type; problems as text."""
    parsed, problems = [], []
    for raw in lines:
        try:
            message = json.loads(raw.decode("utf-8"))
        except ValueError as error:
            problems.append(f"daemon wrote a line that is not UTF-8 JSON ({error}): {raw[:120]!r}")
            continue
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            problems.append(f"daemon wrote a line that is not a typed object: {raw[:120]!r}")
            continue
        parsed.append(message)
    if not parsed or parsed[0]["type"] != "hello":
        problems.append(f"the first line is not the hello: {parsed[:1]}")
    return parsed, problems


def error_shape_problems(error: dict[str, Any]) -> list[str]:
    """PROTOCOL.md section 4: type, id (integer, string or null), code, message, errno?"""
    problems = []
    if error.get("code") not in DOCUMENTED_CODES:
        problems.append(f"undocumented code: {error}")
    if not isinstance(error.get("message"), str):
        problems.append(f"message is not a string: {error}")
    if "id" not in error or isinstance(error["id"], bool | float | list | dict):
        problems.append(f"id missing or of a wrong type: {error}")
    if "errno" in error and not isinstance(error["errno"], str | None):
        problems.append(f"errno is not a string: {error}")
    return problems


def describe(message: Message) -> str:
    line = message.line if len(message.line) < 160 else message.line[:120] + b"..."
    return f"[{message.kind}] {line!r} ({len(message.line)} bytes) expecting {message.expect}"


def account(messages: list[Message], answers: list[dict[str, Any]]) -> list[str]:
    """Match answers to lines: each line exactly one answer, of the right id and code."""
    by_id: dict[Any, Message] = {}
    for item in messages:
        if item.expect.id is not None:
            key = (type(item.expect.id), item.expect.id)
            assert key not in by_id, f"the strategies made a duplicate id {item.expect.id!r}"
            by_id[key] = item
    problems: list[str] = []
    answered: set[Any] = set()
    null_answers: list[str] = []
    for answer in answers:
        code = answer.get("code", RESPONSE) if answer["type"] == "error" else RESPONSE
        if answer.get("id") is None:
            null_answers.append(code)
            continue
        key = (type(answer["id"]), answer["id"])
        if key not in by_id:
            problems.append(f"an answer with an id no line had: {answer}")
        elif key in answered:
            problems.append(f"answered twice: {describe(by_id[key])}: {answer}")
        else:
            answered.add(key)
            if code not in by_id[key].expect.codes:
                problems.append(f"wrong answer to {describe(by_id[key])}: {answer}")
    unanswered = [m for key, m in by_id.items() if key not in answered]
    refused = frozenset({"malformed"})  # what a parser that refuses an or_malformed line says
    pool = [
        Expect(None, m.expect.codes | refused if m.expect.or_malformed else m.expect.codes)
        for m in messages
        if m.expect.id is None
    ]
    pool += [Expect(None, refused) for m in unanswered if m.expect.or_malformed]
    problems += [f"no answer to {describe(m)}" for m in unanswered if not m.expect.or_malformed]
    problems += match_null_answers(pool, null_answers, [m for m in messages if m.expect.id is None])
    return problems


def match_null_answers(pool: list[Expect], codes: list[str], lines: list[Message]) -> list[str]:
    """Answers with id null cannot name their line: match them as multisets, the
    most constrained expectation first."""
    left = Counter(codes)
    unmet = []
    for expect in sorted(pool, key=lambda e: len(e.codes)):
        code = next((c for c in sorted(expect.codes) if left[c] > 0), None)
        if code is None:
            unmet.append(expect)
        else:
            left[code] -= 1
    problems = [f"id-null answers that match no line: {dict(+left)}"] if +left else []
    if unmet:
        suspects = "; ".join(describe(m) for m in lines[:8])
        problems.append(
            f"{len(unmet)} lines without their id-null answer {unmet[:4]}; lines: {suspects}"
        )
    return problems


# --- writing a batch -------------------------------------------------------------------------


def write(sock: socket.socket, data: bytes, chunk: int) -> None:
    """``data`` in writes of ``chunk`` bytes for its first TINY_WRITES bytes, then at once."""
    if chunk:
        for start in range(0, min(len(data), TINY_WRITES), chunk):
            sock.sendall(data[start : min(start + chunk, TINY_WRITES, len(data))])
        data = data[TINY_WRITES:]
    if data:
        sock.sendall(data)


def canary_round_trip(daemon: FuzzDaemon) -> None:
    """A second client connects, gets its hello and an answer to a stats request."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(HANG_GUARD)
        sock.connect(str(daemon.sock))
        with sock.makefile("rb") as stream:
            hello = json.loads(stream.readline())
            assert hello["type"] == "hello", hello
            sock.sendall(b'{"id":"canary","op":"stats"}\n')
            answer = json.loads(stream.readline())
        assert (answer["type"], answer["id"]) == (RESPONSE, "canary"), answer


def run_batch(daemon: FuzzDaemon, batch: Batch, codes: Counter[str]) -> list[str]:
    """Write the batch on a fresh connection, pausing for a canary; the problems seen.
    ``codes`` counts the answers by code ("response" for responses)."""
    stream = batch.stream
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(daemon.sock))
        collector = Collector(sock)
        write(sock, stream[: batch.hold], batch.chunk)
        canary_round_trip(daemon)  # the fuzzing client is mid-batch, often mid-line
        write(sock, stream[batch.hold :], batch.chunk)
        complete = collector.wait_for(len(batch.messages))
        sock.shutdown(socket.SHUT_WR)  # the daemon closes on end of file ...
        closed = collector.wait_eof()  # ... so an answer sent twice would be seen by now
        if not closed:
            sock.shutdown(socket.SHUT_RDWR)
    parsed, problems = parse_server_lines(collector.lines)
    answers = [m for m in parsed[1:] if m["type"] in (RESPONSE, "error")]
    for answer in answers:
        codes[answer.get("code", "?") if answer["type"] == "error" else RESPONSE] += 1
        if answer["type"] == "error":
            problems += error_shape_problems(answer)
    problems += account(batch.messages, answers)
    if not complete:
        problems.append(
            f"{collector.answers} answers to {len(batch.messages)} lines in {HANG_GUARD}s"
        )
    if not closed:
        problems.append("the daemon did not close the connection after end of file")
    return problems


def check_daemon(daemon: FuzzDaemon) -> list[str]:
    """The daemon is alive and has logged no traceback or error since the last check."""
    problems = [] if daemon.alive() else [f"the daemon (pid {daemon.pid}) is gone"]
    findings = log_findings(daemon.new_log())
    if findings:
        problems.append(f"the daemon logged:\n{findings[:6000]}")
    return problems


def launch_true(daemon: FuzzDaemon) -> dict[str, Any]:
    """A plain launch of /bin/true on a fresh connection: its session_end."""
    peer = Peer(daemon.sock)
    answer = peer.launch(["/bin/true"])
    assert answer["type"] == RESPONSE, answer
    end = peer.messages_until_end(answer["result"]["session"])[-1]
    peer.close()
    return end


# --- the tests -------------------------------------------------------------------------------


def test_fuzzed_lines_each_get_one_answer_and_never_crash_or_block_the_daemon(
    fuzz_daemon: FuzzDaemon,
) -> None:
    tally = Tally()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        # A batch is up to 80 lines by design; drawing one takes tens of milliseconds,
        # more on a loaded machine, which too_slow (a timing check) would flag at random.
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(batch=batches(fuzz_daemon.sessions, FEWEST_PER_BATCH, MOST_PER_BATCH))
    @example(batch=regressions())
    def fuzz(batch: Batch) -> None:
        problems = run_batch(fuzz_daemon, batch, tally.answers)
        tally.canaries += 1
        problems += check_daemon(fuzz_daemon)
        assert not problems, "\n".join(problems[:20])
        tally.examples += 1
        tally.messages += len(batch.messages)
        tally.kinds.update(m.kind.split(":")[0] for m in batch.messages)

    fuzz()
    end = launch_true(fuzz_daemon)
    print(
        f"\nfuzzed {tally.messages} messages in {tally.examples} examples ({SEED_NOTE}); "
        f"canary round-trips: {tally.canaries}"
        f"\nanswers by code: {dict(tally.answers.most_common())}"
        f"\nlines by kind: {dict(tally.kinds.most_common())}"
        f"\nthen /bin/true: session_end status {end['status']}"
    )
    assert tally.messages >= MIN_MESSAGES, f"only {tally.messages} messages fuzzed"
    assert end["status"] == 0, end
    assert not check_daemon(fuzz_daemon)


def flood(sock: socket.socket, cap: int) -> int:
    """Write garbage lines without reading until the daemon stops taking them (the
    socket stays full for FLOOD_STALL seconds) or ``cap`` lines are written; how
    many whole lines went."""
    sock.setblocking(False)
    block, sent = b"x\n" * 4096, 0
    while sent < 2 * cap:
        try:  # after half a line, the rest of it first
            sent += sock.send(block[sent % 2 :][: 2 * cap - sent])
        except BlockingIOError:  # full for now: the daemon may still make room
            if not select.select([], [sock], [], FLOOD_STALL)[1]:
                break
    sock.setblocking(True)
    if sent % 2:  # half a line went: finish it, so every line is whole
        sock.sendall(b"\n")
        sent += 1
    return sent // 2


def unread_bytes(sock: socket.socket) -> int:
    """What waits in our receive queue, unread (FIONREAD, alias SIOCINQ)."""
    count = array.array("i", [0])
    fcntl.ioctl(sock.fileno(), termios.FIONREAD, count)
    return count[0]


def wait_until_backed_up(sock: socket.socket) -> int:
    deadline = time.monotonic() + HANG_GUARD  # a hang guard, never a speed requirement
    while unread_bytes(sock) < FLOOD_BACKLOG and time.monotonic() < deadline:
        time.sleep(0.01)
    return unread_bytes(sock)


def test_a_client_that_floods_garbage_and_never_reads_blocks_no_one(
    fuzz_daemon: FuzzDaemon,
) -> None:
    rss_before = rss_kib(fuzz_daemon.pid)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(fuzz_daemon.sock))
        written = flood(sock, FLOOD_CAP)
        backlog = wait_until_backed_up(sock)
        assert backlog >= FLOOD_BACKLOG, f"only {backlog} bytes of answers wait unread"
        rss_flooded = rss_kib(fuzz_daemon.pid)
        canary_round_trip(fuzz_daemon)  # served while the flooder's answers back up
        canary_round_trip(fuzz_daemon)
        collector = Collector(sock)
        collector.wait_for(written)
        sock.shutdown(socket.SHUT_WR)
        collector.wait_eof()
    parsed, problems = parse_server_lines(collector.lines)
    codes = Counter(m.get("code") for m in parsed[1:])
    print(
        f"\nflood: {written} garbage lines written, none read; with {backlog} bytes of "
        f"answers waiting unread, 2 canaries were served; then {codes['malformed']} "
        f"malformed errors read back; daemon RSS {rss_before} -> {rss_flooded} KiB "
        f"({rss_flooded - rss_before:+d} KiB, bound +{FLOOD_RSS_BOUND_KIB} KiB)"
    )
    assert written < FLOOD_CAP, f"the daemon read all {written} lines and queued every answer"
    assert rss_flooded - rss_before <= FLOOD_RSS_BOUND_KIB, (rss_before, rss_flooded)
    assert not problems, problems[:5]
    assert codes == Counter({"malformed": written}), codes
    assert not check_daemon(fuzz_daemon)
    end = launch_true(fuzz_daemon)
    assert end["status"] == 0, end


# --- the framing core, pure --------------------------------------------------------------------


def frames_of(decoder: LineDecoder, chunks: list[bytes]) -> list[object]:
    """Frames, with an Oversized line's byte count (which depends on where the
    bytes were cut) replaced by the fact that it passed the limit."""
    frames = [frame for chunk in chunks for frame in decoder.feed(chunk)] + decoder.close()
    return [
        ("oversized", frame.seen > decoder.max_line) if isinstance(frame, Oversized) else frame
        for frame in frames
    ]


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(
    data=st.lists(st.binary(max_size=12) | st.just(b"\n"), max_size=24).map(b"".join),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=24),
    max_line=st.integers(1, 16),
)
def test_line_decoder_gives_the_same_frames_however_the_bytes_are_split(
    data: bytes, cuts: list[int], max_line: int
) -> None:
    """tests/unit/test_framing.py splits streams of whole short lines; this one splits
    any bytes (a last line without its LF, lines of any length) and compares with
    the whole stream fed at once, close() included."""
    points = sorted({cut % (len(data) + 1) for cut in cuts} | {0, len(data)})
    chunks = [data[a:b] for a, b in itertools.pairwise(points)]
    whole = frames_of(LineDecoder(max_line), [data])
    assert frames_of(LineDecoder(max_line), chunks) == whole
    assert all(frame != ("oversized", False) for frame in whole)
    assert [f.data for f in whole if isinstance(f, Line)] == [
        line for line in data.split(b"\n")[:-1] if len(line) <= max_line
    ]
