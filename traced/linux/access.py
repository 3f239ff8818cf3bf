"""May a client trace a task?  The kernel's own answer, asked on the client's behalf.

A root daemon traces with CAP_SYS_PTRACE, so the kernel lets it seize anything; for
a client that is not root it must ask itself what the kernel would answer that
client's own ``strace -p TID``, task by task.  :func:`verdict` is that answer, pure
(credentials in, a reason or None out); :class:`PinnedTask` reads what it needs.

Kernel facts this module depends on (kernel/ptrace.c ``__ptrace_may_access`` in
mode PTRACE_MODE_ATTACH_REALCREDS, security/commoncap.c, security/yama):

* The caller's real uid must equal the target's real, effective and saved uids,
  and its real gid the target's real, effective and saved gids; otherwise only
  CAP_SYS_PTRACE in the target's user namespace lets it through.  Supplementary
  groups and the fs ids do not count.
* The target's mm must be dumpable (SUID_DUMP_USER), or the caller needs
  CAP_SYS_PTRACE in the mm's user namespace.  An exec of a set-user-ID, file
  capability or unreadable program, or a credential change, clears the flag;
  PR_SET_DUMPABLE sets it again.  /proc has no line for it, but task_dump_owner
  gives the files of /proc/TID (not the folder itself) the task's effective uid
  when it is dumpable and root otherwise (proc(5)).
* Capabilities (cap_ptrace_access_check): the target's permitted set must be a
  subset of the caller's, both in the same user namespace; otherwise only
  CAP_SYS_PTRACE in the target's namespace.  A client here holds none (below), so
  the target must hold none: CapPrm 0.  (CapEff and CapAmb are subsets of CapPrm.)
* Yama (/proc/sys/kernel/yama/ptrace_scope, absent without Yama): 0 adds nothing;
  1 lets a caller without CAP_SYS_PTRACE attach only to its descendants (or to a
  task that named it with PR_SET_PTRACER, which /proc does not show); 2 needs
  CAP_SYS_PTRACE; 3 refuses every attach, even root's.
* The check is made per task: each thread of a process has its own credentials
  (a raw setresuid changes only the calling thread's), while the dumpable flag
  and the memory are the whole process's.
* A file descriptor of the folder /proc/TID stays bound to that task (its struct
  pid): once the task is gone every read through it fails (ESRCH or ENOENT), even
  if the number TID now belongs to a new task.  So a task read through such a
  descriptor and still there after PTRACE_SEIZE(TID) is the task that was seized:
  a number cannot be reused while its task lives.  This works for any thread, on
  any kernel (a pidfd names a non-leader thread only since Linux 6.9).

What the daemon cannot know, and how it errs (always towards refusing):

* A client's capabilities: SO_PEERCRED gives ids only.  A client that is not root
  is taken to hold none, in any namespace, so a process in a user namespace the
  client owns, which the kernel would let it trace, is refused.
* A client's user namespace: it is taken to be the daemon's, so a target in any
  other user namespace is refused.
* PR_SET_PTRACER exceptions under ptrace_scope 1: refused.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from traced.linux import procfs

# capability(7)'s names, by bit number
CAPABILITY_NAMES = (  # noqa: SIM905 (a list of 41 names would be 41 lines)
    "chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap "
    "linux_immutable net_bind_service net_broadcast net_admin net_raw ipc_lock "
    "ipc_owner sys_module sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin "
    "sys_boot sys_nice sys_resource sys_time sys_tty_config mknod lease audit_write "
    "audit_control setfcap mac_override mac_admin syslog wake_alarm block_suspend "
    "audit_read perfmon bpf checkpoint_restore"
).split()
YAMA_SCOPE = "/proc/sys/kernel/yama/ptrace_scope"


class Client(NamedTuple):
    """Who asks, as SO_PEERCRED named it at connect: taken to hold no capability."""

    uid: int
    gid: int
    pid: int = 0  # its process, for Yama's "descendants only" (0: unknown)


class Creds(NamedTuple):
    """What the kernel's check reads of one task."""

    uids: tuple[int, ...]  # real, effective, saved (, filesystem)
    gids: tuple[int, ...]
    permitted: int  # CapPrm, CapEff, CapAmb as bit sets
    effective: int
    ambient: int
    dumpable: bool
    user_ns: int  # inode of its user namespace (0: unknown)


