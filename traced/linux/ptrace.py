"""ptrace(2), the requests traced uses and nothing else.

Kernel facts this module depends on:

* PTRACE_SEIZE attaches without stopping the task and enables PTRACE_EVENT_STOP,
  PTRACE_INTERRUPT and PTRACE_LISTEN.  Options given to SEIZE are inherited by
  every task the tracee creates while TRACEFORK/VFORK/CLONE are set, and those
  tasks start traced, in a PTRACE_EVENT_STOP whose signal is SIGTRAP.
* Every request but SEIZE, INTERRUPT and KILL needs the tracee to be in a
  ptrace-stop; a tracee that was SIGKILLed leaves it at any moment, so ESRCH from a
  restart is normal and means "its death will be reported by waitpid".
* A restart request's ``data`` is the signal to deliver (0 to suppress).
* PTRACE_GET_SYSCALL_INFO (Linux 5.3) describes the current stop without
  registers: ``op`` is ENTRY, EXIT, SECCOMP or NONE; ENTRY and SECCOMP carry
  ``nr`` and six args, EXIT carries ``rval`` and ``is_error``.  ``arch`` is the
  AUDIT_ARCH of the ABI the syscall entered through.
  SECCOMP also carries ``ret_data``, the filter verdict's SECCOMP_RET_DATA (what
  PTRACE_GETEVENTMSG would say, without a second call).
* PTRACE_GETEVENTMSG gives the new tid at a fork/vfork/clone event and the
  former tid at an exec event.
* PTRACE_GETSIGINFO gives the siginfo_t a signal-delivery-stop will deliver.  A
  seccomp SIGSYS (RET_TRAP, si_code SYS_SECCOMP) carries in its union, from byte
  16: ``void *_call_addr; int _syscall; unsigned int _arch`` (the syscall's
  address, number and AUDIT_ARCH), and the verdict's data in ``si_errno``.  A fault
  the kernel reports (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, si_code > 0) has
  the faulting address there, ``si_addr``.
* PTRACE_POKEUSER writes one word of the tracee's user area (its registers) at a
  byte offset; traced.syscalls.arch says which offsets skip a syscall.
* PTRACE_GETREGS (x86) copies the whole register file (struct user_regs_struct)
  into ``data``; PTRACE_POKEDATA writes one word of the tracee's memory, even a
  page it could not write itself.  PTRACE_SETOPTIONS replaces a tracee's options,
  in a ptrace-stop, for that one thread (its new threads inherit them).  The words
  of POKEUSER and POKEDATA travel as a C long: a word of 2**63 or more is passed as
  the negative number with its bits.

The calls go through traced/linux/_kernel.c, a binding with no logic: two are made
at every stop, and through ctypes each cost five times its syscall.
"""

from __future__ import annotations

import errno
import signal
import struct
from typing import NamedTuple

from traced.core.abi import (
    PTRACE_GETEVENTMSG,
    PTRACE_GETREGS,
    PTRACE_GETSIGINFO,
    PTRACE_INTERRUPT,
    PTRACE_POKEDATA,
    PTRACE_POKEUSER,
    PTRACE_SEIZE,
    PTRACE_SETOPTIONS,
)
from traced.errors import KernelCallError, PtraceError, TraceeGoneError
from traced.linux import _kernel
from traced.syscalls.arch import SyscallSkip

_ptrace = _kernel.ptrace  # C, not ctypes: two of these calls are made at every stop
_ULONG = struct.Struct("=Q")
_SIGINFO_SIZE = 128
# siginfo_t on 64-bit: int signo, errno, code; pad; then the union.  For kill and
# SIGCHLD it starts pid_t pid, uid_t uid; SIGCHLD goes on: int status, pad,
# clock_t utime, clock_t stime (in clock ticks).
_SIGINFO = struct.Struct("=iii4xIIi4xqq")
_SIGSYS = struct.Struct("=16xQiI")  # _call_addr, _syscall, _arch
# sigqueue's si_value follows pid and uid (_rt); a POSIX timer's (SI_TIMER, -2) follows
# its timer id and overrun count instead.  SI_USER (0) and SI_TKILL (-6) carry none.
_SIGVAL = struct.Struct("=24xQ")
_SIGFAULT = struct.Struct("=16xQ")  # a fault's si_addr
_VALUE_CODES = (-1, -3, -4, -5)  # SI_QUEUE, SI_MESGQ, SI_ASYNCIO, SI_SIGIO
CLD_CODES = range(1, 7)  # CLD_EXITED .. CLD_CONTINUED
SYS_SECCOMP = 1  # si_code of a SIGSYS sent by a seccomp filter's RET_TRAP


# struct ptrace_syscall_info as the C binding returns it, a plain tuple (one is made
# at every stop): op (a SyscallOp), audit arch, nr, args, rval, is_error, and a
# seccomp stop's SECCOMP_RET_DATA.  nr and args are an entry's or a seccomp stop's;
# rval and is_error an exit's.
SyscallInfo = tuple[int, int, int, tuple[int, ...], int, bool, int]


class SigInfo(NamedTuple):
    signo: int
    code: int
    sender_pid: int
    sender_uid: int
    child_status: int | None  # SIGCHLD from the kernel only, as are the times
    child_utime: int | None
    child_stime: int | None
    errno: int = 0  # si_errno
    # A seccomp SIGSYS only: the syscall's address, number and audit arch.
    call_addr: int | None = None
    syscall: int | None = None
    arch: int | None = None
    value: int | None = None  # si_value of a queued signal (sigqueue, a mqueue), if not 0
    addr: int | None = None  # si_addr of a fault the kernel reports (SIGSEGV, SIGBUS ...)


