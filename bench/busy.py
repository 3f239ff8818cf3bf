"""A quiet or a busy machine: the competing load the real-workload benchmarks start themselves.

On this 2-core VM an idle CPU costs a tracer dearly: a tracer that sleeps in ``wait4``
after each restart is woken by an interrupt to an idle CPU, on a VM a VM exit, tens of
µs each stop.  A machine kept busy by other work has no idle CPU, so those wake-ups are
cheap, but every CPU µs a tracer spends per stop is then taken from the work it traces.
A tracer can look good on one and bad on the other (traced spins after a restart, which
wins on an idle machine and loses on a busy one), so real.py and floor.py measure both:
``quiet`` is the machine as it is, ``busy`` the same with one core kept busy by a shell
loop at nice 0, started before the busy runs and killed after them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

QUIET, BUSY = "quiet", "busy"
STATES = (QUIET, BUSY)
# One core's worth of work, no syscalls, no memory: the plainest competitor there is.
LOAD_ARGV = ("sh", "-c", "while :; do :; done")
SETTLE_S = 0.2  # let the load reach its CPU before the first run


@contextmanager
def competing_load() -> Iterator[int]:
    """One busy core for the block's time (its pid), killed with its group after."""
    load = subprocess.Popen(
        LOAD_ARGV,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(SETTLE_S)
        yield load.pid
    finally:
        os.killpg(load.pid, signal.SIGKILL)
        load.wait()


@contextmanager
def machine_state(state: str) -> Iterator[None]:
    """Nothing for ``quiet``; a competing load for ``busy``."""
    if state == BUSY:
        with competing_load():
            yield
    else:
        yield


def state_order(round_index: int) -> tuple[str, ...]:
    """Quiet first in even rounds, busy first in odd ones: what the load leaves behind
    (a warm cache, a CPU frequency) falls on both alike."""
    return STATES if round_index % 2 == 0 else STATES[::-1]
