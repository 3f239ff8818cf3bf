"""traced.cli.service's units: the repository's systemd/ units, ExecStart filled in.

Pure: unit texts compared as text, no systemd.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from traced.cli.service import exec_start, unit_texts

SYSTEMD = Path(__file__).resolve().parents[2] / "systemd"


def sections(text: str) -> dict[str, list[tuple[str, str]]]:
    """Each section's uncommented ``Key=value`` lines, in order."""
    found: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for line in text.splitlines():
        if match := re.fullmatch(r"\[(\w+)\]", line.strip()):
            current = match[1]
        elif match := re.fullmatch(r"([A-Za-z]+)=(.*)", line.strip()):
            found.setdefault(current, []).append((match[1], match[2]))
    return found


def test_installed_units_are_the_repositorys_but_for_exec_start() -> None:
    written = unit_texts("/opt/venv/bin/python3")
    for name, text in written.items():
        ours, theirs = sections(text), sections((SYSTEMD / name).read_text())
        start = "/opt/venv/bin/python3 -m traced daemon"
        theirs = {
            section: [(k, start if k == "ExecStart" else v) for k, v in directives]
            for section, directives in theirs.items()
        }
        assert ours == theirs, name


def test_exec_start_names_the_interpreter_as_systemd_unquotes_it() -> None:
    assert exec_start("/usr/bin/python3") == "/usr/bin/python3 -m traced daemon"
    spaced = exec_start("/home/me/my envs/bin/python")
    assert shlex.split(spaced) == ["/home/me/my envs/bin/python", "-m", "traced", "daemon"]
    quoted = exec_start('/opt/a"b/python')
    assert shlex.split(quoted)[0] == '/opt/a"b/python'
    # systemd expands %x specifiers and $VARIABLES: doubled, they stand for themselves.
    assert exec_start("/opt/50%$HOME/python") == "/opt/50%%$$HOME/python -m traced daemon"
