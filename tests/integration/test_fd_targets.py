"""procfs.fd_target on this process's own fds: the kernel's `` (deleted)`` is taken
off a file unlinked since, and kept on a file that is so named; procfs.file_mapping
finds a KVM vcpu fd's mapping."""

import ctypes
import fcntl
import mmap
import os
from pathlib import Path

import pytest

from traced.decoders.arguments import FdTarget
from traced.linux import procfs

pytestmark = pytest.mark.integration


def test_an_unlinked_file_is_deleted_and_a_file_so_named_is_not(tmp_path: Path) -> None:
    gone, named = tmp_path / "gone", tmp_path / "kept (deleted)"
    named.write_text("")
    gone_fd = os.open(gone, os.O_CREAT | os.O_RDWR, 0o600)
    named_fd = os.open(named, os.O_RDONLY)
    try:
        os.unlink(gone)
        assert procfs.fd_target(os.getpid(), gone_fd) == FdTarget(str(gone), deleted=True)
        assert procfs.fd_target(os.getpid(), named_fd) == FdTarget(str(named))
    finally:
        os.close(gone_fd)
        os.close(named_fd)


@pytest.mark.skipif(not os.access("/dev/kvm", os.R_OK | os.W_OK), reason="no /dev/kvm")
def test_a_vcpu_fds_kvm_run_is_found_among_the_mappings() -> None:
    kvm = os.open("/dev/kvm", os.O_RDWR)
    vm = fcntl.ioctl(kvm, 0xAE01, 0)  # KVM_CREATE_VM
    vcpu = fcntl.ioctl(vm, 0xAE41, 0)  # KVM_CREATE_VCPU
    size = fcntl.ioctl(kvm, 0xAE04, 0)  # KVM_GET_VCPU_MMAP_SIZE
    run = mmap.mmap(vcpu, size)
    try:
        path = procfs.fd_target(os.getpid(), vcpu)
        assert path == FdTarget("anon_inode:kvm-vcpu:0")
        start = ctypes.addressof(ctypes.c_char.from_buffer(run))
        assert procfs.file_mapping(os.getpid(), path.path) == (start, start + size)
        assert procfs.file_mapping(os.getpid(), "anon_inode:kvm-vcpu:1") is None
    finally:
        run.close()
        for fd in (vcpu, vm, kvm):
            os.close(fd)
