"""A tracer worker's side of its channel: orders in, the engine's sessions, reports out.

The process around it is daemon.worker_main; the front's side is daemon.workers.

Each session's events go out as the engine delivers them, encoded once
(channel.EventOut), at most a window ahead of what the front has read
(daemon.credit).  A hold from the front takes effect with the session's next
event, as it would in a daemon with one loop, where a hold comes from an event's
delivery: the tracee then stays at the stop after that event's, the entry of its
next traced syscall.  A drain of the reactor may make a hundred events before the
loop reads the channel again, so the sink reads it every few events, and notes
the holds it finds.  Every other order is handled from the loop, in turn (none
may run inside the reactor's delivery).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
from collections import Counter, deque
from collections.abc import Callable

from traced import decoders
from traced.daemon import channel
from traced.daemon.channel import (
    Attach,
    Detach,
    Done,
    Ended,
    EventOut,
    Faults,
    Hold,
    Launch,
    Read,
    Refused,
    Release,
    Signal,
    SpawnFailure,
    Started,
    TaskCount,
)
from traced.daemon.credit import Window
from traced.daemon.link import Link
from traced.daemon.orders import spec_of
from traced.errors import TracedError, code_of
from traced.events import Event, SyscallEntryEvent, SyscallEvent
from traced.logs import get_logger
from traced.tracer.engine import Engine
from traced.tracer.run import Run

_log = get_logger(__name__)

POLL_EVENTS = 16  # events sent between two reads of the channel, for a hold
POLL_BYTES = 16 * 1024  # or bytes, whichever comes first
FAULTS_SECONDS = 1.0  # how often the decoder failures are compared with those sent
STOP_SECONDS = 2.0  # at the end, how long the sessions have to be let go of


def refusal(ref: int, error: BaseException) -> Refused:
    """An order's failure as the front's handler would have answered it."""
    if isinstance(error, TracedError):
        errno_name = error.errno_name if error.errno else None
        return Refused(ref, code_of(error).value, str(error), errno_name)
    return Refused(ref, code_of(error).value, f"{type(error).__name__}: {error}", None)


class Worker:
    def __init__(self, engine: Engine, sock: socket.socket) -> None:
        self.engine = engine
        self.runs: dict[int, Run] = {}
        self.windows: dict[int, Window] = {}
        self._task_counts: dict[int, int] = {}  # per session, the last TaskCount sent
        self.launched: set[int] = set()
        self.ended = asyncio.Event()  # the channel is gone: stop
        self._holds: Counter[int] = Counter()  # the front's, per session: let go at the end
        self._holds_due: Counter[int] = Counter()  # read, to take effect at the next event
        self._orders: deque[object] = deque()  # read, to be handled from the loop
        self._orders_due = False
        self._unpolled = 0  # bytes sent since the channel was last read
        self._unpolled_events = 0
        self._faults: dict[str, int] = {}
        self._watches: set[asyncio.Task[None]] = set()
        self.link = Link(
            sock, channel.order_reader(), on_messages=self._on_orders, on_end=self.ended.set
        )
        loop = asyncio.get_running_loop()
        self._faults_timer = loop.call_later(FAULTS_SECONDS, self._send_faults)

    # --- orders -------------------------------------------------------------------------

    def _on_orders(self, orders: list[object]) -> None:
        for order in orders:
            if isinstance(order, Hold):  # noted at once: see the module's notes
                if order.key in self.runs:
                    self._holds_due[order.key] += 1
            else:
                self._orders.append(order)
        if self._orders and not self._orders_due:
            self._orders_due = True
            asyncio.get_running_loop().call_soon(self._handle_orders)

    def _handle_orders(self) -> None:
        self._orders_due = False
        while self._orders:
            order = self._orders.popleft()
            try:
                self._handle(order)
            except Exception as error:  # a bug: the order is answered, the others go on
                _log.exception("cannot carry out an order", order=type(order).__name__)
                if isinstance(order, Launch | Attach | Signal):
                    self.link.send(refusal(order.ref, error))

    def _handle(self, order: object) -> None:
        if isinstance(order, Read):
            self._read(order)
        elif isinstance(order, Launch):
            self._launch(order)
        elif isinstance(order, Attach):
            self._attach(order)
        elif isinstance(order, Signal):
            self._signal(order)
        elif (run := self.runs.get(getattr(order, "key", -1))) is not None:
            if isinstance(order, Release):
                self._release(order.key, run)
            elif isinstance(order, Detach):
                run.detach()

    def _release(self, key: int, run: Run) -> None:
        if self._holds_due[key]:  # never took effect: it is only forgotten
            self._holds_due[key] -= 1
            return
        self._holds[key] -= 1
        run.release()

    def _take_holds(self, key: int) -> None:
        """The holds noted for this session take effect, after the event just sent."""
        count = self._holds_due.pop(key, 0)
        run = self.runs[key]
        for _ in range(count):
            run.hold()
        self._holds[key] += count

    def _read(self, order: Read) -> None:
        for key, count in order.counts:
            window = self.windows.get(key)
            if window is not None and window.read(count):
                self.runs[key].release()

    def _launch(self, order: Launch) -> None:
        fds = self.link.take_fds(order.fds)
        try:
            spec = spec_of(order, fds)
            run = self.engine.launch(spec, order.policy, self._sink(order.key), order.session)
        except Exception as error:
            self.link.send(refusal(order.ref, error))
            return
        finally:  # the command has its copies by now
            for fd in set(fds):
                os.close(fd)
        self.launched.add(order.key)
        self._started(order.ref, order.key, run)

    def _attach(self, order: Attach) -> None:
        try:
            run = self.engine.attach(order.pid, order.policy, self._sink(order.key), order.session)
        except Exception as error:
            self.link.send(refusal(order.ref, error))
            return
        self._started(order.ref, order.key, run)

    def _started(self, ref: int, key: int, run: Run) -> None:
        self.runs[key] = run
        self.link.send(Started(ref, key, run.core.root_tid, len(run.core.tasks)))
        task = asyncio.get_running_loop().create_task(self._watch(key, run))
        self._watches.add(task)
        task.add_done_callback(self._watches.discard)

    def _signal(self, order: Signal) -> None:
        run = self.runs.get(order.key)
        try:
            if run is None:
                raise ProcessLookupError
            run.signal(order.signo)
        except ProcessLookupError:
            self.link.send(Refused(order.ref, "not_found", "the session has ended", None))
        except PermissionError as error:
            self.link.send(Refused(order.ref, "permission_denied", str(error), None))
        else:
            self.link.send(Done(order.ref))

    # --- reports --------------------------------------------------------------------------

    def _sink(self, key: int) -> Callable[[Event], None]:
        link = self.link
        send = link.send
        window = self.windows[key] = Window()
        counted = self._task_counts
        holds_due = self._holds_due

        def sink(event: Event) -> None:
            before = link.backlog
            if isinstance(event, SyscallEvent):
                send(EventOut(key, event.pid, channel.SYSCALL, event.name, event))
            elif isinstance(event, SyscallEntryEvent):
                send(EventOut(key, event.pid, channel.ENTRY, event.name, event))
            else:  # a spawn, exec or exit may change the count ``list`` shows: said with it
                send(EventOut(key, event.pid, channel.OTHER, None, event))
                # An attach may report before it returns its run (a refused --filter).
                run = self.runs.get(key)
                if run is not None and (tasks := len(run.core.tasks)) != counted.get(key):
                    counted[key] = tasks  # a signal or a group-stop changes none
                    send(TaskCount(key, tasks))
            size = link.backlog - before
            if window.sent(size) and key in self.runs:
                self.runs[key].hold()
            if key in holds_due:
                self._take_holds(key)
            self._unpolled += size
            self._unpolled_events += 1
            if self._unpolled >= POLL_BYTES or self._unpolled_events >= POLL_EVENTS:
                self._unpolled = self._unpolled_events = 0
                link.poll()

        return sink

    async def _watch(self, key: int, run: Run) -> None:
        outcome = await run.wait()
        self.runs.pop(key, None)
        self.windows.pop(key, None)
        self._task_counts.pop(key, None)
        self._holds.pop(key, None)
        self._holds_due.pop(key, None)
        self.launched.discard(key)
        error = run.spawn_error
        spawn = SpawnFailure(error.program, error.errno, error.stage) if error else None
        code = outcome.code if outcome else None
        signo = outcome.signal if outcome else None
        self.link.send(Ended(key, code, signo, run.runaway, spawn))

    def _send_faults(self) -> None:
        counts = decoders.failures()
        if counts != self._faults:
            self._faults = counts
            self.link.send(Faults(counts))
        loop = asyncio.get_running_loop()
        self._faults_timer = loop.call_later(FAULTS_SECONDS, self._send_faults)

    # --- the end --------------------------------------------------------------------------

    async def stop(self) -> None:
        """The front is gone or done: let go of every session, as a stopping daemon
        does (a launched command killed, an attached process detached).  Nothing
        holds a session any more: a held tracee could not be let go."""
        self._faults_timer.cancel()
        for key, run in list(self.runs.items()):
            for _ in range(self._holds.pop(key, 0)):
                run.release()
            window = self.windows.get(key)
            if window is not None and window.held:
                window.held = False
                run.release()
            if key in self.launched:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    run.signal(signal.SIGKILL)
            else:
                run.detach()
        if self._watches:
            await asyncio.wait(set(self._watches), timeout=STOP_SECONDS)
