"""Reading a tracee's memory with process_vm_readv(2).

Kernel facts this module depends on:

* process_vm_readv copies from another process in one syscall, with the same
  permission check as ptrace (PTRACE_MODE_ATTACH_REALCREDS), which a tracer passes.
* It stops at the first page that is not mapped and returns a short count, so a
  string is read page by page: a read that crosses into an unmapped page would
  otherwise fail whole, although the NUL may sit before the boundary.
* A tracee stays put while it is in a ptrace-stop, so what we read is what the
  syscall will see (other threads of the process may still be running).
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator

from traced.errors import MemoryReadError
from traced.linux.libc import last_errno, libc

PAGE_SIZE = 4096


class _IoVec(ctypes.Structure):
    _fields_ = (("base", ctypes.c_void_p), ("len", ctypes.c_size_t))


_readv = libc.process_vm_readv
_readv.argtypes = (
    ctypes.c_int,
    ctypes.POINTER(_IoVec),
    ctypes.c_ulong,
    ctypes.POINTER(_IoVec),
    ctypes.c_ulong,
    ctypes.c_ulong,
)
_readv.restype = ctypes.c_ssize_t

_buffer = ctypes.create_string_buffer(PAGE_SIZE)
_buffer_address = ctypes.addressof(_buffer)
_local = _IoVec(_buffer_address, 0)
_remote = _IoVec(0, 0)
_local_ref, _remote_ref = ctypes.byref(_local), ctypes.byref(_remote)


def _read_within_page(pid: int, address: int, size: int) -> bytes:
    _local.len = _remote.len = size
    _remote.base = address
    count: int = _readv(pid, _local_ref, 1, _remote_ref, 1, 0)
    if count < 0:
        err = last_errno()
        raise MemoryReadError.from_errno(f"process_vm_readv({address:#x})", err, pid)
    return ctypes.string_at(_buffer_address, count)  # only what was read, not the page


def _pages(pid: int, address: int, limit: int) -> Iterator[bytes]:
    """Up to ``limit`` bytes at ``address``, one page-bounded read at a time.

    Stops after a short read: the mapping ends there.
    """
    while limit > 0:
        step = min(limit, PAGE_SIZE - address % PAGE_SIZE)
        chunk = _read_within_page(pid, address, step)
        yield chunk
        if len(chunk) < step:
            return
        address += step
        limit -= step


def read_bytes(pid: int, address: int, size: int) -> bytes:
    """Up to ``size`` bytes at ``address``; shorter where the mapping ends."""
    return b"".join(_pages(pid, address, size))


def read_cstring(pid: int, address: int, limit: int = PAGE_SIZE) -> bytes:
    """The NUL-terminated string at ``address``, without its NUL, at most ``limit`` bytes."""
    step = min(limit, PAGE_SIZE - address % PAGE_SIZE)
    first = _read_within_page(pid, address, step)
    end = first.find(b"\0")
    if end >= 0:
        return first[:end]  # the usual case: the string ends on its first page
    if len(first) < step:
        return first  # the mapping ends before any NUL
    chunks = [first]
    for chunk in _pages(pid, address + step, limit - step):
        end = chunk.find(b"\0")
        if end >= 0:
            chunks.append(chunk[:end])
            break
        chunks.append(chunk)
    return b"".join(chunks)


class TraceeMemory:
    """A tracee's memory as the decoders see it: strings and words by address."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def read(self, address: int, size: int) -> bytes:
        return read_bytes(self.pid, address, size)

    def cstring(self, address: int, limit: int = PAGE_SIZE) -> bytes:
        return read_cstring(self.pid, address, limit)
