"""The structures ptrace's requests point to, as strace 6.1 prints them: x86_64's
register sets (PTRACE_GETREGS, PTRACE_GETFPREGS, and NT_PRSTATUS, NT_FPREGSET
through PTRACE_GETREGSET's iovec), PTRACE_PEEKSIGINFO's arguments and
PTRACE_GET_SYSCALL_INFO's struct ptrace_syscall_info.

Kernel facts (x86_64, sys/user.h and linux/ptrace.h): struct user_regs_struct is 27
unsigned longs (216 bytes), r15 first; struct user_fpregs_struct is 512 bytes: four
u16 (cwd, swd, ftw, fop), two u64 (rip, rdp), two u32 (mxcsr, mxcr_mask), then u32
arrays st_space[32], xmm_space[64] and padding[24].  Through PTRACE_GETREGSET a
register set may be read in part: the kernel copies as many bytes as iov_len asks
(a multiple of 8, at most the set's size) and writes back the length it copied; strace
prints the fields the bytes cover, an array as far as it goes.

struct ptrace_syscall_info (6.1): u8 op, 3 bytes of padding, u32 arch, u64
instruction_pointer, u64 stack_pointer, then at 24 a union: entry {u64 nr; u64
args[6]} (80 bytes in all), exit {s64 rval; u8 is_error} (33), seccomp {u64 nr; u64
args[6]; u32 ret_data} (84).  The kernel copies at most the size asked (addr) and
returns the size it has; strace prints what both cover.
"""

from __future__ import annotations

import struct

from traced.decoders import _constants as K
from traced.decoders.families.siginfo import SIGINFO_SIZE, siginfo_text
from traced.decoders.values import Memory, Options, chex, hex_address, read_exact
from traced.decoders.xlat import format_enum, format_flags, named, styled
from traced.syscalls.arch import syscall_name
from traced.syscalls.names import ERRNO_NAMES

_U64 = struct.Struct("<Q")

# struct user_regs_struct, in order: each an unsigned long.
USER_REGS = (
    "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx",
    "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds",
    "es", "fs", "gs",
)  # fmt: skip
USER_REGS_SIZE = 8 * len(USER_REGS)

# struct user_fpregs_struct: (name, offset, format); the arrays are (name, offset, count).
_FP_SCALARS = (
    ("cwd", 0, "<H"), ("swd", 2, "<H"), ("ftw", 4, "<H"), ("fop", 6, "<H"),
    ("rip", 8, "<Q"), ("rdp", 16, "<Q"), ("mxcsr", 24, "<I"), ("mxcr_mask", 28, "<I"),
)  # fmt: skip
_FP_ARRAYS = (("st_space", 32, 32), ("xmm_space", 160, 64), ("padding", 416, 24))
USER_FPREGS_SIZE = 512


def _hex_array(data: bytes, offset: int, count: int, options: Options) -> str:
    """``[0x1, 0]``: u32 elements in hex, cut at -s unless -v, as strace's print_array."""
    values = struct.unpack_from(f"<{count}I", data, offset)
    shown = count if options.verbose else min(count, max(0, options.string_limit))
    items = [chex(value) for value in values[:shown]]
    if shown < count:
        items.append("...")
    return "[" + ", ".join(items) + "]"


def regs_text(data: bytes, asked: int) -> str:
    """``{r15=0x1, r14=0}``: the registers ``data`` covers; ``...`` past the set."""
    count = min(len(data), USER_REGS_SIZE) // 8
    fields = [f"{USER_REGS[i]}={chex(_U64.unpack_from(data, 8 * i)[0])}" for i in range(count)]
    if asked > USER_REGS_SIZE:
        fields.append("...")
    return "{" + ", ".join(fields) + "}"


