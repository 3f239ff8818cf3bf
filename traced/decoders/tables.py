"""Constant tables as data: Linux x86_64 values, in the order strace 6.1 prints them.

Values are written out (they are the kernel's, not the build host's); the unit tests
cross-check every name that Python's os, socket, signal, errno, fcntl and mmap
modules also define.  Order matters: strace names a flag by the first entry whose
bits are all set, so O_SYNC (0x101000) comes before O_DSYNC (0x1000) and O_TMPFILE
(0x410000) before O_DIRECTORY.  Errno names are in traced.syscalls.names.
"""

from __future__ import annotations

Table = tuple[tuple[str, int], ...]


def _names(text: str) -> list[str]:
    return text.split()


OPEN_ACCMODE: Table = (("O_RDONLY", 0), ("O_WRONLY", 1), ("O_RDWR", 2), ("O_ACCMODE", 3))
OPEN: Table = (
    ("O_CREAT", 0o100), ("O_EXCL", 0o200), ("O_NOCTTY", 0o400), ("O_TRUNC", 0o1000),
    ("O_APPEND", 0o2000), ("O_NONBLOCK", 0o4000), ("O_SYNC", 0o4010000),
    ("O_DSYNC", 0o10000), ("O_DIRECT", 0o40000), ("O_LARGEFILE", 0o100000),
    ("O_NOFOLLOW", 0o400000), ("O_NOATIME", 0o1000000), ("O_CLOEXEC", 0o2000000),
    ("O_PATH", 0o10000000), ("O_TMPFILE", 0o20200000), ("O_DIRECTORY", 0o200000),
    ("FASYNC", 0o20000),
)  # fmt: skip
AT: Table = (
    ("AT_SYMLINK_NOFOLLOW", 0x100), ("AT_REMOVEDIR", 0x200), ("AT_SYMLINK_FOLLOW", 0x400),
    ("AT_NO_AUTOMOUNT", 0x800), ("AT_EMPTY_PATH", 0x1000), ("AT_RECURSIVE", 0x8000),
)  # fmt: skip
STATX_SYNC: Table = (
    ("AT_STATX_SYNC_AS_STAT", 0), ("AT_STATX_FORCE_SYNC", 0x2000),
    ("AT_STATX_DONT_SYNC", 0x4000),
)  # fmt: skip
STATX_MASK: Table = (
    ("STATX_ALL", 0xFFF), ("STATX_BASIC_STATS", 0x7FF), ("STATX_TYPE", 0x1),
    ("STATX_MODE", 0x2), ("STATX_NLINK", 0x4), ("STATX_UID", 0x8), ("STATX_GID", 0x10),
    ("STATX_ATIME", 0x20), ("STATX_MTIME", 0x40), ("STATX_CTIME", 0x80),
    ("STATX_INO", 0x100), ("STATX_SIZE", 0x200), ("STATX_BLOCKS", 0x400),
    ("STATX_BTIME", 0x800), ("STATX_MNT_ID", 0x1000), ("STATX_DIOALIGN", 0x2000),
)  # fmt: skip
STATX_ATTRIBUTES: Table = (
    ("STATX_ATTR_COMPRESSED", 0x4), ("STATX_ATTR_IMMUTABLE", 0x10),
    ("STATX_ATTR_APPEND", 0x20), ("STATX_ATTR_NODUMP", 0x40),
    ("STATX_ATTR_ENCRYPTED", 0x800), ("STATX_ATTR_AUTOMOUNT", 0x1000),
    ("STATX_ATTR_MOUNT_ROOT", 0x2000), ("STATX_ATTR_VERITY", 0x100000),
    ("STATX_ATTR_DAX", 0x200000),
)  # fmt: skip
MMAP_PROT: Table = (
    ("PROT_READ", 0x1), ("PROT_WRITE", 0x2), ("PROT_EXEC", 0x4), ("PROT_SEM", 0x8),
    ("PROT_GROWSDOWN", 0x01000000), ("PROT_GROWSUP", 0x02000000),
)  # fmt: skip
MMAP_TYPE: Table = (
    ("MAP_FILE", 0), ("MAP_SHARED", 1), ("MAP_PRIVATE", 2), ("MAP_SHARED_VALIDATE", 3),
)  # fmt: skip
MMAP: Table = (
    ("MAP_FIXED", 0x10), ("MAP_ANONYMOUS", 0x20), ("MAP_32BIT", 0x40),
    ("MAP_NORESERVE", 0x4000), ("MAP_POPULATE", 0x8000), ("MAP_NONBLOCK", 0x10000),
    ("MAP_GROWSDOWN", 0x100), ("MAP_DENYWRITE", 0x800), ("MAP_EXECUTABLE", 0x1000),
    ("MAP_LOCKED", 0x2000), ("MAP_STACK", 0x20000), ("MAP_HUGETLB", 0x40000),
    ("MAP_SYNC", 0x80000), ("MAP_FIXED_NOREPLACE", 0x100000),
)  # fmt: skip
CLONE: Table = tuple(
    (name, 0x100 << shift)
    for shift, name in enumerate(
        [
            "CLONE_VM",
            "CLONE_FS",
            "CLONE_FILES",
            "CLONE_SIGHAND",
            "CLONE_PIDFD",
            "CLONE_PTRACE",
            "CLONE_VFORK",
            "CLONE_PARENT",
            "CLONE_THREAD",
            "CLONE_NEWNS",
            "CLONE_SYSVSEM",
            "CLONE_SETTLS",
            "CLONE_PARENT_SETTID",
            "CLONE_CHILD_CLEARTID",
            "-",
            "CLONE_UNTRACED",
            "CLONE_CHILD_SETTID",
            "CLONE_NEWCGROUP",
            "CLONE_NEWUTS",
            "CLONE_NEWIPC",
            "CLONE_NEWUSER",
            "CLONE_NEWPID",
            "CLONE_NEWNET",
            "CLONE_IO",
        ]
    )
    if name != "-"  # CLONE_DETACHED (0x400000): ignored by the kernel, unnamed by strace
)
WAIT: Table = (
    ("WNOHANG", 0x1), ("WEXITED", 0x4), ("WSTOPPED", 0x2), ("WCONTINUED", 0x8),
    ("WNOWAIT", 0x01000000), ("__WCLONE", 0x80000000), ("__WALL", 0x40000000),
    ("__WNOTHREAD", 0x20000000),
)  # fmt: skip
ACCESS: Table = (("F_OK", 0), ("R_OK", 4), ("W_OK", 2), ("X_OK", 1))
SOCK_TYPE: Table = (
    ("SOCK_STREAM", 1), ("SOCK_DGRAM", 2), ("SOCK_RAW", 3), ("SOCK_RDM", 4),
    ("SOCK_SEQPACKET", 5), ("SOCK_DCCP", 6), ("SOCK_PACKET", 10),
)  # fmt: skip
SOCK_FLAGS: Table = (("SOCK_CLOEXEC", 0o2000000), ("SOCK_NONBLOCK", 0o4000))
_AF = """UNSPEC UNIX INET AX25 IPX APPLETALK NETROM BRIDGE ATMPVC X25 INET6 ROSE DECnet
    NETBEUI SECURITY KEY NETLINK PACKET ASH ECONET ATMSVC RDS SNA IRDA PPPOX WANPIPE LLC
    IB MPLS CAN TIPC BLUETOOTH IUCV RXRPC ISDN PHONET IEEE802154 CAIF ALG NFC VSOCK KCM
    QIPCRTR SMC XDP MCTP"""