def _error(what: str, error: OSError, pid: int) -> KernelCallError:
    """The typed error (TraceeGoneError for ESRCH), with the call, pid and errno."""
    err = error.errno or errno.EIO
    error_type = TraceeGoneError if err == errno.ESRCH else PtraceError
    return error_type.from_errno(what, err, pid)


def _call(request: int, pid: int, addr: int, data: int, what: str) -> int:
    try:
        return _ptrace(request, pid, addr, data)
    except OSError as error:
        raise _error(what, error, pid) from error


def seize(pid: int, options: int) -> None:
    _call(PTRACE_SEIZE, pid, 0, options, "ptrace(PTRACE_SEIZE)")


def interrupt(pid: int) -> None:
    _call(PTRACE_INTERRUPT, pid, 0, 0, "ptrace(PTRACE_INTERRUPT)")


def restart(request: int, pid: int, sig: int = 0) -> None:
    """CONT, SYSCALL, LISTEN or DETACH, delivering ``sig`` (0 for none)."""
    try:
        _ptrace(request, pid, 0, sig)  # the hot path: no helper frame
    except OSError as error:
        raise _error("ptrace restart", error, pid) from error


def _read(request: int, pid: int, size: int, what: str) -> bytes:
    try:
        return _kernel.ptrace_read(request, pid, 0, size)
    except OSError as error:
        raise _error(what, error, pid) from error


def event_message(pid: int) -> int:
    message = _read(PTRACE_GETEVENTMSG, pid, _ULONG.size, "ptrace(PTRACE_GETEVENTMSG)")
    value: int = _ULONG.unpack(message)[0]
    return value


def signal_info(pid: int) -> SigInfo:
    return parse_siginfo(_read(PTRACE_GETSIGINFO, pid, _SIGINFO_SIZE, "ptrace(PTRACE_GETSIGINFO)"))


def parse_siginfo(siginfo: bytes) -> SigInfo:
    """PTRACE_GETSIGINFO's 128 bytes as the fields its signal and code give it."""
    signo, err, code, pid, uid, status, utime, stime = _SIGINFO.unpack_from(siginfo)
    if signo == signal.SIGCHLD and code in CLD_CODES:
        return SigInfo(signo, code, pid, uid, status, utime, stime, err)
    if signo == signal.SIGSYS and code == SYS_SECCOMP:
        call_addr, nr, arch = _SIGSYS.unpack_from(siginfo)
        return SigInfo(signo, code, 0, 0, None, None, None, err, call_addr, nr, arch)
    if signo in _FAULTS and code > 0:  # from the kernel: si_addr, where the union starts
        addr = _SIGFAULT.unpack_from(siginfo)[0]
        return SigInfo(signo, code, 0, 0, None, None, None, err, addr=addr)
    value = _SIGVAL.unpack_from(siginfo)[0] if code in _VALUE_CODES else 0
    return SigInfo(signo, code, pid, uid, None, None, None, err, value=value or None)


# The signals of a fault, whose siginfo carries the faulting address (si_addr).
_FAULTS = frozenset((signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGTRAP))


def skip_syscall(pid: int, skip: SyscallSkip, result: int) -> None:
    """At a seccomp stop: the syscall will not run, and returns ``result``."""
    for offset, value in ((skip.result_offset, result), (skip.nr_offset, -1)):
        _call(PTRACE_POKEUSER, pid, offset, value, "ptrace(PTRACE_POKEUSER)")


def set_syscall(pid: int, skip: SyscallSkip, nr: int) -> None:
    """At a syscall's entry: it runs as syscall ``nr`` instead, or as nothing at all
    (-1); a seccomp stop re-runs the filter on the new number."""
    _call(PTRACE_POKEUSER, pid, skip.nr_offset, nr, "ptrace(PTRACE_POKEUSER)")


def set_result(pid: int, skip: SyscallSkip, result: int) -> None:
    """At a syscall's exit: the task sees ``result`` returned (-errno for an error)."""
    _call(PTRACE_POKEUSER, pid, skip.result_offset, result, "ptrace(PTRACE_POKEUSER)")


def syscall_info(pid: int) -> SyscallInfo:
    try:
        return _kernel.syscall_info(pid)
    except OSError as error:
        raise _error("ptrace(PTRACE_GET_SYSCALL_INFO)", error, pid) from error


# Syscall injection (traced attach --filter: traced/tracer/attachfilter.py).


def _signed(word: int) -> int:
    """A 64-bit word as the C long ptrace takes (see the module's facts)."""
    word &= (1 << 64) - 1
    return word - (1 << 64) if word >= 1 << 63 else word


def set_options(pid: int, options: int) -> None:
    _call(PTRACE_SETOPTIONS, pid, 0, options, "ptrace(PTRACE_SETOPTIONS)")


def registers(pid: int, size: int) -> bytes:
    """The register file, as PTRACE_GETREGS fills it (``size`` bytes: the Arch's)."""
    return _read(PTRACE_GETREGS, pid, size, "ptrace(PTRACE_GETREGS)")


def poke_user(pid: int, offset: int, word: int) -> None:
    _call(PTRACE_POKEUSER, pid, offset, _signed(word), "ptrace(PTRACE_POKEUSER)")


def poke_data(pid: int, address: int, data: bytes) -> None:
    """Write ``data`` (whole words) at ``address`` in the tracee's memory."""
    for at in range(0, len(data), _ULONG.size):
        (word,) = _ULONG.unpack_from(data, at)
        _call(PTRACE_POKEDATA, pid, address + at, _signed(word), "ptrace(PTRACE_POKEDATA)")
