"""``traced``: the command line.

``launch`` and ``attach`` go through a running daemon when one answers and
trace in-process otherwise (``--daemon``/``--no-daemon`` force one).  ``daemon``
runs the service; ``subscribe``, ``ps``, ``kill`` and ``detach`` talk to it.

Exit status: the traced command's own, or 128+N when signal N killed it (as a
shell reports it); 127/126 when it could not be executed (not found / not
executable); 2 for a usage error; 1 for any other traced error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from traced.cli.render import Printer
    from traced.decoders.values import Options
    from traced.wire.client import Client

USAGE_ERROR = 2
_FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


class UsageError(Exception):
    pass


def _add_output_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "-e",
        dest="expr",
        action="append",
        default=[],
        metavar="EXPR",
        help="strace filter expression, e.g. trace=openat,execve",
    )
    sub.add_argument("--json", action="store_true", help="JSON Lines, one event a line")
    sub.add_argument("-o", dest="output", metavar="FILE", help="write the trace to FILE")
    sub.add_argument(
        "-f",
        dest="follow",
        action="count",
        default=0,
        help="accepted for strace's sake (children are always followed); "
        "-ff with -o FILE: one file per process, FILE.PID",
    )
    sub.add_argument(
        "-s",
        dest="string_limit",
        type=_string_limit,
        default=32,
        metavar="SIZE",
        help="show at most SIZE bytes of each string (default 32)",
    )
    sub.add_argument("-v", dest="verbose", action="store_true", help="structs in full")
    sub.add_argument(
        "-y",
        dest="decorate_fds",
        action="store_true",
        help="print the path each fd refers to: 3</etc/passwd>",
    )
    sub.add_argument(
        "-t",
        dest="absolute",
        action="count",
        default=0,
        help="prefix lines with the time of day (-tt: with µs, -ttt: epoch)",
    )
    sub.add_argument(
        "-r",
        dest="relative",
        action="store_true",
        help="prefix lines with the time since the previous line",
    )
    sub.add_argument(
        "-T", dest="durations", action="store_true", help="show the time spent in each syscall"
    )
    sub.add_argument(
        "-c",
        dest="count",
        action="store_true",
        help="a summary table of calls, errors and time instead of the lines",
    )
    sub.add_argument(
        "-C",
        dest="count_too",
        action="store_true",
        help="the lines and, at the end, the summary table",
    )
    sub.add_argument(
        "-z",
        dest="successful_only",
        action="store_true",
        help="only syscalls that succeeded (status=successful)",
    )
    sub.add_argument(
        "-Z",
        dest="failed_only",
        action="store_true",
        help="only syscalls that failed (status=failed)",
    )
    sub.add_argument(
        "-P",
        dest="paths",
        action="append",
        default=[],
        metavar="PATH",
        help="only syscalls that touch PATH",
    )


def _string_limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 1 << 20:
        raise argparse.ArgumentTypeError(f"invalid -s argument: '{text}'")
    return value


def _add_daemon_choice(sub: argparse.ArgumentParser) -> None:
    choice = sub.add_mutually_exclusive_group()
    choice.add_argument(
        "--daemon",
        dest="use_daemon",
        action="store_const",
        const=True,
        help="go through the daemon; fail if none answers",
    )
    choice.add_argument(
        "--no-daemon",
        dest="use_daemon",
        action="store_const",
        const=False,
        help="trace in this process",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="traced", description="Trace syscalls, fast.")
    parser.add_argument("--socket", type=Path, help="the daemon's socket (default: the config's)")
    commands = parser.add_subparsers(dest="command", required=True)
    launch = commands.add_parser("launch", help="run a command traced")
    _add_output_options(launch)
    _add_daemon_choice(launch)
    launch.add_argument("--full", action="store_true", help="no seccomp filter: stop always")
    launch.add_argument(
        "--detach",
        action="store_true",
        help="(daemon) print the session id and return; the command keeps running",
    )
    launch.add_argument("argv", nargs=argparse.REMAINDER)
    attach = commands.add_parser("attach", help="trace a running process; Ctrl-C detaches")
    _add_output_options(attach)
    _add_daemon_choice(attach)
    attach.add_argument("pid", type=int)
    daemon = commands.add_parser("daemon", help="run the daemon")
    daemon.add_argument("--config", type=Path, help="TOML settings (see config.example.toml)")
    subscribe = commands.add_parser("subscribe", help="watch live sessions")
    _add_output_options(subscribe)
    subscribe.add_argument("--session", help="only this session")
    subscribe.add_argument("--policy", choices=("drop", "block"), default="drop")
    commands.add_parser("ps", help="list sessions")
    kill = commands.add_parser("kill", help="signal a session's command")
    kill.add_argument("session")
    kill.add_argument("signal", nargs="?", default="SIGTERM")
    detach = commands.add_parser("detach", help="stop tracing an attached session")
    detach.add_argument("session")
    return parser


def _socket_path(args: argparse.Namespace) -> Path:
    from traced.daemon.paths import default_socket_path

    if args.socket is not None:
        return Path(args.socket)
    if os.environ.get("TRACED_SOCKET"):
        return Path(os.environ["TRACED_SOCKET"])
    return default_socket_path(os.environ, os.getuid())


def _connect(args: argparse.Namespace, required: bool) -> Client | None:
    from traced.errors import DaemonUnavailable
    from traced.wire.client import Client

    try:
        return Client(_socket_path(args))
    except DaemonUnavailable:
        if required:
            raise
        return None


async def _launch_here(args: argparse.Namespace, argv: list[str], printer: Printer) -> int:
    from traced.errors import SpawnError
    from traced.tracer.engine import Engine, TracePolicy
    from traced.tracer.spawn import LaunchSpec

    with Engine() as engine:
        policy = TracePolicy(
            printer.filter.syscalls,
            args.full,
            decoding=decoding_options(args, printer.filter.raw),
            entries=printer.stages_entries(),
        )
        try:
            session = engine.launch(LaunchSpec(tuple(argv)), policy, printer)
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


async def _attach_here(args: argparse.Namespace, printer: Printer) -> int:
    from traced.tracer.engine import Engine, TracePolicy

    with Engine() as engine:
        policy = TracePolicy(
            printer.filter.syscalls,
            True,
            decoding=decoding_options(args, printer.filter.raw),
            entries=printer.stages_entries(),
        )
        session = engine.attach(args.pid, policy, printer)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, session.detach)
        await session.wait()
    return 0


def decoding_options(args: argparse.Namespace, raw: frozenset[str] = frozenset()) -> Options:
    """-s, -v, -y and -e raw=: how arguments are printed, here or by the daemon."""
    from traced.decoders.values import Options

    return Options(args.string_limit, args.verbose, args.decorate_fds, raw)


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


def _report_spawn_error(error: Exception) -> int:
    print(f"traced: {error}", file=sys.stderr)
    return 127 if getattr(error, "errno", 0) == errno.ENOENT else 126


def _open_output(path: str | None) -> TextIO:
    if path is None:
        return sys.stderr
    if path == "-":
        return sys.stdout
    return open(path, "w", encoding="utf-8")


def _run_daemon(args: argparse.Namespace) -> int:
    import uvloop

    from traced.daemon.config import load_config
    from traced.daemon.main import serve
    from traced.logs import configure

    config = load_config(args.config)
    configure(config.log_level_number, now=True)
    path = args.socket or config.resolved_socket_path()
    uvloop.run(serve(config, Path(path)))
    return 0


def _run_client(args: argparse.Namespace) -> int:
    from traced.cli import commands

    client = _connect(args, required=True)
    assert client is not None
    with contextlib.closing(client):
        if args.command == "ps":
            return commands.ps(client)
        if args.command == "kill":
            return commands.kill(client, args.session, args.signal)
        return commands.detach(client, args.session)


def _run_tracing(args: argparse.Namespace, printer: Printer) -> int:
    import uvloop

    from traced.cli import commands

    if args.command == "subscribe":
        client = _connect(args, required=True)
        assert client is not None
        return commands.subscribe(client, args, printer)
    argv = args.argv[1:] if getattr(args, "argv", [])[:1] == ["--"] else getattr(args, "argv", [])
    if args.command == "launch" and not argv:
        raise UsageError("launch needs a command: traced launch [options] -- cmd args...")
    client = None if args.use_daemon is False else _connect(args, required=bool(args.use_daemon))
    if client is not None:
        with contextlib.closing(client):
            if args.command == "launch":
                return commands.launch(client, args, argv, printer)
            return commands.attach(client, args, printer)
    if args.command == "launch":
        return uvloop.run(_launch_here(args, argv, printer))
    return uvloop.run(_attach_here(args, printer))


def main(argv: Sequence[str] | None = None) -> int:
    from traced.errors import TracedError
    from traced.logs import configure

    configure()
    args = _parser().parse_args(argv)
    try:
        if args.command == "daemon":
            return _run_daemon(args)
        if args.command in ("ps", "kill", "detach"):
            return _run_client(args)
        return _with_printer(args)
    except UsageError as error:
        print(f"traced: {error}", file=sys.stderr)
        return USAGE_ERROR
    except TracedError as error:
        print(f"traced: {error}", file=sys.stderr)
        return 1


def _with_printer(args: argparse.Namespace) -> int:
    from traced.cli.render import PerTaskFiles, Printer, Timing
    from traced.cli.summary import Summary
    from traced.filter.expression import parse_filter
    from traced.syscalls.arch import host_arch

    to_file = args.output not in (None, "-")
    per_task = args.follow >= 2 and to_file and not args.json
    try:
        out = _open_output(None if per_task else args.output)
    except OSError as error:
        raise UsageError(f"cannot open {args.output}: {error.strerror}") from error
    timing = Timing(args.absolute, args.relative, args.durations)
    printer = Printer(out, args.json, to_file=to_file, timing=timing)
    printer.pid_column = args.follow > 0
    printer.per_task = PerTaskFiles(args.output) if per_task else None
    if args.count or args.count_too:
        printer.summary = Summary()
        printer.print_lines = not args.count
    printer.filter = parse_filter(
        args.expr,
        host_arch(),
        successful_only=args.successful_only,
        failed_only=args.failed_only,
        paths=args.paths,
    )
    try:
        return _run_tracing(args, printer)
    finally:
        printer.finish()
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
