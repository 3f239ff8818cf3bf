"""daemon.delivery: what a subscription says of each event it is offered.

Pure: a Subscription is offered events and told when the socket took them; no
connection, no socket, no session.
"""

from __future__ import annotations

from tests.unit.plain import syscall
from traced.daemon.delivery import Admission, Subscription
from traced.events import Event, ExitEvent, SyscallEvent
from traced.wire.protocol import Lost, Policy

SENT = Admission(send=True)
SENT_AND_HELD = Admission(send=True, hold=True)
DROPPED = Admission(send=False)


def subscription(
    policy: Policy = "drop",
    limit: int = 4,
    *,
    session: str | None = None,
    names: frozenset[str] | None = None,
    pid: int | None = None,
) -> Subscription:
    return Subscription("sub", policy, limit, session, names, pid)


def offer_many(sub: Subscription, session: str, seqs: range) -> list[Admission]:
    return [sub.offer(session, seq) for seq in seqs]


# --- send: room in the queue ----------------------------------------------------------


def test_events_within_the_limit_are_sent_and_counted() -> None:
    sub = subscription(limit=3)
    assert offer_many(sub, "a", range(1, 4)) == [SENT, SENT, SENT]
    assert sub.queued == 3


def test_a_full_drop_queue_drops_an_entry_without_counting_it() -> None:
    sub = subscription(limit=1)
    sub.entries = True
    assert sub.offer("a", 1) == SENT
    assert sub.offer("a", 1, preview=True) == DROPPED  # its syscall event says it all
    assert sub.offer("a", 2) == DROPPED
    _, due = sub.sent()
    assert due == [Lost(session="a", count=1, first_seq=2, last_seq=2)]  # the event alone


def test_entries_are_accepted_only_when_asked_for() -> None:
    sub = subscription()
    assert sub.accepts("a", 7, "read") and not sub.accepts("a", 7, "read", preview=True)
    sub.entries = True
    assert sub.accepts("a", 7, "read", preview=True)


def test_sent_frees_room() -> None:
    sub = subscription(limit=2)
    offer_many(sub, "a", range(1, 3))
    assert sub.sent() == ([], [])
    assert sub.queued == 1
    assert sub.offer("a", 3) == SENT


# --- drop: lossy, never holds ------------------------------------------------------


def test_drop_past_the_limit_and_count_the_range() -> None:
    sub = subscription("drop", limit=2)
    assert offer_many(sub, "a", range(1, 6)) == [SENT, SENT, DROPPED, DROPPED, DROPPED]
    assert sub.queued == 2  # a dropped event takes no room
    assert sub.holding == set()
    assert sub.lost_before("a") == Lost(session="a", count=3, first_seq=3, last_seq=5)
    assert sub.lost_before("a") is None  # owed once


def test_an_event_admitted_while_a_lost_record_is_owed_carries_it_first() -> None:
    sub = subscription("drop", limit=1)
    offer_many(sub, "a", range(1, 4))  # 1 sent, 2 and 3 dropped
    sub.limit = 2  # room that came without a sent(), which would have paid the debt
    admission = sub.offer("a", 4)
    assert admission == Admission(
        send=True, lost=Lost(session="a", count=2, first_seq=2, last_seq=3)
    )


def test_lost_records_are_kept_per_session() -> None:
    sub = subscription("drop", limit=1)
    sub.offer("a", 1)
    sub.offer("a", 2)
    sub.offer("b", 10)
    sub.offer("b", 12)  # a filtered subscriber need not see contiguous seqs
    assert sub.lost_before("b") == Lost(session="b", count=2, first_seq=10, last_seq=12)
    assert sub.lost_before("a") == Lost(session="a", count=1, first_seq=2, last_seq=2)


def test_lost_records_fall_due_when_the_queue_has_room_again() -> None:
    sub = subscription("drop", limit=1)
    sub.offer("b", 1)
    sub.offer("b", 2)
    sub.offer("a", 5)
    released, due = sub.sent()
    assert released == []
    assert due == [  # sorted by session, each owed once
        Lost(session="a", count=1, first_seq=5, last_seq=5),
        Lost(session="b", count=1, first_seq=2, last_seq=2),
    ]
    assert sub.lost_before("a") is None and sub.lost_before("b") is None


# --- block: lossless, holds the session ------------------------------------------------


def test_block_past_the_limit_sends_and_holds_the_session_once() -> None:
    sub = subscription("block", limit=2)
    assert offer_many(sub, "a", range(1, 5)) == [SENT, SENT, SENT_AND_HELD, SENT]
    assert sub.queued == 4  # overshoot: the events already in flight are all queued
    assert sub.holding == {"a"}
    assert sub.lost_before("a") is None


def test_block_holds_each_session_that_feeds_a_full_queue() -> None:
    sub = subscription("block", limit=1)
    sub.offer("a", 1)
    assert sub.offer("b", 1) == SENT_AND_HELD
    assert sub.offer("a", 2) == SENT_AND_HELD
    assert sub.holding == {"a", "b"}


def test_held_sessions_are_released_once_the_queue_drains_to_half() -> None:
    sub = subscription("block", limit=4)
    offer_many(sub, "b", range(1, 6))
    offer_many(sub, "a", range(1, 4))  # 8 queued, both held
    assert sub.holding == {"a", "b"}
    assert sub.sent(5) == ([], [])  # 3 queued: more than half of 4
    assert sub.sent() == (["a", "b"], [])  # 2 queued: half
    assert sub.holding == set()
    assert sub.sent() == ([], [])


def test_let_go_releases_everything_held() -> None:
    sub = subscription("block", limit=1)
    offer_many(sub, "a", range(1, 3))
    assert sub.let_go() == ["a"]
    assert sub.let_go() == []


def test_a_blocking_subscription_made_lossy_drops_from_then_on() -> None:
    sub = subscription("block", limit=1)
    sub.offer("a", 1)
    sub.policy = "drop"  # what the daemon does to every subscription as it stops
    assert sub.offer("a", 2) == DROPPED
    assert sub.lost_before("a") == Lost(session="a", count=1, first_seq=2, last_seq=2)


# --- the filter ---------------------------------------------------------------------


def _wants(sub: Subscription, session_id: str, event: Event) -> bool:
    name = event.name if isinstance(event, SyscallEvent) else None  # how the hub asks
    return sub.accepts(session_id, event.pid, name)


def test_wants_by_session_pid_and_syscall_name() -> None:
    exit_event = ExitEvent(
        session="s", pid=7, tid=7, ts_ns=1, code=0, signal=None, core_dumped=False
    )
    anything = subscription()
    assert _wants(anything, "s", syscall("read"))
    one_session = subscription(session="s")
    assert _wants(one_session, "s", syscall("read"))
    assert not _wants(one_session, "other", syscall("read"))
    one_pid = subscription(pid=8)
    assert not _wants(one_pid, "s", syscall("read", pid=7))
    assert _wants(one_pid, "s", syscall("read", pid=8))
    some_names = subscription(names=frozenset({"openat"}))
    assert _wants(some_names, "s", syscall("openat"))
    assert not _wants(some_names, "s", syscall("read"))
    assert _wants(some_names, "s", exit_event)  # names narrow syscalls only
