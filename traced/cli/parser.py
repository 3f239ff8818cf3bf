"""The command line's grammar: argparse alone, so that ``traced --help`` imports nothing else.

What the options mean as values (decoding options, the printer, the socket) is
options.py's; which mode runs them is main.py's.
"""

from __future__ import annotations

import argparse
from pathlib import Path

USAGE_ERROR = 2  # the exit status of a command line traced cannot use, as argparse's


class UsageError(Exception):
    """A command line that parses but cannot be used (exit status 2)."""


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


def build_parser() -> argparse.ArgumentParser:
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
    attach.add_argument(
        "--detach",
        action="store_true",
        help="(daemon) print the session id and return; the trace goes on without traced",
    )
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
