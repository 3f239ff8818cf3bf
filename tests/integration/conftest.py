"""Fixtures of the integration tests: the compiled test programs, an empty working
directory, a running daemon and the hang guard of the daemon tests, and the machinery
of the tests that act as another uid (other_uid.py).  A missing strace or gcc fails the tests with a
message, it never skips them: without those tools nothing is proven."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.daemon_fixture import HANG_GUARD, hang_guard, running_daemon
from tests.integration.other_uid import Processes, Programs, programs_anyone_can_run, world_folder
from tests.integration.stracecmp import Tracers, tracer_env
from tests.integration.tools import require_tool

PROGRAM_SOURCES = Path(__file__).resolve().parents[1] / "programs"


@pytest.fixture(scope="session")
def strace_tool() -> str:
    return require_tool("strace", "the integration tests compare traced with strace")


@pytest.fixture(scope="session")
def programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each tests/programs/NAME.c compiled once per session: name → executable."""
    gcc = require_tool("gcc", "it builds the C test programs")
    build = tmp_path_factory.mktemp("programs")
    built = {}
    for source in sorted(PROGRAM_SOURCES.glob("*.c")):
        executable = build / source.stem
        command = [gcc, "-O1", "-pthread", "-Wall", "-o", str(executable), str(source)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"cannot compile {source.name}:\n{done.stderr}")
        built[source.stem] = executable
    return built


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """An empty directory for the traced program to work in.  Both tracers'
    runs use this same path (emptied in between), so paths under it agree."""
    work = tmp_path / "work"
    work.mkdir()
    yield work


REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tracers(strace_tool: str, workdir: Path, tmp_path: Path) -> Tracers:
    """Runs a program under strace and under traced and compares them; with
    STRACECMP_SELFCHECK=1, under strace twice (proves a program deterministic)."""
    return Tracers(
        strace=strace_tool,
        python=sys.executable,
        workdir=workdir,
        outdir=tmp_path,
        env=tracer_env(REPO_ROOT),
        selfcheck=os.environ.get("STRACECMP_SELFCHECK") == "1",
    )


@pytest.fixture
def short_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with a short path: AF_UNIX paths are limited to 107 bytes."""
    return tmp_path_factory.mktemp("sd")


@pytest.fixture(name="hang_guard")
def hang_guard_fixture(request: pytest.FixtureRequest) -> Iterator[None]:
    """daemon_fixture.hang_guard around a test, for the module's own HANG_GUARD if it
    sets one (a soak may legitimately wait longer than a quick request does).  A
    module asks for it with ``pytest.mark.usefixtures("hang_guard")``."""
    with hang_guard(getattr(request.module, "HANG_GUARD", HANG_GUARD)):
        yield


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Path]:
    """A daemon with the default settings on a private socket (the test gets the
    socket's path), stopped after the test: daemon_fixture.running_daemon."""
    with running_daemon(tmp_path) as started:
        yield started.socket


@pytest.fixture(scope="module")
def programs_for_anyone() -> Iterator[Programs]:
    """other_uid's helper programs, in a folder every uid can reach."""
    with programs_anyone_can_run() as built:
        yield built


@pytest.fixture
def processes() -> Iterator[Processes]:
    """Every process the test starts through it, SIGKILLed and reaped at its end."""
    with Processes() as started:
        yield started


@pytest.fixture
def world() -> Iterator[Path]:
    """A fresh folder every uid can reach (0755), removed afterwards."""
    with world_folder("traced-test-") as folder:
        yield folder


# A process that makes a syscall every 10 ms for as long as it is let run.
BUSY = "import os, time\nwhile True:\n    os.stat('/'); time.sleep(0.01)"


@pytest.fixture
def busy() -> Iterator[subprocess.Popen[bytes]]:
    target = subprocess.Popen([sys.executable, "-c", BUSY])
    try:
        yield target
    finally:
        target.kill()
        target.wait()
