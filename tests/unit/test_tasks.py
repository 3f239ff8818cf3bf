"""daemon.tasks: an owner's tasks are awaited, given their grace, then cancelled.

An event loop and timers only: no process, no socket.
"""

from __future__ import annotations

import asyncio

from traced.daemon.tasks import Tasks


def test_close_waits_for_tasks_that_finish_within_the_grace() -> None:
    finished: list[str] = []

    async def work(name: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        finished.append(name)

    async def main() -> None:
        tasks = Tasks("test")
        tasks.start(work("slow", 0.05))
        tasks.start(work("quick", 0.0))
        assert len(tasks) == 2
        await tasks.close(grace=5.0)
        assert len(tasks) == 0

    asyncio.run(main())
    assert sorted(finished) == ["quick", "slow"]


def test_close_cancels_what_outlives_the_grace_and_awaits_it() -> None:
    seen: list[str] = []

    async def forever() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            seen.append("cleaned up")

    async def main() -> None:
        tasks = Tasks("test")
        tasks.start(forever())
        await asyncio.sleep(0)
        await tasks.close(grace=0.01)
        assert seen == ["cleaned up"]  # awaited, not merely cancelled
        assert len(tasks) == 0

    asyncio.run(main())


def test_tasks_started_during_the_grace_are_awaited_too() -> None:
    finished: list[str] = []

    async def main() -> None:
        tasks = Tasks("test")

        async def child() -> None:
            await asyncio.sleep(0.01)
            finished.append("child")

        async def parent() -> None:
            tasks.start(child())
            finished.append("parent")

        tasks.start(parent())
        await tasks.close(grace=5.0)

    asyncio.run(main())
    assert finished == ["parent", "child"]


def test_one_failed_task_ends_no_other() -> None:
    finished: list[str] = []

    async def fails() -> None:
        raise RuntimeError("a bug in one request")

    async def works() -> None:
        await asyncio.sleep(0.01)
        finished.append("works")

    async def main() -> None:
        tasks = Tasks("test")
        tasks.start(fails())
        tasks.start(works())
        await tasks.close(grace=5.0)  # the failure was logged when it happened

    asyncio.run(main())
    assert finished == ["works"]
