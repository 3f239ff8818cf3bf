"""The system as a whole: syslog's actions, reboot's magic and commands, sysinfo's
struct, _sysctl's arguments and the robust futex list, as strace 6.1 prints them.

syslog(type, bufp, len): SYSLOG_ACTION_* (include/linux/syslog.h, not uapi) name
what the kernel does.  CLOSE, OPEN, CLEAR, CONSOLE_OFF, CONSOLE_ON, SIZE_UNREAD and
SIZE_BUFFER ignore bufp and len, and strace shows the type alone; the READ actions
fill bufp with as many bytes as they return; CONSOLE_LEVEL takes a console log level
(1 to 8) in len; any other type is printed with its address and length.  strace
prints the type as a number with its name in a comment whatever -X says.

reboot(magic, magic2, cmd, arg) takes LINUX_REBOOT_MAGIC1 and one of the MAGIC2
dates (linux/reboot.h); arg is read only by LINUX_REBOOT_CMD_RESTART2, as a command
line of at most 255 bytes (the kernel's buffer is 256, its last byte a NUL).

struct sysinfo on a 64-bit ABI: long uptime, unsigned long loads[3], then six
unsigned longs (totalram ... freeswap), unsigned short procs at 80, two more unsigned
longs at 88 (totalhigh, freehigh), unsigned int mem_unit at 104: 112 bytes.
struct __sysctl_args: int *name, int nlen, void *oldval, size_t *oldlenp, void
*newval, size_t newlen (at 0, 8, 16, 24, 32, 40), four unused longs: 80 bytes.

get_robust_list(pid, head_ptr, len_ptr) writes the list head's address and the
size of the head through its two pointers.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence

from msgspec.structs import replace

from traced.decoders import _constants as K
from traced.decoders.kinds import Alone, Decoder, at_exit, by_pointer, by_register
from traced.decoders.strings import decode_buffer, quote
from traced.decoders.values import (
    NOT_PRINTED,
    UNREADABLE,
    DecodedValue,
    Memory,
    Options,
    as_signed,
    hex_address,
    read_exact,
    strings_memory,
    unreadable,
)
from traced.decoders.xlat import Table, format_enum, lookup
from traced.events import Arg, text_value

_SYSLOG = dict(K.SYSLOG_ACTION)
# The actions that read neither bufp nor len: strace prints the type alone.
_SYSLOG_ALONE = frozenset(
    _SYSLOG[f"SYSLOG_ACTION_{name}"]
    for name in ("CLOSE", "OPEN", "CLEAR", "CONSOLE_OFF", "CONSOLE_ON", "SIZE_UNREAD",
                 "SIZE_BUFFER")
)  # fmt: skip
_SYSLOG_READS = frozenset(
    _SYSLOG[f"SYSLOG_ACTION_{name}"] for name in ("READ", "READ_ALL", "READ_CLEAR")
)
_CONSOLE_LEVEL = _SYSLOG["SYSLOG_ACTION_CONSOLE_LEVEL"]


def _numbered(value: int, table: Table, unknown: str) -> DecodedValue:
    """``9 /* SYSLOG_ACTION_SIZE_UNREAD */``: an int in decimal with its name in a
    comment, in every -X style (strace's XLAT_STYLE_VERBOSE | XLAT_STYLE_FMT_D)."""
    number = as_signed(value, 32)
    name = lookup(value & 0xFFFFFFFF, table)
    return DecodedValue(f"{number} /* {name or unknown} */", name or number, value)


def syslog_type(raw: int) -> DecodedValue:
    return _numbered(raw, K.SYSLOG_ACTION, "SYSLOG_ACTION_???")


def _syslog_len(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """CONSOLE_LEVEL's level (``7 /* LOGLEVEL_DEBUG */``), any other type's length."""
    if raw[0] & 0xFFFFFFFF == _CONSOLE_LEVEL:
        return _numbered(raw[at], K.LOGLEVEL, "LOGLEVEL_???")
    length = as_signed(raw[at], 32)
    return DecodedValue(str(length), length, raw[at])


def _syslog_read(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """What the READ actions wrote (their result is its length); any other type's
    bufp stays its address."""
    if raw[0] & 0xFFFFFFFF not in _SYSLOG_READS:
        return None
    return decode_buffer(raw[at], memory, retval, options)


def syslog_shown(args: list[Arg], at: Mapping[str, int]) -> None:
    """The actions that read neither bufp nor len are shown with their type alone."""
    if (args[at["type"]].raw or 0) & 0xFFFFFFFF in _SYSLOG_ALONE:
        for name in ("bufp", "len"):
            args[at[name]] = replace(args[at[name]], text=NOT_PRINTED)


_RESTART2 = dict(K.REBOOT_CMD)["LINUX_REBOOT_CMD_RESTART2"]
_REBOOT_ARG_MAX = 255  # the kernel's 256-byte buffer, less its NUL


def _reboot_magic(table: Table) -> Decoder:
    def decode(raw: int) -> DecodedValue:
        return format_enum(raw & 0xFFFFFFFF, table, "LINUX_REBOOT_MAGIC_???")

    return by_register(decode)


def _reboot_arg(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """RESTART2's command line, at most 255 bytes and -s: ``"..."`` after it when no
    NUL ends it there (strace's printstr_ex with QUOTE_0_TERMINATED); unread by any
    other command, so not shown."""
    if raw[2] & 0xFFFFFFFF != _RESTART2:
        return DecodedValue(NOT_PRINTED, raw[at], raw[at])
    size = min(_REBOOT_ARG_MAX, max(0, options.string_limit))
    address = raw[at]
    try:
        data = bytes(strings_memory(memory).cstring(address, size)) if address else None
    except UNREADABLE:
        data = None
    if data is None:
        return unreadable(address)
    data = data.split(b"\0", 1)[0]
    return DecodedValue(quote(data, len(data) >= size), text_value(data), address)


_SYSINFO_LONGS = struct.Struct("<q9Q")  # uptime, loads[3], totalram ... freeswap
_SYSINFO_TAIL = struct.Struct("<H6xQQI")  # procs at 80, totalhigh, freehigh, mem_unit
_SYSINFO_NAMES = ("totalram", "freeram", "sharedram", "bufferram", "totalswap", "freeswap")


def sysinfo(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """``{uptime=22736, loads=[149088, 140384, 193632], totalram=..., mem_unit=1}``."""
    data = read_exact(memory, raw, 112)
    if data is None:
        return unreadable(raw)
    uptime, *rest = _SYSINFO_LONGS.unpack_from(data)
    loads, sizes = rest[:3], rest[3:]
    procs, high, free_high, unit = _SYSINFO_TAIL.unpack_from(data, 80)
    fields: dict[str, int | list[int]] = {"uptime": uptime, "loads": loads}
    fields |= dict(zip(_SYSINFO_NAMES, sizes, strict=True))
    fields |= {"procs": procs, "totalhigh": high, "freehigh": free_high, "mem_unit": unit}
    parts = [
        f"{name}=[{', '.join(map(str, value))}]" if isinstance(value, list) else f"{name}={value}"
        for name, value in fields.items()
    ]
    return DecodedValue("{" + ", ".join(parts) + "}", fields, raw)


_SYSCTL_ARGS = struct.Struct("<Qi4xQQQQ")


def sysctl_args(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """``{name=NULL, nlen=0, oldval=NULL, oldlenp=NULL, newval=NULL, newlen=0}``."""
    data = read_exact(memory, raw, 80)
    if data is None:
        return unreadable(raw)
    name, nlen, old, oldlenp, new, newlen = _SYSCTL_ARGS.unpack_from(data)
    text = (
        f"{{name={hex_address(name)}, nlen={nlen}, oldval={hex_address(old)}, "
        f"oldlenp={hex_address(oldlenp)}, newval={hex_address(new)}, newlen={newlen}}}"
    )
    return DecodedValue(text, {"nlen": nlen, "newlen": newlen}, raw)


def _indirect(render: str) -> Alone:
    """A word the kernel wrote through a pointer: ``[0x7f...]`` or ``[24]``."""

    def decode(raw: int, memory: Memory, options: Options) -> DecodedValue:
        data = read_exact(memory, raw, 8)
        if data is None:
            return unreadable(raw)
        word = struct.unpack("<Q", data)[0]
        return DecodedValue(f"[{hex_address(word) if render == 'ptr' else word}]", word, raw)

    return decode


DECODERS: dict[str, Decoder] = {
    "enum:syslog": by_register(syslog_type),
    "enum:reboot_magic": _reboot_magic(K.REBOOT_MAGIC1),
    "enum:reboot_cmd": by_register(
        lambda raw: format_enum(raw & 0xFFFFFFFF, K.REBOOT_CMD, "LINUX_REBOOT_CMD_???")
    ),
    "struct:sysctl_args": by_pointer(sysctl_args),
}
_OUTPUTS = {
    ("sysinfo", "info"): sysinfo,
    ("get_robust_list", "head_ptr"): _indirect("ptr"),
    ("get_robust_list", "len_ptr"): _indirect("ulong"),
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("syslog", "bufp"): Decoder(exit=_syslog_read),
    ("syslog", "len"): Decoder(entry=_syslog_len),
    ("reboot", "magic2"): _reboot_magic(K.REBOOT_MAGIC2),
    ("reboot", "arg"): Decoder(entry=_reboot_arg),
} | {key: at_exit(decode) for key, decode in _OUTPUTS.items()}
OUTPUTS = frozenset(_OUTPUTS)
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "enum:syslog": K.SYSLOG_ACTION,
    "enum:reboot_magic": K.REBOOT_MAGIC1 + K.REBOOT_MAGIC2,
    "enum:reboot_cmd": K.REBOOT_CMD,
}
