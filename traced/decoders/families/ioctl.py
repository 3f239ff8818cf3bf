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
import struct
from collections.abc import Sequence
from functools import cache

from traced.decoders._ioctls import IOCTLS
from traced.decoders.families.process import CLONE
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.values import (
    NOT_PRINTED,
    DecodedValue,
    Memory,
    Options,
    as_signed,
    chex,
    hex_address,
    read_exact,
)
from traced.decoders.xlat import Table, format_flags, lookup
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
        r"EVIOCRMFF|LOOP_(SET_FD|CHANGE_FD|CTL_ADD|CTL_REMOVE)|INOTIFY_IOC_SETNEXTWD"
        r"|PERF_EVENT_IOC_(REFRESH|SET_BPF|SET_OUTPUT)|FICLONE",
    ),
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
        r"|NS_GET_OWNER_UID|PERF_EVENT_IOC_(ID|MODIFY_ATTRIBUTES|PERIOD|QUERY_BPF|SET_FILTER)"
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
# layout (below) and whether the kernel writes it (read at exit, after a success) or
# reads it (read at entry).  Checked before the styles above.
_VALUES: tuple[tuple[str, str, bool], ...] = (
    (
        r"WDIOC_SET(TIMEOUT|PRETIMEOUT)|UBI_IOC(DET|EBER|EBUNMAP|EBISMAP|RMVOL|RPEB|SPEB)"
        r"|RNDADDTOENTCNT|BLK(ROSET|BSZSET)|SG_(NEXT_CMD_LEN|SET_COMMAND_Q|SET_DEBUG"
        r"|SET_FORCE_LOW_DMA|SET_FORCE_PACK_ID|SET_KEEP_ORPHAN|SET_RESERVED_SIZE|SET_TIMEOUT)",
        "int",
        False,
    ),
    (r"UBI_IOCVOLUP", "long", False),
    (
        r"LIRC_SET_(REC_TIMEOUT|WIDEBAND_RECEIVER|MEASURE_CARRIER_MODE|REC_TIMEOUT_REPORTS"
        r"|SEND_CARRIER|REC_CARRIER|SEND_DUTY_CYCLE|TRANSMITTER_MASK|REC_CARRIER_RANGE)",
        "uint",
        False,
    ),
    (r"TIOCSWINSZ", "winsize", False),
    (r"BLK(DISCARD|SECDISCARD|ZEROOUT)", "u64 pair", False),
    (r"FITRIM", "fstrim_range", False),
    (
        r"WDIOC_GET(TIMEOUT|PRETIMEOUT|STATUS|BOOTSTATUS|TEMP|TIMELEFT)|BLK(ROGET|BSZGET|SSZGET)",
        "int",
        True,
    ),
    (
        r"LIRC_GET_(LENGTH|MAX_TIMEOUT|MIN_TIMEOUT|REC_RESOLUTION|REC_TIMEOUT)|NS_GET_OWNER_UID",
        "uint",
        True,
    ),
    (
        r"HDIO_GET_(32BIT|ACOUSTIC|ADDRESS|BUSSTATE|DMA|KEEPSETTINGS|MULTCOUNT|NICE|NOWERR"
        r"|UNMASKINTR|WCACHE)",
        "ulong",
        True,
    ),
    (r"PERF_EVENT_IOC_ID|BLKGETSIZE64", "ulong", True),
    (r"TIOCGWINSZ", "winsize", True),
)
# Each layout: the struct module's format and strace's words for the fields.
_LAYOUTS: dict[str, tuple[str, str]] = {
    "int": ("<i", "[{}]"),
    "uint": ("<I", "[{}]"),
    "long": ("<q", "[{}]"),
    "ulong": ("<Q", "[{}]"),
    "winsize": ("<4H", "{{ws_row={}, ws_col={}, ws_xpixel={}, ws_ypixel={}}}"),
    "u64 pair": ("<2Q", "[{}, {}]"),
    "fstrim_range": ("<3Q", "{{start={:#x}, len={}, minlen={}}}"),
}
_COMPILED = tuple((style, re.compile(pattern)) for style, pattern in _STYLES)
_COMPILED_VALUES = tuple((re.compile(p), layout, out) for p, layout, out in _VALUES)


def ioctl_request(raw: int) -> DecodedValue:
    """A known request by name, else ``_IOC(dir, type, nr, size)``."""
    code = raw & 0xFFFFFFFF
    name = lookup(code, IOCTL)
    if name is not None:
        return DecodedValue(name, name, raw)
    direction = format_flags(code >> 30, IOC_DIR, "_IOC_???").text
    fields = (chex(code >> 8 & 0xFF), chex(code & 0xFF), chex(code >> 16 & 0x3FFF))
    text = f"_IOC({direction}, {', '.join(fields)})"
    return DecodedValue(text, text, raw)


@cache
def argument_style(request: int) -> str:
    """How strace prints the argument of ``request``: none, int, ulong, value (see
    :func:`value_layout`), pointer or hex."""
    names = _BY_NUMBER.get(request & 0xFFFFFFFF)
    if names is None:
        return "hex"
    if value_layout(request) is not None:
        return "value"
    for style, pattern in _COMPILED:
        if any(pattern.fullmatch(name) for name in names.split(" or ")):
            return style
    return "hex"


@cache
def value_layout(request: int) -> tuple[str, bool] | None:
    """The layout of the value ``request``'s argument points to, and whether the
    kernel writes it; None for a request not in :data:`_VALUES`."""
    names = _BY_NUMBER.get(request & 0xFFFFFFFF, "").split(" or ")
    for pattern, layout, output in _COMPILED_VALUES:
        if any(pattern.fullmatch(name) for name in names):
            return layout, output
    return None


def value_at(address: int, memory: Memory, layout: str) -> DecodedValue | None:
    """The value at ``address`` in strace's words, or None where it cannot be read."""
    form, words = _LAYOUTS[layout]
    data = read_exact(memory, address, struct.calcsize(form))
    if data is None:
        return None
    fields = struct.unpack(form, data)
    return DecodedValue(words.format(*fields), list(fields), address)


def ioctl_argument(request: int, raw: int, memory: Memory) -> DecodedValue:
    """The argument at entry, as strace prints it for ``request``."""
    style = argument_style(request)
    raw &= (1 << 64) - 1
    if style == "none":
        return DecodedValue(NOT_PRINTED, None, raw)
    if style == "int":
        return DecodedValue(str(as_signed(raw, 32)), as_signed(raw, 32), raw)
    if style == "ulong":
        return DecodedValue(str(raw), raw, raw)
    layout = value_layout(request)
    if layout is not None and not layout[1]:
        value = value_at(raw, memory, layout[0])
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
    return ioctl_argument(raw[at - 1], raw[at], memory)


def _exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """A value the kernel wrote, for the requests whose argument points to one."""
    layout = value_layout(raw[at - 1])
    if layout is None or not layout[1]:
        return None
    return value_at(raw[at], memory, layout[0])


DECODERS: dict[str, Decoder] = {"enum:ioctl": by_register(ioctl_request)}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("ioctl", "arg"): Decoder(entry=_entry, exit=_exit, in_and_out=True),
}
# The names a filter's argument predicates may use, by type ("A or B": each alone).
CONSTANTS: dict[str, Table] = {"enum:ioctl": IOCTLS}
