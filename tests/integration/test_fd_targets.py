"""procfs.fd_target on this process's own fds: the kernel's `` (deleted)`` is taken
off a file unlinked since, and kept on a file that is so named."""

import os
from pathlib import Path

import pytest

from traced.decoders.arguments import FdTarget
from traced.linux import procfs

pytestmark = pytest.mark.integration


def test_an_unlinked_file_is_deleted_and_a_file_so_named_is_not(tmp_path: Path) -> None:
    gone, named = tmp_path / "gone", tmp_path / "kept (deleted)"
    named.write_text("")
    gone_fd = os.open(gone, os.O_CREAT | os.O_RDWR, 0o600)
    named_fd = os.open(named, os.O_RDONLY)
    try:
        os.unlink(gone)
        assert procfs.fd_target(os.getpid(), gone_fd) == FdTarget(str(gone), deleted=True)
        assert procfs.fd_target(os.getpid(), named_fd) == FdTarget(str(named))
    finally:
        os.close(gone_fd)
        os.close(named_fd)
