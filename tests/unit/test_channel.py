"""The front↔worker channel: messages, framing, orders and the credit window.

Pure: lines are encoded and read back through daemon.channel's Reader, fed in
every chunking; no process, no socket.  What crosses for an event is checked
against what a daemon with one loop sends its clients (hub.event_line).
"""

from __future__ import annotations

import itertools
import json

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.plain import decoded_call
from traced.daemon import channel
from traced.daemon.channel import (
    Attach,
    Done,
    Ended,
    EventIn,
    EventOut,
    Faults,
    Hold,
    Read,
    Refused,
    Release,
    Signal,
    SpawnFailure,
    Started,
    TaskCount,
)
from traced.daemon.credit import Window
from traced.daemon.delivery import Subscription
from traced.daemon.hub import DaemonSession, Hub, event_line
from traced.daemon.orders import launch_order, spec_of
from traced.decoders.values import Options
from traced.events import Entries, ExitEvent, SyscallEntryEvent
from traced.linux.access import Client
from traced.tracer.run import TracePolicy
from traced.tracer.spawn import CLOSED, Credentials, LaunchSpec

EVENT = decoded_call("openat", [2**32 - 100, 0x1000, 0o2000000, 0], 3, memory={0x1000: b"/etc\0"})
EXIT = ExitEvent(session="s", pid=10, tid=10, ts_ns=2, code=0, signal=None, core_dumped=False)
REPORTS: list[object] = [
    Started(1, 7, 1234, 1),
    Refused(2, "spawn_failed", "cannot execute 'x': No such file", "ENOENT"),
    Done(3),
    TaskCount(7, 3),
    Ended(7, None, 9, None, SpawnFailure("x", 2, "exec")),
    Faults({"path/ValueError": 2}),
]
ORDERS: list[object] = [
    Signal(4, 7, 15),
    Hold(7),
    Release(7),
    Read(((7, 12), (8, 1))),
    Attach(5, 8, "sid", 99, TracePolicy(None, owner=Client(1000, 1000, 42))),
]


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


def read_all(reader: channel.Reader, chunks: list[bytes]) -> list[object]:
    return [message for chunk in chunks for message in reader.feed(chunk)]


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=12))
def test_reports_come_back_whole_however_the_stream_is_cut(cuts: list[int]) -> None:
    data = b"".join(map(channel.encode, REPORTS))
    reader = channel.report_reader()
    assert read_all(reader, chunked(data, cuts)) == REPORTS
    assert not reader.partial


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=12))
def test_orders_come_back_whole_however_the_stream_is_cut(cuts: list[int]) -> None:
    data = b"".join(map(channel.encode, ORDERS))
    assert read_all(channel.order_reader(), chunked(data, cuts)) == ORDERS


def test_a_line_waits_for_its_end_and_a_long_one_is_joined_once() -> None:
    reader = channel.order_reader()
    line = channel.encode(Signal(1, 2, 9))
    assert reader.feed(line[:5]) == [] and reader.partial
    assert reader.feed(line[5:-1]) == []
    assert reader.feed(line[-1:] + line[:3]) == [Signal(1, 2, 9)]
    assert reader.partial
    assert reader.feed(line[3:]) == [Signal(1, 2, 9)]


