#!/usr/bin/env python3
"""A complete traced client using only the standard library: subscribe and print.

    python3 subscribe.py SOCKET [SESSION]

It reads the hello, subscribes (to one session, or to all), and prints one line
per event until the session ends (or forever, for all sessions).  Everything it
relies on is in PROTOCOL.md; it imports nothing from traced.
"""

import json
import socket
import sys


def main() -> int:
    path = sys.argv[1]
    session = sys.argv[2] if len(sys.argv) > 2 else None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    lines = sock.makefile("rb")
    hello = json.loads(lines.readline())
    if hello.get("type") != "hello" or hello.get("protocol") != 1:
        print(f"unexpected greeting: {hello}", file=sys.stderr)
        return 1
    request = {"id": 1, "op": "subscribe", "policy": "block"}
    if session:
        request["session"] = session
    sock.sendall(json.dumps(request).encode() + b"\n")
    for raw in lines:
        message = json.loads(raw)
        kind = message.get("type")
        if kind == "error":
            print(f"error: {message['code']}: {message['message']}", file=sys.stderr)
            return 1
        if kind == "response":
            continue
        if kind == "session_end":
            print(f"end {message['session']} seq={message['seq']} status={message['status']}")
            if session:
                return 0
        elif kind == "lost":
            print(f"lost {message['count']} events of {message['session']}")
        elif kind == "syscall":
            print(f"{message['seq']} {message['pid']} {message['name']} -> {message['retval']}")
        else:
            print(f"{message['seq']} {message['pid']} {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
