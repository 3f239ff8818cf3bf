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
  enum members, which no preprocessor sees).

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
    source: str = "macro"  # macro | lines:<header> | enum:<enum name> | offsetof:<type> | sizeof
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
    _spec("PR_SCHED_CORE", "linux/prctl.h", r"PR_SCHED_CORE_(GET|CREATE|SHARE_TO|SHARE_FROM)"),
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
    _spec("SWAP", "sys/swap.h", r"SWAP_FLAG_(PREFER|DISCARD|DISCARD_ONCE|DISCARD_PAGES)"),
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
    _spec("PERF_FLAGS", "linux/perf_event.h", r"PERF_FLAG_\w+"),
    _spec(
        "FAN_MARK",
        "linux/fanotify.h",
        r"FAN_MARK_\w+",
        exclude=r"FAN_MARK_(INODE|TYPE_MASK|IGNORED_MASK|IGNORE_SURV)",
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
    # --- struct sockaddr's families (strace's sockaddr.c), one block ------------------
    _spec("ADDRESS_FAMILIES", "sys/socket.h", r"AF_\w+", exclude=r"AF_(LOCAL|FILE|ROUTE|MAX)"),
    _spec("ETH_P", "linux/if_ether.h", r"ETH_P_\w+", exclude=r"ETH_P_802_3_MIN"),
    _spec("ARPHRD", "linux/if_arp.h", r"ARPHRD_\w+"),
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
    elif kind == "enum":
        text = _preprocess(spec.includes, tmp)
        found = [
            member.split("=")[0].strip()
            for tag, body in ENUM_BODY.findall(text)
            if (tag == where if where else True)
            for member in body.split(",")
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
    rows += [(name, value) for name, value, _ in spec.unexported]
    if spec.order == "value":
        rows.sort(key=lambda row: row[1] & (1 << 64) - 1)  # stable: header order within a value
    ahead = [row for name in spec.first for row in rows if row[0] == name]
    return ahead + [row for row in rows if row[0] not in spec.first]


def main() -> None:
    out = sys.stdout
    out.write('"""Named constants from the kernel\'s uapi headers (linux-libc-dev 6.1).\n\n')
    out.write("Generated by scripts/gen_constants.py; do not edit.  Regenerate with\n\n")
    out.write("    python scripts/gen_constants.py > traced/decoders/_constants.py\n")
    out.write("    ruff format traced/decoders/_constants.py\n")
    out.write('"""\n\nfrom traced.decoders.xlat import Table\n')
    for spec in SPECS:
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
