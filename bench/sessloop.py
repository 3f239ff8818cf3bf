"""The sessions floor's processes: bare tracer loops over many programs, and their client.

    python bench/sessloop.py --filter FILE --programs N [--deliver FD] [--spin] -- CMD ...
    python bench/sessloop.py --client FD [FD ...] [--parse json|msgspec]

bench/floor_sessions.py starts one loop per CPU (as the daemon has one tracer worker
per CPU), each tracing its share of the S programs, and times them from "go" to the
last one's exit.  A loop does the least a Python tracer of many tracees does per stop:
``waitpid(-1)``, one ``PTRACE_GET_SYSCALL_INFO`` (traced's own C binding, the fastest
from Python), one restart.  No reactor, session, state machine or event.

- ``--deliver FD`` (the second floor level): what a daemon must add to hand each
  syscall to a client.  At the seccomp stop the loop notes the time; at the exit stop it
  builds the ``syscall`` event (traced.events.SyscallEvent, a msgspec Struct, as traced
  builds it), encodes it with msgspec after the session's ``seq`` (the wire's line:
  ``{"seq":N,"type":"syscall",...}``) into a buffer, and writes the buffer to FD, a
  Unix stream socket, when it holds 64 KiB or before the loop would sleep (one send per
  loop turn, as traced's connections do).  ``--client`` is the other end: one process
  reading every loop's socket in 1 MiB chunks, each line parsed with ``json.loads`` and
  its session's ``seq`` checked, as bench/sessions.py's client does (``--parse
  msgspec``: with msgspec's decoder instead, into the same dicts, some 5x faster).
- ``--spin``: after each restart, poll ``waitpid(WNOHANG)`` for up to 200 µs (20 µs after
  a CONT) before sleeping, traced/core/spin.py's budgets without its back-off.

The handshake: a process writes one byte to stdout when it is ready (imports done,
sockets open) and starts at the first byte on stdin; at its end it writes one JSON line
to stdout: its counts and its own CPU seconds since "go".

Kernel facts: a syscall the filter sends to a tracer fails with ENOSYS while nobody
traces the task, so each child waits on a pipe until it is seized (all of a loop's
children on one pipe, released together by closing it), then installs the filter and
execs.  A seized task runs on without stopping; with TRACESECCOMP a filtered call stops
as PTRACE_EVENT_SECCOMP (``status >> 8`` = SIGTRAP | 7 << 8), restarted with
PTRACE_SYSCALL so that its exit stops too (SIGTRAP | 0x80 with TRACESYSGOOD), which is
restarted with PTRACE_CONT.  The exec's event stop is restarted with CONT, a signal stop
with CONT delivering it.  ECHILD from the wait: no tracee left.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import selectors
import signal
import socket
import sys
import time

import msgspec

from traced.core.abi import (
    FILTER_OPTIONS,
    PTRACE_CONT,
    PTRACE_EVENT_SECCOMP,
    PTRACE_EVENT_STOP,
    PTRACE_LISTEN,
    PTRACE_SEIZE,
    PTRACE_SYSCALL,
    WALL,
)
from traced.events import SyscallEvent
from traced.linux import _kernel
from traced.linux.seccomp import install_filter, set_no_new_privs
from traced.syscalls.arch import host_arch
from traced.syscalls.names import errno_name

SECCOMP_STOP = signal.SIGTRAP | PTRACE_EVENT_SECCOMP << 8
EXIT_STOP = signal.SIGTRAP | 0x80
GROUP_STOPS = {signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU}
SPIN_NS = {PTRACE_SYSCALL: 200_000, PTRACE_CONT: 20_000}
FLUSH_BYTES = 64 * 1024
CHUNK = 1 << 20


def launch_all(argv: list[str], program: bytes, n: int) -> list[int]:
    """Fork ``n`` copies of ``argv``, seize each, release them together; their pids."""
    go_read, go_write = os.pipe()
    pids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            try:
                os.close(go_write)
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.read(go_read, 1)  # end of file: released
                set_no_new_privs()
                install_filter(program)
                os.execv(argv[0], argv)
            finally:
                os._exit(127)
        _kernel.ptrace(PTRACE_SEIZE, pid, 0, FILTER_OPTIONS)
        pids.append(pid)
    os.close(go_read)
    os.close(go_write)
    return pids


class Loop:
    """Stops in, restarts out: the bare loop."""

    def __init__(self, spin: bool) -> None:
        self.spin = spin
        self.stops = 0
        self.failed = 0

    def other(self, tid: int, status: int) -> None:
        """Any stop but a syscall's: restarted as strace --seccomp-bpf would."""
        sig, event = (status >> 8) & 0xFF, status >> 16
        if event == PTRACE_EVENT_STOP and sig in GROUP_STOPS:
            _kernel.ptrace(PTRACE_LISTEN, tid, 0, 0)
        else:
            _kernel.ptrace(PTRACE_CONT, tid, 0, sig if event == 0 else 0)

    def entry(self, tid: int) -> None:
        _kernel.syscall_info(tid)

    def exit(self, tid: int) -> None:
        _kernel.syscall_info(tid)

    def owing(self) -> bool:
        """Whether the loop has something to do before it sleeps (the bare loop: never)."""
        return False

    def before_sleep(self) -> None:
        """Nothing pending: the last chance to act before the loop sleeps."""

    def run(self) -> None:
        waitpid, ptrace, nohang = os.waitpid, _kernel.ptrace, WALL | os.WNOHANG
        entry, exit_, spin, budget = self.entry, self.exit, self.spin, 0
        stops = 0
        while True:
            tid = 0
            try:
                if budget:
                    end = time.perf_counter_ns() + budget
                    while not tid and time.perf_counter_ns() < end:
                        tid, status = waitpid(-1, nohang)
                if not tid and self.owing():  # a send owed: only if the loop would sleep
                    tid, status = waitpid(-1, nohang)
                    if not tid:
                        self.before_sleep()
                if not tid:
                    tid, status = waitpid(-1, WALL)
            except ChildProcessError:
                break
            if status & 0x7F != 0x7F:  # an exit
                self.failed += status != 0
                continue
            stops += 1
            kind = status >> 8
            if kind == SECCOMP_STOP:
                entry(tid)
                ptrace(PTRACE_SYSCALL, tid, 0, 0)
                budget = spin and SPIN_NS[PTRACE_SYSCALL]
            elif kind == EXIT_STOP:
                exit_(tid)
                ptrace(PTRACE_CONT, tid, 0, 0)
                budget = spin and SPIN_NS[PTRACE_CONT]
            else:
                self.other(tid, status)
                budget = 0
        self.stops = stops
        self.before_sleep()


