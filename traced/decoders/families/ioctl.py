"""ioctl: the request by name, any other as strace's ``_IOC(...)``; the argument as
strace 6.1 prints it for the request.

A request number packs its direction (bits 30-31), size (16-29), type (8-15) and
number (0-7), as asm-generic/ioctl.h lays them out.  Names are the kernel's
(traced/decoders/_ioctls.py, generated from the uapi headers); a number several
headers define is printed with all its names, sorted, joined by " or ", as strace
does (``SNDCTL_TMR_START or TCSETS``).

The argument is a register whose meaning only the request knows.  strace prints
it as a hex number (``0`` for zero) unless it decodes the request; a request it
decodes with a pointer shows ``NULL`` or the address when it cannot read it, and
some requests take a plain number or nothing at all.  The styles below are what
strace 6.1 prints, by request name, learnt from its own test suite's output.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from traced.decoders._ioctls import ABS_AXES, EV_TYPES, IOCTL_FUNCTIONS, IOCTLS
from traced.decoders.families.ioctl_structs import LAYOUTS as STRUCT_LAYOUTS
from traced.decoders.families.ioctl_values import LAYOUTS, REGISTERS
from traced.decoders.families.process import CLONE
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.strings import decode_cstring
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    NOT_PRINTED,
    DecodedValue,
    Memory,
    Options,
    as_signed,
    chex,
    hex_address,
    read_exact,
)
from traced.decoders.xlat import Table, format_enum, format_flags, lookup
from traced.events import Arg


def _joined(rows: Table) -> Table:
    """One row per request, its names joined by " or " (rows come sorted by value, name)."""
    names: dict[int, list[str]] = {}
    for name, value in rows:
        names.setdefault(value, []).append(name)
    return tuple((" or ".join(group), value) for value, group in names.items())


IOCTL: Table = _joined(IOCTLS)
IOC_DIR: Table = (("_IOC_NONE", 0), ("_IOC_READ", 2), ("_IOC_WRITE", 1))
_BY_NUMBER = {value: name for name, value in IOCTL}

# How strace 6.1 prints the argument, by request name (a name of an "A or B" request
# alone decides).  Checked in this order; a request none names is a hex number.
_STYLES: tuple[tuple[str, str], ...] = (
    (  # nothing: the request takes no argument
        "none",
        r"BLK(FLSBUF|RRPART|TRACESTART|TRACESTOP|TRACETEARDOWN)|COUNTER_(DIS|EN)ABLE_EVENTS_IOCTL"
        r"|RNDZAPENTCNT|FIFREEZE|FITHAW|KD(DISABIO|ENABIO|MAPDISP|UNMAPDISP)"
        r"|LOOP_(CLR_FD|CTL_GET_FREE|SET_CAPACITY)|NBD_(CLEAR_QUE|CLEAR_SOCK|DISCONNECT|DO_IT"
        r"|PRINT_DEBUG)|NS_GET_(NSTYPE|PARENT|USERNS)|PIO_FONTRESET|RND(CLEARPOOL|RESEEDCRNG)"
        r"|RTC_(AIE|PIE|UIE|WIE)_O(N|FF)|RTC_VL_CLR|SG_GET_TIMEOUT|UBI_IOCVOL(CR|RM)BLK"
        r"|WDIOC_KEEPALIVE",
    ),
    (  # an int, in decimal (an fd among them)
        "int",
        r"EVIOCRMFF|LOOP_(SET_FD|CHANGE_FD|CTL_ADD|CTL_REMOVE)|INOTIFY_IOC_SETNEXTWD|NBD_SET_SOCK"
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
# The requests whose argument points to a value strace prints: by name, the value's
# layout (families/ioctl_values.py) read at entry, and the one read at exit after a
# success (the kernel filled it).  Checked before the styles above.
_VALUES: tuple[tuple[str, str | None, str | None], ...] = (
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
    (r"RTC_(ALM|SET)_(SET|TIME)", "rtc_time", None),
    (r"RTC_(ALM_READ|RD_TIME)", None, "rtc_time"),
    (r"RTC_WKALM_SET", "rtc_wkalrm", None),
    (r"RTC_WKALM_RD", None, "rtc_wkalrm"),
    (r"RTC_PLL_SET", "rtc_pll_info", None),
    (r"RTC_PLL_GET", None, "rtc_pll_info"),
    (r"RTC_(EPOCH|IRQP)_READ", None, "ulong"),
    (r"RTC_VL_READ", None, "rtc vl"),
    (r"UFFDIO_API", "uffdio_api in", None),
    (r"UFFDIO_(UNREGISTER|WAKE)", "uffdio_range", None),
    (r"UFFDIO_REGISTER", "uffdio_register in", "uffdio_register"),
    (r"UFFDIO_COPY", "uffdio_copy in", "uffdio_copy"),
    (r"UFFDIO_ZEROPAGE", "uffdio_zeropage in", "uffdio_zeropage"),
    (r"SECCOMP_IOCTL_NOTIF_ID_VALID", "hex64", None),
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
        r"HDIO_GET_(32BIT|ACOUSTIC|ADDRESS|BUSSTATE|DMA|KEEPSETTINGS|MULTCOUNT|NICE|NOWERR"
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
_COMPILED = tuple((style, re.compile(pattern)) for style, pattern in _STYLES)
_COMPILED_VALUES = tuple((re.compile(p), entry, exit) for p, entry, exit in _VALUES)


_FUNCTIONS = dict(IOCTL_FUNCTIONS)
_EVDEV, _MIXER = 0x45, 0x4D  # 'E', 'M'
_READ, _WRITE = 2, 1
# EVIOCGNAME(len) and its kin: the number (bits 0-7) names the request, the rest is len.
_EVDEV_BY_LENGTH = {
    value & 0xFF: name
    for name, value in IOCTL_FUNCTIONS
    if name.startswith("EVIOC") and value >> 30 == _READ and value >> 16 & 0x3FFF == 0
}


def _evdev(direction: int, number: int, size: int) -> str | None:
    """linux/input.h's requests with parameters, as strace prints them."""
    gbit, gabs, sabs = (_FUNCTIONS[name] & 0xFF for name in ("EVIOCGBIT", "EVIOCGABS", "EVIOCSABS"))
    if direction == _WRITE and sabs <= number < sabs + 0x40:
        return f"EVIOCSABS({format_enum(number - sabs, ABS_AXES, 'ABS_???').text})"
    if direction != _READ:
        return None
    if gbit <= number < gbit + 0x20:
        event = number - gbit
        kind = format_enum(event, EV_TYPES, "EV_???").text if event else "0"
        return f"EVIOCGBIT({kind}, {size})"
    if gabs <= number < gabs + 0x40:
        return f"EVIOCGABS({format_enum(number - gabs, ABS_AXES, 'ABS_???').text})"
    name = _EVDEV_BY_LENGTH.get(number)
    return None if name is None else f"{name}({size})"


