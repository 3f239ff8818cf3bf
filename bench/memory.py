"""Memory: the daemon's RSS when idle, and its growth per traced task with 1,000 alive.

    .venv/bin/python bench/memory.py [--quick] [--rounds N] [--tasks 1000]

What is measured, and why: the daemon is long-lived and traces many programs, so its
resident memory when nothing is traced, and what each traced task (thread or process)
costs it, bound how much it can trace on a small machine.  Targets: idle <= 60 MiB,
<= 50 KiB per task.

Each measurement starts a fresh daemon on a private socket (no config file: defaults
allow 4,096 tasks per session, and one tracer worker process per CPU) and reads
``VmRSS`` from ``/proc/PID/status`` of the daemon and of each of its workers, summed
(pages they share, such as the interpreter's, count once per process):

1. **idle, cold**: as soon as its socket exists (imports done, nothing served yet);
2. **warm**: after a client connected (``hello``) and a warm-up launch of the same
   program with 10 tasks ran to its ``session_end`` (so code paths, caches and the
   allocator's pools for a session are already there), then 0.3 s of quiet: the
   tracer worker that session started is still there (the base of the growth per task);
   **idle**: then once that worker has left (``IDLE_SECONDS`` without a session,
   daemon/workers.py): the daemon as a service spends its idle hours, the idle target;
3. **with N tasks**: a launch (``trace: "none"``: process events only, ``policy: block``)
   of a C program (compiled here) that makes N threads (``pthread_create``, 64 KiB stacks)
   or N child processes (``fork``) which all block on ``read`` of a pipe.  Once the client
   has received N ``spawn`` events of that kind (and ``list`` reports N+1 tasks in the
   session, and every spawned task's ``TracerPid`` is the daemon or one of its
   workers) and after 0.3 s of
   quiet, RSS is read;
4. **after**: the program is released (its main thread waits on a FIFO the benchmark
   opens and closes; it then closes the pipe's write end, so every blocked ``read`` gets
   EOF), the client waits for ``session_end``, 0.3 s of quiet, RSS again: what the daemon
   keeps after the tasks are gone.  The peak (``VmHWM``) over the daemon's life is
   shown too.

Growth per task = (with N tasks - idle warm) / N.  Threads and processes alternate within
each round (a fresh daemon each); figures are medians over rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from daemon_client import (
    AsyncClient,
    Daemon,
    Message,
    compile_c,
    median,
    raise_nofile,
    running_daemon,
    status_kib,
    system_lines,
    task_count,
    worker_pids,
)
from measure import BenchError, note, report_head
from traced.daemon.workers import IDLE_SECONDS

PROGRAM = r"""
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int pipefd[2];

static void *blocker(void *arg) {
    char c;
    (void)arg;
    while (read(pipefd[0], &c, 1) > 0)
        ;
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s threads|procs N FIFO\n", argv[0]);
        return 2;
    }
    int threads = strcmp(argv[1], "threads") == 0;
    int n = atoi(argv[2]);
    if (pipe(pipefd) != 0) { perror("pipe"); return 1; }
    pthread_t *tids = calloc(n, sizeof *tids);
    pid_t *pids = calloc(n, sizeof *pids);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (int i = 0; i < n; i++) {
        if (threads) {
            int rc = pthread_create(&tids[i], &attr, blocker, NULL);
            if (rc != 0) { fprintf(stderr, "pthread_create %d: %s\n", i, strerror(rc)); return 1; }
        } else {
            pid_t pid = fork();
            if (pid < 0) { perror("fork"); return 1; }
            if (pid == 0) {
                close(pipefd[1]);
                blocker(NULL);
                _exit(0);
            }
            pids[i] = pid;
        }
    }
    /* Wait to be released: the benchmark opens the FIFO and closes it. */
    int fd = open(argv[3], O_RDONLY);
    if (fd < 0) { perror("open fifo"); return 1; }
    char c;
    while (read(fd, &c, 1) > 0)
        ;
    close(fd);
    close(pipefd[1]);
    for (int i = 0; i < n; i++) {
        if (threads)
            pthread_join(tids[i], NULL);
        else
            waitpid(pids[i], NULL, 0);
    }
    return 0;
}
"""

TITLE = "Memory: daemon RSS idle, and growth per traced task"
IDLE_TARGET_MIB = 60
PER_TASK_TARGET_KIB = 50
SETTLE_S = 0.3
IDLE_GRACE_S = 3.0  # past IDLE_SECONDS, for an idle worker to be seen gone
WAIT_S = 120.0
KINDS = ("threads", "processes")


@dataclass
class Sample:
    kind: str
    tasks: int
    cold_kib: int
    warm_kib: int
    idle_kib: int
    with_kib: int
    after_kib: int
    spawn_s: float
    peak_kib: int

    @property
    def per_task_kib(self) -> float:
        return (self.with_kib - self.warm_kib) / self.tasks


class SessionWatch:
    """The spawn events of one launch's stream; waits for all of them, and for its end."""

    def __init__(self, thread: bool, wanted: int) -> None:
        self.thread = thread
        self.wanted = wanted
        self.all_spawned = asyncio.Event()
        self.ended = asyncio.Event()
        self.end: Message | None = None
        self.lost = 0
        self.tids: list[int] = []

    def __call__(self, message: Message, received: int) -> None:
        kind = message.get("type")
        if kind == "spawn" and bool(message.get("thread")) == self.thread:
            self.tids.append(int(message["tid"]))
            if len(self.tids) >= self.wanted:
                self.all_spawned.set()
        elif kind == "lost":
            self.lost += int(message["count"])
        elif kind == "session_end":
            self.end = message
            self.ended.set()


