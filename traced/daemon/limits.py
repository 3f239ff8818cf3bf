"""What a request may make the daemon hold, and how a session is traced, by its config.

Each check runs before a request creates anything, so a refusal leaves nothing
behind; its RequestError (code ``limit``) names the setting that refused it.
"""

from __future__ import annotations

from collections.abc import Sequence

from traced.daemon.config import Config
from traced.daemon.hub import Hub, Subscriber
from traced.decoders.values import Options
from traced.errors import ErrorCode, RequestError
from traced.events import Entries
from traced.filter.expression import parse_filter
from traced.filter.inject import NO_INJECTIONS
from traced.syscalls.arch import Arch
from traced.tracer.run import TracePolicy
from traced.wire.protocol import Decoding


class Limits:
    """The config's limits, checked against what the hub holds now."""

    def __init__(self, config: Config, hub: Hub, arch: Arch) -> None:
        self.config = config
        self.hub = hub
        self.arch = arch

    def check_sessions(self, uid: int) -> None:
        """Room for one more session, of ``uid``."""
        live = self.hub.live()
        if len(live) >= self.config.max_sessions:
            raise RequestError(
                ErrorCode.LIMIT, f"too many sessions (max_sessions = {self.config.max_sessions})"
            )
        mine = [s for s in live if s.uid == uid]
        if len(mine) >= self.config.max_sessions_per_uid:
            raise RequestError(
                ErrorCode.LIMIT,
                f"too many sessions for uid {uid} "
                f"(max_sessions_per_uid = {self.config.max_sessions_per_uid})",
            )

    def check_subscriptions(self, subscriber: Subscriber, queue: int | None) -> None:
        """What one client's subscriptions may make the daemon hold: queue_size events
        each, and at most one per session plus one to everything."""
        if queue is not None and queue > self.config.queue_size:
            raise RequestError(
                ErrorCode.LIMIT, f"queue {queue} exceeds queue_size = {self.config.queue_size}"
            )
        most = self.config.max_sessions + 1
        if self.hub.subscriptions_of(subscriber) >= most:
            raise RequestError(
                ErrorCode.LIMIT,
                f"too many subscriptions on one connection (max_sessions + 1 = {most})",
            )

    def policy(
        self,
        trace: str | None,
        decoding: Decoding,
        entries: bool = False,
        entry_only: bool = False,
        inject: Sequence[str] = (),
    ) -> TracePolicy:
        """How a session is traced: the request's filter (with its argument predicates),
        injections and decoding, the config's default string size and task limit."""
        filter_ = parse_filter([trace] if trace is not None else [], self.arch)
        injections = parse_filter(list(inject), self.arch).injections if inject else None
        if injections is not None and len(injections.expressions) != len(inject):
            raise RequestError(ErrorCode.BAD_FILTER, "inject holds only inject= and fault=")
        if injections is not None and entry_only:
            raise RequestError(ErrorCode.INVALID, "entry_only never sees a result to inject")
        string_limit = decoding.string_limit
        options = Options(
            self.config.string_size if string_limit is None else string_limit,
            decoding.verbose,
            decoding.decorate_fds,
            frozenset(decoding.raw),
            decoding.fd_paths,
            xlat=decoding.xlat,
            strings_hex=decoding.strings_hex,
            nonverbose=frozenset(decoding.nonverbose),
            dump_reads=frozenset(decoding.dump_reads),
            dump_writes=frozenset(decoding.dump_writes),
            fd_kinds=frozenset(decoding.fd_kinds),
            decorate_pids=decoding.decorate_pids,
            paths=tuple(decoding.paths),
            kvm_vcpu=decoding.kvm_vcpu,
        )
        return TracePolicy(
            filter_.syscalls,
            decoding=options,
            entries=Entries.ALWAYS if entries else Entries.NEVER,
            entry_only=entry_only,
            max_tasks=self.config.max_tasks_per_session,
            injections=injections or NO_INJECTIONS,
            rules=tuple(filter_.rules.items()),
        )
