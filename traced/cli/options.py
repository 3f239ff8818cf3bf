"""The shared options as values: what launch, attach and subscribe make of them.

The same conversions serve both modes, in-process (local.py) and through the
daemon (remote.py), so that both print alike.  main.py imports this module only
once the command line is parsed: ``traced --help`` never pays for the printer.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from traced.cli.parser import UsageError
from traced.cli.printer import Printer
from traced.cli.quiet import quiet_set
from traced.cli.render import Timing
from traced.cli.summary import Summary
from traced.cli.tracefile import Output, PerTaskFiles, TraceFile, loss_notice
from traced.daemon.paths import as_path, default_socket
from traced.decoders.values import Options
from traced.filter.expression import Filter, parse_filter
from traced.filter.inject import is_injection
from traced.syscalls.arch import host_arch

if TYPE_CHECKING:
    import socket


def decoding_options(args: argparse.Namespace, filter_: Filter | None = None) -> Options:
    """-s, -v, -y, -Y, -X, -x and the -e raw=, verbose=, read= and write= of ``filter_``: how
    arguments are printed, here or by the daemon; -P has every fd argument's target
    noted, for the printer's filter."""
    filter_ = filter_ or Filter()
    return Options(
        args.string_limit,
        args.verbose,
        bool(args.decorate_fds),
        filter_.raw,
        bool(args.paths),
        xlat=args.xlat,
        strings_hex=strings_hex(args),
        nonverbose=filter_.nonverbose,
        dump_reads=filter_.dump_reads,
        dump_writes=filter_.dump_writes,
        fd_kinds=getattr(args, "fd_kinds", frozenset()),
        decorate_pids=getattr(args, "decorate_pids", False),
        paths=filter_.paths,
        kvm_vcpu=getattr(args, "kvm_vcpu", False),
    )


_HEX_COUNTS = ("none", "non-ascii", "all")  # strace's -x, -xx (and more x: still all)


def strings_hex(args: argparse.Namespace) -> str:
    """-x, -xx or --strings-in-hex=WHICH, which strace refuses together."""
    if args.strings_hex is not None and args.hex_count:
        raise UsageError("-x and --strings-in-hex cannot be provided simultaneously")
    if args.strings_hex is not None:
        return str(args.strings_hex)
    return _HEX_COUNTS[min(args.hex_count, 2)]


def command_argv(args: argparse.Namespace) -> list[str]:
    """launch's command, without the ``--`` that may set it apart (none for attach)."""
    argv: list[str] = getattr(args, "argv", [])
    return argv[1:] if argv[:1] == ["--"] else argv


def socket_path(args: argparse.Namespace) -> str:
    """--socket, else $TRACED_SOCKET, else where the daemon listens by default
    (each as pathlib would spell it, without pathlib: see traced.daemon.paths)."""
    if args.socket is not None:
        return as_path(args.socket)
    if os.environ.get("TRACED_SOCKET"):
        return as_path(os.environ["TRACED_SOCKET"])
    return default_socket(os.environ, os.getuid())


def daemon_connection(args: argparse.Namespace) -> socket.socket | None:
    """A socket connected to the daemon, or None when nothing listens there.

    Asked before the client (wire/) is imported, which an in-process launch never needs;
    the connection, if any, is the client's (remote.connect_if_up), not made twice."""
    import socket  # noqa: PLC0415 (socket.py builds four IntEnums at import: --no-daemon never asks)

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    try:
        sock.connect(socket_path(args))
    except OSError:
        sock.close()
        return None
    return sock


def selected_paths(paths: Sequence[str], quiet: frozenset[str]) -> list[str]:
    """-P's paths as strace's pathtrace_select keeps them: each as given and, where it
    resolves to another (realpath, the file existing), that one too, which strace
    announces unless -e quiet=path-resolution.  A relative ``include/x.h`` then also
    matches the fds that refer to it, whose targets are absolute."""
    kept: list[str] = []
    for path in paths:
        kept.append(path)
        try:
            resolved = os.path.realpath(path, strict=True)
        except OSError:
            continue
        if resolved != path:
            if "path-resolution" not in quiet:
                print(
                    f'traced: Requested path "{path}" resolved into "{resolved}"', file=sys.stderr
                )
            kept.append(resolved)
    return kept


