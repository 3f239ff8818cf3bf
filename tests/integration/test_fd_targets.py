"""procfs.fd_target on this process's own fds: the kernel's `` (deleted)`` is taken
off a file unlinked since, and kept on a file that is so named."""

import os
import socket
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


def test_a_unix_socket_with_yy_names_its_peer_and_its_abstract_address() -> None:
    """sock_diag asked as strace asks it: ``UNIX-STREAM:[5->6,@"name"]``."""
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        left_ino, right_ino = (os.fstat(s.fileno()).st_ino for s in (left, right))
        kinds = frozenset(("socket",))
        target = procfs.fd_target(os.getpid(), left.fileno(), kinds)
        assert target is not None
        assert (target.protocol, target.peer, target.bound) == ("UNIX-STREAM", right_ino, None)
        assert left_ino != right_ino
    finally:
        left.close()
        right.close()
    bound = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        bound.bind(b"\0traced-test-" + str(os.getpid()).encode())
        target = procfs.fd_target(os.getpid(), bound.fileno(), frozenset(("socket",)))
        assert target is not None
        assert target.bound == "\0traced-test-" + str(os.getpid())
        assert target.peer is None
    finally:
        bound.close()