class DeliveringLoop(Loop):
    """The bare loop, and each syscall encoded as traced's event and sent to a client."""

    def __init__(self, spin: bool, out: socket.socket) -> None:
        super().__init__(spin)
        self.out = out
        self.buffer = bytearray()
        self.events = 0
        self.arch = host_arch()
        self.names: dict[tuple[int, int], tuple[str, str]] = {}
        self.flights: dict[int, tuple[int, int, int, str, str]] = {}  # tid: ts, nr, ...
        self.seqs: dict[int, int] = {}
        self.encode_into = msgspec.json.Encoder().encode_into

    def _name(self, arch: int, nr: int) -> tuple[str, str]:
        abi = self.arch.abi_for(arch, nr)
        found = self.names[arch, nr] = (abi.name_of(nr), abi.name)
        return found

    def entry(self, tid: int) -> None:
        _, arch, nr, *_ = _kernel.syscall_info(tid)
        name, abi = self.names.get((arch, nr)) or self._name(arch, nr)
        self.flights[tid] = (time.time_ns(), nr, arch, name, abi)

    def exit(self, tid: int) -> None:
        _, _, _, _, rval, is_error, _ = _kernel.syscall_info(tid)
        ts, nr, _, name, abi = self.flights.pop(tid)
        seq = self.seqs[tid] = self.seqs.get(tid, 0) + 1
        event = SyscallEvent(
            session=f"s{tid}",
            pid=tid,
            tid=tid,
            ts_ns=ts,
            nr=nr,
            name=name,
            arch=abi,
            args=(),
            duration_ns=time.time_ns() - ts,
            retval=-1 if is_error else rval,
            error=errno_name(-rval) if is_error else None,
        )
        buffer = self.buffer
        buffer += b'{"seq":%d,' % seq
        at = len(buffer) - 1
        self.encode_into(event, buffer, at)  # its "{" over our ","
        buffer[at] = 0x2C
        buffer += b"\n"
        self.events += 1
        if len(buffer) >= FLUSH_BYTES:
            self.before_sleep()

    def owing(self) -> bool:
        return bool(self.buffer)

    def before_sleep(self) -> None:
        if self.buffer:
            self.out.sendall(self.buffer)
            self.buffer.clear()


