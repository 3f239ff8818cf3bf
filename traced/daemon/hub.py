"""Sessions as the daemon holds them: numbered events fanned out to subscribers.

Each event gets the next per-session sequence number and is encoded once, then
offered to every subscription that wants it.  A client can prove it missed
nothing: its seqs are contiguous, with ``lost`` records covering any gap.

A ``syscall_entry`` is a preview of the ``syscall`` event that follows, which
carries all it says: it takes no number of its own (it carries the last one
given) and goes only to subscriptions that asked for entries, so a subscriber
that did not sees no gap where they were.  In an entry-only session there is no
``syscall`` event to follow: its entries are its record, numbered and sent to all.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

import msgspec

from traced.core.session import Outcome
from traced.daemon.delivery import Subscription
from traced.daemon.tasks import Tasks
from traced.errors import SpawnError
from traced.events import Event, FilterEvent, SyscallEntryEvent, SyscallEvent, event_json
from traced.wire.protocol import SessionEnd, SessionInfo

# (pid, syscall name or None, a ``syscall`` event, its JSON): see DaemonSession.publish_json
JsonSink = Callable[[int, str | None, bool, memoryview], None]


class EngineSession(Protocol):
    """What the daemon asks of a session being traced (launched or attached), in this
    process (daemon.tracing) or in a worker (daemon.workers)."""

    @property
    def pid(self) -> int: ...  # the root: the launched command, or the attached process

    @property
    def task_count(self) -> int: ...

    @property
    def runaway(self) -> int | None: ...

    @property
    def spawn_error(self) -> SpawnError | None: ...

    @property
    def lost_tracer(self) -> str | None: ...  # why it ended without its tracer, if it did

    async def wait(self) -> Outcome | None: ...

    def hold(self) -> None: ...

    def release(self) -> None: ...

    def detach(self) -> None: ...

    async def signal(self, signo: int) -> None:
        """Raises ProcessLookupError (the command is gone) or PermissionError."""


class Subscriber(Protocol):
    """Where a subscription's messages go: the connection that asked for it."""

    uid: int

    def push_event(
        self, sub: Subscription, session: DaemonSession, seq: int, line: bytes, preview: bool
    ) -> None: ...

    def push_end(self, sub: Subscription, session: DaemonSession, end: SessionEnd) -> None: ...


def event_line(event: Event, seq: int) -> bytes:
    """The event's wire form: its JSON with ``seq`` first, newline-terminated."""
    return b'{"seq":%d,' % seq + event_json(event)[1:] + b"\n"


class _RawArg(msgspec.Struct):
    raw: int | None = None


class _Call(msgspec.Struct):
    """What a subscription's argument predicates read of a syscall event's JSON."""

    arch: str = ""
    args: list[_RawArg] = []


_call_decoder = msgspec.json.Decoder(_Call)


def _registers(event: SyscallEvent | SyscallEntryEvent) -> tuple[str, list[int]]:
    return event.arch, [arg.raw or 0 for arg in event.args]


def _json_registers(body: memoryview) -> tuple[str, list[int]]:
    """A worker's event read back, only for a subscription with predicates on its call."""
    call = _call_decoder.decode(body)
    return call.arch, [arg.raw or 0 for arg in call.args]


# A worker's seccomp_filter event saying no filter went in (msgspec writes no spaces).
_FILTER_EVENT, _NOT_INSTALLED = b'"type":"seccomp_filter"', b'"installed":false'


