"""In-process tracing: ``traced launch|attach --no-daemon``, an Engine on this process's loop.

The printer is the engine's sink; the exit status is the command's own, as a
shell reports it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys

import uvloop

from traced.cli.options import decoding_options
from traced.cli.render import Printer
from traced.errors import SpawnError, exit_status_for_exec_error
from traced.tracer.engine import Engine, TracePolicy
from traced.tracer.spawn import LaunchSpec

_FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def launch(args: argparse.Namespace, argv: list[str], printer: Printer) -> int:
    """Run ``argv`` traced; its exit status."""
    return uvloop.run(_launch(args, argv, printer))


def attach(args: argparse.Namespace, printer: Printer) -> int:
    """Trace ``args.pid`` until it ends or a signal asks us to let it go."""
    return uvloop.run(_attach(args, printer))


async def _launch(args: argparse.Namespace, argv: list[str], printer: Printer) -> int:
    with Engine() as engine:
        policy = TracePolicy(
            printer.filter.syscalls,
            args.full,
            decoding=decoding_options(args, printer.filter.raw),
            entries=printer.stages_entries(),
        )
        try:
            session = await engine.launch(LaunchSpec(tuple(argv)), policy, printer)
        except SpawnError as error:
            return _report_spawn_error(error)
        given_up = _forward_signals(session.core.root_tid)
        waiting = asyncio.ensure_future(session.wait())
        await asyncio.wait((waiting, given_up), return_when=asyncio.FIRST_COMPLETED)
        if not waiting.done():
            # Asked to end while the command itself is gone: end, and let
            # PTRACE_O_EXITKILL take whatever of its tree is left.
            waiting.cancel()
            return 128 + given_up.result()
        outcome = waiting.result()
    if session.spawn_error is not None:
        return _report_spawn_error(session.spawn_error)
    return outcome.shell_status if outcome else 0


async def _attach(args: argparse.Namespace, printer: Printer) -> int:
    with Engine() as engine:
        policy = TracePolicy(
            printer.filter.syscalls,
            True,
            decoding=decoding_options(args, printer.filter.raw),
            entries=printer.stages_entries(),
        )
        session = await engine.attach(args.pid, policy, printer)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, session.detach)
        await session.wait()
    return 0


def _forward_signals(pid: int) -> asyncio.Future[int]:
    """The terminal's SIGINT reaches the command itself; others we pass on.

    The future resolves to the signal when one arrives after the command has
    gone: nothing is left to pass it to, so traced itself should end."""
    loop = asyncio.get_running_loop()
    given_up: asyncio.Future[int] = loop.create_future()
    loop.add_signal_handler(signal.SIGINT, lambda: None)
    for sig in _FORWARDED:
        loop.add_signal_handler(sig, _pass_on, pid, sig, given_up)
    return given_up


def _pass_on(pid: int, sig: int, given_up: asyncio.Future[int]) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        if not given_up.done():
            given_up.set_result(sig)


def _report_spawn_error(error: SpawnError) -> int:
    print(f"traced: {error}", file=sys.stderr)
    return exit_status_for_exec_error(error.errno)
