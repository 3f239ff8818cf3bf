"""Delivery to one subscriber: a filter, a bounded queue and a policy.  Pure.

The connection offers a subscription each event it wants, and tells it when
the socket took one.  The subscription answers with what to do (an
``Admission``: send, hold the session, a ``lost`` record owed first):

* ``block`` (lossless): every event is queued; when ``limit`` events wait, the
  sessions feeding it are held (their tracees are not resumed) until the queue
  drains to half.  The queue can overshoot by the events already in flight,
  which is bounded by the number of tasks that were running.
* ``drop``: tracees never wait.  Past ``limit`` events are dropped and counted
  per session; the count goes out in-band, as a ``lost`` record, before the
  next event of that session, or as soon as the queue has room again.  A
  ``syscall_entry`` (a preview, unnumbered: see hub.py) is dropped uncounted,
  since the ``syscall`` event after it, numbered and counted, says all it did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from traced.filter.predicates import NO_RULES, Rules, passes
from traced.wire.protocol import Lost, Policy


@dataclass(frozen=True, slots=True)
class Admission:
    """What becomes of one event offered to a subscription."""

    send: bool  # queue it for the subscriber
    hold: bool = False  # and hold its session until the queue drains to half
    lost: Lost | None = None  # the lost record owed for its session, to go out first


# The common answers, made once: offer() is on every event's path.
_DROPPED = Admission(send=False)
_SENT = Admission(send=True)
_SENT_AND_HELD = Admission(send=True, hold=True)


@dataclass
class _LostRange:
    """Events of one session dropped since the subscriber last heard of that session."""

    count: int = 0
    first_seq: int = 0
    last_seq: int = 0

    def add(self, seq: int) -> None:
        self.count += 1
        self.last_seq = seq

    def record(self, session_id: str) -> Lost:
        return Lost(
            session=session_id, count=self.count, first_seq=self.first_seq, last_seq=self.last_seq
        )


@dataclass
class Subscription:
    sub_id: str
    policy: Policy
    limit: int
    session: str | None = None  # None: every session the subscriber may see
    names: frozenset[str] | None = None  # None: every syscall
    pid: int | None = None
    entries: bool = False  # syscall_entry events too
    # Argument predicates of some of ``names``: their calls are judged on the raw
    # registers the event carries (traced.filter.predicates, as the tracer would).
    rules: Rules = field(default_factory=lambda: NO_RULES)
    queued: int = 0
    holding: set[str] = field(default_factory=set)
    _lost: dict[str, _LostRange] = field(default_factory=dict)

    def accepts(
        self,
        session_id: str,
        pid: int,
        name: str | None,
        preview: bool = False,
        call: Callable[[], tuple[str, Sequence[int]]] | None = None,
    ) -> bool:
        """Whether it wants an event of ``session_id`` and process ``pid``; ``name`` is
        the syscall's, for a ``syscall`` or ``syscall_entry`` (``preview``) event, else
        None; ``call`` reads its ABI and registers, asked only for a syscall with rules."""
        if preview and not self.entries:
            return False
        if self.session is not None and session_id != self.session:
            return False
        if self.pid is not None and pid != self.pid:
            return False
        if self.names is None or name is None:
            return True
        if name in self.rules and call is not None:
            return passes(self.rules, name, *call())
        return name in self.names

    def offer(self, session_id: str, seq: int, preview: bool = False) -> Admission:
        """An event this subscription wants: send it, hold its session, or drop it."""
        if self.queued >= self.limit and self.policy == "drop":
            if preview:
                return _DROPPED
            self._lost.setdefault(session_id, _LostRange(first_seq=seq)).add(seq)
            return _DROPPED
        self.queued += 1
        hold = self.queued > self.limit and session_id not in self.holding
        if hold:
            self.holding.add(session_id)
        lost = self.lost_before(session_id) if self._lost else None
        if lost is not None:
            return Admission(send=True, hold=hold, lost=lost)
        return _SENT_AND_HELD if hold else _SENT

    def lost_before(self, session_id: str) -> Lost | None:
        """The ``lost`` record owed for this session, to go out before its next message."""
        lost = self._lost.pop(session_id, None)
        return lost.record(session_id) if lost is not None else None

    def sent(self, count: int = 1) -> tuple[list[str], list[Lost]]:
        """``count`` queued events reached the socket: sessions to release, lost records due."""
        self.queued -= count
        released = self.let_go() if self.queued <= self.limit // 2 else []
        due: list[Lost] = []
        if self._lost and self.queued < self.limit:
            due = [lost for sid in sorted(self._lost) if (lost := self.lost_before(sid))]
        return released, due

    def let_go(self) -> list[str]:
        """Stop holding every session held: their ids, for the caller to release."""
        released, self.holding = sorted(self.holding), set()
        return released