async def release(fifo: Path) -> None:
    """Open the FIFO for writing (once the program has it open for reading), close it."""
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno != errno.ENXIO or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.01)
            continue
        os.close(fd)
        return


def tracer_of(tid: int) -> int:
    """TracerPid of task ``tid`` (0: none, -1: gone)."""
    try:
        status = Path(f"/proc/{tid}/status").read_text()
    except FileNotFoundError:
        return -1
    for line in status.splitlines():
        if line.startswith("TracerPid:"):
            return int(line.split()[1])
    return 0


def daemon_kib(daemon: Daemon, key: str) -> int:
    """A KiB figure (VmRSS, VmHWM) of the daemon and its tracer workers, summed."""
    return sum(status_kib(pid, key) for pid in (daemon.pid, *worker_pids(daemon.pid)))


async def traced_tasks(
    daemon: Daemon, program: Path, kind: str, n: int, fifo: Path, *, measure_rss: bool
) -> tuple[int, int, float]:
    """Launch the program with ``n`` tasks; (RSS with them, RSS after, seconds to spawn)."""
    watch = SessionWatch(thread=kind == "threads", wanted=n)
    client = await AsyncClient.connect(daemon.socket, watch)
    try:
        argv = [str(program), kind, str(n), str(fifo)]
        start = time.perf_counter()
        launched = await client.request(
            "launch", argv=argv, trace="none", stdio=False, policy="block"
        )
        await asyncio.wait_for(watch.all_spawned.wait(), WAIT_S)
        spawn_s = time.perf_counter() - start
        if watch.lost:  # policy block: the daemon must not drop a single event
            raise BenchError(f"{watch.lost} events lost under policy block")
        session = launched["session"]
        listed = await client.request("list")
        tasks = [s["tasks"] for s in listed["sessions"] if s["session"] == session]
        if tasks != [n + 1]:
            raise BenchError(f"list says {tasks} tasks in the session, expected {n + 1}")
        if kind == "threads" and task_count(launched["pid"]) != n + 1:
            raise BenchError(f"/proc says {task_count(launched['pid'])} threads")
        tracers = {daemon.pid, *worker_pids(daemon.pid)}
        not_ours = [t for t in watch.tids if tracer_of(t) not in tracers]
        if not_ours:
            raise BenchError(f"{len(not_ours)} tasks not traced by the daemon, e.g. {not_ours[0]}")
        with_kib = after_kib = 0
        if measure_rss:
            await asyncio.sleep(SETTLE_S)
            with_kib = daemon_kib(daemon, "VmRSS")
        await release(fifo)
        await asyncio.wait_for(watch.ended.wait(), WAIT_S)
        if watch.end is None or watch.end.get("code") != 0:
            raise BenchError(f"the program ended with {watch.end}; see {daemon.log}")
        if measure_rss:
            await asyncio.sleep(SETTLE_S)
            after_kib = daemon_kib(daemon, "VmRSS")
        return with_kib, after_kib, spawn_s
    finally:
        await client.close()


