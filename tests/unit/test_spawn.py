"""How a child that could not run its command reports the stage that failed; how it
places the fds it is given; what it refuses before forking; where PATH is searched."""

import errno
import json
import os
import re
from pathlib import Path

import pytest

from traced.errors import EXIT_NOT_FOUND, InvalidLaunchError, SpawnError
from traced.tracer.spawn import (
    CLOSED,
    Child,
    LaunchSpec,
    Stage,
    _arrange_fds,
    _report,
    check_launchable,
    resolve_program,
)


def test_a_reported_stage_names_the_step_that_failed() -> None:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        _report(write_fd, Stage.CHDIR, errno.ENOENT)  # exits
    os.close(write_fd)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == EXIT_NOT_FOUND
    error = Child(pid, "prog", -1, read_fd).read_outcome()
    assert error is not None and error.errno == errno.ENOENT
    assert "change directory" in str(error)


def test_fds_that_sit_on_each_others_numbers_reach_their_own() -> None:
    # A daemon's fds are numbered anyhow: the one for 3 may be at 5 and the one for 5
    # at 3, and a pipe at a number the command is given.  Each must land on its own.
    report_read, report_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(report_write, 100)
            os.closerange(3, 100)
            for name in ("cmdline", "environ", "stat"):  # at 3, 4, 5
                os.open(f"/proc/self/{name}", os.O_RDONLY)
            spec = LaunchSpec(("x",), stdio=(0, CLOSED, 2), inherited=((3, 5), (5, 3), (9, 4)))
            pipes = _arrange_fds(spec, (4, 100))
            held = [fd for fd in range(200) if _is_open(fd)]
            links = {fd: os.readlink(f"/proc/self/fd/{fd}") for fd in (3, 5, 9)}
            os.write(pipes[1], json.dumps([held, pipes, links]).encode())
        finally:
            os._exit(0)
    os.close(report_write)
    os.waitpid(pid, 0)
    held, pipes, links = json.loads(os.read(report_read, 4096))
    os.close(report_read)
    assert min(pipes) > 9 and held == [0, 2, 3, 5, 9, *pipes]
    assert links == {
        "3": f"/proc/{pid}/stat",
        "5": f"/proc/{pid}/cmdline",
        "9": f"/proc/{pid}/environ",
    }


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def test_what_execve_cannot_take_is_named() -> None:
    with pytest.raises(InvalidLaunchError, match=r"argv\[1\] contains a NUL byte"):
        check_launchable(LaunchSpec(("echo", "a\0b")))
    with pytest.raises(InvalidLaunchError, match="cwd contains a NUL byte"):
        check_launchable(LaunchSpec(("true",), cwd="/\0"))
    for env, words in (
        ({"A=B": "1"}, "environment name 'A=B' is empty or contains '='"),
        ({"": "1"}, "environment name '' is empty"),
        ({"X": "a\0"}, "the value of environment variable X contains a NUL"),
        ({"X": "\ud800"}, "the value of environment variable X is not encodable"),
    ):
        with pytest.raises(InvalidLaunchError, match=re.escape(words)):
            check_launchable(LaunchSpec(("true",), env=env))
    check_launchable(LaunchSpec(("true", "\udc80"), env={"A": "=B", "B": ""}, cwd="/"))


def test_a_relative_path_entry_is_taken_in_the_commands_folder(tmp_path: Path) -> None:
    tool = tmp_path / "tool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    for path in (".", "", "/nonexistent:."):
        assert resolve_program("tool", {"PATH": path}, str(tmp_path)) == f"{tmp_path}/./tool"
    with pytest.raises(SpawnError):
        resolve_program("tool", {"PATH": "."}, "/")
