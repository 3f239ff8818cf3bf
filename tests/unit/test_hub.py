"""daemon.hub: each session numbers its events and fans them out; the hub keeps sessions
and subscriptions.

Pure: the subscribers here are small recorders (what a connection would queue), and
the engine's session is a stand-in that counts holds and releases; no process, no
socket, no event loop.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

from tests.unit.plain import syscall
from traced.core.session import Outcome
from traced.daemon.delivery import Subscription
from traced.daemon.hub import DaemonSession, Hub, event_line
from traced.errors import SpawnError
from traced.events import ExitEvent, SyscallEntryEvent, event_json
from traced.wire.protocol import SessionEnd


@dataclass
class Recorder:
    """A subscriber that keeps what it was given: (sub id, session id, seq, line)."""

    uid: int = 0
    events: list[tuple[str, str, int, bytes]] = field(default_factory=list)
    ends: list[tuple[str, SessionEnd]] = field(default_factory=list)

    def push_event(
        self, sub: Subscription, session: DaemonSession, seq: int, line: bytes, preview: bool
    ) -> None:
        self.events.append((sub.sub_id, session.session_id, seq, line))

    def push_end(self, sub: Subscription, session: DaemonSession, end: SessionEnd) -> None:
        self.ends.append((sub.sub_id, end))


@dataclass
class StandIn:
    """What the hub asks of the engine's session: here it only counts holds."""

    holds: int = 0
    releases: int = 0
    runaway: int | None = None
    spawn_error: SpawnError | None = None
    lost_tracer: str | None = None
    pid: int = 0
    task_count: int = 1

    async def wait(self) -> Outcome | None:
        return None

    def hold(self) -> None:
        self.holds += 1

    def release(self) -> None:
        self.releases += 1

    def detach(self) -> None:
        pass

    async def signal(self, signo: int) -> None:
        pass


def session(session_id: str = "s1", uid: int = 1000) -> DaemonSession:
    return DaemonSession(session_id, "launch", uid, ["true"], engine_session=StandIn())


_SUB_IDS = itertools.count(1)


def subscribe(
    hub: Hub,
    who: Recorder,
    to: DaemonSession | None,
    names: frozenset[str] | None = None,
    entries: bool = False,
) -> Subscription:
    session_id = to.session_id if to is not None else None
    sub = Subscription(f"sub{next(_SUB_IDS)}", "drop", 100, session_id, names, entries=entries)
    hub.subscribe(sub, who, to)
    return sub


def end_of(s: DaemonSession) -> SessionEnd:
    return SessionEnd(session=s.session_id, seq=s.seq, code=0, signal=None, status=0)


# --- seq numbering ------------------------------------------------------------------


def test_every_event_gets_the_next_seq_whoever_listens() -> None:
    hub, s = Hub(), session()
    hub.add(s)
    sink = hub.sink_for(s)
    sink(syscall("read"))  # nobody subscribed: numbered all the same
    who = Recorder()
    subscribe(hub, who, s)
    sink(syscall("write"))
    sink(syscall("close"))
    assert s.seq == 3
    assert [seq for _sub, _sid, seq, _line in who.events] == [2, 3]


def entry(name: str, pid: int = 7) -> SyscallEntryEvent:
    return SyscallEntryEvent(
        session="s", pid=pid, tid=pid, ts_ns=1, nr=0, name=name, arch="x86_64", args=()
    )


def test_entries_take_no_number_and_go_only_where_they_were_asked_for() -> None:
    hub, s = Hub(), session()
    hub.add(s)
    plain, wanting = Recorder(), Recorder()
    subscribe(hub, plain, s)
    subscribe(hub, wanting, s, entries=True)
    sink = hub.sink_for(s)
    for event in (syscall("read"), entry("write"), syscall("write")):
        sink(event)
    assert s.seq == 2
    assert [seq for *_, seq, _line in plain.events] == [1, 2]
    got = [(seq, json.loads(line)["type"]) for *_, seq, line in wanting.events]
    assert got == [(1, "syscall"), (1, "syscall_entry"), (2, "syscall")]


def test_entries_a_worker_encoded_take_no_number_either() -> None:
    hub, s = Hub(), session()
    hub.add(s)
    plain, wanting = Recorder(), Recorder()
    subscribe(hub, plain, s)
    subscribe(hub, wanting, s, entries=True)
    sink = hub.json_sink_for(s)
    for event, counted in ((entry("read"), False), (syscall("read"), True)):
        sink(event.pid, "read", counted, memoryview(event_json(event)))
    assert s.seq == 1 and s.stats["read"] == 1
    assert [seq for *_, seq, _line in plain.events] == [1]
    assert [seq for *_, seq, _line in wanting.events] == [0, 1]


def test_seqs_are_per_session() -> None:
    hub, first, second = Hub(), session("s1"), session("s2")
    hub.add(first)
    hub.add(second)
    for _ in range(3):
        hub.sink_for(first)(syscall("read"))
    hub.sink_for(second)(syscall("read"))
    assert (first.seq, second.seq) == (3, 1)


def test_the_line_is_the_event_with_its_seq_first() -> None:
    line = event_line(syscall("read"), 42)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    message = json.loads(line)
    assert list(message)[:2] == ["seq", "type"]
    assert message["seq"] == 42 and message["name"] == "read"


