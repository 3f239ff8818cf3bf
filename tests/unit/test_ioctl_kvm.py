"""KVM's requests (families/ioctl_kvm.py) and the fds two of them return: strace 6.1's
text out, from its runs of strace's ioctl_kvm_run tests."""

import struct

from tests.unit.ioctl_cases import argument
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
