"""The real programs real.py and floor.py trace: what each one is, and how to set it up.

Each :class:`Workload` is a command (run in a folder of its own when it needs one),
the filters that fit it (``%file`` everywhere; ``%process,%file`` on the build, which
starts hundreds of processes), and what must happen, untimed, before every run so that
every run does the same work (``make clean``; an empty folder to extract into; no
archive left from the last run).  Their inputs are made once by :func:`prepare`:

- ``find``: ``find /usr/share -maxdepth 4``: a deep walk, newfstatat/openat/getdents64;
- ``ls -lR``: ``ls -lR /usr/share/doc``: a walk that stats and reads links and xattrs;
- ``tar -c`` / ``tar -x``: ``/usr/share/doc`` archived (``/usr/share/perl`` with
  ``--quick``), then that archive extracted: reads and writes of 10 KiB blocks, an open
  and a close per file;
- ``git status``: a generated repository of 10,000 committed files, a few of them
  modified, its index warm: lstat of every file, by several threads;
- ``python3``: ``python3 -c 'import json, asyncio'``: an interpreter's start and imports
  (short: a tracer's own start-up is a large part of its time here);
- ``make -j2``: bench/build.py's generated C project (gcc, cc1, as, ld: many processes).

The outputs (archives, extractions, trace files) go to a folder on tmpfs when there is
one: written files are then never flushed to disk in the background, where the flush of
one run's 100 MiB would fall on the next run's time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import build
from measure import BenchError, note

FILE = "trace=%file"
PROCESS_FILE = "trace=%process,%file"
SHM = Path("/dev/shm")
GIT_DIRS, GIT_FILES_PER_DIR = 100, 100
GIT = ("git", "-c", "user.name=bench", "-c", "user.email=bench@localhost")
BUILD_FILES = {True: 12, False: 40}  # quick, full: modules of the generated project
# What tar archives and extracts, quick and full: 1,405 files and 21 MiB (13k syscalls
# each way), or 4,966 files and 117 MiB (54k), the tree of issue 14's first figures.
TAR_TREE = {True: "perl", False: "doc"}


@dataclass(frozen=True)
class Workload:
    name: str
    argv: tuple[str, ...]
    what: str  # one line for the report
    filters: tuple[str, ...] = (FILE,)
    cwd: Path | None = None
    before: Callable[[], None] | None = field(default=None, compare=False)

    def ready(self) -> None:
        """What must happen, untimed, before each run."""
        if self.before is not None:
            self.before()


NAMES = ("find", "ls -lR", "tar -c", "tar -x", "git status", "python3", "make -j2")


def workdir() -> Path:
    """A fresh folder for a benchmark's files, on tmpfs if the machine has one."""
    base = SHM if SHM.is_dir() and shutil.disk_usage(SHM).free > 4 << 30 else None
    return Path(tempfile.mkdtemp(prefix="traced-real-", dir=base))


def python3() -> str:
    """A real interpreter, not a shim: pyenv's ``python3`` is a bash script that runs
    several programs before Python starts."""
    system = Path("/usr/bin/python3")
    return str(system if system.exists() else Path(sys.executable).resolve())


def _fresh_dir(path: Path) -> Callable[[], None]:
    def make() -> None:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir()

    return make


def _no_file(path: Path) -> Callable[[], None]:
    return lambda: path.unlink(missing_ok=True)


def _make_clean(project: Path) -> Callable[[], None]:
    return lambda: _run(["make", "clean"], project)


def _run(argv: Sequence[str], cwd: Path | None = None) -> None:
    done = subprocess.run(list(argv), cwd=cwd, capture_output=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(argv)} failed: {done.stderr.decode()[-400:]}")


def git_repository(path: Path) -> Path:
    """10,000 files in 100 folders, committed; a few modified; the index warm."""
    path.mkdir()
    _run([*GIT, "init", "-q"], path)
    for d in range(GIT_DIRS):
        folder = path / "src" / f"d{d}"
        folder.mkdir(parents=True)
        for f in range(GIT_FILES_PER_DIR):
            (folder / f"f{f}.txt").write_text(f"{d} {f}\n" * 20)
    _run([*GIT, "add", "-A"], path)
    _run([*GIT, "commit", "-qm", "init"], path)
    for d in range(0, GIT_DIRS, 20):
        (path / "src" / f"d{d}" / "f0.txt").write_text("changed\n")
    for _ in range(2):  # the first status refreshes and rewrites the index
        _run(["git", "status"], path)
    return path


def c_project(path: Path, quick: bool) -> Path:
    build.generate(path, BUILD_FILES[quick], build.FUNCTIONS_PER_FILE)
    _run(["make", "-j2"], path)  # a warm cache, and a build that works
    return path


def make(name: str, work: Path, quick: bool) -> Workload:
    """The workload ``name``, its inputs made in ``work``."""
    if name == "find":
        return Workload(name, ("find", "/usr/share", "-maxdepth", "4"), "a deep directory walk")
    if name == "ls -lR":
        return Workload(name, ("ls", "-lR", "/usr/share/doc"), "stat, readlink, xattrs of a tree")
    if name == "tar -c":
        out, tree = work / "created.tar", TAR_TREE[quick]
        create = ("tar", "-cf", str(out), "-C", "/usr/share", tree)
        return Workload(name, create, f"archive /usr/share/{tree}", before=_no_file(out))
    if name == "tar -x":
        archive, into = work / "archive.tar", work / "extracted"
        _run(["tar", "-cf", str(archive), "-C", "/usr/share", TAR_TREE[quick]])
        extract = ("tar", "-xf", str(archive), "-C", str(into))
        return Workload(name, extract, "extract that archive", before=_fresh_dir(into))
    if name == "git status":
        repo = git_repository(work / "repo")
        what = f"{GIT_DIRS * GIT_FILES_PER_DIR:,} files, warm index, threads"
        return Workload(name, ("git", "status"), what, cwd=repo)
    if name == "python3":
        return Workload(name, (python3(), "-c", "import json, asyncio"), "interpreter start")
    if name == "make -j2":
        project = c_project(work / "project", quick)
        what = f"generated C project, {BUILD_FILES[quick]} modules"
        filters = (FILE, PROCESS_FILE)
        return Workload(name, ("make", "-j2"), what, filters, project, _make_clean(project))
    raise BenchError(f"unknown workload {name!r}; known: {', '.join(NAMES)}")


def prepare(names: Sequence[str], work: Path, quick: bool) -> list[Workload]:
    work.mkdir(parents=True, exist_ok=True)
    made = []
    for name in names:
        note(f"preparing {name}")
        made.append(make(name, work, quick))
    return made
