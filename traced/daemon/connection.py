"""One client connection: bytes and fds in, lines out, with per-subscription accounting.

Kernel facts this module depends on:

* SCM_RIGHTS fds ride on the bytes of the sendmsg that carried them, and the
  kernel does not merge a read across them, so fds received with a chunk belong
  to the first request line that completes in or after it.  Fds no request
  claims are closed at once: the daemon never keeps (or leaks) a client's fd.
  One sendmsg carries at most SCM_MAX_FD (253) fds, and a long one reaches us in
  pieces, its fds with the first; so a client sends a launch's fds with the end of
  its line, and past a read only 3 unclaimed fds wait for an unfinished line.
* SO_PEERCRED gives the uid of whoever connected; it cannot be forged.  It and
  SO_PEERGROUPS (the supplementary groups, Linux 4.13) are taken at connect(2): the
  pid they name may exit and be reused, so nothing about the client that grants
  privilege is read from /proc/PID.
* A non-blocking send may take part of a buffer; the rest waits for EPOLLOUT.
* Bytes a client sends while we do not read it wait in its socket, and once that is
  full its own writes block: so a client that does not read its answers is not read
  either, and what we hold for it stays bounded (each 1-byte line is a ~100-byte error).
* sendmsg gathers up to IOV_MAX (1024) buffers into one syscall, so the lines a
  loop iteration produced leave in one write (and wake the reader once), not one
  syscall and one wake-up per event.
* End of file on a read means only that the client has said all it will say
  (shutdown(SHUT_WR) reads the same as a close): it may still read.  It is gone
  when a write fails (EPIPE, ECONNRESET) or its socket hangs up (see
  traced.linux.hangup); until then what it is owed is still sent.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import errno
import itertools
import os
import select
import socket
import struct
from collections import deque
from collections.abc import Callable

from traced.daemon.delivery import Subscription
from traced.daemon.hub import DaemonSession
from traced.daemon.sockio import IOV_MAX, MAX_FDS, WriteWatch, receive
from traced.errors import ErrorCode
from traced.linux.hangup import watch_hangup
from traced.logs import get_logger
from traced.wire.framing import Line, LineDecoder, Oversized, Truncated, encode
from traced.wire.protocol import Error, Message, RequestId, SessionEnd

_log = get_logger(__name__)
# A request claims at most SCM_MAX_FD (253) fds (a launch's stdio and the fds its
# command inherits, one sendmsg's worth), received with the end of its line.  More,
# or more than 3 waiting past a read for a line to end (stdio sent with a long
# line's start), is a client's mistake or an attack on our fd table: the excess is
# closed at once.
_MAX_HELD_FDS = 3
_RECV_SIZE = 1 << 16
_UCRED = struct.Struct("=iII")
# Python's socket module lacks the constant; gid_t is 32 bits; NGROUPS_MAX is 65536.
_SO_PEERGROUPS = getattr(socket, "SO_PEERGROUPS", 59)
_GROUPS_MAX_BYTES = 65536 * 4
_MAX_BACKLOG = 1 << 20  # unsent bytes past which a client is not read until it catches up


def peer_credentials(sock: socket.socket) -> tuple[int, int, int]:
    """(pid, uid, gid) of the process at the other end."""
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _UCRED.size)
    pid, uid, gid = _UCRED.unpack(raw)
    return pid, uid, gid


def peer_groups(sock: socket.socket) -> tuple[int, ...]:
    """The supplementary groups of the process at the other end, as at connect(2)."""
    try:
        raw = sock.getsockopt(socket.SOL_SOCKET, _SO_PEERGROUPS, 64 * 4)
    except OSError as error:  # ERANGE: more than 64 groups
        if error.errno != errno.ERANGE:
            raise
        raw = sock.getsockopt(socket.SOL_SOCKET, _SO_PEERGROUPS, _GROUPS_MAX_BYTES)
    return tuple(array.array("I", raw))


def peer_nice(pid: int) -> int | None:
    """The client's nice value, for its commands (``nice traced launch make`` runs make
    niced), read as it connects: by launch time its pid may belong to another process."""
    try:
        return os.getpriority(os.PRIO_PROCESS, pid)
    except OSError:  # gone already; its commands, if any, are ended with it
        return None


class Connection:
    """The I/O end of one client.  Requests go to ``on_line``; it says what to send back."""

    def __init__(
        self,
        sock: socket.socket,
        max_line: int,
        *,
        on_line: Callable[[Connection, bytes], None],
        on_close: Callable[[Connection], None],
        release_held: Callable[[Subscription, list[str]], None],
        on_said_all: Callable[[Connection], None],
    ) -> None:
        """``on_said_all``: the client sent end of file; its owner closes it, with
        :meth:`close_when_sent`, once it is owed nothing more."""
        self.sock = sock
        self.pid, self.uid, self.gid = peer_credentials(sock)
        self.groups = peer_groups(sock)
        self.nice = peer_nice(self.pid)
        self.fds: deque[int] = deque()  # received, not yet claimed by a request
        self._decoder = LineDecoder(max_line)
        self._on_line = on_line
        self._on_close = on_close
        self._on_said_all = on_said_all
        self._release_held = release_held  # sessions a subscription no longer holds
        self._out: deque[tuple[memoryview, Subscription | None, DaemonSession | None]] = deque()
        self._writable = WriteWatch(sock, self._flush)
        self._flush_due = False
        self._backlog = 0  # bytes queued and not yet sent
        self._reading = True
        self.said_all = False  # end of file read: no more requests, but it may still read
        self._hangup: select.epoll | None = None  # once said_all: ready when it is gone
        self._closing = False  # close once the queue is sent
        self.closed = False
        sock.setblocking(False)
        asyncio.get_running_loop().add_reader(sock.fileno(), self._on_readable)

    # --- reading ------------------------------------------------------------------

    def _on_readable(self) -> None:
        try:
            data, fds = receive(self.sock, _RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close()
            return
        self.fds.extend(fds)
        self._close_unclaimed_fds(MAX_FDS)
        frames = self._decoder.feed(data) if data else self._decoder.close()
        for frame in frames:
            self._frame(frame)
        self._close_unclaimed_fds(_MAX_HELD_FDS if self._decoder.partial else 0)
        if not data:
            self._end_of_requests()
        elif self._backlog > _MAX_BACKLOG:
            self._read_while(False)

    def _end_of_requests(self) -> None:
        """The client said all it will say; from now on only its hangup is watched."""
        self._read_while(False)
        self.said_all = True
        try:
            self._hangup = watch_hangup(self.sock.fileno())
        except OSError:  # no fd left for the watch: a client we cannot watch is let go
            self.close()
            return
        asyncio.get_running_loop().add_reader(self._hangup.fileno(), self.close)
        self._on_said_all(self)

    def _read_while(self, reading: bool) -> None:
        """Stop reading a client whose answers back up; go on once it has read half."""
        if reading == self._reading or self.closed or self.said_all:
            return
        loop = asyncio.get_running_loop()
        if reading:
            loop.add_reader(self.sock.fileno(), self._on_readable)
        else:
            loop.remove_reader(self.sock.fileno())
        self._reading = reading

    def _frame(self, frame: Line | Oversized | Truncated) -> None:
        if isinstance(frame, Line):
            self._on_line(self, frame.data)
        elif isinstance(frame, Oversized):
            self._close_unclaimed_fds()  # whatever rode on it is not a request's
            self.send_error(
                None,
                ErrorCode.LINE_TOO_LONG,
                f"line of {frame.seen}+ bytes exceeds the limit of "
                f"{self._decoder.max_line}; skipped to its newline",
            )
        else:
            _log.warning("client closed mid-line", pid=self.pid, bytes=len(frame.data))

    def take_fds(self, count: int) -> list[int] | None:
        if len(self.fds) < count:
            return None
        return [self.fds.popleft() for _ in range(count)]

    def _close_unclaimed_fds(self, keep: int = 0) -> None:
        """Close the unclaimed fds past the first ``keep`` (the latest first)."""
        while len(self.fds) > keep:
            with contextlib.suppress(OSError):
                os.close(self.fds.pop())

    # --- writing ------------------------------------------------------------------

    def send(self, message: Message) -> None:
        self._queue(encode(message.model_dump()), None, None)

    def send_error(
        self,
        request_id: RequestId | None,
        code: ErrorCode,
        message: str,
        errno_name: str | None = None,
    ) -> None:
        self.send(Error(id=request_id, code=code, message=message, errno=errno_name))

    def push_event(
        self, sub: Subscription, session: DaemonSession, seq: int, line: bytes, preview: bool
    ) -> None:
        admission = sub.offer(session.session_id, seq, preview)
        if not admission.send:
            return
        if admission.lost is not None:
            self.send(admission.lost)
        if admission.hold:
            session.hold()
        self._queue(line, sub, session)

    def push_end(self, sub: Subscription, session: DaemonSession, end: SessionEnd) -> None:
        lost = sub.lost_before(session.session_id)
        if lost is not None:
            self.send(lost)
        self.send(end)

    def _queue(self, data: bytes, sub: Subscription | None, session: DaemonSession | None) -> None:
        """Lines queue until the end of this loop iteration, then leave in one sendmsg."""
        if self.closed:
            return
        self._out.append((memoryview(data), sub, session))
        self._backlog += len(data)
        if not self._writable.on and not self._flush_due:
            self._flush_due = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_due = False
        if self.closed:
            return
        try:
            self._send_queued()
        except OSError:
            self.close()
            return
        if self._closing and not self._out:
            self.close()
            return
        self._writable.want(bool(self._out))
        if self._backlog <= _MAX_BACKLOG // 2:
            self._read_while(True)

    def _send_queued(self) -> None:
        """Send until the queue is empty or the socket is full (OSError: the peer is gone)."""
        while self._out:
            views = [view for view, _sub, _session in itertools.islice(self._out, IOV_MAX)]
            try:
                sent = self.sock.sendmsg(views)
            except (BlockingIOError, InterruptedError):
                return
            if not self._consume(sent):
                return

    def _consume(self, sent: int) -> bool:
        """Drop the lines ``sent`` bytes covered; False if the socket took less than offered."""
        offered = min(len(self._out), IOV_MAX)
        for _ in range(offered):
            view, sub, session = self._out[0]
            if sent < len(view):
                if sent:
                    self._out[0] = (view[sent:], sub, session)
                    self._backlog -= sent
                return False
            sent -= len(view)
            self._backlog -= len(view)
            self._out.popleft()
            if sub is not None:
                self._sent(sub)
        return True

    def _sent(self, sub: Subscription) -> None:
        released, due = sub.sent()
        if released:
            self._release_held(sub, released)
        for lost in due:
            self.send(lost)

    def close_when_sent(self) -> None:
        """Close once everything queued has been sent (or the client is gone)."""
        if self._out or self._flush_due or self._writable.on:
            self._closing = True
        else:
            self.close()

    def close(self) -> None:
        """Close, after a last non-blocking try to send what is queued (a refusal)."""
        if self.closed:
            return
        with contextlib.suppress(OSError):
            self._send_queued()
        loop = asyncio.get_running_loop()
        if self._hangup is not None:
            loop.remove_reader(self._hangup.fileno())
            self._hangup.close()
        if self._reading:
            loop.remove_reader(self.sock.fileno())
        self._writable.want(False)
        self.closed = True
        self._out.clear()
        self._close_unclaimed_fds()
        self.sock.close()
        self._on_close(self)
