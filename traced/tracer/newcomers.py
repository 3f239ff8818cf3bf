"""Tasks the reactor meets before their session has heard of them, and trees that
grow past their limit.

Kernel facts this module depends on:

* A task created by a tracee is ours from birth (auto-attached), but its creator
  reports it (PTRACE_EVENT_FORK/CLONE) only if it is not killed first.  Its first
  stop, or its death, may therefore come before that event, or with no event at all.
* /proc/TID/status names its thread group and parent; while the creator lives, one
  of them is a task of ours.  Once the creator is dead the new process has been
  reparented away from our tasks, but it stays in the creator's process group, and
  a launched tree leads a process group of its own (see Run.process_group).
* A new task in no live session waits, stopped, for a resume nobody would send.
  With a seccomp filter (``Seccomp: 2`` in its status) it cannot run untraced,
  since its traced syscalls would fail with ENOSYS: it is killed, as
  PTRACE_O_EXITKILL would at our exit.  Without one it is detached.
* SIGKILL to a thread group kills every thread of it; a process group's members
  that were not adopted yet are reached through the group.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Mapping

from traced.core import abi
from traced.errors import TracedError
from traced.linux import procfs, ptrace
from traced.logs import get_logger
from traced.tracer.run import Run

_log = get_logger(__name__)


def owner_of(
    tid: int, runs: Mapping[int, Run], groups: Mapping[int, Run]
) -> tuple[Run | None, procfs.Lineage]:
    """The session of a task it has not heard of yet, with where the task stands.

    Its thread group or its parent is a task of ours while its creator lives.
    Once the creator is dead, a launched tree's process group still tells."""
    kin = procfs.lineage(tid)
    run = runs.get(kin.tgid) or runs.get(kin.parent)
    if run is None:
        run = groups.get(_group_of(tid))
    return run, kin


def joined(run: Run, tid: int) -> None:
    """A task joined ``run``: past max_tasks the tree is a runaway, and once it is
    one, each newcomer of a launched tree is killed as it joins (an attached
    tree's are born detaching)."""
    if run.runaway is None:
        if run.max_tasks is not None and len(run.core.tasks) > run.max_tasks:
            stop_runaway(run)
    elif run.kill_runaway:
        task = run.core.tasks.get(tid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(task.tgid if task is not None else tid, signal.SIGKILL)


def stop_runaway(run: Run) -> None:
    """SIGKILL every thread group of a launched tree, or let an attached tree go."""
    run.runaway = len(run.core.tasks)
    _log.warning("too many tasks", session=run.core.session_id, tasks=run.runaway)
    if not run.kill_runaway:
        run.detach()
        return
    with contextlib.suppress(ProcessLookupError):
        run.signal(signal.SIGKILL)  # members not adopted yet too
    for tgid in {task.tgid for task in run.core.tasks.values()}:
        with contextlib.suppress(ProcessLookupError):
            os.kill(tgid, signal.SIGKILL)


def _group_of(tid: int) -> int:
    try:
        return os.getpgid(tid)
    except ProcessLookupError:
        return 0


def let_go_of_stray(tid: int) -> None:
    """A new task in no live session: its creator was killed before reporting it,
    and the creator's session has ended.  Nobody would ever resume it.  With a
    seccomp filter it cannot run untraced (its traced syscalls would fail), so it is
    killed, as PTRACE_O_EXITKILL would at our exit, and its zombie is reaped as one
    in no session.  Without a filter (a child of an attached process) it is let go."""
    _log.warning("a new task outlived its session", tid=tid)
    if procfs.status_field(tid, "Seccomp") == "2":
        with contextlib.suppress(ProcessLookupError):
            os.kill(tid, signal.SIGKILL)
    else:
        with contextlib.suppress(TracedError):
            ptrace.restart(abi.PTRACE_DETACH, tid, 0)
