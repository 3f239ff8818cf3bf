"""Reading /proc, for every integration test: which processes are ours, what state
they are in, and what a process (the daemon, mostly) holds: its fds, its memory,
its children.  The one place tests read /proc/PID files of processes they watch.

Kernel facts this module depends on:

* /proc/PID/status carries ``State`` (``t`` tracing stop, ``T`` stopped, ``Z``
  zombie, ``X`` dead), ``PPid``, ``TracerPid`` (0: not traced) and ``Seccomp``
  (0 none, 1 strict, 2 filter).
* A zombie has no memory any more: its cmdline and environ read empty, so a
  zombie is found through its parent (``PPid``), never through a marker.
* /proc/PID/syscall is ``running``, or the number of the syscall the task is
  blocked or stopped in, followed by its arguments.
* /proc/PID/task/PID/children lists the pids of the children of that thread;
  /proc/PID/fd has one entry per open fd, a link to what it is open on; VmRSS in
  /proc/PID/status is the resident memory in KiB.
* Field 52 of /proc/PID/stat is the exit status (as waitpid reports it) of a
  zombie whose parent has not reaped it yet.
* Any pid can vanish between listing /proc and reading its files: every read
  here treats that as "not there".
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
SECCOMP_FILTER = 2


@dataclass(frozen=True, slots=True)
class Proc:
    """One process as /proc/PID/status shows it at one moment."""

    pid: int
    ppid: int
    state: str  # the one-letter code: R, S, D, t, T, Z, X ...
    tracer_pid: int
    seccomp: int
    name: str

    @property
    def stopped(self) -> bool:
        return self.state in ("t", "T")

    @property
    def zombie(self) -> bool:
        return self.state in ("Z", "X")

    @property
    def filtered_untraced(self) -> bool:
        """Alive with a seccomp filter and nobody to serve it: its traced syscalls fail."""
        return not self.zombie and self.seccomp == SECCOMP_FILTER and self.tracer_pid == 0

    def __str__(self) -> str:
        return (
            f"{self.pid}({self.name}) state={self.state} ppid={self.ppid} "
            f"tracer={self.tracer_pid} seccomp={self.seccomp}"
        )


def parse_status(text: str) -> dict[str, str]:
    """The text of a /proc/PID/status (read here, or printed by a command) as {field: value}."""
    pairs = (line.partition(":") for line in text.splitlines() if ":" in line)
    return {key: value.strip() for key, _, value in pairs}


def status_fields(pid: int) -> dict[str, str] | None:
    """/proc/PID/status as a mapping of field to value, or None if the process is gone."""
    try:
        return parse_status((PROC / str(pid) / "status").read_text())
    except (FileNotFoundError, ProcessLookupError):
        return None


def proc(pid: int) -> Proc | None:
    fields = status_fields(pid)
    if fields is None:
        return None
    return Proc(
        pid=pid,
        ppid=int(fields.get("PPid", "0")),
        state=fields.get("State", "?")[:1],
        tracer_pid=int(fields.get("TracerPid", "0")),
        seccomp=int(fields.get("Seccomp", "0")),
        name=fields.get("Name", ""),
    )


def processes(pids: Iterable[int]) -> list[Proc]:
    """The processes among ``pids`` that still exist (zombies included)."""
    return [p for p in map(proc, sorted(set(pids))) if p is not None]


def state_of(pid: int) -> str | None:
    """The one-letter State of ``pid``; None if it is gone."""
    found = proc(pid)
    return found.state if found is not None else None


def alive(pid: int) -> bool:
    """``pid`` exists and is not a zombie (a zombie has ended: only its exit status is left)."""
    return state_of(pid) not in (None, "Z", "X")


def children(pid: int) -> list[int]:
    """The children of ``pid`` (of its main thread); [] if it is gone."""
    listed = _read_bytes(PROC / str(pid) / "task" / str(pid) / "children")
    return [int(child) for child in listed.split()]


def cmdline(pid: int) -> list[bytes]:
    """The argv of ``pid``; [] once it is gone (or a zombie)."""
    return _read_bytes(PROC / str(pid) / "cmdline").split(b"\0")[:-1]


WORKER_MODULE = b"traced.daemon.worker_main"


def worker_pids(daemon: int) -> set[int]:
    """The daemon's tracer workers (traced/daemon/workers.py): its children that run
    the worker module.  None with ``workers`` 0 or 1."""
    return {pid for pid in children(daemon) if WORKER_MODULE in cmdline(pid)}


def daemon_tracers(daemon: int) -> set[int]:
    """Whoever traces for the daemon: the daemon itself (one loop) or one of its workers."""
    return {daemon, *worker_pids(daemon)}


def fd_targets(pid: int) -> list[str]:
    """What each open fd of ``pid`` is open on (the /proc/PID/fd links)."""
    targets = []
    for fd in (PROC / str(pid) / "fd").iterdir():
        with contextlib.suppress(FileNotFoundError):  # closed while we listed
            targets.append(os.readlink(fd))
    return targets


def fd_count(pid: int) -> int:
    return len(os.listdir(PROC / str(pid) / "fd"))


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` (VmRSS), in KiB."""
    fields = status_fields(pid)
    assert fields is not None and "VmRSS" in fields, f"no VmRSS for pid {pid}: {fields}"
    return int(fields["VmRSS"].split()[0])


