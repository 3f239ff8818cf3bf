"""Installing a seccomp filter: prctl(PR_SET_NO_NEW_PRIVS) and seccomp(2) via ctypes.

Kernel facts this module encodes:

* seccomp(SECCOMP_SET_MODE_FILTER) refuses with EACCES unless the thread has set
  no_new_privs (prctl PR_SET_NO_NEW_PRIVS = 38) or holds CAP_SYS_ADMIN.  no_new_privs
  can never be cleared and survives execve (setuid bits stop working, by design).
* seccomp(SECCOMP_SET_MODE_FILTER = 1, flags, struct sock_fprog *) attaches the filter
  to the calling thread only (flags 0: no TSYNC).  It is inherited over fork, clone
  and execve and can never be removed; later filters stack on top.
* ``struct sock_fprog {unsigned short len; struct sock_filter *filter}``: ``len``
  counts 8-byte instructions, not bytes.  The kernel copies the program, so our
  buffer need only live for the call.  It rejects an invalid program with EINVAL.
* A filter returning SECCOMP_RET_TRACE when no tracer uses PTRACE_O_TRACESECCOMP
  fails the syscall with ENOSYS, without running it.
* The syscall number comes from the host's table (317 on x86_64); older glibc has no
  seccomp() wrapper, so the call goes through syscall(3).

Meant for a freshly forked child before execve: no logging, no imports at call time,
and nothing allocated beyond the call's own ctypes objects.  libc and the function
signatures are bound once, at import.
"""

from __future__ import annotations

import ctypes
import errno

from traced.errors import SeccompError
from traced.filter.bpf import BPF_MAXINSNS, INSTRUCTION
from traced.syscalls.arch import host_arch

PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
SYS_SECCOMP = host_arch().native.numbers_by_name["seccomp"]


class SockFprog(ctypes.Structure):
    """struct sock_fprog: the instruction count and a pointer to the instructions."""

    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


_libc = ctypes.CDLL(None, use_errno=True)

# Our own function objects (item access, not attributes), so no other module's
# argtypes for the same libc symbol can change how we call it.
_prctl = _libc["prctl"]
_prctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)
_prctl.restype = ctypes.c_int

_seccomp = _libc["syscall"]
_seccomp.argtypes = (ctypes.c_long, ctypes.c_uint, ctypes.c_uint, ctypes.POINTER(SockFprog))
_seccomp.restype = ctypes.c_long


def set_no_new_privs() -> None:
    """Promise the kernel this thread and its children gain no privileges via execve."""
    if _prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SeccompError.from_errno("prctl(PR_SET_NO_NEW_PRIVS)", ctypes.get_errno())


def install_filter(program: bytes) -> None:
    """Attach ``program`` (from filter.bpf.compile_filter) to the calling thread, for good."""
    count, partial = divmod(len(program), INSTRUCTION.size)
    if partial or not 0 < count <= BPF_MAXINSNS:
        # Checked here because c_ushort would silently truncate a longer count.
        raise SeccompError(
            f"seccomp filter of {len(program)} bytes is not 1..{BPF_MAXINSNS} instructions",
            errno=errno.EINVAL,
        )
    instructions = (ctypes.c_char * len(program)).from_buffer_copy(program)
    fprog = SockFprog(count, ctypes.addressof(instructions))
    if _seccomp(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, 0, ctypes.byref(fprog)) != 0:
        raise SeccompError.from_errno("seccomp(SECCOMP_SET_MODE_FILTER)", ctypes.get_errno())
