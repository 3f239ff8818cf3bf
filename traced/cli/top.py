"""``traced top``: a live view, for when a person would rather look than read.

    traced top [-e EXPR] [-d SECONDS] -- cmd args...    # one command, traced here
    traced top [--session ID] [-e trace=...]            # a daemon's sessions

top_model.py makes the rows from the events; this module feeds it (the public
API's in-process ``trace`` or daemon ``subscribe``, with a ``drop`` policy, so a
slow screen never slows a command: losses are counted on screen), draws it with
rich every ``-d`` seconds, and reads keys: ``s`` sorts the syscalls by count,
errors or time, ``n`` shows the next session (then all again), ``q`` quits.  The
command's own output goes to /dev/null, so that it does not write over the view.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import termios
import time
from collections.abc import AsyncIterator, Callable, Iterator

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from traced.api.daemon import connect
from traced.api.local import trace
from traced.cli.options import command_argv, socket_path
from traced.cli.top_model import TopModel, TopView
from traced.events import Event
from traced.wire.protocol import Lost


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_top(args))
    except KeyboardInterrupt:  # Ctrl-C: the view is left as q leaves it
        return 130


async def _top(args: argparse.Namespace) -> int:
    model = TopModel(session=args.session)
    title = " ".join(command_argv(args)) or f"daemon at {socket_path(args)}"
    with _keys() as keys, Live(console=Console(), screen=True, auto_refresh=False) as live:
        feeding = asyncio.ensure_future(_feed(model, _events(args)))
        try:
            await _show(args.delay, model, keys, lambda view: live.update(
                _screen(title, view, _ended(feeding)), refresh=True
            ))  # fmt: skip
        finally:
            feeding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feeding
    return 0


async def _show(
    delay: float, model: TopModel, keys: asyncio.Queue[str], draw: Callable[[TopView], None]
) -> None:
    """Redraw every ``delay`` seconds, and at each key, until ``q``."""
    then = time.monotonic()
    while True:
        with contextlib.suppress(TimeoutError):
            key = await asyncio.wait_for(keys.get(), delay)
            if key == "q":
                return
            if key == "s":
                model.next_sort()
            elif key == "n":
                model.pick_next_session()
        now = time.monotonic()
        draw(model.view(now - then))
        then = now


async def _events(args: argparse.Namespace) -> AsyncIterator[Event | Lost]:
    argv = command_argv(args)
    if argv:
        null = os.open(os.devnull, os.O_RDWR)
        try:
            async with trace(argv, filter=args.expr or None, stdio=(null, null, null)) as session:
                async for event in session:
                    yield event
        finally:
            os.close(null)
        return
    async with (
        await connect(socket_path(args)) as daemon,
        await daemon.subscribe(args.session, filter=args.expr or None) as stream,
    ):
        async for record in stream:
            yield record


async def _feed(model: TopModel, records: AsyncIterator[Event | Lost]) -> None:
    async for record in records:
        if isinstance(record, Lost):
            model.feed_lost(record.count)
        else:
            model.feed(record)


def _ended(feeding: asyncio.Future[None]) -> str:
    if not feeding.done():
        return ""
    error = feeding.exception()
    return f"ended: {error}" if error is not None else "ended"


def _screen(title: str, view: TopView, ended: str) -> Group:
    head = Text(f"traced top — {title}", style="bold")
    state = f"  {view.events_per_second:,.0f} events/s, {view.lost:,} lost"
    head.append(state + (f"  [{ended}]" if ended else ""))
    keys = Text(f"sort: {view.sort}   keys: s sort  n next session  q quit", style="dim")
    processes = Table("PID", "STATE", "CALLS", "CALLS/S", "COMMAND", expand=True)
    for row in view.processes:
        processes.add_row(
            str(row.pid), row.state, f"{row.calls:,}", f"{row.per_second:,.0f}",
            "  " * row.depth + row.command,
        )  # fmt: skip
    syscalls = Table("SYSCALL", "CALLS", "ERRORS", "SECONDS", expand=True)
    for call in view.syscalls:
        syscalls.add_row(call.name, f"{call.calls:,}", f"{call.errors:,}", f"{call.seconds:.6f}")
    busiest = Table("PATH", "USES", "FD (pid:fd)", "USES", expand=True)
    for (path, uses), (fd, fd_uses) in _zip_longest(view.paths, view.fds):
        busiest.add_row(path, str(uses or ""), fd, str(fd_uses or ""))
    return Group(head, keys, processes, syscalls, busiest)


def _zip_longest(
    left: tuple[tuple[str, int], ...], right: tuple[tuple[str, int], ...]
) -> Iterator[tuple[tuple[str, int], tuple[str, int]]]:
    blank = ("", 0)
    for i in range(max(len(left), len(right))):
        yield (left[i] if i < len(left) else blank), (right[i] if i < len(right) else blank)


@contextlib.contextmanager
def _keys() -> Iterator[asyncio.Queue[str]]:
    """Keys as typed (no echo, no Enter needed), while inside; the terminal as it was after."""
    keys: asyncio.Queue[str] = asyncio.Queue()
    if not os.isatty(0):
        yield keys
        return
    saved = termios.tcgetattr(0)
    mode = termios.tcgetattr(0)
    mode[3] &= ~(termios.ICANON | termios.ECHO)
    termios.tcsetattr(0, termios.TCSANOW, mode)
    loop = asyncio.get_running_loop()

    def typed() -> None:
        for key in os.read(0, 64).decode(errors="replace"):
            keys.put_nowait(key)

    try:
        loop.add_reader(0, typed)
        # SIGTERM (after let_through, its default would end us with the terminal raw)
        # quits as q does.
        loop.add_signal_handler(signal.SIGTERM, keys.put_nowait, "q")
        yield keys
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        loop.remove_reader(0)
        termios.tcsetattr(0, termios.TCSADRAIN, saved)
