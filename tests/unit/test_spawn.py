"""How a child that could not run its command reports the stage that failed."""

import errno
import os

from traced.errors import EXIT_NOT_FOUND
from traced.tracer.spawn import Child, Stage, _report


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
