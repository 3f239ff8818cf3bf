"""The compiler's per-syscall verdicts (-e inject=...:error= in the kernel: a rule with
no condition whose verdict is SECCOMP_RET_ERRNO, as Engine._filter makes it), checked
by interpretation over every number of every ABI: a syscall with a verdict of its own
gets it, in each ABI that has it; the rest as before."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.cbpf import run
from tests.unit.test_bpf import AUDIT_ARCHES, PROBES, U32, all_names, policy
from traced.filter.bpf import SECCOMP_RET_ERRNO, compile_filter, errno_verdict
from traced.filter.predicates import Rule
from traced.syscalls.arch import AARCH64, X86_64, Arch


def verdict_policy(
    arch: Arch, wanted: set[str], verdicts: dict[str, int], audit_arch: int, nr: int
) -> int:
    abis = [abi for abi in arch.abis if abi.audit_arch == audit_arch]
    if abis:
        nr &= U32
        flagged = [abi for abi in abis if abi.nr_bit and nr & abi.nr_bit]
        abi = flagged[0] if flagged else next(abi for abi in abis if not abi.nr_bit)
        name = abi.names_by_nr.get(nr & ~abi.nr_bit)
        if name in verdicts and nr == abi.numbers_by_name[name] | abi.nr_bit:
            return verdicts[name]
    return policy(arch, wanted, audit_arch, nr)


def mismatches(arch: Arch, wanted: set[str], verdicts: dict[str, int]) -> list[tuple[int, int]]:
    rules = {name: (Rule((), verdict, name),) for name, verdict in verdicts.items()}
    program = compile_filter(arch, wanted - verdicts.keys(), rules)
    return [
        (audit_arch, nr)
        for audit_arch in AUDIT_ARCHES
        for nr in PROBES[arch.name]
        if run(program, nr, audit_arch) != verdict_policy(arch, wanted, verdicts, audit_arch, nr)
    ]


def test_errno_verdict_is_ret_errno_with_the_errno_as_data() -> None:
    assert errno_verdict(1) == SECCOMP_RET_ERRNO | 1 == 0x00050001


@pytest.mark.parametrize(
    ("wanted", "verdicts"),
    [
        ({"unlinkat"}, {"unlinkat": errno_verdict(1)}),
        ({"openat", "read"}, {"unlinkat": errno_verdict(1)}),  # not traced: still its verdict
        (set(), {"unlinkat": errno_verdict(1), "rmdir": errno_verdict(13)}),
        ({"socketcall", "execve"}, {"socketcall": errno_verdict(38)}),  # i386 only
        ({"ioctl"}, {"ioctl": errno_verdict(25)}),  # x32 has its own number
        (set(all_names(X86_64)), {"getppid": errno_verdict(1)}),
    ],
)
def test_own_verdicts_win_in_every_abi(wanted: set[str], verdicts: dict[str, int]) -> None:
    assert mismatches(X86_64, wanted, verdicts) == []


@pytest.mark.parametrize("arch", [X86_64, AARCH64], ids=lambda arch: arch.name)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_own_verdicts_for_any_sets(arch: Arch, data: st.DataObject) -> None:
    names = all_names(arch)
    wanted = data.draw(st.sets(st.sampled_from(names), max_size=60))
    chosen = data.draw(st.sets(st.sampled_from(names), max_size=12))
    errnos = st.integers(min_value=1, max_value=4095)
    verdicts = {name: errno_verdict(data.draw(errnos)) for name in chosen}
    assert mismatches(arch, wanted, verdicts) == []


def test_a_traced_name_wins_over_its_rules() -> None:
    # Engine._filter takes a syscall with an in-kernel error out of the traced set.
    rules = {"unlinkat": (Rule((), errno_verdict(1), "unlinkat"),)}
    assert compile_filter(X86_64, {"unlinkat"}, rules) == compile_filter(X86_64, {"unlinkat"})