def test_syscalls_are_counted_by_name() -> None:
    s = session()
    for name in ("read", "read", "write"):
        s.publish(syscall(name), [])
    s.publish(
        ExitEvent(session="s", pid=7, tid=7, ts_ns=2, code=0, signal=None, core_dumped=False), []
    )
    assert s.stats == {"read": 2, "write": 1}
    assert s.seq == 4


# --- fan-out ------------------------------------------------------------------------


def test_an_event_goes_to_its_session_subscribers_and_to_everyone() -> None:
    hub, s = Hub(), session()
    hub.add(s)
    mine, all_of_them = Recorder(), Recorder()
    subscribe(hub, mine, s)
    subscribe(hub, all_of_them, None)
    hub.sink_for(s)(syscall("read"))
    assert len(mine.events) == len(all_of_them.events) == 1
    assert (
        mine.events[0][1:] == all_of_them.events[0][1:] == ("s1", 1, event_line(syscall("read"), 1))
    )


def test_the_line_is_encoded_once_for_every_subscriber() -> None:
    hub, s = Hub(), session()
    hub.add(s)
    who = [Recorder() for _ in range(3)]
    for recorder in who:
        subscribe(hub, recorder, s)
    hub.sink_for(s)(syscall("read"))
    lines = [recorder.events[0][3] for recorder in who]
    assert lines[0] is lines[1] is lines[2]


def test_only_root_and_the_sessions_uid_see_it() -> None:
    hub, s = Hub(), session(uid=1000)
    hub.add(s)
    owner, root, stranger = Recorder(uid=1000), Recorder(uid=0), Recorder(uid=1001)
    for recorder in (owner, root, stranger):
        subscribe(hub, recorder, None)
    hub.sink_for(s)(syscall("read"))
    hub.end(s, end_of(s))
    assert len(owner.events) == len(root.events) == 1
    assert stranger.events == [] and stranger.ends == []
    assert hub.visible(1001) == [] and hub.find("s1", 1001) is None


def test_a_subscription_gets_only_what_it_wants() -> None:
    hub, s = Hub(), session()
    hub.add(s)
    who = Recorder()
    subscribe(hub, who, s, names=frozenset({"openat"}))
    sink = hub.sink_for(s)
    for name in ("read", "openat", "write", "openat"):
        sink(syscall(name))
    assert [seq for _sub, _sid, seq, _line in who.events] == [2, 4]


def test_the_end_goes_to_subscribers_of_that_session_and_to_everyone() -> None:
    hub, first, second = Hub(), session("s1"), session("s2")
    hub.add(first)
    hub.add(second)
    of_first, of_second, everyone = Recorder(), Recorder(), Recorder()
    subscribe(hub, of_first, first)
    subscribe(hub, of_second, second)
    subscribe(hub, everyone, None)
    end = end_of(first)
    hub.end(first, end)
    assert [e for _sub, e in of_first.ends] == [end]
    assert [e for _sub, e in everyone.ends] == [end]
    assert of_second.ends == []
    assert first.ended == end
    assert hub.find("s1", 0) is None and hub.live() == [second]


# --- the hub's books ----------------------------------------------------------------


def test_subscriptions_are_counted_and_dropped_per_subscriber() -> None:
    hub, s = Hub(), session()
    hub.add(s)
    who, other = Recorder(), Recorder()
    subscribe(hub, who, s)
    subscribe(hub, who, None)
    subscribe(hub, other, s)
    assert hub.subscriptions_of(who) == 2
    hub.unsubscribe_all(who)
    assert hub.subscriptions_of(who) == 0
    assert hub.subscriptions_of(other) == 1
    hub.sink_for(s)(syscall("read"))
    assert who.events == [] and len(other.events) == 1


def test_a_departing_subscriber_releases_what_it_held() -> None:
    hub, s = Hub(), session()
    hub.add(s)
    who = Recorder()
    sub = Subscription("held", "block", 1, s.session_id)
    hub.subscribe(sub, who, s)
    for seq in (1, 2):
        assert sub.offer(s.session_id, seq).hold is (seq == 2)
    assert sub.holding == {"s1"}
    hub.unsubscribe_all(who)
    assert sub.holding == set()
    assert isinstance(s.engine_session, StandIn) and s.engine_session.releases == 1


def test_stop_holding_makes_every_subscription_lossy_and_releases() -> None:
    hub, s = Hub(), session()
    hub.add(s)
    spanning = Subscription("all", "block", 1)
    hub.subscribe(spanning, Recorder(), None)
    spanning.offer(s.session_id, 1)
    spanning.offer(s.session_id, 2)  # holds s1
    hub.stop_holding()
    assert spanning.policy == "drop" and spanning.holding == set()
    assert isinstance(s.engine_session, StandIn) and s.engine_session.releases == 1


def test_hold_and_release_reach_the_engines_session() -> None:
    s = session()
    s.hold()
    s.release()
    assert isinstance(s.engine_session, StandIn)
    assert (s.engine_session.holds, s.engine_session.releases) == (1, 1)
    detached = DaemonSession("s2", "attach", 0, [])
    detached.hold()  # no engine session yet: nothing to hold
    detached.release()


def test_release_held_skips_sessions_already_gone() -> None:
    hub, s = Hub(), session()
    hub.add(s)
    hub.release_held(Subscription("x", "block", 1), ["gone", "s1"])
    assert isinstance(s.engine_session, StandIn) and s.engine_session.releases == 1