@contextmanager
def printing(args: argparse.Namespace) -> Iterator[Printer]:
    """The printer the output options ask for; at the end, the -c table and the file closed.

    launch and attach write where strace does, to stderr, since the command has stdout;
    a subscriber runs no command, so its trace goes to stdout (``traced subscribe | jq``)."""
    if (args.count or args.count_too) and args.follow >= 2:  # strace refuses it so
        raise UsageError("(-c or -C) and -ff are mutually exclusive")
    _check_follow_and_filter(args)
    args.decorate_fds, args.fd_kinds = _decode_fds(args)
    args.kvm_vcpu = _kvm(args)
    args.decorate_pids = _decode_pids(args)
    subscriber = args.command == "subscribe"
    output = "-" if subscriber and args.output is None else args.output
    to_file = output not in (None, "-")
    per_task = args.follow >= 2 and to_file and not args.json
    try:
        out = _open_output(None if per_task else output)
    except OSError as error:
        raise UsageError(f"cannot open {output}: {error.strerror}") from error
    timing = Timing(args.absolute, args.relative, args.durations)
    printer = Printer(out, args.json, to_file=to_file, timing=timing)
    printer.out_name = _output_name(output)
    printer.pid_column = args.follow > 0
    printer.session_tags = subscriber and not args.session
    printer.per_task = PerTaskFiles(args.output) if per_task else None
    if args.count or args.count_too:
        printer.summary = Summary()
        printer.print_lines = not args.count
    printer.entry_only = _entry_only(args)
    printer.stack_trace = stack_trace(args)
    printer.style = decoding_options(args).style
    printer.numbers = args.numbers
    printer.quiet = quiet_set(args)
    printer.filter = parse_filter(
        args.expr,
        host_arch(),
        successful_only=args.successful_only,
        failed_only=args.failed_only,
        paths=selected_paths(args.paths or (), printer.quiet),
    )
    for warning in printer.filter.injections.warnings:  # strace's, for retval=
        print(f"traced: {warning}", file=sys.stderr)
    try:
        yield printer
    finally:
        printer.finish()
        _close_output(printer)
        notice = loss_notice(printer.failures())
        if notice is not None:
            with contextlib.suppress(OSError):
                print(f"traced: {notice}", file=sys.stderr, flush=True)


def follows(args: argparse.Namespace) -> bool:
    """Whether the tasks the command creates are traced: with -f, as under strace.

    Without -f strace traces the command alone, and so do we; and since the seccomp
    filter would be inherited by the untraced children (their traced syscalls would
    fail with ENOSYS), the command alone is traced without it, as strace does."""
    return bool(args.follow) and not getattr(args, "no_follow", False)


_FD_KINDS = ("path", "socket", "dev", "pidfd")  # strace 6.1's (HEAD adds eventfd, signalfd)


def _decode_fds(args: argparse.Namespace) -> tuple[int, frozenset[str]]:
    """-y's count and the kinds of fd described (-yy: all of them), with strace's
    -e decode-fds=SET and --decode-fds[=SET] taken out of the -e expressions."""
    sets = _taken(args, args.decode_fds, ("decode-fds", "decode-fd"))
    if sets and args.decorate_fds:
        raise UsageError("-y and --decode-fds cannot be provided simultaneously")
    if not sets:
        count = int(args.decorate_fds)
        return count, frozenset(_FD_KINDS) if count > 1 else frozenset()
    chosen = _qualified(sets[-1], _FD_KINDS, "decode-fds")
    if chosen == {"path"}:
        return 1, frozenset()  # -y
    return (1 if chosen else 0), chosen


def _taken(args: argparse.Namespace, option: str | None, qualifiers: tuple[str, ...]) -> list[str]:
    """The values given to an output option, its long form's (``option``) first, then
    each ``-e QUALIFIER=VALUE``'s, which leave the -e expressions: they select nothing."""
    values = [option] if option is not None else []
    kept = []
    for expression in args.expr:
        qualifier, _, value = expression.partition("=")
        if qualifier in qualifiers:
            values.append(value)
        else:
            kept.append(expression)
    args.expr = kept
    return values


def _kvm(args: argparse.Namespace) -> bool:
    """-e kvm=vcpu and --kvm=vcpu (strace's only value), taken out of the -e expressions."""
    values = _taken(args, getattr(args, "kvm", None), ("kvm",))
    for value in values:
        if value != "vcpu":
            raise UsageError(f"invalid -e kvm= argument: '{value}'")
    return bool(values)


