"""Fault injection's per-tracee decisions, as strace 6.1 makes them: pure.

The transition table (traced.core.tracee) sends the entries and exits of calls
with a rule here; every other call never reaches this module.

strace's semantics (src/syscall.c, tamper_with_syscall_entering/exiting):

* Invocations are counted per tracee and per syscall in each ABI (a task's count
  starts at its creation, and goes on across execve), and only those of calls that
  are traced: a call the trace set leaves out is never injected, nor counted.
* Nothing is counted or injected before the command's first execve (the code that
  runs then is the tracer's own), nor is that execve.
* A chosen invocation's number is replaced at entry: by -1, so that nothing runs,
  or by the number of syscall=NAME, which runs instead; its result is replaced at
  exit (-errno for error=, the value for retval=).
* signal= is delivered as the call is entered: a restart from a syscall-entry stop
  that carries a signal sends it (SI_KERNEL), so it is pending while the call runs.
  The kernel drops the signal of a restart from a seccomp stop (ptrace_event ignores
  it), so in seccomp mode the signal rides on the exit's restart instead: it arrives
  as the call returns, before the tracee runs on.  A call that blocks is therefore
  not interrupted by it there, as it would be in full mode (README says so).
* delay_enter= and delay_exit= hold the tracee stopped that long at entry or exit;
  the other tracees run meanwhile (the shell schedules the restart).
* poke_enter= and poke_exit= write bytes where an argument points, at entry or at
  exit: the addresses are the call's arguments as entered (an argument the call
  does not have, past the registers, is left alone).
"""

from __future__ import annotations

from collections.abc import Sequence

from traced.core.stops import InjectRule, Tamper
from traced.core.task import Mode, Task


def chosen(task: Task, key: tuple[str, int], rule: InjectRule) -> bool:
    """Count one invocation of ``key``'s call in ``task``; whether it is injected."""
    counts = task.invocations
    if counts is None:
        counts = task.invocations = {}
    n = counts.get(key, 0) + 1
    counts[key] = n
    if n < rule.first or (rule.last is not None and n > rule.last):
        return False
    return n == rule.first if rule.step == 0 else (n - rule.first) % rule.step == 0


def _addressed(
    pokes: tuple[tuple[int, bytes], ...], raw: Sequence[int]
) -> tuple[tuple[int, bytes], ...]:
    return tuple((raw[n], data) for n, data in pokes if n < len(raw))


def at_entry(task: Task, rule: InjectRule, raw: Sequence[int]) -> Tamper:
    """What to do to a chosen invocation at its entry (``raw``: its arguments)."""
    signal = rule.signal if task.mode is Mode.FULL else 0
    pokes = _addressed(rule.poke_enter, raw)
    return Tamper(rule, nr=rule.nr, signal=signal, delay_ns=rule.delay_enter_ns, pokes=pokes)


def at_exit(task: Task, rule: InjectRule, raw: Sequence[int]) -> Tamper:
    """What to do to it at its exit: its result, the bytes poke_exit= writes where its
    arguments (``raw``, as entered) point, and the signal seccomp mode owes."""
    signal = 0 if task.mode is Mode.FULL else rule.signal
    pokes = _addressed(rule.poke_exit, raw)
    return Tamper(rule, result=rule.result, signal=signal, delay_ns=rule.delay_exit_ns, pokes=pokes)