def cpu_seconds() -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": usage.ru_utime + usage.ru_stime, "sys_s": usage.ru_stime}


_AT_GO: dict[str, float] = {}


def handshake() -> None:
    os.write(1, b"r")
    if os.read(0, 1) != b"g":
        sys.exit(3)
    _AT_GO.update(cpu_seconds())  # the CPU of Python's start and the imports is not counted


def finish(result: dict[str, object]) -> None:
    spent = {key: value - _AT_GO[key] for key, value in cpu_seconds().items()}
    os.write(1, (json.dumps({**result, **spent}) + "\n").encode())


def client(fds: list[int], parse: str) -> int:
    """Read every loop's socket to its end: events parsed (``json.loads``, or msgspec's
    decoder into the same dicts), each session's seq checked."""
    loads = json.loads if parse == "json" else msgspec.json.Decoder().decode
    selector = selectors.DefaultSelector()
    socks = [socket.socket(fileno=fd) for fd in fds]
    partial: dict[int, bytes] = {}
    for sock in socks:
        selector.register(sock, selectors.EVENT_READ)
        partial[sock.fileno()] = b""
    last: dict[str, int] = {}
    syscalls = gaps = 0
    handshake()
    while selector.get_map():
        for key, _ in selector.select():
            ready = key.fileobj
            assert isinstance(ready, socket.socket)
            chunk = ready.recv(CHUNK)
            if not chunk:
                selector.unregister(ready)
                continue
            lines = (partial[key.fd] + chunk).split(b"\n")
            partial[key.fd] = lines.pop()
            for line in lines:
                message = loads(line)
                session, seq = message["session"], message["seq"]
                gaps += seq != last.get(session, 0) + 1
                last[session] = seq
                syscalls += message["type"] == "syscall"
    finish({"syscalls": syscalls, "gaps": gaps, "sessions": len(last)})
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", type=int, nargs="+", metavar="FD")
    parser.add_argument("--parse", choices=("json", "msgspec"), default="json")
    parser.add_argument("--filter", type=argparse.FileType("rb"))
    parser.add_argument("--programs", type=int, default=0)
    parser.add_argument("--deliver", type=int, metavar="FD")
    parser.add_argument("--spin", action="store_true")
    parser.add_argument("argv", nargs="*")
    args = parser.parse_args()
    if args.client:
        return client(args.client, args.parse)
    program = args.filter.read()
    loop = Loop(args.spin)
    if args.deliver is not None:
        os.set_inheritable(args.deliver, False)  # not the tracees': the client waits for EOF
        loop = DeliveringLoop(args.spin, socket.socket(fileno=args.deliver))
    handshake()
    launch_all(args.argv, program, args.programs)
    loop.run()
    events = loop.events if isinstance(loop, DeliveringLoop) else 0
    finish({"stops": loop.stops, "failed": loop.failed, "events": events})
    return 0


if __name__ == "__main__":
    sys.exit(main())
