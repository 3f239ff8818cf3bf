"""The daemon: accepts clients, answers requests, runs sessions on one engine.

Kernel facts this module depends on:

* Sessions launched by the daemon carry a seccomp filter: without their tracer
  their traced syscalls fail with ENOSYS, and PTRACE_O_EXITKILL kills them if the
  daemon dies.  So a stopping daemon ends them itself (SIGTERM to the process
  group, SIGKILL after the grace period) and detaches what it attached.
* A launched command is its own process-group leader, so a signal to the
  negative pid reaches its whole job, as a terminal's would.
* Only the daemon's uid, root and configured uids may connect (SO_PEERCRED).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import signal
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import structlog
from pydantic import TypeAdapter, ValidationError

from traced import __version__
from traced.daemon.checks import (
    check_may_trace,
    credentials_for,
    devnull_stdio,
    echoable,
    launch_environment,
    signal_number,
    validation_message,
)
from traced.daemon.config import Config
from traced.daemon.connection import Connection
from traced.daemon.delivery import Subscription
from traced.daemon.hub import DaemonSession, Hub
from traced.decoders.values import Options
from traced.errors import (
    AttachError,
    FilterError,
    RequestError,
    SpawnError,
    TracedError,
    UnknownSyscallError,
)
from traced.filter.expression import parse_trace
from traced.linux import procfs
from traced.syscalls.names import signal_name
from traced.tracer.engine import Engine, TracePolicy
from traced.tracer.run import Run
from traced.tracer.spawn import Credentials, LaunchSpec
from traced.wire.protocol import (
    OPS,
    AttachRequest,
    Decoding,
    DetachRequest,
    Hello,
    LaunchRequest,
    ListRequest,
    Request,
    SessionEnd,
    SignalRequest,
    StatsRequest,
    SubscribeRequest,
)

_log = structlog.get_logger(__name__)
_REQUEST = TypeAdapter(Request)


ACCEPT_RETRY_SECONDS = 0.2


class Daemon:
    def __init__(self, engine: Engine, config: Config) -> None:
        self.engine = engine
        self.limits = config
        self.hub = Hub()
        self.clients: set[Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._handlers: dict[type, Callable[[Connection, Any], Awaitable[dict[str, Any]]]] = {
            AttachRequest: self._attach,
            DetachRequest: self._detach,
            SignalRequest: self._signal,
            ListRequest: self._list,
            SubscribeRequest: self._subscribe_request,
            StatsRequest: self._stats,
        }

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
        conn = Connection(sock, self.limits.max_line, self._on_line, self._on_close)
        conn.release_held = self.hub.release_held
        refusal = self._refusal(conn)
        if refusal:
            _log.warning("client refused", pid=conn.pid, uid=conn.uid, reason=refusal)
            conn.send_error(None, "permission_denied" if "uid" in refusal else "limit", refusal)
            conn.close()
            return
        self.clients.add(conn)
        conn.send(self._hello().model_dump())

    def _refusal(self, conn: Connection) -> str:
        if conn.uid not in (0, os.getuid(), *self.limits.allow_uids):
            return f"uid {conn.uid} may not use this daemon (it runs as uid {os.getuid()})"
        if len(self.clients) >= self.limits.max_clients:
            return f"too many clients (max_clients = {self.limits.max_clients})"
        return ""

    def _hello(self) -> Hello:
        return Hello(
            server=f"traced/{__version__}", capabilities=list(OPS), max_line=self.limits.max_line
        )

    def _on_close(self, conn: Connection) -> None:
        self.clients.discard(conn)
        self.hub.unsubscribe_all(conn)
        for session in list(self.hub.sessions.values()):
            if session.owner is conn and session.ended is None:
                self._spawn_task(self._end_session(session, signal.SIGHUP))

    # --- requests -----------------------------------------------------------------

    def _on_line(self, conn: Connection, line: bytes) -> None:
        try:
            # UTF-8 only (json.loads of bytes would take UTF-16/32 and encoded surrogates
            # too), and a line past the parser's limits (nesting deeper than the recursion
            # limit, integers of 4301+ digits) is one it cannot use, like any other.
            raw = json.loads(line.decode("utf-8"))
        except (ValueError, RecursionError) as error:  # JSONDecodeError, UnicodeDecodeError
            conn.send_error(None, "malformed", f"not JSON: {error}")
            return
        request_id: object = None
        try:
            if not isinstance(raw, dict):
                raise RequestError("malformed", "a message is a JSON object")
            request_id = echoable(raw.get("id"))
            if raw.get("op") not in OPS:
                raise RequestError("unknown_op", f"unknown op {raw.get('op')!r}; known: {OPS}")
            # strict: the JSON types PROTOCOL.md gives; "5", 5.0 and true are not 5
            request = _REQUEST.validate_python(raw, strict=True)
        except ValidationError as error:
            conn.send_error(request_id, "invalid", validation_message(error))
            return
        except RequestError as error:
            conn.send_error(request_id, error.code, str(error))
            return
        # The fds ride on this very line: claim them now, before the next read.
        fds = conn.take_fds(3) if isinstance(request, LaunchRequest) and request.stdio else None
        self._spawn_task(self._answer(conn, request, fds))

    async def _answer(self, conn: Connection, request: Any, fds: list[int] | None) -> None:
        try:
            if isinstance(request, LaunchRequest):
                result = await self._launch(conn, request, fds)
            else:
                result = await self._handlers[type(request)](conn, request)
        except RequestError as error:
            conn.send_error(
                request.id, error.code, str(error), error.errno_name if error.errno else None
            )
        except (UnknownSyscallError, FilterError) as error:
            code = "unknown_syscall" if isinstance(error, UnknownSyscallError) else "bad_filter"
            conn.send_error(request.id, code, str(error))
        except TracedError as error:
            conn.send_error(request.id, "internal", str(error))
        except Exception as error:  # every request gets its one answer, whatever broke
            _log.exception("request failed", op=type(request).__name__)
            conn.send_error(request.id, "internal", f"{type(error).__name__}: {error}")
        else:
            conn.send({"type": "response", "id": request.id, "result": result})

    def _spawn_task(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _policy(self, trace: str | None, decoding: Decoding, entries: bool = False) -> TracePolicy:
        names = parse_trace([trace] if trace is not None else [], self.engine.arch)
        string_limit = decoding.string_limit
        options = Options(
            self.limits.string_size if string_limit is None else string_limit,
            decoding.verbose,
            decoding.decorate_fds,
            frozenset(decoding.raw),
        )
        return TracePolicy(
            names,
            decoding=options,
            entries=entries,
            max_tasks=self.limits.max_tasks_per_session,
        )

    def _check_session_limits(self, uid: int) -> None:
        live = [s for s in self.hub.sessions.values() if s.ended is None]
        if len(live) >= self.limits.max_sessions:
            raise RequestError(
                "limit", f"too many sessions (max_sessions = {self.limits.max_sessions})"
            )
        mine = [s for s in live if s.uid == uid]
        if len(mine) >= self.limits.max_sessions_per_uid:
            raise RequestError(
                "limit",
                f"too many sessions for uid {uid} "
                f"(max_sessions_per_uid = {self.limits.max_sessions_per_uid})",
            )

    async def _launch(
        self, conn: Connection, request: LaunchRequest, stdio: list[int] | None
    ) -> dict[str, Any]:
        if request.stdio and stdio is None:
            raise RequestError("invalid", "stdio: true needs 3 fds sent with the request")
        try:
            return await self._start_launch(conn, request, stdio)
        finally:
            for fd in stdio or ():
                os.close(fd)

    async def _start_launch(
        self, conn: Connection, request: LaunchRequest, stdio: list[int] | None
    ) -> dict[str, Any]:
        self._check_session_limits(conn.uid)
        if not request.detach:
            self._check_subscription_limits(conn, request.queue)
        policy = self._policy(request.trace, request.decoding, request.entries)
        credentials = credentials_for(conn.uid, conn.gid, conn.groups)
        if credentials is None and conn.uid not in (0, os.getuid()):
            raise RequestError(
                "permission_denied",
                f"this daemon runs as uid {os.getuid()} and cannot launch as uid {conn.uid}",
            )
        session = self._new_session(conn, "launch", request.argv, owned=not request.detach)
        try:
            return await self._launch_session(
                conn, request, stdio, policy=policy, session=session, credentials=credentials
            )
        except BaseException:
            self.hub.sessions.pop(session.session_id, None)
            raise

    async def _launch_session(
        self,
        conn: Connection,
        request: LaunchRequest,
        stdio: list[int] | None,
        *,
        policy: TracePolicy,
        session: DaemonSession,
        credentials: Credentials | None,
    ) -> dict[str, Any]:
        spec = LaunchSpec(
            argv=tuple(request.argv),
            env=launch_environment(request.env, credentials),
            cwd=request.cwd,
            umask=request.umask,
            stdio=(stdio[0], stdio[1], stdio[2]) if stdio else devnull_stdio(),
            credentials=credentials,
            new_process_group=True,
            nice=conn.nice,
        )
        if not request.detach:
            self._subscribe(conn, session, request.policy, request.queue)
        try:
            engine_session = self.engine.launch(
                spec, policy, self.hub.sink_for(session), session.session_id
            )
        except SpawnError as error:
            raise RequestError("spawn_failed", str(error), error.errno_name) from error
        finally:
            if not request.stdio:
                for fd in set(spec.stdio):
                    os.close(fd)
        self._run_session(session, engine_session)
        return {"session": session.session_id, "pid": session.pid}

    async def _attach(self, conn: Connection, request: AttachRequest) -> dict[str, Any]:
        self._check_session_limits(conn.uid)
        if request.subscribe:
            self._check_subscription_limits(conn, request.queue)
        check_may_trace(conn.uid, conn.gid, request.pid)
        policy = self._policy(request.trace, request.decoding, request.entries)
        if conn.uid != 0:
            policy = dataclasses.replace(policy, owner=(conn.uid, conn.gid))
        argv = list(procfs.exec_image_argv(request.pid))
        session = self._new_session(conn, "attach", argv, owned=False)
        if request.subscribe:
            self._subscribe(conn, session, request.policy, request.queue)
        try:
            engine_session = self.engine.attach(
                request.pid, policy, self.hub.sink_for(session), session.session_id
            )
        except BaseException as error:
            self.hub.sessions.pop(session.session_id, None)
            if isinstance(error, AttachError):
                raise RequestError("attach_failed", str(error), error.errno_name) from error
            raise
        self._run_session(session, engine_session)
        return {"session": session.session_id, "pid": request.pid}

    async def _detach(self, conn: Connection, request: DetachRequest) -> dict[str, Any]:
        session = self._find(conn, request.session)
        if session.kind != "attach" or session.engine_session is None:
            raise RequestError(
                "invalid",
                "only attached sessions can be detached; "
                "a launched command would lose its tracer (use signal)",
            )
        session.engine_session.detach()
        return {}

    async def _signal(self, conn: Connection, request: SignalRequest) -> dict[str, Any]:
        session = self._find(conn, request.session)
        signo = signal_number(request.signal)
        if session.engine_session is None:
            raise RequestError("not_found", f"session {session.session_id} has no process")
        try:
            session.engine_session.signal(signo)
        except ProcessLookupError as error:
            raise RequestError("not_found", f"session {session.session_id} has ended") from error
        except PermissionError as error:
            raise RequestError("permission_denied", f"cannot signal pid {session.pid}") from error
        return {"signal": signal_name(signo)}

    async def _list(self, conn: Connection, request: ListRequest) -> dict[str, Any]:
        live = [s for s in self.hub.visible(conn.uid) if s.ended is None]
        return {"sessions": [s.info().model_dump() for s in live]}

    async def _subscribe_request(
        self, conn: Connection, request: SubscribeRequest
    ) -> dict[str, Any]:
        self._check_subscription_limits(conn, request.queue)
        names = None
        if request.trace is not None:
            names = parse_trace([request.trace], self.engine.arch)
        session = self._find(conn, request.session) if request.session is not None else None
        sub = self._subscribe(
            conn, session, request.policy, request.queue, names=names, pid=request.pid
        )
        return {"subscription": sub.sub_id}

    async def _stats(self, conn: Connection, request: StatsRequest) -> dict[str, Any]:
        sessions = (
            [self._find(conn, request.session)]
            if request.session is not None  # "" names no session; null means all
            else self.hub.visible(conn.uid)
        )
        return {"sessions": {s.session_id: dict(s.stats) for s in sessions}}

    # --- sessions -----------------------------------------------------------------

    def _find(self, conn: Connection, session_id: str) -> DaemonSession:
        session = self.hub.find(session_id, conn.uid)
        if session is None:
            raise RequestError("not_found", f"no session {session_id!r} visible to uid {conn.uid}")
        return session

    def _new_session(
        self, conn: Connection, kind: Literal["launch", "attach"], argv: list[str], owned: bool
    ) -> DaemonSession:
        session = DaemonSession(
            uuid.uuid4().hex[:12],
            kind,
            conn.uid,
            argv,
            owner=conn if owned else None,
        )
        self.hub.sessions[session.session_id] = session
        return session

    def _check_subscription_limits(self, conn: Connection, queue: int | None) -> None:
        """What one client's subscriptions may make the daemon hold: queue_size events
        each, and at most one per session plus one to everything.  Checked before a
        request creates anything, so a refusal leaves nothing behind."""
        if queue is not None and queue > self.limits.queue_size:
            raise RequestError(
                "limit", f"queue {queue} exceeds queue_size = {self.limits.queue_size}"
            )
        most = self.limits.max_sessions + 1
        if self.hub.subscriptions_of(conn) >= most:
            raise RequestError(
                "limit", f"too many subscriptions on one connection (max_sessions + 1 = {most})"
            )

    def _subscribe(
        self,
        conn: Connection,
        session: DaemonSession | None,
        policy: Any,
        queue: int | None,
        *,
        names: frozenset[str] | None = None,
        pid: int | None = None,
    ) -> Subscription:
        """Subscribe ``conn`` to one session, or (None) to every session it may see."""
        session_id = session.session_id if session is not None else None
        queue_length = queue or self.limits.queue_size
        sub = Subscription(uuid.uuid4().hex[:8], policy, queue_length, session_id, names, pid)
        if session is None:
            self.hub.everyone.append((sub, conn))
        else:
            session.subscribers.append((sub, conn))
        return sub

    def _run_session(self, session: DaemonSession, engine_session: Run) -> None:
        session.engine_session = engine_session
        self._spawn_task(self._await_end(session, engine_session))

    async def _await_end(self, session: DaemonSession, engine_session: Run) -> None:
        outcome = await engine_session.wait()
        error = str(engine_session.spawn_error) if engine_session.spawn_error else None
        if engine_session.runaway is not None:
            fate = "detached from" if session.kind == "attach" else "killed"
            error = (
                f"too many tasks: {engine_session.runaway} alive at once exceeded "
                f"max_tasks_per_session = {self.limits.max_tasks_per_session}, "
                f"so all of the session's processes were {fate}"
            )
        code = outcome.code if outcome else None
        sig = signal_name(outcome.signal) if outcome and outcome.signal else None
        end = SessionEnd(
            session=session.session_id,
            seq=session.seq,
            code=code,
            signal=sig,
            status=outcome.shell_status if outcome else None,
            error=error,
        )
        session.finish(end, self.hub.everyone)
        self.hub.sessions.pop(session.session_id, None)

    async def _end_session(self, session: DaemonSession, first: int) -> None:
        """End a launched command as a closed terminal would: ``first``, then SIGKILL."""
        if session.kind == "attach":
            if session.engine_session is not None:
                session.engine_session.detach()
            return
        if session.engine_session is None:
            return
        with contextlib.suppress(ProcessLookupError):
            session.engine_session.signal(first)
        try:
            await asyncio.wait_for(
                asyncio.shield(session.engine_session.wait()), self.limits.kill_grace_seconds
            )
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                session.engine_session.signal(signal.SIGKILL)

    async def shutdown(self) -> None:
        """End launched commands (SIGTERM, then SIGKILL) and detach attached ones.

        Nothing may hold a session any more: a held tracee stays stopped, so it could
        neither act on its SIGTERM (it would only ever meet the SIGKILL) nor be
        detached (which happens at its next stop)."""
        self.hub.stop_holding()
        live = [s for s in self.hub.sessions.values() if s.ended is None]
        await asyncio.gather(*(self._end_session(s, signal.SIGTERM) for s in live))
        waits = [s.engine_session.wait() for s in live if s.engine_session is not None]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*waits), self.limits.kill_grace_seconds + 2)
        for conn in list(self.clients):
            conn.close()
