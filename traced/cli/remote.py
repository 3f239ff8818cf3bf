"""Tracing through a running daemon: ``traced launch|attach`` (by choice or when one
answers) and ``traced subscribe``.

Each prints what the in-process mode prints (strace-like text, or ``--json``) and
exits as it would.  Terminal signals reach the command through the daemon (see
signals.py).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
from collections.abc import Callable
from typing import Any

from traced.cli import notices, terminal
from traced.cli.options import decoding_options, follows, socket_path
from traced.cli.owed import Owed
from traced.cli.printer import Printer, session_tag
from traced.cli.signals import (
    Detach,
    arrived_early,
    attach_actions,
    forwarding,
    launch_actions,
)
from traced.errors import (
    DaemonUnavailable,
    ErrorCode,
    RequestFailed,
    exit_status_for_exec_error,
)
from traced.events import Entries, parse_event
from traced.wire.client import Client, current_umask, lost_notice


def connect(args: argparse.Namespace, connected: socket.socket | None = None) -> Client:
    """A connection to the daemon at --socket (or the default); DaemonUnavailable if none.
    ``connected``: a socket already connected there (options.daemon_connection)."""
    return Client(socket_path(args), connected)


def connect_if_up(
    args: argparse.Namespace, required: bool, connected: socket.socket | None = None
) -> Client | None:
    """A connection, or None when no daemon answers and ``required`` is false."""
    try:
        return connect(args, connected)
    except DaemonUnavailable:
        if required:
            raise
        return None


def trace_field(printer: Printer) -> str | None:
    """The ``trace`` field of a request; the rest of the filter (status=, signal=, -P)
    applies here, in the printer."""
    return printer.filter.trace_value()


def decoding_field(args: argparse.Namespace, printer: Printer) -> dict[str, object]:
    """-s, -v, -y, -X, -x, -e raw=, verbose=, read= and write=, as the request's
    ``decoding`` object."""
    options = decoding_options(args, printer.filter)
    sets = ("raw", "nonverbose", "dump_reads", "dump_writes", "fd_kinds")
    return {**options._asdict(), **{name: sorted(getattr(options, name)) for name in sets}}


def launch(
    client: Client, args: argparse.Namespace, argv: list[str], printer: Printer, owed: Owed
) -> int:
    """Launch through the daemon, sending what the command is owed: stdio (a closed one
    as such; from a terminal, a terminal of its own: terminal.py), inherited fds,
    ignored signals, env, cwd and umask."""
    if (early := arrived_early()) is not None:
        return 128 + early  # asked to end before anything was launched
    tty = terminal.CommandTerminal() if terminal.wanted() and not args.detach else None
    try:
        return _launch(client, args, argv, printer, owed, tty=tty)
    finally:
        if tty is not None:
            tty.close()


def _launch(
    client: Client,
    args: argparse.Namespace,
    argv: list[str],
    printer: Printer,
    owed: Owed,
    *,
    tty: terminal.CommandTerminal | None,
) -> int:
    stdio = (0, 1, 2)
    if tty is not None and tty.slave is not None:  # ours that are this terminal: its pty
        slave = tty.slave
        out, err = (slave if terminal.same_terminal(fd) else fd for fd in (1, 2))
        stdio = (slave, out, err)
    request_id = client.send(
        "launch",
        (*stdio, *owed.fds),
        argv=argv,
        env=dict(os.environ),
        cwd=os.getcwd(),
        umask=current_umask(),
        trace=trace_field(printer),
        decoding=decoding_field(args, printer),
        entries=printer.stages_entries() is not Entries.NEVER,
        stdio=True,
        tty=tty is not None,
        detach=args.detach,
        **_owed_fields(owed),
        **_entry_only(printer),
        **_inject_fields(args, printer),
        **_follow_field(args),
        **({"full": True} if args.full else {}),  # a daemon older than the field launches
    )
    try:
        started = client.answer(request_id)
    except RequestFailed as error:
        if error.code is not ErrorCode.SPAWN_FAILED:
            raise
        print(f"traced: {error}", file=sys.stderr)
        return exit_status_for_exec_error(error.errno)
    session = started["session"]
    if args.detach:
        print(session)
        return 0

    def pass_on(signo: int) -> None:
        client.send("signal", session=session, signal=signo)

    actions = launch_actions(pass_on, in_process=False, own_terminal=tty is not None)
    if tty is None:
        with forwarding(actions):
            return follow(client, printer)
    tty.sent()
    with forwarding(actions), tty.relaying():
        return follow(client, printer, job=_job_control(client, started, tty))


def _job_control(
    client: Client, started: dict[str, Any], tty: terminal.CommandTerminal
) -> Callable[[dict[str, Any]], None]:
    """On the command's own stop by a key (Ctrl-Z): stop as it did, and continue it
    when we are continued, as a shell's job would."""

    def job(event: dict[str, Any]) -> None:
        if event["type"] == "exit":
            tty.sync()  # its last words before its end, as they came
        # Every thread of a stopped process reports its stop: its main thread's
        # is the job's, one per Ctrl-Z (vim has two threads).
        elif event.get("signal") in _JOB_CONTROL and event.get("tid") == started["pid"]:
            tty.suspend()
            client.send("signal", session=started["session"], signal="SIGCONT")

    return job


# The stops of a job: Ctrl-Z's SIGTSTP at its default action (the command's group
# has the daemon's session leader above it, so it is not orphaned: see
# tracer/spawn.py), a read or write of a background group, and a SIGSTOP a handler
# of SIGTSTP sends itself.
_JOB_CONTROL = frozenset(("SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGSTOP"))


