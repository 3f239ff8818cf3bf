"""In-process tracing: ``traced launch|attach --no-daemon``, an Engine in this process.

No event loop: the blocking driver (traced/tracer/blocking.py) sleeps in waitid
and hands each status to the engine's reactor, so asyncio is never imported on
this path.  The printer is the engine's sink; the exit status is the command's
own, as a shell reports it.  Signals sent to traced meanwhile: see signals.py.
"""

from __future__ import annotations

import argparse
import os
import sys

from traced.cli import notices
from traced.cli.options import decoding_options, follows
from traced.cli.owed import Owed
from traced.cli.parser import UsageError
from traced.cli.printer import Printer
from traced.cli.signals import (
    Action,
    Detach,
    arrived_early,
    attach_actions,
    forwarding,
    launch_actions,
)
from traced.errors import SpawnError, exit_status_for_exec_error
from traced.tracer.blocking import BlockingDriver
from traced.tracer.engine import Engine
from traced.tracer.run import KEEP, TracePolicy
from traced.tracer.spawn import LaunchSpec


def launch(args: argparse.Namespace, argv: list[str], printer: Printer, owed: Owed) -> int:
    """Run ``argv`` traced, with what traced was given (``owed``); its exit status."""
    if (early := arrived_early()) is not None:
        return 128 + early  # asked to end before there was anything to trace
    with Engine(reap_orphans=True, blocking=True) as engine:
        try:
            spec = LaunchSpec(
                tuple(argv),
                stdio=owed.stdio(),
                inherited=tuple((fd, fd) for fd in owed.fds),
                ignored_signals=owed.ignored_signals,
            )
            session = engine.launch(spec, _policy(args, printer, force_full=args.full), printer)
        except SpawnError as error:
            return _report_spawn_error(error)
        driver = BlockingDriver(engine.reactor)
        given_up: list[int] = []
        actions = launch_actions(_pass_on(session.core.root_tid, given_up), in_process=True)
        with forwarding(actions, driver, restart=False):
            driver.run_until(lambda: session.over or bool(given_up))
        if given_up and not session.over:
            # Asked to end while the command itself is gone: end, and let
            # PTRACE_O_EXITKILL take whatever of its tree is left.
            return 128 + given_up[0]
        outcome = session.outcome()
    if session.spawn_error is not None:
        return _report_spawn_error(session.spawn_error)
    return outcome.shell_status if outcome else 0


def attach(args: argparse.Namespace, printer: Printer) -> int:
    """Trace ``args.pid`` until it ends or a signal asks us to let it go; then, as
    strace, 128 + that signal (130 after Ctrl-C), else 0."""
    choice = getattr(args, "attach_filter", None)
    if choice == KEEP:
        raise UsageError(
            "--filter keeps the process traced after traced exits, which takes the daemon "
            "(traced service install --now); in-process, use --filter=kill-on-exit"
        )
    if choice is not None and not notices.confirm_filter(args.pid, choice, False, not args.yes):
        notices.notice("nothing done")
        return 1
    with Engine(reap_orphans=True, blocking=True) as engine:
        policy = _policy(args, printer, force_full=True)._replace(attach_filter=choice)
        if (early := arrived_early()) is not None:
            return 128 + early  # asked to end before the process was taken over
        session = engine.attach(args.pid, policy, printer)
        notices.attached(args.pid, session.core.tasks, printer.quiet)
        driver = BlockingDriver(engine.reactor)

        def let_go() -> None:
            """Each thread let go; with our filter in it, killed (Run.detach)."""
            if session.filtered:
                notices.notice(f"Process {args.pid} killed: it has traced's filter")
            gone = session.detach()
            notices.detached(gone, printer.quiet)

        detach = Detach(let_go)
        with forwarding(attach_actions(detach), driver, restart=False):
            driver.run_until(lambda: session.over)
    return detach.status()


def _policy(args: argparse.Namespace, printer: Printer, *, force_full: bool) -> TracePolicy:
    return TracePolicy(
        printer.filter.syscalls,
        force_full,
        rules=tuple(printer.filter.rules.items()),
        decoding=decoding_options(args, printer.filter),
        entries=printer.stages_entries(),
        entry_only=printer.entry_only,
        injections=printer.filter.injections,
        inject_in_kernel=getattr(args, "inject_in_kernel", False),
        follow=follows(args),
        stack_trace=printer.stack_trace,
        exec_image=printer.as_json,  # the text shows no exec's path nor argv
    )


def _pass_on(pid: int, given_up: list[int]) -> Action:
    """Send the signal to the command; once it is gone, note it in ``given_up``
    instead: nothing is left to pass it to, so traced itself should end."""

    def action(signo: int) -> None:
        try:
            os.kill(pid, signo)
        except ProcessLookupError:
            given_up.append(signo)

    return action


def _report_spawn_error(error: SpawnError) -> int:
    print(f"traced: {error}", file=sys.stderr)
    return exit_status_for_exec_error(error.errno)
