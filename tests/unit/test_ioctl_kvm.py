"""KVM's requests (families/ioctl_kvm.py) and the fds two of them return: strace 6.1's
text out, from its runs of strace's ioctl_kvm_run tests."""

import struct

from tests.unit.ioctl_cases import argument
from tests.unit.plain import FakeMemory
from traced.decoders.families import ioctl_kvm
from traced.decoders.shapes import returns_fd
from traced.decoders.values import Options

CHECK_EXTENSION, CREATE_VM, SET_REGION, SET_REGS, SET_CPUID2 = (
    0xAE03,
    0xAE01,
    0x4020AE46,
    0x4090AE82,
    0x4008AE90,
)
VERBOSE = Options(verbose=True)


def test_capability_region_and_the_fds_returned() -> None:
    assert argument(CHECK_EXTENSION, b"", address=3) == "KVM_CAP_USER_MEMORY"
    region = struct.pack("<IIQQQ", 0, 0, 0x1000, 4096, 0x7F0000000000)
    assert argument(SET_REGION, region) == (
        "{slot=0, flags=0, guest_phys_addr=0x1000, memory_size=4096, userspace_addr=0x7f0000000000}"
    )
    assert returns_fd("ioctl", (3, CREATE_VM, 0))
    assert not returns_fd("ioctl", (3, CHECK_EXTENSION, 3))


def test_registers_and_cpuid_abbreviated_unless_v() -> None:
    regs = struct.pack("<18Q", 2, 2, *[0] * 14, 0x1000, 2)
    assert argument(SET_REGS, regs) == "{rax=0x2, ..., rsp=0, rbp=0, ..., rip=0x1000, rflags=0x2}"
    assert argument(SET_REGS, regs, options=VERBOSE).startswith("{rax=0x2, rbx=0x2, rcx=0, ")
    cpuid = struct.pack("<II", 1, 0) + struct.pack("<7I12x", 4, 0, 1, 0, 0, 0, 0)
    assert argument(SET_CPUID2, cpuid) == "{nent=1, entries=[...]}"
    assert argument(SET_CPUID2, cpuid, options=VERBOSE) == (
        "{nent=1, entries=[{function=0x4, index=0, flags=KVM_CPUID_FLAG_SIGNIFCANT_INDEX, "
        "eax=0, ebx=0, ecx=0, edx=0}]}"
    )


def test_kvm_vcpu_words_kvm_run_with_the_exit_reason() -> None:
    # -e kvm=vcpu, strace 6.1's ioctl_kvm_run_auxstr_vcpu: ``= 0 (KVM_EXIT_IO)``.
    start = 0x7F8F407D8000
    run = struct.pack("<BB6xI", 0, 0, 2).ljust(2352, b"\0")
    memory = FakeMemory({start: run})
    assert ioctl_kvm.run_result(0, (start, start + 12288), memory) == "0 (KVM_EXIT_IO)"
    hlt = FakeMemory({start: struct.pack("<8xI", 5).ljust(2352, b"\0")})
    assert ioctl_kvm.run_result(0, (start, start + 12288), hlt) == "0 (KVM_EXIT_HLT)"
    odd = FakeMemory({start: struct.pack("<8xI", 1000).ljust(2352, b"\0")})
    assert ioctl_kvm.run_result(0, (start, start + 4096), odd) == "0 (KVM_EXIT_???)"
    # No mapping, one shorter than struct kvm_run, or one unreadable: the number alone.
    assert ioctl_kvm.run_result(0, None, memory) is None
    assert ioctl_kvm.run_result(0, (start, start + 2048), memory) is None
    assert ioctl_kvm.run_result(0, (start, start + 4096), FakeMemory({})) is None


def test_vcpu_paths() -> None:
    assert ioctl_kvm.is_vcpu("anon_inode:kvm-vcpu:0")
    assert ioctl_kvm.is_vcpu("anon_inode:kvm-vcpu:12")
    assert not ioctl_kvm.is_vcpu("anon_inode:kvm-vm")
    assert not ioctl_kvm.is_vcpu("anon_inode:kvm-vcpu:")
    assert not ioctl_kvm.is_vcpu("anon_inode:kvm-vcpu:-1")
    assert not ioctl_kvm.is_vcpu("/dev/kvm")
