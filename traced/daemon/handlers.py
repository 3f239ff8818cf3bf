"""The daemon's answer to each request, keyed by request type.

A handler takes the call (the asking connection, and the fds its line carried)
and the request, and returns the response's ``result`` (one of wire.protocol's
result models) or raises RequestError, whose code the error carries.  Launch,
attach and signal are coroutines: they return once the tracer (this process's
engine, or a worker's: daemon.tracing) has the session, or has sent the signal;
the others answer at once.  The
table holds exactly the protocol's request types (wire.protocol.REQUEST_TYPES): a
missing handler stops the daemon at its start, not a client at run time.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from traced.daemon.checks import (
    check_may_trace,
    credentials_for,
    devnull_stdio,
    ignored_signals,
    launch_environment,
    launch_fds,
    signal_number,
)
from traced.daemon.connection import Connection
from traced.daemon.delivery import Subscription
from traced.daemon.hub import DaemonSession, EngineSession, Hub
from traced.daemon.limits import Limits
from traced.daemon.tracing import Tracing
from traced.errors import ErrorCode, RequestError
from traced.events import os_text, shown
from traced.filter.expression import parse_filter
from traced.filter.predicates import NO_RULES, Rules
from traced.linux import access, procfs
from traced.syscalls.names import signal_name
from traced.tracer.spawn import LaunchSpec, check_launchable
from traced.wire.protocol import (
    REQUEST_TYPES,
    AttachRequest,
    DetachRequest,
    DetachResult,
    LaunchRequest,
    ListRequest,
    ListResult,
    Message,
    Policy,
    RequestBase,
    SignalRequest,
    SignalResult,
    StartResult,
    StatsRequest,
    StatsResult,
    SubscribeRequest,
    SubscribeResult,
)

Result = Message  # one of wire.protocol's results (StartResult, ListResult ...)


@dataclass(frozen=True, slots=True)
class Call:
    """Who asks: the connection, and the fds that rode on the request's line."""

    conn: Connection
    fds: list[int] | None = None


Handler = Callable[[Call, Any], Result | Coroutine[Any, Any, Result]]


