"""The architecture, in one place.

Kernel facts this module encodes:

* seccomp filters see ``struct seccomp_data {int nr; u32 arch; u64 ip; u64 args[6]}``.
  ``arch`` is an AUDIT_ARCH_* constant naming the ABI the syscall entered through,
  which on x86_64 may be native, i386 (``int 0x80`` or a 32-bit binary) or x32
  (native ``arch`` with bit 0x40000000 set in ``nr``).
* ``PTRACE_GET_SYSCALL_INFO`` reports the same ``arch`` value, so one table maps
  ``(arch, nr)`` to a name at every stop, without reading per-architecture registers.
* ``args[i]`` is a u64 at offset 16 + 8*i, in the machine's byte order, which a filter
  loads as two 32-bit words (``Arch.arg_words``: x86_64 and aarch64 are
  little-endian, the low word first).  An ABI with 32-bit registers (i386) puts its
  argument in the low word; the high word is then meaningless to compare.  On every
  ABI a C ``int`` argument is the low word alone: the kernel truncates the register
  (``SYSCALL_DEFINE``), so the high word may hold junk the call never sees.

Architectures:

* ``x86_64``: native x86_64, i386 and x32, numbers from the x86 uapi headers.
* ``aarch64``: native only (AUDIT_ARCH_AARCH64 = 0xC00000B7), numbers from
  asm-generic/unistd.h evaluated as arm64 includes it.  Its 32-bit compat ABI
  (AUDIT_ARCH_ARM = 0x40000028, arch/arm/tools/syscall.tbl) is not here: no arm
  headers are installed on the x86_64 machines the tables are generated on.  A
  compat call on an aarch64 host is therefore TRACEd by the seccomp filter (an
  audit arch the Arch does not know), and at its stops ``abi_for`` falls back to
  the native ABI, so it is named by aarch64's numbers: wrong, until arm is added.

Skipping a syscall at a seccomp stop (as the kernel does for a RET_TRACE nobody
asked to see: see traced.core.abi) means writing registers, the one place the
ptrace side is per-architecture.  ``Arch.skip`` says where: on x86_64,
PTRACE_POKEUSER at offsets into ``struct user_regs_struct`` (asm/user_64.h:
``rax`` is its 11th 8-byte word, ``orig_rax`` its 16th), ``orig_rax = -1`` making
the syscall number invalid and ``rax`` the result the task sees.  The same offsets
serve its i386 and x32 tracees: a 64-bit tracer always sees the 64-bit layout.
aarch64 has no POKEUSER (it takes NT_ARM_SYSTEM_CALL through PTRACE_SETREGSET):
``skip`` is None there, and such a stop is left to run (logged).

Injecting syscalls into a running process (``traced attach --filter``:
traced/core/filter_install.py) needs the whole register file: ``Arch.inject`` says where
each register is in what PTRACE_GETREGS returns (``struct user_regs_struct``, 27
words on x86_64: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi
orig_rax rip cs eflags rsp ss fs_base gs_base ds es fs gs), which registers carry a
syscall's six arguments (rdi rsi rdx r10 r8 r9), and the syscall instruction
(``syscall``, 0f 05: two bytes, so rewinding rip by 2 at a syscall stop makes the
task execute it again).  Only the native ABI is injected into: an i386 or x32
process enters through other instructions and numbers.  aarch64 needs
PTRACE_GETREGSET and NT_ARM_SYSTEM_CALL to change a syscall's number, not one
word of a user area: ``inject`` is None there until that is written.

What stays architecture-neutral: the seccomp compiler (traced/filter/bpf.py) works from
any Arch's ABIs, and the ptrace side (traced/linux/ptrace.py) reads every stop
with PTRACE_GET_SYSCALL_INFO, whose ``arch``, ``nr`` and six args need no
per-architecture registers.  Syscall signatures take an ABI name (aarch64 overrides
clone's argument order there).  What a real aarch64 port still needs, outside this
module: the struct layouts in traced/decoders are x86_64's
(aarch64's ``struct stat`` is asm-generic's, and some O_* flag values differ); ``-e
trace=@64`` etc. in traced/filter/expression.py name x86 personalities; and nothing has run
on aarch64 hardware yet.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal, NamedTuple

from traced.syscalls import _tables

AUDIT_ARCH_X86_64 = 0xC000003E
AUDIT_ARCH_I386 = 0x40000003
AUDIT_ARCH_AARCH64 = 0xC00000B7
X32_SYSCALL_BIT = 0x40000000
ARGS_OFFSET = 16  # struct seccomp_data's args[0]

# Plain classes and a NamedTuple, not dataclasses: every launch imports this module,
# and a frozen dataclass costs some 0.5 ms to create (bench/startup.py).  Each Abi and
# Arch is built once, here, and compared by identity.


class Abi:
    """One way into the kernel: its audit arch and its syscall numbers."""

    __slots__ = (
        "audit_arch", "name", "names_by_nr", "nr_bit", "numbers_by_name", "register_bits",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        audit_arch: int,
        names_by_nr: Mapping[int, str],
        nr_bit: int = 0,
        register_bits: int = 64,
    ) -> None:
        self.name = name
        self.audit_arch = audit_arch
        self.names_by_nr = names_by_nr
        # x32 shares x86_64's audit arch and is told apart by this bit in nr.
        self.nr_bit = nr_bit
        # How wide an argument register is: a long, a size or a pointer is this wide.
        self.register_bits = register_bits
        self.numbers_by_name: Mapping[str, int] = {n: nr for nr, n in names_by_nr.items()}

    def __repr__(self) -> str:
        return f"Abi({self.name!r}, {self.audit_arch:#x})"

    def name_of(self, nr: int) -> str:
        return self.names_by_nr.get(nr & ~self.nr_bit, f"syscall_{nr:#x}")


class SyscallSkip(NamedTuple):
    nr_offset: int  # the syscall number: -1 skips the call
    result_offset: int  # what the skipped call returns


class SyscallInjection(NamedTuple):
    """Where a native syscall's registers are, as PTRACE_GETREGS lays them out."""

    regs_size: int  # bytes of the register file GETREGS fills
    nr_offset: int  # the syscall number the kernel runs (orig_rax)
    result_offset: int  # the return value (rax), and the number the instruction takes
    ip_offset: int  # the instruction pointer, just past the syscall instruction at a stop
    sp_offset: int  # the stack pointer (rt_sigreturn's signal frame is there at entry)
    arg_offsets: tuple[int, ...]  # the six arguments, in order
    instruction: bytes  # the syscall instruction: rip - len(instruction) points at it
    elf_machine: int  # e_machine of the native ABI's executables (ELFCLASS64)


