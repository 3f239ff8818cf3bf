"""``traced ps``, ``stats``, ``kill`` and ``detach``: one request to the daemon each,
its answer printed."""

from __future__ import annotations

import argparse
import time
from typing import Any

from traced.wire.client import Client


def run(client: Client, args: argparse.Namespace) -> int:
    """The command ``args`` names, over ``client``; its exit status."""
    if args.command == "ps":
        return ps(client)
    if args.command == "stats":
        return stats(client, args.session)
    if args.command == "kill":
        return kill(client, args.session, args.signal)
    return detach(client, args.session)


def ps(client: Client) -> int:
    sessions = client.request("list")["sessions"]
    now_ns = time.time_ns()
    print(
        f"{'SESSION':<13} {'KIND':<7} {'PID':>7} {'UID':>6} {'TASKS':>5} {'EVENTS':>9} "
        f"{'STARTED':>8} {'TIME':>8}  COMMAND"
    )
    for info in sessions:
        started = time.strftime("%H:%M:%S", time.localtime(info["started_ns"] / 1e9))
        print(
            f"{info['session']:<13} {info['kind']:<7} {info['pid']:>7} {info['uid']:>6} "
            f"{info['tasks']:>5} {info.get('events', 0):>9} {started:>8} "
            f"{duration(now_ns - info['started_ns']):>8}  {' '.join(info['argv'])}"
        )
    return 0


def duration(ns: int) -> str:
    """``ps``'s TIME: ``59s``, ``12m03s``, ``3h05m``."""
    seconds = max(ns, 0) // 1_000_000_000
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def stats(client: Client, session: str | None) -> int:
    """Each session's syscalls by count, as ``strace -c`` orders them; decoder failures."""
    fields: dict[str, Any] = {} if session is None else {"session": session}
    result = client.request("stats", **fields)
    for session_id, counts in sorted(result["sessions"].items()):
        print(f"session {session_id}: {sum(counts.values())} syscalls")
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            print(f"  {count:>10}  {name}")
    for failure, count in sorted(result.get("decoder_failures", {}).items()):
        print(f"decoder failures: {count:>6}  {failure}")
    return 0


def kill(client: Client, session: str, sig: str) -> int:
    client.request("signal", session=session, signal=int(sig) if sig.isdigit() else sig)
    return 0


def detach(client: Client, session: str) -> int:
    client.request("detach", session=session)
    return 0
