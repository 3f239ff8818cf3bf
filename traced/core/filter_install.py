"""Installing our seccomp filter in a running process: the pure plan of the injection.

Pure: registers in, register writes and the next syscall out.  The shell
(traced/tracer/attachfilter.py) reads and writes the registers, restarts the task
and reads each result.

Kernel facts the plan depends on:

* At a syscall-entry-stop the kernel has not yet chosen the syscall: it runs the
  number in ``orig_rax`` with the arguments in the argument registers as they are
  when the tracer restarts the task (x86 ``syscall_enter_from_user_mode`` rereads
  them after ptrace's report), so writing them there runs another syscall in
  place of the task's, and its syscall-exit-stop follows (PTRACE_SYSCALL).
* At that exit stop the task's own call has not run.  Writing back its registers,
  with ``rax`` = its number and the instruction pointer moved back over the
  syscall instruction (2 bytes, ``0f 05``), makes the task execute that same
  instruction again once it runs: its own call is made as if nothing happened
  (gdb's and strace's way of restarting a call).  The kernel does the same to
  restart an interrupted call, so a ``restart_syscall`` re-executed this way still
  resumes its sleep (the restart block is the thread's, and our calls leave it).
* Each injected call is a whole entry-to-exit pair, and the task's registers are
  its own again before it runs any user code: a signal delivered in between finds
  the task as it was, about to make its call, and a handler frame saves that.
* The filter program must be in the task's memory for seccomp(2) to copy it.  Not
  below the stack pointer: a goroutine's stack (Go) or a coroutine's may end a few
  hundred bytes below it, and what lies beyond is another stack that another
  thread is using.  So a page of its own is mapped for it (mmap), written by the
  tracer, and unmapped after the seccomp call, whatever it returned.
* seccomp(SECCOMP_SET_MODE_FILTER) needs no_new_privs or CAP_SYS_ADMIN in the
  task's user namespace (else EACCES); prctl(PR_SET_NO_NEW_PRIVS, 1) sets it for
  the calling thread, for good.  With SECCOMP_FILTER_FLAG_TSYNC the filter goes on
  every thread of the process at once, and no_new_privs with it; if another
  thread's filter tree is not an ancestor of the caller's (it installed one of its
  own), or a thread is in strict mode, nothing is installed and the call returns
  that thread's tid (a positive number, not an error).
* A syscall fails with a result in -4095..-1 (-errno); mmap's address and
  seccomp's tid are positive.
"""

from __future__ import annotations

import enum
import errno
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass

from traced.syscalls.arch import SyscallInjection

PROT_READ_WRITE = 0x1 | 0x2
MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
PAGE_SIZE = 4096
_NO_FD = (1 << 64) - 1  # mmap's fd -1, as the register holds it
_WORD = struct.Struct("=Q")
# struct sock_fprog {unsigned short len; struct sock_filter *filter}, 16 bytes on 64-bit;
# the program follows it in the mapped page.
_FPROG = struct.Struct("=H6xQ")
_INSTRUCTION_SIZE = 8

Write = tuple[int, int]  # PTRACE_POKEUSER: (offset into the register file, word)


class Call(enum.Enum):
    """The injected calls, in the order they are made."""

    MMAP = "mmap"
    NO_NEW_PRIVS = "prctl"
    SECCOMP = "seccomp"
    MUNMAP = "munmap"


def is_error(result: int) -> bool:
    return -4095 <= result < 0


def failure_text(call: Call, result: int) -> str:
    """What a failed call said, for the user: ``seccomp: EACCES (Permission denied)``."""
    code = -result
    name = errno.errorcode.get(code, f"errno {code}")
    return f"{call.value} failed: {name} ({os.strerror(code)})"