def _owed_fields(owed: Owed) -> dict[str, list[int]]:
    """``closed``, ``inherited`` and ``ignored_signals``, each only when not empty: a
    daemon older than these fields still takes the usual launch."""
    fields = {
        "closed": sorted(owed.closed_stdio),
        "inherited": list(owed.fds),
        "ignored_signals": sorted(owed.ignored_signals),
    }
    return {name: value for name, value in fields.items() if value}


def _entry_only(printer: Printer) -> dict[str, Any]:
    """``entry_only``, only when asked: a daemon older than the field still launches."""
    return {"entry_only": True} if printer.entry_only else {}


def _follow_field(args: argparse.Namespace) -> dict[str, Any]:
    """``follow``, false without -f (see options.follows); a daemon older than the
    field still launches, following."""
    return {} if follows(args) else {"follow": False}


def _inject_fields(args: argparse.Namespace, printer: Printer) -> dict[str, Any]:
    """``inject`` (and ``inject_in_kernel``), only when given: a daemon older than the
    fields still launches."""
    fields: dict[str, Any] = {}
    if printer.filter.injections.expressions:
        fields["inject"] = list(printer.filter.injections.expressions)
    if getattr(args, "inject_in_kernel", False):
        fields["inject_in_kernel"] = True
    return fields


def attach(client: Client, args: argparse.Namespace, printer: Printer) -> int:
    """Follow the attached process; the daemon lets it go if we vanish, unless --detach."""
    choice = getattr(args, "attach_filter", None)
    if choice is not None and not notices.confirm_filter(args.pid, choice, True, not args.yes):
        notices.notice("nothing done")
        return 1
    if (early := arrived_early()) is not None:
        return 128 + early  # asked to end before the process was taken over
    request_id = client.send(
        "attach",
        pid=args.pid,
        trace=trace_field(printer),
        decoding=decoding_field(args, printer),
        entries=printer.stages_entries() is not Entries.NEVER,
        subscribe=not args.detach,
        detach=args.detach,
        **_entry_only(printer),
        **_inject_fields(args, printer),
        **({"filter": choice} if choice is not None else {}),
        **_follow_field(args),
    )
    session = client.answer(request_id)["session"]
    if args.detach:
        print(session)
        return 0
    notices.attached(args.pid, quiet=printer.quiet)
    if choice is not None:
        return _follow_filtered(client, printer, args.pid, session, choice)
    detach = Detach(lambda: client.send("detach", session=session))
    with forwarding(attach_actions(detach)):
        follow(client, printer)
    if detach.asked:  # the daemon let every thread go; this client knows the process
        notices.detached([args.pid], printer.quiet)
    return detach.status()


class _Leaving(Exception):
    """A signal ended a --filter attach's client: it leaves, the daemon decides."""


def _follow_filtered(client: Client, printer: Printer, pid: int, session: str, choice: str) -> int:
    """Follow a --filter session.  A signal does not detach (it may not be: the daemon
    refuses); this client leaves, and the daemon keeps or kills the process (or, if
    the filter never went in, lets it go) as the connection closes."""

    def leave(signo: int) -> None:
        raise _Leaving(signo)

    try:
        with forwarding(attach_actions(leave)):
            return follow(client, printer)
    except _Leaving as leaving:
        printer.flush()
        if choice == "keep":
            notices.notice(
                f"Process {pid} stays traced by the daemon in session {session} if its "
                f"filter is in (`traced kill {session}` ends it), else it is detached"
            )
        else:
            notices.notice(f"Process {pid} is killed if its filter is in, else detached")
        signo: int = leaving.args[0]
        return 128 + signo


def subscribe(client: Client, args: argparse.Namespace, printer: Printer) -> int:
    """Follow one session, or every one (then each line says whose it is), to stdout."""
    fields: dict[str, Any] = {"policy": args.policy}
    if args.session:
        fields["session"] = args.session
    if printer.filter.syscalls is not None:
        fields["trace"] = trace_field(printer)
    if printer.stages_entries() is not Entries.NEVER:
        fields["entries"] = True
    client.request("subscribe", **fields)
    with contextlib.suppress(KeyboardInterrupt):
        follow(client, printer, until_end=args.session is not None)
    return 0


def follow(
    client: Client,
    printer: Printer,
    until_end: bool = True,
    job: Callable[[dict[str, Any]], None] | None = None,
) -> int:
    """Print events until the session ends; its status as a shell reports it.
    ``job`` (a command on a terminal of its own) is told of each exit before it is
    printed, and of each group-stop once it is."""
    while True:
        message = client.read()
        kind = message.get("type")
        if job is not None and kind == "exit":
            job(message)
        elif job is not None and kind == "group_stop":
            printer(parse_event(message))
            printer.flush()
            job(message)
            continue
        if kind == "session_end":
            if message.get("error"):
                print(f"traced: {message['error']}", file=sys.stderr)
            if printer.session_tags and not printer.as_json:
                printer.note(f"[{session_tag(message['session'])}] {end_words(message)}")
            printer.flush()
            if until_end:
                return int(message["status"] if message["status"] is not None else 0)
        elif kind == "lost":
            print(f"traced: {lost_notice(message)}", file=sys.stderr)
        elif kind == "error":
            print(f"traced: {message['message']}", file=sys.stderr)
        elif kind != "response":
            printer(parse_event(message))  # its ``seq`` is ignored with other unknown fields


def end_words(end: dict[str, Any]) -> str:
    """A ``session_end`` for a person: ``+++ session ended: exited with 0 +++``."""
    if end.get("signal"):
        how = f"killed by {end['signal']}"
    elif end.get("code") is not None:
        how = f"exited with {end['code']}"
    else:
        how = "ended" if end.get("status") is not None else "detached"
    return f"+++ session {end['session']} {how} +++"
