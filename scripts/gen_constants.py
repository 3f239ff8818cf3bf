"""Regenerate traced/decoders/_constants.py from the kernel's uapi headers.

Constant names are facts the kernel (and, for a few, glibc) publish in /usr/include;
we copy them rather than hand-type them.  Run on a machine with linux-libc-dev 6.1 and
gcc (the headers of strace 6.1's era):

    python scripts/gen_constants.py > traced/decoders/_constants.py

Each table is declared below (:data:`SPECS`) by the headers that define it and a
regular expression its names match.  Names come from one of three places:

* ``macro``: every ``#define`` the C preprocessor sees after the includes
  (``gcc -E -dM``) whose name matches;
* ``lines``: a regular expression over one header's text, for tables the header
  tells apart only by its layout (prctl.h indents the values of an option's
  arguments, ``# define``, under the options themselves, ``#define``);
  ``indented``: the same for the indented ones;
* ``enum``: the members of a named C enum (bpf.h's and io_uring.h's commands are
  enum members, which no preprocessor sees); ``enum-with``: those of the enum, named
  or not, that has the member given (rtnetlink.h's attributes).

Values are then what a compiled program prints for each name, so an expression
such as ``_IOR(0xb7, 1, int)`` or ``(1 << 31)`` is the compiler's to work out.

Order matters: a flag set is printed in table order (traced/decoders/xlat.py), and
strace's order is not always the header's.  By default a table is sorted by value,
names of one value in header order, which is strace's order for nearly all of them;
``first`` lists names strace puts ahead of that (msync's MS_SYNC), ``renames`` the
names strace spells otherwise than the header (glibc's MSG_PROXY is the kernel's
MSG_PROBE), ``exclude`` names strace does not print.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

INCLUDE = Path("/usr/include")


@dataclass(frozen=True)
class Spec:
    """One table: where its names are and which of them strace prints, in what order."""

    name: str
    includes: tuple[str, ...]
    pattern: str  # a name must match this entirely
    # macro | lines:<header> | enum:<enum name> | enum-with:<a member of the enum>
    # | offsetof:<type> | sizeof
    source: str = "macro"
    exclude: str = ""  # names matching this entirely are left out
    first: tuple[str, ...] = ()  # printed ahead of the value order, in this order
    renames: dict[str, str] = field(default_factory=dict)
    order: str = "value"  # value | header
    cast: str = "long long"  # the C type a value is printed as
    label: str = "{}"  # the name as printed: ``8*{}`` for a register's offset in words
    scale: int = 1  # what the value is multiplied by (a register's number, by 8)
    # Names the kernel defines outside its uapi headers, so no header here has them:
    # each with its value and the kernel header that defines it, cited in the table.
    unexported: tuple[tuple[str, int, str], ...] = ()
    span: tuple[int, int] | None = None  # only the names whose value is in [low, high]


def _spec(name: str, includes: str, pattern: str, **kw: object) -> Spec:
    return Spec(name, tuple(includes.split()), pattern, **kw)  # type: ignore[arg-type]


SPECS: tuple[Spec, ...] = (
    # --- memory ---------------------------------------------------------------------
    _spec("MSYNC", "linux/mman.h", r"MS_(ASYNC|INVALIDATE|SYNC)", first=("MS_SYNC",)),
    _spec("MLOCKALL", "linux/mman.h", r"MCL_\w+"),
    _spec("MLOCK", "linux/mman.h", r"MLOCK_\w+"),
    _spec("MREMAP", "linux/mman.h", r"MREMAP_\w+"),
    _spec("MADVISE", "linux/mman.h", r"MADV_\w+"),
    _spec("MPOL_MODES", "linux/mempolicy.h", r"MPOL_\w+", source="enum:", exclude=r"MPOL_MAX"),
    _spec(
        "MPOL_MODE_FLAGS",
        "linux/mempolicy.h",
        r"MPOL_F_(STATIC|RELATIVE)_NODES|MPOL_F_NUMA_BALANCING",
        order="header",
    ),  # strace: STATIC, RELATIVE, NUMA_BALANCING
    _spec("MBIND", "linux/mempolicy.h", r"MPOL_MF_(STRICT|MOVE|MOVE_ALL)"),
    _spec("GET_MEMPOLICY", "linux/mempolicy.h", r"MPOL_F_(NODE|ADDR|MEMS_ALLOWED)"),
    # --- System V IPC -----------------------------------------------------------------
    _spec("IPC_FLAGS", "linux/ipc.h", r"IPC_(CREAT|EXCL|NOWAIT)"),
    _spec("IPC_64", "linux/ipc.h", r"IPC_64"),
    _spec("SHM_HUGE", "linux/shm.h", r"SHM_HUGE_(SHIFT|MASK)"),
    _spec("SHMGET_FLAGS", "linux/shm.h", r"IPC_(CREAT|EXCL)|SHM_(HUGETLB|NORESERVE)"),
    _spec("SHMAT", "linux/shm.h", r"SHM_(RDONLY|RND|REMAP|EXEC)"),
    _spec("MSGFLG", "linux/msg.h", r"IPC_NOWAIT|MSG_(NOERROR|EXCEPT|COPY)"),
    _spec("MSGCTL", "linux/msg.h", r"IPC_(RMID|SET|STAT|INFO)|MSG_(STAT|INFO|STAT_ANY)"),
    _spec(
        "SEMCTL",
        "linux/sem.h",
        r"IPC_(RMID|SET|STAT|INFO)|SEM_(STAT|INFO|STAT_ANY)|GET(PID|VAL|ALL|NCNT|ZCNT)|SET(VAL|ALL)",
    ),
    _spec(
        "SHMCTL", "linux/shm.h", r"IPC_(RMID|SET|STAT|INFO)|SHM_(STAT|INFO|STAT_ANY|LOCK|UNLOCK)"
    ),
    # --- sockets ----------------------------------------------------------------------
    _spec(
        "MSG_FLAGS",
        "sys/socket.h",
        r"MSG_\w+",
        exclude=r"MSG_TRYHARD",
        renames={"MSG_PROXY": "MSG_PROBE"},
    ),
    # AF_VSOCK is a level too: vsock compares the level with its address family.
    _spec(
        "SOL",
        "sys/socket.h netinet/in.h netinet/tcp.h netinet/udp.h linux/netlink.h linux/tipc.h "
        "linux/can.h linux/can/raw.h netipx/ipx.h netax25/ax25.h netatalk/at.h netrom/netrom.h "
        "netrose/rose.h",
        r"SOL_\w+|AF_VSOCK",
        exclude=r"SOL_(MPTCP|MCTP|SMC)",
    ),
    # Each level's option names, as strace 6.1 lists them (its sock_*_options).
    _spec(
        "SOCK_IP",
        "linux/in.h",
        r"IP_(TOS|TTL|HDRINCL|OPTIONS|ROUTER_ALERT|RECVOPTS|RETOPTS|PKTINFO|PKTOPTIONS"
        r"|MTU_DISCOVER|RECVERR|RECVTTL|RECVTOS|MTU|FREEBIND|IPSEC_POLICY|XFRM_POLICY|PASSSEC"
        r"|TRANSPARENT|ORIGDSTADDR|MINTTL|NODEFRAG|CHECKSUM|BIND_ADDRESS_NO_PORT|RECVFRAGSIZE"
        r"|RECVERR_RFC4884|MULTICAST_IF|MULTICAST_TTL|MULTICAST_LOOP|ADD_MEMBERSHIP"
        r"|DROP_MEMBERSHIP|UNBLOCK_SOURCE|BLOCK_SOURCE|ADD_SOURCE_MEMBERSHIP"
        r"|DROP_SOURCE_MEMBERSHIP|MSFILTER|MULTICAST_ALL|UNICAST_IF)"
        r"|MCAST_(JOIN_GROUP|BLOCK_SOURCE|UNBLOCK_SOURCE|LEAVE_GROUP|JOIN_SOURCE_GROUP"
        r"|LEAVE_SOURCE_GROUP|MSFILTER)",
    ),
    _spec(
        "SOCK_IPV6",
        "linux/in.h linux/in6.h",
        r"IPV6_(ADDRFORM|2292PKTINFO|2292HOPOPTS|2292DSTOPTS|2292RTHDR|2292PKTOPTIONS|CHECKSUM"
        r"|2292HOPLIMIT|NEXTHOP|AUTHHDR|FLOWINFO|UNICAST_HOPS|MULTICAST_IF|MULTICAST_HOPS"
        r"|MULTICAST_LOOP|ADD_MEMBERSHIP|DROP_MEMBERSHIP|ROUTER_ALERT|MTU_DISCOVER|MTU|RECVERR"
        r"|V6ONLY|JOIN_ANYCAST|LEAVE_ANYCAST|MULTICAST_ALL|ROUTER_ALERT_ISOLATE|RECVERR_RFC4884"
        r"|FLOWLABEL_MGR|FLOWINFO_SEND|IPSEC_POLICY|XFRM_POLICY|HDRINCL|RECVPKTINFO|PKTINFO"
        r"|RECVHOPLIMIT|HOPLIMIT|RECVHOPOPTS|HOPOPTS|RTHDRDSTOPTS|RECVRTHDR|RTHDR|RECVDSTOPTS"
        r"|DSTOPTS|RECVPATHMTU|PATHMTU|DONTFRAG|USE_MIN_MTU|RECVTCLASS|TCLASS|AUTOFLOWLABEL"
        r"|ADDR_PREFERENCES|MINHOPCOUNT|ORIGDSTADDR|TRANSPARENT|UNICAST_IF|RECVFRAGSIZE|FREEBIND)"
        r"|MCAST_(JOIN_GROUP|BLOCK_SOURCE|UNBLOCK_SOURCE|LEAVE_GROUP|JOIN_SOURCE_GROUP"
        r"|LEAVE_SOURCE_GROUP|MSFILTER)",
    ),
    _spec(
        "SOCK_TCP",
        "linux/tcp.h",
        r"TCP_(NODELAY|MAXSEG|CORK|KEEPIDLE|KEEPINTVL|KEEPCNT|SYNCNT|LINGER2|DEFER_ACCEPT"
        r"|WINDOW_CLAMP|INFO|QUICKACK|CONGESTION|MD5SIG|COOKIE_TRANSACTIONS|THIN_LINEAR_TIMEOUTS"
        r"|THIN_DUPACK|USER_TIMEOUT|REPAIR|REPAIR_QUEUE|QUEUE_SEQ|REPAIR_OPTIONS|FASTOPEN"
        r"|TIMESTAMP|NOTSENT_LOWAT|CC_INFO|SAVE_SYN|SAVED_SYN|REPAIR_WINDOW|FASTOPEN_CONNECT|ULP"
        r"|MD5SIG_EXT|FASTOPEN_KEY|FASTOPEN_NO_COOKIE|ZEROCOPY_RECEIVE|INQ|TX_DELAY)",
    ),
    _spec(
        "SOCK_UDP",
        "linux/udp.h",
        r"UDP_(CORK|ENCAP|NO_CHECK6_TX|NO_CHECK6_RX|SEGMENT|GRO)",
        order="header",
    ),
    _spec("SOCK_RAW", "linux/icmp.h", r"ICMP_FILTER"),
    _spec(
        "SOCK_PACKET",
        "linux/if_packet.h",
        r"PACKET_(ADD_MEMBERSHIP|DROP_MEMBERSHIP|RECV_OUTPUT|RX_RING|STATISTICS|COPY_THRESH"
        r"|AUXDATA|ORIGDEV|VERSION|HDRLEN|RESERVE|TX_RING|LOSS|VNET_HDR|TX_TIMESTAMP|TIMESTAMP"
        r"|FANOUT|TX_HAS_OFF|QDISC_BYPASS|ROLLOVER_STATS|FANOUT_DATA|IGNORE_OUTGOING)",
    ),
    _spec(
        "SOCK_NETLINK",
        "linux/netlink.h",
        r"NETLINK_(ADD_MEMBERSHIP|DROP_MEMBERSHIP|PKTINFO|BROADCAST_ERROR|NO_ENOBUFS|RX_RING"
        r"|TX_RING|LISTEN_ALL_NSID|LIST_MEMBERSHIPS|CAP_ACK|EXT_ACK|GET_STRICT_CHK)",
    ),
    _spec(
        "SOCK_TIPC",
        "linux/tipc.h",
        r"TIPC_(IMPORTANCE|SRC_DROPPABLE|DEST_DROPPABLE|CONN_TIMEOUT|NODE_RECVQ_DEPTH"
        r"|SOCK_RECVQ_DEPTH|MCAST_BROADCAST|MCAST_REPLICAST|GROUP_JOIN|GROUP_LEAVE"
        r"|SOCK_RECVQ_USED|NODELAY)",
    ),
    # Option values: SO_TXREHASH's, a packet_mreq's type, ICMP_FILTER's bits.
    _spec("SOCK_TXREHASH", "linux/socket.h", r"SOCK_TXREHASH_\w+"),
    _spec("PACKET_MR", "linux/if_packet.h", r"PACKET_MR_(MULTICAST|PROMISC|ALLMULTI|UNICAST)"),
    _spec(
        "ICMP_FILTER_BITS",
        "linux/icmp.h",
        r"ICMP_(ECHOREPLY|DEST_UNREACH|SOURCE_QUENCH|REDIRECT|ECHO|TIME_EXCEEDED|PARAMETERPROB"
        r"|TIMESTAMP|TIMESTAMPREPLY|INFO_REQUEST|INFO_REPLY|ADDRESS|ADDRESSREPLY)",
    ),
    # The unsuffixed names are aliases of _OLD or _NEW by the size of time_t: strace
    # prints the suffixed names.
    _spec(
        "SO",
        "asm/socket.h",
        r"SO_\w+",
        exclude=r"SO_(TIMESTAMP|TIMESTAMPNS|TIMESTAMPING|RCVTIMEO|SNDTIMEO)",
    ),
    _spec("SHUTDOWN", "sys/socket.h", r"SHUT_(RD|WR|RDWR)"),
    # A control message's type at SOL_SOCKET (glibc defines the first two as an enum),
    # and at SOL_IP, as strace 6.1 names them (its scmvals and ip_cmsg_types).
    _spec(
        "SCM",
        "sys/socket.h asm/socket.h",
        r"SCM_(RIGHTS|CREDENTIALS|TIMESTAMPING_OPT_STATS|TIMESTAMPING_PKTINFO)"
        r"|SO_(WIFI_STATUS|TXTIME|TIMESTAMP_OLD|TIMESTAMPNS_OLD|TIMESTAMPING_OLD|TIMESTAMP_NEW"
        r"|TIMESTAMPNS_NEW|TIMESTAMPING_NEW)",
        unexported=(("SCM_SECURITY", 3, "include/linux/socket.h"),),
    ),
    _spec(
        "IP_CMSG",
        "linux/in.h",
        r"IP_(TOS|TTL|RECVOPTS|RETOPTS|PKTINFO|RECVERR|ORIGDSTADDR|CHECKSUM)",
        unexported=(("SCM_SECURITY", 3, "include/linux/socket.h"),),
    ),
    # --- calls' own flag sets and commands (strace 6.1's xlat lists) -------------------
    _spec("DELETE_MODULE", "fcntl.h", r"O_(NONBLOCK|TRUNC)", first=("O_NONBLOCK",)),
    _spec(
        "EFD",
        "sys/eventfd.h",
        r"EFD_(SEMAPHORE|CLOEXEC|NONBLOCK)",
        first=("EFD_SEMAPHORE", "EFD_CLOEXEC"),
    ),
    _spec("MODULE_INIT", "linux/module.h", r"MODULE_INIT_\w+"),
    _spec("MEMFD_SECRET", "fcntl.h", r"O_CLOEXEC"),
    _spec("MQ_FLAGS", "fcntl.h", r"O_NONBLOCK"),
    _spec("SIGEV", "signal.h", r"SIGEV_(SIGNAL|NONE|THREAD|THREAD_ID)"),
    _spec("DT", "dirent.h", r"DT_(UNKNOWN|FIFO|CHR|DIR|BLK|REG|LNK|SOCK|WHT)", order="header"),
    _spec("NAME_TO_HANDLE_AT", "linux/fcntl.h", r"AT_(SYMLINK_FOLLOW|EMPTY_PATH)"),
    _spec(
        "MOUNT_SETATTR", "linux/fcntl.h", r"AT_(SYMLINK_NOFOLLOW|NO_AUTOMOUNT|EMPTY_PATH|RECURSIVE)"
    ),
    _spec(
        "IOCB_CMD",
        "linux/aio_abi.h",
        r"IOCB_CMD_\w+",
        source="enum:",
        unexported=(("IOCB_CMD_PREADX", 4, "linux/aio_abi.h (its comment: removed)"),),
    ),
    _spec("IOCB_FLAG", "linux/aio_abi.h", r"IOCB_FLAG_(RESFD|IOPRIO)"),
    # open's flags in strace's order (a flag is named by the first entry it covers:
    # O_SYNC, then __O_SYNC, the part of it without O_DSYNC).
    _spec(
        "OPEN_FLAGS",
        "linux/fcntl.h",
        r"O_(CREAT|EXCL|NOCTTY|TRUNC|APPEND|NONBLOCK|SYNC|DSYNC|DIRECT|LARGEFILE|NOFOLLOW"
        r"|NOATIME|CLOEXEC|PATH|TMPFILE|DIRECTORY)|__O_(SYNC|TMPFILE)|FASYNC",
        first=(
            "O_CREAT",
            "O_EXCL",
            "O_NOCTTY",
            "O_TRUNC",
            "O_APPEND",
            "O_NONBLOCK",
            "O_SYNC",
            "__O_SYNC",
            "O_DSYNC",
            "O_DIRECT",
            "O_LARGEFILE",
            "O_NOFOLLOW",
            "O_NOATIME",
            "O_CLOEXEC",
            "O_PATH",
            "O_TMPFILE",
            "__O_TMPFILE",
            "O_DIRECTORY",
            "FASYNC",
        ),
    ),
    _spec("LOCK_TYPES", "linux/fcntl.h", r"F_(RDLCK|WRLCK|UNLCK|EXLCK|SHLCK)"),
    _spec("F_OWNER", "linux/fcntl.h", r"F_OWNER_(TID|PID|PGRP)"),
    _spec("DN", "linux/fcntl.h", r"DN_\w+"),
    _spec("F_SEAL", "linux/fcntl.h", r"F_SEAL_\w+"),
    _spec(
        "PIDTYPE",
        "linux/prctl.h",
        r"(?!)",
        unexported=(
            ("PIDTYPE_PID", 0, "include/linux/pid_types.h"),
            ("PIDTYPE_TGID", 1, "include/linux/pid_types.h"),
            ("PIDTYPE_PGID", 2, "include/linux/pid_types.h"),
            ("PIDTYPE_SID", 3, "include/linux/pid_types.h"),
        ),
    ),
    _spec("PR_SVE_VL", "linux/prctl.h", r"PR_SVE_(SET_VL_ONEXEC|VL_INHERIT)", order="header"),
    _spec("PR_SME_VL", "linux/prctl.h", r"PR_SME_(SET_VL_ONEXEC|VL_INHERIT)", order="header"),
    _spec(
        "UNSHARE",
        "linux/sched.h",
        r"CLONE_(NEWTIME|VM|FS|FILES|SIGHAND|THREAD|NEWNS|SYSVSEM|NEWCGROUP|NEWUTS|NEWIPC"
        r"|NEWUSER|NEWPID|NEWNET)",
    ),
    _spec(
        "SETNS",
        "linux/sched.h",
        r"CLONE_(NEWTIME|NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET)",
    ),
    _spec("UFFD", "linux/userfaultfd.h fcntl.h", r"UFFD_USER_MODE_ONLY|O_NONBLOCK|O_CLOEXEC"),
    _spec(
        "SWAP",
        "sys/swap.h",
        r"SWAP_FLAG_(PREFER|DISCARD)",
        unexported=(
            ("SWAP_FLAG_DISCARD_ONCE", 0x20000, "include/linux/swap.h"),
            ("SWAP_FLAG_DISCARD_PAGES", 0x40000, "include/linux/swap.h"),
        ),
    ),
    _spec("SEMOP_FLAGS", "sys/sem.h", r"SEM_UNDO|IPC_NOWAIT", first=("SEM_UNDO",)),
    _spec("FSMOUNT", "linux/mount.h", r"FSMOUNT_CLOEXEC"),
    _spec(
        "FSMOUNT_ATTR",
        "linux/mount.h",
        r"MOUNT_ATTR_(RDONLY|NOSUID|NODEV|NOEXEC|NOATIME|STRICTATIME|NODIRATIME)",
    ),
    _spec(
        "MS",
        "linux/mount.h",
        r"MS_(RDONLY|NOSUID|NODEV|NOEXEC|SYNCHRONOUS|REMOUNT|MANDLOCK|DIRSYNC|NOSYMFOLLOW"
        r"|NOATIME|NODIRATIME|BIND|MOVE|REC|SILENT|POSIXACL|UNBINDABLE|PRIVATE|SLAVE|SHARED"
        r"|RELATIME|KERNMOUNT|I_VERSION|STRICTATIME|LAZYTIME|SUBMOUNT|NOREMOTELOCK|NOSEC|BORN"
        r"|ACTIVE|NOUSER)",
    ),
    _spec("MS_MGC", "linux/mount.h", r"MS_MGC_(VAL|MSK)"),
    _spec(
        "MOUNT_ATTR",
        "linux/mount.h",
        r"MOUNT_ATTR_(RDONLY|NOSUID|NODEV|NOEXEC|NOATIME|STRICTATIME|NODIRATIME|IDMAP"
        r"|NOSYMFOLLOW)",
    ),
    _spec(
        "MOUNT_PROPAGATION",
        "linux/mount.h",
        r"MS_(UNBINDABLE|PRIVATE|SLAVE|SHARED)",
        order="header",
    ),
    _spec("FSOPEN", "linux/mount.h", r"FSOPEN_CLOEXEC"),
    _spec("FSPICK", "linux/mount.h", r"FSPICK_\w+"),
    _spec(
        "OPEN_TREE",
        "linux/mount.h linux/fcntl.h",
        r"OPEN_TREE_(CLONE|CLOEXEC)"
        r"|AT_(SYMLINK_NOFOLLOW|REMOVEDIR|SYMLINK_FOLLOW|NO_AUTOMOUNT|EMPTY_PATH|RECURSIVE)",
        first=("OPEN_TREE_CLONE", "OPEN_TREE_CLOEXEC"),
    ),
    _spec("MOVE_MOUNT", "linux/mount.h", r"MOVE_MOUNT_\w+", exclude=r"MOVE_MOUNT__MASK"),
    _spec(
        "INOTIFY",
        "linux/inotify.h",
        r"IN_\w+",
        exclude=r"IN_(ALL_EVENTS|CLOSE|MOVE|CLOEXEC|NONBLOCK)",
    ),
    _spec("KEXEC_FILE", "linux/kexec.h", r"KEXEC_FILE_\w+"),
    _spec("FAN_CLASS", "linux/fanotify.h", r"FAN_CLASS_(NOTIF|CONTENT|PRE_CONTENT)"),
    _spec(
        "FAN_INIT",
        "linux/fanotify.h",
        r"FAN_(CLOEXEC|NONBLOCK|UNLIMITED_QUEUE|UNLIMITED_MARKS|ENABLE_AUDIT|REPORT_PIDFD"
        r"|REPORT_TID|REPORT_FID|REPORT_DIR_FID|REPORT_NAME|REPORT_TARGET_FID)",
    ),
    _spec("KEXEC_ARCH", "linux/kexec.h", r"KEXEC_ARCH_\w+", exclude=r"KEXEC_ARCH_MASK"),
    _spec("KEXEC_LOAD", "linux/kexec.h", r"KEXEC_(ON_CRASH|PRESERVE_CONTEXT)"),
    _spec("LANDLOCK_CREATE", "linux/landlock.h", r"LANDLOCK_CREATE_RULESET_VERSION"),
    _spec("LANDLOCK_ACCESS_FS", "linux/landlock.h", r"LANDLOCK_ACCESS_FS_\w+"),
    _spec("LANDLOCK_RULE", "linux/landlock.h", r"LANDLOCK_RULE_\w+", source="enum:"),
    _spec(
        "PKEY_ACCESS",
        "linux/mman.h",
        r"PKEY_DISABLE_(ACCESS|WRITE)",
        unexported=(("PKEY_DISABLE_EXECUTE", 4, "arch/powerpc/include/uapi/asm/mman.h"),),
    ),
    _spec("RWF", "linux/fs.h", r"RWF_\w+", exclude=r"RWF_SUPPORTED"),
    _spec("SPLICE", "fcntl.h", r"SPLICE_F_\w+"),
    _spec("UMOUNT", "sys/mount.h", r"MNT_(FORCE|DETACH|EXPIRE)|UMOUNT_NOFOLLOW"),
    _spec("CLOSE_RANGE", "linux/close_range.h", r"CLOSE_RANGE_\w+"),
    _spec("TFD", "sys/timerfd.h", r"TFD_(CLOEXEC|NONBLOCK)", first=("TFD_CLOEXEC",)),
    _spec("TFD_TIMER", "sys/timerfd.h", r"TFD_TIMER_\w+"),
    _spec(
        "MEMBARRIER_CMD",
        "linux/membarrier.h",
        r"MEMBARRIER_CMD_\w+",
        source="enum:",
        exclude=r"MEMBARRIER_CMD_(SHARED|FLAG_CPU)",
    ),
    _spec("MEMBARRIER_FLAGS", "linux/membarrier.h", r"MEMBARRIER_CMD_FLAG_CPU", source="enum:"),
    _spec("FSCONFIG", "linux/mount.h", r"FSCONFIG_\w+", source="enum:"),
    _spec("IOPRIO_WHO", "linux/ioprio.h", r"IOPRIO_WHO_\w+", source="enum:"),
    _spec("IOPRIO_CLASS", "linux/ioprio.h", r"IOPRIO_CLASS_\w+", source="enum:"),
    _spec("ITIMER", "sys/time.h", r"ITIMER_(REAL|VIRTUAL|PROF)"),
    _spec("PRIO_WHICH", "sys/resource.h", r"PRIO_(PROCESS|PGRP|USER)"),
    _spec(
        "RUSAGE_WHO",
        "linux/resource.h",
        r"RUSAGE_\w+",
        first=("RUSAGE_SELF", "RUSAGE_CHILDREN", "RUSAGE_BOTH"),
    ),
    # --- files and descriptors ----------------------------------------------------------
    _spec("RESOLVE", "linux/openat2.h", r"RESOLVE_\w+"),
    # struct statfs: f_type's file system magic numbers (the header's strings left out)
    # and f_flags, glibc's ST_* less the three it takes from mount's flags, ST_VALID
    # (the kernel's mark that f_flags is filled) first as strace prints it.
    _spec("FSMAGIC", "linux/magic.h", r"[A-Z0-9]\w*_MAGIC\w*", exclude=r"\w+_STRING"),
    _spec(
        "STATFS_FLAGS",
        "sys/statvfs.h",
        r"ST_\w+",
        exclude=r"ST_(WRITE|APPEND|IMMUTABLE)",
        first=("ST_VALID",),
        unexported=(
            ("ST_VALID", 0x20, "include/linux/statfs.h"),
            ("ST_NOSYMFOLLOW", 0x2000, "include/linux/statfs.h"),
        ),
    ),
    _spec("PERF_FLAGS", "linux/perf_event.h", r"PERF_FLAG_\w+"),
    _spec(
        "FAN_MARK",
        "linux/fanotify.h",
        r"FAN_MARK_\w+",
        exclude=r"FAN_MARK_(INODE|TYPE_MASK|IGNORE_SURV)",
    ),
    _spec("FLOCK", "linux/fcntl.h", r"LOCK_(SH|EX|NB|UN|MAND|READ|WRITE|RW)"),
    _spec("SYNC_FILE_RANGE", "linux/fs.h", r"SYNC_FILE_RANGE_(WAIT_BEFORE|WRITE|WAIT_AFTER)"),
    _spec("FALLOC", "linux/falloc.h", r"FALLOC_FL_\w+"),
    _spec("MFD", "linux/memfd.h", r"MFD_(CLOEXEC|ALLOW_SEALING|HUGETLB|NOEXEC_SEAL|EXEC)"),
    _spec("RENAME", "linux/fs.h", r"RENAME_\w+"),
    _spec("XATTR", "linux/xattr.h", r"XATTR_(CREATE|REPLACE)"),
    _spec("IN_INIT", "linux/inotify.h", r"IN_(CLOEXEC|NONBLOCK)"),
    _spec("PIDFD_OPEN", "linux/pidfd.h", r"PIDFD_NONBLOCK"),
    _spec(
        "POLL",
        "sys/poll.h",
        r"POLL(IN|PRI|OUT|ERR|HUP|NVAL|RDNORM|RDBAND|WRNORM|WRBAND|MSG|REMOVE|RDHUP)",
    ),
    # --- signals ------------------------------------------------------------------------
    # strace's order: the high bits first, as its sigact_flags lists them; the aliases
    # (SA_NOMASK, SA_ONESHOT) and the bits only the kernel reports are not printed.
    _spec(
        "SA_FLAGS",
        "asm/signal.h",
        r"SA_\w+",
        exclude=r"SA_(NOMASK|ONESHOT|UNSUPPORTED|EXPOSE_TAGBITS)",
        first=(
            "SA_RESTORER",
            "SA_ONSTACK",
            "SA_RESTART",
            "SA_NODEFER",
            "SA_RESETHAND",
            "SA_SIGINFO",
        ),
    ),
    _spec("SIGPROCMASK_HOW", "asm/signal.h", r"SIG_(BLOCK|UNBLOCK|SETMASK)"),
    _spec("SIG_HANDLERS", "asm/signal.h", r"SIG_(DFL|IGN|ERR)"),
    _spec("SFD_FLAGS", "linux/signalfd.h", r"SFD_(CLOEXEC|NONBLOCK)", first=("SFD_CLOEXEC",)),
    _spec("SS_FLAGS", "linux/signal.h", r"SS_(ONSTACK|DISABLE|AUTODISARM)"),
    # si_code: the codes any signal may carry, then each signal's own (asm-generic/siginfo.h)
    _spec(
        "SI_CODES",
        "linux/signal.h",
        r"SI_(USER|KERNEL|QUEUE|TIMER|MESGQ|ASYNCIO|SIGIO|TKILL|DETHREAD|ASYNCNL)",
    ),
    *(
        _spec(f"{prefix}_CODES", "linux/signal.h", rf"{prefix}_[A-Z_]+", exclude=r"\w+_FLAG_\w+")
        for prefix in ("ILL", "FPE", "SEGV", "BUS", "TRAP", "CLD", "POLL", "SYS")
    ),
    _spec("IDTYPE", "linux/wait.h", r"P_(ALL|PID|PGID|PIDFD)"),
    # --- clocks, polling, futexes ------------------------------------------------------------
    _spec(
        "FUTEX_COMMANDS",
        "linux/futex.h",
        r"FUTEX_(WAIT|WAKE|FD|REQUEUE|CMP_REQUEUE|WAKE_OP|LOCK_PI|UNLOCK_PI|TRYLOCK_PI|WAIT_BITSET"
        r"|WAKE_BITSET|WAIT_REQUEUE_PI|CMP_REQUEUE_PI|LOCK_PI2)(_PRIVATE)?",
    ),
    _spec("FUTEX_OP_FLAGS", "linux/futex.h", r"FUTEX_(PRIVATE_FLAG|CLOCK_REALTIME|CMD_MASK)"),
    _spec("FUTEX_WAKE_OPS", "linux/futex.h", r"FUTEX_OP_(SET|ADD|OR|ANDN|XOR|OPARG_SHIFT)"),
    _spec("FUTEX_WAKE_CMPS", "linux/futex.h", r"FUTEX_OP_CMP_\w+"),
    _spec("FUTEX_WAITER_FLAGS", "linux/futex.h", r"FUTEX_(32|PRIVATE_FLAG)"),
    _spec("FUTEX_LIMITS", "linux/futex.h", r"FUTEX_WAITV_MAX"),
    _spec("FUTEX_BITSET", "linux/futex.h", r"FUTEX_BITSET_MATCH_ANY", cast="unsigned int"),
    _spec("CLOCKS", "linux/time.h", r"CLOCK_\w+", exclude=r"CLOCKS_\w+"),
    # adjtimex's struct timex and its result (strace's adjtimex_* xlats): the two
    # offset modes that are several bits are named ahead of those bits.
    _spec(
        "ADJTIMEX_MODES",
        "linux/timex.h",
        r"ADJ_\w+",
        first=("ADJ_OFFSET_SS_READ", "ADJ_OFFSET_SINGLESHOT"),
    ),
    _spec("ADJTIMEX_STATUS", "linux/timex.h", r"STA_\w+", exclude=r"STA_RONLY"),
    _spec("ADJTIMEX_STATE", "linux/timex.h", r"TIME_(OK|INS|DEL|OOP|WAIT|ERROR)"),
    _spec("EPOLL_EVENTS", "linux/eventpoll.h", r"EPOLL(?!_)\w+"),
    _spec("EPOLL_CTL", "linux/eventpoll.h", r"EPOLL_CTL_\w+"),
    _spec("EPOLL_CREATE", "linux/eventpoll.h", r"EPOLL_CLOEXEC"),
    # --- tasks: clone3, scheduling -----------------------------------------------------------
    _spec("CLONE3_FLAGS", "linux/sched.h", r"CLONE_(NEWTIME|CLEAR_SIGHAND|INTO_CGROUP)"),
    _spec(
        "SCHED_POLICIES",
        "linux/sched.h",
        r"SCHED_(NORMAL|FIFO|RR|BATCH|IDLE|DEADLINE)",
        renames={"SCHED_NORMAL": "SCHED_OTHER"},  # glibc's name, which strace prints
    ),
    _spec(
        "SCHED_FLAGS",
        "linux/sched.h",
        r"SCHED_FLAG_\w+",
        exclude=r"SCHED_FLAG_(KEEP_ALL|UTIL_CLAMP|ALL)",
    ),
    # --- process, security, kernel objects -----------------------------------------------
    _spec("PRCTL", "linux/prctl.h", r"PR_\w+", source="lines:linux/prctl.h"),
    # prctl's arguments, indented under their options in prctl.h
    *(
        _spec(name, "linux/prctl.h", pattern, source="indented:linux/prctl.h")
        for name, pattern in (
            ("PR_UNALIGN", r"PR_UNALIGN_\w+"),
            ("PR_TSC", r"PR_TSC_\w+"),
            ("PR_MCE_KILL_OPS", r"PR_MCE_KILL_(CLEAR|SET)"),
            ("PR_MCE_KILL_POLICY", r"PR_MCE_KILL_(LATE|EARLY|DEFAULT)"),
            ("PR_SET_MM", r"PR_SET_MM_\w+"),
            ("PR_CAP_AMBIENT_OPS", r"PR_CAP_AMBIENT_\w+"),
            ("PR_SET_VMA_ATTRS", r"PR_SET_VMA_\w+"),
            ("PR_SYS_DISPATCH", r"PR_SYS_DISPATCH_\w+"),
            ("PR_SCHED_CORE_OPS", r"PR_SCHED_CORE_(GET|CREATE|SHARE_TO|SHARE_FROM)"),
            ("PR_SPEC_MISFEATURES", r"PR_SPEC_(STORE_BYPASS|INDIRECT_BRANCH|L1D_FLUSH)"),
            ("PR_FP_MODE", r"PR_FP_MODE_\w+"),
            ("PR_PAC_KEYS", r"PR_PAC_AP\w+KEY"),
        )
    ),
    _spec("CAPABILITIES", "linux/capability.h", r"CAP_\w+", exclude=r"CAP_LAST_CAP"),
    _spec("SECBITS", "linux/securebits.h", r"SECBIT_\w+"),
    _spec("SECCOMP_MODE", "linux/seccomp.h", r"SECCOMP_MODE_\w+"),
    _spec("SECCOMP_OP", "linux/seccomp.h", r"SECCOMP_(SET_MODE_STRICT|SET_MODE_FILTER|GET_\w+)"),
    _spec("SECCOMP_FILTER_FLAGS", "linux/seccomp.h", r"SECCOMP_FILTER_FLAG_\w+"),
    _spec(
        "SECCOMP_RET",
        "linux/seccomp.h",
        r"SECCOMP_RET_\w+",
        exclude=r"SECCOMP_RET_(ACTION|ACTION_FULL|DATA)",
    ),
    _spec("BPF_CMD", "linux/bpf.h", r"BPF_\w+", source="enum:bpf_cmd"),
    # io_uring: strace 6.1 knows the names up to linux 6.0's; those 6.1 added (the
    # SYNC_CANCEL and FILE_ALLOC_RANGE opcodes, SEND_ZC, SINGLE_ISSUER...) it prints
    # as unknown, and so do we.
    _spec(
        "IORING_REGISTER",
        "linux/io_uring.h",
        r"IORING_(UN)?REGISTER_\w+",
        source="enum:",
        exclude=r"IORING_REGISTER_(LAST|USE_REGISTERED_RING|SYNC_CANCEL|FILE_ALLOC_RANGE)",
    ),
    _spec(
        "IORING_OPS",
        "linux/io_uring.h",
        r"IORING_OP_\w+",
        source="enum:io_uring_op",
        exclude=r"IORING_OP_(LAST|SEND_ZC|SENDMSG_ZC)",
    ),
    _spec(
        "IORING_SETUP",
        "linux/io_uring.h",
        r"IORING_SETUP_\w+",
        exclude=r"IORING_SETUP_(SINGLE_ISSUER|DEFER_TASKRUN)",
    ),
    _spec("IORING_FEAT", "linux/io_uring.h", r"IORING_FEAT_\w+"),
    _spec("IORING_ENTER", "linux/io_uring.h", r"IORING_ENTER_\w+"),
    _spec("IOSQE", "linux/io_uring.h", r"IOSQE_\w+"),
    _spec("IORING_RSRC_REGISTER", "linux/io_uring.h", r"IORING_RSRC_REGISTER_\w+"),
    _spec("IORING_FILES_UPDATE_FDS", "linux/io_uring.h", r"IORING_REGISTER_FILES_SKIP"),
    _spec("IO_URING_OP_FLAGS", "linux/io_uring.h", r"IO_URING_OP_\w+"),
    _spec(
        "IORING_RESTRICTION",
        "linux/io_uring.h",
        r"IORING_RESTRICTION_\w+",
        source="enum:",
        exclude=r"IORING_RESTRICTION_LAST",
    ),
    _spec("IO_WQ", "linux/io_uring.h", r"IO_WQ_(BOUND|UNBOUND)", source="enum:"),
    _spec(
        "KEYCTL",
        "linux/keyctl.h",
        r"KEYCTL_\w+",
        source="lines:linux/keyctl.h",
        exclude=r"KEYCTL_(SUPPORTS_\w+|CAPS\w+|MOVE_EXCL)",
    ),
    _spec("KEY_SPEC", "linux/keyctl.h", r"KEY_SPEC_\w+"),
    _spec("QUOTA_CMDS", "linux/quota.h linux/dqblk_xfs.h", r"Q_\w+"),
    _spec("QUOTA_TYPES", "linux/quota.h", r"(USR|GRP|PRJ)QUOTA"),
    # --- ptrace ----------------------------------------------------------------------------
    # The requests: linux/ptrace.h's and the arch's (asm/ptrace-abi.h), not the option,
    # event and syscall-info values the same prefix names; strace spells two otherwise.
    _spec(
        "PTRACE_REQUESTS",
        "linux/ptrace.h asm/ptrace.h",
        r"PTRACE_\w+",
        exclude=r"PTRACE_(O_\w+|EVENT_\w+|EVENTMSG_\w+|SYSCALL_INFO_\w+|PEEKSIGINFO_SHARED)",
        renames={"PTRACE_PEEKUSR": "PTRACE_PEEKUSER", "PTRACE_POKEUSR": "PTRACE_POKEUSER"},
    ),
    _spec("PTRACE_OPTIONS", "linux/ptrace.h", r"PTRACE_O_\w+", exclude=r"PTRACE_O_MASK"),
    _spec("PTRACE_PEEKSIGINFO_FLAGS", "linux/ptrace.h", r"PTRACE_PEEKSIGINFO_SHARED"),
    _spec("PTRACE_SYSCALL_INFO_OPS", "linux/ptrace.h", r"PTRACE_SYSCALL_INFO_\w+"),
    # A core note's type (PTRACE_GETREGSET's addr): glibc's elf.h has strace's names
    # (NT_FPREGSET where the kernel's says NT_PRFPREG); the GNU notes share the values.
    _spec(
        "NT_TYPES",
        "elf.h",
        r"NT_\w+",
        exclude=r"NT_(PRFPREG|TASKSTRUCT|VERSION|GNU_\w+|FDO_\w+)",
    ),
    _spec("AUDIT_ARCHES", "linux/audit.h", r"AUDIT_ARCH_\w+", cast="unsigned int"),
    # --- personality, kcmp ------------------------------------------------------------------
    # A persona's type is its low byte (PER_MASK); the PER_* names that also set flag
    # bits are printed by strace as the type they share the byte with.
    _spec(
        "PERSONALITY_TYPES",
        "linux/personality.h",
        r"PER_\w+",
        source="enum:",
        exclude=r"PER_(MASK|LINUX_32BIT|LINUX_FDPIC|OSR5|SUNOS|LINUX32_3GB)",
        cast="unsigned char",
    ),
    _spec(
        "PERSONALITY_FLAGS",
        "linux/personality.h",
        r"UNAME26|ADDR_NO_RANDOMIZE|FDPIC_FUNCPTRS|MMAP_PAGE_ZERO|ADDR_COMPAT_LAYOUT"
        r"|READ_IMPLIES_EXEC|ADDR_LIMIT_32BIT|SHORT_INODE|WHOLE_SECONDS|STICKY_TIMEOUTS"
        r"|ADDR_LIMIT_3GB",
        source="enum:",
    ),
    # --- struct user: PTRACE_PEEKUSER's and POKEUSER's offsets, as strace names them --------
    # (x86_64: the registers by sys/reg.h's word numbers up to SS, then the other members)
    _spec(
        "USER_REGS_OFFSETS",
        "sys/reg.h",
        r"R15|R14|R13|R12|RBP|RBX|R11|R10|R9|R8|RAX|RCX|RDX|RSI|RDI|ORIG_RAX|RIP|CS|EFLAGS|RSP|SS",
        renames={"EFLAGS": "EFL"},
        label="8*{}",
        scale=8,
    ),
    _spec(
        "USER_FIELD_OFFSETS",
        "stddef.h sys/user.h",
        "u_fpvalid|i387|u_tsize|u_dsize|u_ssize|start_code|start_stack|signal|reserved|u_ar0"
        "|u_fpstate|magic|u_comm|u_debugreg",
        source="offsetof:struct user",
        label="offsetof(struct user, {})",
    ),
    _spec("USER_SIZE", "sys/user.h", "struct user", source="sizeof", label="sizeof({})"),
    # --- classic BPF instructions (seccomp filters, socket filters) ----------------------
    # An instruction's code packs a class, then by class a size and mode, a source and
    # an operation, a return value's source, or a misc operation; names share values.
    *(
        _spec(name, "linux/filter.h linux/bpf.h", pattern)
        for name, pattern in (
            ("BPF_CLASSES", r"BPF_(LD|LDX|ST|STX|ALU|JMP|RET|MISC)"),
            ("BPF_SIZES", r"BPF_(W|H|B|DW)"),
            ("BPF_MODES", r"BPF_(IMM|ABS|IND|MEM|LEN|MSH|XADD)"),
            ("BPF_SRCS", r"BPF_(K|X)"),
            ("BPF_ALU_OPS", r"BPF_(ADD|SUB|MUL|DIV|OR|AND|LSH|RSH|NEG|MOD|XOR|MOV|ARSH|END)"),
            (
                "BPF_JMP_OPS",
                r"BPF_(JA|JEQ|JGT|JGE|JSET|JNE|JSGT|JSGE|CALL|EXIT|JLT|JLE|JSLT|JSLE)",
            ),
            ("BPF_RVALS", r"BPF_(K|X|A)"),
            ("BPF_MISCOPS", r"BPF_(TAX|TXA)"),
        )
    ),
    # A socket filter's special offsets (SKF_AD_OFF + SKF_AD_*, SKF_NET_OFF, SKF_LL_OFF).
    _spec("SKF_OFFSETS", "linux/filter.h", r"SKF_(AD|NET|LL)_OFF"),
    _spec("SKF_AD", "linux/filter.h", r"SKF_AD_\w+", exclude=r"SKF_AD_(OFF|MAX)"),
    _spec(
        "KCMP_TYPES", "linux/kcmp.h", r"KCMP_\w+", source="enum:kcmp_type", exclude=r"KCMP_TYPES"
    ),
    # --- misc17: prctl, quotactl, NUMA, memfd, fanotify and keyctl names ---------------------
    _spec("PR_VL_LEN_MASK", "linux/prctl.h", r"PR_S(VE|ME)_VL_LEN_MASK"),
    _spec("PR_TAGGED_ADDR", "linux/prctl.h", r"PR_TAGGED_ADDR_ENABLE"),
    _spec("PR_MTE_TCF", "linux/prctl.h", r"PR_MTE_TCF_(NONE|SYNC|ASYNC|MASK)"),
    _spec("PR_MTE_TAG", "linux/prctl.h", r"PR_MTE_TAG_(SHIFT|MASK)"),
    _spec(
        "SUID_DUMP",
        "linux/prctl.h",
        r"(?!)",
        unexported=(
            ("SUID_DUMP_DISABLE", 0, "include/linux/sched/coredump.h"),
            ("SUID_DUMP_USER", 1, "include/linux/sched/coredump.h"),
            ("SUID_DUMP_ROOT", 2, "include/linux/sched/coredump.h"),
        ),
    ),
    _spec("QUOTA_FORMATS", "linux/quota.h", r"QFMT_(VFS_OLD|VFS_V0|OCFS2|VFS_V1)"),
    _spec("QUOTA_XFS_FLAGS", "linux/dqblk_xfs.h", r"FS_QUOTA_[UGP]DQ_(ACCT|ENFD)"),
    _spec("QUOTA_XFS_TYPES", "linux/dqblk_xfs.h", r"FS_(USER|PROJ|GROUP)_QUOTA", order="header"),
    _spec("QUOTA_DQBLK_VALID", "linux/quota.h", r"QIF_(BLIMITS|SPACE|ILIMITS|INODES|BTIME|ITIME)"),
    _spec("QUOTA_DQINFO_FLAGS", "linux/quota.h", r"DQF_(ROOT_SQUASH|SYS_FILE)"),
    _spec("QUOTA_DQINFO_VALID", "linux/quota.h", r"IIF_(BGRACE|IGRACE|FLAGS)"),
    _spec("MOVE_PAGES", "linux/mempolicy.h", r"MPOL_MF_(MOVE|MOVE_ALL)"),
    _spec("MFD_HUGE", "linux/memfd.h", r"MFD_HUGE_(SHIFT|MASK)"),
    _spec(
        "FAN_EVENTS",
        "linux/fanotify.h",
        r"FAN_(ACCESS|MODIFY|ATTRIB|CLOSE_WRITE|CLOSE_NOWRITE|OPEN|MOVED_FROM|MOVED_TO|CREATE"
        r"|DELETE|DELETE_SELF|MOVE_SELF|OPEN_EXEC|Q_OVERFLOW|FS_ERROR|OPEN_PERM|ACCESS_PERM"
        r"|OPEN_EXEC_PERM|ONDIR|EVENT_ON_CHILD|RENAME)",
        unexported=(("FAN_DIR_MODIFY", 0x80000, "include/uapi/linux/fanotify.h of Linux 5.7"),),
    ),
    _spec("KEY_REQKEY", "linux/keyctl.h", r"KEY_REQKEY_DEFL_\w+"),
    _spec("KEYCTL_CAPS0", "linux/keyctl.h", r"KEYCTL_CAPS0_\w+"),
    _spec("KEYCTL_CAPS1", "linux/keyctl.h", r"KEYCTL_CAPS1_\w+"),
    _spec("KEYCTL_MOVE_FLAGS", "linux/keyctl.h", r"KEYCTL_MOVE_EXCL"),
    _spec("KEYCTL_PKEY_OPS", "linux/keyctl.h", r"KEYCTL_SUPPORTS_\w+"),
    # A key's permissions: possessor, user, group, other, each the six rights and all.
    _spec(
        "KEY_PERMS",
        "linux/keyctl.h",
        r"(?!)",
        order="header",
        unexported=(
            ("KEY_POS_VIEW", 0x1000000, "include/linux/key.h"),
            ("KEY_POS_READ", 0x2000000, "include/linux/key.h"),
            ("KEY_POS_WRITE", 0x4000000, "include/linux/key.h"),
            ("KEY_POS_SEARCH", 0x8000000, "include/linux/key.h"),
            ("KEY_POS_LINK", 0x10000000, "include/linux/key.h"),
            ("KEY_POS_SETATTR", 0x20000000, "include/linux/key.h"),
            ("KEY_POS_ALL", 0x3F000000, "include/linux/key.h"),
            ("KEY_USR_VIEW", 0x10000, "include/linux/key.h"),
            ("KEY_USR_READ", 0x20000, "include/linux/key.h"),
            ("KEY_USR_WRITE", 0x40000, "include/linux/key.h"),
            ("KEY_USR_SEARCH", 0x80000, "include/linux/key.h"),
            ("KEY_USR_LINK", 0x100000, "include/linux/key.h"),
            ("KEY_USR_SETATTR", 0x200000, "include/linux/key.h"),
            ("KEY_USR_ALL", 0x3F0000, "include/linux/key.h"),
            ("KEY_GRP_VIEW", 0x100, "include/linux/key.h"),
            ("KEY_GRP_READ", 0x200, "include/linux/key.h"),
            ("KEY_GRP_WRITE", 0x400, "include/linux/key.h"),
            ("KEY_GRP_SEARCH", 0x800, "include/linux/key.h"),
            ("KEY_GRP_LINK", 0x1000, "include/linux/key.h"),
            ("KEY_GRP_SETATTR", 0x2000, "include/linux/key.h"),
            ("KEY_GRP_ALL", 0x3F00, "include/linux/key.h"),
            ("KEY_OTH_VIEW", 0x1, "include/linux/key.h"),
            ("KEY_OTH_READ", 0x2, "include/linux/key.h"),
            ("KEY_OTH_WRITE", 0x4, "include/linux/key.h"),
            ("KEY_OTH_SEARCH", 0x8, "include/linux/key.h"),
            ("KEY_OTH_LINK", 0x10, "include/linux/key.h"),
            ("KEY_OTH_SETATTR", 0x20, "include/linux/key.h"),
            ("KEY_OTH_ALL", 0x3F, "include/linux/key.h"),
        ),
    ),
    # --- struct sockaddr's families (strace's sockaddr.c), one block ------------------
    _spec("ADDRESS_FAMILIES", "sys/socket.h", r"AF_\w+", exclude=r"AF_(LOCAL|FILE|ROUTE|MAX)"),
    _spec("ETH_P", "linux/if_ether.h", r"ETH_P_\w+"),  # strace's ethernet_protocols, 802_3_MIN too
    _spec("SOCK_TYPES", "sys/socket.h", r"SOCK_(STREAM|DGRAM|RAW|RDM|SEQPACKET|DCCP|PACKET)"),
    _spec("ARPHRD", "linux/if_arp.h", r"ARPHRD_\w+"),
    _spec(  # net_device_flags, as SIOCGIFFLAGS and rtnetlink's ifi_flags show them
        "IFF_FLAGS",
        "linux/if.h",
        r"IFF_(UP|BROADCAST|DEBUG|LOOPBACK|POINTOPOINT|NOTRAILERS"
        r"|RUNNING|NOARP|PROMISC|ALLMULTI|MASTER|SLAVE|MULTICAST|PORTSEL|AUTOMEDIA|DYNAMIC"
        r"|LOWER_UP|DORMANT|ECHO)",
        source="enum-with:IFF_UP",
    ),
    _spec(
        "PACKET_TYPES",
        "linux/if_packet.h",
        r"PACKET_(HOST|BROADCAST|MULTICAST|OTHERHOST|OUTGOING|LOOPBACK|USER|KERNEL)",
    ),
    _spec(
        "RXRPC_SERVICES",
        "linux/rxrpc.h",
        r"(?!)",
        unexported=(
            ("CM_SERVICE", 1, "fs/afs/afs_cm.h"),
            ("YFS_FS_SERVICE", 2500, "fs/afs/protocol_yfs.h"),
            ("YFS_CM_SERVICE", 2501, "fs/afs/protocol_yfs.h"),
            ("YFS_VL_SERVICE", 2503, "fs/afs/afs_vl.h"),
        ),
    ),
    _spec(
        "IEEE802154_ADDR_TYPES",
        "linux/socket.h",
        r"(?!)",
        unexported=(
            ("IEEE802154_ADDR_NONE", 0, "include/net/af_ieee802154.h"),
            ("IEEE802154_ADDR_SHORT", 2, "include/net/af_ieee802154.h"),
            ("IEEE802154_ADDR_LONG", 3, "include/net/af_ieee802154.h"),
        ),
    ),
    _spec(
        "IEEE802154_ADDRS",
        "linux/socket.h",
        r"(?!)",
        unexported=(
            ("IEEE802154_ADDR_UNDEF", 0xFFFE, "include/linux/ieee802154.h"),
            ("IEEE802154_ADDR_BROADCAST", 0xFFFF, "include/linux/ieee802154.h"),
        ),
    ),
    _spec(
        "IEEE802154_PAN_IDS",
        "linux/socket.h",
        r"(?!)",
        unexported=(("IEEE802154_PANID_BROADCAST", 0xFFFF, "include/linux/ieee802154.h"),),
    ),
    _spec(
        "ALG_SOCKADDR_FLAGS",
        "linux/if_alg.h",
        r"(?!)",
        unexported=(("CRYPTO_ALG_KERN_DRIVER_ONLY", 0x1000, "include/linux/crypto.h"),),
    ),
    _spec("NFC_PROTOCOLS", "linux/nfc.h", r"NFC_PROTO_\w+", exclude=r"NFC_PROTO_(MAX|\w+_MASK)"),
    _spec(
        "NFC_SAPS",
        "linux/nfc.h",
        r"(?!)",
        unexported=(
            ("LLCP_SAP_SDP", 0x1, "net/nfc/llcp.h"),
            ("LLCP_SAP_IP", 0x2, "net/nfc/llcp.h"),
            ("LLCP_SAP_OBEX", 0x3, "net/nfc/llcp.h"),
            ("LLCP_SAP_SNEP", 0x4, "net/nfc/llcp.h"),
            ("LLCP_SAP_MAX", 0xFF, "net/nfc/llcp.h"),
        ),
    ),
    _spec("VSOCK_CIDS", "linux/vm_sockets.h", r"VMADDR_CID_\w+"),
    _spec("VSOCK_PORTS", "linux/vm_sockets.h", r"VMADDR_PORT_ANY"),
    _spec("VSOCK_FLAGS", "linux/vm_sockets.h", r"VMADDR_FLAG_\w+"),
    _spec("QRTR_NODES", "linux/qrtr.h", r"QRTR_NODE_BCAST"),
    _spec("QRTR_PORTS", "linux/qrtr.h", r"QRTR_PORT_CTRL"),
    _spec(
        "XDP_SOCKADDR_FLAGS", "linux/if_xdp.h", r"XDP_(SHARED_UMEM|COPY|ZEROCOPY|USE_NEED_WAKEUP)"
    ),
    _spec("MCTP_ADDRS", "linux/mctp.h", r"MCTP_ADDR_(NULL|ANY)"),
    _spec("MCTP_NETS", "linux/mctp.h", r"MCTP_NET_ANY"),
    # --- perf_event_open's struct perf_event_attr (strace's perf.c) -------------------
    _spec(
        "PERF_TYPES",
        "linux/perf_event.h",
        r"PERF_TYPE_\w+",
        source="enum:perf_type_id",
        exclude=r"PERF_TYPE_MAX",
    ),
    _spec("PERF_ATTR_SIZES", "linux/perf_event.h", r"PERF_ATTR_SIZE_VER\d+"),
    _spec(
        "PERF_HW_IDS",
        "linux/perf_event.h",
        r"PERF_COUNT_HW_\w+",
        source="enum:perf_hw_id",
        exclude=r"PERF_COUNT_HW_MAX",
    ),
    _spec(
        "PERF_HW_CACHE_IDS",
        "linux/perf_event.h",
        r"PERF_COUNT_HW_CACHE_\w+",
        source="enum:perf_hw_cache_id",
        exclude=r"PERF_COUNT_HW_CACHE_MAX",
    ),
    _spec(
        "PERF_HW_CACHE_OPS",
        "linux/perf_event.h",
        r"PERF_COUNT_HW_CACHE_OP_\w+",
        source="enum:perf_hw_cache_op_id",
        exclude=r"PERF_COUNT_HW_CACHE_OP_MAX",
    ),
    _spec(
        "PERF_HW_CACHE_RESULTS",
        "linux/perf_event.h",
        r"PERF_COUNT_HW_CACHE_RESULT_\w+",
        source="enum:perf_hw_cache_op_result_id",
        exclude=r"PERF_COUNT_HW_CACHE_RESULT_MAX",
    ),
    _spec(
        "PERF_SW_IDS",
        "linux/perf_event.h",
        r"PERF_COUNT_SW_\w+",
        source="enum:perf_sw_ids",
        exclude=r"PERF_COUNT_SW_MAX",
    ),
    _spec(
        "PERF_SAMPLE_FORMATS",
        "linux/perf_event.h",
        r"PERF_SAMPLE_\w+",
        source="enum:perf_event_sample_format",
        exclude=r"PERF_SAMPLE_MAX|__\w+",
    ),
    _spec(
        "PERF_READ_FORMATS",
        "linux/perf_event.h",
        r"PERF_FORMAT_\w+",
        source="enum:perf_event_read_format",
        exclude=r"PERF_FORMAT_MAX",
    ),
    _spec(
        "PERF_BRANCH_SAMPLE_TYPES",
        "linux/perf_event.h",
        r"PERF_SAMPLE_BRANCH_\w+",
        source="enum:perf_branch_sample_type",
        exclude=r"PERF_SAMPLE_BRANCH_(MAX|PLM_ALL)",
    ),
    _spec(
        "HW_BREAKPOINT_TYPES",
        "linux/hw_breakpoint.h",
        r"HW_BREAKPOINT_(EMPTY|R|W|RW|X)",
        source="enum:",
    ),
    # --- bpf(2)'s union bpf_attr (strace's bpf.c) --------------------------------------
    _spec("BPF_MAP_TYPES", "linux/bpf.h", r"BPF_MAP_TYPE_\w+", source="enum:bpf_map_type"),
    _spec("BPF_PROG_TYPES", "linux/bpf.h", r"BPF_PROG_TYPE_\w+", source="enum:bpf_prog_type"),
    _spec(
        "BPF_ATTACH_TYPES",
        "linux/bpf.h",
        r"BPF_\w+",
        source="enum:bpf_attach_type",
        exclude=r"__MAX_BPF_ATTACH_TYPE",
    ),
    _spec(
        "BPF_MAP_FLAGS",
        "linux/bpf.h",
        r"BPF_F_(NO_PREALLOC|NO_COMMON_LRU|NUMA_NODE|RDONLY"
        r"|WRONLY|STACK_BUILD_ID|ZERO_SEED|RDONLY_PROG|WRONLY_PROG|CLONE|MMAPABLE"
        r"|PRESERVE_ELEMS|INNER_MAP)",
        source="enum:",
    ),
    _spec(
        "BPF_PROG_FLAGS",
        "linux/bpf.h",
        r"BPF_F_(STRICT_ALIGNMENT|ANY_ALIGNMENT|TEST_RND_HI32|TEST_STATE_FREQ|SLEEPABLE)",
    ),
    _spec("BPF_FILE_MODE_FLAGS", "linux/bpf.h", r"BPF_F_(RDONLY|WRONLY)", source="enum:"),
    _spec("BPF_LOOKUP_FLAGS", "linux/bpf.h", r"BPF_(ANY|F_LOCK)", source="enum:"),
    _spec("BPF_UPDATE_FLAGS", "linux/bpf.h", r"BPF_(ANY|NOEXIST|EXIST|F_LOCK)", source="enum:"),
    _spec("BPF_ATTACH_FLAGS", "linux/bpf.h", r"BPF_F_(ALLOW_OVERRIDE|ALLOW_MULTI|REPLACE)"),
    _spec("BPF_QUERY_FLAGS", "linux/bpf.h", r"BPF_F_QUERY_EFFECTIVE"),
    _spec("BPF_TEST_RUN_FLAGS", "linux/bpf.h", r"BPF_F_(TEST_RUN_ON_CPU|TEST_XDP_LIVE_FRAMES)"),
    _spec("EBPF_CLASSES", "linux/bpf.h", r"BPF_(LD|LDX|ST|STX|ALU|JMP|JMP32|ALU64)"),
    _spec("EBPF_REGS", "linux/bpf.h", r"BPF_REG_\d+", source="enum:"),
    _spec("BPF_KPROBE_MULTI_FLAGS", "linux/bpf.h", r"BPF_F_KPROBE_MULTI_RETURN"),
    _spec("BPF_TASK_FD_TYPES", "linux/bpf.h", r"BPF_FD_TYPE_\w+", source="enum:bpf_task_fd_type"),
    _spec(
        "NUMA_NODE",
        "linux/bpf.h",
        r"(?!)",
        unexported=(("NUMA_NO_NODE", 0xFFFFFFFF, "include/linux/numa.h"),),
    ),
    # --- reboot's magic numbers and commands, syslog's actions and console levels -------
    _spec("REBOOT_MAGIC1", "linux/reboot.h", r"LINUX_REBOOT_MAGIC1"),
    _spec("REBOOT_MAGIC2", "linux/reboot.h", r"LINUX_REBOOT_MAGIC2[ABC]?"),
    _spec("REBOOT_CMD", "linux/reboot.h", r"LINUX_REBOOT_CMD_\w+"),
    _spec(
        "SYSLOG_ACTION",
        "linux/reboot.h",
        r"(?!)",
        unexported=tuple(
            (f"SYSLOG_ACTION_{name}", value, "include/linux/syslog.h")
            for value, name in enumerate(
                (
                    "CLOSE",
                    "OPEN",
                    "READ",
                    "READ_ALL",
                    "READ_CLEAR",
                    "CLEAR",
                    "CONSOLE_OFF",
                    "CONSOLE_ON",
                    "CONSOLE_LEVEL",
                    "SIZE_UNREAD",
                    "SIZE_BUFFER",
                )
            )
        ),
    ),
    # syslog(SYSLOG_ACTION_CONSOLE_LEVEL)'s levels: 8, one past the last, lets every
    # message through (kernel/printk/printk.c takes 1 to 8), which strace names so.
    _spec(
        "LOGLEVEL",
        "linux/reboot.h",
        r"(?!)",
        unexported=(
            *(
                (f"LOGLEVEL_{name}", value, "include/linux/kern_levels.h")
                for value, name in enumerate(
                    ["EMERG", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG"]
                )
            ),
            ("LOGLEVEL_DEBUG+1", 8, "kernel/printk/printk.c (do_syslog)"),
        ),
    ),
)

# Netlink (traced/decoders/netlink): message types by protocol, flags by kind of
# request, and the payloads' own names; strace's tables are named in each comment.
NETLINK_SPECS: tuple[Spec, ...] = (
    _spec(
        "NETLINK_PROTOCOLS",
        "linux/netlink.h",
        r"NETLINK_[A-Z0-9_]+",
        exclude=r"NETLINK_(ADD|DROP)_MEMBERSHIP|NETLINK_PKTINFO|NETLINK_BROADCAST_ERROR"
        r"|NETLINK_NO_ENOBUFS|NETLINK_RX_RING|NETLINK_TX_RING|NETLINK_LISTEN_ALL_NSID"
        r"|NETLINK_LIST_MEMBERSHIPS|NETLINK_CAP_ACK|NETLINK_EXT_ACK|NETLINK_GET_STRICT_CHK"
        r"|NETLINK_INET_DIAG|NETLINK_FIREWALL|NETLINK_IP6_FW|NETLINK_UNUSED"
        r"|NETLINK_UNCONNECTED|NETLINK_CONNECTED",
    ),
    _spec("NLMSG_TYPES", "linux/netlink.h", r"NLMSG_(NOOP|ERROR|DONE|OVERRUN)"),  # netlink_types
    _spec(
        "NLM_FLAGS", "linux/netlink.h", r"NLM_F_(REQUEST|MULTI|ACK|ECHO|DUMP_INTR|DUMP_FILTERED)"
    ),
    _spec(
        "NLM_GET_FLAGS", "linux/netlink.h", r"NLM_F_(DUMP|ROOT|MATCH|ATOMIC)", first=("NLM_F_DUMP",)
    ),
    _spec("NLM_NEW_FLAGS", "linux/netlink.h", r"NLM_F_(REPLACE|EXCL|CREATE|APPEND)"),
    _spec("NLM_DELETE_FLAGS", "linux/netlink.h", r"NLM_F_(NONREC|BULK)"),
    _spec("NLM_ACK_FLAGS", "linux/netlink.h", r"NLM_F_(CAPPED|ACK_TLVS)"),
    _spec(
        "NLMSGERR_ATTRS",
        "linux/netlink.h",
        r"NLMSGERR_ATTR_\w+",
        source="enum:nlmsgerr_attrs",
        exclude=r"NLMSGERR_ATTR_MAX",
    ),
    _spec("NLA_FLAGS", "linux/netlink.h", r"NLA_F_(NESTED|NET_BYTEORDER)"),
    # message types of each protocol
    _spec("AUDIT_TYPES", "linux/audit.h", r"AUDIT_[A-Z0-9_]+", span=(1000, 2999)),
    _spec(
        "ROUTE_TYPES",
        "linux/rtnetlink.h",
        r"RTM_(NEW|DEL|GET|SET)[A-Z]+",
        exclude=r"RTM_\w+TUNNEL|RTM_SETSTATS",
    ),  # strace 6.1 has not the tunnels
    _spec("XFRM_TYPES", "linux/xfrm.h", r"XFRM_MSG_[A-Z_]+", exclude=r"XFRM_MSG_(BASE|MAX)"),
    _spec(
        "SELINUX_TYPES",
        "linux/selinux_netlink.h",
        r"SELNL_MSG_[A-Z]+",
        exclude=r"SELNL_MSG_(BASE|MAX)",
        source="enum:",
    ),
    _spec(
        "SOCK_DIAG_TYPES",
        "linux/inet_diag.h linux/sock_diag.h",
        r"TCPDIAG_GETSOCK|DCCPDIAG_GETSOCK|SOCK_DIAG_BY_FAMILY|SOCK_DESTROY",
    ),
    _spec(
        "CRYPTO_TYPES",
        "linux/cryptouser.h",
        r"CRYPTO_MSG_[A-Z]+",
        exclude=r"CRYPTO_MSG_(BASE|MAX)",
        source="enum:",
    ),
    # netfilter: a subsystem in the high byte, its message type in the low one
    _spec(
        "NFNL_SUBSYS",
        "linux/netfilter/nfnetlink.h",
        r"NFNL_SUBSYS_[A-Z_]+",
        exclude=r"NFNL_SUBSYS_COUNT",
    ),
    _spec(
        "NFNL_BATCH_TYPES",
        "linux/netlink.h linux/netfilter/nfnetlink.h",
        r"NFNL_MSG_BATCH_(BEGIN|END)",
    ),
    *(
        _spec(name, header, pattern, source="enum:" + enum, exclude=r"\w+_MAX")
        for name, header, enum, pattern in (
            (
                "NF_CTNETLINK_TYPES",
                "linux/netfilter/nfnetlink_conntrack.h",
                "cntl_msg_types",
                r"IPCTNL_MSG_CT_\w+",
            ),
            (
                "NF_CTNETLINK_EXP_TYPES",
                "linux/netfilter/nfnetlink_conntrack.h",
                "ctnl_exp_msg_types",
                r"IPCTNL_MSG_EXP_\w+",
            ),
            (
                "NF_QUEUE_TYPES",
                "linux/netfilter/nfnetlink_queue.h",
                "nfqnl_msg_types",
                r"NFQNL_MSG_\w+",
            ),
            (
                "NF_ULOG_TYPES",
                "linux/netfilter/nfnetlink_log.h",
                "nfulnl_msg_types",
                r"NFULNL_MSG_\w+",
            ),
            ("NF_OSF_TYPES", "linux/netfilter/nfnetlink_osf.h", "nf_osf_msg_types", r"OSF_MSG_\w+"),
            ("NF_IPSET_TYPES", "linux/netfilter/ipset/ip_set.h", "ipset_cmd", r"IPSET_CMD_\w+"),
            (
                "NF_ACCT_TYPES",
                "linux/netfilter/nfnetlink_acct.h",
                "nfnl_acct_msg_types",
                r"NFNL_MSG_ACCT_\w+",
            ),
            (
                "NF_CTTIMEOUT_TYPES",
                "linux/netfilter/nfnetlink_cttimeout.h",
                "ctnl_timeout_msg_types",
                r"IPCTNL_MSG_TIMEOUT_\w+",
            ),
            (
                "NF_CTHELPER_TYPES",
                "linux/netfilter/nfnetlink_cthelper.h",
                "nfnl_cthelper_msg_types",
                r"NFNL_MSG_CTHELPER_\w+",
            ),
            (
                "NF_TABLES_TYPES",
                "linux/netfilter/nf_tables.h",
                "nf_tables_msg_types",
                r"NFT_MSG_\w+",
            ),
            (
                "NF_HOOK_TYPES",
                "linux/netfilter/nfnetlink_hook.h",
                "nfnl_hook_msg_types",
                r"NFNL_MSG_HOOK_\w+",
            ),
        )
    ),
    _spec(
        "NF_NFT_COMPAT_TYPES",
        "linux/netfilter/nf_tables_compat.h",
        r"NFNL_MSG_COMPAT_GET",
        source="enum:",
    ),
    # NETLINK_ROUTE: its structs' fields, then its attributes, by the enum holding them
    # (ARPHRD and IFF_FLAGS are the main tables': K.ARPHRD, K.IFF_FLAGS)
    _spec("IFA_F_FLAGS", "linux/if_addr.h", r"IFA_F_\w+", exclude=r"IFA_F_TEMPORARY"),
    _spec("RT_SCOPES", "linux/rtnetlink.h", r"RT_SCOPE_\w+", source="enum:rt_scope_t"),
    _spec("IPTOS", "linux/ip.h", r"IPTOS_(LOWDELAY|THROUGHPUT|RELIABILITY|MINCOST)"),
    _spec(
        "RT_TABLES",
        "linux/rtnetlink.h",
        r"RT_TABLE_\w+",
        source="enum:rt_class_t",
        exclude=r"RT_TABLE_MAX",
    ),
    _spec("RTPROT", "linux/rtnetlink.h", r"RTPROT_\w+"),
    _spec(
        "RTN_TYPES",
        "linux/rtnetlink.h",
        r"RTN_\w+",
        source="enum-with:RTN_UNSPEC",
        exclude=r"RTN_MAX",
    ),
    _spec("RTM_F_FLAGS", "linux/rtnetlink.h", r"RTM_F_\w+"),
    _spec("NUD_STATES", "linux/neighbour.h", r"NUD_\w+"),
    _spec(
        "NTF_FLAGS",
        "linux/neighbour.h",
        r"NTF_(USE|SELF|MASTER|PROXY|EXT_LEARNED|OFFLOADED|STICKY|ROUTER)",
    ),
    _spec(
        "FR_ACTIONS",
        "linux/fib_rules.h",
        r"FR_ACT_\w+",
        source="enum-with:FR_ACT_UNSPEC",
        exclude=r"FR_ACT_MAX",
    ),
    _spec(
        "FIB_RULE_FLAGS",
        "linux/fib_rules.h",
        r"FIB_RULE_(PERMANENT|INVERT|UNRESOLVED|IIF_DETACHED|OIF_DETACHED|FIND_SADDR)",
    ),
    _spec(
        "RTNH_F_FLAGS",
        "linux/rtnetlink.h",
        r"RTNH_F_(DEAD|PERVASIVE|ONLINK|OFFLOAD|LINKDOWN|UNRESOLVED|TRAP)",
    ),
    _spec("NTF_EXT_FLAGS", "linux/neighbour.h", r"NTF_EXT_(MANAGED|LOCKED|EXT_VALIDATED)"),
    _spec(
        "FDB_NOTIFY_FLAGS",
        "linux/neighbour.h",
        r"FDB_NOTIFY_\w+",
        source="enum-with:FDB_NOTIFY_BIT",
    ),
    _spec("TCA_ACT_FLAGS", "linux/pkt_cls.h", r"TCA_ACT_FLAGS_(NO_PERCPU_STATS|SKIP_HW|SKIP_SW)"),
    _spec("TCA_ACT_HW_STATS", "linux/pkt_cls.h", r"TCA_ACT_HW_STATS_(IMMEDIATE|DELAYED)"),
    _spec(
        "RTEXT_FILTERS",
        "linux/rtnetlink.h",
        r"RTEXT_FILTER_\w+",
        exclude=r"RTEXT_FILTER_(MST|NAME_ONLY)",
    ),  # strace 6.1 has not these
    _spec("IFLA_EVENTS", "linux/if_link.h", r"IFLA_EVENT_\w+", source="enum-with:IFLA_EVENT_NONE"),
    _spec(
        "XDP_FLAGS",
        "linux/if_link.h",
        r"XDP_FLAGS_(UPDATE_IF_NOEXIST|SKB_MODE|DRV_MODE|HW_MODE|REPLACE)",
    ),
    _spec(
        "XDP_ATTACHED", "linux/if_link.h", r"XDP_ATTACHED_\w+", source="enum-with:XDP_ATTACHED_NONE"
    ),
    _spec(
        "DEVCONF",
        "linux/ipv6.h",
        r"DEVCONF_\w+",
        source="enum-with:DEVCONF_FORWARDING",
        exclude=r"DEVCONF_MAX",
    ),
    _spec(
        "IPV4_DEVCONF",
        "linux/ip.h",
        r"IPV4_DEVCONF_\w+",
        source="enum-with:IPV4_DEVCONF_FORWARDING",
    ),
    _spec("IPSTATS_MIB", "linux/snmp.h", r"IPSTATS_MIB_\w+", source="enum-with:IPSTATS_MIB_NUM"),
    _spec(
        "ICMP6_MIB",
        "linux/snmp.h",
        r"ICMP6_MIB_\w+",
        source="enum-with:ICMP6_MIB_NUM",
        exclude=r"ICMP6_MIB_RATELIMITHOST",
    ),  # strace 6.1 has not this one
    _spec(
        "IN6_ADDR_GEN_MODES",
        "linux/if_link.h",
        r"IN6_ADDR_GEN_MODE_\w+",
        source="enum-with:IN6_ADDR_GEN_MODE_EUI64",
    ),
    # An IPv6 interface's flags and a socket's shutdown state: the kernel defines them
    # outside its uapi, but sends them in IFLA_INET6_FLAGS and INET_DIAG_SHUTDOWN.
    _spec(
        "IF_INET6_FLAGS",
        "linux/if_link.h",
        r"(?!)",
        unexported=(
            ("IF_RS_SENT", 0x10, "include/net/if_inet6.h"),
            ("IF_RA_RCVD", 0x20, "include/net/if_inet6.h"),
            ("IF_RA_MANAGED", 0x40, "include/net/if_inet6.h"),
            ("IF_RA_OTHERCONF", 0x80, "include/net/if_inet6.h"),
            ("IF_READY", 0x80000000, "include/net/if_inet6.h"),
        ),
    ),
    _spec(
        "SOCK_SHUTDOWN",
        "linux/inet_diag.h",
        r"(?!)",
        unexported=(
            ("RCV_SHUTDOWN", 1, "include/net/sock.h"),
            ("SEND_SHUTDOWN", 2, "include/net/sock.h"),
        ),
    ),
    _spec(
        "IFLA_OFFLOAD_XSTATS_ATTRS",
        "linux/if_link.h",
        r"IFLA_OFFLOAD_XSTATS_(UNSPEC|CPU_HIT)",
        source="enum-with:IFLA_OFFLOAD_XSTATS_UNSPEC",
    ),  # strace 6.1 knows these two
    _spec("BRIDGE_VLAN_INFO_FLAGS", "linux/if_bridge.h", r"BRIDGE_VLAN_INFO_\w+"),
    _spec(
        "BR_MCAST_DIRS",
        "linux/if_bridge.h",
        r"BR_MCAST_DIR_(RX|TX)",
        source="enum-with:BR_MCAST_DIR_RX",
    ),
    _spec(
        "IFLA_VF_LINK_STATES",
        "linux/if_link.h",
        r"IFLA_VF_LINK_STATE_\w+",
        source="enum-with:IFLA_VF_LINK_STATE_AUTO",
    ),
    _spec("IGMPMSG_TYPES", "linux/mroute.h", r"IGMPMSG_\w+"),
    _spec("MRT6MSG_TYPES", "linux/mroute6.h", r"MRT6MSG_\w+", exclude=r"MRT6MSG_WRMIFWHOLE"),
    # NETLINK_SOCK_DIAG
    _spec("TCP_STATES", "netinet/tcp.h", r"TCP_[A-Z_0-9]+", source="enum-with:TCP_ESTABLISHED"),
    _spec("UDIAG_SHOW", "linux/unix_diag.h", r"UDIAG_SHOW_\w+"),
    _spec(
        "SK_MEMINFO",
        "linux/sock_diag.h",
        r"SK_MEMINFO_\w+",
        source="enum-with:SK_MEMINFO_RMEM_ALLOC",
        exclude=r"SK_MEMINFO_VARS",
    ),
    _spec("NDIAG_SHOW", "linux/netlink_diag.h", r"NDIAG_SHOW_\w+"),
    _spec("NDIAG_FLAGS", "linux/netlink_diag.h", r"NDIAG_FLAG_\w+"),
    _spec("NDIAG_PROTO", "linux/netlink_diag.h", r"NDIAG_PROTO_ALL", cast="unsigned char"),
    _spec(
        "NETLINK_STATES",
        "linux/netlink.h",
        r"NETLINK_(UNCONNECTED|CONNECTED)",
        source="enum-with:NETLINK_UNCONNECTED",
    ),
    _spec("PACKET_SHOW", "linux/packet_diag.h", r"PACKET_SHOW_\w+"),
    # AF_SMC's sock_diag (strace's netlink_smc_diag.c): the modes are uapi; the states,
    # the link group's roles and the CLC decline codes are the kernel's own.
    _spec(
        "SMC_DIAG_MODES",
        "linux/smc_diag.h",
        r"SMC_DIAG_MODE_\w+",
        source="enum-with:SMC_DIAG_MODE_SMCR",
    ),
    _spec(
        "SMC_STATES",
        "linux/smc_diag.h",
        r"(?!)",
        unexported=tuple(
            (f"SMC_{name}", value, "net/smc/smc.h")
            for name, value in (
                ("ACTIVE", 1),
                ("INIT", 2),
                ("CLOSED", 7),
                ("LISTEN", 10),
                ("PEERCLOSEWAIT1", 20),
                ("PEERCLOSEWAIT2", 21),
                ("APPCLOSEWAIT1", 22),
                ("APPCLOSEWAIT2", 23),
                ("APPFINCLOSEWAIT", 24),
                ("PEERFINCLOSEWAIT", 25),
                ("PEERABORTWAIT", 26),
                ("PROCESSABORT", 27),
            )
        ),
    ),
    _spec(
        "SMC_LGR_ROLES",
        "linux/smc_diag.h",
        r"(?!)",
        unexported=(("SMC_CLNT", 0, "net/smc/smc_core.h"), ("SMC_SERV", 1, "net/smc/smc_core.h")),
    ),
    _spec(
        "SMC_CLC_DECL",
        "linux/smc_diag.h",
        r"(?!)",
        unexported=tuple(
            (f"SMC_CLC_DECL_{name}", value, "net/smc/smc_clc.h")
            for name, value in (
                ("MEM", 0x01010000),
                ("TIMEOUT_CL", 0x02010000),
                ("TIMEOUT_AL", 0x02020000),
                ("CNFERR", 0x03000000),
                ("PEERNOSMC", 0x03010000),
                ("IPSEC", 0x03020000),
                ("NOSMCDEV", 0x03030000),
                ("MODEUNSUPP", 0x03040000),
                ("RMBE_EC", 0x03050000),
                ("OPTUNSUPP", 0x03060000),
                ("SYNCERR", 0x04000000),
                ("PEERDECL", 0x05000000),
                ("INTERR", 0x99990000),
                ("ERR_RTOK", 0x99990001),
                ("ERR_RDYLNK", 0x99990002),
                ("ERR_REGRMB", 0x99990003),
            )
        ),
    ),
    _spec("PDI_FLAGS", "linux/packet_diag.h", r"PDI_\w+"),
    _spec("TPACKET_VERSIONS", "linux/if_packet.h", r"TPACKET_V\d", source="enum-with:TPACKET_V1"),
    _spec("MDB_STATES", "linux/if_bridge.h", r"MDB_(TEMPORARY|PERMANENT)"),
    _spec("MDB_FLAGS", "linux/if_bridge.h", r"MDB_FLAGS_\w+"),
    _spec(
        "MDB_RTR_TYPES",
        "linux/if_bridge.h",
        r"MDB_RTR_TYPE_\w+",
        source="enum-with:MDB_RTR_TYPE_DISABLED",
    ),
    _spec("NFNETLINK_VERSIONS", "linux/netfilter/nfnetlink.h", r"NFNETLINK_V\d"),
    _spec("BRIDGE_FLAGS", "linux/if_bridge.h", r"BRIDGE_FLAGS_(MASTER|SELF)"),
    _spec("BRIDGE_MODES", "linux/if_bridge.h", r"BRIDGE_MODE_(VEB|VEPA|UNDEF)"),
    _spec("TLS_VERSIONS", "linux/tls.h", r"TLS_1_[23]_VERSION"),
    _spec(
        "TLS_CIPHERS",
        "linux/tls.h",
        r"TLS_CIPHER_[A-Z0-9_]+",
        exclude=r"\w+_(IV|KEY|SALT|TAG|REC_SEQ)_SIZE",
    ),
    _spec("TLS_CONFS", "linux/tls.h", r"TLS_CONF_\w+"),
    _spec("MPTCP_SUBFLOW_FLAGS", "linux/mptcp.h", r"MPTCP_SUBFLOW_FLAG_\w+"),
    # generic netlink's controller, asked for the families' names (traced.linux.genl)
    _spec("GENL_ID", "linux/genetlink.h", r"GENL_ID_CTRL"),
    _spec(
        "GENL_CTRL_CMDS", "linux/genetlink.h", r"CTRL_CMD_\w+", source="enum-with:CTRL_CMD_UNSPEC"
    ),
    _spec(
        "GENL_CTRL_ATTRS",
        "linux/genetlink.h",
        r"CTRL_ATTR_\w+",
        source="enum-with:CTRL_ATTR_UNSPEC",
    ),
    _spec("TUN_TYPES", "linux/if_tun.h", r"IFF_(TUN|TAP)"),
    _spec("RTNL_FAMILIES", "linux/rtnetlink.h", r"RTNL_FAMILY_(IPMR|IP6MR)"),
    _spec(
        "LWTUNNEL_ENCAP_TYPES",
        "linux/lwtunnel.h",
        r"LWTUNNEL_ENCAP_\w+",
        source="enum-with:LWTUNNEL_ENCAP_NONE",
        exclude=r"LWTUNNEL_ENCAP_(MAX|IOAM6|XFRM)",
    ),
    _spec(
        "NEXTHOP_GRP_TYPES",
        "linux/nexthop.h",
        r"NEXTHOP_GRP_TYPE_\w+",
        source="enum-with:NEXTHOP_GRP_TYPE_MPATH",
        exclude=r"NEXTHOP_GRP_TYPE_MAX",
    ),
    _spec(
        "DCB_CMDS",
        "linux/dcbnl.h",
        r"DCB_CMD_\w+",
        source="enum:dcbnl_commands",
        exclude=r"DCB_CMD_MAX",
    ),
    *(
        _spec(
            name,
            header,
            rf"{prefix}(_\w+)?",
            source=f"enum-with:{member}",
            # strace names 0 the padding where the header has both
            exclude=rf"{prefix}_MAX" + (rf"|{prefix}_UNSPEC" if member.endswith("_PAD") else ""),
        )
        for name, header, prefix, member in (
            ("IFLA_ATTRS", "linux/if_link.h", "IFLA", "IFLA_UNSPEC"),
            ("IFA_ATTRS", "linux/if_addr.h", "IFA", "IFA_UNSPEC"),
            ("RTA_ATTRS", "linux/rtnetlink.h", "RTA", "RTA_UNSPEC"),
            ("NDA_ATTRS", "linux/neighbour.h", "NDA", "NDA_UNSPEC"),
            ("FRA_ATTRS", "linux/fib_rules.h", "FRA", "FRA_UNSPEC"),
            ("TCA_ATTRS", "linux/rtnetlink.h", "TCA", "TCA_UNSPEC"),
            ("TCA_ROOT_ATTRS", "linux/rtnetlink.h", "TCA_ROOT", "TCA_ROOT_UNSPEC"),
            ("NDTA_ATTRS", "linux/neighbour.h", "NDTA", "NDTA_UNSPEC"),
            ("IFLA_STATS_ATTRS", "linux/if_link.h", "IFLA_STATS", "IFLA_STATS_UNSPEC"),
            ("NHA_ATTRS", "linux/nexthop.h", "NHA", "NHA_UNSPEC"),
            ("MDBA_ATTRS", "linux/if_bridge.h", "MDBA", "MDBA_UNSPEC"),
            ("DCB_ATTRS", "linux/dcbnl.h", "DCB_ATTR", "DCB_ATTR_UNDEFINED"),
            ("NETCONFA_ATTRS", "linux/netconf.h", "NETCONFA", "NETCONFA_UNSPEC"),
            ("NETNSA_ATTRS", "linux/net_namespace.h", "NETNSA", "NETNSA_NONE"),
            ("IFAL_ATTRS", "linux/if_addrlabel.h", "IFAL", "IFAL_ADDRESS"),
            ("RTAX_ATTRS", "linux/rtnetlink.h", "RTAX", "RTAX_UNSPEC"),
            ("NFEA_ATTRS", "linux/neighbour.h", "NFEA", "NFEA_UNSPEC"),
            ("TCA_ACT_ATTRS", "linux/pkt_cls.h", "TCA_ACT", "TCA_ACT_UNSPEC"),
            ("IFLA_INFO_ATTRS", "linux/if_link.h", "IFLA_INFO", "IFLA_INFO_UNSPEC"),
            ("UNIX_DIAG_ATTRS", "linux/unix_diag.h", "UNIX_DIAG", "UNIX_DIAG_NAME"),
            ("IFLA_BR_ATTRS", "linux/if_link.h", "IFLA_BR", "IFLA_BR_UNSPEC"),
            (
                "BRIDGE_QUERIER_ATTRS",
                "linux/if_bridge.h",
                "BRIDGE_QUERIER",
                "BRIDGE_QUERIER_UNSPEC",
            ),
            ("IFLA_TUN_ATTRS", "linux/if_link.h", "IFLA_TUN", "IFLA_TUN_UNSPEC"),
            ("BR_BOOLOPTS", "linux/if_bridge.h", "BR_BOOLOPT", "BR_BOOLOPT_NO_LL_LEARN"),
            ("INET_DIAG_REQ_ATTRS", "linux/inet_diag.h", "INET_DIAG_REQ", "INET_DIAG_REQ_NONE"),
            ("INET_DIAG_ATTRS", "linux/inet_diag.h", "INET_DIAG", "INET_DIAG_NONE"),
            ("INET_DIAG_BC", "linux/inet_diag.h", "INET_DIAG_BC", "INET_DIAG_BC_NOP"),
            ("INET_ULP_INFO_ATTRS", "linux/inet_diag.h", "INET_ULP_INFO", "INET_ULP_INFO_UNSPEC"),
            ("TLS_INFO_ATTRS", "linux/tls.h", "TLS_INFO", "TLS_INFO_UNSPEC"),
            (
                "MPTCP_SUBFLOW_ATTRS",
                "linux/mptcp.h",
                "MPTCP_SUBFLOW_ATTR",
                "MPTCP_SUBFLOW_ATTR_UNSPEC",
            ),
            (
                "SK_DIAG_BPF_STORAGES_ATTRS",
                "linux/sock_diag.h",
                "SK_DIAG_BPF_STORAGE",
                "SK_DIAG_BPF_STORAGE_REP_NONE",
            ),
            (
                "SK_DIAG_BPF_STORAGE_ATTRS",
                "linux/sock_diag.h",
                "SK_DIAG_BPF_STORAGE",
                "SK_DIAG_BPF_STORAGE_NONE",
            ),
            (
                "IFLA_BRIDGE_VLAN_TUNNEL_ATTRS",
                "linux/if_bridge.h",
                "IFLA_BRIDGE_VLAN_TUNNEL",
                "IFLA_BRIDGE_VLAN_TUNNEL_UNSPEC",
            ),
            ("MDBA_MDB_ATTRS", "linux/if_bridge.h", "MDBA_MDB", "MDBA_MDB_UNSPEC"),
            (
                "MDBA_MDB_ENTRY_ATTRS",
                "linux/if_bridge.h",
                "MDBA_MDB_ENTRY",
                "MDBA_MDB_ENTRY_UNSPEC",
            ),
            (
                "MDBA_MDB_EATTR_ATTRS",
                "linux/if_bridge.h",
                "MDBA_MDB_EATTR",
                "MDBA_MDB_EATTR_UNSPEC",
            ),
            ("MDBA_ROUTER_ATTRS", "linux/if_bridge.h", "MDBA_ROUTER", "MDBA_ROUTER_UNSPEC"),
            (
                "MDBA_ROUTER_PATTR_ATTRS",
                "linux/if_bridge.h",
                "MDBA_ROUTER_PATTR",
                "MDBA_ROUTER_PATTR_UNSPEC",
            ),
            ("NETLINK_DIAG_ATTRS", "linux/netlink_diag.h", "NETLINK_DIAG", "NETLINK_DIAG_MEMINFO"),
            ("PACKET_DIAG_ATTRS", "linux/packet_diag.h", "PACKET_DIAG", "PACKET_DIAG_INFO"),
            ("SMC_DIAG_ATTRS", "linux/smc_diag.h", "SMC_DIAG", "SMC_DIAG_NONE"),
            ("IPMRA_CREPORT_ATTRS", "linux/mroute.h", "IPMRA_CREPORT", "IPMRA_CREPORT_UNSPEC"),
            ("IP6MRA_CREPORT_ATTRS", "linux/mroute6.h", "IP6MRA_CREPORT", "IP6MRA_CREPORT_UNSPEC"),
            ("IFLA_VF_INFO_ATTRS", "linux/if_link.h", "IFLA_VF_INFO", "IFLA_VF_INFO_UNSPEC"),
            ("IFLA_VF_ATTRS", "linux/if_link.h", "IFLA_VF", "IFLA_VF_UNSPEC"),
            ("IFLA_VF_STATS_ATTRS", "linux/if_link.h", "IFLA_VF_STATS", "IFLA_VF_STATS_RX_PACKETS"),
            (
                "IFLA_VF_VLAN_LIST_ATTRS",
                "linux/if_link.h",
                "IFLA_VF_VLAN_INFO",
                "IFLA_VF_VLAN_INFO_UNSPEC",
            ),
            ("LINK_XSTATS_TYPES", "linux/if_link.h", "LINK_XSTATS_TYPE", "LINK_XSTATS_TYPE_UNSPEC"),
            ("BRIDGE_XSTATS_ATTRS", "linux/if_bridge.h", "BRIDGE_XSTATS", "BRIDGE_XSTATS_UNSPEC"),
            ("BOND_XSTATS_ATTRS", "linux/if_bonding.h", "BOND_XSTATS", "BOND_XSTATS_UNSPEC"),
            (
                "BOND_3AD_STAT_ATTRS",
                "linux/if_bonding.h",
                "BOND_3AD_STAT",
                "BOND_3AD_STAT_LACPDU_RX",
            ),
            ("MPLS_STATS_ATTRS", "linux/mpls.h", "MPLS_STATS", "MPLS_STATS_UNSPEC"),
            ("IFLA_BRPORT_ATTRS", "linux/if_link.h", "IFLA_BRPORT", "IFLA_BRPORT_UNSPEC"),
            ("IFLA_INET_ATTRS", "linux/if_link.h", "IFLA_INET", "IFLA_INET_UNSPEC"),
            ("IFLA_INET6_ATTRS", "linux/if_link.h", "IFLA_INET6", "IFLA_INET6_UNSPEC"),
            ("IFLA_MCTP_ATTRS", "linux/if_link.h", "IFLA_MCTP", "IFLA_MCTP_UNSPEC"),
            ("IFLA_BRIDGE_ATTRS", "linux/if_bridge.h", "IFLA_BRIDGE", "IFLA_BRIDGE_FLAGS"),
            ("IFLA_VF_PORT_ATTRS", "linux/if_link.h", "IFLA_VF_PORT", "IFLA_VF_PORT_UNSPEC"),
            ("IFLA_PORT_ATTRS", "linux/if_link.h", "IFLA_PORT", "IFLA_PORT_UNSPEC"),
            ("IFLA_XDP_ATTRS", "linux/if_link.h", "IFLA_XDP", "IFLA_XDP_UNSPEC"),
            (
                "IFLA_PROTO_DOWN_REASON_ATTRS",
                "linux/if_link.h",
                "IFLA_PROTO_DOWN_REASON",
                "IFLA_PROTO_DOWN_REASON_UNSPEC",
            ),
            ("TCA_STATS_ATTRS", "linux/gen_stats.h", "TCA_STATS", "TCA_STATS_UNSPEC"),
            ("TCA_STAB_ATTRS", "linux/pkt_sched.h", "TCA_STAB", "TCA_STAB_UNSPEC"),
            ("NDTPA_ATTRS", "linux/neighbour.h", "NDTPA", "NDTPA_UNSPEC"),
            ("NHA_RES_GROUP_ATTRS", "linux/nexthop.h", "NHA_RES_GROUP", "NHA_RES_GROUP_PAD"),
            ("NHA_RES_BUCKET_ATTRS", "linux/nexthop.h", "NHA_RES_BUCKET", "NHA_RES_BUCKET_PAD"),
        )
    ),
)

ENUM_BODY = re.compile(r"enum\s+(\w*)\s*\{([^}]*)\}", re.S)
MACRO = re.compile(r"#define (\w+)[ \t]")  # object-like macros only


def _compile_run(
    includes: tuple[str, ...], expressions: list[str], cast: str, tmp: Path
) -> list[int]:
    """Each expression's value, as a compiled C program prints it, in order."""
    head = "".join(f"#include <{header}>\n" for header in includes)
    prints = "".join(f'    printf("%lld\\n", (long long)({cast})({e}));\n' for e in expressions)
    source = tmp / "values.c"
    source.write_text(f"#include <stdio.h>\n{head}int main(void) {{\n{prints}    return 0;\n}}\n")
    binary = tmp / "values"
    subprocess.run(["gcc", "-D_GNU_SOURCE", "-w", "-o", str(binary), str(source)], check=True)
    output = subprocess.run([str(binary)], check=True, capture_output=True, text=True).stdout
    return [int(line) for line in output.splitlines()]