async def sample_async(daemon: Daemon, program: Path, kind: str, n: int, workdir: Path) -> Sample:
    cold = daemon_kib(daemon, "VmRSS")
    fifo = workdir / f"release-{kind}"
    if not fifo.exists():
        os.mkfifo(fifo)
    await traced_tasks(daemon, program, kind, 10, fifo, measure_rss=False)
    await asyncio.sleep(SETTLE_S)
    warm = daemon_kib(daemon, "VmRSS")
    deadline = time.monotonic() + IDLE_SECONDS + IDLE_GRACE_S
    while worker_pids(daemon.pid) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    idle = daemon_kib(daemon, "VmRSS")
    with_kib, after_kib, spawn_s = await traced_tasks(
        daemon, program, kind, n, fifo, measure_rss=True
    )
    peak = daemon_kib(daemon, "VmHWM")
    return Sample(kind, n, cold, warm, idle, with_kib, after_kib, spawn_s, peak)


def sample(program: Path, kind: str, n: int, workdir: Path, index: int) -> Sample:
    with running_daemon(workdir, None, name=f"d{index}") as daemon:
        return asyncio.run(sample_async(daemon, program, kind, n, workdir))


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def mark(met: bool) -> str:
    return "✓" if met else "✗"


def report(samples: list[Sample], n: int, rounds: int, argv: Sequence[str] | None) -> str:
    out = [
        *report_head(TITLE, __file__, argv, system_lines()),
        f"A fresh daemon (default config) per measurement; {n:,} tasks alive at once; "
        f"median of {rounds} rounds, threads and processes alternating.",
        "",
        "| tasks | idle cold MiB | warm MiB | idle MiB | with tasks MiB | after end MiB "
        "| peak MiB | growth per task KiB | spawn time s | runs (per task KiB) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    verdicts: list[str] = []
    for kind in KINDS:
        mine = [s for s in samples if s.kind == kind]
        if not mine:
            continue
        per = median([s.per_task_kib for s in mine])
        each = ", ".join(f"{s.per_task_kib:.2f}" for s in mine)
        out.append(
            f"| {n:,} {kind} | {mib(median([s.cold_kib for s in mine]))} "
            f"| {mib(median([s.warm_kib for s in mine]))} "
            f"| {mib(median([s.idle_kib for s in mine]))} "
            f"| {mib(median([s.with_kib for s in mine]))} "
            f"| {mib(median([s.after_kib for s in mine]))} "
            f"| {mib(median([s.peak_kib for s in mine]))} | {per:.2f} "
            f"| {median([s.spawn_s for s in mine]):.2f} | {each} |"
        )
        verdicts.append(
            f"- daemon RSS growth per traced task ({n:,} {kind} alive): **{per:.2f} KiB** "
            f"(target ≤ {PER_TASK_TARGET_KIB} KiB) {mark(per <= PER_TASK_TARGET_KIB)}"
        )
    idle = median([s.idle_kib for s in samples])
    warm = median([s.warm_kib for s in samples])
    cold = median([s.cold_kib for s in samples])
    out += [
        "",
        f"- daemon RSS idle (after a session, its worker gone): **{mib(idle)} MiB** (cold, "
        f"right after start: {mib(cold)} MiB; with the session's worker still there: "
        f"{mib(warm)} MiB; target ≤ {IDLE_TARGET_MIB} MiB) {mark(idle <= IDLE_TARGET_MIB * 1024)}",
        *verdicts,
        "",
    ]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds instead of 5")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--tasks", type=int, default=1000)
    args = parser.parse_args(argv)
    rounds = args.rounds or (2 if args.quick else 5)
    raise_nofile()
    samples: list[Sample] = []
    with tempfile.TemporaryDirectory(prefix="traced-memory-") as tmp:
        workdir = Path(tmp)
        program = compile_c(PROGRAM, workdir, "blockers", ["-pthread"])
        index = 0
        for r in range(rounds):
            kinds = KINDS if r % 2 == 0 else KINDS[::-1]
            for kind in kinds:
                index += 1
                s = sample(program, kind, args.tasks, workdir, index)
                samples.append(s)
                note(
                    f"round {r + 1}/{rounds} {kind}: cold {mib(s.cold_kib)} MiB, warm "
                    f"{mib(s.warm_kib)} MiB, idle {mib(s.idle_kib)} MiB, "
                    f"with {s.tasks} {mib(s.with_kib)} MiB, after "
                    f"{mib(s.after_kib)} MiB, {s.per_task_kib:.2f} KiB/task, "
                    f"spawned in {s.spawn_s:.2f} s"
                )
    print(report(samples, args.tasks, rounds, argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
