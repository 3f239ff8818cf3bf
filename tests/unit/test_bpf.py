"""The seccomp compiler, checked against a plain statement of the policy by interpretation.

For a set of names, a syscall must be TRACEd exactly when the ABI it entered through
calls its number by one of those names; an audit arch the Arch does not know is
always TRACEd; anything else is ALLOWed.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.cbpf import MalformedProgramError, decode, execute, run
from traced.errors import FilterTooLargeError, UnknownSyscallError
from traced.filter.bpf import (
    BPF_MAXINSNS,
    INSTRUCTION,
    SECCOMP_RET_ALLOW,
    TRACE,
    compile_filter,
    disassemble,
    syscall_numbers,
)
from traced.syscalls.arch import (
    AARCH64,
    AUDIT_ARCH_AARCH64,
    AUDIT_ARCH_I386,
    AUDIT_ARCH_X86_64,
    X32_SYSCALL_BIT,
    X86_64,
    Abi,
    Arch,
)

NATIVE, I386, X32 = X86_64.native, *X86_64.foreign
AUDIT_ARCH_ARM = 0x40000028  # aarch64's compat ABI, which its Arch does not know
AUDIT_ARCHES = (
    AUDIT_ARCH_X86_64,
    AUDIT_ARCH_I386,
    AUDIT_ARCH_AARCH64,
    AUDIT_ARCH_ARM,
    0,
    0xFFFFFFFF,
)
U32 = 0xFFFFFFFF
MACHINES = pytest.mark.parametrize("arch", [X86_64, AARCH64], ids=lambda arch: arch.name)


def all_names(arch: Arch) -> list[str]:
    return sorted({name for abi in arch.abis for name in abi.numbers_by_name})


ALL_NAMES = all_names(X86_64)


def policy(arch: Arch, wanted: set[str], audit_arch: int, nr: int) -> int:
    """The verdict the filter must give, written as plainly as possible."""
    abis = [abi for abi in arch.abis if abi.audit_arch == audit_arch]
    if not abis:
        return TRACE
    nr &= U32
    flagged = [abi for abi in abis if abi.nr_bit and nr & abi.nr_bit]
    abi = flagged[0] if flagged else next(abi for abi in abis if not abi.nr_bit)
    name = abi.names_by_nr.get(nr & ~abi.nr_bit)
    return TRACE if name in wanted else SECCOMP_RET_ALLOW


def probe_numbers(arch: Arch) -> list[int]:
    """Every number up to past the highest of any table (holes too), with and without
    every nr bit, and the edges."""
    top = max(nr for abi in arch.abis for nr in abi.names_by_nr) + 1
    edges = {1000, 4096, 0xFFFF, -1, -2, -(2**31), 2**31 - 1, U32}
    numbers = {*range(top + 2), *edges}
    bits = {0, X32_SYSCALL_BIT}  # the x32 bit on any arch: elsewhere, an unknown number
    return sorted({(nr | bit) & U32 for nr in numbers for bit in bits} | {-1, -(2**31)})


PROBES = {arch.name: probe_numbers(arch) for arch in (X86_64, AARCH64)}


def mismatches(program: bytes, arch: Arch, wanted: set[str]) -> list[tuple[int, int, int]]:
    return [
        (audit_arch, nr, verdict)
        for audit_arch in AUDIT_ARCHES
        for nr in PROBES[arch.name]
        if (verdict := run(program, nr, audit_arch)) != policy(arch, wanted, audit_arch, nr)
    ]


NAMED_SETS = {
    "x86_64 empty": (X86_64, set()),
    "x86_64 one": (X86_64, {"getppid"}),
    "x86_64 few": (X86_64, {"read", "openat", "execve", "clone", "exit_group", "accept4"}),
    "x86_64 all native": (X86_64, set(NATIVE.numbers_by_name)),
    "x86_64 only i386": (X86_64, {"socketcall", "_llseek", "waitpid", "ipc"}),
    "x86_64 only x86_64": (X86_64, {"accept", "newfstatat", "tuxcall", "security"}),
    "x86_64 only x32 numbering": (X86_64, {"rt_sigaction", "ioctl", "execve"}),
    "x86_64 every name": (X86_64, set(ALL_NAMES)),
    "aarch64 empty": (AARCH64, set()),
    "aarch64 openat": (AARCH64, {"openat"}),
    "aarch64 few": (
        AARCH64,
        {"read", "openat", "execve", "clone", "clone3", "exit_group", "newfstatat"},
    ),
    "aarch64 every name": (AARCH64, set(all_names(AARCH64))),
}


@pytest.mark.parametrize(("arch", "wanted"), NAMED_SETS.values(), ids=NAMED_SETS.keys())
def test_filter_matches_policy_for_every_number_of_every_abi(arch, wanted):
    assert mismatches(compile_filter(arch, wanted), arch, wanted) == []


@MACHINES
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_filter_matches_policy_for_any_set(arch, data):
    wanted = data.draw(st.sets(st.sampled_from(all_names(arch)), max_size=120))
    assert mismatches(compile_filter(arch, wanted), arch, wanted) == []


def test_a_name_is_traced_in_each_abi_by_that_abis_number():
    program = compile_filter(X86_64, ["getppid"])
    assert run(program, 110, AUDIT_ARCH_X86_64) == TRACE
    assert run(program, 110 | X32_SYSCALL_BIT, AUDIT_ARCH_X86_64) == TRACE
    assert run(program, 64, AUDIT_ARCH_I386) == TRACE
    # 110 is iopl on i386, 64 is semget natively.
    assert run(program, 110, AUDIT_ARCH_I386) == SECCOMP_RET_ALLOW
    assert run(program, 64, AUDIT_ARCH_X86_64) == SECCOMP_RET_ALLOW


def test_an_i386_only_name_is_traced_only_through_int_0x80():
    program = compile_filter(X86_64, ["socketcall"])
    assert run(program, 102, AUDIT_ARCH_I386) == TRACE
    assert run(program, 102, AUDIT_ARCH_X86_64) == SECCOMP_RET_ALLOW  # getuid


def test_x32_uses_its_own_numbers_and_the_bit_does_not_leak_to_i386():
    program = compile_filter(X86_64, ["rt_sigaction"])
    assert run(program, 512 | X32_SYSCALL_BIT, AUDIT_ARCH_X86_64) == TRACE
    assert run(program, 13, AUDIT_ARCH_X86_64) == TRACE
    # x32 has no number 13 (the 64-bit rt_sigaction): the kernel answers ENOSYS.
    assert run(program, 13 | X32_SYSCALL_BIT, AUDIT_ARCH_X86_64) == SECCOMP_RET_ALLOW
    assert run(program, 174 | X32_SYSCALL_BIT, AUDIT_ARCH_I386) == SECCOMP_RET_ALLOW


@MACHINES
@pytest.mark.parametrize("wanted", [set(), {"read"}])
def test_an_unknown_audit_arch_is_always_traced(arch, wanted):
    program = compile_filter(arch, wanted)
    known = {abi.audit_arch for abi in arch.abis}
    for audit_arch in {*AUDIT_ARCHES, AUDIT_ARCH_X86_64 ^ 1} - known:
        assert run(program, 0, audit_arch) == TRACE


@MACHINES
def test_empty_set_allows_everything_known_and_is_tiny(arch):
    program = compile_filter(arch, [])
    native = arch.native.audit_arch
    assert all(run(program, nr, native) == SECCOMP_RET_ALLOW for nr in PROBES[arch.name])
    assert len(program) // INSTRUCTION.size <= 5


@MACHINES
def test_unknown_name_is_refused(arch):
    with pytest.raises(UnknownSyscallError) as caught:
        compile_filter(arch, ["read", "no_such_call"])
    assert caught.value.name == "no_such_call"


def test_syscall_numbers_skips_names_the_abi_lacks():
    assert syscall_numbers(NATIVE, ["read", "socketcall"]) == {0}
    assert syscall_numbers(I386, ["read", "socketcall"]) == {3, 102}
    assert syscall_numbers(X32, ["rt_sigaction"]) == {512}


@pytest.mark.parametrize(("arch", "wanted"), NAMED_SETS.values(), ids=NAMED_SETS.keys())
def test_program_is_well_formed_and_well_under_the_limit(arch, wanted):
    program = compile_filter(arch, wanted)
    decode(program)  # the kernel's checks: jumps inside, RET last, known opcodes
    assert len(program) // INSTRUCTION.size < BPF_MAXINSNS // 10


def steps_for_untraced_native(program: bytes, wanted: set[str]) -> list[int]:
    return [
        execute(program, nr, AUDIT_ARCH_X86_64).steps
        for nr, name in NATIVE.names_by_nr.items()
        if name not in wanted
    ]


def test_untraced_native_syscall_is_a_handful_of_instructions():
    program = compile_filter(X86_64, ["getppid"])
    # ld arch, jeq, ld nr, jge, ret: below the traced word; 7 at most elsewhere.
    assert execute(program, 0, AUDIT_ARCH_X86_64).steps == 5
    assert max(steps_for_untraced_native(program, {"getppid"})) == 7


def test_steps_grow_with_the_log_of_the_set_not_its_size():
    natives = sorted(NATIVE.numbers_by_name)
    big = set(random.Random(7).sample(natives, 300))
    small_steps = steps_for_untraced_native(compile_filter(X86_64, ["getppid"]), {"getppid"})
    big_steps = steps_for_untraced_native(compile_filter(X86_64, big), big)
    words = math.ceil((max(NATIVE.names_by_nr) + 1) / 32)
    # 3 loads/dispatch + a search over at most 2 * words segments + a bit test + ret.
    assert max(big_steps) <= 3 + math.ceil(math.log2(2 * words)) + 5 + 1
    assert max(big_steps) - max(small_steps) <= 8


def synthetic_arch(size: int) -> tuple[Arch, set[str]]:
    """An Arch with one ABI of ``size`` syscalls, every third traced: many mixed words."""
    abi = Abi("big", AUDIT_ARCH_X86_64, {nr: f"call{nr}" for nr in range(size)})
    return Arch("big", abi, ()), {f"call{nr}" for nr in range(0, size, 3)}


def test_long_jumps_go_through_trampolines():
    arch, wanted = synthetic_arch(6000)
    program = compile_filter(arch, wanted)
    assert len(program) // INSTRUCTION.size > 1000  # far beyond an 8-bit jump
    assert any(": ja " in line for line in disassemble(program))
    for nr in [*range(6100), -1, 2**31]:
        expected = policy(arch, wanted, AUDIT_ARCH_X86_64, nr)
        assert run(program, nr, AUDIT_ARCH_X86_64) == expected, nr


def test_too_many_instructions_is_refused():
    arch, wanted = synthetic_arch(40000)
    with pytest.raises(FilterTooLargeError):
        compile_filter(arch, wanted)


def test_disassemble_reads_like_bpf_asm():
    program = compile_filter(X86_64, ["getppid"])
    lines = disassemble(program)
    assert len(lines) == len(program) // INSTRUCTION.size
    assert lines[0] == "0000: ld   [4]  ; arch"
    assert lines[1].startswith("0001: jeq  #0xc000003e jt 0002 jf ")
    assert lines[1].endswith("; AUDIT_ARCH_X86_64")
    assert lines[2] == "0002: ld   [0]  ; nr"
    assert any(line.endswith("ret  #0x7ff07ace  ; TRACE") for line in lines)
    assert any(line.endswith("ret  #0x7fff0000  ; ALLOW") for line in lines)
    assert disassemble(INSTRUCTION.pack(0xFFFF, 1, 2, 3)) == ["0000: .insn 0xffff 1 2 0x3"]


def test_disassemble_shows_the_bit_test():
    arch, wanted = synthetic_arch(64)
    text = "\n".join(disassemble(compile_filter(arch, wanted)))
    for piece in ("and  #0x1f", "tax", "ld   #0x49249249", "rsh  x", "jset #0x1"):
        assert piece in text


RET_ALLOW = INSTRUCTION.pack(0x06, 0, 0, SECCOMP_RET_ALLOW)

MALFORMED = {
    "empty": b"",
    "ragged": RET_ALLOW[:5],
    "too long": RET_ALLOW * (BPF_MAXINSNS + 1),
    "jump past the end": INSTRUCTION.pack(0x15, 0, 1, 0) + RET_ALLOW,
    "ja past the end": INSTRUCTION.pack(0x05, 0, 0, 1) + RET_ALLOW,
    "falls off the end": RET_ALLOW + INSTRUCTION.pack(0x20, 0, 0, 0),
    "unknown opcode": INSTRUCTION.pack(0x94, 0, 0, 1) + RET_ALLOW,  # mod: not in our subset
    "load outside seccomp_data": INSTRUCTION.pack(0x20, 0, 0, 64) + RET_ALLOW,
    "shift by 32": INSTRUCTION.pack(0x74, 0, 0, 32) + RET_ALLOW,
    "scratch read first": INSTRUCTION.pack(0x60, 0, 0, 0) + RET_ALLOW,
}


@pytest.mark.parametrize("program", MALFORMED.values(), ids=MALFORMED.keys())
def test_interpreter_rejects_what_the_kernel_would(program):
    with pytest.raises(MalformedProgramError):
        run(program, 0, AUDIT_ARCH_X86_64)


def test_interpreter_reads_every_field_and_uses_scratch_memory():
    program = b"".join(
        INSTRUCTION.pack(*insn)
        for insn in [
            (0x20, 0, 0, 16),  # ld args[0] low word
            (0x02, 0, 0, 3),  # st M[3]
            (0x20, 0, 0, 8),  # ld ip low word
            (0x07, 0, 0, 0),  # tax
            (0x60, 0, 0, 3),  # ld M[3]
            (0x4C, 0, 0, 0),  # or x
            (0x16, 0, 0, 0),  # ret a
        ]
    )
    assert run(program, 0, 0, args=(0x30, 0, 0, 0, 0, 0), ip=0x5) == 0x35
