"""``traced attach --filter``: our seccomp filter injected into real running processes.

Each test attaches to tests/programs/filter_target.c, which checks the result of
every call it makes (exit 0: all as they must be), and proves what the install
changed: /proc's ``Seccomp: 2``, only the traced calls stopping the process after
it, its own calls unchanged; the failures leave it in full mode, running as before.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.integration.daemon_fixture import HANG_GUARD, REPO, running_daemon
from traced.core.abi import WALL
from traced.core.filter_install import Install
from traced.events import Event, FilterEvent, SyscallEvent
from traced.filter.bpf import compile_filter
from traced.syscalls.arch import X86_64
from traced.tracer.attachfilter import FilterInstaller
from traced.tracer.blocking import BlockingDriver
from traced.tracer.engine import Engine
from traced.tracer.run import KILL, Run, TracePolicy

pytestmark = pytest.mark.integration

WANTED = frozenset({"openat"})


def _threads(pid: int) -> list[int]:
    try:
        return [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]
    except FileNotFoundError:  # reaped already, by the trace that ran it to its end
        return []


def _reap_traced_threads(pid: int, threads: list[int]) -> None:
    """A test that failed mid-trace leaves the killed process's other threads traced
    by this very process, which must reap them (__WALL) before their leader can be
    reaped: without this, the test's failure hangs in Popen.wait."""
    for tid in threads:
        if tid != pid:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(tid, WALL)


