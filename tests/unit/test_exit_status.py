"""The exit status of a command that could not be executed, as a shell gives it."""

from __future__ import annotations

import errno

import pytest

from traced.errors import EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND, exit_status_for_exec_error


@pytest.mark.parametrize(
    ("err", "status"),
    [
        (errno.ENOENT, 127),
        (errno.EACCES, 126),
        (errno.ENOEXEC, 126),
        (errno.ENOTDIR, 126),
        (0, 126),
    ],
)
def test_not_found_is_127_and_any_other_failure_126(err: int, status: int) -> None:
    assert exit_status_for_exec_error(err) == status


def test_the_constants_are_the_shells() -> None:
    assert (EXIT_NOT_FOUND, EXIT_NOT_EXECUTABLE) == (127, 126)
