"""Resources and scheduling classes: struct rusage (getrusage, wait4, waitid),
getrusage's who, an I/O priority (ioprio_set's, ioprio_get's result), and flag words
that pack a field beside their flags: fanotify_init's notification class,
kexec_load's architecture, membarrier's command flags.

strace shows a rusage whole only with -v; otherwise its two times and ``...``.  An
I/O priority is a class in bits 13 and up and a level below them, which strace
prints as the kernel's macro builds it: ``IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.strings import decode_buffer
from traced.decoders.values import (
    DecodedValue,
    Memory,
    Options,
    as_signed,
    hex_address,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import Table, format_enum, format_flags, lookup, named, styled
from traced.events import Arg

_RUSAGE = struct.Struct("<qQqQ14Q")  # two struct timeval, then fourteen longs
_RUSAGE_LONGS = (
    "ru_maxrss", "ru_ixrss", "ru_idrss", "ru_isrss", "ru_minflt", "ru_majflt", "ru_nswap",
    "ru_inblock", "ru_oublock", "ru_msgsnd", "ru_msgrcv", "ru_nsignals", "ru_nvcsw",
    "ru_nivcsw",
)  # fmt: skip


def rusage(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """``{ru_utime={tv_sec=0, tv_usec=738}, ru_stime={...}, ...}`` (-v: every field)."""
    data = read_exact(memory, raw, _RUSAGE.size)
    if data is None:
        return unreadable(raw)
    fields = _RUSAGE.unpack(data)
    parts = [
        f"ru_utime={{tv_sec={fields[0]}, tv_usec={fields[1]}}}",
        f"ru_stime={{tv_sec={fields[2]}, tv_usec={fields[3]}}}",
    ]
    if options.verbose:
        parts += [f"{name}={value}" for name, value in zip(_RUSAGE_LONGS, fields[4:], strict=True)]
    else:
        parts.append("...")
    return DecodedValue("{" + ", ".join(parts) + "}", data.hex(), raw)


def _rusage_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    return rusage(raw[at], memory, options)


def _wait4_rusage(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """wait4 fills the rusage only when it reaped a child: not for WNOHANG's 0."""
    return rusage(raw[at], memory, options) if retval > 0 else None


def rusage_who(raw: int) -> DecodedValue:
    value = as_signed(raw, 32)
    return format_enum(value, K.RUSAGE_WHO, "RUSAGE_???", decimal=value < 0)


_IOPRIO_CLASS_SHIFT = 13


def ioprio(raw: int) -> DecodedValue:
    """``IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)``: the class, then the level; -X raw:
    the number; -X verbose: the number with the macro in a comment."""
    value = raw & 0xFFFFFFFF
    return DecodedValue(styled(ioprio_words(value), str(as_signed(value, 32))), value, raw)


def ioprio_words(value: int) -> str:
    """``IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)``, the class in the -X style."""
    kind, level = value >> _IOPRIO_CLASS_SHIFT, value & ((1 << _IOPRIO_CLASS_SHIFT) - 1)
    kind_text = format_enum(kind, K.IOPRIO_CLASS, "IOPRIO_CLASS_???").text
    return f"IOPRIO_PRIO_VALUE({kind_text}, {level})"


def _field_and_flags(
    value: int, field: tuple[int, Table, str], flags: Table, unknown: str
) -> DecodedValue:
    """A field (``mask``, its table and marker) printed first, then the flags, each in
    the style of its own (strace prints the two with two calls)."""
    mask, table, field_unknown = field
    part = value & mask
    name = lookup(part, table)
    texts = [named(part, name, field_unknown)]
    rest = value & ~mask
    if rest:
        texts.append(format_flags(rest, flags, unknown).text)
    return DecodedValue("|".join(texts), value, value)


_FAN_CLASS_BITS = 0xC


def fanotify_init_flags(raw: int) -> DecodedValue:
    """``FAN_CLASS_CONTENT|FAN_CLOEXEC``: the class, then the other flags."""
    return _field_and_flags(
        raw & 0xFFFFFFFF, (_FAN_CLASS_BITS, K.FAN_CLASS, "FAN_CLASS_???"), K.FAN_INIT, "FAN_???"
    )


_KEXEC_ARCH_MASK = 0xFFFF0000


def kexec_flags(raw: int) -> DecodedValue:
    """``KEXEC_ARCH_SH|KEXEC_ON_CRASH``: the architecture, then the flags (an unsigned
    long: bits past 32 are flags no name covers)."""
    return _field_and_flags(
        raw, (_KEXEC_ARCH_MASK, K.KEXEC_ARCH, "KEXEC_ARCH_???"), K.KEXEC_LOAD, "KEXEC_???"
    )


_SWAP_FLAG_PRIO_MASK = 0x7FFF


def swap_flags(raw: int) -> DecodedValue:
    """swapon's ``SWAP_FLAG_PREFER|5``: the flags, then the priority they carry."""
    value = raw & 0xFFFFFFFF
    priority, flags = value & _SWAP_FLAG_PRIO_MASK, value & ~_SWAP_FLAG_PRIO_MASK
    if not flags:
        return DecodedValue(str(priority), priority, raw)
    text = format_flags(flags, K.SWAP, "SWAP_FLAG_???").text
    return DecodedValue(f"{text}|{priority}", value, raw)


_KEXEC_SEGMENT = struct.Struct("<QQQQ")  # void *buf; size_t bufsz; void *mem; size_t memsz
_KEXEC_SEGMENT_MAX = 16


def _segment(data: bytes) -> str:
    buf, bufsz, mem, memsz = _KEXEC_SEGMENT.unpack(data)
    return f"{{buf={hex_address(buf)}, bufsz={bufsz}, mem={hex_address(mem)}, memsz={memsz}}}"


def _kexec_segments(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """kexec_load's segments: an array of nr_segments, an address past the kernel's
    most (KEXEC_SEGMENT_MAX)."""
    count = raw[at - 1]
    if count > _KEXEC_SEGMENT_MAX:
        return unreadable(raw[at])
    return array_text(raw[at], count, _KEXEC_SEGMENT.size, memory, options, element=_segment)


def _kexec_cmdline(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """kexec_file_load's command line: the cmdline_len bytes before it, NUL and all."""
    return decode_buffer(raw[at], memory, raw[at - 1], options)


DECODERS: dict[str, Decoder] = {
    "flags:swap": by_register(swap_flags),
    "struct:rusage": Decoder(exit=_rusage_exit),
    "enum:rusage_who": by_register(rusage_who),
    "enum:ioprio": by_register(ioprio),
    "flags:fanotify_init": by_register(fanotify_init_flags),
    "flags:kexec": by_register(kexec_flags),
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("wait4", "rusage"): Decoder(exit=_wait4_rusage),
    ("kexec_load", "segments"): Decoder(entry=_kexec_segments),
    ("kexec_file_load", "cmdline"): Decoder(entry=_kexec_cmdline),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "enum:rusage_who": K.RUSAGE_WHO, "flags:fanotify_init": K.FAN_CLASS + K.FAN_INIT,
    "flags:kexec": K.KEXEC_ARCH + K.KEXEC_LOAD,
}  # fmt: skip
