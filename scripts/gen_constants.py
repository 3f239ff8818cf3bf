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
    source: str = "macro"
    exclude: str = ""  # names matching this entirely are left out
    first: tuple[str, ...] = ()  # printed ahead of the value order, in this order
    renames: dict[str, str] = field(default_factory=dict)
    order: str = "value"  # value | header
    cast: str = "long long"  # the C type a value is printed as
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
    _spec(
        "SOL",
        "sys/socket.h netinet/in.h netinet/tcp.h netinet/udp.h linux/netlink.h linux/tipc.h "
        "linux/can.h linux/can/raw.h",
        r"SOL_\w+",
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
    # A control message's type at SOL_SOCKET (glibc defines these two as an enum).
    _spec("SCM", "sys/socket.h", r"SCM_(RIGHTS|CREDENTIALS)"),
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
    _spec(
        "IORING_REGISTER",
        "linux/io_uring.h",
        r"IORING_(UN)?REGISTER_\w+",
        source="enum:",
        exclude=r"IORING_REGISTER_LAST|IORING_REGISTER_USE_REGISTERED_RING",
    ),
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
    _spec("ARPHRD", "linux/if_arp.h", r"ARPHRD_\w+"),
    _spec(
        "IFF_FLAGS",
        "linux/if.h",
        r"IFF_(UP|BROADCAST|DEBUG|LOOPBACK|POINTOPOINT|NOTRAILERS"
        r"|RUNNING|NOARP|PROMISC|ALLMULTI|MASTER|SLAVE|MULTICAST|PORTSEL|AUTOMEDIA|DYNAMIC"
        r"|LOWER_UP|DORMANT|ECHO)",
        source="enum-with:IFF_UP",
    ),
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
    _spec("ETH_P", "linux/if_ether.h", r"ETH_P_\w+"),
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
    includes: tuple[str, ...], names: list[str], cast: str, tmp: Path
) -> dict[str, int]:
    """Each name's value, as a compiled C program prints it."""
    head = "".join(f"#include <{header}>\n" for header in includes)
    prints = "".join(f'    printf("%s %lld\\n", "{n}", (long long)({cast})({n}));\n' for n in names)
    source = tmp / "values.c"
    source.write_text(f"#include <stdio.h>\n{head}int main(void) {{\n{prints}    return 0;\n}}\n")
    binary = tmp / "values"
    subprocess.run(["gcc", "-D_GNU_SOURCE", "-w", "-o", str(binary), str(source)], check=True)
    output = subprocess.run([str(binary)], check=True, capture_output=True, text=True).stdout
    return {line.split()[0]: int(line.split()[1]) for line in output.splitlines()}


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
    if kind in ("lines", "indented"):
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
        if not names:
            raise ValueError(f"{spec.name}: no name in {spec.includes} matches {spec.pattern}")
        values = _compile_run(spec.includes, names, spec.cast, tmp)
    rows = [(spec.renames.get(name, name), values[name]) for name in names]
    if spec.span is not None:
        low, high = spec.span
        rows = [row for row in rows if low <= row[1] <= high]
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
        comment = "\n#   ".join(textwrap.wrap(f"{source}: {spec.pattern}", 90))
        out.write(f"\n# {comment}\n{spec.name}: Table = (\n")
        for name, value in rows:
            number = f"{value:#x}" if value >= 0 else str(value)
            out.write(f'    ("{name}", {number}),\n')
        out.write(")\n")


if __name__ == "__main__":
    main()
