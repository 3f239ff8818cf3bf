"""``traced.trace``: trace a command inside your own asyncio program.

    async with traced.trace(["make"], filter="trace=%file") as session:
        async for event in session:
            print(event.name if isinstance(event, traced.SyscallEvent) else event)
    print(session.outcome)  # Outcome(code=0, signal=None)

The tracer runs on the caller's event loop (the daemon's engine, traced.tracer), so
the rules of a tracer apply to that loop: it owns SIGCHLD while a trace runs (do not
run asyncio subprocesses beside it), and the process needs the right to ptrace its
children (root, or a yama ptrace_scope of 0 or 1).  Events are the values the
daemon sends (traced.events), filtered as ``-e`` would filter them.  Leaving the
block before the command ends kills it (SIGKILL to its process group): a command
under our seccomp filter cannot be left without its tracer.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from traced.core.session import Outcome
from traced.decoders.values import DEFAULT_OPTIONS, Options
from traced.events import Event
from traced.filter.expression import Filter, parse_filter
from traced.syscalls.arch import host_arch
from traced.tracer.engine import Engine
from traced.tracer.run import Run, TracePolicy
from traced.tracer.spawn import LaunchSpec


def filters(filter: str | Sequence[str] | None) -> Filter:
    """strace's ``-e`` expressions (one string, or several) as a Filter."""
    expressions = [filter] if isinstance(filter, str) else list(filter or ())
    return parse_filter(expressions, host_arch())


class Trace:
    """One traced command: an async context manager, and an async iterator of its events."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        filter: str | Sequence[str] | None = None,
        decoding: Options = DEFAULT_OPTIONS,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        stdio: tuple[int, int, int] = (0, 1, 2),
    ) -> None:
        """Trace ``argv`` in this process, on the running event loop, once entered.

        ``filter``: strace's ``-e`` expressions (``"trace=%file"``, ``["trace=openat",
        "status=failed"]``); the syscall set becomes the seccomp filter.  ``decoding``:
        ``-s``, ``-v``, ``-y`` (traced.decoders.values.Options).  ``env``, ``cwd`` and
        ``stdio`` (the fds that become its 0, 1, 2): the command's (default: ours)."""
        self.filter = filters(filter)  # a mistake raises here (a TracedError), before any run
        spec = LaunchSpec(tuple(argv), env=env, cwd=cwd, stdio=stdio, new_process_group=True)
        self._spec = spec
        self._policy = TracePolicy(
            self.filter.syscalls, decoding=decoding, rules=tuple(self.filter.rules.items())
        )
        self._engine: Engine | None = None
        self._run: Run | None = None
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._over: asyncio.Future[Outcome | None] | None = None

    @property
    def pid(self) -> int:
        """The command's pid."""
        return self._started().core.root_tid

    @property
    def outcome(self) -> Outcome | None:
        """How the command ended (exit code or signal), once it has."""
        run = self._started()
        return run.outcome() if run.over else None

    async def __aenter__(self) -> Trace:
        engine = Engine()
        engine.__enter__()
        try:
            self._run = engine.launch(self._spec, self._policy, self._keep)
        except BaseException:
            engine.__exit__(None, None, None)
            raise
        self._engine = engine
        self._over = asyncio.ensure_future(self._run.wait())
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        run, over, engine = self._started(), self._over, self._engine
        assert over is not None and engine is not None
        try:
            if not run.over:
                run.signal(signal.SIGKILL)
            await asyncio.shield(over)
        finally:
            engine.__exit__(None, None, None)
        if run.spawn_error is not None and kind is None:
            raise run.spawn_error  # execve failed in the child: nothing of it ran

    def __aiter__(self) -> Trace:
        return self

    async def __anext__(self) -> Event:
        """The next event the filter admits; the iteration ends with the command."""
        over = self._over
        assert over is not None, "iterate inside `async with traced.trace(...)`"
        while self._events.empty():
            if over.done():
                raise StopAsyncIteration
            getter = asyncio.ensure_future(self._events.get())
            waited: set[asyncio.Future[Any]] = {getter, over}
            await asyncio.wait(waited, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                return getter.result()
            getter.cancel()
        return self._events.get_nowait()

    def _keep(self, event: Event) -> None:
        """The engine's sink: what the filter admits waits for the iteration."""
        if self.filter.admits(event):
            self._events.put_nowait(event)

    def _started(self) -> Run:
        if self._run is None:
            raise RuntimeError("not started: use `async with traced.trace(...)`")
        return self._run


# ``traced.trace(argv, filter=..., decoding=..., env=..., cwd=..., stdio=...)``: the class
# itself, called as a function (see Trace.__init__).
trace = Trace
