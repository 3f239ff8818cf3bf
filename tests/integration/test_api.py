"""``import traced``: the public API, in-process and through a real daemon."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import traced

pytestmark = pytest.mark.integration

CALLS = 25


@pytest.mark.asyncio
async def test_trace_yields_a_commands_events_and_its_outcome(programs: dict[str, Path]) -> None:
    async with traced.trace([str(programs["loop"]), str(CALLS)], filter="trace=getppid") as s:
        events = [event async for event in s]
    calls = [e for e in events if isinstance(e, traced.SyscallEvent)]
    assert [e.name for e in calls] == ["getppid"] * CALLS
    assert all(e.retval == os.getpid() for e in calls)  # its parent: this very process
    assert isinstance(events[-1], traced.ExitEvent) and events[-1].code == 0
    assert s.outcome == traced.Outcome(code=0, signal=None)


@pytest.mark.asyncio
async def test_trace_filters_as_dash_e_does(tmp_path: Path) -> None:
    present = tmp_path / "present"
    present.write_text("x")
    argv = ["cat", str(present), str(tmp_path / "absent")]
    filters = ["trace=openat", "status=failed"]
    env = {"PATH": os.environ["PATH"], "LC_ALL": "C"}  # no locale files looked for
    async with traced.trace(argv, filter=filters, env=env) as session:
        events = [e async for e in session if isinstance(e, traced.SyscallEvent)]
    assert [(e.name, e.args[1].value, e.error) for e in events] == [
        ("openat", str(tmp_path / "absent"), "ENOENT")
    ]
    assert session.outcome is not None and session.outcome.code == 1


@pytest.mark.asyncio
async def test_leaving_the_block_early_kills_the_command() -> None:
    async with traced.trace(["sleep", "60"], filter="trace=none") as session:
        pid = session.pid
    assert session.outcome == traced.Outcome(code=None, signal=signal.SIGKILL)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.asyncio
async def test_a_program_that_does_not_exist_is_a_spawn_error() -> None:
    with pytest.raises(traced.SpawnError, match="no-such-program"):
        async with traced.trace(["no-such-program"]):
            pass


@pytest.mark.asyncio
async def test_a_bad_filter_is_refused_before_anything_runs() -> None:
    with pytest.raises(traced.TracedError, match="nosuchcall"):
        traced.trace(["true"], filter="trace=nosuchcall")


@pytest.mark.asyncio
async def test_a_daemons_launch_attach_subscribe_and_questions(
    daemon: Path, programs: dict[str, Path]
) -> None:
    async with await traced.connect(str(daemon)) as d:
        assert d.hello["type"] == "hello"
        argv = [str(programs["loop"]), str(CALLS)]
        async with await d.launch(argv, filter="trace=getppid", stdio=None) as stream:
            events = [event async for event in stream]
        assert stream.end is not None and stream.end.status == 0
        assert sum(isinstance(e, traced.SyscallEvent) for e in events) == CALLS
        assert {e.session for e in events if isinstance(e, traced.Event)} == {stream.session}

        sleeper = subprocess.Popen(["sleep", "60"])
        try:
            async with await d.attach(sleeper.pid, filter="trace=none") as attached:
                [info] = [i for i in await d.sessions() if i.session == attached.session]
                assert (info.kind, info.pid) == ("attach", sleeper.pid)
                stats = await d.stats(attached.session)
                assert list(stats.sessions) == [attached.session]  # the live one, asked by id
                async with await d.subscribe(attached.session) as watcher:
                    await d.detach(attached.session)
                    rest = [event async for event in watcher]
                assert watcher.end is not None and watcher.end.status is None  # detached
                assert not [e for e in rest if isinstance(e, traced.ExitEvent)]
            assert sleeper.poll() is None  # let go, alive
        finally:
            sleeper.kill()
            sleeper.wait()


@pytest.mark.asyncio
async def test_a_daemon_request_error_is_typed(daemon: Path) -> None:
    async with await traced.connect(str(daemon)) as d:
        with pytest.raises(traced.RequestFailed) as failed:
            await d.signal("no-such-session", "SIGTERM")
        assert failed.value.code is not None and failed.value.code.value == "not_found"


@pytest.mark.asyncio
async def test_connect_without_a_daemon_says_so(tmp_path: Path) -> None:
    with pytest.raises(traced.DaemonUnavailable):
        await traced.connect(str(tmp_path / "nobody.sock"))


def test_import_traced_costs_the_command_line_nothing() -> None:
    code = "import sys, traced; print(any(m.startswith('traced.api') for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    assert asyncio.iscoroutinefunction(traced.connect)  # and the names come on first use
