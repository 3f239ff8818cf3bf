"""What ``traced top`` shows, made from events alone.  Pure: events in, rows out.

``feed`` takes each event (and each ``Lost`` count) as it comes; ``view`` gives the
screen's rows at a moment: the processes as a tree (command, state, syscalls per
second over the last interval), the syscalls by count, errors or time, the busiest
paths and fds, and the delivery's health (events per second, events lost).  Rates
are counted between two ``view`` calls, so the caller's refresh sets the interval.
Every session is counted all along; which one is shown only picks its tally.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from traced.events import (
    Event,
    ExecEvent,
    ExitEvent,
    GroupStopEvent,
    SpawnEvent,
    SyscallEvent,
    shown,
)

SORTS = ("count", "errors", "time")  # the syscall table's orders, cycled by a key


@dataclass
class Process:
    pid: int
    parent: int | None
    session: str
    command: str = ""
    state: str = "running"
    calls: int = 0
    calls_then: int = 0  # at the last view, for the rate


class ProcessRow(NamedTuple):
    depth: int  # in the tree: 0 for a root
    pid: int
    command: str
    state: str
    calls: int
    per_second: float


class SyscallRow(NamedTuple):
    name: str
    calls: int
    errors: int
    seconds: float


class TopView(NamedTuple):
    sessions: tuple[str, ...]
    processes: tuple[ProcessRow, ...]
    syscalls: tuple[SyscallRow, ...]
    paths: tuple[tuple[str, int], ...]
    fds: tuple[tuple[str, int], ...]
    events_per_second: float
    lost: int
    sort: str


@dataclass
class Tally:
    """The counts of one session, or (the model's ``None`` key) of every one."""

    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    time_ns: Counter[str] = field(default_factory=Counter)
    paths: Counter[str] = field(default_factory=Counter)
    fds: Counter[str] = field(default_factory=Counter)
    events: int = 0
    events_then: int = 0  # at the last view, for the rate

    def add(self, event: SyscallEvent) -> None:
        self.calls[event.name] += 1
        if event.error is not None:
            self.errors[event.name] += 1
        self.time_ns[event.name] += event.duration_ns or 0
        for arg in event.args:
            if arg.type == "path" and isinstance(arg.value, str) and arg.value:
                self.paths[arg.value] += 1
            elif arg.type == "fd" and isinstance(arg.value, int) and arg.value >= 0:
                self.fds[f"{event.pid}:{arg.value}"] += 1


@dataclass
class TopModel:
    session: str | None = None  # the one shown (None: every session); all are counted
    sort: str = SORTS[0]
    processes: dict[int, Process] = field(default_factory=dict)
    tallies: dict[str | None, Tally] = field(default_factory=lambda: {None: Tally()})
    lost: int = 0

    @property
    def sessions(self) -> tuple[str, ...]:
        """In order of arrival."""
        return tuple(key for key in self.tallies if key is not None)

    def feed(self, event: Event) -> None:
        tallies = (self.tallies[None], self.tallies.setdefault(event.session, Tally()))
        process = self._process(event.pid, event.session)
        for tally in tallies:
            tally.events += 1
        if isinstance(event, SyscallEvent):
            process.calls += 1
            process.state = "running"  # a call: it runs (again, after a stop)
            for tally in tallies:
                tally.add(event)
        elif isinstance(event, SpawnEvent) and not event.thread:  # ``process``: the child
            parent = self._process(event.parent_pid, event.session)
            process.parent, process.command = parent.pid, parent.command  # until it execs
        elif isinstance(event, ExecEvent):
            process.command = " ".join(map(shown, event.argv)) or shown(event.path)
        elif isinstance(event, GroupStopEvent):
            process.state = f"stopped ({event.signal})"
        elif isinstance(event, ExitEvent) and event.tid == event.pid:
            process.state = "exited" if event.signal is None else f"killed ({event.signal})"

    def feed_lost(self, count: int) -> None:
        self.lost += count

    def next_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]

    def pick_next_session(self) -> None:
        """Show one session after another, then every one again."""
        order = list(self.tallies)
        self.session = order[(order.index(self.session) + 1) % len(order)]

    def view(self, seconds: float, rows: int = 10) -> TopView:
        """The rows now; rates over the ``seconds`` since the last view."""
        interval = max(seconds, 1e-9)
        processes = self._tree(interval)
        if len(processes) > 2 * rows:  # a build's hundreds: the ended ones go first
            processes = [row for row in processes if not row.state.startswith(("exited", "killed"))]
        for process in self.processes.values():
            process.calls_then = process.calls
        tally = self.tallies.setdefault(self.session, Tally())
        rate, tally.events_then = (tally.events - tally.events_then) / interval, tally.events
        return TopView(
            sessions=self.sessions,
            processes=tuple(processes[: 2 * rows]),
            syscalls=tuple(self._syscalls(tally, rows)),
            paths=tuple(tally.paths.most_common(rows)),
            fds=tuple(tally.fds.most_common(rows)),
            events_per_second=rate,
            lost=self.lost,
            sort=self.sort,
        )

    def _process(self, pid: int, session: str) -> Process:
        process = self.processes.get(pid)
        if process is None:
            process = self.processes[pid] = Process(pid, None, session)
        return process

    def _syscalls(self, tally: Tally, rows: int) -> list[SyscallRow]:
        key = {"count": tally.calls, "errors": tally.errors, "time": tally.time_ns}[self.sort]
        names = sorted(tally.calls, key=lambda name: (-key[name], name))[:rows]
        return [
            SyscallRow(name, tally.calls[name], tally.errors[name], tally.time_ns[name] / 1e9)
            for name in names
        ]

    def _tree(self, interval: float) -> list[ProcessRow]:
        shown = {
            pid: p
            for pid, p in self.processes.items()
            if self.session is None or p.session == self.session
        }
        children: dict[int | None, list[Process]] = {}
        for process in shown.values():
            parent = process.parent if process.parent in shown else None
            children.setdefault(parent, []).append(process)
        rows: list[ProcessRow] = []

        def walk(parent: int | None, depth: int) -> None:
            for process in sorted(children.get(parent, []), key=lambda p: p.pid):
                rate = (process.calls - process.calls_then) / interval
                rows.append(
                    ProcessRow(
                        depth, process.pid, process.command, process.state, process.calls, rate
                    )
                )
                walk(process.pid, depth + 1)

        walk(None, 0)
        return rows
