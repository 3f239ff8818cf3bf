"""Processes: clone's flags, wait's options and status, resource limits, execve's
argv and envp, and arch_prctl's codes (Linux x86_64 values)."""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders.families.signals import SIGNALS, signal
from traced.decoders.kinds import Decoder, by_pointer, by_register
from traced.decoders.strings import decode_cstring, format_string_list
from traced.decoders.style import ABBREV, current
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    UNREADABLE,
    DecodedValue,
    Json,
    Memory,
    Options,
    hex_address,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import (
    Table,
    flag_names,
    format_enum,
    format_flags,
    joined,
    lookup,
    named,
    number,
    styled,
)
from traced.events import Arg

_CLONE_BITS = """CLONE_VM CLONE_FS CLONE_FILES CLONE_SIGHAND CLONE_PIDFD CLONE_PTRACE
    CLONE_VFORK CLONE_PARENT CLONE_THREAD CLONE_NEWNS CLONE_SYSVSEM CLONE_SETTLS
    CLONE_PARENT_SETTID CLONE_CHILD_CLEARTID - CLONE_UNTRACED CLONE_CHILD_SETTID
    CLONE_NEWCGROUP CLONE_NEWUTS CLONE_NEWIPC CLONE_NEWUSER CLONE_NEWPID CLONE_NEWNET CLONE_IO"""
CLONE: Table = tuple(
    (name, 0x100 << shift)
    for shift, name in enumerate(_CLONE_BITS.split())
    if name != "-"  # CLONE_DETACHED (0x400000): ignored by the kernel, unnamed by strace
)
WAIT: Table = (
    ("WNOHANG", 0x1), ("WEXITED", 0x4), ("WSTOPPED", 0x2), ("WCONTINUED", 0x8),
    ("WNOWAIT", 0x01000000), ("__WCLONE", 0x80000000), ("__WALL", 0x40000000),
    ("__WNOTHREAD", 0x20000000),
)  # fmt: skip
_RLIMITS = """CPU FSIZE DATA STACK CORE RSS NPROC NOFILE MEMLOCK AS LOCKS SIGPENDING MSGQUEUE
    NICE RTPRIO RTTIME"""
RLIMIT: Table = tuple((f"RLIMIT_{name}", value) for value, name in enumerate(_RLIMITS.split()))
ARCH_PRCTL: dict[int, str] = {
    0x1001: "ARCH_SET_GS", 0x1002: "ARCH_SET_FS", 0x1003: "ARCH_GET_FS",
    0x1004: "ARCH_GET_GS", 0x1011: "ARCH_GET_CPUID", 0x1012: "ARCH_SET_CPUID",
    0x3001: "ARCH_CET_STATUS", 0x4001: "ARCH_GET_XCOMP_SUPP", 0x4002: "ARCH_GET_XCOMP_PERM",
    0x4003: "ARCH_REQ_XCOMP_PERM",
}  # fmt: skip
RLIM64_INFINITY = (1 << 64) - 1
_CSIGNAL = 0xFF

# --- numbers and flags -------------------------------------------------------------


def clone_flags(raw: int) -> DecodedValue:
    """``CLONE_VM|...|SIGCHLD``: the flags, unknown bits, then the exit signal."""
    value = raw & ((1 << 64) - 1)
    names, rest = flag_names(value & ~_CSIGNAL, CLONE)
    parts = names + ([f"{rest:#x}"] if rest else [])
    sig = value & _CSIGNAL
    if sig:
        name = lookup(sig, SIGNALS)
        if name is None and not parts:
            return DecodedValue(str(value), [str(value)], raw)
        if current().xlat != ABBREV:  # strace prints the flags, then the signal, apart
            flags = [styled("|".join(parts), number(value & ~_CSIGNAL))] if parts else []
            text = "|".join([*flags, named(sig, name, decimal=True)])
            return DecodedValue(text, [*parts, name or f"{sig:#x}"], raw)
        parts.append(name or f"{sig:#x}")
    return joined(parts, raw) if parts else DecodedValue("0", [], raw)


def wait_options(raw: int) -> DecodedValue:
    return format_flags(raw & 0xFFFFFFFF, WAIT, "W???")


def rlimit_resource(raw: int) -> DecodedValue:
    return format_enum(raw & 0xFFFFFFFF, RLIMIT, "RLIMIT_???")


def arch_prctl_code(raw: int) -> DecodedValue:
    """arch_prctl's code (x86_64): ARCH_SET_FS, ... or the number in hex."""
    name = ARCH_PRCTL.get(raw)
    return DecodedValue(named(raw, name) if name else hex(raw), name or raw, raw)


# --- wait status -----------------------------------------------------------------


def wait_status_text(status: int) -> str:
    """``[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`` and its siblings, as strace prints them."""
    status &= 0xFFFFFFFF
    low, high = status & 0x7F, (status >> 8) & 0xFF
    if status == 0xFFFF:  # before WIFSTOPPED, whose test it would also pass
        body = "WIFCONTINUED(s)"
    elif low == 0:
        body = f"WIFEXITED(s) && WEXITSTATUS(s) == {high}"
    elif low == 0x7F:
        body = f"WIFSTOPPED(s) && WSTOPSIG(s) == {signal(high).text}"
    else:
        body = f"WIFSIGNALED(s) && WTERMSIG(s) == {signal(low).text}"
        body += " && WCOREDUMP(s)" if status & 0x80 else ""
    rest = status >> 16
    return f"[{{{body}}}" + (f" | {rest:#x} << 16" if rest else "") + "]"


