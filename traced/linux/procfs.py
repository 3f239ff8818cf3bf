"""What /proc tells a tracer that ptrace does not.

Kernel facts this module depends on:

* /proc/TID/status works for any thread id, not only thread-group leaders, and
  its ``Tgid:`` line names the process the thread belongs to.  It is still there
  for a zombie until it is reaped; ``TracerPid:`` then still names its tracer (a
  tracee stays attached until its tracer reaps it), and is 0 for one nobody traces.
* Its ``Uid:`` and ``Gid:`` lines hold the real, effective, saved and filesystem
  ids, and ``CapPrm:``, ``CapEff:`` and ``CapAmb:`` the permitted, effective and
  ambient capabilities, in hex (traced/linux/access.py judges them).
* At a PTRACE_EVENT_EXEC stop the new image is in place: /proc/PID/cmdline is
  exactly the argv given to execve, and the auxiliary vector's AT_EXECFN entry
  points at the filename string execve was given, copied onto the new stack.
* /proc/PID/task lists the threads of a process; one can appear between two
  reads, so attaching to all of them loops until no new one shows up.
* /proc/TID/fd/FD is a symlink to what the fd refers to: a path, or
  ``socket:[INODE]``, ``pipe:[INODE]``, ``anon_inode:[eventfd]``; threads share
  the table, so any tid of the process will do.  strace -y prints exactly that.
* /proc/TID/maps lists the process's mappings (threads share them), one a line:
  range, permissions, offset in the file, device, inode and, for a file, its
  path (`` (deleted)`` after it once unlinked).  strace -k places frames by it.
* /proc/TID/maps has a line per mapping: ``START-END PERMS OFFSET MAJ:MIN INODE
  PATH`` (hex addresses and device); a mapping of an anonymous inode's file (a
  KVM vcpu fd's kvm_run) has device major 0 and the fd link's text as its path.
* /proc/TID/comm is the thread's command name (at most 15 bytes, then a newline),
  for any thread id, and still there for a zombie until it is reaped: what
  execve, prctl(PR_SET_NAME) and writes to the file itself last made it.
"""

from __future__ import annotations

import os
import stat
import struct
import sys
from typing import NamedTuple

from traced.decoders.arguments import FdTarget
from traced.decoders.families.files import AT_FDCWD
from traced.decoders.xlat import Table
from traced.linux.memory import read_cstring
from traced.linux.sockdiag import unix_socket

AT_EXECFN = 31
_AUXV_ENTRY = struct.Struct("=QQ")
_CHUNK = 65536


def read_whole(path: str) -> bytes:
    """A /proc file, whole, by bare reads: every exec stop reads two, and a buffered
    ``open()`` costs each five syscalls more (two fstats, TCGETS, two lseeks).  A
    short read is no end: seq_file hands out a page at a time."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = []
        while chunk := os.read(fd, _CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def status_fields(tid: int, *fields: str) -> dict[str, str]:
    """Some lines of /proc/TID/status, read once; empty when the task is gone.

    Found in the bytes, not line by line: a build's every new task may need its
    Tgid, PPid and TracerPid (traced.tracer.newcomers)."""
    try:
        data = b"\n" + read_whole(f"/proc/{tid}/status")
    except OSError:  # gone, or no fd left to look: either way we cannot know
        return {}
    found: dict[str, str] = {}
    for field in fields:
        key = f"\n{field}:".encode("ascii")
        start = data.find(key)
        if start >= 0:
            start += len(key)
            end = data.find(b"\n", start)
            found[field] = data[start : None if end < 0 else end].decode("ascii", "replace").strip()
    return found


def parse_status(text: bytes) -> dict[str, str]:
    """A whole /proc/TID/status, read through a descriptor: field -> value."""
    fields: dict[str, str] = {}
    for line in text.decode("ascii", "replace").splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return fields


def status_field(tid: int, field: str) -> str | None:
    """One line of /proc/TID/status, or None when the task is gone."""
    return status_fields(tid, field).get(field)


def read_maps(tid: int) -> bytes:
    """/proc/TID/maps, whole; OSError when the task is gone."""
    return read_whole(f"/proc/{tid}/maps")


def comm(tid: int) -> bytes | None:
    """The task's command name (strace -Y's ``1234<sh>``), or None once it is gone."""
    try:
        return read_whole(f"/proc/{tid}/comm").rstrip(b"\n")
    except OSError:  # gone (reaped), or no such task: strace prints the number alone
        return None


def seccomp_filters_supported() -> bool:
    """Whether this kernel has seccomp filters (CONFIG_SECCOMP_FILTER): /proc says so."""
    return status_field(os.getpid(), "Seccomp_filters") is not None


def tgid_of(tid: int) -> int:
    """The process a thread belongs to; the tid itself when /proc no longer knows it."""
    return lineage(tid).tgid


class Lineage(NamedTuple):
    """Where a task stands: its process, its parent, and who traces it."""

    tgid: int
    parent: int  # 0: /proc no longer knows it
    tracer: int  # 0: nobody traces it (or /proc no longer knows it)


def lineage(tid: int) -> Lineage:
    """Where a task stands, from one read of /proc/TID/status; (tid, 0, 0) when /proc
    no longer knows it."""
    fields = status_fields(tid, "Tgid", "PPid", "TracerPid")
    tgid, parent, tracer = (fields.get(name) for name in ("Tgid", "PPid", "TracerPid"))
    return Lineage(
        int(tgid) if tgid else tid, int(parent) if parent else 0, int(tracer) if tracer else 0
    )


def thread_ids(pid: int) -> list[int]:
    try:
        return sorted(int(name) for name in os.listdir(f"/proc/{pid}/task"))
    except FileNotFoundError:
        return []


_FS_ENCODING, _FS_ERRORS = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()


def _execfn_address(pid: int) -> int:
    data = read_whole(f"/proc/{pid}/auxv")
    for key, value in _AUXV_ENTRY.iter_unpack(data[: len(data) - len(data) % 16]):
        if key == AT_EXECFN:
            return int(value)
    return 0


def exec_image_argv(pid: int) -> tuple[str, ...]:
    """A running process's argv, from /proc/PID/cmdline (empty when it is gone)."""
    try:
        raw = read_whole(f"/proc/{pid}/cmdline")
    except OSError:
        return ()
    # One decode for them all, as os.fsdecode would each (PEP 383): a build's
    # compiler runs have a dozen arguments or more, and every exec reads them.
    return tuple(raw.decode(_FS_ENCODING, _FS_ERRORS).split("\0")[:-1])


