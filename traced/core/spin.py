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

from dataclasses import dataclass

from traced.core.abi import PTRACE_CONT, PTRACE_SYSCALL

# How long to poll after each restart.  After PTRACE_CONT the next stop may be far
# away, so only a short poll pays.
BUDGET_NS = {PTRACE_SYSCALL: 200_000, PTRACE_CONT: 20_000}
MISSES_BEFORE_BACKOFF = 4  # polls in a row that found no stop
BACKOFF_RESTARTS = 256  # restarts without polling, before trying again


@dataclass
class SpinPolicy:
    """Feed it each restart and each poll's outcome; it says how long to poll."""

    enabled: bool = True  # False on one CPU: there the tracee cannot run while we poll
    misses: int = 0
    resting: int = 0  # restarts left without polling

    def budget_ns(self, request: int) -> int:
        """How long to poll after restarting a tracee with ``request``; 0: do not."""
        if not self.enabled:
            return 0
        if self.resting:
            self.resting -= 1
            return 0
        return BUDGET_NS.get(request, 0)

    def record(self, found: bool) -> None:
        """A poll ended: it found the tracee's next stop, or ran out of budget."""
        if found:
            self.misses = 0
            return
        self.misses += 1
        if self.misses >= MISSES_BEFORE_BACKOFF:
            self.misses = 0
            self.resting = BACKOFF_RESTARTS