def parameterized(code: int) -> tuple[str, bool] | None:
    """The requests strace names with their parameters, and whether that is all it
    names them (evdev's) or it adds the number's names after " or " (the mixer's)."""
    direction, kind, number, size = code >> 30, code >> 8 & 0xFF, code & 0xFF, code >> 16 & 0x3FFF
    if kind == _EVDEV:
        text = _evdev(direction, number, size)
        return None if text is None else (text, True)
    if kind == _MIXER and direction in (_READ, _WRITE):
        return f"MIXER_{'READ' if direction == _READ else 'WRITE'}({number})", False
    return None


def ioctl_request(raw: int) -> DecodedValue:
    """A known request by name, else ``_IOC(dir, type, nr, size)``."""
    code = raw & 0xFFFFFFFF
    special = parameterized(code)
    if special is not None and special[1]:
        return DecodedValue(special[0], special[0], raw)
    name = lookup(code, IOCTL)
    if special is not None:
        name = special[0] if name is None else f"{special[0]} or {name}"
    if name is not None:
        return DecodedValue(name, name, raw)
    direction = format_flags(code >> 30, IOC_DIR, "_IOC_???").text
    fields = (chex(code >> 8 & 0xFF), chex(code & 0xFF), chex(code >> 16 & 0x3FFF))
    text = f"_IOC({direction}, {', '.join(fields)})"
    return DecodedValue(text, text, raw)