def exec_image(pid: int) -> tuple[str, tuple[str, ...]]:
    """(path given to execve, argv) of a task stopped at PTRACE_EVENT_EXEC."""
    argv = exec_image_argv(pid)
    try:
        address = _execfn_address(pid)
        path = os.fsdecode(read_cstring(pid, address)) if address else ""
    except OSError:
        path = ""
    return path or (argv[0] if argv else ""), argv


_DELETED = " (deleted)"


def fd_target(tid: int, fd: int, kinds: frozenset[str] = frozenset()) -> FdTarget | None:
    """What fd ``fd`` of task ``tid`` refers to (-y), or None when it is not open;
    with ``kinds`` (-yy, -e decode-fds=SET), what strace says of it beyond its path,
    and None for an fd of no kind in the set (``decode-fds=dev``: a socket's fd is
    its number alone).

    AT_FDCWD (-100) stands for the task's working directory.  The kernel adds
    `` (deleted)`` to the link of a file unlinked since: taken off when the link's
    inode is not what the path names now (a file may be called ``x (deleted)``),
    strace's test."""
    link = f"/proc/{tid}/cwd" if fd == AT_FDCWD else f"/proc/{tid}/fd/{fd}"
    target = _fd_path(link)
    if target is None or not kinds:
        return target
    if fd == AT_FDCWD:
        return target if "path" in kinds else None
    return _described(tid, fd, link, target, kinds)


def file_mapping(tid: int, path: str) -> tuple[int, int] | None:
    """The (start, end) of task ``tid``'s first mapping of the anonymous-inode file
    ``path`` (strace's is_map_for_file: that path, device major 0), or None."""
    try:
        lines = read_whole(f"/proc/{tid}/maps").decode("utf-8", "surrogateescape").splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5] == path and fields[3].startswith("00:"):
            start, _, end = fields[0].partition("-")
            return int(start, 16), int(end, 16)
    return None


def _fd_path(link: str) -> FdTarget | None:
    try:
        path = os.readlink(link)
    except OSError:
        return None
    if not path.endswith(_DELETED) or len(path) <= len(_DELETED):
        return FdTarget(path)
    try:
        linked = os.stat(link)
    except OSError:
        return FdTarget(path)
    try:
        named = os.lstat(path)
    except OSError:
        return FdTarget(path.removesuffix(_DELETED), deleted=True)
    same = (named.st_ino, named.st_dev) == (linked.st_ino, linked.st_dev)
    return FdTarget(path) if same else FdTarget(path.removesuffix(_DELETED), deleted=True)


# --- -yy: devices, sockets and pidfds, as strace describes them ----------------------
# A device file's numbers come from stat(2) of the fd's link (char or block, and
# major:minor of st_rdev).  A socket's protocol is the link's system.sockprotoname
# extended attribute (UNIX-STREAM, TCP, UDPv6, NETLINK...), and a unix socket's peer
# and address what sock_diag says of its inode (traced.linux.sockdiag).  A pidfd's pid
# is the Pid: line of /proc/PID/fdinfo/FD.


