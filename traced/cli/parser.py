"""The command line's grammar: argparse alone, so that ``traced --help`` imports nothing else.

What the options mean as values (decoding options, the printer, the socket) is
options.py's; which mode runs them is main.py's.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from traced.version import __version__

USAGE_ERROR = 2  # the exit status of a command line traced cannot use, as argparse's


class UsageError(Exception):
    """A command line that parses but cannot be used (exit status 2)."""


Filler = Callable[[argparse.ArgumentParser], None]  # adds a command's arguments


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
        help="trace the processes and threads the command creates too, with the seccomp "
        "filter (without -f, the command alone, as strace); -ff with -o FILE: one file "
        "per process, FILE.PID",
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
        action="count",
        default=0,
        help="print the path each fd refers to: 3</etc/passwd> (-yy: devices, sockets, pidfds too)",
    )
    _add_style_options(sub)
    sub.add_argument(
        "-Y",
        dest="pid_comms",
        action="store_true",
        help="print each pid with its process's command name: 1234<sh> (--decode-pids=comm)",
    )
    sub.add_argument(
        "--decode-pids",
        dest="decode_pids",
        metavar="SET",
        help="-e decode-pids=SET: comm (as -Y), all, none (pidns is not supported)",
    )
    sub.add_argument(
        "--kvm",
        dest="kvm",
        metavar="vcpu",
        help="-e kvm=vcpu: KVM_RUN's result with the exit reason of its vcpu",
    )
    sub.add_argument(
        "--decode-fds",
        dest="decode_fds",
        nargs="?",
        const="path",
        metavar="SET",
        help="-e decode-fds=SET: path (as -y, the default), socket, dev, pidfd, all, none",
    )
    sub.add_argument(
        "-t",
        dest="absolute",
        action="count",
        default=0,
        help="prefix lines with the time of day (-tt: with µs, -ttt: epoch)",
    )
    sub.add_argument(
        "-q",
        dest="quiet_level",
        action="count",
        default=0,
        help="leave out attach/detach messages (-qq: and exit lines, -qqq: all such)",
    )
    sub.add_argument(
        "--quiet",
        "--silent",
        "--silence",
        dest="quiet_names",
        metavar="SET",
        help="leave out these messages: attach, personality, exit, path-resolution, "
        "thread-execve, all, none",
    )
    sub.add_argument(
        "-n",
        "--syscall-number",
        dest="numbers",
        action="store_true",
        help="prefix each line with its syscall's number: [ 39] getpid() = 42",
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


def _add_style_options(sub: argparse.ArgumentParser) -> None:
    """strace's -X (constants) and -x (strings): how values are printed."""
    sub.add_argument(
        "-X",
        "--xlat-verbosity",
        dest="xlat",
        type=_choice("-X", ("abbrev", "raw", "verbose")),
        default="abbrev",
        metavar="FORMAT",
        help="constants and flags as names (abbrev, the default), numbers (raw), or "
        "numbers with the names in a comment (verbose)",
    )
    sub.add_argument(
        "-x",
        dest="hex_count",
        action="count",
        default=0,
        help="strings with a non-printable byte wholly in hex (-xx: every string)",
    )
    sub.add_argument(
        "--strings-in-hex",
        dest="strings_hex",
        nargs="?",
        const="all",
        type=_choice("--strings-in-hex", ("none", "non-ascii-chars", "non-ascii", "all")),
        metavar="WHICH",
        help="all (the default), non-ascii (as -x), non-ascii-chars (those bytes alone), none",
    )