def _qualified(value: str, names: tuple[str, ...], what: str) -> frozenset[str]:
    """strace's qualify_tokens over a set of names (decode-fds', decode-pids'): ``!``,
    all, none, a comma list; an unknown name refused in strace's words."""
    rest = value.lstrip("!")
    negate = (len(value) - len(rest)) % 2 == 1
    if rest in ("all", "none"):
        chosen = set(names) if rest == "all" else set()
    else:
        chosen = {token for token in rest.split(",") if token}
        unknown = chosen - set(names)
        if unknown or not chosen:
            raise UsageError(f"invalid {what} '{min(unknown) if unknown else value}'")
    return frozenset(set(names) - chosen if negate else chosen)


def _check_follow_and_filter(args: argparse.Namespace) -> None:
    """--no-follow beside -f, which contradicts it; attach's --filter=kill-on-exit
    beside --detach, which would kill at once; and the filter-only features, which
    need -f, since without it no filter is installed."""
    if getattr(args, "no_follow", False) and args.follow:
        raise UsageError("-f follows the tasks the command creates and --no-follow does not")
    if getattr(args, "attach_filter", None) == "kill-on-exit" and getattr(args, "detach", False):
        raise UsageError(
            "--filter=kill-on-exit kills the process when traced leaves, and --detach "
            "leaves at once: use --filter (the daemon keeps tracing it) with --detach"
        )
    if args.command == "subscribe" or follows(args):
        return
    if getattr(args, "inject_in_kernel", False):
        raise UsageError(
            "--inject-in-kernel needs the seccomp filter, which is installed only with -f "
            "(without -f the command's children are not traced, and would inherit it)"
        )
    if getattr(args, "attach_filter", None) is not None:
        raise UsageError(
            "--filter needs -f: the process's children inherit the filter, so they "
            "must be traced too"
        )


def stack_trace(args: argparse.Namespace) -> bool:
    """-k (strace 6.1 takes -kk as -k): whether the tracer walks stacks.  With -c no
    line is printed to follow, so none is walked, and strace's warning says so."""
    if not getattr(args, "stack_trace", 0):
        return False
    if args.count:
        print("traced: -k/--stack-traces has no effect with -c/--summary-only", file=sys.stderr)
        return False
    return True


def _entry_only(args: argparse.Namespace) -> bool:
    """--entry-only, refused beside the options that need a call's result."""
    if not getattr(args, "entry_only", False):
        return False
    needs_results = {
        "-z": args.successful_only, "-Z": args.failed_only, "-T": args.durations,
        "-c": args.count, "-C": args.count_too,
        "-e status=": any(e.split("=", 1)[0] in ("status", "s") for e in args.expr),
        "-e inject=": any(is_injection(e) for e in args.expr),
        "-k": getattr(args, "stack_trace", 0),  # walked as a call returns
    }  # fmt: skip
    refused = [option for option, given in needs_results.items() if given]
    if refused:
        raise UsageError(
            f"--entry-only: a call's result is never seen, so {', '.join(refused)} cannot apply"
        )
    return True


def _open_output(path: str | None) -> Output:
    if path is None:
        return sys.stderr
    if path == "-":
        sys.stdout.flush()
        return TraceFile(_output_name(path), fd=sys.stdout.fileno())
    return TraceFile(path)


def _output_name(path: str | None) -> str:
    return {None: "standard error", "-": "standard output"}.get(path, path or "")


def _close_output(printer: Printer) -> None:
    """Flush (a failure is counted, never raised) and close a file of ours."""
    if not printer.broken:
        printer.flush()
    if isinstance(printer.out, TraceFile):
        printer.out.close()


_PID_KINDS = ("comm", "pidns")  # strace 6.1's --decode-pids names


def _decode_pids(args: argparse.Namespace) -> bool:
    """-Y, --decode-pids=SET and -e decode-pids=SET (taken out of the -e expressions):
    whether pids are printed with their comm.  strace's later set replaces an earlier
    one, and -Y adds comm to it.  pidns is refused: strace follows every pid a
    tracee in another pid namespace prints (``1 /* 21026 in strace's PID NS */``,
    groups and sessions too) with its number in the tracer's namespace, found by
    scanning /proc for the task whose NSpid (NStgid, NSpgid, NSsid) holds it at the
    tracee's namespace's level; traced has no such translation (yet), and through
    the daemon "the tracer's namespace" would be the daemon's, not the client's."""
    sets = _taken(args, args.decode_pids, ("decode-pids", "decode-pid"))
    chosen = _qualified(sets[-1], _PID_KINDS, "decode-pids") if sets else frozenset()
    if "pidns" in chosen:
        raise UsageError(
            "--decode-pids=pidns (pids translated into the tracer's pid namespace) "
            "is not supported; --decode-pids=comm is"
        )
    return bool(args.pid_comms) or "comm" in chosen
