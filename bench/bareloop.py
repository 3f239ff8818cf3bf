"""The Python floor: a ptrace tracer that does nothing but stop, ask and restart.

    python bench/bareloop.py [--filter FILE [--entry-only]] [--spin] [--decode FILE]
                             [--profile] [--stats FILE] -- CMD ...

What a tracer written in Python cannot do with less, per stop: ``waitpid``, one
``PTRACE_GET_SYSCALL_INFO`` (the fields unpacked: what stopped, which call, its result),
one restart.  No decoding, no events, no output.  bench/floor.py times it on real
workloads beside strace and traced: traced's time over this one's is what its
machinery costs beyond the language's floor.

- Full mode (no ``--filter``): ``PTRACE_SYSCALL`` at every stop, so every syscall makes
  an entry and an exit stop, as under ``strace -f`` without ``--seccomp-bpf``.
- Seccomp mode (``--filter FILE``, a program from traced.filter.bpf.compile_filter): the
  child installs it (traced.linux.seccomp) before exec; the loop restarts a seccomp
  stop with ``PTRACE_SYSCALL`` (so the call's exit stops too) and every other stop with
  ``PTRACE_CONT``, as traced and ``strace --seccomp-bpf`` do.
- ``--entry-only`` (with ``--filter``): a seccomp stop is restarted with ``PTRACE_CONT``,
  so a call makes one stop, not two, as ``traced launch --entry-only`` does; with
  ``--decode`` its line is written at that stop, without a result.
- ``--spin``: after each restart, poll ``waitpid(WNOHANG)`` for up to 200 µs (20 µs
  after a CONT) before blocking, as traced/core/spin.py does without its back-off: the
  next stop is caught without the wake-up of an idle CPU.
- ``--decode FILE``: the floor of a tracer that prints what strace prints.  Each call
  is also decoded with traced's own decoders (traced.decoders: every argument at its
  entry, what the kernel wrote at its exit) and written as one line, ``tid name(args) =
  result``, to FILE.  No reactor, session, state machine, event or printer: what is left
  is the language's floor plus the decoding that identical text cannot do without.
- ``--profile``: the loop's own time per stop kind (from waitpid's return to the
  restart's) and the time spent waiting, into ``--stats``; a few hundred ns a stop, so
  floor.py times only runs without it.

Kernel facts (traced/linux/ptrace.py and wait.py have them in full): PTRACE_SEIZE with
TRACEFORK/VFORK/CLONE makes every new task a tracee that starts in a PTRACE_EVENT_STOP;
a seized task runs until PTRACE_INTERRUPT, so the launch interrupts it once to start
it with the mode's restart; ``__WALL`` waits for threads too; a syscall stop is SIGTRAP
| 0x80 with TRACESYSGOOD; a restart of a task SIGKILLed meanwhile fails with ESRCH,
which is harmless (its death is reported by waitpid).  The exit status is the command's.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import struct
import sys
import time
from pathlib import Path
from typing import BinaryIO

from traced.core.abi import (
    FILTER_OPTIONS,
    LAUNCH_OPTIONS,
    PTRACE_CONT,
    PTRACE_EVENT_SECCOMP,
    PTRACE_EVENT_STOP,
    PTRACE_GET_SYSCALL_INFO,
    PTRACE_INTERRUPT,
    PTRACE_LISTEN,
    PTRACE_SEIZE,
    PTRACE_SYSCALL,
    WALL,
)
from traced.decoders.arguments import decode_entry, decode_exit, has_outputs
from traced.decoders.shapes import decode_result
from traced.events import Arg
from traced.linux import ptrace
from traced.linux.memory import TraceeMemory
from traced.syscalls.arch import host_arch
from traced.syscalls.names import errno_message, errno_name

_libc = ctypes.CDLL(None, use_errno=True)
_ptrace = _libc.ptrace
_ptrace.restype = ctypes.c_long
_INFO = ctypes.create_string_buffer(88)
_HEAD = struct.Struct("=B3xIQQ")  # op, arch, ip, sp
_CALL = struct.Struct("=Q6Q")  # entry and seccomp: nr, args
_RESULT = struct.Struct("=qB")  # exit: rval, is_error
OP_ENTRY, OP_EXIT, OP_SECCOMP = 1, 2, 3
SYSCALL_TRAP = signal.SIGTRAP | 0x80
GROUP_STOPS = {signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU}
KINDS = ("entry", "exit", "seccomp", "event", "signal")
ENTRY, EXIT, SECCOMP, EVENT, SIGNAL = range(5)
SPIN_NS = {PTRACE_SYSCALL: 200_000, PTRACE_CONT: 20_000}


class Loop:
    def __init__(self, seccomp: bool, spin: bool, entry_only: bool = False) -> None:
        # Full mode stops at every syscall; seccomp mode only where the filter says.
        self.resume = PTRACE_CONT if seccomp else PTRACE_SYSCALL
        # A seccomp stop's restart: to its exit stop, or (entry-only) on to the next call.
        self.past_seccomp = PTRACE_CONT if entry_only else PTRACE_SYSCALL
        self.entry_only = entry_only
        self.spin = spin
        self.budget = 0
        self.counts = [0] * len(KINDS)

    def _info(self, tid: int) -> int:
        _ptrace(PTRACE_GET_SYSCALL_INFO, tid, 88, _INFO)
        op = _HEAD.unpack_from(_INFO)[0]
        if op == OP_EXIT:
            _RESULT.unpack_from(_INFO, _HEAD.size)
        else:
            _CALL.unpack_from(_INFO, _HEAD.size)
        return int(op)

    def handle(self, tid: int, status: int) -> int:
        """One stop: what kind it was; the task restarted."""
        sig, event = (status >> 8) & 0xFF, status >> 16
        request, deliver, kind = self.resume, 0, EVENT
        if sig == SYSCALL_TRAP:
            kind = ENTRY if self._info(tid) == OP_ENTRY else EXIT
            request = PTRACE_SYSCALL if kind == ENTRY else self.resume
        elif event == PTRACE_EVENT_SECCOMP:
            self._info(tid)
            request, kind = self.past_seccomp, SECCOMP  # stop at its exit too, or not
        elif event == PTRACE_EVENT_STOP and sig in GROUP_STOPS:
            request = PTRACE_LISTEN
        elif event == 0:
            deliver, kind = sig, SIGNAL
        _ptrace(request, tid, 0, deliver)
        self.budget = SPIN_NS.get(request, 0) if self.spin else 0
        return kind

    def wait(self) -> tuple[int, int]:
        if self.budget:
            end = time.perf_counter_ns() + self.budget
            while time.perf_counter_ns() < end:
                tid, status = os.waitpid(-1, WALL | os.WNOHANG)
                if tid:
                    return tid, status
        return os.waitpid(-1, WALL)


class DecodingLoop(Loop):
    """The loop, with each traced call decoded and written as a line (``--decode``)."""

    def __init__(self, seccomp: bool, spin: bool, out: BinaryIO, entry_only: bool = False) -> None:
        super().__init__(seccomp, spin, entry_only)
        self.out = out
        self.arch = host_arch()
        self.calls: dict[tuple[int, int], tuple[str, str, bool]] = {}  # name, abi, outputs
        self.in_flight: dict[int, tuple[str, str, bool, tuple[int, ...], tuple[Arg, ...]]] = {}

    def _call(self, arch: int, nr: int) -> tuple[str, str, bool]:
        abi = self.arch.abi_for(arch, nr)
        name = abi.name_of(nr)
        call = self.calls[arch, nr] = (name, abi.name, has_outputs(name, abi.name))
        return call

    def _info(self, tid: int) -> int:
        op, arch, nr, raw, rval, is_error, _ = ptrace.syscall_info(tid)
        if op == OP_EXIT:
            self._exit(tid, rval, is_error)
        elif op != 0:
            name, abi, outputs = self.calls.get((arch, nr)) or self._call(arch, nr)
            args = decode_entry(name, raw, TraceeMemory(tid), abi=abi)
            if self.entry_only:  # the whole line now: no exit will stop
                text = ", ".join([arg.text for arg in args])
                self.out.write(f"{tid} {name}({text})\n".encode(errors="surrogateescape"))
            else:
                self.in_flight[tid] = (name, abi, outputs, raw, args)
        return op

    def _exit(self, tid: int, rval: int, is_error: bool) -> None:
        flight = self.in_flight.pop(tid, None)
        if flight is None:
            return
        name, abi, outputs, raw, args = flight
        if is_error:
            result = f"-1 {errno_name(-rval)} ({errno_message(-rval)})"
        else:
            if outputs:
                args = decode_exit(name, args, raw, TraceeMemory(tid), retval=rval, abi=abi)
            result = decode_result(name, raw, rval) or str(rval)
        text = ", ".join([arg.text for arg in args])
        self.out.write(f"{tid} {name}({text}) = {result}\n".encode(errors="surrogateescape"))


def launch(argv: list[str], program: bytes | None, resume: int) -> int:
    """Fork ``argv`` seized and released; its pid."""
    go_read, go_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(go_write)
            os.read(go_read, 1)
            if program is not None:
                from traced.linux.seccomp import install_filter, set_no_new_privs  # noqa: PLC0415

                set_no_new_privs()
                install_filter(program)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    os.close(go_read)
    _ptrace(PTRACE_SEIZE, pid, 0, FILTER_OPTIONS if program else LAUNCH_OPTIONS)
    _ptrace(PTRACE_INTERRUPT, pid, 0, 0)
    os.waitpid(pid, WALL)
    _ptrace(resume, pid, 0, 0)
    os.write(go_write, b"g")
    os.close(go_write)
    return pid


def run(loop: Loop, main: int, profile: dict[str, int] | None) -> int:
    """Trace until no tracee is left; the main task's exit status as a shell gives it."""
    counts, handle, wait, clock = loop.counts, loop.handle, loop.wait, time.perf_counter_ns
    code = 0
    while True:
        try:
            waited = clock() if profile is not None else 0
            tid, status = wait()
        except ChildProcessError:
            return code
        if status & 0x7F == 0x7F:  # a stop
            if profile is None:
                counts[handle(tid, status)] += 1
                continue
            began = clock()
            kind = handle(tid, status)
            counts[kind] += 1
            profile["wait"] += began - waited
            profile[KINDS[kind]] += clock() - began
        elif tid == main:
            code = os.waitstatus_to_exitcode(status)
            code = 128 - code if code < 0 else code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filter", type=Path, help="a compiled seccomp program: seccomp mode")
    parser.add_argument("--entry-only", action="store_true", help="seccomp stops: CONT")
    parser.add_argument("--spin", action="store_true")
    parser.add_argument("--decode", type=Path, help="decode each call, write its line here")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--stats", type=Path, help="write the stop counts (JSON) here")
    parser.add_argument("argv", nargs="+")
    args = parser.parse_args()
    program = args.filter.read_bytes() if args.filter else None
    out = args.decode.open("wb") if args.decode else None
    entry_only = args.entry_only and program is not None
    loop = Loop(program is not None, args.spin, entry_only)
    if out is not None:
        loop = DecodingLoop(program is not None, args.spin, out, entry_only)
    profile = dict.fromkeys(("wait", *KINDS), 0) if args.profile else None
    code = run(loop, launch(args.argv, program, loop.resume), profile)
    if out is not None:
        out.close()
    if args.stats:
        stats = {"stops": dict(zip(KINDS, loop.counts, strict=True)), "profile_ns": profile}
        args.stats.write_text(json.dumps(stats))
    return code


if __name__ == "__main__":
    sys.exit(main())
