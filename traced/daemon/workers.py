"""Tracer workers, from the front: one process per core, each tracing the sessions
it was handed (daemon.worker_main), each reached by its channel (daemon.channel).

Kernel facts this module depends on:

* A worker is a fresh interpreter (fork and exec), started while the front's loop
  runs: a fork without exec would copy the loop and its fds.  Its end of the
  socket pair is the only fd it is given, besides stdio for its logs.
* pidfd_open (Linux 5.3) gives an fd that is readable once the process has exited:
  the loop learns of a worker's death without SIGCHLD (uvloop keeps that for
  itself).  Its zombie is then reaped here, and its status read.
* A worker that dies takes its launched commands with it (PTRACE_O_EXITKILL) and
  the kernel detaches its attached processes: its sessions end, with an error
  that says so.  A worker the front closes its channel on stops (see worker_main).

Workers start on demand and leave when idle, so an idle daemon is the front alone
(bench/memory.py): a session goes to the worker with the fewest (launched, attached
or starting), unless that one has some already and fewer than ``workers`` run, when
it goes to a new one; a worker left with none for IDLE_SECONDS is closed.  An order
sent to a worker still starting waits in its channel until it reads it.  A worker
that dies is not replaced as such: the next session starts one, as any other, so
one that cannot start costs one process per session asked for, never a loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Callable

from traced.daemon import channel
from traced.daemon.channel import (
    Attach,
    Ended,
    EventIn,
    Faults,
    Read,
    Refused,
    Started,
    TaskCount,
)
from traced.daemon.hub import DaemonSession, EngineSession, Hub
from traced.daemon.link import Link
from traced.daemon.orders import launch_order
from traced.daemon.remote import RemoteSession
from traced.daemon.systemd import scrub_environment
from traced.errors import ErrorCode, RequestError
from traced.logs import get_logger
from traced.syscalls.arch import Arch, host_arch
from traced.tracer.run import TracePolicy
from traced.tracer.spawn import LaunchSpec

_log = get_logger(__name__)
# An order to a worker, and the fds that go with it.
Order = tuple[object, list[int]]
IDLE_SECONDS = 10.0  # a worker without a session this long is closed
STOP_SECONDS = 5.0  # a closed worker's time to let go of its sessions and exit


def exit_words(returncode: int) -> str:
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit status {returncode}"


class WorkerProcess:
    """One worker: its process, its channel, the sessions it runs."""

    def __init__(
        self, index: int, log_level: int, on_exit: Callable[[WorkerProcess], None]
    ) -> None:
        self.index = index
        front, back = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        with back:
            argv = [sys.executable, "-m", "traced.daemon.worker_main", str(back.fileno())]
            self.process = subprocess.Popen(
                [*argv, str(log_level)],
                pass_fds=(back.fileno(),),
                stdin=subprocess.DEVNULL,
                env=scrub_environment(os.environ),
            )
        self.pid = self.process.pid
        self.sessions: dict[int, RemoteSession] = {}
        self.faults: dict[str, int] = {}
        self.gone = asyncio.Event()
        self.retiring = False  # closed for being idle: its exit is no failure
        self._idle: asyncio.TimerHandle | None = None
        self._asked: dict[int, asyncio.Future[object]] = {}
        self._refs = itertools.count(1)
        self._on_exit = on_exit
        self.link = Link(
            front, channel.report_reader(), on_messages=self._on_reports, on_end=self._on_end
        )
        self._pidfd = os.pidfd_open(self.pid)
        asyncio.get_running_loop().add_reader(self._pidfd, self._exited)

    def add(self, key: int, session: RemoteSession) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        self.sessions[key] = session

    def drop(self, key: int) -> RemoteSession | None:
        """The session is over (or never started): if it was the last, idle from now."""
        session = self.sessions.pop(key, None)
        if not self.sessions and self._idle is None and not self.gone.is_set():
            self._idle = asyncio.get_running_loop().call_later(IDLE_SECONDS, self.retire)
        return session

    def retire(self) -> None:
        """Close an idle worker's channel: it exits, having nothing to let go of."""
        self._idle = None
        if self.sessions or self.gone.is_set() or self.retiring:
            return
        self.retiring = True
        self.link.finish()

    def send(self, message: object, fds: list[int] | None = None, *, now: bool = False) -> None:
        self.link.send(message, fds or (), now=now)

    def ask(self, make: Callable[[int], Order]) -> asyncio.Future[object]:
        """Send the order (and its fds) ``make(ref)`` makes; the future gets its
        answer, or the RequestError it was refused with."""
        answer: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        if self.gone.is_set():
            answer.set_exception(self._died_error())
            return answer
        ref = next(self._refs)
        self._asked[ref] = answer
        order, fds = make(ref)
        self.send(order, fds)
        return answer

    def _on_reports(self, reports: list[object]) -> None:
        sessions = self.sessions
        read: dict[int, int] = {}  # events read, per session: the worker's credit
        for report in reports:
            if type(report) is EventIn:  # nearly every report: first, and inline
                key = report.key
                read[key] = read.get(key, 0) + 1
                session = sessions.get(key)
                if session is None:
                    continue
                counted = report.kind == channel.SYSCALL
                try:
                    session.deliver(report.pid, report.name, counted, memoryview(report.event))
                except Exception:  # as Run.deliver: one bad event must not stall the rest
                    _log.exception("cannot publish an event", worker=self.pid, key=key)
            else:
                self._on_control(report)
        if read:
            self.link.send(Read(tuple(read.items())))

    def _on_control(self, report: object) -> None:
        if isinstance(report, TaskCount):
            if (session := self.sessions.get(report.key)) is not None:
                session.task_count = report.tasks
        elif isinstance(report, Ended):
            if (session := self.drop(report.key)) is not None:
                session.ended(report)
        elif isinstance(report, Faults):
            self.faults = report.counts
        else:
            self._answered(report)

    def _answered(self, report: object) -> None:
        answer = self._asked.pop(getattr(report, "ref", -1), None)
        if answer is None or answer.done():
            return
        if isinstance(report, Started):
            session = self.sessions.get(report.key)
            if session is not None:
                session.started(report.pid, report.tasks)
        if isinstance(report, Refused):
            answer.set_exception(RequestError(report.code, report.message, report.errno))
        else:
            answer.set_result(report)

    def _on_end(self) -> None:
        """Its channel is gone: it is exiting, or must."""
        asyncio.get_running_loop().call_later(STOP_SECONDS, self.kill)

    def kill(self) -> None:
        if not self.gone.is_set():
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()

    def _died_error(self) -> RequestError:
        words = exit_words(self.process.returncode or 0)
        return RequestError(
            ErrorCode.INTERNAL, f"tracer worker {self.index} (pid {self.pid}) ended ({words})"
        )

    def _exited(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        asyncio.get_running_loop().remove_reader(self._pidfd)
        os.close(self._pidfd)
        self.process.wait()
        self.link.close()
        self.gone.set()
        error = self._died_error()
        for answer in self._asked.values():
            if not answer.done():
                answer.set_exception(error)
        self._asked.clear()
        sessions, self.sessions = self.sessions, {}
        for session in sessions.values():
            session.lost(
                f"its tracer worker (pid {self.pid}) ended ({exit_words(self.process.returncode)}):"
                " a launched command was killed with it, an attached process let go"
            )
        self._on_exit(self)


class WorkerPool:
    """Every session traced in a worker process (``workers`` ≥ 2), at most ``count``
    workers at once, started as sessions come (see the module's docstring)."""

    def __init__(self, count: int, hub: Hub, log_level: int) -> None:
        self.hub = hub
        self.count = count
        self._log_level = log_level
        self._keys = itertools.count(1)
        self._indexes = itertools.count()
        self._closing = False
        self.workers: list[WorkerProcess] = []  # running, or exiting
        self._dead_faults: Counter[str] = Counter()

    @property
    def arch(self) -> Arch:
        return host_arch()

    def _pick(self) -> WorkerProcess:
        live = [w for w in self.workers if not w.gone.is_set() and not w.retiring]
        least = min(live, key=lambda w: len(w.sessions)) if live else None
        if least is not None and (not least.sessions or len(live) >= self.count):
            return least
        return self._start_worker()

    def _start_worker(self) -> WorkerProcess:
        worker = WorkerProcess(next(self._indexes), self._log_level, self._exited)
        self.workers.append(worker)
        _log.info("tracer worker started", pid=worker.pid, index=worker.index)
        return worker

    async def _start(
        self,
        session: DaemonSession,
        make: Callable[[int, int], Order],
    ) -> EngineSession:
        worker = self._pick()
        key = next(self._keys)
        remote = RemoteSession(key, worker.send, worker.ask, self.hub.json_sink_for(session))
        worker.add(key, remote)  # before the order: its events may follow its answer
        try:
            await worker.ask(lambda ref: make(ref, key))
        except BaseException:
            worker.drop(key)
            raise
        # The answer to the client goes out in this very step, once the handler
        # returns; what the session said meanwhile follows it.
        asyncio.get_running_loop().call_soon(remote.open)
        return remote

    async def launch(
        self, spec: LaunchSpec, policy: TracePolicy, session: DaemonSession
    ) -> EngineSession:
        sid = session.session_id
        return await self._start(
            session, lambda ref, key: launch_order(ref, key, sid, spec, policy)
        )

    async def attach(self, pid: int, policy: TracePolicy, session: DaemonSession) -> EngineSession:
        sid = session.session_id
        return await self._start(session, lambda ref, key: (Attach(ref, key, sid, pid, policy), []))

    def decoder_failures(self) -> dict[str, int]:
        total = Counter(self._dead_faults)
        for worker in self.workers:
            total.update(worker.faults)
        return dict(total)

    def _exited(self, worker: WorkerProcess) -> None:
        self.workers.remove(worker)
        self._dead_faults.update(worker.faults)
        if worker.retiring or self._closing:
            _log.info("tracer worker left, idle", pid=worker.pid)
            return
        _log.error("tracer worker ended", pid=worker.pid, how=exit_words(worker.process.returncode))

    async def close(self) -> None:
        """Close every channel: each worker lets go of what it still traces, and exits."""
        self._closing = True
        workers = list(self.workers)
        for worker in workers:
            worker.link.finish()
        waits = [asyncio.create_task(w.gone.wait()) for w in workers]
        if not waits:
            return
        _done, late = await asyncio.wait(waits, timeout=STOP_SECONDS)
        for worker in workers:
            worker.kill()
        if late:
            await asyncio.wait(late)
