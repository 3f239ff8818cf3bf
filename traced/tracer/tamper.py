"""-e inject=: the shell's half, doing to a stopped tracee what the core decided.

Kernel facts this module depends on (the registers' places are traced.syscalls.arch's
one table, ``Arch.skip``):

* At a syscall's entry (a syscall-entry stop, or a seccomp stop), the syscall
  number the kernel runs is read back from ``orig_rax``: -1 runs nothing (the
  return register keeps the -ENOSYS the entry code put there); another number runs
  that call instead.  After a seccomp stop the kernel runs the filter again on the
  new number (and takes its TRACE as ALLOW).
* A call skipped that way still stops at its exit when the restart asked for it
  (PTRACE_SYSCALL), and what ``rax`` holds there is what the task sees returned.
* A restart's signal is sent (SI_KERNEL) from a syscall-entry or -exit stop, and
  dropped from a seccomp stop; the core chose which stop carries it.
* A stopped tracee stays stopped until restarted, however long we wait: a delay is
  a restart made later, and the other tracees are restarted meanwhile.
* PTRACE_POKEDATA writes one whole word of the tracee's memory, even in a page the
  tracee could not write itself; poke_enter=/poke_exit='s bytes of another length
  end in a word completed with the bytes already there (process_vm_readv).
"""

from __future__ import annotations

from traced.core.stops import Tamper
from traced.errors import TracedError
from traced.linux import ptrace
from traced.linux.memory import read_bytes
from traced.logs import get_logger
from traced.syscalls.arch import SyscallSkip

_log = get_logger(__name__)
_WORD = 8


def apply(tid: int, skip: SyscallSkip | None, tamper: Tamper) -> None:
    """Write what ``tamper`` says to ``tid``'s registers (nothing for a delay or a
    signal alone: the reactor restarts it later, or with the signal)."""
    for address, data in tamper.pokes:
        _poke(tid, address, data)
    if tamper.nr is None and tamper.result is None:
        return
    if skip is None:
        _log.warning("cannot inject on this architecture; the call runs as it is", tid=tid)
        return
    if tamper.nr is not None:
        ptrace.set_syscall(tid, skip, tamper.nr)
    if tamper.result is not None:
        ptrace.set_result(tid, skip, tamper.result)


def _poke(tid: int, address: int, data: bytes) -> None:
    """poke_enter=/poke_exit=: ``data`` written at ``address``; where it cannot be, the
    call goes on untouched, with strace's complaint in the log."""
    tail = -len(data) % _WORD  # the bytes that complete the last word, kept as they are
    try:
        data += read_bytes(tid, address + len(data), tail) if tail else b""
        if len(data) % _WORD == 0:  # else its mapping ends inside the last word
            ptrace.poke_data(tid, address, data)
            return
    except TracedError:
        pass
    _log.warning("failed to tamper with the process: couldn't poke", tid=tid)
