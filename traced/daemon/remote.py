"""A session a tracer worker runs, as the front sees it (an EngineSession, daemon.hub).

Its events come in on the worker's channel already encoded; the front numbers
them and fans them out (Hub.json_sink_for).  Until the front has answered the
launch or attach (:meth:`RemoteSession.open`), they are kept back: a client hears
``response`` before any event of the session it asked for, as from a daemon with
one loop.  Hold, release, detach and signal become orders to the worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from traced.core.session import Outcome
from traced.daemon.channel import Detach, Ended, Hold, Release, Signal
from traced.daemon.hub import JsonSink
from traced.errors import ErrorCode, RequestError, SpawnError


class Send(Protocol):
    def __call__(self, message: object, *, now: bool = False) -> None: ...


# Sends an order that is answered (its ``ref`` given), and the answer to come.
Ask = Callable[[Callable[[int], tuple[object, list[int]]]], "asyncio.Future[object]"]


class RemoteSession:
    def __init__(self, key: int, send: Send, ask: Ask, sink: JsonSink) -> None:
        self.key = key
        self._send = send
        self._ask = ask
        self._sink = sink
        self._early: list[tuple[int, str | None, bool, memoryview]] | None = []
        # The worker's channel calls deliver(pid, name, counted, body) for each event.
        self.deliver: JsonSink = self._keep
        self.pid = 0
        self.task_count = 0
        self.runaway: int | None = None
        self.spawn_error: SpawnError | None = None
        self.lost_tracer: str | None = None
        self._done: asyncio.Future[Outcome | None] = asyncio.get_running_loop().create_future()

    def _keep(self, pid: int, name: str | None, counted: bool, body: memoryview) -> None:
        if self._early is not None:
            self._early.append((pid, name, counted, body))

    def open(self) -> None:
        """The launch is answered: its events go out from now on, the first ones kept."""
        early, self._early = self._early, None
        self.deliver = self._sink
        for event in early or ():
            self._sink(*event)

    def started(self, pid: int, tasks: int) -> None:
        self.pid, self.task_count = pid, tasks

    def ended(self, report: Ended) -> None:
        self.runaway = report.runaway
        failure = report.spawn_error
        if failure is not None:
            self.spawn_error = SpawnError(failure.program, failure.errno, failure.stage)
        outcome = None
        if report.code is not None or report.signal is not None:
            outcome = Outcome(report.code, report.signal)
        if not self._done.done():
            self._done.set_result(outcome)

    def lost(self, reason: str) -> None:
        """Its worker died: the launched command died with it, an attached one runs on."""
        self.lost_tracer = reason
        if not self._done.done():
            self._done.set_result(None)

    async def wait(self) -> Outcome | None:
        outcome = await asyncio.shield(self._done)
        self.open()  # whatever was kept back goes out before the end
        return outcome

    def hold(self) -> None:
        self._send(Hold(self.key), now=True)  # every event it makes meanwhile will queue

    def release(self) -> None:
        self._send(Release(self.key), now=True)  # its tracees wait for it

    def detach(self) -> None:
        self._send(Detach(self.key))

    async def signal(self, signo: int) -> None:
        if self._done.done():
            raise ProcessLookupError(f"session {self.key} has ended")
        try:
            await self._ask(lambda ref: (Signal(ref, self.key, signo), []))
        except RequestError as error:
            if error.code is ErrorCode.PERMISSION_DENIED:
                raise PermissionError(str(error)) from error
            raise ProcessLookupError(str(error)) from error
