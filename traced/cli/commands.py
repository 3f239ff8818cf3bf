"""The command-line clients of a running daemon: launch, attach, subscribe, ps, kill, detach.

Each prints what the in-process mode prints (strace-like text, or ``--json``) and
exits as it would.  Terminal signals reach the command through the daemon.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from traced.cli.main import decoding_options
from traced.cli.render import Printer
from traced.errors import RequestFailed
from traced.events import parse_event
from traced.wire.client import Client, lost_notice

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGWINCH)


def trace_field(printer: Printer) -> str | None:
    """The ``trace`` field of a request: the names, or None for every syscall.

    The rest of the filter (status=, signal=, -P) applies here, in the printer."""
    names = printer.filter.syscalls
    return None if names is None else ",".join(sorted(names)) or "none"


def decoding_field(args: argparse.Namespace, printer: Printer) -> dict[str, object]:
    """-s, -v, -y and -e raw=, as the request's ``decoding`` object."""
    options = decoding_options(args, printer.filter.raw)
    return {**options._asdict(), "raw": sorted(options.raw)}


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def launch(client: Client, args: argparse.Namespace, argv: list[str], printer: Printer) -> int:
    request_id = client.send(
        "launch",
        (0, 1, 2),
        argv=argv,
        env=dict(os.environ),
        cwd=os.getcwd(),
        umask=_current_umask(),
        trace=trace_field(printer),
        decoding=decoding_field(args, printer),
        entries=printer.stages_entries(),
        stdio=True,
        detach=args.detach,
    )
    try:
        session = _await_result(client, request_id)["session"]
    except RequestFailed as error:
        if error.code != "spawn_failed":
            raise
        print(f"traced: {error}", file=sys.stderr)
        return 127 if error.errno_name == "ENOENT" else 126
    if args.detach:
        print(session)
        return 0
    with _forwarding(lambda signo: client.send("signal", session=session, signal=signo)):
        return follow(client, printer)


def attach(client: Client, args: argparse.Namespace, printer: Printer) -> int:
    request_id = client.send(
        "attach",
        pid=args.pid,
        trace=trace_field(printer),
        decoding=decoding_field(args, printer),
        entries=printer.stages_entries(),
    )
    session = _await_result(client, request_id)["session"]
    detach = lambda signo: client.send("detach", session=session)  # noqa: E731
    with _forwarding(detach, (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)):
        follow(client, printer)
    return 0


def subscribe(client: Client, args: argparse.Namespace, printer: Printer) -> int:
    fields: dict[str, Any] = {"policy": args.policy}
    if args.session:
        fields["session"] = args.session
    if printer.filter.syscalls is not None:
        fields["trace"] = trace_field(printer)
    client.request("subscribe", **fields)
    with contextlib.suppress(KeyboardInterrupt):
        follow(client, printer, until_end=args.session is not None)
    return 0


def follow(client: Client, printer: Printer, until_end: bool = True) -> int:
    """Print events until the session ends; its status as a shell reports it."""
    while True:
        message = client.read()
        kind = message.get("type")
        if kind == "session_end":
            if message.get("error"):
                print(f"traced: {message['error']}", file=sys.stderr)
            printer.out.flush()
            if until_end:
                return int(message["status"] if message["status"] is not None else 0)
        elif kind == "lost":
            print(f"traced: {lost_notice(message)}", file=sys.stderr)
        elif kind == "error":
            print(f"traced: {message['message']}", file=sys.stderr)
        elif kind != "response":
            printer(parse_event(message))  # its ``seq`` is ignored with other unknown fields


def ps(client: Client) -> int:
    sessions = client.request("list")["sessions"]
    print(f"{'SESSION':<13} {'KIND':<7} {'PID':>7} {'UID':>6} {'TASKS':>5}  COMMAND")
    for info in sessions:
        print(
            f"{info['session']:<13} {info['kind']:<7} {info['pid']:>7} {info['uid']:>6} "
            f"{info['tasks']:>5}  {' '.join(info['argv'])}"
        )
    return 0


def kill(client: Client, session: str, sig: str) -> int:
    client.request("signal", session=session, signal=int(sig) if sig.isdigit() else sig)
    return 0


def detach(client: Client, session: str) -> int:
    client.request("detach", session=session)
    return 0


def _await_result(client: Client, request_id: int) -> dict[str, Any]:
    while True:
        message = client.read()
        if message.get("id") == request_id and message["type"] == "error":
            raise RequestFailed(message["code"], message["message"], message.get("errno"))
        if message.get("id") == request_id:
            result: dict[str, Any] = message["result"]
            return result


class _forwarding:
    """While inside, the given signals are passed on instead of acting here."""

    def __init__(
        self, action: Callable[[int], object], signals: tuple[int, ...] = FORWARDED
    ) -> None:
        self.action = action
        self.signals = signals
        self.previous: dict[int, Any] = {}

    def _handler(self, signo: int, frame: FrameType | None) -> None:
        self.action(signo)

    def __enter__(self) -> None:
        for sig in self.signals:
            self.previous[sig] = signal.signal(sig, self._handler)

    def __exit__(self, *exc_info: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
