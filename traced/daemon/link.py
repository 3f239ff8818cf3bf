"""One end of a front↔worker channel: lines and fds in, lines (some with fds) out.

Kernel facts this module depends on:

* SCM_RIGHTS fds ride on the first byte of the sendmsg that carries them, and a
  read never returns bytes of a later sendmsg together with fds of its own unless
  those bytes begin it: so fds reach the reader no later than the line they were
  sent with ends, and in the order they were sent.  A line that claims fds takes
  them first-come first-served, and the sender sends such a line as its own sendmsg.
* The kernel copies the fds into the message at sendmsg: once that call has
  returned the sender may close its own.
* A non-blocking send may take part of a buffer; the rest waits for EPOLLOUT.
* sendmsg gathers up to IOV_MAX buffers (traced.daemon.sockio), so all a loop
  turn queued leaves in one call, and the reader is woken once for it.  One
  carries at most SCM_MAX_FD fds: a launch's stdio and inherited fds fit.
* A read of 0 bytes, or ECONNRESET, means the other end is gone (or, from a
  shutdown(SHUT_WR), has nothing more to say): both ends treat it as the end.

Both ends are our own processes: a line that does not parse is a bug, and raises.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import os
import socket
from collections import deque
from collections.abc import Callable, Sequence

from traced.daemon.channel import Reader, encode_into
from traced.daemon.sockio import IOV_MAX, WriteWatch, receive
from traced.logs import get_logger

_log = get_logger(__name__)
_RECV_SIZE = 1 << 18

# (what is left to send, the fds that go with its first byte)
_Chunk = tuple[memoryview, Sequence[int]]


class Link:
    """Messages in (``on_messages`` gets each chunk's whole lines, decoded), lines out,
    sent once per loop turn.  ``on_end`` is called once, when the peer is gone."""

    def __init__(
        self,
        sock: socket.socket,
        reader: Reader,
        *,
        on_messages: Callable[[list[object]], None],
        on_end: Callable[[], None],
    ) -> None:
        self.sock = sock
        self.fds: deque[int] = deque()  # received, not yet claimed by a line
        self._reader = reader
        self._on_messages = on_messages
        self._on_end = on_end
        self._lines = bytearray()  # lines queued this turn, not yet in _out
        self._out: deque[_Chunk] = deque()
        self.backlog = 0  # bytes queued and not yet sent
        self._flush_due = False
        self._writable = WriteWatch(sock, self._flush)
        self._finishing = False  # shut our side once all is sent
        self.closed = False
        sock.setblocking(False)
        asyncio.get_running_loop().add_reader(sock.fileno(), self._on_readable)

    # --- reading ------------------------------------------------------------------

    def _on_readable(self) -> None:
        self.poll()

    def poll(self) -> None:
        """Read what has come, if anything, and hand it on; never blocks."""
        if self.closed:
            return
        try:
            data, fds = receive(self.sock, _RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._end()
            return
        self.fds.extend(fds)
        if not data:
            self._end()
            return
        try:
            messages = self._reader.feed(data)
        except ValueError:  # msgspec.DecodeError: a bug at the other end; this end is over
            _log.exception("a line on the channel does not parse")
            self._end()
            return
        if messages:
            self._on_messages(messages)

    def take_fds(self, count: int) -> list[int]:
        """The next ``count`` fds received: those sent with the line being handled."""
        if len(self.fds) < count:
            raise RuntimeError(f"a line claims {count} fds, {len(self.fds)} came")
        return [self.fds.popleft() for _ in range(count)]

    # --- writing ------------------------------------------------------------------

    def send(self, message: object, fds: Sequence[int] = (), *, now: bool = False) -> None:
        """Queue one message; with ``fds``, its line goes as a sendmsg of its own, the
        fds on its first byte.  The caller keeps its fds open until the peer answers.
        Sent at the end of this loop turn, or ``now`` (with what was queued before it)."""
        if self.closed:
            return
        if fds:
            self._seal()
            line = bytearray()
            encode_into(message, line)  # type: ignore[arg-type]
            self._out.append((memoryview(line), tuple(fds)))
            self.backlog += len(line)
        else:
            before = len(self._lines)
            encode_into(message, self._lines)  # type: ignore[arg-type]
            self.backlog += len(self._lines) - before
        if now and not self._writable.on:
            self._flush()
        elif not self._flush_due and not self._writable.on:
            self._flush_due = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _seal(self) -> None:
        """Move this turn's lines into the send queue."""
        if self._lines:
            self._out.append((memoryview(self._lines), ()))
            self._lines = bytearray()

    def _flush(self) -> None:
        self._flush_due = False
        if self.closed:
            return
        self._seal()
        try:
            self._send_queued()
        except OSError:
            self._end()
            return
        self._writable.want(bool(self._out))
        self._shut_if_finished()

    def _send_queued(self) -> None:
        while self._out:
            views = [self._out[0][0]]
            ancillary = []
            if self._out[0][1]:
                fds = array.array("i", self._out[0][1]).tobytes()
                ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)]
            for index in range(1, min(len(self._out), IOV_MAX)):
                view, fds_of = self._out[index]
                if fds_of:  # a line with fds starts a sendmsg of its own
                    break
                views.append(view)
            try:
                sent = self.sock.sendmsg(views, ancillary)
            except (BlockingIOError, InterruptedError):
                return
            if not self._consume(sent, len(views)):
                return

    def _consume(self, sent: int, offered: int) -> bool:
        """Drop what ``sent`` bytes covered; False if the socket took less than offered."""
        self.backlog -= sent
        for _ in range(offered):
            view, _fds = self._out[0]
            if sent < len(view):
                if sent:  # its fds went with its first byte
                    self._out[0] = (view[sent:], ())
                return False
            sent -= len(view)
            self._out.popleft()
        return True

    def finish(self) -> None:
        """Tell the peer there is nothing more (end of file on its side) once what is
        queued has gone; reading goes on until the peer closes too."""
        self._finishing = True
        if not self._flush_due and not self._writable.on:
            self._flush()

    def _shut_if_finished(self) -> None:
        if self._finishing and not self._out and not self._lines and not self.closed:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_WR)

    # --- the end --------------------------------------------------------------------

    def _end(self) -> None:
        if self.closed:
            return
        self.close()
        self._on_end()

    def close(self) -> None:
        if self.closed:
            return
        asyncio.get_running_loop().remove_reader(self.sock.fileno())
        self._writable.want(False)
        self.closed = True
        self._out.clear()
        self._lines = bytearray()
        while self.fds:
            with contextlib.suppress(OSError):
                os.close(self.fds.pop())
        self.sock.close()
        _log.debug("channel closed")
