"""``traced.connect``: an asyncio client of a running daemon.

    async with await traced.connect() as daemon:
        async with await daemon.launch(["make"], filter="trace=%process") as stream:
            async for event in stream:
                ...
        print(stream.end)                 # SessionEnd(status=0, ...)
        print(await daemon.sessions())    # [SessionInfo(...), ...]

The protocol sends a connection's streams without saying which subscription each
message is for (protocol/PROTOCOL.md, section 5), so each stream here (a launch,
an attach, a subscription) has a connection of its own, and requests that answer
at once (``sessions``, ``stats``, ``signal``, ``detach``) share one.  Events come
as the typed values the daemon encodes (traced.events); a ``drop`` subscription
also yields the ``Lost`` records, in place; each stream ends with its session's
``SessionEnd`` (``stream.end``).  Errors are traced.errors.RequestFailed (with
the protocol's ``code``) and DaemonUnavailable.

Fds travel as SCM_RIGHTS on the request line's last byte, as the protocol asks:
a launch's stdio is the caller's own 0, 1 and 2 unless ``stdio`` says otherwise.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

from traced.api.local import filters
from traced.errors import DaemonUnavailable, RequestFailed
from traced.events import Event, parse_event
from traced.filter.expression import Filter
from traced.wire.client import (
    check_greeting,
    current_umask,
    failure,
    hello_timeout,
    not_answering,
    request_line,
    rights,
)
from traced.wire.framing import Line, LineDecoder
from traced.wire.protocol import Lost, SessionEnd, SessionInfo, StatsResult

Record = Event | Lost  # what a stream yields
EVERYTHING = Filter()


class Connection:
    """One socket: request lines out (with fds), messages in.  A request waits for its
    answer under a lock, so that tasks sharing a connection get their own answers."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.lines = LineDecoder()
        self.ready: list[bytes] = []
        self.hello: dict[str, Any] = {}
        self.next_id = 0
        self.asking = asyncio.Lock()

    @classmethod
    async def open(cls, path: str) -> Connection:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        sock.setblocking(False)
        connection = cls(sock)
        try:
            await asyncio.get_running_loop().sock_connect(sock, path)
        except OSError as error:
            sock.close()
            raise DaemonUnavailable(
                f"no daemon at {path}: {error.strerror}", errno=error.errno or 0
            ) from error
        try:
            hello = await asyncio.wait_for(connection.read(), hello_timeout())
        except (DaemonUnavailable, OSError, ValueError) as error:
            sock.close()
            raise not_answering(path, error) from error
        try:
            connection.hello = check_greeting(hello)
        except RequestFailed:
            sock.close()
            raise
        return connection

    async def read(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        while not self.ready:
            data = await loop.sock_recv(self.sock, 1 << 16)
            if not data:
                raise DaemonUnavailable("the daemon closed the connection")
            self.ready += [frame.data for frame in self.lines.feed(data) if isinstance(frame, Line)]
        message: dict[str, Any] = json.loads(self.ready.pop(0))
        return message

    async def send(self, op: str, fds: Sequence[int] = (), **fields: Any) -> int:
        self.next_id += 1
        data = request_line(self.hello, self.next_id, op, fields)
        loop = asyncio.get_running_loop()
        if not fds:
            await loop.sock_sendall(self.sock, data)
            return self.next_id
        # The fds ride on the line's last byte, as traced.wire.client sends them.
        await loop.sock_sendall(self.sock, data[:-1])
        while True:
            try:
                self.sock.sendmsg([data[-1:]], rights(fds))
                return self.next_id
            except BlockingIOError:
                await _writable(loop, self.sock)

    async def request(self, op: str, fds: Sequence[int] = (), **fields: Any) -> dict[str, Any]:
        """Send, and wait for the answer (a question's connection carries no stream)."""
        async with self.asking:
            request_id = await self.send(op, fds, **fields)
            while True:
                message = await self.read()
                if message.get("type") == "error" and message.get("id") in (None, request_id):
                    raise failure(message)
                if message.get("id") == request_id:
                    result: dict[str, Any] = message["result"]
                    return result

    def close(self) -> None:
        self.sock.close()


async def _writable(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_writer(sock.fileno(), wake)
    try:
        await ready
    finally:
        loop.remove_writer(sock.fileno())


class _Closing:
    """``async with`` closes it, however the block ends."""

    def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Stream(_Closing):
    """One session's events (or every session's, for a subscription to all)."""

    def __init__(
        self,
        connection: Connection,
        result: dict[str, Any],
        session: str | None = None,
        filter: Filter = EVERYTHING,
    ) -> None:
        """``result``: the request's (a launch's or attach's names the session);
        ``session``: the one a subscription follows, if one (None: every one);
        ``filter``: what of the filter the daemon does not apply (status=, -P ...)."""
        self.connection = connection
        self.filter = filter
        self.session: str | None = result.get("session", session)
        self.pid: int | None = result.get("pid")
        self.end: SessionEnd | None = None  # the session's last word, once it came

    def __aiter__(self) -> Stream:
        return self

    async def __anext__(self) -> Record:
        while self.end is None:
            message = await self.connection.read()
            kind = message.get("type")
            if kind == "error":
                raise failure(message)
            if kind == "lost":
                return Lost.model_validate(message)
            if kind == "session_end":
                end = SessionEnd.model_validate(message)
                if end.session == self.session:
                    self.end = end
                    self.connection.close()  # nothing more can come on it
                continue  # another session's end, to a subscriber of every one
            if kind != "response":
                event = parse_event(message)
                if self.filter.admits(event):
                    return event
        raise StopAsyncIteration

    def close(self) -> None:
        self.connection.close()  # a launched command's session ends with it (unless detached)


class Daemon(_Closing):
    """A running daemon, at ``path``."""

    def __init__(self, path: str, control: Connection) -> None:
        self.path = path
        self.control = control

    @property
    def hello(self) -> dict[str, Any]:
        return self.control.hello

    async def launch(
        self,
        argv: Sequence[str],
        *,
        filter: str | Sequence[str] | None = None,
        stdio: tuple[int, int, int] | None = (0, 1, 2),
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        entries: bool = False,
        policy: str = "block",
    ) -> Stream:
        """Start ``argv`` traced; its stream.  ``filter``: strace's ``-e`` expressions, as
        for traced.trace.  ``stdio``: the command's stdin, stdout and stderr (None:
        /dev/null).  ``env``, ``cwd`` and the umask: ours unless given."""
        fields: dict[str, Any] = {
            "argv": list(argv), "env": dict(os.environ) if env is None else env,
            "cwd": os.getcwd() if cwd is None else cwd, "umask": current_umask(),
            "entries": entries, "policy": policy, "stdio": stdio is not None,
        }  # fmt: skip
        return await self._stream("launch", tuple(stdio or ()), filters(filter), **fields)

    async def attach(self, pid: int, *, filter: str | Sequence[str] | None = None) -> Stream:
        """Trace the running process ``pid`` (let go when the stream is closed)."""
        return await self._stream("attach", (), filters(filter), pid=pid)

    async def subscribe(
        self,
        session: str | None = None,
        *,
        filter: str | Sequence[str] | None = None,
        pid: int | None = None,
        policy: str = "drop",
    ) -> Stream:
        """Events from now on: of one session (the stream ends with it), or of every
        session this client may see (None: it goes on until closed)."""
        fields = {"session": session, "pid": pid, "policy": policy}
        return await self._stream("subscribe", (), filters(filter), **fields)

    async def sessions(self) -> list[SessionInfo]:
        result = await self.control.request("list")
        return [SessionInfo.model_validate(info) for info in result["sessions"]]

    async def stats(self, session: str | None = None) -> StatsResult:
        return StatsResult.model_validate(await self.control.request("stats", session=session))

    async def signal(self, session: str, signal: int | str) -> None:
        await self.control.request("signal", session=session, signal=signal)

    async def detach(self, session: str) -> None:
        await self.control.request("detach", session=session)

    async def _stream(self, op: str, fds: tuple[int, ...], filter: Filter, **fields: Any) -> Stream:
        connection = await Connection.open(self.path)
        try:
            result = await connection.request(op, fds, trace=filter.trace_value(), **fields)
        except BaseException:
            connection.close()
            raise
        return Stream(connection, result, fields.get("session"), filter)

    def close(self) -> None:
        self.control.close()


async def connect(path: str | None = None) -> Daemon:
    """The daemon at ``path`` (default: $TRACED_SOCKET, else where it listens by
    default); DaemonUnavailable if none answers."""
    from traced.daemon.paths import default_socket  # noqa: PLC0415 (a leaf: no daemon code)

    where = path or os.environ.get("TRACED_SOCKET") or default_socket(os.environ, os.getuid())
    return Daemon(where, await Connection.open(where))


__all__ = ["Daemon", "RequestFailed", "Stream", "connect"]
