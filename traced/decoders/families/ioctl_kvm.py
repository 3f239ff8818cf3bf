"""KVM's requests (linux/kvm.h, x86-64's asm/kvm.h), in strace 6.1's words: pure.

Kernel facts: KVM_CHECK_EXTENSION takes a KVM_CAP_* number; KVM_CREATE_VM and
KVM_CREATE_VCPU return new fds (-y names them); KVM_SET_USER_MEMORY_REGION takes
a struct kvm_userspace_memory_region (slot, flags as u32; guest_phys_addr,
memory_size, userspace_addr as u64).  struct kvm_regs is 18 u64 registers (rax ...
r15, rip, rflags); struct kvm_sregs eight segments (base u64, limit u32, selector
u16, then type, present, dpl, db, s, l, g, avl, unusable bytes: 24 each), the gdt
and idt (base u64, limit u16: 16 each), cr0, cr2, cr3, cr4, cr8, efer, apic_base
and a 256-bit interrupt bitmap.  struct kvm_cpuid2 is nent and the entries after
it (function, index, flags, eax, ebx, ecx, edx, 3 padding: 40 bytes each).  strace
abbreviates the registers and entries unless -v.

-e kvm=vcpu: after a successful KVM_RUN strace words the result with the exit
reason (``= 0 (KVM_EXIT_IO)``), the u32 at offset 8 of the vcpu's struct kvm_run
(2352 bytes on x86-64), which the program maps from the vcpu fd: the mapping of
the fd's file, ``anon_inode:kvm-vcpu:N``, found in /proc/PID/maps by the tracer.
A mapping shorter than the struct, or none, leaves the result a number.
"""

from __future__ import annotations

from traced.decoders._ioctls import (
    IOCTLS,
    KVM_CAPS,
    KVM_CPUID_FLAGS,
    KVM_EXIT_REASONS,
    KVM_MEM_FLAGS,
)
from traced.decoders.arrays import array_text
from traced.decoders.families.ioctl_kit import Request, fixed, ints
from traced.decoders.values import Memory, Options, chex, read_exact
from traced.decoders.xlat import format_enum, format_flags, lookup

# The requests whose result is a new fd.
RETURNS_FD = frozenset(
    value for name, value in IOCTLS if name in ("KVM_CREATE_VM", "KVM_CREATE_VCPU")
)
KVM_RUN = next(value for name, value in IOCTLS if name == "KVM_RUN")
# The path of a vcpu fd (strace's VCPU_DENTRY_PREFIX, then the vcpu's id).
VCPU_PREFIX = "anon_inode:kvm-vcpu:"
_RUN_SIZE = 2352  # sizeof(struct kvm_run), x86-64
_REGISTERS = (
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9", "r10", "r11", "r12",
    "r13", "r14", "r15", "rip", "rflags",
)  # fmt: skip
_ABBREVIATED = ("rax", "...", "rsp", "rbp", "...", "rip", "rflags")
_SEGMENTS = ("cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt")
_SEGMENT_BYTES = ("type", "present", "dpl", "db", "s", "l", "g", "avl")


def _memory_region(data: bytes, options: Options) -> str:
    slot, flags, guest, size, user = ints("IIQQQ", data)
    return (
        f"{{slot={slot}, flags={format_flags(flags, KVM_MEM_FLAGS, 'KVM_MEM_???').text}, "
        f"guest_phys_addr={chex(guest)}, memory_size={size}, userspace_addr={chex(user)}}}"
    )


def _regs(data: bytes, options: Options) -> str:
    values = dict(zip(_REGISTERS, ints("18Q", data), strict=True))
    names = _REGISTERS if options.verbose else _ABBREVIATED
    return "{" + ", ".join(n if n == "..." else f"{n}={chex(values[n])}" for n in names) + "}"


def _segment(data: bytes, at: int) -> str:
    base, limit, selector = ints("QIH", data, at)
    flags = ", ".join(
        f"{n}={v}" for n, v in zip(_SEGMENT_BYTES, data[at + 14 : at + 22], strict=True)
    )
    return f"{{base={chex(base)}, limit={limit}, selector={selector}, {flags}}}"


