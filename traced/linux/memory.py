"""Reading a tracee's memory with process_vm_readv(2).

Kernel facts this module depends on:

* process_vm_readv copies from another process in one syscall, with the same
  permission check as ptrace (PTRACE_MODE_ATTACH_REALCREDS), which a tracer passes.
* It stops at the first page that is not mapped and returns a short count, so a
  string is read page by page: a read that crosses into an unmapped page would
  otherwise fail whole, although the NUL may sit before the boundary.  The page
  loop is in C (traced/linux/_kernel.c): one stop can make several reads, and
  ctypes' argument conversion cost more than each of them.
* A tracee stays put while it is in a ptrace-stop, so what we read is what the
  syscall will see (other threads of the process may still be running).
"""

from __future__ import annotations

from traced.errors import KernelCallError, MemoryReadError
from traced.linux import _kernel

PAGE_SIZE = 4096


def _read_error(error: OSError, pid: int, address: int) -> KernelCallError:
    call = f"process_vm_readv({address:#x})"
    return MemoryReadError.from_errno(call, error.errno or 0, pid)


def read_bytes(pid: int, address: int, size: int) -> bytes:
    """Up to ``size`` bytes at ``address``; shorter where the mapping ends."""
    try:
        return _kernel.read_memory(pid, address, size)  # page by page, in C
    except OSError as error:
        raise _read_error(error, pid, address) from error


def read_cstring(pid: int, address: int, limit: int = PAGE_SIZE) -> bytes:
    """The NUL-terminated string at ``address``, without its NUL, at most ``limit`` bytes."""
    try:
        return _kernel.read_cstring(pid, address, limit)  # page by page, in C
    except OSError as error:
        raise _read_error(error, pid, address) from error


class TraceeMemory:
    """A tracee's memory as the decoders see it: strings and words by address."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def read(self, address: int, size: int) -> bytes:
        return read_bytes(self.pid, address, size)

    def cstring(self, address: int, limit: int = PAGE_SIZE) -> bytes:
        return read_cstring(self.pid, address, limit)
