"""``traced ps``, ``kill`` and ``detach``: one request to the daemon each, its answer printed."""

from __future__ import annotations

import argparse

from traced.wire.client import Client


def run(client: Client, args: argparse.Namespace) -> int:
    """The command ``args`` names, over ``client``; its exit status."""
    if args.command == "ps":
        return ps(client)
    if args.command == "kill":
        return kill(client, args.session, args.signal)
    return detach(client, args.session)


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