def _sregs(data: bytes, options: Options) -> str:
    first = f"cs={_segment(data, 0)}"
    if not options.verbose:
        return f"{{{first}, ...}}"
    parts = [f"{name}={_segment(data, 24 * i)}" for i, name in enumerate(_SEGMENTS)]
    for i, name in enumerate(("gdt", "idt")):
        base, limit = ints("QH", data, 192 + 16 * i)
        parts.append(f"{name}={{base={chex(base)}, limit={limit}}}")
    cr0, cr2, cr3, cr4, cr8, efer, apic = ints("7Q", data, 224)
    parts += [f"cr0={cr0}", f"cr2={cr2}", f"cr3={cr3}", f"cr4={cr4}", f"cr8={cr8}"]
    parts += [f"efer={efer}", f"apic_base={chex(apic)}"]
    parts.append("interrupt_bitmap=[" + ", ".join(chex(v) for v in ints("4Q", data, 280)) + "]")
    return "{" + ", ".join(parts) + "}"


def _cpuid_entry(data: bytes) -> str:
    function, index, flags, eax, ebx, ecx, edx = ints("7I", data)
    flag_text = format_flags(flags, KVM_CPUID_FLAGS, "KVM_CPUID_FLAG_???").text
    return (
        f"{{function={chex(function)}, index={chex(index)}, flags={flag_text}, eax={chex(eax)}, "
        f"ebx={chex(ebx)}, ecx={chex(ecx)}, edx={chex(edx)}}}"
    )


def _cpuid(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 8)
    if data is None:
        return None
    count = ints("I", data)[0]
    if not options.verbose:
        entries = "[...]" if count else "[]"
    else:
        entries = array_text(address + 8, count, 40, memory, options, element=_cpuid_entry).text
    return f"{{nent={count}, entries={entries}}}"


_REGS, _SREGS = fixed(144, _regs), fixed(312, _sregs)

REQUESTS: dict[str, Request] = {
    "KVM_CHECK_EXTENSION": Request(
        entry=lambda raw, memory, options: format_enum(raw, KVM_CAPS, "KVM_CAP_???").text
    ),
    "KVM_CREATE_VCPU": Request(entry=lambda raw, memory, options: str(raw & 0xFFFFFFFF)),
    "KVM_SET_USER_MEMORY_REGION": Request(entry=fixed(32, _memory_region)),
    "KVM_SET_REGS": Request(entry=_REGS),
    "KVM_GET_REGS": Request(exit=_REGS),
    "KVM_SET_SREGS": Request(entry=_SREGS),
    "KVM_GET_SREGS": Request(exit=_SREGS),
    "KVM_SET_CPUID2": Request(entry=_cpuid),
    "KVM_GET_SUPPORTED_CPUID": Request(exit=_cpuid),
    "KVM_GET_EMULATED_CPUID": Request(exit=_cpuid),
}


def is_vcpu(path: str) -> bool:
    """Whether ``path`` is a vcpu fd's (strace: the prefix, then a decimal id)."""
    cpuid = path.removeprefix(VCPU_PREFIX)
    return cpuid != path and cpuid.isdecimal() and cpuid.isascii() and int(cpuid) < 1 << 31


def run_result(retval: int, mapping: tuple[int, int] | None, memory: Memory) -> str | None:
    """-e kvm=vcpu: a successful KVM_RUN's result with the exit reason its vcpu's kvm_run
    holds, ``mapping`` the (start, end) of that struct's mapping; None where it has none."""
    if mapping is None or mapping[1] - mapping[0] < _RUN_SIZE:
        return None
    data = read_exact(memory, mapping[0], _RUN_SIZE)  # strace reads the whole struct
    if data is None:
        return None
    reason = ints("I", data, 8)[0]
    return f"{retval} ({lookup(reason, KVM_EXIT_REASONS) or 'KVM_EXIT_???'})"