def _expression(spec: Spec, name: str) -> str:
    """The C expression of a name's value: the name itself, or a member's offset or a
    type's size (``offsetof:struct user``, ``sizeof``)."""
    kind, _, where = spec.source.partition(":")
    if kind == "offsetof":
        return f"offsetof({where}, {name})"
    return f"sizeof({name})" if kind == "sizeof" else name


def _preprocess(includes: tuple[str, ...], tmp: Path) -> str:
    source = tmp / "names.c"
    source.write_text("".join(f"#include <{header}>\n" for header in includes))
    return subprocess.run(
        ["gcc", "-D_GNU_SOURCE", "-E", "-P", str(source)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _names(spec: Spec, tmp: Path) -> list[str]:
    """The table's names, in the order the headers define them."""
    match = re.compile(spec.pattern)
    kind, _, where = spec.source.partition(":")
    if kind in ("offsetof", "sizeof"):  # the members, or the type, the pattern lists
        found = spec.pattern.split("|")
    elif kind in ("lines", "indented"):
        margin = r"^#define " if kind == "lines" else r"^#\s+define "
        found = re.findall(margin + r"(\w+)[ \t]", (INCLUDE / where).read_text(), re.M)
    elif kind in ("enum", "enum-with"):
        text = _preprocess(spec.includes, tmp)
        bodies = [
            [member.split("=")[0].strip() for member in body.split(",")]
            for tag, body in ENUM_BODY.findall(text)
            if kind == "enum-with" or (tag == where if where else True)
        ]
        found = [
            name for members in bodies if kind == "enum" or where in members for name in members
        ]
    else:
        found = _header_order(spec.includes)
    excluded = re.compile(spec.exclude) if spec.exclude else None
    picked = [n for n in found if match.fullmatch(n) and not (excluded and excluded.fullmatch(n))]
    return list(dict.fromkeys(picked))


def _header_order(includes: tuple[str, ...]) -> list[str]:
    """Every name #defined in the headers named and those they include, in the
    order the preprocessor meets them (``-dD`` keeps the definitions in place)."""
    source = "".join(f"#include <{header}>\n" for header in includes)
    text = subprocess.run(
        ["gcc", "-D_GNU_SOURCE", "-E", "-dD", "-x", "c", "-"],
        input=source,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return list(dict.fromkeys(MACRO.findall(text)))


def table(spec: Spec) -> list[tuple[str, int]]:
    with tempfile.TemporaryDirectory() as work:
        tmp = Path(work)
        names = _names(spec, tmp)
        if not names and not spec.unexported:
            raise ValueError(f"{spec.name}: no name in {spec.includes} matches {spec.pattern}")
        values = (
            _compile_run(spec.includes, [_expression(spec, name) for name in names], spec.cast, tmp)
            if names
            else []
        )
    rows = [
        (spec.label.format(spec.renames.get(name, name)), value * spec.scale)
        for name, value in zip(names, values, strict=True)
    ]
    if spec.span is not None:
        low, high = spec.span
        rows = [row for row in rows if low <= row[1] <= high]
    rows += [(name, value) for name, value, _ in spec.unexported]
    if spec.order == "value":
        rows.sort(key=lambda row: row[1] & (1 << 64) - 1)  # stable: header order within a value
    ahead = [row for name in spec.first for row in rows if row[0] == name]
    return ahead + [row for row in rows if row[0] not in spec.first]


# Where each set of tables goes: ``python scripts/gen_constants.py [SET]``.
OUTPUTS: dict[str, tuple[str, tuple[Spec, ...]]] = {
    "": ("traced/decoders/_constants.py", SPECS),
    "netlink": ("traced/decoders/netlink/_tables.py", NETLINK_SPECS),
}


def main() -> None:
    out = sys.stdout
    which = sys.argv[1] if len(sys.argv) > 1 else ""
    path, specs = OUTPUTS[which]
    command = "python scripts/gen_constants.py" + (f" {which}" if which else "")
    out.write('"""Named constants from the kernel\'s uapi headers (linux-libc-dev 6.1).\n\n')
    out.write("Generated by scripts/gen_constants.py; do not edit.  Regenerate with\n\n")
    out.write(f"    {command} > {path}\n")
    out.write(f"    ruff format {path}\n")
    out.write('"""\n\nfrom traced.decoders.xlat import Table\n')
    for spec in specs:
        rows = table(spec)
        source = " ".join(spec.includes) + (f" ({spec.source})" if spec.source != "macro" else "")
        cited = "".join(f"; {name} from {where}" for name, _, where in spec.unexported)
        comment = "\n#   ".join(textwrap.wrap(f"{source}: {spec.pattern}{cited}", 90))
        out.write(f"\n# {comment}\n{spec.name}: Table = (\n")
        for name, value in rows:
            number = f"{value:#x}" if value >= 0 else str(value)
            out.write(f'    ("{name}", {number}),\n')
        out.write(")\n")


if __name__ == "__main__":
    main()
