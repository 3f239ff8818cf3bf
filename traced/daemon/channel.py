"""The channel between the daemon's front and its tracer workers: messages and framing.  Pure.

The front keeps everything a client sees (connections, sessions, ``seq``,
subscriptions); a worker process traces the sessions the front hands it.  They
talk over a stream socket pair in the protocol's own style: one JSON value a
line.  Each message is a msgspec Struct encoded as a tagged array
(``["e",3,1234,1,"getppid",{...}]``), small to write and quick to read.

* Orders go front → worker: launch and attach (with everything the engine needs,
  and the number of fds that ride on the line by SCM_RIGHTS, taken in order), and
  signal, detach, hold and release of a session, named by its ``key`` (the front's
  number for it, never reused); and how many events of each session the front has
  read (daemon.credit).  A worker whose channel reaches end of file is told to stop.
* Reports go worker → front: an order's answer (``started``, ``refused``, ``done``,
  matched by ``ref``), each event of a session, its live task count when it
  changes, its end, and the worker's decoder failures.

An event crosses as the JSON the worker's encoder made of it, with the few fields
the front's fan-out reads (``pid``, and the syscall's name and kind) beside it: the
front reads the event itself as :class:`msgspec.Raw` and writes those very bytes to
its clients, after its ``seq``.  Nothing is encoded twice.
"""

from __future__ import annotations

from typing import Final

import msgspec

from traced.events import Event
from traced.tracer.run import TracePolicy

CLOSED: Final = -1  # an order's stdio entry: the command gets this fd closed
# An event's kind, for the front's stats and subscription filters.
OTHER: Final = 0
SYSCALL: Final = 1  # a ``syscall`` event: counted in the session's stats
ENTRY: Final = 2  # a ``syscall_entry`` event


class _Message(msgspec.Struct, array_like=True, frozen=True, tag_field="t"):
    """Every message is an array whose first item names its type."""


class Launch(_Message, tag="launch", frozen=True):
    """Start ``argv`` traced.  ``stdio`` entries and ``inherited``'s second items are
    indexes into the ``fds`` fds that rode on this line (or CLOSED)."""

    ref: int
    key: int
    session: str
    argv: tuple[str, ...]
    env: dict[str, str] | None
    cwd: str | None
    umask: int | None
    stdio: tuple[int, int, int]
    inherited: tuple[tuple[int, int], ...]
    ignored_signals: frozenset[int]
    nice: int | None
    credentials: tuple[int, int, tuple[int, ...]] | None
    new_process_group: bool
    terminal: bool
    policy: TracePolicy  # a NamedTuple of NamedTuples: msgspec carries it as arrays
    fds: int


class Attach(_Message, tag="attach", frozen=True):
    ref: int
    key: int
    session: str
    pid: int
    policy: TracePolicy


class Signal(_Message, tag="signal", frozen=True):
    ref: int
    key: int
    signo: int


class Detach(_Message, tag="detach", frozen=True):
    key: int


class Hold(_Message, tag="hold", frozen=True):
    key: int


class Release(_Message, tag="release", frozen=True):
    key: int


class Read(_Message, tag="read", frozen=True):
    """How many more events of each session (key, count) the front has read."""

    counts: tuple[tuple[int, int], ...]


Order = Launch | Attach | Signal | Detach | Hold | Release | Read


class Started(_Message, tag="started", frozen=True):
    ref: int
    key: int
    pid: int  # the session's root: the launched command, or the attached process
    tasks: int


class Refused(_Message, tag="refused", frozen=True):
    """An order failed: the protocol's error code, message and errno name."""

    ref: int
    code: str
    message: str
    errno: str | None


class Done(_Message, tag="done", frozen=True):
    ref: int


class EventOut(_Message, tag="e", frozen=True):
    """An event as a worker writes it: the event itself is encoded in the same pass."""

    key: int
    pid: int
    kind: int  # OTHER, SYSCALL or ENTRY
    name: str | None  # the syscall's, for SYSCALL and ENTRY
    event: Event


class EventIn(_Message, tag="e", frozen=True):
    """The same line as the front reads it: the event stays its JSON bytes."""

    key: int
    pid: int
    kind: int
    name: str | None
    event: msgspec.Raw


class TaskCount(_Message, tag="tasks", frozen=True):
    key: int
    tasks: int


class SpawnFailure(_Message, tag="spawn", frozen=True):
    """A SpawnError's fields: the command that could not be started."""

    program: str
    errno: int
    stage: str


class Ended(_Message, tag="ended", frozen=True):
    """A session is over (every task gone, or let go): its last report."""

    key: int
    code: int | None
    signal: int | None
    runaway: int | None
    spawn_error: SpawnFailure | None


class Faults(_Message, tag="faults", frozen=True):
    """The worker's decoder failures so far, as decoders.failures() counts them."""

    counts: dict[str, int]


Report = Started | Refused | Done | EventIn | TaskCount | Ended | Faults

_encoder = msgspec.json.Encoder()


def encode(message: _Message) -> bytes:
    """One message as one line."""
    return _encoder.encode(message) + b"\n"


def encode_into(message: _Message, buffer: bytearray) -> None:
    """Append one message's line to ``buffer`` (no bytes object in between)."""
    _encoder.encode_into(message, buffer, -1)
    buffer.append(0x0A)


class Reader:
    """Splits a byte stream into messages of type ``kind``: whole lines only, the
    rest kept for the next chunk.  A malformed line is our own bug: it raises."""

    def __init__(self, kind: object) -> None:
        self._decoder: msgspec.json.Decoder[object] = msgspec.json.Decoder(kind)
        self._parts: list[bytes] = []  # a line's beginning, waiting for its end

    def feed(self, data: bytes) -> list[object]:
        end = data.rfind(b"\n") + 1
        if not end:
            if data:
                self._parts.append(data)
            return []
        if self._parts:  # joined once, when its line ends: a long line costs no more
            head = b"".join(self._parts)
            self._parts = []
            end += len(head)
            data = head + data
        rest = data[end:]
        if rest:
            self._parts.append(rest)
        return self._decoder.decode_lines(memoryview(data)[:end])

    @property
    def partial(self) -> bool:
        return bool(self._parts)


def order_reader() -> Reader:
    return Reader(Order)


def report_reader() -> Reader:
    """The front's reader: events as raw JSON."""
    return Reader(Report)
