"""A launch or attach as a channel order, and back: what the front checked, as the
engine takes it in the worker.  Pure: values in, values out.

A launch's fds cannot travel in the line: the order numbers them (an index into the
fds sent with it by SCM_RIGHTS), and the worker puts its own copies in their place.
"""

from __future__ import annotations

from traced.daemon.channel import CLOSED, Attach, Launch, Policy
from traced.decoders.values import Options
from traced.events import Entries
from traced.linux.access import Client
from traced.tracer.run import TracePolicy
from traced.tracer.spawn import CLOSED as SPEC_CLOSED
from traced.tracer.spawn import Credentials, LaunchSpec


def policy_fields(policy: TracePolicy) -> Policy:
    decoding = policy.decoding
    return Policy(
        names=policy.names,
        force_full=policy.force_full,
        owner=policy.owner,
        string_limit=decoding.string_limit,
        verbose=decoding.verbose,
        decorate_fds=decoding.decorate_fds,
        raw=decoding.raw,
        entries=policy.entries.value,
        max_tasks=policy.max_tasks,
    )


def policy_of(fields: Policy) -> TracePolicy:
    return TracePolicy(
        fields.names,
        force_full=fields.force_full,
        owner=Client(*fields.owner) if fields.owner is not None else None,
        decoding=Options(fields.string_limit, fields.verbose, fields.decorate_fds, fields.raw),
        entries=Entries(fields.entries),
        max_tasks=fields.max_tasks,
    )


def launch_order(
    ref: int, key: int, session: str, spec: LaunchSpec, policy: TracePolicy
) -> tuple[Launch, list[int]]:
    """The order, and the fds to send with it (stdio's open ones, then the inherited)."""
    fds: list[int] = []

    def index(fd: int) -> int:
        fds.append(fd)
        return len(fds) - 1

    first, second, third = (CLOSED if fd == SPEC_CLOSED else index(fd) for fd in spec.stdio)
    inherited = tuple((number, index(fd)) for number, fd in spec.inherited)
    credentials = spec.credentials
    order = Launch(
        ref=ref,
        key=key,
        session=session,
        argv=spec.argv,
        env=dict(spec.env) if spec.env is not None else None,
        cwd=spec.cwd,
        umask=spec.umask,
        stdio=(first, second, third),
        inherited=inherited,
        ignored_signals=spec.ignored_signals,
        nice=spec.nice,
        credentials=(
            (credentials.uid, credentials.gid, credentials.groups) if credentials else None
        ),
        new_process_group=spec.new_process_group,
        policy=policy_fields(policy),
        fds=len(fds),
    )
    return order, fds


def spec_of(order: Launch, fds: list[int]) -> LaunchSpec:
    """The launch, with the worker's copies of the fds it was sent."""
    first, second, third = (SPEC_CLOSED if i == CLOSED else fds[i] for i in order.stdio)
    credentials = order.credentials
    return LaunchSpec(
        argv=order.argv,
        env=order.env,
        cwd=order.cwd,
        umask=order.umask,
        stdio=(first, second, third),
        inherited=tuple((number, fds[i]) for number, i in order.inherited),
        ignored_signals=order.ignored_signals,
        nice=order.nice,
        credentials=Credentials(*credentials) if credentials is not None else None,
        new_process_group=order.new_process_group,
    )


def attach_order(ref: int, key: int, session: str, pid: int, policy: TracePolicy) -> Attach:
    return Attach(ref=ref, key=key, session=session, pid=pid, policy=policy_fields(policy))
