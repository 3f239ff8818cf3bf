"""What ``traced`` imports to start: each path leaves alone what it does not use.

A structural guard of bench/startup.py's savings, not a timing: each case runs
``traced`` (its ``main``) in a fresh interpreter, for real, and lists the modules
imported by the time it returns that the interpreter had not imported already (an
editable install's finder imports pathlib, for one, before any code of traced runs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

# Runs main(argv) (argv: sys.argv[2], JSON) and writes the names of the modules it
# imported to sys.argv[1]; stdout and stderr are the traced command's, left alone.
# traced's own folder, then the venv's packages (uvloop, msgspec), without site's .pth files.
_PYTHONPATH = os.pathsep.join(
    [
        str(Path(__file__).resolve().parents[2]),
        *(p for p in sys.path if p.endswith("site-packages")),
    ]
)
LIST_IMPORTS = """\
import sys
before = set(sys.modules)
import json
import os
from traced.cli.main import main
try:
    main(json.loads(sys.argv[2]))
except SystemExit:
    pass
with open(sys.argv[1], "w") as out:
    json.dump(sorted(set(sys.modules) - before), out)
"""

# Never imported by a launch that traces in this process: the daemon's settings and
# protocol (pydantic), its logging (structlog, imported by the first log call), the
# client of a daemon nobody runs, argparse's terminal query (shutil: the parser asks
# itself), pathlib (paths are strings until the daemon's own code), threading (the
# reactor asks _thread which thread it runs in: a launch starts no thread), attach
# --filter's installer (only that attach installs a filter in a running process).
# traced.daemon.paths, the default socket path, is the one daemon module a launch needs.
NOT_IN_PROCESS = (
    "pydantic", "structlog", "traced.wire", "shutil", "pathlib", "traced.cli.remote", "threading",
    "traced.core.filter_install", "traced.tracer.attachfilter",
)  # fmt: skip
DAEMON_MODULES = {"traced.daemon", "traced.daemon.paths"}
# ioctl's tables, which every decoded entry may need; not its twenty families' printers.
IOCTL_TABLES = {
    f"traced.decoders.families.ioctl_{name}" for name in ("kit", "structs", "styles", "values")
}
# Nor by ``traced --help``: the tracer, its loop, the decoders, the events, dataclasses.
NOT_FOR_HELP = (
    *NOT_IN_PROCESS, "asyncio", "uvloop", "msgspec", "dataclasses", "traced.tracer", "traced.events"
)  # fmt: skip


def imported(argv: Sequence[str], tmp_path: Path, socket: Path | None = None) -> set[str]:
    listing = tmp_path / "modules.json"
    env_socket = str(socket or tmp_path / "nobody-listens.sock")
    done = subprocess.run(
        # -S and traced by PYTHONPATH: an editable install's .pth finder imports pathlib
        # and more before the listing begins, which would hide them from it.
        [sys.executable, "-S", "-c", LIST_IMPORTS, str(listing), json.dumps(list(argv))],
        env={"PATH": "/usr/bin:/bin", "TRACED_SOCKET": env_socket, "PYTHONPATH": _PYTHONPATH},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return set(json.loads(listing.read_text()))


def among(modules: set[str], packages: Sequence[str]) -> set[str]:
    return {m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)}


@pytest.mark.parametrize(
    "argv",
    [
        ["launch", "--", "true"],  # asks for a daemon first: none answers
        ["launch", "--no-daemon", "-o", "/dev/null", "--", "true"],
        ["launch", "--no-daemon", "-e", "trace=openat", "-c", "--", "true"],
    ],
)
def test_a_launch_in_process_imports_no_daemon_client_nor_its_libraries(
    argv: list[str], tmp_path: Path
) -> None:
    modules = imported(argv, tmp_path)
    assert "traced.tracer.engine" in modules  # it did trace, here
    assert among(modules, NOT_IN_PROCESS) == set()
    assert among(modules, ["traced.daemon"]) <= DAEMON_MODULES
    # ioctl's request printers come with the first ioctl decoded (true makes none)
    printers = {m for m in modules if m.startswith("traced.decoders.families.ioctl_")}
    assert printers <= IOCTL_TABLES, printers


def test_help_imports_neither_the_tracer_nor_its_libraries(tmp_path: Path) -> None:
    modules = imported(["--help"], tmp_path)
    assert "traced.cli.parser" in modules
    assert among(modules, NOT_FOR_HELP) == set()
    assert among(modules, ["traced.daemon"]) == set()


def test_a_launch_through_the_daemon_imports_no_tracer(tmp_path: Path, daemon: Path) -> None:
    modules = imported(["launch", "-o", "/dev/null", "--", "true"], tmp_path, daemon)
    assert "traced.wire.client" in modules  # it went through the daemon
    unused = (
        "pydantic",
        "structlog",
        "asyncio",
        "uvloop",
        "pathlib",
        "dataclasses",
        "traced.tracer",
    )
    assert among(modules, [*unused, "traced.cli.local"]) == set()
    assert among(modules, ["traced.daemon"]) <= DAEMON_MODULES