class Arch:
    """An architecture: its native ABI, the foreign ones its kernel takes, where a
    syscall is skipped (None: it cannot be), and how one is injected (None: not yet)."""

    __slots__ = (
        "_abi_by_key", "abis", "byteorder", "foreign", "inject", "name", "native", "skip",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        native: Abi,
        foreign: tuple[Abi, ...],
        skip: SyscallSkip | None = None,
        *,
        byteorder: Literal["little", "big"] = "little",
        inject: SyscallInjection | None = None,
    ) -> None:
        self.name = name
        self.native = native
        self.foreign = foreign
        self.skip = skip
        self.byteorder = byteorder
        self.inject = inject
        self.abis = (native, *foreign)
        self._abi_by_key = {(abi.audit_arch, abi.nr_bit): abi for abi in reversed(self.abis)}

    def __repr__(self) -> str:
        return f"Arch({self.name!r})"

    def arg_words(self, index: int) -> tuple[int, int]:
        """The seccomp_data offsets of argument ``index``'s low and high 32-bit words."""
        start = ARGS_OFFSET + 8 * index
        return (start, start + 4) if self.byteorder == "little" else (start + 4, start)

    def abi_for(self, audit_arch: int, nr: int) -> Abi:
        """The ABI a stopped syscall entered through, as GET_SYSCALL_INFO reports it."""
        return self._abi_by_key.get((audit_arch, nr & X32_SYSCALL_BIT), self.native)


X86_64_ABI = Abi("x86_64", AUDIT_ARCH_X86_64, _tables.X86_64)
I386_ABI = Abi("i386", AUDIT_ARCH_I386, _tables.I386, register_bits=32)
X32_ABI = Abi("x32", AUDIT_ARCH_X86_64, _tables.X32, nr_bit=X32_SYSCALL_BIT)

# struct user_regs_struct: rax is word 10, orig_rax word 15.
X86_64_INJECTION = SyscallInjection(
    regs_size=27 * 8,
    nr_offset=15 * 8,
    result_offset=10 * 8,
    ip_offset=16 * 8,
    sp_offset=19 * 8,
    arg_offsets=(14 * 8, 13 * 8, 12 * 8, 7 * 8, 9 * 8, 8 * 8),  # rdi rsi rdx r10 r8 r9
    instruction=b"\x0f\x05",
    elf_machine=62,  # EM_X86_64
)
X86_64 = Arch(
    "x86_64",
    X86_64_ABI,
    (I386_ABI, X32_ABI),
    SyscallSkip(15 * 8, 10 * 8),
    inject=X86_64_INJECTION,
)

AARCH64_ABI = Abi("aarch64", AUDIT_ARCH_AARCH64, _tables.AARCH64)

AARCH64 = Arch("aarch64", AARCH64_ABI, ())

ARCHES: dict[str, Arch] = {"x86_64": X86_64, "aarch64": AARCH64}
# Every ABI by its name, as events carry it (``arch``).
ABIS_BY_NAME: dict[str, Abi] = {abi.name: abi for arch in ARCHES.values() for abi in arch.abis}


# strace's names for the audit arches (si_arch of a seccomp SIGSYS).
AUDIT_ARCH_NAMES = {
    AUDIT_ARCH_X86_64: "AUDIT_ARCH_X86_64",
    AUDIT_ARCH_I386: "AUDIT_ARCH_I386",
    AUDIT_ARCH_AARCH64: "AUDIT_ARCH_AARCH64",
}


def syscall_name(audit_arch: int, nr: int) -> str | None:
    """The name of syscall ``nr`` entered through ``audit_arch``, on any machine we
    have a table for; None if no table has it."""
    for arch in ARCHES.values():
        for abi in arch.abis:
            if abi.audit_arch == audit_arch and nr & X32_SYSCALL_BIT == abi.nr_bit:
                return abi.names_by_nr.get(nr & ~abi.nr_bit)
    return None


def host_arch(machine: str = "") -> Arch:
    """The Arch of ``machine`` (by default the one we run on: ``uname -m``), or a
    clear error where no table exists yet."""
    machine = machine or os.uname().machine
    try:
        return ARCHES[machine]
    except KeyError:
        raise RuntimeError(f"traced has no syscall table for {machine!r} yet") from None