class Handlers:
    """Requests, answered with the daemon's tracing, limits and hub.  ``run`` is given
    each session the tracing has started, to watch until it ends."""

    def __init__(
        self,
        tracing: Tracing,
        limits: Limits,
        hub: Hub,
        run: Callable[[DaemonSession, EngineSession], None],
    ) -> None:
        self.tracing = tracing
        self.limits = limits
        self.hub = hub
        self._run = run
        self.table: dict[type[RequestBase], Handler] = {
            LaunchRequest: self.launch,
            AttachRequest: self.attach,
            DetachRequest: self.detach,
            SignalRequest: self.signal,
            ListRequest: self.list_sessions,
            SubscribeRequest: self.subscribe,
            StatsRequest: self.stats,
        }
        unanswered = set(REQUEST_TYPES) ^ set(self.table)
        if unanswered:
            raise TypeError(f"requests and handlers disagree on {sorted(map(str, unanswered))}")

    # --- sessions: launch and attach ------------------------------------------------

    async def launch(self, call: Call, request: LaunchRequest) -> Result:
        null = None if request.stdio else devnull_stdio()
        try:
            stdio, inherited = launch_fds(request, call.fds, null)
            return await self._launch(call.conn, request, stdio, inherited)
        finally:  # the command has its copies by now
            for fd in {*(null or ()), *(call.fds or ())}:
                os.close(fd)

    async def _launch(
        self,
        conn: Connection,
        request: LaunchRequest,
        stdio: tuple[int, int, int],
        inherited: tuple[tuple[int, int], ...],
    ) -> Result:
        self.limits.check_sessions(conn.uid)
        if not request.detach:
            self.limits.check_subscriptions(conn, request.queue)
        _check_stack_trace(request)
        policy = self.limits.policy(
            request.trace, request.decoding, request.entries, request.entry_only, request.inject
        )._replace(
            inject_in_kernel=request.inject_in_kernel,
            follow=request.follow,
            force_full=request.full,
            stack_trace=request.stack_trace,
        )
        credentials = credentials_for(conn.uid, conn.gid, conn.groups)
        if credentials is None and conn.uid not in (0, os.getuid()):
            raise RequestError(
                ErrorCode.PERMISSION_DENIED,
                f"this daemon runs as uid {os.getuid()} and cannot launch as uid {conn.uid}",
            )
        spec = LaunchSpec(
            argv=tuple(request.argv),
            env=launch_environment(request.env, credentials),
            cwd=request.cwd,
            umask=request.umask,
            stdio=stdio,
            inherited=inherited,
            ignored_signals=ignored_signals(request.ignored_signals),
            credentials=credentials,
            new_process_group=True,
            terminal=request.tty,
            nice=conn.nice,
        )
        check_launchable(spec)  # InvalidLaunchError: answered as invalid (errors.code_of)
        session = self._new_session(conn, "launch", request.argv, owned=not request.detach)
        session.entry_only = request.entry_only
        try:
            if not request.detach:
                self._subscribe(
                    conn, session, request.policy, request.queue, entries=request.entries
                )
            engine_session = await self.tracing.launch(spec, policy, session)
        except BaseException:
            self.hub.remove(session)
            raise  # a SpawnError is answered as spawn_failed (errors.code_of)
        self._run(session, engine_session)
        return StartResult(session=session.session_id, pid=session.pid)

    async def attach(self, call: Call, request: AttachRequest) -> Result:
        conn = call.conn
        self.limits.check_sessions(conn.uid)
        if request.subscribe:
            self.limits.check_subscriptions(conn, request.queue)
        client = access.Client(conn.uid, conn.gid, conn.pid)
        check_may_trace(client, request.pid)
        _check_stack_trace(request)
        policy = self.limits.policy(
            request.trace, request.decoding, request.entries, request.entry_only, request.inject
        )  # attach has no filter: every injection is made at stops
        if conn.uid != 0:
            policy = policy._replace(owner=client)
        policy = policy._replace(attach_filter=request.filter, stack_trace=request.stack_trace)
        # For a person (the list's command column): bytes that are not UTF-8 as \xNN.
        argv = [shown(os_text(arg)) for arg in procfs.exec_image_argv(request.pid)]
        session = self._new_session(conn, "attach", argv, owned=not request.detach)
        session.entry_only = request.entry_only
        session.attach_filter = request.filter
        if request.subscribe:
            self._subscribe(conn, session, request.policy, request.queue, entries=request.entries)
        try:
            engine_session = await self.tracing.attach(request.pid, policy, session)
        except BaseException:
            self.hub.remove(session)
            raise  # an AttachError is answered as attach_failed (errors.code_of)
        self._run(session, engine_session)
        return StartResult(session=session.session_id, pid=request.pid)

    # --- the others: answered at once ------------------------------------------------

    def detach(self, call: Call, request: DetachRequest) -> Result:
        session = self._find(call.conn, request.session)
        if session.kind != "attach" or session.engine_session is None:
            raise RequestError(
                ErrorCode.INVALID,
                f"session {session.session_id} was launched: detaching would leave its "
                f"command without its tracer; end it with the signal op (`traced kill "
                f"{session.session_id}`) instead",
            )
        if session.attach_filter is not None:
            raise RequestError(
                ErrorCode.INVALID,
                f"session {session.session_id} was attached with --filter: its seccomp "
                f"filter stays in pid {session.pid} for the life of the process, whose "
                f"traced syscalls would fail with ENOSYS untraced, so it is never "
                f"detached; end it with `traced kill {session.session_id}`",
            )
        session.engine_session.detach()
        return DetachResult()

    async def signal(self, call: Call, request: SignalRequest) -> Result:
        session = self._find(call.conn, request.session)
        signo = signal_number(request.signal)
        if session.engine_session is None:
            raise RequestError(ErrorCode.NOT_FOUND, f"session {session.session_id} has no process")
        try:
            await session.engine_session.signal(signo)
        except ProcessLookupError as error:
            raise RequestError(
                ErrorCode.NOT_FOUND, f"session {session.session_id} has ended"
            ) from error
        except PermissionError as error:
            raise RequestError(
                ErrorCode.PERMISSION_DENIED, f"cannot signal pid {session.pid}"
            ) from error
        return SignalResult(signal=signal_name(signo))

    def list_sessions(self, call: Call, request: ListRequest) -> Result:
        live = [s for s in self.hub.visible(call.conn.uid) if s.ended is None]
        return ListResult(sessions=[s.info() for s in live])

    def subscribe(self, call: Call, request: SubscribeRequest) -> Result:
        conn = call.conn
        self.limits.check_subscriptions(conn, request.queue)
        filter_ = parse_filter(
            [request.trace] if request.trace is not None else [], self.tracing.arch
        )
        session = self._find(conn, request.session) if request.session is not None else None
        sub = self._subscribe(
            conn,
            session,
            request.policy,
            request.queue,
            names=filter_.syscalls,
            rules=filter_.rules,
            pid=request.pid,
            entries=request.entries,
        )
        return SubscribeResult(subscription=sub.sub_id)

    def stats(self, call: Call, request: StatsRequest) -> Result:
        sessions = (
            [self._find(call.conn, request.session)]
            if request.session is not None  # "" names no session; null means all
            else self.hub.visible(call.conn.uid)
        )
        return StatsResult(
            sessions={s.session_id: dict(s.stats) for s in sessions},
            decoder_failures=self.tracing.decoder_failures(),
        )

    # --- shared steps -------------------------------------------------------------

    def _find(self, conn: Connection, session_id: str) -> DaemonSession:
        session = self.hub.find(session_id, conn.uid)
        if session is None:
            raise RequestError(
                ErrorCode.NOT_FOUND, f"no session {session_id!r} visible to uid {conn.uid}"
            )
        return session

    def _new_session(
        self, conn: Connection, kind: Literal["launch", "attach"], argv: list[str], owned: bool
    ) -> DaemonSession:
        session_id = uuid.uuid4().hex[:12]
        session = DaemonSession(session_id, kind, conn.uid, argv, owner=conn if owned else None)
        self.hub.add(session)
        return session

    def _subscribe(
        self,
        conn: Connection,
        session: DaemonSession | None,
        policy: Policy,
        queue: int | None,
        *,
        names: frozenset[str] | None = None,
        rules: Rules = NO_RULES,
        pid: int | None = None,
        entries: bool = False,
    ) -> Subscription:
        """Subscribe ``conn`` to one session, or (None) to every session it may see."""
        session_id = session.session_id if session is not None else None
        queue_length = queue or self.limits.config.queue_size
        sub = Subscription(
            uuid.uuid4().hex[:8], policy, queue_length, session_id, names, pid, entries, rules
        )
        self.hub.subscribe(sub, conn, session)
        return sub


def _check_stack_trace(request: LaunchRequest | AttachRequest) -> None:
    """stack_trace walks a call's stack as it returns, which entry_only never sees."""
    if request.stack_trace and request.entry_only:
        why = "entry_only never sees the return stacks are walked at"
        raise RequestError(ErrorCode.INVALID, why)