def fpregs_text(data: bytes, asked: int, options: Options) -> str:
    """``{cwd=0x37f, swd=0, ..., st_space=[...], ...}``: the fields ``data`` reaches."""
    size = min(len(data), USER_FPREGS_SIZE)
    fields = [
        f"{name}={chex(struct.unpack_from(form, data, offset)[0])}"
        for name, offset, form in _FP_SCALARS
        if size > offset
    ]
    for name, offset, count in _FP_ARRAYS:
        if size > offset:
            shown = min(count, (size - offset) // 4)
            fields.append(f"{name}={_hex_array(data, offset, shown, options)}")
    if asked > USER_FPREGS_SIZE:
        fields.append("...")
    return "{" + ", ".join(fields) + "}"


def regset_text(note: int, address: int, size: int, memory: Memory, options: Options) -> str:
    """A register set of ``size`` bytes at ``address`` by its NT_* type; the address for
    a size the kernel refuses (0 or not a multiple of 8), a type not decoded, or memory
    unreadable."""
    names = dict(K.NT_TYPES)
    if not size or size & 7 or note not in (names["NT_PRSTATUS"], names["NT_FPREGSET"]):
        return hex_address(address)
    whole = USER_REGS_SIZE if note == names["NT_PRSTATUS"] else USER_FPREGS_SIZE
    data = read_exact(memory, address, min(size, whole))
    if data is None:
        return hex_address(address)
    if note == names["NT_PRSTATUS"]:
        return regs_text(data, size)
    return fpregs_text(data, size, options)


# struct user's members by offset, sorted: what PEEKUSER's and POKEUSER's addr names.
_USER_OFFSETS = sorted(
    (*K.USER_REGS_OFFSETS, *K.USER_FIELD_OFFSETS, *K.USER_SIZE), key=lambda row: row[1]
)


def user_offset_text(addr: int) -> str:
    """``offsetof(struct user, u_debugreg)+8``: the member at or below ``addr``, and how
    far past it; the address beyond struct user (in the -X style, as strace's
    print_user_offset_addr)."""
    name, base = next(
        ((name, base) for name, base in reversed(_USER_OFFSETS) if base <= addr), ("", 0)
    )
    if not name or (addr > base and base == _USER_OFFSETS[-1][1]):
        return hex_address(addr)
    return styled(name + (f"+{addr - base}" if addr != base else ""), hex_address(addr))


def peeksiginfo_args_text(address: int, memory: Memory) -> str:
    """``{off=0, flags=PTRACE_PEEKSIGINFO_SHARED, nr=4}``, or the address."""
    data = read_exact(memory, address, 16)
    if data is None:
        return hex_address(address)
    off, flags, count = struct.unpack("<QII", data)
    shown = format_flags(flags, K.PTRACE_PEEKSIGINFO_FLAGS, "PTRACE_PEEKSIGINFO_???").text
    return f"{{off={off}, flags={shown}, nr={count}}}"


def siginfo_array_text(address: int, count: int, memory: Memory) -> str:
    """The ``count`` siginfos PTRACE_PEEKSIGINFO copied: ``[{si_signo=...}, ...]``."""
    data = read_exact(memory, address, count * SIGINFO_SIZE) if count > 0 else None
    if data is None:
        return hex_address(address)
    return "[" + ", ".join(
        siginfo_text(data[i * SIGINFO_SIZE : (i + 1) * SIGINFO_SIZE]) for i in range(count)
    ) + "]"  # fmt: skip


# --- PTRACE_GET_SYSCALL_INFO ---------------------------------------------------------

_INFO_SIZE = 88  # sizeof(struct ptrace_syscall_info): the seccomp member's 84, aligned
_ENTRY, _EXIT, _SECCOMP = 1, 2, 3
_EXIT_SIZE, _SECCOMP_SIZE = 33, 84


def _syscall_nr(arch: int, nr: int) -> str:
    """``__NR_chdir`` (in the -X style); a number no table names as is."""
    name = syscall_name(arch, nr) if nr < 1 << 32 else None
    return str(nr) if name is None else named(nr, f"__NR_{name}", decimal=True)


def _args(data: bytes, size: int) -> str:
    count = min(6, (size - 32) // 8)
    if count <= 0:
        return ""
    values = struct.unpack_from(f"<{count}Q", data, 32)
    return ", args=[" + ", ".join(chex(value) for value in values) + "]"


def _exit_text(data: bytes, size: int) -> str:
    rval = struct.unpack_from("<q", data, 24)[0]
    if size < _EXIT_SIZE:
        return f"{{rval={rval}}}"
    is_error = data[32]
    text = str(rval)
    name = ERRNO_NAMES.get(-rval) if is_error else None
    if name is not None:
        text = styled(f"-{name}", str(rval))
    return f"{{rval={text}, is_error={is_error}}}"


def syscall_info_text(address: int, size: int, memory: Memory) -> str:
    """struct ptrace_syscall_info, as far as ``size`` bytes go; the address if none."""
    size = min(size, _INFO_SIZE)
    data = read_exact(memory, address, size) if size > 0 else None
    if data is None:
        return hex_address(address)
    data = data.ljust(_INFO_SIZE, b"\0")
    op = data[0]
    fields = [f"op={format_enum(op, K.PTRACE_SYSCALL_INFO_OPS, 'PTRACE_SYSCALL_INFO_???').text}"]
    arch, pc, sp = struct.unpack_from("<IQQ", data, 4)
    if size >= 8:
        fields.append(f"arch={format_enum(arch, K.AUDIT_ARCHES, 'AUDIT_ARCH_???').text}")
    if size >= 16:
        fields.append(f"instruction_pointer={chex(pc)}")
    if size >= 24:
        fields.append(f"stack_pointer={chex(sp)}")
    if size >= 32 and op in (_ENTRY, _SECCOMP):
        nr = _U64.unpack_from(data, 24)[0]
        member = "entry" if op == _ENTRY else "seccomp"
        tail = ""
        if op == _SECCOMP and size >= _SECCOMP_SIZE:
            tail = f", ret_data={struct.unpack_from('<I', data, 80)[0]}"
        fields.append(f"{member}={{nr={_syscall_nr(arch, nr)}{_args(data, size)}{tail}}}")
    elif size >= 32 and op == _EXIT:
        fields.append(f"exit={_exit_text(data, size)}")
    return "{" + ", ".join(fields) + "}"
