"""In-process tracing: ``traced launch|attach --no-daemon``, an Engine on this process's loop.

The printer is the engine's sink; the exit status is the command's own, as a
shell reports it.  Signals sent to traced meanwhile: see signals.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import uvloop

from traced.cli.options import decoding_options
from traced.cli.owed import Owed
from traced.cli.printer import Printer
from traced.cli.signals import Action, arrived_early, attach_actions, forwarding, launch_actions
from traced.errors import SpawnError, exit_status_for_exec_error
from traced.tracer.engine import Engine
from traced.tracer.run import TracePolicy
from traced.tracer.spawn import LaunchSpec


def launch(args: argparse.Namespace, argv: list[str], printer: Printer, owed: Owed) -> int:
    """Run ``argv`` traced, with what traced was given (``owed``); its exit status."""
    return uvloop.run(_launch(args, argv, printer, owed))


def attach(args: argparse.Namespace, printer: Printer) -> int:
    """Trace ``args.pid`` until it ends or a signal asks us to let it go."""
    return uvloop.run(_attach(args, printer))


async def _launch(args: argparse.Namespace, argv: list[str], printer: Printer, owed: Owed) -> int:
    if (early := arrived_early()) is not None:
        return 128 + early  # asked to end before there was anything to trace
    with Engine(reap_orphans=True) as engine:
        policy = TracePolicy(
            printer.filter.syscalls,
            args.full,
            decoding=decoding_options(args, printer.filter.raw),
            entries=printer.stages_entries(),
        )
        try:
            spec = LaunchSpec(
                tuple(argv),
                stdio=owed.stdio(),
                inherited=tuple((fd, fd) for fd in owed.fds),
                ignored_signals=owed.ignored_signals,
            )
            session = engine.launch(spec, policy, printer)
        except SpawnError as error:
            return _report_spawn_error(error)
        loop = asyncio.get_running_loop()
        given_up: asyncio.Future[int] = loop.create_future()
        actions = launch_actions(_pass_on(session.core.root_tid, given_up), in_process=True)
        with forwarding(actions, loop):
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
    with Engine(reap_orphans=True) as engine:
        policy = TracePolicy(
            printer.filter.syscalls,
            True,
            decoding=decoding_options(args, printer.filter.raw),
            entries=printer.stages_entries(),
        )
        if (early := arrived_early()) is not None:
            return 128 + early  # asked to end before the process was taken over
        session = engine.attach(args.pid, policy, printer)
        with forwarding(attach_actions(session.detach), asyncio.get_running_loop()):
            await session.wait()
    return 0


def _pass_on(pid: int, given_up: asyncio.Future[int]) -> Action:
    """Send the signal to the command; once it is gone, resolve ``given_up`` with it
    instead: nothing is left to pass it to, so traced itself should end."""

    def action(signo: int) -> None:
        try:
            os.kill(pid, signo)
        except ProcessLookupError:
            if not given_up.done():
                given_up.set_result(signo)

    return action


def _report_spawn_error(error: SpawnError) -> int:
    print(f"traced: {error}", file=sys.stderr)
    return exit_status_for_exec_error(error.errno)
