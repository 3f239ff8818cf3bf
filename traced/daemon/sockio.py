"""What the daemon's two kinds of stream socket do alike: a client's connection
(daemon.connection) and a front↔worker channel (daemon.link).

Kernel facts this module depends on:

* SCM_RIGHTS fds arrive as ancillary data of the read that returns the first
  byte of the sendmsg that carried them; one sendmsg carries at most SCM_MAX_FD
  (253) fds, and a buffer sized for them receives them all.
* sendmsg gathers up to IOV_MAX (1024) buffers into one syscall.
* A non-blocking send may take part of a buffer; the rest waits for EPOLLOUT,
  which the loop reports while the socket has room, so it is watched only while
  something waits.
"""

from __future__ import annotations

import array
import asyncio
import socket
from collections.abc import Callable

MAX_FDS = 253  # SCM_MAX_FD
IOV_MAX = 1024


def receive(sock: socket.socket, size: int) -> tuple[bytes, list[int]]:
    """Up to ``size`` bytes, and the fds that came with them.  Raises what recvmsg
    raises (BlockingIOError when nothing is there)."""
    data, ancillary, _flags, _addr = sock.recvmsg(size, socket.CMSG_SPACE(MAX_FDS * 4))
    fds: list[int] = []
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            received = array.array("i")
            received.frombytes(payload[: len(payload) - len(payload) % received.itemsize])
            fds.extend(received)
    return data, fds


class WriteWatch:
    """The loop's watch for room to write on a socket, on only while bytes wait."""

    def __init__(self, sock: socket.socket, on_writable: Callable[[], None]) -> None:
        self.sock = sock
        self.on_writable = on_writable
        self.on = False

    def want(self, want: bool) -> None:
        if want == self.on:
            return
        loop = asyncio.get_running_loop()
        if want:
            loop.add_writer(self.sock.fileno(), self.on_writable)
        else:
            loop.remove_writer(self.sock.fileno())
        self.on = want