def test_an_event_crosses_as_the_bytes_a_client_would_get() -> None:
    # The worker encodes the event once, inside its report; the front reads it as raw
    # JSON and puts its seq in front: the line a daemon with one loop sends.
    buffer = bytearray()
    channel.encode_into(EventOut(7, EVENT.pid, channel.SYSCALL, EVENT.name, EVENT), buffer)
    channel.encode_into(EventOut(7, EXIT.pid, channel.OTHER, None, EXIT), buffer)
    syscall, exit_ = channel.report_reader().feed(bytes(buffer))
    assert isinstance(syscall, EventIn) and isinstance(exit_, EventIn)
    assert (syscall.key, syscall.pid, syscall.kind, syscall.name) == (7, 10, 1, "openat")
    assert (exit_.kind, exit_.name) == (channel.OTHER, None)
    session = DaemonSession("s", "launch", 0, ["x"])
    lines: list[bytes] = []

    class Keeper:
        uid = 0

        def push_event(
            self, sub: object, s: DaemonSession, seq: int, line: bytes, preview: bool
        ) -> None:
            lines.append(line)

        def push_end(self, sub: object, s: DaemonSession, end: object) -> None:
            raise AssertionError

    hub = Hub()
    hub.add(session)
    hub.subscribe(Subscription("a", "block", 10), Keeper(), session)
    sink = hub.json_sink_for(session)
    sink(syscall.pid, syscall.name, True, memoryview(syscall.event))
    sink(exit_.pid, exit_.name, False, memoryview(exit_.event))
    assert lines == [event_line(EVENT, 1), event_line(EXIT, 2)]
    assert session.stats == {"openat": 1}
    assert json.loads(lines[0])["args"][1]["value"] == "/etc"


def test_an_entry_event_is_filtered_by_name_but_not_counted() -> None:
    entry = SyscallEntryEvent(
        session="s", pid=10, tid=10, ts_ns=1, nr=110, name="getppid", arch="x86_64", args=()
    )
    [report] = channel.report_reader().feed(
        channel.encode(EventOut(1, 10, channel.ENTRY, "getppid", entry))
    )
    assert isinstance(report, EventIn) and report.kind == channel.ENTRY
    assert bytes(report.event) == channel.encode(entry)[:-1]  # msgspec: the same bytes


def test_a_launch_order_numbers_its_fds_and_the_worker_puts_its_own_in_their_place() -> None:
    spec = LaunchSpec(
        argv=("cat", "-"),
        env={"A": "1"},
        cwd="/tmp",
        umask=0o22,
        stdio=(10, CLOSED, 12),
        inherited=((5, 13), (7, 14)),
        ignored_signals=frozenset({1}),
        nice=3,
        credentials=Credentials(1000, 100, (100, 27)),
        new_process_group=True,
    )
    policy = TracePolicy(
        frozenset({"read"}), decoding=Options(64, True, True, frozenset({"read"})), max_tasks=9
    )
    order, fds = launch_order(1, 2, "sid", spec, policy)
    assert fds == [10, 12, 13, 14] and order.fds == 4
    assert order.stdio == (0, channel.CLOSED, 1) and order.inherited == ((5, 2), (7, 3))
    [read] = channel.order_reader().feed(channel.encode(order))
    assert read == order
    theirs = [20, 21, 22, 23]  # the worker's copies, in the order they came
    assert spec_of(order, theirs) == LaunchSpec(
        argv=spec.argv,
        env=spec.env,
        cwd=spec.cwd,
        umask=spec.umask,
        stdio=(20, CLOSED, 21),
        inherited=((5, 22), (7, 23)),
        ignored_signals=spec.ignored_signals,
        nice=spec.nice,
        credentials=spec.credentials,
        new_process_group=True,
    )
    assert order.policy == policy


def test_a_policy_crosses_whole() -> None:
    for policy in (
        TracePolicy(),
        TracePolicy(frozenset(), force_full=True, entries=Entries.ALWAYS),
        TracePolicy(None, owner=Client(1000, 1000, 4), max_tasks=4096),
    ):
        [attach] = channel.order_reader().feed(channel.encode(Attach(1, 2, "s", 3, policy)))
        assert isinstance(attach, Attach) and attach.policy == policy
        assert type(attach.policy.decoding) is type(policy.decoding)  # a NamedTuple again


def test_the_window_holds_past_its_limit_and_lets_go_at_half() -> None:
    window = Window(limit=100)
    assert [window.sent(30) for _ in range(3)] == [False, False, False]
    assert window.sent(30) is True  # 120 > 100: hold
    assert window.sent(30) is False  # held already
    assert window.read(2) is False  # 90 left: more than half the limit
    assert window.read(1) is False  # 60 left
    assert window.read(1) is True and not window.held  # 30: half or less, let go
    assert window.read(10) is False and window.bytes == 0  # more than was sent: all of it
