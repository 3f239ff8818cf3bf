"""Shared pieces of the daemon benchmarks (sessions.py, memory.py, latency.py).

- :func:`running_daemon`: a real ``python -m traced daemon`` on a private socket in a
  temporary folder, with a config file written from a dict (limits raised as a
  benchmark needs), stopped with SIGTERM at the end.
- :class:`AsyncClient`: a small asyncio protocol client made of nothing but a Unix
  socket and ``json``, as any third-party client would be: answers are matched to
  requests by ``id``; stream messages (events, ``lost``, ``session_end``) go to a
  callback, which gets the receive time (``time.time_ns()``) taken as soon as the
  line was read.
- Compiling a C workload, reading ``/proc`` (RSS, CPU time), medians and percentiles,
  and the lines about limits and load these reports add to :func:`measure.report_head`.

Progress goes to stderr (:func:`measure.note`); stdout carries only the Markdown report.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from measure import REPO, BenchError, compile_program, note, venv_bin

# Lines the daemon writes have no length bound (an exec event carries a whole argv).
READ_LIMIT = 64 * 1024 * 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The load when the benchmark began (this module is imported first thing).
START_LOAD = os.getloadavg()

Message = dict[str, Any]
# (message, receive time in CLOCK_REALTIME ns)
StreamHandler = Callable[[Message, int], None]


def _read_int(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return "?"


def system_lines() -> list[str]:
    """Markdown bullets for :func:`measure.report_head`: the limits, the load."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    start = ", ".join(f"{x:.2f}" for x in START_LOAD)
    end = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"- pid_max: {_read_int('/proc/sys/kernel/pid_max')}, threads-max: "
        f"{_read_int('/proc/sys/kernel/threads-max')}, RLIMIT_NOFILE: {soft}/{hard}",
        f"- load average (1/5/15 min) at start: {start}; at the end: {end} (the end "
        "includes this benchmark's own processes)",
        "- other benchmarks may run on this machine at the same time: figures are noisy",
    ]


def raise_nofile(wanted: int = 65536) -> int:
    """Raise our RLIMIT_NOFILE (the daemon inherits it); the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = max(soft, min(wanted, hard if hard != resource.RLIM_INFINITY else wanted))
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- statistics ---------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q``-quantile (0..1) by linear interpolation of sorted values."""
    if not sorted_values:
        return float("nan")
    pos = q * (len(sorted_values) - 1)
    low = int(pos)
    high = min(low + 1, len(sorted_values) - 1)
    frac = pos - low
    return sorted_values[low] * (1 - frac) + sorted_values[high] * frac


# --- compiling ---------------------------------------------------------------------------


def compile_c(source: str, workdir: Path, name: str, libs: Sequence[str] = ()) -> Path:
    """Compile C ``source`` with ``gcc -O2`` into ``workdir/name``."""
    src = workdir / f"{name}.c"
    src.write_text(source)
    return compile_program(src, workdir / name, libs)


# --- /proc -----------------------------------------------------------------------------


def status_kib(pid: int, key: str) -> int:
    """A KiB figure of ``/proc/PID/status``: ``VmRSS`` (resident now), ``VmHWM`` (its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise BenchError(f"no {key} for pid {pid}")


def cpu_split(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of ``pid`` (all its threads) so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    # after "pid (comm) ", fields[0] is the state (field 3): utime (14) is [11], stime [12]
    return int(fields[11]) / CLOCK_TICKS, int(fields[12]) / CLOCK_TICKS


def worker_pids(pid: int) -> list[int]:
    """The daemon's tracer workers (traced/daemon/workers.py): its children that run
    ``traced.daemon.worker_main``; none with ``workers`` 0 or 1."""
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    found = []
    for child in map(int, listed):
        try:
            argv = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"traced.daemon.worker_main" in argv:
            found.append(child)
    return found


def daemon_cpu_split(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of the daemon and its tracer workers so far."""
    splits = [cpu_split(p) for p in (pid, *worker_pids(pid))]
    return sum(user for user, _ in splits), sum(system for _, system in splits)


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def task_count(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except FileNotFoundError:
        return 0


# --- the daemon ------------------------------------------------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def config_text(config: Mapping[str, Mapping[str, object]]) -> str:
    """A TOML file from ``{section: {key: value}}``."""
    lines: list[str] = []
    for section, keys in config.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in keys.items())
        lines.append("")
    return "\n".join(lines)


def config_summary(config: Mapping[str, Mapping[str, object]]) -> str:
    """``[limits] max_sessions = 300, ...`` for the report."""
    parts = [
        f"`[{section}] {key} = {_toml_value(value)}`"
        for section, keys in config.items()
        for key, value in keys.items()
    ]
    return ", ".join(parts) if parts else "defaults (no config file)"


@dataclass
class Daemon:
    pid: int
    socket: Path
    log: Path