@dataclass
class DaemonSession:
    session_id: str
    kind: Literal["launch", "attach"]
    uid: int
    argv: list[str]
    owner: object | None = None  # the connection whose departure ends it (None: detached)
    engine_session: EngineSession | None = None
    seq: int = 0
    stats: Counter[str] = field(default_factory=Counter)
    started_ns: int = field(default_factory=time.time_ns)
    subscribers: list[tuple[Subscription, Subscriber]] = field(default_factory=list)
    ended: SessionEnd | None = None
    # Its calls are reported as entered, and only so: its syscall_entry events are its
    # record, numbered and sent to every subscriber, not previews.
    entry_only: bool = False
    # traced attach --filter's choice ("keep" or "kill-on-exit"): never detached on
    # request; when its owner goes, the engine keeps or kills it (once installed).
    attach_filter: str | None = None
    # What ends it (a closed terminal's SIGHUP, the daemon's SIGTERM): cancelled and
    # awaited once it has ended.
    tasks: Tasks = field(init=False)

    def __post_init__(self) -> None:
        self.tasks = Tasks(f"session {self.session_id}")

    @property
    def pid(self) -> int:
        return self.engine_session.pid if self.engine_session else 0

    def info(self) -> SessionInfo:
        tasks = self.engine_session.task_count if self.engine_session else 0
        return SessionInfo(
            session=self.session_id,
            kind=self.kind,
            pid=self.pid,
            argv=self.argv,
            uid=self.uid,
            started_ns=self.started_ns,
            tasks=tasks,
            events=self.seq,
        )

    def publish(self, event: Event, everyone: list[tuple[Subscription, Subscriber]]) -> None:
        """The engine's sink: number, count, and fan out one event."""
        preview = isinstance(event, SyscallEntryEvent) and not self.entry_only
        if isinstance(event, FilterEvent):
            self._filter_failed(not event.installed)
        call = None
        name = None
        if isinstance(event, SyscallEvent | SyscallEntryEvent):
            name, call = event.name, functools.partial(_registers, event)
        self._count(name, preview)
        line = b""
        for sub, subscriber in (*self.subscribers, *everyone):
            if not self._visible_to(subscriber) or not sub.accepts(
                self.session_id, event.pid, name, preview, call
            ):
                continue
            line = line or event_line(event, self.seq)
            subscriber.push_event(sub, self, self.seq, line, preview)

    def publish_json(
        self,
        pid: int,
        name: str | None,
        counted: bool,
        body: memoryview,
        everyone: list[tuple[Subscription, Subscriber]],
    ) -> None:
        """:meth:`publish` for an event a worker encoded: ``body`` is its JSON object,
        ``name`` its syscall's (None for other events), ``counted`` a ``syscall`` event
        (so a ``syscall_entry`` is one with a name, not counted)."""
        preview = name is not None and not counted and not self.entry_only
        if self.attach_filter is not None and name is None:
            text = bytes(body)  # a memoryview has no substring test; a rare event
            self._filter_failed(_FILTER_EVENT in text and _NOT_INSTALLED in text)
        self._count(name, preview)
        call = functools.partial(_json_registers, body)
        line = b""
        for sub, subscriber in (*self.subscribers, *everyone):
            if not self._visible_to(subscriber) or not sub.accepts(
                self.session_id, pid, name, preview, call
            ):
                continue
            line = line or b"".join((b'{"seq":%d,' % self.seq, body[1:], b"\n"))
            subscriber.push_event(sub, self, self.seq, line, preview)

    def _filter_failed(self, failed: bool) -> None:
        """attach --filter's outcome: if no filter went in, the session is detachable
        as any attach is; if one did, it stays refused (the filter never leaves)."""
        if failed:
            self.attach_filter = None

    def _count(self, name: str | None, preview: bool) -> None:
        """A numbered event takes the next seq, and a call's (its syscall event, or an
        entry-only session's entry) counts for stats: an entry that is only a preview
        does neither."""
        if not preview:
            self.seq += 1
            if name is not None:
                self.stats[name] += 1

    def finish(self, end: SessionEnd, everyone: list[tuple[Subscription, Subscriber]]) -> None:
        self.ended = end
        for sub, subscriber in (*self.subscribers, *everyone):
            if self._visible_to(subscriber) and sub.session in (None, self.session_id):
                subscriber.push_end(sub, self, end)

    def _visible_to(self, subscriber: Subscriber) -> bool:
        return subscriber.uid in (0, self.uid)

    def hold(self) -> None:
        if self.engine_session is not None:
            self.engine_session.hold()

    def release(self) -> None:
        if self.engine_session is not None:
            self.engine_session.release()


@dataclass
class Hub:
    """Every session, and the subscriptions that span sessions."""

    sessions: dict[str, DaemonSession] = field(default_factory=dict)
    everyone: list[tuple[Subscription, Subscriber]] = field(default_factory=list)

    def add(self, session: DaemonSession) -> None:
        self.sessions[session.session_id] = session

    def remove(self, session: DaemonSession) -> None:
        self.sessions.pop(session.session_id, None)

    def live(self) -> list[DaemonSession]:
        """Sessions that have not ended."""
        return [s for s in self.sessions.values() if s.ended is None]

    def subscribe(
        self, sub: Subscription, subscriber: Subscriber, session: DaemonSession | None
    ) -> None:
        """``subscriber`` gets what ``sub`` wants of one session, or (None) of every one."""
        if session is None:
            self.everyone.append((sub, subscriber))
        else:
            session.subscribers.append((sub, subscriber))

    def visible(self, uid: int) -> list[DaemonSession]:
        return [s for s in self.sessions.values() if uid in (0, s.uid)]

    def find(self, session_id: str, uid: int) -> DaemonSession | None:
        session = self.sessions.get(session_id)
        return session if session is not None and uid in (0, session.uid) else None

    def sink_for(self, session: DaemonSession) -> Callable[[Event], None]:
        def sink(event: Event) -> None:
            session.publish(event, self.everyone)

        return sink

    def json_sink_for(self, session: DaemonSession) -> JsonSink:
        """:meth:`sink_for` for events a worker encoded (see DaemonSession.publish_json)."""

        def sink(pid: int, name: str | None, counted: bool, body: memoryview) -> None:
            session.publish_json(pid, name, counted, body, self.everyone)

        return sink

    def end(self, session: DaemonSession, end: SessionEnd) -> None:
        """The session has ended: its last message goes out, and it is gone."""
        session.finish(end, self.everyone)
        self.remove(session)

    def subscriptions_of(self, subscriber: Subscriber) -> int:
        """How many subscriptions this subscriber holds, to everything or to live sessions."""
        spanning = sum(1 for _sub, who in self.everyone if who is subscriber)
        return spanning + sum(
            1 for s in self.sessions.values() for _sub, who in s.subscribers if who is subscriber
        )

    def unsubscribe_all(self, subscriber: Subscriber) -> None:
        """A connection went away: drop its subscriptions, and let go of what they held."""
        mine = [sub for sub, owner in self.everyone if owner is subscriber]
        self.everyone = [(s, c) for s, c in self.everyone if c is not subscriber]
        for session in self.sessions.values():
            mine += [sub for sub, owner in session.subscribers if owner is subscriber]
            session.subscribers = [(s, c) for s, c in session.subscribers if c is not subscriber]
        for sub in mine:
            self.release_held(sub, sub.let_go())

    def stop_holding(self) -> None:
        """Every subscription becomes lossy (``drop``) and lets go of what it held."""
        pairs = [*self.everyone, *(p for s in self.sessions.values() for p in s.subscribers)]
        for sub, _subscriber in pairs:
            sub.policy = "drop"
            self.release_held(sub, sub.let_go())

    def release_held(self, sub: Subscription, session_ids: list[str]) -> None:
        for session_id in session_ids:
            session = self.sessions.get(session_id)
            if session is not None:
                session.release()