@contextmanager
def _target(programs: dict[str, Path], *args: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([programs["filter_target"], *args], stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == b"ready\n"
        yield process
    finally:
        threads = _threads(process.pid)
        if process.poll() is None:
            process.kill()
        _reap_traced_threads(process.pid, threads)
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


class _Traced:
    """An in-process attach, driven until a condition holds."""

    def __init__(self, engine: Engine, pid: int, choice: str | None) -> None:
        self.events: list[Event] = []
        policy = TracePolicy(WANTED, attach_filter=choice)
        self.run: Run = engine.attach(pid, policy, self.events.append)
        self.driver = BlockingDriver(engine.reactor)

    def until(self, done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + HANG_GUARD
        self.driver.run_until(lambda: done() or self.run.over or time.monotonic() > deadline)
        assert done(), "the condition never held"

    def until_settled(self) -> FilterEvent:
        self.until(lambda: any(isinstance(e, FilterEvent) for e in self.events))
        return next(e for e in self.events if isinstance(e, FilterEvent))

    def code(self) -> int | None:
        self.until(lambda: self.run.over)
        outcome = self.run.outcome()
        assert outcome is not None
        return outcome.code


@contextmanager
def _attached(pid: int, choice: str | None = KILL) -> Iterator[_Traced]:
    with Engine(blocking=True) as engine:
        yield _Traced(engine, pid, choice)


def _seccomp_modes(pid: int) -> set[str]:
    modes = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith("Seccomp:"):
                modes.add(line.split()[1])
    return modes


def _only_wanted_stop(programs: dict[str, Path], mode: str, threads: int) -> None:
    with _target(programs, mode, "2") as process, _attached(process.pid) as traced:
        outcome = traced.until_settled()
        assert outcome.installed, outcome.reason
        assert _seccomp_modes(process.pid) == {"2"}
        before, seen = Counter(traced.run.core.stops), len(traced.events)
        assert traced.code() == 0  # every call returned what it must
        entries = traced.run.core.stops["Entry"] - before["Entry"]
        calls = [e for e in traced.events[seen:] if isinstance(e, SyscallEvent)]
        assert {e.name for e in calls} == {"openat"}
        # Every other call ran without a stop: at most the first call of each thread
        # after the install stopped in full mode (it was restarted so before).  A call
        # each thread had in flight at the count was entered before it, and reported
        # after.
        assert len(calls) > 100
        assert len(calls) - threads <= entries <= len(calls) + 2 * threads


def test_only_the_traced_calls_stop_after_the_install(programs: dict[str, Path]) -> None:
    _only_wanted_stop(programs, "loop", 1)


def test_every_thread_gets_the_filter(programs: dict[str, Path]) -> None:
    """TSYNC: installed from one thread, in all five, which each run unchanged."""
    _only_wanted_stop(programs, "threads", 5)


def test_a_sleeper_installs_at_its_restarted_sleep(programs: dict[str, Path]) -> None:
    """Asleep in nanosleep: the attach's interrupt makes it restart the call, whose
    entry takes the injection; the sleep then goes on to its end (exit 0: it slept
    all of it and nanosleep returned 0)."""
    with _target(programs, "sleep", "3") as process, _attached(process.pid) as traced:
        outcome = traced.until_settled()
        assert outcome.installed, outcome.reason
        assert _seccomp_modes(process.pid) == {"2"}
        assert traced.code() == 0


def test_a_process_with_filters_of_its_own_is_refused(programs: dict[str, Path]) -> None:
    """Its filter's verdict on the injected calls could kill it: nothing is injected,
    the process is traced at every syscall, and runs as before."""
    with _target(programs, "diverge", "1") as process, _attached(process.pid) as traced:
        outcome = traced.until_settled()
        assert not outcome.installed
        assert "seccomp filter of its own" in (outcome.reason or "")
        assert traced.run.filter_state == "failed" and not traced.run.filtered
        before = Counter(traced.run.core.stops)
        assert traced.code() == 0
        calls = sum(isinstance(e, SyscallEvent) for e in traced.events)
        assert traced.run.core.stops["Entry"] - before["Entry"] > 3 * calls  # full mode


def test_a_tsync_refusal_restores_the_process(programs: dict[str, Path]) -> None:
    """The kernel's own refusal: threads with diverging filters of their own (the
    check that refuses them first is left out here).  seccomp returns a tid, the
    registers are the task's again, its call runs as it would have, and the
    process goes on in full mode with nothing installed."""
    with _target(programs, "diverge", "2") as process, _attached(process.pid, None) as traced:
        run = traced.run
        program = compile_filter(X86_64, WANTED | {"seccomp", "prctl"})
        assert X86_64.inject is not None
        install = Install(program, needs_no_new_privs=False)
        audit = X86_64.native.audit_arch
        run.installer = FilterInstaller(run, process.pid, install, X86_64.inject, audit)
        outcome = traced.until_settled()
        assert not outcome.installed
        assert "synchronise the threads" in (outcome.reason or ""), outcome.reason
        assert not run.filtered
        assert traced.code() == 0


def _traced(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "traced", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=HANG_GUARD)


def test_in_process_needs_kill_on_exit(programs: dict[str, Path]) -> None:
    with _target(programs, "loop", "1") as process:
        done = _traced("attach", "-f", "--no-daemon", "--filter", "--yes", str(process.pid))
        assert done.returncode == 2
        assert "--filter=kill-on-exit" in done.stderr
        assert process.wait() == 0  # never touched


def test_in_process_warns_then_traces_only_openat(programs: dict[str, Path]) -> None:
    with _target(programs, "loop", "1") as process:
        pid = str(process.pid)
        done = _traced("attach", "-f", "--no-daemon", "--filter=kill-on-exit", "-e", "openat", pid)
        assert process.wait() == 0
    assert "can never be detached" in done.stderr
    assert f"Process {pid}: seccomp filter installed" in done.stderr
    lines = [line for line in done.stderr.splitlines() if not line.startswith("traced: ")]
    assert lines[-1] == "+++ exited with 0 +++"
    assert {line.split("(")[0] for line in lines[:-1]} == {"openat"}


def _attached_through(socket: Path, pid: int) -> tuple[list[str], str]:
    """``attach --filter --detach`` of ``pid`` through the daemon at ``socket``: the
    words that reach that daemon, and the session's id."""
    where = ["--socket", str(socket)]
    args = ["attach", "-f", "--daemon", "--filter", "--yes", "-e", "openat", "--detach"]
    started = _traced(*where, *args, str(pid))
    assert started.returncode == 0, started.stderr
    return where, started.stdout.strip()


def test_daemon_refuses_to_detach_it(programs: dict[str, Path], tmp_path: Path) -> None:
    with running_daemon(tmp_path) as daemon, _target(programs, "loop", "4") as process:
        where, session = _attached_through(daemon.socket, process.pid)
        deadline = time.monotonic() + HANG_GUARD
        while _seccomp_modes(process.pid) != {"2"}:
            assert time.monotonic() < deadline, "the filter never went in"
            time.sleep(0.05)
        refused = _traced(*where, "detach", session)
        assert refused.returncode != 0
        assert "attached with --filter" in refused.stderr
        assert process.wait(timeout=HANG_GUARD) == 0  # traced to its end, unchanged


def test_daemon_detaches_it_once_no_filter_went_in(
    programs: dict[str, Path], tmp_path: Path
) -> None:
    """A process with filters of its own gets none of ours (the install is refused),
    so nothing keeps it from being detached, and it runs on untraced."""
    with running_daemon(tmp_path) as daemon, _target(programs, "diverge", "4") as process:
        where, session = _attached_through(daemon.socket, process.pid)
        deadline = time.monotonic() + HANG_GUARD
        while (done := _traced(*where, "detach", session)).returncode != 0:
            assert "attached with --filter" in done.stderr, done.stderr  # not yet judged
            assert time.monotonic() < deadline, "never detached"
            time.sleep(0.05)
        assert process.wait(timeout=HANG_GUARD) == 0  # ran to its end, untraced


def test_kill_on_exit_with_detach_is_refused_before_anything_is_done() -> None:
    """It would kill the process at once: refused, nothing attached (pid 1 untouched)."""
    done = _traced("attach", "-f", "--daemon", "--filter=kill-on-exit", "--detach", "1")
    assert done.returncode == 2
    assert "--filter=kill-on-exit kills the process when traced leaves" in done.stderr
