"""traced.core.filter_install: the injection plan, saved registers in, register writes out."""

from __future__ import annotations

import errno
import struct

import pytest

from traced.core.filter_install import (
    AFTER,
    Call,
    Install,
    advance,
    arguments,
    needs_no_new_privs,
    program_image,
    refusal,
    restore,
    substitute,
)
from traced.core.session import TraceSession
from traced.core.task import Mode
from traced.syscalls.arch import X86_64

TABLE = X86_64.inject
assert TABLE is not None
NUMBERS = X86_64.native.numbers_by_name
# user_regs_struct words: rax 10, rdi 14, rsi 13, rdx 12, r10 7, r8 9, r9 8, orig_rax 15, rip 16
RAX, ORIG_RAX, RIP = 10 * 8, 15 * 8, 16 * 8
ARGS = (14 * 8, 13 * 8, 12 * 8, 7 * 8, 9 * 8, 8 * 8)
ELF64 = b"\x7fELF\x02\x01\x01" + bytes(11) + (62).to_bytes(2, "little")


def _regs(**words: int) -> bytes:
    """A register file at a syscall-entry-stop of read(3, buf, 10) by default."""
    values = [0x1000 + i for i in range(27)]
    values[ORIG_RAX // 8], values[RAX // 8], values[RIP // 8] = 0, -errno.ENOSYS, 0x401002
    for offset, value in zip(ARGS, (3, 0x7FFC0000, 10, 0, 0, 0), strict=True):
        values[offset // 8] = value
    for name, value in words.items():
        values[{"orig_rax": ORIG_RAX, "rip": RIP}[name] // 8] = value
    return struct.pack("=27q", *values)


def test_substitute_writes_the_number_then_each_argument() -> None:
    writes = substitute(TABLE, NUMBERS["prctl"], (38, 1, 0, 0, 0, 0))
    assert writes == ((ORIG_RAX, 157), *zip(ARGS, (38, 1, 0, 0, 0, 0), strict=True))


def test_restore_reruns_the_tasks_own_call() -> None:
    """Its number in orig_rax and in rax (the instruction reads rax), its arguments,
    and rip back over the two bytes of ``syscall``."""
    openat = NUMBERS["openat"]
    writes = dict(restore(TABLE, _regs(orig_rax=openat, rip=0x401002)))
    assert writes[ORIG_RAX] == openat and writes[RAX] == openat
    assert writes[RIP] == 0x401000
    assert [writes[offset] for offset in ARGS] == [3, 0x7FFC0000, 10, 0, 0, 0]
    assert set(writes) == {ORIG_RAX, RAX, RIP, *ARGS}  # nothing else is touched


def test_restore_of_a_restart_syscall_reruns_it() -> None:
    writes = dict(restore(TABLE, _regs(orig_rax=NUMBERS["restart_syscall"], rip=0x7F0000000A)))
    assert writes[RAX] == writes[ORIG_RAX] == 219
    assert writes[RIP] == 0x7F00000008


def test_the_calls_in_order_with_no_new_privs() -> None:
    install = Install(bytes(8 * 3), needs_no_new_privs=True)
    assert arguments(install)[:4] == (0, 4096, 3, 0x22)
    assert arguments(install)[4] == (1 << 64) - 1  # fd -1
    assert advance(install, 0x7F1234560000) is Call.NO_NEW_PRIVS
    assert arguments(install) == (38, 1, 0, 0, 0, 0)
    assert advance(install, 0) is Call.SECCOMP
    assert arguments(install) == (1, 1, 0x7F1234560000, 0, 0, 0)  # FILTER, TSYNC, &prog
    assert advance(install, 0) is Call.MUNMAP
    assert install.installed and install.failure is None
    assert arguments(install) == (0x7F1234560000, 4096, 0, 0, 0, 0)
    assert advance(install, 0) is None and install.over


def test_no_new_privs_is_left_out_when_not_needed() -> None:
    install = Install(bytes(8), needs_no_new_privs=False)
    assert advance(install, 0x10000) is Call.SECCOMP


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (-errno.EACCES, "seccomp failed: EACCES"),
        (-errno.EINVAL, "seccomp failed: EINVAL"),
        (4243, "thread 4243 has a seccomp filter of its own"),
    ],
)
def test_a_refused_seccomp_still_unmaps(result: int, reason: str) -> None:
    install = Install(bytes(8), needs_no_new_privs=False, call=Call.SECCOMP, address=0x10000)
    assert advance(install, result) is Call.MUNMAP
    assert not install.installed and reason in (install.failure or "")
    assert advance(install, -errno.EINVAL) is None  # a failed munmap changes nothing


def test_a_failed_mmap_ends_it_and_a_failed_prctl_unmaps() -> None:
    install = Install(bytes(8), needs_no_new_privs=True)
    assert advance(install, -errno.ENOMEM) is None
    assert install.failure == "mmap failed: ENOMEM (Cannot allocate memory)"
    install = Install(bytes(8), needs_no_new_privs=True, call=Call.NO_NEW_PRIVS, address=1)
    assert advance(install, -errno.EPERM) is Call.MUNMAP


def test_every_call_has_a_next() -> None:
    assert set(AFTER) == set(Call)


def test_the_image_is_a_sock_fprog_before_its_program() -> None:
    program = bytes(range(24))  # three instructions
    install = Install(program, needs_no_new_privs=False, address=0x7F0000001000)
    image = program_image(install)
    assert struct.unpack_from("=H6xQ", image) == (3, 0x7F0000001010)
    assert image[16:40] == program and len(image) % 8 == 0


def test_a_long_program_takes_more_pages() -> None:
    assert Install(bytes(8 * 600), needs_no_new_privs=False).size == 8192


@pytest.mark.parametrize(
    ("no_new_privs", "cap_eff", "needed"),
    [("0", "0000000000000000", True), ("1", "0", False), ("0", "000001ffffffffff", False)],
)
def test_no_new_privs_only_without_it_or_cap_sys_admin(
    no_new_privs: str, cap_eff: str, needed: bool
) -> None:
    assert needs_no_new_privs(no_new_privs, cap_eff) is needed


def test_refusals() -> None:
    assert refusal(ELF64, 62, {10: "0", 11: "0"}) is None
    i386 = b"\x7fELF\x01\x01\x01" + bytes(11) + (3).to_bytes(2, "little")
    x32 = b"\x7fELF\x01\x01\x01" + bytes(11) + (62).to_bytes(2, "little")
    for header in (i386, x32):
        assert "not a native 64-bit process" in (refusal(header, 62, {10: "0"}) or "")
    assert "not an ELF" in (refusal(b"#!/bin/sh\n" + bytes(10), 62, {}) or "")
    assert "thread 11 has a seccomp filter" in (refusal(ELF64, 62, {10: "0", 11: "2"}) or "")


def test_the_filtered_group_goes_to_seccomp_mode_and_no_other() -> None:
    session = TraceSession("s", Mode.FULL, 100)
    for tid, tgid in ((100, 100), (101, 100), (200, 200)):
        session.add_task(tid, tgid)
    session.filter_installed(100)
    modes = {tid: task.mode for tid, task in session.tasks.items()}
    assert modes == {100: Mode.SECCOMP, 101: Mode.SECCOMP, 200: Mode.FULL}
    assert session.adopt_early(102, 100, 1).mode is Mode.SECCOMP  # a new thread of it
    assert session.adopt_early(201, 201, 200).mode is Mode.FULL  # a child of the other


def test_a_group_with_its_own_filter_first_stays_full() -> None:
    session = TraceSession("s", Mode.FULL, 100)
    session.add_task(100, 100)
    session.switched.add(100)
    session.filter_installed(100)
    assert session.tasks[100].mode is Mode.FULL
