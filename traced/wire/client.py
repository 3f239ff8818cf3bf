"""A client of the daemon: connect, handshake, requests, and the messages that follow.

Messages come back as the decoded JSON objects (dicts), not as models: this module
needs only the standard library, the framing and traced.errors, no pydantic, so a
``traced launch`` through the daemon starts quickly.  It is what ``traced launch``,
``subscribe``, ``ps`` and friends use, and a model for clients in other languages.

It sends one request at a time and waits for its answer, so an ``error`` with a
null ``id`` (a line the daemon could not parse: too long, or not JSON) can only
be that request's: it ends the wait, as the request's own error would.  A request
longer than the ``hello``'s ``max_line`` is not sent at all: its error names both sizes.
"""

from __future__ import annotations

import array
import errno
import json
import os
import socket
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from traced.errors import (
    ConfigError,
    DaemonNotAnswering,
    DaemonUnavailable,
    ErrorCode,
    RequestFailed,
)
from traced.wire.framing import encode

if TYPE_CHECKING:
    from pathlib import Path


class Client:
    """One connection.  ``hello`` is the daemon's handshake."""

    def __init__(self, path: str | Path, connected: socket.socket | None = None) -> None:
        """Connect to ``path``, or take ``connected``, a socket already connected there
        (the CLI asks whether a daemon answers before it imports this module)."""
        self.sock = connected if connected is not None else connect(path)
        self.reader = self.sock.makefile("rb")
        self._next_id = 0
        self.hello = check_greeting(greeting(self, path))

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def read(self) -> dict[str, Any]:
        """The next message; DaemonUnavailable when the daemon closed the connection."""
        line = self.reader.readline()
        if not line:
            raise DaemonUnavailable("the daemon closed the connection", errno=errno.ECONNRESET)
        message: dict[str, Any] = json.loads(line)
        return message

    def send(self, op: str, fds: tuple[int, ...] = (), **fields: Any) -> int:
        """Send a request (with ``fds`` as SCM_RIGHTS); returns its id."""
        self._next_id += 1
        data = request_line(self.hello, self._next_id, op, fields)
        if fds:
            # The fds ride on the line's last byte: the daemon keeps no more than 3
            # waiting for a line to end (a long line reaches it in pieces).
            self.sock.sendall(data[:-1])
            self.sock.sendmsg([data[-1:]], rights(fds))
        else:
            self.sock.sendall(data)
        return self._next_id

    def request(self, op: str, fds: tuple[int, ...] = (), **fields: Any) -> dict[str, Any]:
        """Send a request and wait for its answer; other messages before it are skipped."""
        return self.answer(self.send(op, fds, **fields))

    def answer(self, request_id: int) -> dict[str, Any]:
        """Request ``request_id``'s result, or RequestFailed; messages before it are skipped."""
        while True:
            message = self.read()
            if message.get("type") == "error" and message.get("id") is None:
                raise failure(message)  # a line of ours the daemon could not parse
            if message.get("id") != request_id:
                continue  # events of earlier subscriptions; callers here have none
            if message["type"] == "error":
                raise failure(message)
            result: dict[str, Any] = message["result"]
            return result


HELLO_TIMEOUT = 30.0  # seconds: a daemon started by its socket unit greets well within


def hello_timeout() -> float:
    """$TRACED_HELLO_TIMEOUT seconds, else HELLO_TIMEOUT: how long a silent socket is
    waited for (a slow machine's first activation may need more, a script less)."""
    text = os.environ.get("TRACED_HELLO_TIMEOUT")
    if text is None:
        return HELLO_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise ConfigError(f"TRACED_HELLO_TIMEOUT={text!r} is not a number of seconds above 0")
    return seconds


def greeting(client: Client, path: str | Path) -> dict[str, Any]:
    """The first message, read within hello_timeout(); DaemonNotAnswering when the
    connection was accepted and then closed, reset or left silent."""
    client.sock.settimeout(hello_timeout())
    try:
        return client.read()
    except (DaemonUnavailable, OSError, ValueError) as error:
        raise not_answering(path, error) from error
    finally:
        client.sock.settimeout(None)


def not_answering(path: str | Path, error: Exception) -> DaemonNotAnswering:
    """What a connection accepted and then closed, reset or left silent says."""
    if isinstance(error, TimeoutError):
        why = "timed out"
    elif isinstance(error, ValueError):
        why = "answered what is no JSON"
    else:
        why = "closed it"
    return DaemonNotAnswering(
        f"{path} accepted the connection but {why} without a word from a daemon; "
        "see `traced service status` (or `systemctl --user status traced.service`)",
        errno=getattr(error, "errno", 0) or errno.ECONNRESET,
    )


def request_line(hello: dict[str, Any], request_id: int, op: str, fields: dict[str, Any]) -> bytes:
    """A request as its line; RequestFailed, unsent, if it is over the hello's max_line."""
    data = encode({"id": request_id, "op": op, **fields})
    limit = hello.get("max_line")
    if isinstance(limit, int) and len(data) - 1 > limit:
        raise RequestFailed(
            ErrorCode.LINE_TOO_LONG,
            f"the {op} request takes {len(data) - 1} bytes, over the daemon's "
            f"max_line of {limit} (its config's [limits] max_line)",
        )
    return data


def current_umask() -> int:
    """This process's umask, which a launch passes on (reading it means setting it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def rights(fds: Sequence[int]) -> list[tuple[int, int, bytes]]:
    """``fds`` as the SCM_RIGHTS ancillary data of a sendmsg."""
    return [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds).tobytes())]


def check_greeting(hello: dict[str, Any]) -> dict[str, Any]:
    """The first message, if it is the daemon's hello; else its failure, raised."""
    if hello.get("type") != "hello":
        raise failure(hello)
    return hello


def connect(path: str | Path) -> socket.socket:
    """A stream socket connected to ``path``; DaemonUnavailable if nothing listens there."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    try:
        sock.connect(str(path))
    except OSError as error:
        sock.close()
        raise DaemonUnavailable(
            f"no daemon at {path}: {error.strerror}", errno=error.errno or 0
        ) from error
    return sock


def failure(error: dict[str, Any]) -> RequestFailed:
    """An ``error`` message as the exception it is; its ``code`` is None for a code this
    client does not know (or none given: a first message that is no ``hello``)."""
    return RequestFailed(error.get("code", ""), error.get("message", ""), error.get("errno"))


def lost_notice(lost: dict[str, Any]) -> str:
    """A ``lost`` record, for a person: how many events of which session, and their seqs."""
    return (
        f"{lost['count']} events of session {lost['session']} lost "
        f"(seq {lost['first_seq']}..{lost['last_seq']})"
    )
