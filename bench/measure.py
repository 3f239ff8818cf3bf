"""Measuring: build the loop, wait for a quiet machine, time commands, count syscalls.

Also what every benchmark shares (none of it asyncio): :class:`BenchError`,
:func:`note` for progress, and :func:`report_head`, the title, command line and
machine description each report starts with.
"""

from __future__ import annotations

import contextlib
import functools
import os
import platform
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The same workload the stop-counting tests use: N getppid, N/10 openat+close pairs.
LOOP_SOURCE = REPO / "tests" / "programs" / "loop.c"
# "PID name(" opens a syscall line in both strace's and traced's text output.
SYSCALL_LINE = re.compile(r"^(?:\d+\s+)?(\w+)\(")  # with -f the pid comes first
# Calibration sizes: the loop's syscall counts are linear in N, so two runs fix them.
CALIBRATION_N = (1_000, 2_000)
# The tools whose versions every report names.
TOOLS = (("strace", "-V"), ("gcc", "--version"))


class BenchError(Exception):
    """A run that failed or hung, a daemon that would not start, a stream that lost events."""


def note(message: str) -> None:
    """Progress goes to stderr, so that stdout carries only the report."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- what every report starts with ----------------------------------------------------


def first_line(argv: Sequence[str]) -> str:
    """The first line a command prints (a tool's ``--version``), or why there is none."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unavailable ({error})"
    text = (done.stdout or done.stderr).strip()
    if done.returncode != 0 or not text:
        return "?"
    return text.splitlines()[0].strip()


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_lines(tools: Sequence[Sequence[str]] = TOOLS) -> list[str]:
    """Markdown bullets: the machine, Python, each of ``tools``' version, traced's commit."""
    lines = [
        f"- nproc: {os.cpu_count()} ({cpu_model()}), {platform.machine()}",
        f"- kernel: {platform.release()}",
        f"- python: {platform.python_version()} ({sys.executable})",
    ]
    lines += [f"- {argv[0]}: {first_line(argv)}" for argv in tools]
    # --dirty: a figure measured on uncommitted changes says so.
    commit = first_line(["git", "-C", str(REPO), "describe", "--always", "--dirty"])
    return [*lines, f"- traced: {commit}"]


def invocation(script: str, argv: Sequence[str] | None) -> str:
    """The command line that made a report, as it can be typed again from the repository.

    ``argv`` is what the script's ``main(argv)`` got (None: its command line)."""
    inside = sys.executable.startswith(str(REPO))
    python = os.path.relpath(sys.executable, REPO) if inside else "python"
    args = sys.argv[1:] if argv is None else argv
    return shlex.join([python, os.path.relpath(script, REPO), *args])


def report_head(
    title: str, script: str, argv: Sequence[str] | None, extra: Sequence[str] = ()
) -> list[str]:
    """A report's first lines: its title, how it was made, the machine, then ``extra``."""
    return [f"## {title}", "", f"`{invocation(script, argv)}`", "", *machine_lines(), *extra, ""]


# --- the traced that benchmarks time -------------------------------------------------

# Where every benchmark's traced is installed, as the README's ``pip install .`` does it.
INSTALLED = REPO / "bench" / "out" / "venv"


def install(venv: Path) -> None:
    """``venv`` holding this tree as ``pip install .`` installs it: compiled, no ``.pth``.

    Not the repository's editable .venv: its ``.pth`` imports a finder (importlib.util,
    pathlib) at every start, and where PYTHONDONTWRITEBYTECODE is set (these machines set
    it) every module changed since its ``.pyc`` was written is compiled again at every
    start: tens of ms a launch that no installed traced pays.  compileall makes sure of
    the bytecode whatever pip did with that variable.
    """
    python = venv / "bin" / "python"
    if not python.exists():
        note(f"creating {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(REPO)], check=True)
    note(f"installing this tree into {venv}")
    pip = [str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall"]
    subprocess.run([*pip, str(REPO)], check=True, capture_output=True)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run([str(python), "-m", "compileall", "-q", f"{site}/traced"], check=True)


@functools.cache
def installed_venv() -> Path:
    """:data:`INSTALLED`, refreshed with this tree once per benchmark process."""
    install(INSTALLED)
    return INSTALLED


def venv_bin(name: str) -> str:
    """``name`` (``traced``, its ``python``) from :func:`installed_venv`."""
    return str(installed_venv() / "bin" / name)


def compile_program(source: Path, binary: Path, libs: Sequence[str] = ()) -> Path:
    """``gcc -O2 -Wall`` of one C file into ``binary``."""
    argv = ["gcc", "-O2", "-Wall", "-o", str(binary), str(source), *libs]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"gcc failed for {source}:\n{done.stderr}")
    return binary


def compile_loop(workdir: Path) -> Path:
    return compile_program(LOOP_SOURCE, workdir / "syscall_loop")


@dataclass
class LoadLog:
    """The 1-minute load average: when measuring began, before each round, at the end."""

    threshold: float
    start: float = 0.0
    waited_s: float = 0.0
    rounds: list[float] = field(default_factory=list)
    end: float = 0.0

    @property
    def loaded(self) -> bool:
        return self.start > self.threshold


def one_minute_load() -> float:
    return os.getloadavg()[0]


def wait_for_quiet(log: LoadLog, max_wait_s: float, poll_s: float = 15.0) -> None:
    """Wait (up to ``max_wait_s``) for the 1-min load to drop to the threshold."""
    began = time.monotonic()
    while True:
        load, waited = one_minute_load(), time.monotonic() - began
        if load <= log.threshold or waited >= max_wait_s:
            log.start, log.waited_s = load, waited
            if load > log.threshold:
                note(f"WARNING: 1-min load {load:.2f} > {log.threshold}; measuring anyway")
            return
        note(f"1-min load {load:.2f} > {log.threshold}: waiting ({waited:.0f}/{max_wait_s:.0f} s)")
        time.sleep(min(poll_s, max_wait_s - waited))


def time_run(argv: list[str], log_path: Path, timeout_s: float, cwd: Path | None = None) -> float:
    """Wall seconds of one run, which must exit 0; its stdout and stderr go to ``log_path``.

    Not ``subprocess.run(timeout=...)``: that polls with sleeps of up to 50 ms, which
    rounds every time up to a 50 ms step.  A blocking wait, and a watchdog thread that
    kills a run that hangs, with its whole process group (a hung tracer's tracees too).
    """
    with log_path.open("wb") as log:
        start = time.perf_counter()
        child = subprocess.Popen(
            argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
        watchdog = threading.Timer(timeout_s, os.killpg, (child.pid, signal.SIGKILL))
        watchdog.start()
        try:
            status = child.wait()
        finally:
            watchdog.cancel()
        elapsed = time.perf_counter() - start
    if status != 0:
        why = f"killed after {timeout_s:g} s" if status == -signal.SIGKILL else f"exited {status}"
        raise BenchError(f"{shlex.join(argv)} {why}; see {log_path}")
    return elapsed


def syscall_counts(trace: Path) -> Counter[str]:
    """Syscalls by name in a text trace (strace's or traced's)."""
    counts: Counter[str] = Counter()
    with trace.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            match = SYSCALL_LINE.match(line)
            if match:
                counts[match.group(1)] += 1
    return counts


def _counted(binary: Path, n: int, workdir: Path) -> Counter[str]:
    trace = workdir / f"calibrate-{n}.txt"
    argv = ["strace", "-f", "-o", str(trace), str(binary), str(n)]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return syscall_counts(trace)


def calibrate(binary: Path, sizes: set[int], workdir: Path) -> dict[int, Counter[str]]:
    """The loop's syscalls by name at each N, from two small `strace -f` runs.

    Every count is a + b*N (startup, then the loop), so two sizes fix a and b.
    """
    small, large = CALIBRATION_N
    low, high = _counted(binary, small, workdir), _counted(binary, large, workdir)

    def at(n: int) -> Counter[str]:
        names = low.keys() | high.keys()
        slope = {k: (high[k] - low[k]) / (large - small) for k in names}
        return Counter({k: round(low[k] + slope[k] * (n - small)) for k in names})

    return {n: at(n) for n in sizes}


@dataclass
class Sampler:
    """A sampling profiler's run: what it said on stderr, for a report with no samples."""

    stderr: str = ""


@contextlib.contextmanager
def sampling(command: Sequence[str], timeout_s: float = 60.0) -> Iterator[Sampler]:
    """Run a sampling profiler (``py-spy record``, ``perf record``) while the block runs.

    Both write their output when interrupted, so the block's end sends SIGINT and waits
    (killing one that does not end within ``timeout_s``)."""
    sampler = Sampler()
    process = subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield sampler
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
        sampler.stderr = err.decode(errors="replace").strip()[-200:]
