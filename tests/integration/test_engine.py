"""The engine, in this process, on real tracees: stop counts, attach, detach, errors."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import uvloop

from tests.integration.procscan import children
from traced.errors import AttachError, SpawnError
from traced.events import Event, ExecEvent, ExitEvent, SyscallEvent
from traced.linux.access import Client
from traced.tracer.engine import Engine
from traced.tracer.run import Run, TracePolicy
from traced.tracer.spawn import Credentials, LaunchSpec

pytestmark = pytest.mark.integration

LOOPS = 1000
OPENS = LOOPS // 10


def launch(argv: list[str], names: set[str] | None, **policy: bool) -> tuple[list[Event], Run]:
    events: list[Event] = []

    async def run() -> Run:
        with Engine() as engine:
            chosen = None if names is None else frozenset(names)
            spec = LaunchSpec(tuple(argv), stdio=(0, 2, 2))
            session = engine.launch(spec, TracePolicy(chosen, **policy), events.append)
            await session.wait()
            return session

    return events, uvloop.run(run())


def syscalls(events: list[Event], name: str) -> list[SyscallEvent]:
    return [e for e in events if isinstance(e, SyscallEvent) and e.name == name]


def test_filtered_trace_stops_only_for_the_asked_syscalls(programs: dict[str, Path]) -> None:
    events, session = launch([str(programs["loop"]), str(LOOPS)], {"getppid"})
    assert len(syscalls(events, "getppid")) == LOOPS
    assert {e.name for e in events if isinstance(e, SyscallEvent)} == {"getppid"}
    stops = session.core.stops
    # One seccomp-stop and one exit-stop per getppid; the openat/close pairs,
    # the loader's syscalls and exit_group never stop the tracee.
    assert stops["Entry"] == LOOPS and stops["Exit"] == LOOPS
    assert stops["Exec"] == 1 and stops["Exited"] == 1
    print(f"filtered: {LOOPS} getppid traced with {sum(stops.values())} stops: {dict(stops)}")


def test_full_mode_stops_at_every_syscall(programs: dict[str, Path]) -> None:
    events, session = launch([str(programs["loop"]), str(LOOPS)], {"getppid"}, force_full=True)
    assert len(syscalls(events, "getppid")) == LOOPS
    stops = session.core.stops
    assert stops["Entry"] >= LOOPS + 2 * OPENS  # every syscall, filtered in userspace
    print(f"full: {LOOPS} getppid traced with {sum(stops.values())} stops")


def test_every_syscall_without_a_filter(programs: dict[str, Path]) -> None:
    events, _ = launch([str(programs["loop"]), str(LOOPS)], None)
    opens = [e for e in syscalls(events, "openat") if e.args[1].value == "/dev/null"]
    assert len(opens) == OPENS and len(syscalls(events, "close")) >= OPENS
    assert syscalls(events, "execve")[0].args[0].value == str(programs["loop"])
    [exit_group] = syscalls(events, "exit_group")
    assert exit_group.retval is None and [a.value for a in exit_group.args] == [0]


def test_launch_of_missing_program_is_a_spawn_error() -> None:
    with pytest.raises(SpawnError, match=r"no-such-program.*ENOENT"):
        launch(["no-such-program-anywhere"], {"openat"})


def test_exec_event_and_exit_code() -> None:
    events, session = launch(["sh", "-c", "exit 7"], {"execve"})
    [exec_event] = [e for e in events if isinstance(e, ExecEvent)]
    assert exec_event.argv == ("sh", "-c", "exit 7") and exec_event.path.endswith("/sh")
    assert session.core.outcome is not None and session.core.outcome.shell_status == 7
    [ended] = [e for e in events if isinstance(e, ExitEvent)]
    assert ended.code == 7


def test_an_exec_s_image_is_not_read_for_a_sink_that_never_shows_it() -> None:
    """exec_image=False (the CLI's text): the exec stops, is reported, and the session
    goes on, with no path nor argv read for it."""
    events, session = launch(["sh", "-c", "exec /bin/true"], {"execve"}, exec_image=False)
    execs = [e for e in events if isinstance(e, ExecEvent)]
    assert [(e.path, e.argv) for e in execs] == [("", ()), ("", ())]
    assert session.core.outcome is not None and session.core.outcome.shell_status == 0


def _sleeper() -> subprocess.Popen[bytes]:
    code = "import os,time\nwhile True:\n    os.stat('/'); time.sleep(0.01)"
    return subprocess.Popen([sys.executable, "-c", code])


def _proc_status(pid: int, field: str) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(field)


def test_attach_then_detach_leaves_the_process_running() -> None:
    sleeper = _sleeper()
    events: list[Event] = []
    try:
        time.sleep(0.2)

        async def run() -> None:
            with Engine() as engine:
                policy = TracePolicy(frozenset({"newfstatat", "stat"}))
                session = engine.attach(sleeper.pid, policy, events.append)
                assert session.core.tasks
                while not syscalls(events, "newfstatat") and not syscalls(events, "stat"):
                    await asyncio.sleep(0.01)
                session.detach()
                assert await session.wait() is None

        uvloop.run(run())
        assert _proc_status(sleeper.pid, "TracerPid") == "0"
        time.sleep(0.05)
        assert sleeper.poll() is None  # still running, untraced
        assert _proc_status(sleeper.pid, "State")[0] in "RS"
    finally:
        sleeper.kill()
        sleeper.wait()
    stats = syscalls(events, "newfstatat") + syscalls(events, "stat")
    assert stats and all("/" in [a.value for a in e.args] for e in stats)


def test_attach_to_missing_process_is_esrch() -> None:
    async def run() -> None:
        with Engine() as engine:
            engine.attach(2**22 + 1, TracePolicy(None), lambda e: None)

    with pytest.raises(AttachError, match="ESRCH"):
        uvloop.run(run())


def test_attach_to_an_already_traced_process_is_eperm() -> None:
    traced_elsewhere = subprocess.Popen(["strace", "-qq", "-o", "/dev/null", "sleep", "30"])
    sleep_pid = 0
    try:
        time.sleep(0.3)
        [sleep_pid] = children(traced_elsewhere.pid)

        async def run() -> None:
            with Engine() as engine:
                engine.attach(sleep_pid, TracePolicy(None), lambda e: None)

        with pytest.raises(AttachError, match="EPERM"):
            uvloop.run(run())
    finally:
        if sleep_pid:
            os.kill(sleep_pid, signal.SIGKILL)
        traced_elsewhere.wait()


def test_engine_never_reaps_a_child_it_does_not_trace(programs: dict[str, Path]) -> None:
    # A zombie that is not ours sits first in waitid's line the whole time.
    bystander = subprocess.Popen(["sh", "-c", "exit 5"])
    time.sleep(0.1)
    events, session = launch(["sh", "-c", "sh -c 'exit 3'; exit 4"], {"execve", "wait4"})
    assert session.core.outcome is not None and session.core.outcome.shell_status == 4
    assert len(syscalls(events, "execve")) == 2
    assert bystander.wait(timeout=5) == 5  # its status was left for its owner


def test_attach_follows_every_thread() -> None:
    code = (
        "import threading,time,os\n"
        "def spin():\n    while True: os.stat('/'); time.sleep(0.01)\n"
        "for _ in range(3): threading.Thread(target=spin, daemon=True).start()\n"
        "spin()"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    events: list[Event] = []
    try:
        time.sleep(0.3)
        threads = set(os.listdir(f"/proc/{proc.pid}/task"))

        async def run() -> None:
            with Engine() as engine:
                policy = TracePolicy(frozenset({"newfstatat", "stat"}))
                session = engine.attach(proc.pid, policy, events.append)
                assert {str(tid) for tid in session.core.tasks} == threads
                while len({e.tid for e in events}) < len(threads):
                    await asyncio.sleep(0.01)
                session.detach()
                await session.wait()

        uvloop.run(run())
        assert {str(e.tid) for e in events} == threads
        assert {e.pid for e in events} == {proc.pid}
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()


def ignore(event: Event) -> None:
    pass


def test_a_thread_that_takes_sigchld_cannot_stall_the_engine() -> None:
    # A thread made before the engine blocks SIGCHLD leaves it unblocked, so the
    # kernel may hand it SIGCHLDs, which it discards. The engine must not hang.
    stop = threading.Event()
    thief = threading.Thread(target=stop.wait, daemon=True)
    thief.start()

    async def run() -> int:
        with Engine() as engine:
            for _ in range(20):
                spec = LaunchSpec(("/bin/true",), stdio=(0, 2, 2))
                session = engine.launch(spec, TracePolicy(frozenset({"openat"})), ignore)
                outcome = await asyncio.wait_for(session.wait(), timeout=10)
                assert outcome is not None and outcome.code == 0
        return 20

    try:
        assert uvloop.run(run()) == 20
    finally:
        stop.set()
        thief.join()


def test_an_attached_process_that_execs_into_other_credentials_is_let_go(world: Path) -> None:
    # Run as uid/gid 12345 and watched on its behalf, it execs a set-user-ID root
    # copy of sleep: the exec shows it is no longer the owner's, so it is detached
    # there.  (Watched for 12345, a root process would not be seized at all.)
    setuid_sleep = world / "setuid_sleep"
    shutil.copy(shutil.which("sleep") or "/bin/sleep", setuid_sleep)
    setuid_sleep.chmod(0o4755)
    proc = subprocess.Popen(
        ["sh", "-c", f"read line; exec {setuid_sleep} 5"],
        stdin=subprocess.PIPE,
        user=12345,
        group=12345,
    )
    events: list[Event] = []
    try:
        time.sleep(0.2)

        async def run() -> None:
            with Engine() as engine:
                policy = TracePolicy(None, owner=Client(12345, 12345))
                session = engine.attach(proc.pid, policy, events.append)
                assert proc.stdin is not None
                proc.stdin.write(b"go\n")
                proc.stdin.flush()
                await asyncio.wait_for(session.wait(), timeout=10)

        uvloop.run(run())
        execs = [e for e in events if isinstance(e, ExecEvent)]
        assert execs and execs[-1].detached == "uids 12345 0 0", execs  # seen, then let go
        assert proc.poll() is None  # still running, untraced
        assert "TracerPid:\t0" in Path(f"/proc/{proc.pid}/status").read_text()
    finally:
        proc.kill()
        proc.wait()
        if proc.stdin is not None:
            proc.stdin.close()


def test_a_launch_with_credentials_runs_and_resolves_as_that_user(tmp_path: Path) -> None:
    nobody = Credentials(65534, 65534, (65534,))
    read_end, write_end = os.pipe()
    results: list[tuple[int | None, str | None]] = []

    async def run() -> None:
        with Engine() as engine:
            for argv in (("sh", "-c", "id -u; id -g; id -G"), ("no-such-program-here",)):
                spec = LaunchSpec(argv, stdio=(0, write_end, 2), credentials=nobody)
                session = engine.launch(spec, TracePolicy(frozenset({"execve"})), ignore)
                outcome = await asyncio.wait_for(session.wait(), timeout=10)
                error = str(session.spawn_error) if session.spawn_error else None
                results.append((outcome.code if outcome else None, error))

    try:
        uvloop.run(run())
    finally:
        os.close(write_end)
    with os.fdopen(read_end) as output:
        assert output.read().split() == ["65534", "65534", "65534"]
    assert results[0] == (0, None)
    code, error = results[1]
    assert code == 127 and error is not None and "ENOENT" in error


def test_a_child_that_fails_before_its_seize_still_reports_to_its_session() -> None:
    # As another user, the child looks the program up itself and may fail and exit
    # before the tracer seizes it (EPERM: a zombie cannot be seized; 3 in 100 did).
    # It waits for its release instead, so every failure reaches the session.
    nobody = Credentials(65534, 65534, (65534,))
    errors: list[str | None] = []

    async def run() -> None:
        with Engine() as engine:
            for _ in range(100):
                spec = LaunchSpec(("no-such-program-here",), stdio=(0, 2, 2), credentials=nobody)
                session = engine.launch(spec, TracePolicy(frozenset({"execve"})), ignore)
                await asyncio.wait_for(session.wait(), timeout=10)
                errors.append(str(session.spawn_error) if session.spawn_error else None)

    uvloop.run(run())
    assert len(errors) == 100 and all(error and "ENOENT" in error for error in errors), errors


def test_many_short_children_in_parallel_all_end_the_session() -> None:
    # A child may run its whole life before its parent's fork event is handled
    # (make -j2 hit it): that late event must not bring the child back to life.
    script = "for i in $(seq 150); do /bin/true & /bin/true & wait; done"

    async def run() -> tuple[int, int]:
        exits: list[Event] = []
        with Engine() as engine:
            spec = LaunchSpec(("sh", "-c", script), stdio=(0, 2, 2))
            session = engine.launch(spec, TracePolicy(frozenset({"connect"})), exits.append)
            outcome = await asyncio.wait_for(session.wait(), timeout=60)
        assert outcome is not None
        return outcome.code or 0, sum(isinstance(e, ExitEvent) for e in exits)

    code, exited = uvloop.run(run())
    assert (code, exited) == (0, 1 + 1 + 300)  # sh, seq, and the trues