def all_pids() -> list[int]:
    return [int(entry) for entry in os.listdir(PROC) if entry.isdigit()]


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return b""


def parent_of(pid: int) -> int | None:
    """PPid from /proc/PID/stat (cheaper than status); None if gone."""
    stat = _read_bytes(PROC / str(pid) / "stat")
    if not stat:
        return None
    return int(stat.rsplit(b")", 1)[1].split()[1])


def descendants(*roots: int) -> set[int]:
    """Every process below ``roots`` (not the roots themselves), zombies included."""
    children: dict[int, list[int]] = {}
    for pid in all_pids():
        parent = parent_of(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    found: set[int] = set()
    todo = list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def marked(marker: str) -> set[int]:
    """Processes whose command line or environment contains ``marker``."""
    needle = marker.encode()
    return {
        pid
        for pid in all_pids()
        if needle in _read_bytes(PROC / str(pid) / "cmdline")
        or needle in _read_bytes(PROC / str(pid) / "environ")
    }


def syscall_nr(pid: int) -> int | None:
    """The syscall ``pid`` is blocked or stopped in; None if it runs or is gone."""
    words = _read_bytes(PROC / str(pid) / "syscall").split()
    if not words or words[0] == b"running":
        return None
    return int(words[0])


def zombie_exit_status(pid: int) -> int | None:
    """The wait status of an unreaped zombie (stat field 52); None if not a zombie."""
    stat = _read_bytes(PROC / str(pid) / "stat")
    if not stat:
        return None
    after_name = stat.rsplit(b")", 1)[1].split()
    # after_name[0] is field 3 (state), so field 52 is after_name[49].
    if after_name[0] not in (b"Z", b"X") or len(after_name) < 50:
        return None
    return int(after_name[49])


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.01) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass (a hang guard)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def settle(find: Callable[[], list[Proc]], timeout: float, quiet: float = 0.0) -> list[Proc]:
    """Poll ``find`` until it finds nothing (and still nothing ``quiet`` seconds later),
    or ``timeout`` seconds pass (a hang guard); what it found last (empty: settled)."""
    left: list[Proc] = []

    def nothing_left() -> bool:
        nonlocal left
        left = find()
        if not left and quiet:
            time.sleep(quiet)
            left = find()
        return not left

    wait_for(nothing_left, timeout)
    return left


@dataclass
class Census:
    """What every look at our processes found.  A clean census has nothing to list.

    ``observe`` is a look in the middle of a fault: the only thing that may never
    be seen then is a process running filtered without a tracer.  ``settled`` is
    the look once the dust settled: whatever is passed is left over, and is also
    sorted by what is wrong with it."""

    checked: set[int] = field(default_factory=set)
    stopped: list[Proc] = field(default_factory=list)
    zombies: list[Proc] = field(default_factory=list)
    orphans: list[Proc] = field(default_factory=list)  # filtered and untraced
    left: list[Proc] = field(default_factory=list)

    def add_checked(self, seen: Iterable[Proc]) -> None:
        self.checked.update(p.pid for p in seen)

    def observe(self, seen: Iterable[Proc]) -> None:
        for p in seen:
            self.checked.add(p.pid)
            if p.filtered_untraced:
                self.orphans.append(p)

    def settled(self, left: Iterable[Proc]) -> None:
        for p in left:
            self.checked.add(p.pid)
            self.left.append(p)
            if p.stopped:
                self.stopped.append(p)
            if p.zombie:
                self.zombies.append(p)
            if p.filtered_untraced:
                self.orphans.append(p)

    @property
    def clean(self) -> bool:
        return not (self.orphans or self.left)  # stopped and zombies are part of left

    def __str__(self) -> str:
        text = (
            f"{len(self.checked)} processes checked: {len(self.stopped)} stopped, "
            f"{len(self.zombies)} zombie, {len(self.orphans)} filtered without a tracer, "
            f"{len(self.left)} left over"
        )
        return text + "".join(f"\n  {p}" for p in {*self.left, *self.orphans})


def tracer_of(pid: int) -> int:
    """The pid of the thread that traces ``pid``, which must be alive (0: untraced)."""
    found = proc(pid)
    assert found is not None and not found.zombie, f"pid {pid} is gone"
    return found.tracer_pid
