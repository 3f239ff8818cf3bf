"""``traced``: the command line.

``launch`` and ``attach`` go through a running daemon when one answers and
trace in-process otherwise (``--daemon``/``--no-daemon`` force one).  ``daemon``
runs the service; ``subscribe``, ``ps``, ``kill`` and ``detach`` talk to it.

Exit status: the traced command's own, or 128+N when signal N killed it (as a
shell reports it); 127/126 when it could not be executed (not found / not
executable); 2 for a usage error; 1 for any other traced error.

This module parses and chooses; the modes live in local.py (in-process),
remote.py (through the daemon) and admin.py (ps, kill, detach).  They are
imported only once chosen, so that ``traced --help`` and a short launch do not
pay for the engine, uvloop, the printer or the client they do not use.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from traced.cli.parser import USAGE_ERROR, UsageError, build_parser, strace_style
from traced.cli.signals import hold_early, let_through

if TYPE_CHECKING:
    from traced.cli.owed import Owed
    from traced.cli.printer import Printer

_ADMIN_COMMANDS = ("ps", "stats", "kill", "detach")
_TRACING_COMMANDS = ("launch", "attach", "subscribe")  # signals.py's table applies to these


def main(argv: Sequence[str] | None = None) -> int:
    hold_early()  # until a mode knows what a signal should do (signals.py)
    from traced.cli import owed

    owed_to_command = owed.take()  # before any fd of ours can land on 0-2
    from traced.errors import TracedError
    from traced.logs import configure

    configure()
    args = build_parser().parse_args(strace_style(sys.argv[1:] if argv is None else argv))
    try:
        if args.command not in _TRACING_COMMANDS:
            let_through()  # no command of ours to pass signals to: their defaults apply
        if args.command == "daemon":
            return _run_daemon(args)
        if args.command == "top":
            from traced.cli import top

            return top.run(args)
        if args.command == "service":
            from traced.cli import service

            return service.run(args)
        if args.command in _ADMIN_COMMANDS:
            return _run_admin(args)
        return _run_tracing(args, owed_to_command)
    except UsageError as error:
        print(f"traced: {error}", file=sys.stderr)
        return USAGE_ERROR
    except TracedError as error:
        print(f"traced: {error}", file=sys.stderr)
        return 1


def _run_daemon(args: argparse.Namespace) -> int:
    from pathlib import Path

    import uvloop

    from traced.daemon.config import load_config
    from traced.daemon.main import serve
    from traced.logs import configure

    config = load_config(None if args.config is None else Path(args.config))
    configure(config.log_level_number, now=True)
    path = Path(args.socket) if args.socket is not None else config.resolved_socket_path()
    _imported()
    uvloop.run(serve(config, path))
    return 0


def _run_admin(args: argparse.Namespace) -> int:
    from traced.cli import admin, remote

    _imported()
    with contextlib.closing(remote.connect(args)) as client:
        return admin.run(client, args)


def _run_tracing(args: argparse.Namespace, owed: Owed) -> int:
    from traced.cli.options import printing

    with printing(args) as printer:
        return _trace(args, printer, owed)


def _trace(args: argparse.Namespace, printer: Printer, owed: Owed) -> int:
    """launch, attach or subscribe: through the daemon, or else in this process."""
    from traced.cli.options import command_argv, daemon_connection
    from traced.cli.owed import MAX_INHERITED_THROUGH_DAEMON

    if args.command == "subscribe":
        from traced.cli import remote

        _imported()
        let_through()  # Ctrl-C ends a subscriber
        return remote.subscribe(remote.connect(args), args, printer)
    argv = command_argv(args)
    if args.command == "launch" and not argv:
        raise UsageError("launch needs a command: traced launch [options] -- cmd args...")
    if args.detach and args.use_daemon is False:
        raise UsageError("--detach leaves the trace to the daemon: it cannot go with --no-daemon")
    use_daemon = args.use_daemon
    if args.command == "launch" and len(owed.fds) > MAX_INHERITED_THROUGH_DAEMON:
        # One request carries them all, and a sendmsg at most 253 fds (SCM_MAX_FD).
        if use_daemon or args.detach:
            raise UsageError(
                f"{len(owed.fds)} inherited fds are more than a daemon can be sent "
                f"({MAX_INHERITED_THROUGH_DAEMON}); use --no-daemon"
            )
        use_daemon = False
    required = bool(use_daemon or args.detach)
    connected = daemon_connection(args) if use_daemon is None and not required else None
    if required or connected is not None:
        from traced.cli import remote

        client = remote.connect_if_up(args, required, connected)
        if client is not None:
            _imported()
            with contextlib.closing(client):
                if args.command == "launch":
                    return remote.launch(client, args, argv, printer, owed)
                return remote.attach(client, args, printer)
    from traced.cli import local

    _imported()
    if args.command == "launch":
        return local.launch(args, argv, printer, owed)
    return local.attach(args, printer)


def _imported() -> None:
    """What this run needs is imported: collect garbage from here on.

    traced/__main__.py turns the collector off for the imports, which would run it
    some fifty times to free next to nothing (several ms of a short launch).  What
    they built (modules, classes, tables) lives as long as the process: frozen
    (gc.freeze), no later collection goes through it again."""
    gc.freeze()
    gc.enable()


if __name__ == "__main__":
    sys.exit(main())