def wait_status(raw: int, memory: Memory) -> DecodedValue:
    data = read_exact(memory, raw, 4)
    if data is None:
        return unreadable(raw)
    status = struct.unpack("<i", data)[0]
    return DecodedValue(wait_status_text(status), status, raw)


def _wstatus_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """Only a wait that reaped a child (a pid > 0) wrote the status."""
    return wait_status(raw[at], memory) if retval > 0 and raw[at] else None


# --- resource limits -----------------------------------------------------------------


def format_rlim(value: int) -> str:
    """``RLIM64_INFINITY``, ``8192*1024`` (multiples of 1024 above it), else decimal;
    in -X's raw and verbose styles, the decimal number first."""
    if value == RLIM64_INFINITY:
        return styled("RLIM64_INFINITY", str(value))
    if value > 1024 and value % 1024 == 0:
        return styled(f"{value // 1024}*1024", str(value))
    return str(value)


def decode_rlimit(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """``{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}``."""
    data = None if raw == 0 else read_exact(memory, raw, 16)
    if data is None:
        return unreadable(raw)
    cur, high = struct.unpack("<QQ", data)
    text = f"{{rlim_cur={format_rlim(cur)}, rlim_max={format_rlim(high)}}}"
    return DecodedValue(text, {"rlim_cur": cur, "rlim_max": high}, raw)


# --- argv and envp -------------------------------------------------------------------

_POINTER_CHUNK = 64  # words read at once: one process_vm_readv for most arrays
MAX_ARRAY = 1 << 16  # argv/envp elements read at most


def _words(raw: int, memory: Memory, start: int) -> list[int]:
    """The words from index ``start`` on, as many as one read returns (maybe none)."""
    try:
        data = memory.read(raw + 8 * start, 8 * _POINTER_CHUNK)
    except UNREADABLE:
        return []
    usable = len(data) - len(data) % 8 if isinstance(data, bytes | bytearray) else 0
    return list(struct.unpack_from(f"<{usable // 8}Q", data)) if usable else []


# How a pointer array ended: at its NULL, at the limit (more follow), or at the
# address of the first slot that could not be read.
_ENDED, _MORE = "ended", "more"


def _pointers(raw: int, memory: Memory, limit: int) -> tuple[list[int], str | int] | None:
    """Up to ``limit`` non-NULL pointers of a NULL-terminated array, and how it ended."""
    if raw == 0:
        return None
    pointers: list[int] = []
    while len(pointers) <= limit:
        words = _words(raw, memory, len(pointers))
        if not words:
            return None if not pointers else (pointers, raw + 8 * len(pointers))
        for pointer in words:
            if pointer == 0:
                cut = len(pointers) > limit
                return pointers[:limit], _MORE if cut else _ENDED
            pointers.append(pointer)
    return pointers[:limit], _MORE


def decode_argv(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """execve's argv: ``["ls", "-l"]``, at most -s strings, each cut at -s bytes; an
    array running into unreadable memory ends ``... /* 0x7ffe... */``, where."""
    if raw == 0:
        return DecodedValue("NULL", None, raw)
    # -v: every element (strace abbreviates arrays to -s elements otherwise)
    most = MAX_ARRAY if options.verbose else max(0, options.string_limit)
    found = _pointers(raw, memory, most)
    if found is None:
        return unreadable(raw)
    pointers, end = found
    items = [decode_cstring(pointer, memory, options) for pointer in pointers]
    value: list[Json] = [item.value for item in items]
    texts = [item.text for item in items]
    if isinstance(end, int):
        texts.append(f"... /* {hex_address(end)} */")
    return DecodedValue(format_string_list(texts, end == _MORE), value, raw)


def decode_envp(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """execve's envp: ``0x7ffe... /* 20 vars */``, or as argv with -v; ``/* 1 var */``,
    and ``unterminated`` where the array runs into unreadable memory."""
    if raw == 0 or options.verbose:
        return decode_argv(raw, memory, options)
    found = _pointers(raw, memory, MAX_ARRAY)
    if found is None:
        return unreadable(raw)
    pointers, end = found
    count = len(pointers)
    words = f"{count} var{'' if count == 1 else 's'}"
    if isinstance(end, int):
        words += ", unterminated"
    elif end == _MORE:
        words += "..."
    return DecodedValue(f"{hex_address(raw)} /* {words} */", count, raw)


DECODERS: dict[str, Decoder] = {
    "flags:clone": by_register(clone_flags), "flags:wait": by_register(wait_options),
    "enum:rlimit": by_register(rlimit_resource), "enum:arch_prctl": by_register(arch_prctl_code),
    "rlimit": by_pointer(decode_rlimit, output=True),  # setrlimit's input, getrlimit's output
    "wstatus": Decoder(exit=_wstatus_exit),
    "strv": by_pointer(decode_argv),
}  # fmt: skip
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "flags:clone": CLONE, "flags:wait": WAIT, "enum:rlimit": RLIMIT,
    "enum:arch_prctl": tuple((name, value) for value, name in ARCH_PRCTL.items()),
}  # fmt: skip
# A string array named envp is an environment: counted, not listed, without -v.
BY_NAME: dict[tuple[str, str], Decoder] = {("strv", "envp"): by_pointer(decode_envp)}