@lru_cache(maxsize=4096)  # requests recur; a fuzzing program's need not grow it
def argument_style(request: int) -> str:
    """How strace prints the argument of ``request``: none, int, string, ifname, ulong, value (see
    :func:`value_layouts`), named (ioctl_values.REGISTERS), pointer or hex."""
    names = _BY_NUMBER.get(request & 0xFFFFFFFF)
    if names is None:
        return "pointer" if parameterized(request & 0xFFFFFFFF) else "hex"
    if value_layouts(request) is not None:
        return "value"
    if names in REGISTERS:
        return "named"
    for style, pattern in _COMPILED:
        if any(pattern.fullmatch(name) for name in names.split(" or ")):
            return style
    return "hex"


@lru_cache(maxsize=4096)
def value_layouts(request: int) -> tuple[str | None, str | None] | None:
    """The layouts of the value ``request``'s argument points to, at entry and at
    exit (None: not read then); None for a request not in :data:`_VALUES`."""
    names = _BY_NUMBER.get(request & 0xFFFFFFFF, "").split(" or ")
    for pattern, entry, exit in _COMPILED_VALUES:
        if any(pattern.fullmatch(name) for name in names):
            return entry, exit
    return None


_LAYOUTS = {**LAYOUTS, **STRUCT_LAYOUTS}


def value_at(
    address: int, memory: Memory, layout: str, options: Options = DEFAULT_OPTIONS
) -> DecodedValue | None:
    """The value at ``address`` in strace's words, or None where it cannot be read;
    with -v, the layout's ``-v`` variant where it has one."""
    size, text = _LAYOUTS.get(f"{layout} -v" if options.verbose else layout) or _LAYOUTS[layout]
    data = read_exact(memory, address, size)
    if data is None:
        return None
    return DecodedValue(text(data), None, address)


def ioctl_argument(
    request: int, raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS
) -> DecodedValue:
    """The argument at entry, as strace prints it for ``request``."""
    style = argument_style(request)
    raw &= (1 << 64) - 1
    if style == "string":
        return decode_cstring(raw, memory, options)
    if style == "ifname":
        return value_at(raw, memory, "ifname") or DecodedValue(hex_address(raw), raw, raw)
    if style == "none":
        return DecodedValue(NOT_PRINTED, None, raw)
    if style == "int":
        return DecodedValue(str(as_signed(raw, 32)), as_signed(raw, 32), raw)
    if style == "ulong":
        return DecodedValue(str(raw), raw, raw)
    if style == "named":
        return DecodedValue(REGISTERS[_BY_NUMBER[request & 0xFFFFFFFF]](raw), raw, raw)
    entry = (value_layouts(request) or (None, None))[0]
    if entry is not None:
        value = value_at(raw, memory, entry, options)
        if value is not None:
            return value
    if style in ("value", "pointer"):
        return DecodedValue(hex_address(raw), raw, raw)
    return DecodedValue(chex(raw), raw, raw)


def ioctl_result(request: int, retval: int) -> str | None:
    """strace's words for a successful result: NS_GET_NSTYPE's namespace type."""
    if _BY_NUMBER.get(request & 0xFFFFFFFF) != "NS_GET_NSTYPE":
        return None
    name = lookup(retval, CLONE)
    return None if name is None else f"{retval} ({name})"


def _entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return ioctl_argument(raw[at - 1], raw[at], memory, options)


def _exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """A value the kernel wrote, for the requests whose argument points to one."""
    exit = (value_layouts(raw[at - 1]) or (None, None))[1]
    return None if exit is None else value_at(raw[at], memory, exit, options)


DECODERS: dict[str, Decoder] = {"enum:ioctl": by_register(ioctl_request)}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("ioctl", "arg"): Decoder(entry=_entry, exit=_exit, in_and_out=True),
}
# The names a filter's argument predicates may use, by type ("A or B": each alone).
CONSTANTS: dict[str, Table] = {"enum:ioctl": IOCTLS}
