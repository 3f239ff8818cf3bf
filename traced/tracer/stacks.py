"""-k: the stops that take a stack trace take it here, while the tracee is stopped.

The shell of traced.core.stack: it keeps libunwind's address space and each
task's ptrace context (traced.linux.unwind), each task's /proc/PID/maps as read
at its last walk, and strace's generation count, which the return of a call that
may change the mappings (in any task) moves on, so that every task's maps are read
again at its next walk, and libunwind's cache of the mapped files is flushed then.

Kernel facts this module depends on:

* A walk reads the tracee's registers and stack by ptrace, which answers only
  while the tracee is in a ptrace-stop: read_stop calls in here before the plan
  and the restart, never later (the events are built after the restart).
* /proc/PID/maps lists the process's mappings as they are; between two calls of
  MAPPING_CHANGES (and their exits, which stop in every mode: the seccomp filter
  stops them under -k, traced.tracer.engine) nothing but the stack's own growth
  changes them, and the stack holds no code.
"""

from __future__ import annotations

from traced.core import stack
from traced.core.stops import Entry, Exit, GroupStop, SignalStop, Stop
from traced.core.tracee import EXEC_SYSCALLS
from traced.events import Frame, Stack, StackAt
from traced.linux import procfs
from traced.linux.unwind import Libunwind
from traced.logs import get_logger

_log = get_logger(__name__)


class _Maps:
    __slots__ = ("generation", "maps")

    def __init__(self, generation: int, maps: tuple[stack.Mapping, ...]) -> None:
        self.generation = generation
        self.maps = maps


class Stacks:
    """One trace's stack walks (Run.stacks): made before the command starts, so that
    a missing libunwind is said before anything runs (StackTraceUnavailable)."""

    def __init__(self, native: str, lib: Libunwind | None = None) -> None:
        """``native``: the ABI libunwind walks (x86_64); a task whose last call came
        through another (i386, x32) has no stack, as under strace built with libunwind."""
        self.lib = lib or Libunwind()
        self.native = native
        self.space = self.lib.address_space()
        self.generation = 0
        self._maps: dict[int, _Maps] = {}
        self._contexts: dict[int, int | None] = {}
        self._foreign: set[int] = set()  # tasks whose last call was of another ABI

    def syscall(self, stop: Stop, tid: int, prestart: bool, in_flight: Entry | None) -> Stop:
        """A syscall stop with its stack where strace takes one: at the entry of the
        calls CAPTURED_AT_ENTRY, at the exit of the others; and at the exit of a call
        that may change the mappings, every task's maps are stale."""
        if isinstance(stop, Entry):  # an InjectEntry too
            self._personality(tid, stop.abi)
            if (
                stop.wanted
                and stop.name in stack.CAPTURED_AT_ENTRY
                and not prestart
                and tid not in self._foreign
            ):
                return stop._replace(stack=self.walk(tid, "entry"))
            return stop
        if not isinstance(stop, Exit) or in_flight is None:
            return stop
        if stack.changes_mappings(in_flight.name):
            self.generation += 1
        if not in_flight.wanted or in_flight.stack is not None or tid in self._foreign:
            return stop
        if prestart and in_flight.name not in EXEC_SYSCALLS:
            return stop  # our own set-up before the command's exec: never shown
        return stop._replace(stack=self.walk(tid, "exit"))

    def _personality(self, tid: int, abi: str) -> None:
        if abi == self.native:
            self._foreign.discard(tid)
        else:
            self._foreign.add(tid)

    def signal(self, stop: SignalStop | GroupStop, tid: int, prestart: bool) -> Stop:
        """A signal's delivery or a group-stop, with the stack it stopped at."""
        if prestart or tid in self._foreign:
            return stop
        return stop._replace(stack=self.walk(tid, "stop"))

    def walk(self, tid: int, at: StackAt) -> Stack | None:
        """``tid``'s stack, innermost frame first, as strace's walk finds it; None
        where strace prints nothing (no maps to read: the task is gone)."""
        maps = self._current_maps(tid)
        context = self._context(tid)
        if maps is None or context is None:
            return None
        cursor = self.lib.cursor(self.space, context)
        if cursor is None:
            return Stack(at, ())
        frames: list[Frame] = []
        for _ in range(stack.FRAME_LIMIT):
            ip = cursor.ip()
            if ip is None:
                _log.warning("cannot walk the stack", tid=tid)
                break
            mapping = stack.find(maps, ip)
            if mapping is None or not mapping.executable:
                if ip:  # libunwind may say 0 after set_tid_address: no line then
                    frames.append(stack.lost(ip))
                break
            symbol, offset = cursor.proc_name()
            frames.append(stack.frame(mapping, ip, symbol, offset))
            if cursor.step() <= 0:
                break
        else:
            frames.append(stack.TOO_DEEP)
        return Stack(at, tuple(frames))

    def _current_maps(self, tid: int) -> tuple[stack.Mapping, ...] | None:
        cached = self._maps.get(tid)
        if cached is not None and cached.generation == self.generation:
            return cached.maps
        try:
            text = procfs.read_maps(tid)
        except OSError:
            self._maps.pop(tid, None)
            return None
        maps = stack.parse_maps(text)
        if not maps:
            self._maps.pop(tid, None)
            return None
        self._maps[tid] = _Maps(self.generation, maps)
        self.lib.flush(self.space)  # libunwind's idea of the mapped files, renewed too
        return maps

    def _context(self, tid: int) -> int | None:
        if tid not in self._contexts:
            self._contexts[tid] = self.lib.context(tid)
        return self._contexts[tid]

    def forget(self, tid: int) -> None:
        """``tid`` is gone: its context and maps go with it."""
        self._maps.pop(tid, None)
        self._foreign.discard(tid)
        context = self._contexts.pop(tid, None)
        if context is not None:
            self.lib.release(context)

    def close(self) -> None:
        for tid in list(self._contexts):
            self.forget(tid)
        self._maps.clear()
        self.lib.close(self.space)
