"""Owners of the daemon's asyncio tasks: none runs unowned, none outlives its owner.

A request's answer, a session's watch and the ending of a session run as tasks.
Each is started by an owner (the daemon for answers and watches, a session for
what ends it), which logs a task's failure when it happens and, when it closes,
gives its tasks a grace period, then cancels what is left and awaits it.

asyncio.TaskGroup would await and cancel the same way, but it cancels every task
when one fails, and has no grace period: one bad request must not end every session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from traced.logs import get_logger

_log = get_logger(__name__)


class Tasks:
    """The tasks one owner started and that still run."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self._running: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._running)

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._running.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            _log.error("task failed", owner=self.owner, exc_info=error)

    async def close(self, grace: float = 0.0) -> None:
        """Wait up to ``grace`` seconds for every task (and those they start meanwhile),
        then cancel what is left and await it."""
        deadline = asyncio.get_running_loop().time() + grace
        while self._running:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                break
            await asyncio.wait(set(self._running), timeout=left)
        while self._running:
            late = set(self._running)
            for task in late:
                task.cancel()
            await asyncio.wait(late)
