"""``traced``: the command line.  Parses strace-like options and runs the engine in-process.

Exit status: the traced command's own, or 128+N when signal N killed it (as a
shell reports it); 127/126 when it could not be executed (not found / not
executable, as a shell reports it); 2 for a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from traced.render import Printer

USAGE_ERROR = 2
_FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="traced", description="Trace syscalls, fast.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (("launch", "run a command traced"), ("attach", "trace a process")):
        sub = commands.add_parser(name, help=helptext)
        sub.add_argument("-e", dest="expr", action="append", default=[], metavar="EXPR")
        sub.add_argument("--json", action="store_true", help="JSON Lines, one event a line")
        sub.add_argument("-o", dest="output", metavar="FILE", help="write the trace to FILE")
        sub.add_argument("--full", action="store_true", help="no seccomp filter: stop always")
    commands.choices["launch"].add_argument("argv", nargs=argparse.REMAINDER)
    commands.choices["attach"].add_argument("pid", type=int)
    return parser


async def _launch(args: argparse.Namespace, printer: Printer) -> int:
    from traced.engine import Engine, TracePolicy
    from traced.errors import SpawnError
    from traced.filters import parse_trace
    from traced.spawn import LaunchSpec

    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        raise UsageError("launch needs a command: traced launch [options] -- cmd args...")
    with Engine() as engine:
        policy = TracePolicy(parse_trace(args.expr, engine.arch), force_full=args.full)
        try:
            session = await engine.launch(LaunchSpec(tuple(argv)), policy, printer)
        except SpawnError as error:
            return _report_spawn_error(error)
        _forward_signals(session.core.root_tid)
        outcome = await session.wait()
    if session.spawn_error is not None:
        return _report_spawn_error(session.spawn_error)
    return outcome.shell_status if outcome else 0


async def _attach(args: argparse.Namespace, printer: Printer) -> int:
    from traced.engine import Engine, TracePolicy
    from traced.filters import parse_trace

    with Engine() as engine:
        policy = TracePolicy(parse_trace(args.expr, engine.arch), force_full=True)
        session = await engine.attach(args.pid, policy, printer)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, session.detach)
        await session.wait()
    return 0


def _forward_signals(pid: int) -> None:
    """The terminal's SIGINT reaches the command itself; others we pass on."""
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, lambda: None)
    for sig in _FORWARDED:
        loop.add_signal_handler(sig, _kill_quietly, pid, sig)


def _kill_quietly(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _report_spawn_error(error: Exception) -> int:
    import errno

    print(f"traced: {error}", file=sys.stderr)
    return 127 if getattr(error, "errno", 0) == errno.ENOENT else 126


def _open_output(path: str | None) -> TextIO:
    if path is None:
        return sys.stderr
    if path == "-":
        return sys.stdout
    return open(path, "w", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    import uvloop

    from traced.errors import TracedError
    from traced.logs import configure
    from traced.render import Printer

    configure()
    args = _parser().parse_args(argv)
    try:
        out = _open_output(args.output)
    except OSError as error:
        print(f"traced: cannot open {args.output}: {error.strerror}", file=sys.stderr)
        return USAGE_ERROR
    printer = Printer(out, args.json, to_file=args.output not in (None, "-"))
    runner = _launch if args.command == "launch" else _attach
    try:
        return uvloop.run(runner(args, printer))
    except UsageError as error:
        print(f"traced: {error}", file=sys.stderr)
        return USAGE_ERROR
    except TracedError as error:
        print(f"traced: {error}", file=sys.stderr)
        return 1
    finally:
        _close_output(out, printer.broken)


def _close_output(out: TextIO, broken: bool) -> None:
    try:
        if not broken:
            out.flush()
        if out not in (sys.stdout, sys.stderr):
            out.close()
    except BrokenPipeError:
        pass


if __name__ == "__main__":
    sys.exit(main())