@dataclass
class Install:
    """One install's progress.  ``call`` is the next call to inject (None: over);
    ``installed`` says how it ended, ``failure`` why not."""

    program: bytes
    needs_no_new_privs: bool
    call: Call | None = Call.MMAP
    address: int = 0  # the mapped page, once mmap returned it
    installed: bool = False
    failure: str | None = None

    @property
    def size(self) -> int:
        """The mapping: the sock_fprog and the program, in whole pages."""
        total = _FPROG.size + len(self.program)
        return -(-total // PAGE_SIZE) * PAGE_SIZE

    @property
    def over(self) -> bool:
        return self.call is None


def arguments(install: Install) -> tuple[int, ...]:
    """The six argument registers of the call to inject next."""
    call = install.call
    if call is Call.MMAP:
        return (0, install.size, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, _NO_FD, 0)
    if call is Call.NO_NEW_PRIVS:
        return (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0)
    if call is Call.SECCOMP:
        return (SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, install.address, 0, 0, 0)
    if call is Call.MUNMAP:
        return (install.address, install.size, 0, 0, 0, 0)
    raise ValueError("the install is over: nothing to inject")


def program_image(install: Install) -> bytes:
    """What goes into the mapped page: the sock_fprog, pointing just past itself at
    the program, padded to whole words (the tracer writes words)."""
    count = len(install.program) // _INSTRUCTION_SIZE
    image = _FPROG.pack(count, install.address + _FPROG.size) + install.program
    return image + bytes(-len(image) % _WORD.size)


def _after_mmap(install: Install, result: int) -> Call | None:
    if is_error(result):
        install.failure = failure_text(Call.MMAP, result)
        return None
    install.address = result
    return Call.NO_NEW_PRIVS if install.needs_no_new_privs else Call.SECCOMP


def _after_no_new_privs(install: Install, result: int) -> Call | None:
    if result != 0:
        install.failure = failure_text(Call.NO_NEW_PRIVS, result)
    return Call.MUNMAP if result != 0 else Call.SECCOMP


def _after_seccomp(install: Install, result: int) -> Call | None:
    if result == 0:
        install.installed = True
    elif is_error(result):
        install.failure = failure_text(Call.SECCOMP, result)
    else:
        install.failure = (
            f"seccomp refused to synchronise the threads: thread {result} has a seccomp "
            "filter of its own (SECCOMP_FILTER_FLAG_TSYNC)"
        )
    return Call.MUNMAP


def _after_munmap(install: Install, result: int) -> Call | None:
    return None  # a failed munmap leaks a page, no more


# What each call's result leads to: the next call (None: the install is over).
AFTER: dict[Call, Callable[[Install, int], Call | None]] = {
    Call.MMAP: _after_mmap,
    Call.NO_NEW_PRIVS: _after_no_new_privs,
    Call.SECCOMP: _after_seccomp,
    Call.MUNMAP: _after_munmap,
}


def advance(install: Install, result: int) -> Call | None:
    """The injected call returned ``result``: the next one (None: over)."""
    assert install.call is not None
    install.call = AFTER[install.call](install, result)
    return install.call


# --- registers --------------------------------------------------------------------


def word(regs: bytes, offset: int) -> int:
    value: int = _WORD.unpack_from(regs, offset)[0]
    return value


def substitute(table: SyscallInjection, nr: int, args: tuple[int, ...]) -> tuple[Write, ...]:
    """At a syscall-entry-stop: the writes that make the kernel run ``nr(args)`` instead."""
    return ((table.nr_offset, nr), *zip(table.arg_offsets, args, strict=True))


def restore(table: SyscallInjection, saved: bytes) -> tuple[Write, ...]:
    """At the injected call's exit stop: the task's own registers, set to execute its
    syscall instruction again (see the module's facts).  Only the registers the
    injection or the kernel changed: the number, the arguments, the result and the
    instruction pointer."""
    nr = word(saved, table.nr_offset)
    back = word(saved, table.ip_offset) - len(table.instruction)
    own = tuple((offset, word(saved, offset)) for offset in table.arg_offsets)
    return ((table.nr_offset, nr), *own, (table.result_offset, nr), (table.ip_offset, back))


CAP_SYS_ADMIN = 21


def needs_no_new_privs(no_new_privs: str, cap_eff: str) -> bool:
    """Whether seccomp(2) needs no_new_privs set first: not if it is set already, nor
    for a thread with CAP_SYS_ADMIN (/proc/TID/status's NoNewPrivs and CapEff)."""
    return no_new_privs != "1" and not int(cap_eff or "0", 16) >> CAP_SYS_ADMIN & 1


def refusal(elf_header: bytes, elf_machine: int, seccomp_modes: dict[int, str]) -> str | None:
    """Why a process cannot take our filter by injection, or None if it can.

    ``elf_header``: the first bytes of its executable; ``seccomp_modes``: each
    thread's ``Seccomp:`` line of /proc/TID/status."""
    if len(elf_header) < 20 or elf_header[:4] != b"\x7fELF":
        return "its executable is not an ELF file this machine runs"
    machine = int.from_bytes(elf_header[18:20], "little")
    if elf_header[4] != 2 or machine != elf_machine:  # ELFCLASS64 of this machine
        return (
            "it is not a native 64-bit process (an i386 or x32 program): only the native "
            "ABI's syscalls are injected"
        )
    for tid, mode in sorted(seccomp_modes.items()):
        if mode != "0":
            return (
                f"thread {tid} has a seccomp filter of its own (Seccomp: {mode}), whose "
                "verdict on the injected calls could kill the process"
            )
    return None
