"""Waiting for tracees: which wait call sees which status, and who may consume it.

Kernel facts this module depends on:

* A ptrace-stop is reported to the tracer alone, with si_code CLD_TRAPPED, and
  whatever the flags: WSTOPPED or not, a stopped tracee is reported.  ``waitid``'s
  si_status is then the whole stop code (the event in bits 8-15), so
  ``si_status << 8 | 0x7f`` is the status ``waitpid`` would give.  Stops are
  therefore consumed in one call, ``waitid(WSTOPPED)`` over all children, without
  asking whose they are first.  The one status of somebody else's it could take
  is a job-control stop (CLD_STOPPED) of a child of ours that is no tracee, which
  the daemon and the CLI have only as a tracee's orphan (below); such a stop is
  dropped, not handled.
* Deaths are reported only with WEXITED.  A dead child of our own that is no
  tracee may be someone else's to reap (a library user's subprocess), so deaths
  are peeked at with ``WNOWAIT``, which does not consume, and only ours are
  taken, by tid: our tracees', and where this process starts children only as
  tracees (the daemon, the CLI), the orphans a tracee's clone(CLONE_PARENT) left
  us too (see traced.tracer.reactor).  The peek sees stops too.
* ``__WALL`` is needed to wait for threads (clone children).
* Each ``P_ALL`` wait walks all our children and tracees, so it costs more the
  more tasks we trace; a wait for one tid does not walk.
* A waitid without WNOHANG sleeps until some status is pending; with WNOWAIT
  it consumes nothing, so a caller can then take what is its own as above.  A
  signal whose handler was installed without SA_RESTART ends that sleep (EINTR,
  which Python retries, after the handler, unless the handler raises).
* ECHILD (``ChildProcessError``) means no child or tracee at all, or, for one tid,
  that it is not ours (any more): here both read as "nothing to take".
"""

from __future__ import annotations

import os

from traced.core.abi import CLD_TRAPPED, WALL

_STOPS = os.WSTOPPED | os.WNOHANG | WALL  # consumes: see the facts
_PEEK = os.WEXITED | os.WNOHANG | os.WNOWAIT | WALL
_TAKE = os.WNOHANG | WALL
_SLEEP = os.WEXITED | os.WSTOPPED | os.WNOWAIT | WALL


def take_stops(limit: int) -> list[tuple[int, int]]:
    """Up to ``limit`` pending ptrace-stops, consumed, as (tid, wait status), oldest first."""
    batch: list[tuple[int, int]] = []
    while len(batch) < limit:
        try:
            found = os.waitid(os.P_ALL, 0, _STOPS)
        except ChildProcessError:
            break
        if found is None:
            break
        if found.si_code == CLD_TRAPPED:
            batch.append((found.si_pid, found.si_status << 8 | 0x7F))
    return batch


def peek() -> tuple[int, bool] | None:
    """The first pending status, left in place: (tid, whether it is a ptrace-stop)."""
    try:
        found = os.waitid(os.P_ALL, 0, _PEEK)
    except ChildProcessError:
        return None
    if found is None:
        return None
    return found.si_pid, found.si_code == CLD_TRAPPED


def take(tid: int) -> int | None:
    """The pending status of ``tid``, consumed; None if it has none or is not ours."""
    try:
        waited, status = os.waitpid(tid, _TAKE)
    except ChildProcessError:
        return None
    return status if waited else None


def sleep_until_pending() -> bool:
    """Sleep until a child or tracee has a status pending (consuming nothing);
    False if there is none left to wait for."""
    try:
        os.waitid(os.P_ALL, 0, _SLEEP)
    except ChildProcessError:
        return False
    return True
