"""``traced service install|uninstall|status``: the systemd user units, for this install.

systemd facts this module depends on:

* A user's own units live in ``$XDG_CONFIG_HOME/systemd/user`` (``~/.config/...``
  by default); the user manager reads them at ``systemctl --user daemon-reload``.
* The user manager's PATH is its own, without the user's virtualenvs: a unit that
  runs ``/usr/bin/env traced`` exits 127 there, and after a few tries the socket
  unit gives up (``service-start-limit-hit``).  So ExecStart names the interpreter
  that runs this command, by its absolute path, and ``-m traced``: no PATH lookup.
* ``enable --now traced.socket`` listens at once and at every login; the service
  starts on the first connection and adopts the socket (traced.daemon.systemd).
* ``systemctl --user`` needs the user's manager (a login session); without one it
  fails, and we say so, after writing what can be written.

The units are the ones in the repository's systemd/ folder (their comments say
why each directive is there), with ExecStart filled in; tests check that the two
agree directive by directive.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from traced.cli.options import socket_path
from traced.errors import DaemonNotAnswering, DaemonUnavailable
from traced.version import __version__

SOCKET_UNIT, SERVICE_UNIT = "traced.socket", "traced.service"
# Each unit's directives by section, in the order systemd/ writes them.
_SOCKET = {
    "Unit": [("Description", "traced syscall tracer daemon (socket)")],
    "Socket": [
        ("ListenStream", "%t/traced/traced.sock"),
        ("SocketMode", "0600"),
        ("DirectoryMode", "0700"),
    ],
    "Install": [("WantedBy", "sockets.target")],
}
_SERVICE = {
    "Unit": [
        ("Description", "traced syscall tracer daemon"),
        ("Requires", SOCKET_UNIT),
        ("After", SOCKET_UNIT),
    ],
    "Service": [
        ("Type", "notify"),
        ("NotifyAccess", "main"),
        ("ExecStart", ""),  # filled in: see exec_start
        ("Restart", "on-failure"),
        ("KillMode", "mixed"),
    ],
    "Install": [("Also", SOCKET_UNIT)],
}


def exec_start(python: str) -> str:
    """``/abs/python -m traced daemon``, written as systemd reads it back: ``%`` and
    ``$`` doubled (specifiers, variables), and within quotes if it has a space, a quote
    or a backslash, those two escaped."""
    escaped = python.replace("%", "%%").replace("$", "$$")
    if any(c in escaped for c in ' "\\'):
        escaped = '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{escaped} -m traced daemon"


def unit_texts(python: str) -> dict[str, str]:
    """The two unit files, ExecStart running ``python``: file name to text."""
    head = f"# Written by `traced service install` (traced {__version__}); see systemd/ in\n"
    head += "# traced's source for why each line is here.  `traced service uninstall` removes it.\n"
    texts = {}
    for name, sections in ((SOCKET_UNIT, _SOCKET), (SERVICE_UNIT, _SERVICE)):
        lines = [head.rstrip("\n")]
        for section, directives in sections.items():
            lines += ["", f"[{section}]"]
            for key, value in directives:
                lines.append(f"{key}={exec_start(python) if key == 'ExecStart' else value}")
        texts[name] = "\n".join(lines) + "\n"
    return texts


def unit_dir(env: dict[str, str] | os._Environ[str]) -> Path:
    config = env.get("XDG_CONFIG_HOME", "")
    base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return base / "systemd" / "user"


def run(args: argparse.Namespace) -> int:
    if args.action == "install":
        return install(now=args.now)
    if args.action == "uninstall":
        return uninstall()
    return status(args)


def install(now: bool) -> int:
    folder = unit_dir(os.environ)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in unit_texts(sys.executable).items():
        (folder / name).write_text(text)
    print(f"traced: wrote {SOCKET_UNIT} and {SERVICE_UNIT} to {folder}")
    print(f"traced: the daemon runs as: {exec_start(sys.executable)}")
    steps = [["daemon-reload"], *([["enable", "--now", SOCKET_UNIT]] if now else [])]
    if not all(_systemctl(step) for step in steps):
        print(
            "traced: the units are written; in your login session, run "
            f"`systemctl --user daemon-reload && systemctl --user enable --now {SOCKET_UNIT}`",
            file=sys.stderr,
        )
        return 1
    if now:
        print(f"traced: {SOCKET_UNIT} listens; the daemon starts on the first connection")
    else:
        print(f"traced: start it with `systemctl --user enable --now {SOCKET_UNIT}`")
    return 0


def uninstall() -> int:
    folder = unit_dir(os.environ)
    _systemctl(["disable", "--now", SOCKET_UNIT, SERVICE_UNIT], quiet=True)
    removed = [name for name in (SOCKET_UNIT, SERVICE_UNIT) if _remove(folder / name)]
    print(f"traced: removed {', '.join(removed) or 'nothing'} from {folder}")
    return 0 if _systemctl(["daemon-reload"]) or not removed else 1


def status(args: argparse.Namespace) -> int:
    """What is installed, what systemd says, and whether a daemon answers: 0 if one does."""
    folder = unit_dir(os.environ)
    service = folder / SERVICE_UNIT
    if service.exists():
        starts = [line for line in service.read_text().splitlines() if "ExecStart=" in line]
        print(f"units: {folder} ({starts[0] if starts else 'no ExecStart line'})")
    else:
        print(f"units: not installed in {folder} (`traced service install --now`)")
    done = _systemctl_output(["is-active", SOCKET_UNIT, SERVICE_UNIT])
    print(f"systemd: {done}")
    path = socket_path(args)
    answer = _answer(path)
    print(f"socket: {path}: {answer}")
    return 0 if answer.startswith("answers") else 1


def _answer(path: str) -> str:
    from traced.wire.client import Client  # noqa: PLC0415 (only here of the service)

    if not os.path.exists(path):
        return "no such file (no daemon, and no socket unit listening)"
    try:
        client = Client(path)
    except DaemonUnavailable as error:
        return f"nothing listens ({error})"
    except DaemonNotAnswering:
        return "accepts connections but no daemon answers (see journalctl --user -u traced)"
    client.close()
    return f"answers: {client.hello.get('server')}, protocol {client.hello.get('protocol')}"


def _systemctl(step: list[str], quiet: bool = False) -> bool:
    """Run one ``systemctl --user`` step; whether it worked (if not, said in one line)."""
    done = _run_systemctl(step)
    if isinstance(done, str) or (done.returncode != 0 and not quiet):
        why = done if isinstance(done, str) else _first_line(done.stderr or done.stdout)
        print(f"traced: `systemctl --user {' '.join(step)}` failed: {why}", file=sys.stderr)
    return not isinstance(done, str) and done.returncode == 0


def _systemctl_output(step: list[str]) -> str:
    """``is-active``'s answer per unit, or why there is none."""
    done = _run_systemctl(step)
    if isinstance(done, str):
        return f"no systemctl to ask ({done})"
    states = done.stdout.split()
    if len(states) == len(step) - 1:
        return ", ".join(f"{unit} {state}" for unit, state in zip(step[1:], states, strict=True))
    return f"no user manager to ask ({_first_line(done.stderr) or 'no answer'})"


def _run_systemctl(step: list[str]) -> subprocess.CompletedProcess[str] | str:
    """systemctl's outcome, or why it could not run."""
    argv = ["systemctl", "--user", *step]
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except OSError as error:
        return f"cannot run systemctl: {error.strerror}"


def _first_line(text: str) -> str:
    return next(iter(text.strip().splitlines()), "")


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
