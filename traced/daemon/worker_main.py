"""A tracer worker process: one loop, one engine, the sessions the front hands it.

    python -m traced.daemon.worker_main CHANNEL_FD LOG_LEVEL

Started by the front (daemon.workers); what it does with each order is
daemon.worker's.

Kernel facts this module depends on:

* A tracee belongs to the thread that seized it: only this process's loop thread
  may make ptrace requests for the sessions it launched or attached, and its
  wait() sees only its own children and tracees.  Hence a process per loop (the
  interpreter's lock would serialize threads anyway).
* PTRACE_O_EXITKILL: if this process dies, every command it launched is killed;
  the tasks it attached to are detached by the kernel and run on.
* A child exits when a pipe it waits on loses its last writer: a command forked
  but not yet released (traced.tracer.spawn) exits if we die before seizing it.
* SIGINT from a terminal goes to its whole foreground process group, and so does
  SIGHUP when the terminal closes: the front decides what they mean (it ends the
  sessions, then its workers), so a worker ignores them, and SIGTERM too.  Ignored
  signals stay ignored across execve; a launched command's are reset
  (traced.tracer.spawn).  End of file on the channel is how a worker learns that
  the front is gone or done with it: it lets go of its sessions and exits.
"""

from __future__ import annotations

import os
import signal
import socket
import sys

from traced.daemon.worker import Worker
from traced.logs import configure, get_logger
from traced.tracer.engine import Engine

_log = get_logger(__name__)


async def serve(fd: int) -> None:
    sock = socket.socket(fileno=fd)
    with Engine(reap_orphans=True) as engine:
        worker = Worker(engine, sock)
        _log.debug("tracer worker ready", pid=os.getpid())
        await worker.ended.wait()
        await worker.stop()
    worker.link.close()


def main(argv: list[str]) -> int:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    fd, level = int(argv[1]), int(argv[2])
    os.set_inheritable(fd, False)
    configure(level, now=True)
    import uvloop  # noqa: PLC0415  (imported once the signals are ignored)

    uvloop.run(serve(fd))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
