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
    (  # a pointer to an int: ``[N]``, read at entry, or at exit for a GET
        "int*",
        r"WDIOC_(GET|SET)(TIMEOUT|PRETIMEOUT)|WDIOC_GET(STATUS|BOOTSTATUS|TEMP|TIMELEFT)"
        r"|UBI_IOC(DET|EBER|EBUNMAP|EBISMAP|RMVOL)|RNDADDTOENTCNT|HDIO_GET_(32BIT|ACOUSTIC"
        r"|ADDRESS|BUSSTATE|DMA|KEEPSETTINGS|MULTCOUNT|NICE|NOWERR|UNMASKINTR|WCACHE)"
        r"|BLK(ROSET|ROGET|BSZGET|BSZSET|SSZGET|PBSZGET|IOMIN|IOOPT|ALIGNOFF)",
    ),
    (  # a pointer strace follows: NULL, or the address where it cannot read
        "pointer",
        r"BLK\w+|EVIOC\w+|FS_IOC\w+|FIO(GET|SET)OWN|FITRIM|[GP]IO_\w+|GPIO\w+"
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
_COMPILED = tuple((style, re.compile(pattern)) for style, pattern in _STYLES)
# The C type of an ``int*`` request's int, where it is not an int.
_WIDE = re.compile(r"HDIO_GET_\w+|BLKGETSIZE")


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
    """How strace prints the argument of ``request``: none, int, ulong, int*, pointer
    or hex."""
    names = _BY_NUMBER.get(request & 0xFFFFFFFF)
    if names is None:
        return "hex"
    for style, pattern in _COMPILED:
        if any(pattern.fullmatch(name) for name in names.split(" or ")):
            return style
    return "hex"


def _int_at(address: int, memory: Memory, signed: bool) -> DecodedValue | None:
    size = 4 if signed else 8
    data = read_exact(memory, address, size)
    if data is None:
        return None
    number = struct.unpack("<i" if signed else "<Q", data)[0]
    return DecodedValue(f"[{number}]", number, address)


def _is_output(request: int) -> bool:
    return "GET" in _BY_NUMBER.get(request & 0xFFFFFFFF, "")


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
    if style == "int*" and not _is_output(request):
        name = _BY_NUMBER.get(request & 0xFFFFFFFF, "")
        known = _int_at(raw, memory, signed=not _WIDE.fullmatch(name))
        if known is not None:
            return known
    if style in ("int*", "pointer"):
        return DecodedValue(hex_address(raw), raw, raw)
    return DecodedValue(chex(raw), raw, raw)


def _entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return ioctl_argument(raw[at - 1], raw[at], memory)


def _exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """An ``int*`` GET request's int, which the kernel wrote."""
    request = raw[at - 1]
    if argument_style(request) != "int*" or not _is_output(request):
        return None
    name = _BY_NUMBER.get(request & 0xFFFFFFFF, "")
    return _int_at(raw[at], memory, signed=not _WIDE.fullmatch(name))


DECODERS: dict[str, Decoder] = {"enum:ioctl": by_register(ioctl_request)}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("ioctl", "arg"): Decoder(entry=_entry, exit=_exit, in_and_out=True),
}
# The names a filter's argument predicates may use, by type ("A or B": each alone).
CONSTANTS: dict[str, Table] = {"enum:ioctl": IOCTLS}
