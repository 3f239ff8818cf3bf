"""How strace 6.1 prints ioctl's argument, by request name: data, no code.

The argument is a register whose meaning only the request knows.  strace prints it
as a hex number (``0`` for zero) unless it decodes the request: then it may follow
a pointer (``NULL``, or the address where it cannot read), take a plain number, or
print nothing.  These tables say which, learnt from strace 6.1's output on its own
test suite; families/ioctl.py applies them.
"""

from __future__ import annotations

# How strace 6.1 prints the argument, by request name (a name of an "A or B" request
# alone decides).  Checked in this order; a request none names is a hex number.
STYLES: tuple[tuple[str, str], ...] = (
    (  # nothing: the request takes no argument
        "none",
        r"BLK(FLSBUF|RRPART|TRACESTART|TRACESTOP|TRACETEARDOWN)|COUNTER_(DIS|EN)ABLE_EVENTS_IOCTL"
        r"|RNDZAPENTCNT|FIFREEZE|FITHAW|KD(DISABIO|ENABIO|MAPDISP|UNMAPDISP)"
        r"|LOOP_(CLR_FD|CTL_GET_FREE|SET_CAPACITY)|NBD_(CLEAR_QUE|CLEAR_SOCK|DISCONNECT|DO_IT"
        r"|PRINT_DEBUG)|NS_GET_(NSTYPE|PARENT|USERNS)|PIO_FONTRESET|RND(CLEARPOOL|RESEEDCRNG)"
        r"|RTC_(AIE|PIE|UIE|WIE)_O(N|FF)|RTC_VL_CLR|SG_GET_TIMEOUT|UBI_IOCVOL(CR|RM)BLK"
        r"|WDIOC_KEEPALIVE|FIOCLEX|FIONCLEX|TIOC(EXCL|NXCL|NOTTY|SBRK|CBRK|VHANGUP)"
        r"|BTRFS_IOC_(TRANS_START|TRANS_END|SYNC|SCRUB_CANCEL|QUOTA_RESCAN_WAIT|DEFRAG|BALANCE)",
    ),
    (  # an int, in decimal (an fd among them)
        "int",
        r"EVIOCRMFF|LOOP_(CTL_ADD|CTL_REMOVE)|INOTIFY_IOC_SETNEXTWD"
        r"|PERF_EVENT_IOC_(REFRESH|SET_BPF|SET_OUTPUT)|FICLONE",
    ),
    ("string", r"PERF_EVENT_IOC_SET_FILTER"),  # a NUL-terminated string, cut at -s
    ("ifname", r"SIOCBR(ADD|DEL)BR"),  # an interface's name: IFNAMSIZ bytes, all read
    (  # an unsigned long, in decimal
        "ulong",
        r"BLK(FRA|RA)SET|EVIOC(GRAB|REVOKE)|HDIO_SET_(32BIT|ACOUSTIC|ADDRESS|DMA|KEEPSETTINGS"
        r"|MULTCOUNT|NOWERR|PIO_MODE|UNMASKINTR|WCACHE)|HDIO_UNREGISTER_HWIF"
        r"|LOOP_SET_(BLOCK_SIZE|DIRECT_IO)|NBD_SET_(BLKSIZE|SIZE|SIZE_BLOCKS|TIMEOUT)"
        r"|PERF_EVENT_IOC_PAUSE_OUTPUT|RTC_(EPOCH|IRQP)_SET",
    ),
    (  # a pointer strace follows: NULL, or the address where it cannot read
        "pointer",
        r"COUNTER_ADD_WATCH_IOCTL|BLK\w+|EVIOC\w+|FS_IOC\w+|FIO(GET|SET)OWN|FITRIM|[GP]IO_\w+|GPIO\w+"
        r"|HDIO_(DRIVE_CMD|DRIVE_RESET|GETGEO|GET_IDENTITY|OBSOLETE_IDENTITY|SCAN_HWIF)"
        r"|HDIO_GET_(?!QDMA)\w+|KD(FONTOP|GETKEYCODE|GETLED|GETMODE|GKB\w+|KBDREP|SETKEYCODE"
        r"|SKBDIACR|SKBDIACRUC|SKBENT|SKBSENT)|KVM_SET_CPUID2|LIRC_\w+|LOOP_\w+|MEM\w+"
        r"|ECCGET\w+|OTP\w+|PERF_EVENT_IOC_(ID|MODIFY_ATTRIBUTES|PERIOD|QUERY_BPF|SET_FILTER)"
        r"|PTP_(?!ENABLE_PPS)\w+|RNDADDENTROPY|RTC_\w+|SECCOMP_IOCTL_\w+|SG_(?!SET_TRANSFORM)\w+"
        r"|SIOC\w+|TC(GET|SET)\w+|TIOC([GS]WINSZ|M\w+|[GS]LCKTRMIOS)|TEE_\w+|UBI_\w+"
        r"|UFFDIO_(API|COPY|REGISTER|UNREGISTER|WAKE|ZEROPAGE)|DM_\w+|VIDIOC_(CREATE_BUFS"
        r"|CROPCAP|DQBUF|ENUMINPUT|ENUMSTD|ENUM_FMT|ENUM_FRAMEINTERVALS|ENUM_FRAMESIZES|G_CROP"
        r"|G_CTRL|G_EXT_CTRLS|G_FBUF|G_FMT|G_INPUT|G_PARM|G_STD|G_TUNER|QBUF|QUERYBUF"
        r"|QUERYCAP|QUERYCTRL|QUERY_EXT_CTRL|REQBUFS|STREAMOFF|STREAMON|S_CROP|S_CTRL"
        r"|S_EXT_CTRLS|S_FBUF|S_FMT|S_INPUT|S_PARM|S_STD|S_TUNER|TRY_EXT_CTRLS|TRY_FMT)",
    ),
)
# (Requests with their own printers, families/ioctl_*.py's REQUESTS, come first.)
# The requests whose argument points to a value strace prints: by name, the value's
# layout (families/ioctl_values.py) read at entry, and the one read at exit after a
# success (the kernel filled it).  Checked before the styles above.
VALUES: tuple[tuple[str, str | None, str | None], ...] = (
    (
        r"WDIOC_SET(TIMEOUT|PRETIMEOUT)|UBI_IOC(DET|EBER|EBUNMAP|EBISMAP|RMVOL|RPEB|SPEB)"
        r"|RNDADDTOENTCNT|BLK(ROSET|BSZSET)|SG_(NEXT_CMD_LEN|SET_COMMAND_Q|SET_DEBUG"
        r"|SET_FORCE_LOW_DMA|SET_FORCE_PACK_ID|SET_KEEP_ORPHAN|SET_RESERVED_SIZE|SET_TIMEOUT)",
        "int",
        None,
    ),
    (r"UBI_IOCVOLUP", "long", None),
    (
        r"LIRC_SET_(REC_TIMEOUT|WIDEBAND_RECEIVER|MEASURE_CARRIER_MODE|REC_TIMEOUT_REPORTS"
        r"|SEND_CARRIER|REC_CARRIER|SEND_DUTY_CYCLE|REC_CARRIER_RANGE)",
        "uint",
        None,
    ),
    (r"LIRC_SET_TRANSMITTER_MASK", "hex", None),
    (r"LIRC_SET_(SEND|REC)_MODE", "lirc mode", None),
    (r"LIRC_GET_(SEND|REC)_MODE", None, "lirc mode"),
    (r"LIRC_GET_FEATURES", None, "lirc features"),
    (r"FS_IOC_FSSETXATTR", "fsxattr in", None),
    (r"FS_IOC_FSGETXATTR", None, "fsxattr"),
    (r"COUNTER_ADD_WATCH_IOCTL", "counter_watch", None),
    (r"EVIOCSCLOCKID", "uint", None),
    (r"FIONBIO|FIOASYNC|TIOCSPGRP|TIOCSPTLCK|TIOCSETD", "int", None),
    (r"FIONREAD|TIOCOUTQ|TIOCGPGRP|TIOCGSID|TIOCGETD", None, "int"),
    (r"TIOCGPTN", None, "uint"),
    (r"VIDIOC_S_INPUT", "uint", None),
    (r"VIDIOC_G_INPUT", None, "uint"),
    (r"VIDIOC_S_STD", "hex64", None),
    (r"VIDIOC_G_STD", None, "hex64"),
    (r"KDSETKEYCODE", "kbkeycode", None),
    # "=> X": the entry's text, then what the kernel wrote; "=>} X": the same inside
    # the entry's braces.
    (r"KDGETKEYCODE", "kbkeycode", "=>} keycode"),
    (r"KDKBDREP", "kbd_repeat", "=> kbd_repeat"),
    (r"RTC_(ALM|SET)_(SET|TIME)", "rtc_time", None),
    (r"RTC_(ALM_READ|RD_TIME)", None, "rtc_time"),
    (r"RTC_WKALM_SET", "rtc_wkalrm", None),
    (r"RTC_WKALM_RD", None, "rtc_wkalrm"),
    (r"RTC_PLL_SET", "rtc_pll_info", None),
    (r"RTC_PLL_GET", None, "rtc_pll_info"),
    (r"RTC_(EPOCH|IRQP)_READ", None, "ulong"),
    (r"RTC_VL_READ", None, "rtc vl"),
    (r"UFFDIO_(UNREGISTER|WAKE)", "uffdio_range", None),
    (r"UFFDIO_REGISTER", "uffdio_register in", "uffdio_register"),
    (r"UFFDIO_COPY", "uffdio_copy in", "uffdio_copy"),
    (r"UFFDIO_ZEROPAGE", "uffdio_zeropage in", "uffdio_zeropage"),
    (r"SECCOMP_IOCTL_NOTIF_ID_VALID(_WRONG_DIR)?", "hex64", None),
    (r"SECCOMP_IOCTL_NOTIF_SEND", "seccomp_notif_resp", None),
    (r"SECCOMP_IOCTL_NOTIF_ADDFD", "seccomp_notif_addfd", None),
    (r"FIOSETOWN|SIOCSPGRP|SIOCSIFENCAP", "int", None),
    (r"FIOGETOWN|SIOCATMARK|SIOCGPGRP", None, "int"),
    (r"SIOCSIFFLAGS", "ifreq flags", None),
    (r"SIOCSIFMTU", "ifreq mtu", None),
    (r"SIOCSIFMETRIC", "ifreq metric", None),
    (r"SIOCSIFTXQLEN", "ifreq qlen", None),
    (r"SIOCSIFNAME", "ifreq newname", None),
    (r"SIOCSIFSLAVE", "ifreq slave", None),
    (r"EVIOCSREP", "uint pair", None),
    (r"TIOCSWINSZ", "winsize", None),
    (r"TIOCM(BIS|BIC|SET)", "tiocm", None),
    (r"FS_IOC(32)?_SETFLAGS", "fs flags", None),
    (r"BLK(DISCARD|SECDISCARD|ZEROOUT)", "u64 pair", None),
    (r"FITRIM", "fstrim_range", None),
    (r"VIDIOC_ENUMINPUT", "v4l2_input index", "v4l2_input"),
    (r"VIDIOC_ENUMSTD", "v4l2 index", None),
    (r"VIDIOC_ENUM_FMT", "v4l2_fmtdesc in", "v4l2_fmtdesc"),
    (r"VIDIOC_G_FMT", "v4l2 type", None),
    (
        r"WDIOC_GET(TIMEOUT|PRETIMEOUT|STATUS|BOOTSTATUS|TEMP|TIMELEFT)|BLK(ROGET|BSZGET|SSZGET)",
        None,
        "int",
    ),
    (
        r"LIRC_GET_(LENGTH|MAX_TIMEOUT|MIN_TIMEOUT|REC_RESOLUTION|REC_TIMEOUT)|NS_GET_OWNER_UID",
        None,
        "uint",
    ),
    (
        r"HDIO_GET_(32BIT|ACOUSTIC|ADDRESS|DMA|KEEPSETTINGS|MULTCOUNT|NOWERR"
        r"|UNMASKINTR|WCACHE)|PERF_EVENT_IOC_ID|BLKGETSIZE64",
        None,
        "ulong",
    ),
    (r"PERF_EVENT_IOC_PERIOD", "ulong", None),
    (r"TIOCGWINSZ", None, "winsize"),
    (r"TIOCMGET", None, "tiocm"),
    (r"FS_IOC(32)?_GETFLAGS", None, "fs flags"),
    (r"KDGETLED", None, "led byte"),
    (r"KDGKBLED", None, "kbled byte"),
    (r"KDGETMODE", None, "kd mode"),
    (r"KDGKBMODE", None, "kb mode"),
    (r"KDGKBMETA", None, "kb meta"),
    (r"KDGKBTYPE", None, "kb type"),
)