def _described(
    tid: int, fd: int, link: str, target: FdTarget, kinds: frozenset[str]
) -> FdTarget | None:
    path = target.path
    if "pidfd" in kinds and path == "anon_inode:[pidfd]":
        pid = _fdinfo_pid(tid, fd)
        if pid is not None:
            return target._replace(pid=pid)
    if "socket" in kinds and path.startswith("socket:["):
        protocol = _socket_protocol(link)
        if protocol is not None and protocol.startswith("UNIX") and path[8:-1].isdigit():
            found = unix_socket(int(path[8:-1]))
            if found is not None:
                return target._replace(
                    protocol=protocol, bound=_unix_name(found.name), peer=found.peer or None
                )
        if protocol is not None:
            return target._replace(protocol=protocol)
    if "dev" in kinds and path.startswith("/"):
        device = _device(link)
        if device is not None:
            return target._replace(device=device)
    return target if "path" in kinds else None


def pidfd_pid(tid: int, fd: int) -> int | None:
    """The pid pidfd ``fd`` of task ``tid`` refers to (its fdinfo's Pid:), or None
    for any other fd (strace's pidfd_get_pid)."""
    return _fdinfo_pid(tid, fd)


def _fdinfo_pid(tid: int, fd: int) -> int | None:
    try:
        lines = read_whole(f"/proc/{tid}/fdinfo/{fd}").splitlines()
    except OSError:
        return None
    pids = [line.split()[1] for line in lines if line.startswith(b"Pid:") and len(line.split()) > 1]
    return int(pids[0]) if pids and pids[0].lstrip(b"-").isdigit() else None


def _socket_protocol(link: str) -> str | None:
    try:
        return os.getxattr(link, "system.sockprotoname").rstrip(b"\0").decode("ascii", "replace")
    except OSError:
        return None


def _unix_name(name: bytes) -> str | None:
    """A unix socket's address as FdTarget.bound: up to its NUL, an abstract one's
    leading NUL kept; None for none."""
    if not name:
        return None
    if name.startswith(b"\0"):
        return "\0" + os.fsdecode(name[1:].split(b"\0", 1)[0])
    return os.fsdecode(name.split(b"\0", 1)[0])


def _device(link: str) -> tuple[str, int, int] | None:
    try:
        status = os.stat(link)
    except OSError:
        return None
    mode, rdev = status.st_mode, status.st_rdev
    if not (stat.S_ISCHR(mode) or stat.S_ISBLK(mode)):
        return None
    return ("char" if stat.S_ISCHR(mode) else "block", os.major(rdev), os.minor(rdev))


# --- netlink sockets: their protocol, for the decoders of their messages -------------
# A socket's link is ``socket:[INODE]``; its system.sockprotoname attribute is
# ``NETLINK`` for a netlink one, whose protocol is the Eth column of the row of that
# inode in the task's /proc/PID/net/netlink (its network namespace's sockets).  A
# socket is in that table once bound, which its first send does: before, its
# protocol is unknown (-1), as it is to strace, whose sock_diag query lists the same.


class NetlinkSockets:
    """Task ``tid``'s netlink sockets, as the netlink decoders ask of them
    (traced.decoders.netlink.fds): an fd's protocol, and generic netlink's families."""

    __slots__ = ("tid",)

    def __init__(self, tid: int) -> None:
        self.tid = tid

    def __call__(self, fd: int) -> int | None:
        return netlink_protocol(self.tid, fd)

    def generic_families(self) -> Table:
        from traced.linux.genl import generic_families  # noqa: PLC0415 (rarely needed)

        return generic_families()


def netlink_protocol(tid: int, fd: int) -> int | None:
    """The netlink protocol of fd ``fd`` of task ``tid`` (NETLINK_ROUTE...), -1 for a
    netlink socket /proc does not list, None for an fd that is no netlink socket."""
    link = f"/proc/{tid}/fd/{fd}"
    try:
        path = os.readlink(link)
    except OSError:
        return None
    if not path.startswith("socket:["):
        return None
    inode = path[8:-1].encode()
    if inode in _PROTOCOLS:  # a socket's protocol is fixed at socket(): asked once
        return _PROTOCOLS[inode]
    protocol = _netlink_row(tid, inode) if _socket_protocol(link) == "NETLINK" else None
    if protocol != -1:  # -1: not listed yet, asked again next time
        if len(_PROTOCOLS) >= _PROTOCOLS_KEPT:
            _PROTOCOLS.clear()
        _PROTOCOLS[inode] = protocol
    return protocol


# Sockets' netlink protocols (None: not netlink) by inode, shared by every task: an
# inode names one socket for its life, and sockfs does not reuse one soon.
_PROTOCOLS: dict[bytes, int | None] = {}
_PROTOCOLS_KEPT = 4096


def _netlink_row(tid: int, inode: bytes) -> int:
    """The protocol /proc/TID/net/netlink lists for socket ``inode``, -1 if none."""
    try:
        rows = read_whole(f"/proc/{tid}/net/netlink").splitlines()[1:]
    except OSError:
        return -1
    for row in rows:
        fields = row.split()
        if len(fields) >= 10 and fields[9] == inode and fields[1].isdigit():
            return int(fields[1])
    return -1
