"""What a command that could not be run exits with, and how its failed stage is named."""

import errno
import os

from traced.tracer.spawn import (
    EXIT_CANNOT_EXECUTE,
    EXIT_NOT_FOUND,
    Child,
    Stage,
    _report,
    cannot_run_status,
)


def test_a_missing_program_exits_127_and_any_other_failure_126() -> None:
    """As a shell reports them."""
    assert (EXIT_NOT_FOUND, EXIT_CANNOT_EXECUTE) == (127, 126)
    assert cannot_run_status(errno.ENOENT) == 127
    assert cannot_run_status(errno.EACCES) == cannot_run_status(errno.ENOEXEC) == 126


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
