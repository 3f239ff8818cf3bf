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
from traced.filter.predicates import ANY, EQ, LT, OPS, Condition, Rule, verdict
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


# --- argument predicates ----------------------------------------------------------------

# Syscalls whose arguments cover every kind: ints (fd, pid, signal), unsigned ints
# (flags, mode), register-wide signed (lseek's off) and unsigned (sizes, clone's
# flags), i386's split 64-bit offsets (pread64, fadvise64), and i386's mmap, which
# takes one pointer (its rules' arguments are no registers there).
PREDICATED = {
    "openat": ("dirfd", "flags", "mode"),
    "lseek": ("fd", "offset", "whence"),
    "read": ("fd", "count"),
    "pread64": ("offset", "count"),
    "fadvise64": ("fd", "offset", "len", "advice"),
    "kill": ("pid", "sig"),
    "clone": ("flags",),
    "mmap": ("length", "prot", "flags"),
}
EDGES = [
    0, 1, 2, 0x40, 0x43, 0x7F, 0x80, 0xFF, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**32 + 1,
    2**63 - 1, 2**63, 2**64 - 1, -1, -2, -100, -(2**31), -(2**31) - 1, -(2**63),
]  # fmt: skip
constants = st.one_of(st.sampled_from(EDGES), st.integers(-(2**64), 2**64))


@st.composite
def conditions(draw: st.DrawFn, syscall: str) -> Condition:
    arg = draw(st.sampled_from(PREDICATED[syscall]))
    op = draw(st.sampled_from(OPS))
    count = draw(st.integers(1, 4)) if op == EQ else 1
    values = tuple(draw(st.lists(constants, min_size=count, max_size=count)))
    mask = draw(st.one_of(st.none(), constants)) if op == EQ else None
    return Condition(arg, op, values, mask, draw(st.booleans()))


@st.composite
def rule_sets(draw: st.DrawFn) -> dict[str, tuple[Rule, ...]]:
    chosen = draw(st.sets(st.sampled_from(sorted(PREDICATED)), min_size=1, max_size=4))
    rules = {}
    for syscall in sorted(chosen):
        count = draw(st.integers(1, 3))
        rules[syscall] = tuple(
            Rule(tuple(draw(st.lists(conditions(syscall), max_size=3))), TRACE)
            for _ in range(count)
        )
    return rules


def registers(values: list[int]) -> st.SearchStrategy[int]:
    """A register: a constant's low or high word, junk above a low word, or anything."""
    near = [0, *(v % 2**64 for v in values), *(v % 2**32 for v in values)]
    junk = st.builds(lambda low, high: low | high << 32, st.sampled_from(near), st.integers(0, U32))
    return st.one_of(st.sampled_from(near), junk, st.integers(0, 2**64 - 1))


ABI_CASES = [(NATIVE, AUDIT_ARCH_X86_64), (I386, AUDIT_ARCH_I386), (X32, AUDIT_ARCH_X86_64)]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_predicates_compile_to_their_plain_evaluation(data):
    rules = data.draw(rule_sets())
    plain = data.draw(st.sets(st.sampled_from(["getppid", "write", "openat"]), max_size=2))
    program = compile_filter(X86_64, plain, rules)
    decode(program)
    values = [v for rs in rules.values() for r in rs for c in r.conditions for v in c.values]
    for _ in range(12):
        abi, audit_arch = data.draw(st.sampled_from(ABI_CASES))
        name = data.draw(st.sampled_from(sorted(rules.keys() | plain)))
        if name not in abi.numbers_by_name:
            continue
        raw = tuple(data.draw(st.lists(registers(values), min_size=6, max_size=6)))
        if name in plain:
            expected = TRACE
        else:
            expected = verdict(rules[name], name, abi, raw) or SECCOMP_RET_ALLOW
        nr = abi.numbers_by_name[name] | abi.nr_bit
        assert run(program, nr, audit_arch, raw) == expected, (name, abi, raw)


def test_a_syscall_without_rules_runs_no_instruction_more():
    """The number search is the one a plain filter of the same names would make: an
    untraced call (and a traced call outside a word holding rules) takes as many steps."""
    rules = {"openat": (Rule((Condition("flags", ANY, (0o100,)),), TRACE),)}
    names = {"read", "write", "close", "execve"}
    with_rules = compile_filter(X86_64, names, rules)
    without = compile_filter(X86_64, names | {"openat"})
    for abi, audit_arch in ABI_CASES:
        for nr in abi.names_by_nr:
            if abi.names_by_nr[nr] == "openat":
                continue
            number = nr | abi.nr_bit
            ours = execute(with_rules, number, audit_arch)
            theirs = execute(without, number, audit_arch)
            assert ours == theirs, (abi, abi.names_by_nr[nr])


def test_rules_on_a_pointer_argument_abi_trace_every_call():
    """i386's mmap takes one struct pointer: its rules cannot be judged there."""
    rules = {"mmap": (Rule((Condition("prot", ANY, (4,)),), TRACE),)}
    program = compile_filter(X86_64, (), rules)
    mmap_i386 = I386.numbers_by_name["mmap"]
    assert run(program, mmap_i386, AUDIT_ARCH_I386) == TRACE
    assert run(program, NATIVE.numbers_by_name["mmap"], AUDIT_ARCH_X86_64) == SECCOMP_RET_ALLOW
    assert run(program, 9, AUDIT_ARCH_X86_64, (0, 0, 4, 0, 0, 0)) == TRACE


def test_an_int_argument_compares_its_low_word_sign_correctly():
    """lseek's fd is an int: junk in the register's high half is ignored, and
    -1 is the low word 0xffffffff, less than 0."""
    rules = {"lseek": (Rule((Condition("fd", LT, (0,)),), TRACE),)}
    program = compile_filter(X86_64, (), rules)
    assert run(program, 8, AUDIT_ARCH_X86_64, (0xDEAD_BEEF_FFFF_FFFF, 0, 0, 0, 0, 0)) == TRACE
    assert run(program, 8, AUDIT_ARCH_X86_64, (0xFFFF_FFFF_0000_0003, 0, 0, 0, 0, 0)) == (
        SECCOMP_RET_ALLOW
    )


def test_disassemble_shows_argument_words():
    rules = {"lseek": (Rule((Condition("offset", LT, (-5,)),), TRACE),)}
    text = "\n".join(disassemble(compile_filter(X86_64, (), rules)))
    for piece in ("ld   [28]  ; args[1] high", "xor  #0x80000000", "ld   [24]  ; args[1]"):
        assert piece in text


@pytest.mark.parametrize("mode", [0, 0o644, 0x80000000, 0x1_0000_0000])
def test_a_modes_compare_agrees_with_its_plain_evaluation(mode: int) -> None:
    # Found by the test above in CI: the filter compares a mode's low word, so the plain
    # evaluation must too (junk in bit 31 is no mode below 1).
    rules = {"openat": (Rule((Condition("mode", LT, (1,), None, False),), TRACE),)}
    program = compile_filter(X86_64, set(), rules)
    raw = (1, 1, 9, mode, 4, 0)
    expected = verdict(rules["openat"], "openat", NATIVE, raw) or SECCOMP_RET_ALLOW
    assert run(program, NATIVE.numbers_by_name["openat"], AUDIT_ARCH_X86_64, raw) == expected
