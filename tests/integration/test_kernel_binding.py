"""traced/linux/_kernel.c against a real second process: what it reads, and how it fails.

A forked child has the parent's address space at the same addresses, so what the
test writes before forking is where the test knows it is in the child."""

from __future__ import annotations

import ctypes
import errno
import mmap
import os
import signal
from collections.abc import Iterator

import pytest

from traced.core.abi import PTRACE_SYSCALL
from traced.errors import MemoryReadError, TraceeGoneError
from traced.linux import ptrace
from traced.linux.memory import PAGE_SIZE, read_bytes, read_cstring

pytestmark = pytest.mark.integration


def _address(area: mmap.mmap) -> int:
    return ctypes.addressof(ctypes.c_char.from_buffer(area))


@pytest.fixture
def two_pages() -> Iterator[mmap.mmap]:
    area = mmap.mmap(-1, 2 * PAGE_SIZE)
    yield area
    area.close()


def _child_holding(area: mmap.mmap, *, unmapping: int = 0) -> int:
    """A child that sleeps with ``area`` mapped as the parent filled it, less the
    page at ``unmapping`` (an address; 0 for none), which it unmaps first."""
    ready, told = os.pipe()
    pid = os.fork()
    if pid == 0:
        if unmapping:
            ctypes.CDLL(None).munmap(ctypes.c_void_p(unmapping), PAGE_SIZE)
        os.write(told, b"!")
        signal.pause()
        os._exit(0)
    os.close(told)
    assert os.read(ready, 1) == b"!"
    os.close(ready)
    return pid


def _reap(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def test_a_string_across_a_page_boundary_is_read_whole(two_pages: mmap.mmap) -> None:
    text = b"/usr/share/" + b"x" * 40
    start = PAGE_SIZE - 11  # the string begins 11 bytes before the second page
    two_pages[start : start + len(text) + 1] = text + b"\0"
    pid = _child_holding(two_pages)
    try:
        assert read_cstring(pid, _address(two_pages) + start) == text
        assert read_bytes(pid, _address(two_pages) + start, len(text)) == text
    finally:
        _reap(pid)


def test_a_string_that_runs_into_an_unmapped_page_is_no_string(two_pages: mmap.mmap) -> None:
    """Its NUL unreadable, it is not taken for the bytes before the hole: strace prints
    such a string's address (faccessat2(3, 0x7f.., F_OK, 0) = -1 EFAULT), and so do
    we; a limit reached first is a string cut by the limit, as ever."""
    two_pages[PAGE_SIZE - 8 : PAGE_SIZE] = b"no-nul!!"
    base = _address(two_pages)
    pid = _child_holding(two_pages, unmapping=base + PAGE_SIZE)
    try:
        assert read_bytes(os.getpid(), base + PAGE_SIZE, 4) == b"\0" * 4  # ours is there
        with pytest.raises(MemoryReadError) as caught:
            read_cstring(pid, base + PAGE_SIZE - 8)
        assert (caught.value.pid, caught.value.errno) == (pid, errno.EFAULT)
        assert read_cstring(pid, base + PAGE_SIZE - 8, 5) == b"no-nu"
        assert read_bytes(pid, base + PAGE_SIZE - 8, 100) == b"no-nul!!"
    finally:
        _reap(pid)


def test_an_unmapped_address_is_a_memory_read_error_with_its_pid_and_errno() -> None:
    pid = _child_holding(mmap.mmap(-1, PAGE_SIZE))
    try:
        with pytest.raises(MemoryReadError) as caught:
            read_cstring(pid, 16)
        assert (caught.value.pid, caught.value.errno) == (pid, errno.EFAULT)
        with pytest.raises(MemoryReadError):
            read_bytes(pid, 16, 8)
    finally:
        _reap(pid)


def test_ptrace_on_a_process_not_ours_is_tracee_gone_with_its_pid() -> None:
    pid = _child_holding(mmap.mmap(-1, PAGE_SIZE))
    try:
        with pytest.raises(TraceeGoneError) as caught:
            ptrace.syscall_info(pid)
        assert (caught.value.pid, caught.value.errno) == (pid, errno.ESRCH)
        with pytest.raises(TraceeGoneError):
            ptrace.restart(PTRACE_SYSCALL, pid)
    finally:
        _reap(pid)
