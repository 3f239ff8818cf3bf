"""procfs.fd_target on this process's own fds: the kernel's `` (deleted)`` is taken
off a file unlinked since, and kept on a file that is so named; procfs.file_mapping
finds a KVM vcpu fd's mapping; procfs.exec_image_argv reads a process's argv, bytes
that are not UTF-8 kept (PEP 383), as os.fsdecode has them; procfs.lineage and
status_fields read /proc/PID/status's lines, the first and the absent too."""

import ctypes
import fcntl
import mmap
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from traced.decoders.arguments import FdTarget
from traced.linux import procfs

pytestmark = pytest.mark.integration


def test_a_task_s_lineage_and_status_lines_are_its_own() -> None:
    """The first line (Name), a later one, one absent; a task that does not exist."""
    kin = procfs.lineage(os.getpid())
    assert (kin.tgid, kin.parent) == (os.getpid(), os.getppid())
    umask = os.umask(0o77)
    os.umask(umask)
    fields = procfs.status_fields(os.getpid(), "Name", "Umask", "NoSuchField")
    name = Path("/proc/self/comm").read_text().rstrip("\n")
    assert fields == {"Name": name, "Umask": f"{umask:04o}"}
    assert procfs.status_fields(2**22 + 1, "Tgid") == {}  # above pid_max: no such task


@pytest.mark.parametrize(
    "given",
    [[b"plain", b"", b"two words"], [b"d\xff\xfe/f\xe9", b"\xc3\xa9"]],
    ids=["UTF-8", "not UTF-8"],
)
def test_a_process_argv_is_read_as_python_decodes_names(given: list[bytes]) -> None:
    # It says it runs: Popen returns when the exec closed its pipe, before the kernel
    # set the new image's argv up (cmdline reads empty until then).
    argv = [sys.executable.encode(), b"-c", b"print(flush=True); input()", *given]
    child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"\n"
        assert procfs.exec_image_argv(child.pid) == tuple(os.fsdecode(arg) for arg in argv)
    finally:
        child.communicate(b"\n")


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


def test_a_unix_socket_with_yy_names_its_peer_and_its_abstract_address() -> None:
    """sock_diag asked as strace asks it: ``UNIX-STREAM:[5->6,@"name"]``."""
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        left_ino, right_ino = (os.fstat(s.fileno()).st_ino for s in (left, right))
        kinds = frozenset(("socket",))
        target = procfs.fd_target(os.getpid(), left.fileno(), kinds)
        assert target is not None
        assert (target.protocol, target.peer, target.bound) == ("UNIX-STREAM", right_ino, None)
        assert left_ino != right_ino
    finally:
        left.close()
        right.close()
    bound = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        bound.bind(b"\0traced-test-" + str(os.getpid()).encode())
        target = procfs.fd_target(os.getpid(), bound.fileno(), frozenset(("socket",)))
        assert target is not None
        assert target.bound == "\0traced-test-" + str(os.getpid())
        assert target.peer is None
    finally:
        bound.close()


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


def test_a_sockets_netlink_protocol_is_asked_once() -> None:
    """netlink_protocol on real sockets: a netlink one's protocol, None for another;
    each socket's answer kept by its inode, since socket() fixes it."""
    route = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        pid = os.getpid()
        assert procfs.netlink_protocol(pid, route.fileno()) == -1  # unbound: not listed yet
        route.bind((0, 0))
        assert procfs.netlink_protocol(pid, route.fileno()) == socket.NETLINK_ROUTE
        assert procfs.netlink_protocol(pid, tcp.fileno()) is None
        assert procfs.netlink_protocol(pid, 10**6) is None  # no such fd
        inodes = {str(os.fstat(s.fileno()).st_ino).encode() for s in (route, tcp)}
        assert inodes <= set(procfs._PROTOCOLS)
        assert procfs.netlink_protocol(pid, route.fileno()) == socket.NETLINK_ROUTE
    finally:
        route.close()
        tcp.close()
