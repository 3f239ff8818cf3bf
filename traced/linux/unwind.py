"""A stopped tracee's call stack, walked by libunwind's ptrace accessors (ctypes).

Kernel facts this module depends on:

* Unwinding a tracee reads its registers (PTRACE_PEEKUSER) and its stack
  (PTRACE_PEEKDATA), one word at a time: libunwind-ptrace's accessors make those
  requests.  ptrace answers them only for the thread that is the tracee's tracer,
  and only while the tracee is in a ptrace-stop (ESRCH otherwise), so a walk runs
  in the tracer, at the stop, before the restart.  The values it reads are those
  of that stop: at a syscall-exit-stop the stack the syscall returns to.
* Which file each instruction pointer lies in, and at which offset of it, is
  /proc/PID/maps; libunwind reads it too, and the ELF files it names (their
  .eh_frame unwind tables, their .symtab or else .dynsym symbols), through the
  file system, not through the tracee.
* Every thread of a process has its own registers and stack: a walk is a
  thread's (its tid), while the mappings are the whole process's.

libunwind's side: ``_UPT_create(tid)`` makes the accessors' context for one
task; an address space (``create_addr_space(&_UPT_accessors, 0)``) caches what it
learnt of the mapped files, and must be flushed when the mappings change
(``flush_cache``); ``init_remote`` starts a cursor at the task's registers,
``step`` moves it one frame out, ``get_reg(UNW_REG_IP)`` and ``get_proc_name``
say where it is.  The generic (remote) library of each architecture names its
functions with a prefix of its own (``_Ux86_64_step``): ARCHES is the one table
of those names and numbers, so another architecture is a row there.

libunwind-ptrace.so.0 does not name the generic library it calls into as a
dependency (strace links both), so that one is loaded first, RTLD_GLOBAL.
Nothing here is imported unless -k asks for stacks.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any, NamedTuple

from traced.errors import StackTraceUnavailable

PTRACE_LIBRARY = "libunwind-ptrace.so.0"
PACKAGE = "libunwind8"  # Debian's and Ubuntu's package of both libraries


class UnwindArch(NamedTuple):
    """What libunwind calls things on one architecture (its libunwind-ARCH.h)."""

    library: str  # the generic library, which unwinds other processes
    prefix: str  # its functions' prefix: unw_step is PREFIX + "step"
    ip_register: int  # UNW_REG_IP (UNW_TDEP_IP)
    cursor_words: int  # UNW_TDEP_CURSOR_LEN: unw_cursor_t's size, in unw_word_t


ARCHES = {
    "x86_64": UnwindArch("libunwind-x86_64.so.8", "_Ux86_64_", 16, 127),  # UNW_X86_64_RIP
    "aarch64": UnwindArch("libunwind-aarch64.so.8", "_Uaarch64_", 30, 250),  # UNW_AARCH64_X30
}

UNW_CACHE_GLOBAL = 1
UNW_ENOMEM = 2  # get_proc_name: the name does not fit the buffer
_NAME_SIZE = 256

_word = ctypes.c_uint64
_ptr = ctypes.c_void_p


class Libunwind:
    """libunwind's generic and ptrace libraries, bound; one address space per trace."""

    def __init__(self, machine: str | None = None) -> None:
        machine = machine or os.uname().machine
        arch = ARCHES.get(machine)
        if arch is None:
            raise StackTraceUnavailable(f"-k: stack traces are not supported on {machine}")
        self.arch = arch
        try:
            generic = ctypes.CDLL(arch.library, mode=ctypes.RTLD_GLOBAL)
            upt = ctypes.CDLL(PTRACE_LIBRARY)
        except OSError as error:
            raise StackTraceUnavailable(
                f"-k needs libunwind ({arch.library} and {PTRACE_LIBRARY}, in the "
                f"{PACKAGE} package on Debian and Ubuntu): {error}"
            ) from error
        self._bind(generic, upt, arch.prefix)
        self._cursor_type = _word * arch.cursor_words

    def _bind(self, generic: ctypes.CDLL, upt: ctypes.CDLL, prefix: str) -> None:
        def fn(lib: ctypes.CDLL, name: str, res: type | None, *args: type) -> Any:
            function = getattr(lib, name)
            function.restype = res
            function.argtypes = args
            return function

        p = prefix
        self._create_space = fn(generic, p + "create_addr_space", _ptr, _ptr, ctypes.c_int)
        self._caching = fn(generic, p + "set_caching_policy", ctypes.c_int, _ptr, ctypes.c_int)
        self._flush = fn(generic, p + "flush_cache", None, _ptr, _word, _word)
        self._destroy_space = fn(generic, p + "destroy_addr_space", None, _ptr)
        self._init_remote = fn(generic, p + "init_remote", ctypes.c_int, _ptr, _ptr, _ptr)
        self._step = fn(generic, p + "step", ctypes.c_int, _ptr)
        self._get_reg = fn(generic, p + "get_reg", ctypes.c_int, _ptr, ctypes.c_int, _ptr)
        self._proc_name = fn(
            generic, p + "get_proc_name", ctypes.c_int, _ptr, _ptr, ctypes.c_size_t, _ptr
        )
        self._upt_create = fn(upt, "_UPT_create", _ptr, ctypes.c_int)
        self._upt_destroy = fn(upt, "_UPT_destroy", None, _ptr)
        self._accessors = ctypes.addressof(ctypes.c_char.in_dll(upt, "_UPT_accessors"))

    def address_space(self) -> int:
        """A new address space over the ptrace accessors, caching globally, as strace's."""
        space = self._create_space(self._accessors, 0)
        if not space:
            raise StackTraceUnavailable("-k: libunwind could not create an address space")
        self._caching(space, UNW_CACHE_GLOBAL)
        return int(space)

    def flush(self, space: int) -> None:
        """Forget what the address space learnt of the mapped files (they changed)."""
        self._flush(space, 0, 0)

    def close(self, space: int) -> None:
        self._destroy_space(space)

    def context(self, tid: int) -> int | None:
        """The ptrace accessors' context for one task; None if libunwind has none."""
        context = self._upt_create(tid)
        return int(context) if context else None

    def release(self, context: int) -> None:
        self._upt_destroy(context)

    def cursor(self, space: int, context: int) -> Cursor | None:
        """A cursor at the stopped task's registers; None if they cannot be read."""
        cursor = self._cursor_type()
        if self._init_remote(ctypes.byref(cursor), space, context) < 0:
            return None
        return Cursor(self, cursor)


class Cursor:
    """One walk: where it is, the function there, and the step to its caller."""

    def __init__(self, lib: Libunwind, cursor: ctypes.Array[ctypes.c_uint64]) -> None:
        self._lib = lib
        self._ref = ctypes.byref(cursor)
        self._word = _word()
        self._name = ctypes.create_string_buffer(_NAME_SIZE)

    def ip(self) -> int | None:
        """The frame's instruction pointer; None if libunwind cannot say."""
        if self._lib._get_reg(self._ref, self._lib.arch.ip_register, ctypes.byref(self._word)) < 0:
            return None
        return int(self._word.value)

    def proc_name(self) -> tuple[bytes, int]:
        """The symbol the frame is in and the ip's offset from it: (b"", 0) if none,
        as strace takes a failure."""
        while True:
            name = self._name
            rc = self._lib._proc_name(self._ref, name, len(name), ctypes.byref(self._word))
            if rc == 0:
                return name.value, int(self._word.value)
            if rc != -UNW_ENOMEM:
                return b"", 0
            self._name = ctypes.create_string_buffer(len(name) * 2)

    def step(self) -> int:
        """> 0: at the caller's frame; 0: the outermost frame; < 0: libunwind failed."""
        return int(self._lib._step(self._ref))