def _choice(option: str, choices: tuple[str, ...]) -> Callable[[str], str]:
    """An option's value among ``choices``, refused in strace's words otherwise."""

    def check(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"invalid {option} argument: '{text}'")
        return text

    return check


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
    parser = argparse.ArgumentParser(
        prog="traced", description="Trace syscalls, fast.", formatter_class=_formatter
    )
    parser.add_argument("-V", "--version", action="version", version=f"traced {__version__}")
    # --socket and --config stay strings: pathlib would cost every start some 3 ms.
    parser.add_argument("--socket", help="the daemon's socket (default: the config's)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Command)
    commands.add_parser("launch", help="run a command traced", fill=_launch)
    commands.add_parser("attach", help="trace a running process; Ctrl-C detaches", fill=_attach)
    commands.add_parser("daemon", help="run the daemon", fill=_daemon)
    commands.add_parser("subscribe", help="watch live sessions", fill=_subscribe)
    commands.add_parser("ps", help="list sessions")
    commands.add_parser("stats", help="a session's syscall counts, or every one's", fill=_stats)
    commands.add_parser("kill", help="signal a session's command", fill=_kill)
    commands.add_parser("detach", help="stop tracing an attached session", fill=_detach)
    commands.add_parser("service", help="the daemon as a systemd user service", fill=_service)
    commands.add_parser("top", help="a live view of a command or the daemon's sessions", fill=_top)
    return parser


def _add_stack_trace(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "-k",
        "--stack-trace",
        "--stack-traces",
        dest="stack_trace",
        action="count",
        default=0,
        help="after each call's line, the call stack it returns to, one frame a line, "
        "as strace -k prints it (needs libunwind: see README)",
    )


def _add_entry_only(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--entry-only",
        action="store_true",
        help="each call as it is entered, with no result: one stop per call, not two "
        "(refuses -z, -Z, -T, -c, -C and -e status=, which need results)",
    )


class _Qualified(argparse.Action):
    """strace's --inject=SPEC and --fault=SPEC: ``-e inject=SPEC``, in order with -e."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        qualifier = (option_string or "").lstrip("-")
        namespace.expr = [*namespace.expr, f"{qualifier}={values}"]


def _add_inject(sub: argparse.ArgumentParser, *, in_kernel: bool) -> None:
    for name, what in (("inject", "tamper with"), ("fault", "fail (ENOSYS by default)")):
        sub.add_argument(
            f"--{name}",
            action=_Qualified,
            metavar="SET:...",
            help=f"-e {name}=SET:...: {what} the syscalls in SET, as strace does",
        )
    if in_kernel:
        sub.add_argument(
            "--inject-in-kernel",
            action="store_true",
            help="an error= injection into every call of a traced syscall fails it in the "
            "seccomp filter: no stop at all, and no line for it (see README)",
        )


def _add_no_follow(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--no-follow",
        dest="no_follow",
        action="store_true",
        help="the default, spelled out: do not trace the processes and threads the "
        "command creates (strace without -f), so they may use ptrace themselves; no "
        "seccomp filter then (see README)",
    )


def _launch(launch: argparse.ArgumentParser) -> None:
    _add_output_options(launch)
    _add_no_follow(launch)
    _add_inject(launch, in_kernel=True)
    _add_entry_only(launch)
    _add_stack_trace(launch)
    _add_daemon_choice(launch)
    launch.add_argument("--full", action="store_true", help="no seccomp filter: stop always")
    launch.add_argument(
        "--detach",
        action="store_true",
        help="(daemon) print the session id and return; the command keeps running",
    )
    launch.add_argument("argv", nargs=argparse.REMAINDER, help="-- cmd args: the command to run")


def _attach(attach: argparse.ArgumentParser) -> None:
    _add_output_options(attach)
    _add_no_follow(attach)
    _add_inject(attach, in_kernel=False)
    _add_entry_only(attach)
    _add_stack_trace(attach)
    _add_daemon_choice(attach)
    attach.add_argument(
        "--detach",
        action="store_true",
        help="(daemon) print the session id and return; the trace goes on without traced",
    )
    # argparse takes an option string with "=" whole, so --filter=kill-on-exit is its own
    # flag, and a bare --filter never swallows the pid after it.
    keep = "install traced's seccomp filter in the process: only the traced syscalls "
    keep += "stop it.  For good: it is never detached; when traced goes, the daemon "
    keep += "keeps tracing it (--filter=keep, the default) or it is killed"
    for flag, choice, help_text in (
        ("--filter", "keep", keep),
        ("--filter=keep", "keep", argparse.SUPPRESS),
        ("--filter=kill-on-exit", "kill-on-exit", "as --filter, but killed when traced goes"),
    ):
        attach.add_argument(
            flag, dest="attach_filter", action="store_const", const=choice, help=help_text
        )
    attach.add_argument("--yes", action="store_true", help="(--filter) ask no question")
    attach.add_argument("pid", type=int, help="the process to trace, with its threads")


def _daemon(daemon: argparse.ArgumentParser) -> None:
    daemon.add_argument("--config", help="TOML settings (see config.example.toml)")


def _subscribe(subscribe: argparse.ArgumentParser) -> None:
    _add_output_options(subscribe)
    subscribe.add_argument("--session", help="only this session")
    subscribe.add_argument(
        "--policy",
        choices=("drop", "block"),
        default="drop",
        help="when this subscriber falls behind: drop events and say how many (the "
        "default; the command never waits), or block (lossless: the command waits)",
    )


def _kill(kill: argparse.ArgumentParser) -> None:
    kill.add_argument("session", help="its id, as traced ps shows it")
    kill.add_argument("signal", nargs="?", default="SIGTERM", help="a name or number (SIGTERM)")


def _detach(detach: argparse.ArgumentParser) -> None:
    detach.add_argument("session", help="an attached session's id")


def _service(service: argparse.ArgumentParser) -> None:
    service.add_argument(
        "action",
        choices=("install", "uninstall", "status"),
        help="install: write the user units for this install (ExecStart is this "
        "interpreter); uninstall: stop and remove them; status: whether a daemon answers",
    )
    service.add_argument(
        "--now", action="store_true", help="(install) and enable traced.socket at once"
    )


def _top(top: argparse.ArgumentParser) -> None:
    top.add_argument(
        "-e", dest="expr", action="append", default=[], metavar="EXPR", help="as for launch"
    )
    top.add_argument("--session", help="(daemon) only this session; keys: n picks another")
    top.add_argument(
        "-d", dest="delay", type=float, default=1.0, metavar="SECONDS", help="refresh interval"
    )
    top.add_argument("argv", nargs=argparse.REMAINDER, help="-- cmd args: trace it here")


def _stats(stats: argparse.ArgumentParser) -> None:
    stats.add_argument("session", nargs="?", help="one session (default: every one you see)")


def strace_style(argv: Sequence[str]) -> list[str]:
    """``traced [options] -p PID [options]`` as strace spells it: ``traced attach
    [options] PID`` (--socket stays in front, where it belongs); else ``argv`` as it is."""
    args = list(argv)
    if not args or not args[0].startswith("-") or args[0] in ("-h", "--help"):
        return args  # a command first (or help): nothing to rewrite
    for i, arg in enumerate(args):
        if arg == "--":
            break
        pid = args[i + 1] if arg == "-p" and i + 1 < len(args) else arg[2:]
        if arg.startswith("-p") and pid.isdigit():
            rest = args[:i] + args[i + (2 if arg == "-p" else 1) :]
            start, end = _socket_option(rest)
            return [*rest[start:end], "attach", *rest[:start], *rest[end:], pid]
    return args


def _socket_option(args: list[str]) -> tuple[int, int]:
    """Where ``--socket PATH`` (or ``--socket=PATH``) is among ``args``: (0, 0) if not."""
    for i, arg in enumerate(args):
        if arg.startswith("--socket="):
            return i, i + 1
        if arg == "--socket" and i + 1 < len(args):
            return i, i + 2
    return 0, 0


def _unfilled(parser: argparse.ArgumentParser) -> None:
    """A command without arguments of its own (ps)."""


class _Command(argparse.ArgumentParser):
    """A command's parser, given its arguments (by ``fill``) when it is first used.

    ``traced launch`` then builds launch's arguments alone, not also those of attach,
    subscribe and the rest: two thirds of the parser, and of its cost to a short launch.
    Everything that reads the arguments (parsing, help, usage, errors) goes through
    ``parse_known_args`` or ``format_usage``/``format_help``."""

    def __init__(self, *, fill: Filler = _unfilled, **kwargs: Any) -> None:
        super().__init__(formatter_class=_formatter, **kwargs)
        self._fill = fill

    def _filled(self) -> None:
        fill, self._fill = self._fill, _unfilled
        fill(self)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        self._filled()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        self._filled()
        return super().format_usage()

    def format_help(self) -> str:
        self._filled()
        return super().format_help()


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's own formatter, told the terminal's width: by itself it asks shutil,
    whose import (with bz2, lzma and zlib) would cost a launch more than its parse."""
    return argparse.HelpFormatter(prog, width=_columns() - 2)


def _columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else stdout's terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        stdout = sys.__stdout__
        columns = os.get_terminal_size(stdout.fileno()).columns if stdout else 0
    except (AttributeError, ValueError, OSError):  # closed, detached, or not a terminal
        columns = 0
    return columns or 80
