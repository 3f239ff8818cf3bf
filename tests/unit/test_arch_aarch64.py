"""aarch64 through the same interface as x86_64: its table, its Arch, its filter, its clone.

The filter is checked against its policy for every number in test_bpf.py, as x86_64's is.
"""

from __future__ import annotations

import pytest

from tests.unit.cbpf import decode, run
from traced.errors import UnknownSyscallError
from traced.filter.bpf import SECCOMP_RET_ALLOW, TRACE, compile_filter
from traced.syscalls import _tables
from traced.syscalls.arch import (
    AARCH64,
    AARCH64_ABI,
    ARCHES,
    AUDIT_ARCH_AARCH64,
    AUDIT_ARCH_X86_64,
    X32_SYSCALL_BIT,
    host_arch,
)
from traced.syscalls.signatures import AARCH64_SIGNATURES, SIGNATURES, signature

AUDIT_ARCH_ARM = 0x40000028
AARCH64_NAMES = sorted(set(_tables.AARCH64.values()))

# From the kernel's arm64 syscall table (asm-generic numbering, 64-bit names).
KNOWN = {
    "io_setup": 0,
    "fcntl": 25,
    "openat": 56,
    "close": 57,
    "lseek": 62,
    "read": 63,
    "write": 64,
    "sendfile": 71,
    "newfstatat": 79,
    "fstat": 80,
    "exit": 93,
    "exit_group": 94,
    "futex": 98,
    "kill": 129,
    "getrlimit": 163,
    "getppid": 173,
    "clone": 220,
    "execve": 221,
    "mmap": 222,
    "fadvise64": 223,
    "wait4": 260,
    "clone3": 435,
    "openat2": 437,
    "memfd_secret": 447,
}


@pytest.mark.parametrize(("name", "nr"), KNOWN.items(), ids=KNOWN.keys())
def test_known_numbers(name, nr):
    assert _tables.AARCH64[nr] == name
    assert AARCH64_ABI.numbers_by_name[name] == nr
    assert AARCH64_ABI.name_of(nr) == name


def test_names_are_the_64_bit_ones_and_legacy_calls_are_absent():
    names = set(AARCH64_NAMES)
    # asm-generic names its __NR3264_* numbers these ways only on 32-bit ABIs.
    assert not names & {"fcntl64", "statfs64", "llseek", "mmap2", "fstatat64", "fstat64"}
    # Calls the generic table never had, or has only for older architectures.
    assert not names & {"open", "stat", "lstat", "fork", "vfork", "pipe", "dup2", "poll"}
    assert not names & {"syscalls", "arch_specific_syscall"}
    assert not any(name.startswith("NR3264") for name in names)
    assert len(names) == len(_tables.AARCH64)  # one number per name


def test_the_arch_specific_range_is_empty_on_arm64():
    # asm-generic leaves 244..259 to the architecture; arm64 puts nothing there.
    assert not set(range(244, 260)) & set(_tables.AARCH64)
    assert set(range(244)) <= set(_tables.AARCH64)


def test_name_of_round_trips_every_number():
    for nr, name in _tables.AARCH64.items():
        assert AARCH64_ABI.name_of(nr) == name
        assert AARCH64_ABI.numbers_by_name[name] == nr
    assert AARCH64_ABI.name_of(9999) == "syscall_0x270f"


def test_the_arch_is_registered_with_only_its_native_abi():
    assert ARCHES["aarch64"] is AARCH64
    assert AARCH64.native is AARCH64_ABI
    assert AARCH64.abis == (AARCH64_ABI,)
    assert AARCH64_ABI.audit_arch == AUDIT_ARCH_AARCH64 == 0xC00000B7
    assert AARCH64_ABI.nr_bit == 0


def test_host_arch_picks_aarch64_on_an_aarch64_machine():
    assert host_arch("aarch64") is AARCH64


def test_a_compat_call_falls_back_to_the_native_abi():
    """As traced/arch.py says: no arm table yet, so an arm compat call (its own
    audit arch) is named by aarch64's numbers, until arm is added."""
    assert AARCH64.abi_for(AUDIT_ARCH_ARM, 56) is AARCH64_ABI


def test_no_x32_style_bit_on_aarch64():
    abi = AARCH64.abi_for(AUDIT_ARCH_AARCH64, X32_SYSCALL_BIT | 56)
    assert abi.name_of(X32_SYSCALL_BIT | 56) == f"syscall_{X32_SYSCALL_BIT | 56:#x}"


def test_filter_traces_openat_and_allows_getppid():
    program = compile_filter(AARCH64, ["openat"])
    decode(program)
    assert run(program, 56, AUDIT_ARCH_AARCH64) == TRACE
    assert run(program, 173, AUDIT_ARCH_AARCH64) == SECCOMP_RET_ALLOW
    # 56 is something else elsewhere, but other audit arches are never classified.
    assert run(program, 56, AUDIT_ARCH_ARM) == TRACE
    assert run(program, 56, AUDIT_ARCH_X86_64) == TRACE


@pytest.mark.parametrize("name", ["open", "stat", "fork", "socketcall"])
def test_filter_refuses_names_aarch64_lacks(name):
    with pytest.raises(UnknownSyscallError):
        compile_filter(AARCH64, [name])


def test_clone_takes_tls_before_child_tid():
    args = [arg.name for arg in signature("clone", "aarch64").args]
    assert args == ["flags", "stack", "parent_tid", "tls", "child_tid"]
    assert signature("clone", "aarch64").args == signature("clone", "i386").args
    assert [arg.name for arg in signature("clone", "x86_64").args][3:] == ["child_tid", "tls"]
    assert signature("clone", "aarch64").classes == SIGNATURES["clone"].classes


def test_every_aarch64_syscall_has_a_dedicated_signature():
    missing = [name for name in AARCH64_NAMES if name not in AARCH64_SIGNATURES]
    assert missing == []
    for name in AARCH64_NAMES:
        assert signature(name, "aarch64").name == name


def test_only_clone_differs_from_x86_64():
    differ = [
        name for name in AARCH64_NAMES if signature(name, "aarch64") != signature(name, "x86_64")
    ]
    assert differ == ["clone"]
