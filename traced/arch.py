"""The architecture, in one place.

Kernel facts this module encodes:

* seccomp filters see ``struct seccomp_data {int nr; u32 arch; u64 ip; u64 args[6]}``.
  ``arch`` is an AUDIT_ARCH_* constant naming the ABI the syscall entered through,
  which on x86_64 may be native, i386 (``int 0x80`` or a 32-bit binary) or x32
  (native ``arch`` with bit 0x40000000 set in ``nr``).
* ``PTRACE_GET_SYSCALL_INFO`` reports the same ``arch`` value, so one table maps
  ``(arch, nr)`` to a name at every stop, without reading per-architecture registers.

Porting to aarch64 means adding an ``Arch`` here (AUDIT_ARCH_AARCH64 = 0xC00000B7,
numbers from asm-generic/unistd.h, compat AUDIT_ARCH_ARM = 0x40000028).
"""

from __future__ import annotations

import functools
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field

from traced.syscalls import _tables

AUDIT_ARCH_X86_64 = 0xC000003E
AUDIT_ARCH_I386 = 0x40000003
X32_SYSCALL_BIT = 0x40000000


@dataclass(frozen=True)
class Abi:
    """One way into the kernel: its audit arch, its numbering, its name for users."""

    name: str
    audit_arch: int
    names_by_nr: Mapping[int, str]
    # x32 shares x86_64's audit arch and is told apart by this bit in nr.
    nr_bit: int = 0
    numbers_by_name: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {name: nr for nr, name in self.names_by_nr.items()}
        object.__setattr__(self, "numbers_by_name", by_name)

    def name_of(self, nr: int) -> str:
        return self.names_by_nr.get(nr & ~self.nr_bit, f"syscall_{nr:#x}")


@dataclass(frozen=True)
class Arch:
    """A machine: its native ABI and the foreign ABIs its tracees can also use."""

    name: str
    native: Abi
    foreign: tuple[Abi, ...]

    @property
    def abis(self) -> tuple[Abi, ...]:
        return (self.native, *self.foreign)

    def abi_for(self, audit_arch: int, nr: int) -> Abi:
        """The ABI a stopped syscall entered through, as GET_SYSCALL_INFO reports it."""
        return self._abi_by_key.get((audit_arch, nr & X32_SYSCALL_BIT), self.native)

    @functools.cached_property
    def _abi_by_key(self) -> dict[tuple[int, int], Abi]:
        return {(abi.audit_arch, abi.nr_bit): abi for abi in reversed(self.abis)}


X86_64_ABI = Abi("x86_64", AUDIT_ARCH_X86_64, _tables.X86_64)
I386_ABI = Abi("i386", AUDIT_ARCH_I386, _tables.I386)
X32_ABI = Abi("x32", AUDIT_ARCH_X86_64, _tables.X32, nr_bit=X32_SYSCALL_BIT)

X86_64 = Arch("x86_64", X86_64_ABI, (I386_ABI, X32_ABI))

ARCHES: dict[str, Arch] = {"x86_64": X86_64}


def host_arch() -> Arch:
    """The Arch this machine runs, or a clear error where no table exists yet."""
    machine = platform.machine()
    try:
        return ARCHES[machine]
    except KeyError:
        raise RuntimeError(f"traced has no syscall table for {machine!r} yet") from None
