"""The daemon: accepts clients, reads their requests, runs sessions on its tracing
(this process's engine, or tracer workers: daemon.tracing).

Kernel facts this module depends on:

* Sessions launched by the daemon carry a seccomp filter: without their tracer
  their traced syscalls fail with ENOSYS, and PTRACE_O_EXITKILL kills them if the
  daemon dies.  So a stopping daemon ends them itself (SIGTERM to the process
  group, SIGKILL after the grace period) and detaches what it attached.
* A launched command is its own process-group leader, so a signal to the
  negative pid reaches its whole job, as a terminal's would.
* Only the daemon's uid, root and configured uids may connect (SO_PEERCRED).

Each request is answered by the handler of its type (daemon.handlers): at once,
or, for those a tracer must act on (launch, attach, signal), by a task that awaits
the tracer's answer (a worker's comes back on its channel; nothing blocks).  Each
session is watched by a task until it ends.  Those tasks are owned (daemon.tasks),
so stopping is: end the sessions, then close their owner.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
from collections import Counter
from collections.abc import Coroutine
from typing import Any

from pydantic import TypeAdapter, ValidationError

from traced.daemon.checks import echoable, launch_fd_count, validation_message
from traced.daemon.config import Config
from traced.daemon.connection import Connection
from traced.daemon.handlers import Call, Handlers
from traced.daemon.hub import DaemonSession, EngineSession, Hub
from traced.daemon.limits import Limits
from traced.daemon.tasks import Tasks
from traced.daemon.tracing import Tracing
from traced.errors import ErrorCode, RequestError, TracedError, code_of
from traced.logs import get_logger
from traced.syscalls.names import signal_name
from traced.tracer.run import KEEP
from traced.version import __version__
from traced.wire.protocol import (
    OPS,
    Hello,
    LaunchRequest,
    Message,
    Request,
    RequestBase,
    RequestId,
    Response,
    SessionEnd,
)

_log = get_logger(__name__)
_REQUEST = TypeAdapter(Request)
ACCEPT_RETRY_SECONDS = 0.2
# After the grace period's SIGKILL, how long a session may take to be reaped.
REAP_SECONDS = 2.0


class Daemon:
    def __init__(self, tracing: Tracing, hub: Hub, config: Config) -> None:
        self.tracing = tracing
        self.config = config
        self.hub = hub
        self.clients: set[Connection] = set()
        self._watches = Tasks("sessions")
        self._answers = Tasks("answers")
        self._answering: Counter[Connection] = Counter()  # answers owed, per connection
        self._stopping = False
        limits = Limits(config, self.hub, tracing.arch)
        self._handlers = Handlers(tracing, limits, self.hub, self._run_session)

    # --- connections --------------------------------------------------------------

    def listen(self, listener: socket.socket) -> None:
        listener.setblocking(False)
        asyncio.get_running_loop().add_reader(listener.fileno(), self._accept, listener)

    def _accept(self, listener: socket.socket) -> None:
        try:
            sock, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            # EMFILE and friends: the listener stays readable, so pause accepting
            # instead of spinning, and try again shortly.
            _log.error("accept failed; pausing", error=str(error))
            loop = asyncio.get_running_loop()
            loop.remove_reader(listener.fileno())
            loop.call_later(ACCEPT_RETRY_SECONDS, self.listen, listener)
            return
        sock.set_inheritable(False)
        conn = Connection(
            sock,
            self.config.max_line,
            on_line=self._on_line,
            on_close=self._on_close,
            release_held=self.hub.release_held,
            on_said_all=self._close_if_served,
        )
        refusal = self._refusal(conn)
        if refusal is not None:
            _log.warning("client refused", pid=conn.pid, uid=conn.uid, reason=str(refusal))
            conn.send_error(None, refusal.code, str(refusal))
            conn.close()
            return
        self.clients.add(conn)
        conn.send(self._hello())

    def _refusal(self, conn: Connection) -> RequestError | None:
        if conn.uid not in (0, os.getuid(), *self.config.allow_uids):
            return RequestError(
                ErrorCode.PERMISSION_DENIED,
                f"uid {conn.uid} may not use this daemon (it runs as uid {os.getuid()})",
            )
        if len(self.clients) >= self.config.max_clients:
            return RequestError(
                ErrorCode.LIMIT, f"too many clients (max_clients = {self.config.max_clients})"
            )
        return None

    def _hello(self) -> Hello:
        return Hello(
            server=f"traced/{__version__}", capabilities=list(OPS), max_line=self.config.max_line
        )

    def _close_if_served(self, conn: Connection) -> None:
        """A client that has said all it will say is served until no session it owns
        (launched or attached without detach) is left running; then, once all is
        sent, closed, as a client that asked and half-closed always was."""
        if self._answering[conn]:
            return  # a launch it asked for may be starting: looked at again once answered
        if not any(session.owner is conn for session in self.hub.live()):
            conn.close_when_sent()

    def _on_close(self, conn: Connection) -> None:
        self.clients.discard(conn)
        self.hub.unsubscribe_all(conn)
        for session in self.hub.live():
            if session.owner is conn:
                session.tasks.start(self._end_session(session, signal.SIGHUP))

    # --- requests -----------------------------------------------------------------

    def _on_line(self, conn: Connection, line: bytes) -> None:
        try:
            # UTF-8 only (json.loads of bytes would take UTF-16/32 and encoded surrogates
            # too), and a line past the parser's limits (nesting deeper than the recursion
            # limit, integers of 4301+ digits) is one it cannot use, like any other.
            raw = json.loads(line.decode("utf-8"))
        except (ValueError, RecursionError) as error:  # JSONDecodeError, UnicodeDecodeError
            conn.send_error(None, ErrorCode.MALFORMED, f"not JSON: {error}")
            return
        request_id: RequestId | None = None
        try:
            if not isinstance(raw, dict):
                raise RequestError(ErrorCode.MALFORMED, "a message is a JSON object")
            request_id = echoable(raw.get("id"))
            if raw.get("op") not in OPS:
                raise RequestError(
                    ErrorCode.UNKNOWN_OP, f"unknown op {raw.get('op')!r}; known: {OPS}"
                )
            # strict: the JSON types PROTOCOL.md gives; "5", 5.0 and true are not 5
            request = _REQUEST.validate_python(raw, strict=True)
        except ValidationError as error:
            conn.send_error(request_id, ErrorCode.INVALID, validation_message(error))
            return
        except RequestError as error:
            conn.send_error(request_id, error.code, str(error))
            return
        # The fds ride on this very line: claim them now, before the next read.
        count = launch_fd_count(request) if isinstance(request, LaunchRequest) else 0
        fds = conn.take_fds(count) if count else None
        self._answer(Call(conn, fds), request)

    def _answer(self, call: Call, request: RequestBase) -> None:
        conn = call.conn
        try:
            result = self._handlers.table[type(request)](call, request)
        except Exception as error:
            self._refuse(conn, request, error)
            return
        if isinstance(result, Coroutine):
            self._answering[conn] += 1
            self._answers.start(self._answer_later(conn, request, result))
        else:
            conn.send(Response(id=request.id, result=result.model_dump()))

    async def _answer_later(
        self, conn: Connection, request: RequestBase, answer: Coroutine[Any, Any, Message]
    ) -> None:
        try:
            result = await answer
        except Exception as error:
            self._refuse(conn, request, error)
        else:
            conn.send(Response(id=request.id, result=result.model_dump()))
        finally:
            self._answering[conn] -= 1
            if not self._answering[conn]:
                del self._answering[conn]
            if conn.said_all and not conn.closed:
                self._close_if_served(conn)

    def _refuse(self, conn: Connection, request: RequestBase, error: Exception) -> None:
        """Every request gets its one answer, whatever broke."""
        if isinstance(error, RequestError):
            errno_name = error.errno_name if error.errno else None
            conn.send_error(request.id, error.code, str(error), errno_name)
        elif isinstance(error, TracedError):
            errno_name = error.errno_name if error.errno else None
            conn.send_error(request.id, code_of(error), str(error), errno_name)
        else:
            _log.error("request failed", op=type(request).__name__, exc_info=error)
            conn.send_error(request.id, ErrorCode.INTERNAL, f"{type(error).__name__}: {error}")

    # --- sessions -----------------------------------------------------------------

    def _run_session(self, session: DaemonSession, engine_session: EngineSession) -> None:
        session.engine_session = engine_session
        self._watches.start(self._watch(session, engine_session))
        # Started while its owner left, or while the daemon stops (a tracer answers
        # later than the request was read): ended as it would have been then.
        owner = session.owner
        if isinstance(owner, Connection) and owner.closed:
            session.tasks.start(self._end_session(session, signal.SIGHUP))
        elif self._stopping:
            session.tasks.start(self._end_session(session, signal.SIGTERM))

    async def _watch(self, session: DaemonSession, engine_session: EngineSession) -> None:
        """Until the session ends: then its end goes out, and what was ending it stops."""
        try:
            outcome = await engine_session.wait()
            error = str(engine_session.spawn_error) if engine_session.spawn_error else None
            if engine_session.lost_tracer is not None:
                error = engine_session.lost_tracer
            elif engine_session.runaway is not None:
                fate = "detached from" if session.kind == "attach" else "killed"
                error = (
                    f"too many tasks: {engine_session.runaway} alive at once exceeded "
                    f"max_tasks_per_session = {self.config.max_tasks_per_session}, "
                    f"so all of the session's processes were {fate}"
                )
            end = SessionEnd(
                session=session.session_id,
                seq=session.seq,
                code=outcome.code if outcome else None,
                signal=signal_name(outcome.signal) if outcome and outcome.signal else None,
                status=outcome.shell_status if outcome else None,
                error=error,
            )
            self.hub.end(session, end)
            for conn in [c for c in self.clients if c.said_all]:
                self._close_if_served(conn)
        finally:
            await session.tasks.close()

    async def _end_session(self, session: DaemonSession, first: int) -> None:
        """End a launched command as a closed terminal would: ``first``, then SIGKILL."""
        if session.kind == "attach":
            if session.attach_filter == KEEP:
                session.owner = None  # the daemon's now, as after --detach
            if session.engine_session is not None:
                # let go; with our filter in it, kept or killed (tracer.run.Run.detach)
                session.engine_session.detach()
            return
        if session.engine_session is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            await session.engine_session.signal(first)
        try:
            await asyncio.wait_for(
                asyncio.shield(session.engine_session.wait()), self.config.kill_grace_seconds
            )
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                await session.engine_session.signal(signal.SIGKILL)

    async def shutdown(self) -> None:
        """End launched commands (SIGTERM, then SIGKILL) and detach attached ones.

        Nothing may hold a session any more: a held tracee stays stopped, so it could
        neither act on its SIGTERM (it would only ever meet the SIGKILL) nor be
        detached (which happens at its next stop).  Sessions that have not ended
        when SIGKILL has had time to work are given up (their watches cancelled)."""
        self._stopping = True
        self.hub.stop_holding()
        for session in self.hub.live():
            session.tasks.start(self._end_session(session, signal.SIGTERM))
        await self._answers.close(REAP_SECONDS)  # a session starting now is ended as it starts
        await self._watches.close(self.config.kill_grace_seconds + REAP_SECONDS)
        for conn in list(self.clients):
            conn.close()
