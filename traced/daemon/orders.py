"""A launch as a channel order, and back: what the front checked, as the
engine takes it in the worker.  Pure: values in, values out.

A launch's fds cannot travel in the line: the order numbers them (an index into the
fds sent with it by SCM_RIGHTS), and the worker puts its own copies in their place.
"""

from __future__ import annotations

from traced.daemon.channel import CLOSED, Launch
from traced.tracer.run import TracePolicy
from traced.tracer.spawn import CLOSED as SPEC_CLOSED
from traced.tracer.spawn import Credentials, LaunchSpec


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
        terminal=spec.terminal,
        policy=policy,
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
        terminal=order.terminal,
    )
