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
  address, number and AUDIT_ARCH), and the verdict's data in ``si_errno``.
* PTRACE_POKEUSER writes one word of the tracee's user area (its registers) at a
  byte offset; traced.syscalls.arch says which offsets skip a syscall.
"""

from __future__ import annotations

import ctypes
import errno
import signal
import struct
from typing import NamedTuple

from traced.core.abi import (
    PTRACE_GET_SYSCALL_INFO,
    PTRACE_GETEVENTMSG,
    PTRACE_GETSIGINFO,
    PTRACE_INTERRUPT,
    PTRACE_POKEUSER,
    PTRACE_SEIZE,
    SyscallOp,
)
from traced.errors import PtraceError, TraceeGoneError
from traced.linux.libc import last_errno, libc
from traced.syscalls.arch import SyscallSkip

# No argtypes: converting through them costs a third of a call.  Every argument
# is then either a small int (libffi widens it to the 64-bit register glibc's
# va_arg reads) or a ctypes pointer object, never a bare address.
_ptrace = libc.ptrace
_ptrace.restype = ctypes.c_long

# struct ptrace_syscall_info: u8 op, u8 pad[3], u32 arch, u64 ip, u64 sp, then a union.
_INFO_SIZE = 88
_INFO_HEAD = struct.Struct("=B3xIQQ")
_INFO_ENTRY = struct.Struct("=Q6Q")
_INFO_EXIT = struct.Struct("=qB")
_INFO_SECCOMP = struct.Struct("=Q6QI")  # the entry's fields, then ret_data
_info_buffer = ctypes.create_string_buffer(_INFO_SIZE)
_ulong = ctypes.c_ulong()
_ulong_pointer = ctypes.byref(_ulong)
_SIGINFO_SIZE = 128
_siginfo_buffer = ctypes.create_string_buffer(_SIGINFO_SIZE)
# siginfo_t on 64-bit: int signo, errno, code; pad; then the union.  For kill and
# SIGCHLD it starts pid_t pid, uid_t uid; SIGCHLD goes on: int status, pad,
# clock_t utime, clock_t stime (in clock ticks).
_SIGINFO = struct.Struct("=iii4xIIi4xqq")
_SIGSYS = struct.Struct("=16xQiI")  # _call_addr, _syscall, _arch
CLD_CODES = range(1, 7)  # CLD_EXITED .. CLD_CONTINUED
SYS_SECCOMP = 1  # si_code of a SIGSYS sent by a seccomp filter's RET_TRAP


class SyscallInfo(NamedTuple):
    op: SyscallOp
    arch: int
    nr: int
    args: tuple[int, ...]
    rval: int
    is_error: bool
    data: int = 0  # a seccomp stop's SECCOMP_RET_DATA


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


def _call(request: int, pid: int, addr: int, data: object, what: str) -> int:
    result: int = _ptrace(request, pid, addr, data)
    if result == -1:
        _raise(what, pid)
    return result


def _raise(what: str, pid: int) -> None:
    err = last_errno()
    if err:
        error_type = TraceeGoneError if err == errno.ESRCH else PtraceError
        raise error_type.from_errno(what, err, pid)


def seize(pid: int, options: int) -> None:
    _call(PTRACE_SEIZE, pid, 0, options, "ptrace(PTRACE_SEIZE)")


def interrupt(pid: int) -> None:
    _call(PTRACE_INTERRUPT, pid, 0, 0, "ptrace(PTRACE_INTERRUPT)")


def restart(request: int, pid: int, sig: int = 0) -> None:
    """CONT, SYSCALL, LISTEN or DETACH, delivering ``sig`` (0 for none)."""
    if _ptrace(request, pid, 0, sig) == -1:  # the hot path: no helper frame
        _raise("ptrace restart", pid)


def event_message(pid: int) -> int:
    _call(PTRACE_GETEVENTMSG, pid, 0, _ulong_pointer, "ptrace(PTRACE_GETEVENTMSG)")
    return _ulong.value


def signal_info(pid: int) -> SigInfo:
    _call(PTRACE_GETSIGINFO, pid, 0, _siginfo_buffer, "ptrace(PTRACE_GETSIGINFO)")
    signo, err, code, pid, uid, status, utime, stime = _SIGINFO.unpack_from(_siginfo_buffer)
    if signo == signal.SIGCHLD and code in CLD_CODES:
        return SigInfo(signo, code, pid, uid, status, utime, stime, err)
    if signo == signal.SIGSYS and code == SYS_SECCOMP:
        call_addr, nr, arch = _SIGSYS.unpack_from(_siginfo_buffer)
        return SigInfo(signo, code, 0, 0, None, None, None, err, call_addr, nr, arch)
    return SigInfo(signo, code, pid, uid, None, None, None, err)


def skip_syscall(pid: int, skip: SyscallSkip, result: int) -> None:
    """At a seccomp stop: the syscall will not run, and returns ``result``."""
    for offset, value in ((skip.result_offset, result), (skip.nr_offset, -1)):
        word = ctypes.c_long(value)  # a whole register: the wrapper reads a long
        _call(PTRACE_POKEUSER, pid, offset, word, "ptrace(PTRACE_POKEUSER)")


def syscall_info(pid: int) -> SyscallInfo:
    if _ptrace(PTRACE_GET_SYSCALL_INFO, pid, _INFO_SIZE, _info_buffer) == -1:
        _raise("ptrace(PTRACE_GET_SYSCALL_INFO)", pid)
    op, arch, _ip, _sp = _INFO_HEAD.unpack_from(_info_buffer)
    if op == _EXIT:
        rval, is_error = _INFO_EXIT.unpack_from(_info_buffer, _INFO_HEAD.size)
        return SyscallInfo(SyscallOp.EXIT, arch, -1, (), rval, is_error != 0)
    if op == _SECCOMP:
        nr, *args, data = _INFO_SECCOMP.unpack_from(_info_buffer, _INFO_HEAD.size)
        return SyscallInfo(SyscallOp.SECCOMP, arch, nr, tuple(args), 0, False, data)
    if op == _ENTRY:
        nr, *args = _INFO_ENTRY.unpack_from(_info_buffer, _INFO_HEAD.size)
        return SyscallInfo(SyscallOp.ENTRY, arch, nr, tuple(args), 0, False)
    return SyscallInfo(SyscallOp.NONE, arch, -1, (), 0, False)


_EXIT, _ENTRY, _SECCOMP = int(SyscallOp.EXIT), int(SyscallOp.ENTRY), int(SyscallOp.SECCOMP)
