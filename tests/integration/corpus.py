"""The corpus comparison: real programs under ``strace -f`` and ``traced launch``,
their text lines compared after normalization, counted per strace class.

Why text lines and not parsed events: the goal of issue 4 is that traced's text
output *is* strace's, so the measure is how many lines are byte-identical once
the things that differ between two runs of the same program under strace alone
(pids, randomized addresses, ephemeral ports, mkstemp names) are replaced by
stable placeholders.  Nothing else is masked: each mask below names the reason
it differs between two strace runs.  ``scripts/corpus_report.py`` also compares
strace with itself, which shows that the masks suffice (the ceiling is 100%).

This module imports no pytest: the report script reuses it.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from traced.syscalls.signatures import CLASSES

# The classes the corpus is traced with and measured on.
CORPUS_CLASSES: tuple[str, ...] = ("%file", "%process", "%net", "%desc", "%memory")
TRACE_OPTIONS: tuple[str, ...] = ("-e", "trace=" + ",".join(CORPUS_CLASSES))
GOAL = 0.95
RUN_TIMEOUT = 300.0

Prepare = Callable[[Path], None]

# --- running ----------------------------------------------------------------


def _empty(directory: Path) -> None:
    for entry in directory.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _run_one(tracer: list[str], cwd: Path, env: dict[str, str], prepare: Prepare | None) -> None:
    if prepare is not None:
        _empty(cwd)
        prepare(cwd)
    subprocess.run(
        tracer,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def strace_command(output: Path, options: Sequence[str], command: Sequence[str]) -> list[str]:
    return ["strace", "-f", "-o", str(output), *options, "--", *command]


def traced_command(output: Path, options: Sequence[str], command: Sequence[str]) -> list[str]:
    launch = [sys.executable, "-m", "traced", "launch", "--no-daemon"]
    return [*launch, "-f", "-o", str(output), *options, "--", *command]


def _read_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return path.read_text(errors="replace").splitlines()


def run_pair(
    command: list[str],
    options: list[str],
    cwd: Path,
    env: dict[str, str],
    *,
    prepare: Prepare | None = None,
    second_strace: bool = False,
) -> tuple[list[str], list[str]]:
    """``command`` under strace, then under traced (or, with ``second_strace``,
    under strace again): the raw lines of both output files.

    With ``prepare``, ``cwd`` is emptied and ``prepare(cwd)`` rebuilds its content
    before each run, so both runs start from the same files (``gzip -k`` refuses
    to overwrite its own output of the first run).  The output files are written
    outside ``cwd``: a program that lists its directory must not see them.
    """
    with tempfile.TemporaryDirectory(prefix="corpus-") as folder:
        first, second = Path(folder, "strace.txt"), Path(folder, "other.txt")
        _run_one(strace_command(first, options, command), cwd, env, prepare)
        make = strace_command if second_strace else traced_command
        _run_one(make(second, options, command), cwd, env, prepare)
        return _read_lines(first), _read_lines(second)


def tracer_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The one environment of both runs.  PYTHONPATH lets ``python -m traced``
    run from any working directory; the traced program sees it too, in both."""
    env = dict(os.environ)
    repo_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [repo_root, env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


# --- normalization ----------------------------------------------------------

UNFINISHED = " <unfinished ...>"
_RESUMED = re.compile(r"<\.\.\. ([A-Za-z0-9_]+) resumed>")
_PID_COLUMN = re.compile(r"(\d+) +(.*)")
_SYSCALL_NAME = re.compile(r"([A-Za-z0-9_]+)\(")

# strace pads a complete line so that its "= result" starts at column 40 of the
# file line, pid column included: the padding changes with the pid's digit count,
# which differs between two strace runs.  A line padded by that rule is rewritten
# with one space; a line padded otherwise is kept as it is, so that it differs.
RESULT_COLUMN = 40
_RESULT = re.compile(r"(?<=[^ ])( +)= (?!.*[^ ] += )")

# Randomized addresses differ between two strace runs: ASLR places a PIE binary
# at 0x55.., mmap'ed libraries at 0x7f.., the stack at 0x7ff.., and the brk heap
# of a non-PIE binary (Debian's python3.11, gcc's driver) anywhere in its first
# GiB, 0x1b6ea000 one run and 0x35dc3000 the next, and rarely fewer digits.  A
# hex number's text does not tell an address from an offset or a flag word, so
# every hex number is masked: mmap's offset (0x26000) is not compared.
_ADDRESS = re.compile(r"\b0x[0-9a-f]+\b")
# The port the kernel picks for a bind to port 0 (and a connect's local port)
# differs between two strace runs; port 0 itself is compared.
_PORT = re.compile(r"\b(sin6?_port=htons)\([1-9][0-9]*\)")
# Names made by mkstemp & co (six characters from [A-Za-z0-9] replacing XXXXXX)
# differ between two strace runs: gcc's temporary files /tmp/ccXXXXXX.s, .o,
# .res ... and @/tmp/ccXXXXXX response files; git's .git/tXXXXXX, made by
# git init to learn whether the file system has symlinks.
_MKSTEMP = re.compile(r"(/tmp/cc|/\.git/t)[A-Za-z0-9]{6}\b")
# The CPU time a child used, in SIGCHLD's siginfo, differs between two strace
# runs ("si_utime=1 /* 0.01 s */" one run, "si_utime=0" the next).
_CPU_TIME = re.compile(r"\b(si_[us]time)=\d+(?: /\* [0-9.]+ s \*/)?")
# The inode number of an anonymous pipe or socket (shown by -y) is allocated
# anew in each run.
_INODE = re.compile(r"\b(socket|pipe|anon_inode:\[[a-z]+\]):\[\d+\]")
# getrandom's bytes are random: they differ between two strace runs by design.
_RANDOM_BYTES = re.compile(r'^(getrandom\(")(?:\\x[0-9a-f]{2})*"')


@dataclass(frozen=True)
class Line:
    """One normalized line: its task's stable name and its text."""

    pid: str
    text: str


def split_pid(raw: str) -> tuple[str, str, str]:
    """(pid, pid column as printed, rest); pid "" for a line without a pid column."""
    found = _PID_COLUMN.fullmatch(raw)
    if found is None:
        return "", "", raw
    column = raw[: found.start(2)]
    return found.group(1), column, found.group(2)


def unpad(column: str, text: str) -> str:
    """``text`` with strace's result padding reduced to one space, when the
    padding follows strace's rule for a line that starts with ``column``."""
    found = _RESULT.search(text)
    if found is None:
        return text
    before = len(column) + found.start(1)
    expected = max(RESULT_COLUMN - before, 1)
    if len(found.group(1)) != expected:
        return text
    return text[: found.start(1)] + " " + text[found.end(1) :]


def collapse(text: str) -> str:
    """``text`` with any run of spaces before its ``= result`` made one space
    (a merged unfinished/resumed line: strace would have padded it by the rule)."""
    found = _RESULT.search(text)
    if found is None:
        return text
    return text[: found.start(1)] + " " + text[found.end(1) :]


def merge_resumed(lines: Iterable[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(pid, column, text) lines to (pid, text) with padding normalized and each
    ``<unfinished ...>`` line joined with the same task's ``<... NAME resumed>``:
    ``wait4(-1,  <unfinished ...>`` + ``<... wait4 resumed>[...], 0, NULL) = 5``
    is ``wait4(-1, [...], 0, NULL) = 5``, where strace's uninterrupted line would
    be.  An unfinished line never resumed stays as it is."""
    merged: list[tuple[str, str]] = []
    pending: dict[str, int] = {}
    for pid, column, text in lines:
        resumed = _RESUMED.match(text)
        if text.endswith(UNFINISHED) and _SYSCALL_NAME.match(text):
            pending[pid] = len(merged)
            merged.append((pid, text))
        elif resumed is not None and pid in pending:
            index = pending.pop(pid)
            head = merged[index][1][: -len(UNFINISHED)]
            merged[index] = (pid, collapse(head + text[resumed.end() :]))
        else:
            merged.append((pid, unpad(column, text)))
    return merged


def _mask(text: str) -> str:
    text = _ADDRESS.sub("0xADDR", text)
    text = _PORT.sub(r"\1(PORT)", text)
    text = _MKSTEMP.sub(r"\1XXXXXX", text)
    text = _CPU_TIME.sub(r"\1=T", text)
    text = _RANDOM_BYTES.sub(r'\1RANDOM"', text)
    return _INODE.sub(r"\1:[INODE]", text)


_NUMBER = re.compile(r"\b\d+\b")
_SPAWNED = re.compile(r"(?:clone3?|v?fork)\(.* = (\d+)$")


def name_pids(lines: Sequence[tuple[str, str]]) -> list[Line]:
    """Pids named P1, P2 ... in order of first appearance, in the pid column or
    as a whole number in a line (a clone's result names its child before the
    child's first line).  Only numbers that are some line's pid are renamed; an
    unrelated number equal to a pid (a size of 12345 bytes) is renamed too."""
    known = {pid for pid, _ in lines if pid.isdigit()}
    names: dict[str, str] = {}

    def name(pid: str) -> str:
        return names.setdefault(pid, f"P{len(names) + 1}")

    def rename(found: re.Match[str]) -> str:
        number = found.group()
        return name(number) if number in known else number

    named = []
    for pid, text in lines:
        task = name(pid) if pid else ""
        named.append(Line(task, _NUMBER.sub(rename, text)))
    return named


def attribute_unprefixed(split: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Lines without a pid column given to the command's first task (the first
    pid printed that no clone, fork or vfork returned), so that a tracer that
    omits the column while only one task runs (as strace does without -f) is
    compared on its lines.  The missing column itself is not counted here:
    :func:`unprefixed_count` tells it."""
    spawned = {found.group(1) for _, _, text in split if (found := _SPAWNED.match(text))}
    first = next((pid for pid, _, _ in split if pid and pid not in spawned), "?")
    return [(pid or first, column, text) for pid, column, text in split]


def unprefixed_count(raw_lines: Sequence[str]) -> int:
    """How many lines lack the pid column that ``-f -o FILE`` prints on every line."""
    return sum(1 for raw in raw_lines if not split_pid(raw)[0])


def normalize(raw_lines: Sequence[str]) -> list[Line]:
    """The lines of one ``-f -o FILE`` output made comparable with another run's."""
    split = attribute_unprefixed([split_pid(raw) for raw in raw_lines])
    merged = merge_resumed(split)
    return name_pids([(pid, _mask(text)) for pid, text in merged])


# --- comparison -------------------------------------------------------------


def classes_of(text: str) -> frozenset[str]:
    """The corpus classes a line counts in: its syscall's (per traced's table);
    an exit, a kill or a signal (``+++``, ``---``) is %process."""
    if text.startswith(("+++ ", "--- ")):
        return frozenset({"%process"})
    found = _SYSCALL_NAME.match(text)
    if found is None:
        resumed = _RESUMED.match(text)
        if resumed is None:
            return frozenset()
        name = resumed.group(1)
    else:
        name = found.group(1)
    return frozenset(cls for cls in CORPUS_CLASSES if name in CLASSES[cls])


@dataclass(frozen=True)
class Difference:
    """Two lines of one task that do not match (None: no counterpart)."""

    pid: str
    strace: str | None
    traced: str | None


@dataclass
class Result:
    """Per class, matched lines and total lines (the larger side's count)."""

    identical: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    differences: list[Difference] = field(default_factory=list)

    def add(self, other: Result) -> None:
        self.identical.update(other.identical)
        self.total.update(other.total)
        self.differences.extend(other.differences)

    def ratio(self, cls: str) -> float:
        total = self.total[cls]
        return self.identical[cls] / total if total else 1.0

    def below_goal(self) -> list[str]:
        return [cls for cls in CORPUS_CLASSES if self.ratio(cls) < GOAL]

    def table(self) -> str:
        rows = []
        for cls in CORPUS_CLASSES:
            same, total = self.identical[cls], self.total[cls]
            rows.append(f"  {cls:<9} {same:>6}/{total:<6} ({100 * self.ratio(cls):5.1f}%)")
        return "\n".join(rows)


def _by_pid(lines: Iterable[Line]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        grouped[line.pid].append(line.text)
    return grouped


def _count(texts: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(classes_of(text))
    return counts


def _differences(pid: str, matcher: difflib.SequenceMatcher[str]) -> list[Difference]:
    a, b = matcher.a, matcher.b
    found = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        left, right = list(a[i1:i2]), list(b[j1:j2])
        width = max(len(left), len(right))
        left += [None] * (width - len(left))
        right += [None] * (width - len(right))
        found += [Difference(pid, s, t) for s, t in zip(left, right, strict=True)]
    return found


def _is_unordered(line: str) -> bool:
    return line.startswith(("--- ", "wait4(-1, "))


def compare_task(pid: str, strace: list[str], traced: list[str]) -> Result:
    """One task's two line sequences, aligned by difflib.

    Signal lines (``--- SIGCHLD {...} ---``) and ``wait4(-1, ...)`` lines are
    compared as a multiset: where a SIGCHLD lands among the parent's syscalls,
    and which of several dead children ``wait4(-1)`` reaps first, depend on when
    each child's exit was handled by the tracer, which differs between two
    strace runs of the same program (a timing)."""
    ordered_strace = [line for line in strace if not _is_unordered(line)]
    ordered_traced = [line for line in traced if not _is_unordered(line)]
    matcher = difflib.SequenceMatcher(None, ordered_strace, ordered_traced, autojunk=False)
    result = Result()
    for block in matcher.get_matching_blocks():
        result.identical.update(_count(ordered_strace[block.a : block.a + block.size]))
    signals = Counter(filter(_is_unordered, strace)) & Counter(filter(_is_unordered, traced))
    result.identical.update(_count(signals.elements()))
    theirs, ours = _count(strace), _count(traced)
    for cls in CORPUS_CLASSES:
        result.total[cls] = max(theirs[cls], ours[cls])
    result.differences = _differences(pid, matcher)
    return result


def compare(strace: Sequence[Line], traced: Sequence[Line]) -> Result:
    """All tasks of two normalized outputs, task by task."""
    theirs, ours = _by_pid(strace), _by_pid(traced)
    result = Result()
    for pid in sorted(theirs.keys() | ours.keys(), key=_pid_order):
        result.add(compare_task(pid, theirs.get(pid, []), ours.get(pid, [])))
    return result


def _pid_order(pid: str) -> tuple[int, str]:
    return (int(pid[1:]) if pid[1:].isdigit() else 0, pid)


def compare_raw(strace: Sequence[str], traced: Sequence[str]) -> Result:
    return compare(normalize(strace), normalize(traced))


def format_differences(differences: Sequence[Difference], limit: int = 30) -> str:
    shown = []
    for diff in differences[:limit]:
        shown.append(f"[{diff.pid}] strace: {diff.strace}\n[{diff.pid}] traced: {diff.traced}")
    more = len(differences) - limit
    if more > 0:
        shown.append(f"... and {more} more")
    return "\n".join(shown)


# --- the corpus ---------------------------------------------------------------

# A fixed modification time for every file the programs read: gzip writes it
# into its header and tar into its archive, both shown in write's data.
FIXED_MTIME = 1_700_000_000
HELLO_C = '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n'


@dataclass(frozen=True)
class Program:
    """One corpus entry: a command run in a directory ``prepare`` fills."""

    name: str
    command: list[str]
    prepare: Prepare
    env: Callable[[Path], dict[str, str]] | None = None


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (FIXED_MTIME, FIXED_MTIME))


def _nothing(cwd: Path) -> None:
    del cwd


def _small_tree(cwd: Path) -> None:
    for name, text in [("dir/a.txt", "alpha\n"), ("dir/sub/b.txt", "beta\n" * 100)]:
        _write(cwd / name, text)
    for folder in (cwd / "dir/sub", cwd / "dir"):
        os.utime(folder, (FIXED_MTIME, FIXED_MTIME))


def _archive(cwd: Path) -> None:
    _small_tree(cwd)
    subprocess.run(["tar", "cf", "a.tar", "dir"], cwd=cwd, check=True)
    shutil.rmtree(cwd / "dir")
    (cwd / "out").mkdir()


def _plain_file(cwd: Path) -> None:
    _write(cwd / "file", "some text to compress\n" * 200)


def _gzipped(cwd: Path) -> None:
    _plain_file(cwd)
    subprocess.run(["gzip", "file"], cwd=cwd, check=True)


def _git_env(cwd: Path) -> dict[str, str]:
    return {"HOME": str(cwd), "GIT_CONFIG_NOSYSTEM": "1"}


def _git_repo(cwd: Path) -> None:
    env = {**os.environ, **_git_env(cwd)}
    subprocess.run(["git", "init", "-q", "repo"], cwd=cwd, env=env, check=True)


def _hello_c(cwd: Path) -> None:
    _write(cwd / "hello.c", HELLO_C)


def system_python() -> str:
    """The distribution's python (a smaller startup than a venv's) if present."""
    return "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


def corpus(tcp_echo: Path) -> list[Program]:
    """The programs of the issue; ``tcp_echo`` is tests/programs/tcp_echo.c built."""
    return [
        Program("ls", ["ls", "-l", "/etc"], _nothing),
        Program("cat", ["cat", "/etc/passwd"], _nothing),
        Program("cp", ["cp", "/etc/passwd", "./copy"], _nothing),
        Program("sort", ["sort", "/etc/passwd"], _nothing),
        Program("tar-create", ["tar", "cf", "a.tar", "dir"], _small_tree),
        Program("tar-extract", ["tar", "xf", "a.tar", "-C", "out"], _archive),
        Program("gzip", ["gzip", "-k", "file"], _plain_file),
        Program("gunzip", ["gzip", "-dc", "file.gz"], _gzipped),
        Program("git-init", ["git", "init", "-q", "repo"], _nothing, _git_env),
        Program("git-status", ["git", "-C", "repo", "status"], _git_repo, _git_env),
        Program("python", [system_python(), "-c", "import json; print(json.dumps([1]))"], _nothing),
        Program("gcc", ["gcc", "-o", "hello", "hello.c"], _hello_c),
        Program("pipeline", ["sh", "-c", "cat /etc/passwd | sort | wc -l"], _nothing),
        Program("tcp_echo", [str(tcp_echo)], _nothing),
    ]


def run_program(program: Program, cwd: Path, *, second_strace: bool = False) -> Result:
    """``program`` under strace and traced (or strace twice), compared."""
    env = tracer_env(program.env(cwd) if program.env else None)
    strace, other = run_pair(
        program.command,
        list(TRACE_OPTIONS),
        cwd,
        env,
        prepare=program.prepare,
        second_strace=second_strace,
    )
    if not strace:
        raise RuntimeError(f"strace wrote nothing for {program.command}")
    return compare_raw(strace, other)