def capability_names(bits: int) -> str:
    names = [
        "cap_" + (CAPABILITY_NAMES[bit] if bit < len(CAPABILITY_NAMES) else str(bit))
        for bit in range(bits.bit_length())
        if bits >> bit & 1
    ]
    return ",".join(names)


def privileges(client: Client, creds: Creds, user_ns: int) -> str | None:
    """What ``creds`` hold that ``client`` lacks, or None: its ids, capabilities,
    dumpability and user namespace against the client's (see the module's facts)."""
    if any(value != client.uid for value in creds.uids[:3]):
        return "uids " + " ".join(map(str, creds.uids[:3]))
    if any(value != client.gid for value in creds.gids[:3]):
        return "gids " + " ".join(map(str, creds.gids[:3]))
    held = creds.permitted | creds.effective | creds.ambient
    if held:
        return "capabilities " + capability_names(held)
    if not creds.dumpable:
        return "not dumpable"
    if creds.user_ns != user_ns:
        return "another user namespace"
    return None


def verdict(
    client: Client, creds: Creds, *, user_ns: int, yama: int, descendant: bool
) -> str | None:
    """Why the kernel would refuse ``client`` an attach to a task of ``creds`` (in
    user namespace ``user_ns`` for the client's), or None when it would allow it.
    ``yama`` is ptrace_scope (0 without Yama); ``descendant``: whether the task
    descends from the client's process."""
    held = privileges(client, creds, user_ns)
    if held is not None:
        return held
    if yama >= 2 or (yama == 1 and not descendant):
        return f"yama ptrace_scope {yama}"
    return None


# --- the reads: thin, and only where the check is made -----------------------------


def yama_scope() -> int:
    """Yama's ptrace_scope, 0 without Yama."""
    try:
        with open(YAMA_SCOPE, "rb") as scope:
            return int(scope.read().strip() or b"0")
    except (OSError, ValueError):
        return 0


def own_user_ns() -> int:
    return os.stat("/proc/self/ns/user").st_ino


def descends_from(tid: int, ancestor: int) -> bool:
    """Whether ``ancestor`` is a process above ``tid`` (through PPid lines)."""
    pid = procfs.tgid_of(tid)
    for _ in range(4096):  # a chain of parents ends at 1 (or 0 outside our namespace)
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
        pid = procfs.lineage(pid)[1]
    return False


class PinnedTask:
    """/proc/TID held open: reads through it are that task's, or fail once it is gone."""

    def __init__(self, tid: int) -> None:
        """Raises OSError (ENOENT, ESRCH) when there is no task ``tid``."""
        self.tid = tid
        self._fd = os.open(f"/proc/{tid}", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def __enter__(self) -> PinnedTask:
        return self

    def __exit__(self, *exc_info: object) -> None:
        os.close(self._fd)

    def creds(self) -> Creds | None:
        """Its credentials now, or None once the task is gone."""
        try:
            status = procfs.parse_status(self._read("status"))
            dump_owner = os.stat("stat", dir_fd=self._fd).st_uid
            user_ns = os.stat("ns/user", dir_fd=self._fd).st_ino
        except (OSError, KeyError, ValueError):
            return None
        uids = tuple(int(value) for value in status["Uid"].split())
        return Creds(
            uids,
            tuple(int(value) for value in status["Gid"].split()),
            int(status.get("CapPrm", "0"), 16),
            int(status.get("CapEff", "0"), 16),
            int(status.get("CapAmb", "0"), 16),
            dump_owner == uids[1],
            user_ns,
        )

    def _read(self, name: str) -> bytes:
        fd = os.open(name, os.O_RDONLY | os.O_CLOEXEC, dir_fd=self._fd)
        try:
            return os.read(fd, 65536)
        finally:
            os.close(fd)


def refusal(client: Client, task: PinnedTask, *, at_exec: bool = False) -> str | None:
    """Why ``client`` may not trace ``task`` now (None: it may): ``gone`` when the
    task no longer exists.  At an exec, only what the new image gained counts: Yama
    judged the attach, and an exec changes no ancestry."""
    creds = task.creds()
    if creds is None:
        return "gone"
    if at_exec:
        return privileges(client, creds, own_user_ns())
    yama = yama_scope()
    descendant = yama == 1 and client.pid > 0 and descends_from(task.tid, client.pid)
    return verdict(client, creds, user_ns=own_user_ns(), yama=yama, descendant=descendant)