@contextmanager
def running_daemon(
    workdir: Path, config: Mapping[str, Mapping[str, object]] | None = None, name: str = "d"
) -> Iterator[Daemon]:
    """A daemon on ``workdir/name/traced.sock``; SIGTERM (then SIGKILL) when done."""
    home = workdir / name
    home.mkdir(parents=True, exist_ok=True)
    sock = home / "run" / "traced.sock"
    args = [venv_bin("traced"), "--socket", str(sock), "daemon"]
    if config:
        path = home / "config.toml"
        path.write_text(config_text(config))
        args += ["--config", str(path)]
    log_path = home / "daemon.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=REPO
        )
    try:
        deadline = time.monotonic() + 30
        while not sock.exists():
            if proc.poll() is not None:
                raise BenchError(f"daemon exited with {proc.returncode}; see {log_path}")
            if time.monotonic() > deadline:
                raise BenchError(f"daemon made no socket in 30 s; see {log_path}")
            time.sleep(0.01)
        yield Daemon(proc.pid, sock, log_path)
    except BaseException:
        tail = log_path.read_text(errors="replace").splitlines()[-20:]
        note("daemon log, last lines:\n" + "\n".join(tail))
        raise
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- the protocol client -----------------------------------------------------------------


class RequestError(BenchError):
    def __init__(self, message: Message) -> None:
        super().__init__(f"{message.get('code')}: {message.get('message')}")


class AsyncClient:
    """One connection: requests matched by ``id``, stream messages to ``on_stream``."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.on_stream: StreamHandler | None = None
        self._next_id = 0
        self._waiting: dict[int, asyncio.Future[Message]] = {}
        self._pump: asyncio.Task[None] | None = None

    @classmethod
    async def connect(cls, path: Path, on_stream: StreamHandler | None = None) -> AsyncClient:
        # A blocking connect(2), then asyncio: on a Unix socket whose listen backlog is
        # full (the daemon listens with SOMAXCONN, which more clients than that at once
        # still fill), a non-blocking connect fails with EAGAIN
        # and is not in progress, but asyncio takes it for "in progress", waits for
        # writability and believes it connected; the first recv then fails with EINVAL.
        # Many clients connecting at once hit this; a blocking connect waits for room.
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        try:
            sock.connect(str(path))
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        reader, writer = await asyncio.open_unix_connection(sock=sock, limit=READ_LIMIT)
        line = await reader.readline()
        if not line:
            raise BenchError("the daemon closed the connection before its hello")
        hello: Message = json.loads(line)
        if hello.get("type") != "hello":
            raise RequestError(hello)
        if hello.get("protocol") != 1:
            raise BenchError(f"unknown protocol version {hello.get('protocol')}")
        client = cls(reader, writer)
        client.on_stream = on_stream
        client._pump = asyncio.create_task(client._read_loop())
        return client

    async def _read_loop(self) -> None:
        # Chunks, split here, rather than readline(): one wake-up per chunk, not per
        # line, so that the client's own CPU time is not what limits a benchmark.
        read = self.reader.read
        loads = json.loads
        now = time.time_ns
        partial = b""
        try:
            while True:
                chunk = await read(1 << 20)
                received = now()
                if not chunk:
                    break
                lines = (partial + chunk).split(b"\n")
                partial = lines.pop()
                for line in lines:
                    self._dispatch(loads(line), received)
        finally:
            for future in self._waiting.values():
                if not future.done():
                    future.set_exception(BenchError("the daemon closed the connection"))

    def _dispatch(self, message: Message, received: int) -> None:
        kind = message.get("type")
        if kind in ("response", "error") and message.get("id") in self._waiting:
            self._waiting.pop(message["id"]).set_result(message)
        elif self.on_stream is not None:
            self.on_stream(message, received)

    async def request(self, op: str, **fields: object) -> Message:
        """Send a request; its ``result``, or RequestError."""
        self._next_id += 1
        request_id = self._next_id
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        data = json.dumps({"id": request_id, "op": op, **fields}, separators=(",", ":"))
        self.writer.write(data.encode() + b"\n")
        await self.writer.drain()
        answer = await future
        if answer["type"] == "error":
            raise RequestError(answer)
        result: Message = answer["result"]
        return result

    async def close(self) -> None:
        self.writer.close()
        with suppress(OSError):
            await self.writer.wait_closed()
        if self._pump is not None:
            await self._pump


class StreamCollector:
    """Checks one session's stream: contiguous ``seq`` from 1, no ``lost``, its end."""

    def __init__(self) -> None:
        self.last_seq = 0
        self.syscalls = 0
        self.lost = 0
        self.end: Message | None = None
        self.gaps = 0
        self.done = asyncio.Event()

    def __call__(self, message: Message, received: int) -> None:
        kind = str(message.get("type"))
        if kind == "session_end":
            self.end = message
            self.done.set()
            return
        if kind == "lost":
            self.lost += int(message["count"])
            return
        if "seq" not in message:
            return
        if message["seq"] != self.last_seq + 1:
            self.gaps += 1
        self.last_seq = message["seq"]
        if kind == "syscall":
            self.syscalls += 1

    def check(self, expected_syscalls: int | None = None) -> Message:
        """The session_end; BenchError unless the stream was complete (and had the
        syscalls expected)."""
        if self.end is None:
            raise BenchError("no session_end")
        if self.lost or self.gaps or self.end["seq"] != self.last_seq:
            raise BenchError(
                f"incomplete stream: lost={self.lost} gaps={self.gaps} "
                f"last seq {self.last_seq}, session_end seq {self.end['seq']}"
            )
        if expected_syscalls is not None and self.syscalls != expected_syscalls:
            raise BenchError(f"{self.syscalls} syscall events, expected {expected_syscalls}")
        return self.end


def which(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BenchError(f"{name} not found")
    return found
