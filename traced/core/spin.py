"""When to poll a tracee we just resumed, and for how long: a pure policy.

After PTRACE_SYSCALL the syscall's exit stop usually follows within
microseconds, and catching it by polling ``waitpid(WNOHANG)`` spares the
SIGCHLD wake-up of an idle CPU, which on a virtual machine can cost more than
the stop itself.  But when every CPU is busy (a ``make -j2``), the tracee is not
running while we poll for it: each poll runs its whole budget for nothing, and
takes that CPU from the very work being traced, so that polls alone could take
much of the tracer's CPU.  So the policy backs off: after a few polls in a row
that found nothing, it stops polling for a while, then tries again.
"""

from __future__ import annotations

from traced.core.abi import PTRACE_CONT, PTRACE_SYSCALL

# How long to poll after each restart.  After PTRACE_CONT the next stop may be far
# away, so only a short poll pays.
# DEATH is no request: the poll for the death of a task restarted into exit or
# exit_group (Reactor._await_death), judged on its own.
DEATH = -1
BUDGET_NS = {PTRACE_SYSCALL: 200_000, PTRACE_CONT: 20_000, DEATH: 200_000}
MISSES_BEFORE_BACKOFF = 4  # polls in a row that found no stop
BACKOFF_RESTARTS = 256  # restarts without polling, before trying again


# Plain classes, not dataclasses: the two would cost every start of traced ~0.5 ms
# to create, twenty times these, for an __init__ as short as the one written here.
class _Streak:
    """One restart kind's record: its misses in a row, and restarts left to rest."""

    __slots__ = ("misses", "resting")

    def __init__(self) -> None:
        self.misses = 0
        self.resting = 0


class SpinPolicy:
    """Feed it each restart and each poll's outcome; it says how long to poll.

    Each restart kind is judged on its own polls: an exit stop follows its
    PTRACE_SYSCALL within microseconds while the next seccomp stop after a
    PTRACE_CONT may be far off, so misses of the one must not stop polls of the
    other (in entry-and-exit mode every exit's CONT used to rest the SYSCALL polls)."""

    __slots__ = ("enabled", "streaks")

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled  # False on one CPU: there the tracee cannot run while we poll
        self.streaks = {request: _Streak() for request in BUDGET_NS}

    def budget_ns(self, request: int) -> int:
        """How long to poll after restarting a tracee with ``request``; 0: do not."""
        streak = self.streaks.get(request)
        if not self.enabled or streak is None:
            return 0
        if streak.resting:
            streak.resting -= 1
            return 0
        return BUDGET_NS[request]

    def record(self, request: int, found: bool) -> None:
        """A poll after ``request`` ended: it found the tracee's next stop, or ran
        out of budget."""
        streak = self.streaks[request]
        if found:
            streak.misses = 0
            return
        streak.misses += 1
        if streak.misses >= MISSES_BEFORE_BACKOFF:
            streak.misses = 0
            streak.resting = BACKOFF_RESTARTS