SOCKET_DOMAIN: Table = tuple((f"AF_{name}", value) for value, name in enumerate(_AF.split()))
IPPROTO: Table = tuple(
    (f"IPPROTO_{name}", int(value))
    for name, value in (
        item.split("=")
        for item in [
            "IP=0",
            "ICMP=1",
            "IGMP=2",
            "IPIP=4",
            "TCP=6",
            "EGP=8",
            "PUP=12",
            "UDP=17",
            "IDP=22",
            "TP=29",
            "DCCP=33",
            "IPV6=41",
            "ROUTING=43",
            "FRAGMENT=44",
            "RSVP=46",
            "GRE=47",
            "ESP=50",
            "AH=51",
            "ICMPV6=58",
            "NONE=59",
            "DSTOPTS=60",
            "MTP=92",
            "BEETPH=94",
            "ENCAP=98",
            "PIM=103",
            "COMP=108",
            "L2TP=115",
            "SCTP=132",
            "MH=135",
            "UDPLITE=136",
            "MPLS=137",
            "ETHERNET=143",
            "RAW=255",
            "MPTCP=262",
        ]
    )
)
NETLINK: Table = tuple(
    (f"NETLINK_{name}", value)
    for value, name in enumerate(
        [
            "ROUTE",
            "UNUSED",
            "USERSOCK",
            "FIREWALL",
            "SOCK_DIAG",
            "NFLOG",
            "XFRM",
            "SELINUX",
            "ISCSI",
            "AUDIT",
            "FIB_LOOKUP",
            "CONNECTOR",
            "NETFILTER",
            "IP6_FW",
            "DNRTMSG",
            "KOBJECT_UEVENT",
            "GENERIC",
            "-",
            "SCSITRANSPORT",
            "ECRYPTFS",
            "RDMA",
            "CRYPTO",
            "SMC",
        ]
    )
    if name != "-"
)
FCNTL_CMD: Table = tuple(
    (f"F_{name}", value)
    for value, name in (
        (0, "DUPFD"), (1, "GETFD"), (2, "SETFD"), (3, "GETFL"), (4, "SETFL"), (5, "GETLK"),
        (6, "SETLK"), (7, "SETLKW"), (8, "SETOWN"), (9, "GETOWN"), (10, "SETSIG"),
        (11, "GETSIG"), (12, "GETLK64"), (13, "SETLK64"), (14, "SETLKW64"),
        (15, "SETOWN_EX"), (16, "GETOWN_EX"), (17, "GETOWNER_UIDS"), (36, "OFD_GETLK"),
        (37, "OFD_SETLK"), (38, "OFD_SETLKW"), (1024, "SETLEASE"), (1025, "GETLEASE"),
        (1026, "NOTIFY"), (1029, "CANCELLK"), (1030, "DUPFD_CLOEXEC"),
        (1031, "SETPIPE_SZ"), (1032, "GETPIPE_SZ"), (1033, "ADD_SEALS"), (1034, "GET_SEALS"),
    )
)  # fmt: skip
RLIMIT: Table = tuple(
    (f"RLIMIT_{name}", value)
    for value, name in enumerate(
        [
            "CPU",
            "FSIZE",
            "DATA",
            "STACK",
            "CORE",
            "RSS",
            "NPROC",
            "NOFILE",
            "MEMLOCK",
            "AS",
            "LOCKS",
            "SIGPENDING",
            "MSGQUEUE",
            "NICE",
            "RTPRIO",
            "RTTIME",
        ]
    )
)
SIGNALS: Table = tuple(
    (name, value)
    for value, name in enumerate(
        [
            "-",
            "SIGHUP",
            "SIGINT",
            "SIGQUIT",
            "SIGILL",
            "SIGTRAP",
            "SIGABRT",
            "SIGBUS",
            "SIGFPE",
            "SIGKILL",
            "SIGUSR1",
            "SIGSEGV",
            "SIGUSR2",
            "SIGPIPE",
            "SIGALRM",
            "SIGTERM",
            "SIGSTKFLT",
            "SIGCHLD",
            "SIGCONT",
            "SIGSTOP",
            "SIGTSTP",
            "SIGTTIN",
            "SIGTTOU",
            "SIGURG",
            "SIGXCPU",
            "SIGXFSZ",
            "SIGVTALRM",
            "SIGPROF",
            "SIGWINCH",
            "SIGIO",
            "SIGPWR",
            "SIGSYS",
            "SIGRTMIN",
        ]
    )
    if name != "-"
) + tuple((f"SIGRT_{n}", 32 + n) for n in range(1, 33))
_TTY = """TCGETS TCSETS TCSETSW TCSETSF TCGETA TCSETA TCSETAW TCSETAF TCSBRK TCXONC TCFLSH
    TIOCEXCL TIOCNXCL TIOCSCTTY TIOCGPGRP TIOCSPGRP TIOCOUTQ TIOCSTI TIOCGWINSZ TIOCSWINSZ
    TIOCMGET TIOCMBIS TIOCMBIC TIOCMSET TIOCGSOFTCAR TIOCSSOFTCAR FIONREAD TIOCLINUX
    TIOCCONS TIOCGSERIAL TIOCSSERIAL TIOCPKT FIONBIO TIOCNOTTY TIOCSETD TIOCGETD TCSBRKP"""
IOCTL: Table = (
    *((name, 0x5401 + n) for n, name in enumerate(_names(_TTY))),
    ("TIOCSBRK", 0x5427), ("TIOCCBRK", 0x5428), ("TIOCGSID", 0x5429),
    ("TIOCGPTN", 0x80045430), ("TIOCSPTLCK", 0x40045431), ("TIOCGPTPEER", 0x5441),
    ("FIONCLEX", 0x5450), ("FIOCLEX", 0x5451), ("FIOASYNC", 0x5452), ("FIOQSIZE", 0x5460),
    ("FIBMAP", 0x1), ("FIGETBSZ", 0x2), ("FS_IOC_GETFLAGS", 0x80086601),
    ("FS_IOC_SETFLAGS", 0x40086602), ("FS_IOC_GETVERSION", 0x80087601),
    ("FS_IOC_FIEMAP", 0xC020660B), ("FICLONERANGE", 0x4020940D),
    ("BTRFS_IOC_CLONE or FICLONE", 0x40049409),  # one number, two names: strace shows both
    ("FIDEDUPERANGE", 0xC0189436), ("FIFREEZE", 0xC0045877), ("FITHAW", 0xC0045878),
    ("BLKGETSIZE", 0x1260), ("BLKSSZGET", 0x1268), ("BLKGETSIZE64", 0x80081272),
)  # fmt: skip
IOC_DIR: Table = (("_IOC_NONE", 0), ("_IOC_READ", 2), ("_IOC_WRITE", 1))
