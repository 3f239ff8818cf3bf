"""prctl's options whose arguments pack several values in one word, what the PR_GET_*
options wrote through arg2, and the results strace words: arm64's vector lengths
(PR_SVE_SET_VL, PR_SME_SET_VL), its tagged address control, core scheduling's command
and target (PR_SCHED_CORE), and the dumpable state (names from linux/prctl.h; the
SUID_DUMP_* and PIDTYPE_* names are the kernel's own, outside its uapi).

Kernel facts: a vector length's word has the length in its low 16 bits
(PR_SVE_VL_LEN_MASK) and the flags above (PR_SVE_SET_VL_ONEXEC, PR_SVE_VL_INHERIT);
the getters return the same word.  A tagged address control word holds one enable
bit, the MTE tag check fault mode in bits 1-2 and the tag inclusion mask from bit 3
(PR_MTE_TAG_SHIFT).  PR_SCHED_CORE takes a command, a pid, the pid's kind
(PIDTYPE_PID, _TGID, _PGID, _SID) and, for PR_SCHED_CORE_GET, the address the kernel
writes the 64-bit cookie to.  PR_GET_DUMPABLE returns the state (0, 1 or 2).

strace prints a vector length as ``FLAGS|0xLEN``, the whole word first under
``-X verbose``; a tagged address word as ``[!]PR_TAGGED_ADDR_ENABLE|PR_MTE_TCF_X``
with ``|0xN<<PR_MTE_TAG_SHIFT`` and leftover bits after; the pid kind always with its
number and name in a comment (but under ``-X raw``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from traced.decoders import _constants as K
from traced.decoders.families.signals import signal
from traced.decoders.kinds import Form
from traced.decoders.pidnames import pid_text
from traced.decoders.strings import quote
from traced.decoders.style import ABBREV, RAW, VERBOSE, Style, applied, current
from traced.decoders.values import (
    UNREADABLE,
    DecodedValue,
    Memory,
    Options,
    as_signed,
    chex,
    hex_address,
    read_exact,
)
from traced.decoders.xlat import Table, flag_names, format_enum, format_flags, lookup
from traced.events import Arg

# The texts of arg2.. at entry, from the registers, the memory and the options.

_OPTION = dict(K.PRCTL)
_VL_LEN_MASK = dict(K.PR_VL_LEN_MASK)["PR_SVE_VL_LEN_MASK"]  # SME's is the same
_TAGGED_ENABLE = dict(K.PR_TAGGED_ADDR)["PR_TAGGED_ADDR_ENABLE"]
_MTE_TCF_MASK = dict(K.PR_MTE_TCF)["PR_MTE_TCF_MASK"]
_MTE_TAG_SHIFT = dict(K.PR_MTE_TAG)["PR_MTE_TAG_SHIFT"]
_MTE_TAG_MASK = dict(K.PR_MTE_TAG)["PR_MTE_TAG_MASK"]
_SCHED_CORE_GET = dict(K.PR_SCHED_CORE_OPS)["PR_SCHED_CORE_GET"]
_TASK_COMM_LEN = 16  # the kernel's comm, NUL included
_WORD = (1 << 64) - 1


def _flags_or_none(value: int, table: Table) -> str | None:
    """strace's sprintflags in abbrev style: the names and leftover bits, None for 0."""
    if not value:
        return None
    names, rest = flag_names(value, table)
    return "|".join([*names, *([f"{rest:#x}"] if rest else [])])


def vector_length(value: int, table: Table, aux: bool = False) -> str | None:
    """``PR_SVE_VL_INHERIT|0xff``; ``aux``: the words after a result (None: none)."""
    style = current().xlat
    if style == RAW:
        return None if aux else chex(value)
    length, flags = value & _VL_LEN_MASK, value & ~_VL_LEN_MASK
    if aux and not flags:
        return None
    names = _flags_or_none(flags, table)
    text = f"{names}|{chex(length)}" if names else chex(length)
    return f"{chex(value)} /* {text} */" if not aux and flags and style == VERBOSE else text


def tagged_addr(value: int, result: bool = False) -> str | None:
    """``!PR_TAGGED_ADDR_ENABLE|PR_MTE_TCF_SYNC|0x1<<PR_MTE_TAG_SHIFT``, in the style."""
    style = current().xlat
    if style == RAW:
        return None if result else chex(value)
    enabled = "PR_TAGGED_ADDR_ENABLE" if value & _TAGGED_ENABLE else "!PR_TAGGED_ADDR_ENABLE"
    tcf = value & _MTE_TCF_MASK
    parts = [enabled, lookup(tcf, K.PR_MTE_TCF) or chex(tcf)]
    if tag := value & _MTE_TAG_MASK:
        parts.append(f"{tag >> _MTE_TAG_SHIFT:#x}<<PR_MTE_TAG_SHIFT")
    if rest := value & ~(_TAGGED_ENABLE | _MTE_TCF_MASK | _MTE_TAG_MASK) & _WORD:
        parts.append(f"{rest:#x}")
    text = "|".join(parts)
    if result or style == ABBREV:
        return text
    return f"{chex(value)} /* {text} */"


def _set_vl(table: Table) -> Form:
    def form(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
        return [vector_length(raw[1], table) or ""]

    return form


def _set_tagged_addr(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    return [tagged_addr(raw[1]) or "", *(chex(value) for value in raw[2:5])]


def _sched_core(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    """The command, the pid, the pid's kind (named in a comment), the cookie's address."""
    command = format_enum(raw[1] & 0xFFFFFFFF, K.PR_SCHED_CORE_OPS, "PR_SCHED_CORE_???").text
    style = current()
    with applied(style if style.xlat == RAW else Style(VERBOSE, style.strings)):
        kind = format_enum(raw[3] & 0xFFFFFFFF, K.PIDTYPE, "PIDTYPE_???").text
    pid = as_signed(raw[2], 32)
    shown = pid_text(pid) if raw[3] & 0xFFFFFFFF in _TASK_PIDTYPES else str(pid)
    return [command, shown, kind, hex_address(raw[4])]


# -Y names a thread's or a process's pid, not a process group's nor a session's.
_TASK_PIDTYPES = frozenset(dict(K.PIDTYPE)[name] for name in ("PIDTYPE_PID", "PIDTYPE_TGID"))


FORMS: dict[str, Form] = {
    "PR_SVE_SET_VL": _set_vl(K.PR_SVE_VL),
    "PR_SME_SET_VL": _set_vl(K.PR_SME_VL),
    "PR_SET_TAGGED_ADDR_CTRL": _set_tagged_addr,
    "PR_SCHED_CORE": _sched_core,
}


def sched_core_cookie(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """PR_SCHED_CORE_GET's cookie, as the kernel wrote it: ``[0x...]``."""
    if raw[0] & 0xFFFFFFFF != _OPTION["PR_SCHED_CORE"] or raw[1] & 0xFFFFFFFF != _SCHED_CORE_GET:
        return None
    data = read_exact(memory, raw[at], 8)
    text = hex_address(raw[at]) if data is None else f"[{chex(int.from_bytes(data, 'little'))}]"
    return DecodedValue(text, text, raw[at])


_VL_TABLES: dict[int, Table] = {
    _OPTION[option]: table
    for option, table in (
        ("PR_SVE_SET_VL", K.PR_SVE_VL),
        ("PR_SVE_GET_VL", K.PR_SVE_VL),
        ("PR_SME_SET_VL", K.PR_SME_VL),
        ("PR_SME_GET_VL", K.PR_SME_VL),
    )
}


def result(option: int, retval: int) -> str | None:
    """The words strace adds to these options' results (None: the number alone): the
    dumpable state's name, a vector length's or a tagged address word's in hex."""
    words: str | None
    if option == _OPTION["PR_GET_DUMPABLE"]:
        name = lookup(retval, K.SUID_DUMP)
        return f"{retval} ({name})" if name else None
    if option in _VL_TABLES and retval:
        words = vector_length(retval, _VL_TABLES[option], aux=True)
    elif option == _OPTION["PR_GET_TAGGED_ADDR_CTRL"]:
        words = tagged_addr(retval, result=True)
    else:
        return None
    return f"{chex(retval)} ({words})" if words else chex(retval)


def comm_text(address: int, memory: Memory, shown: int = _TASK_COMM_LEN - 1) -> str:
    """A task's comm: at most ``shown`` bytes (15 to set, 16 got), ``...`` when no NUL
    ends it within them."""
    try:
        data = memory.cstring(address, shown)  # no more: the bytes after may be unmapped
    except UNREADABLE:
        return hex_address(address)
    if len(data) < shown and read_exact(memory, address, len(data) + 1) is None:
        return hex_address(address)  # no NUL before memory ends: strace shows the address
    return quote(data[:shown], truncated=len(data) >= shown)


# --- what the options that write through arg2 wrote --------------------------------------


def _int_at(address: int, memory: Memory) -> int | None:
    data = read_exact(memory, address, 4)
    return None if data is None else int.from_bytes(data, "little")


def _indirect(show: Callable[[int], str]) -> Callable[[int, Memory], str]:
    """``[value]``: an int the kernel wrote, printed by ``show``."""

    def text(address: int, memory: Memory) -> str:
        value = _int_at(address, memory)
        return hex_address(address) if value is None else f"[{show(value)}]"

    return text


def _unalign(value: int) -> str:
    return format_flags(value, K.PR_UNALIGN, "PR_UNALIGN_???").text


def _tid_address(address: int, memory: Memory) -> str:
    data = read_exact(memory, address, 8)
    if data is None:
        return hex_address(address)
    return f"[{hex_address(int.from_bytes(data, 'little'))}]"


_OUTPUTS: dict[int, Callable[[int, Memory], str]] = {
    _OPTION[name]: printer
    for name, printer in (
        ("PR_GET_FPEMU", _indirect(str)),
        ("PR_GET_FPEXC", _indirect(str)),
        ("PR_GET_ENDIAN", _indirect(str)),
        ("PR_GET_CHILD_SUBREAPER", _indirect(str)),
        ("PR_GET_PDEATHSIG", _indirect(lambda value: signal(value).text)),
        ("PR_GET_UNALIGN", _indirect(_unalign)),
        ("PR_GET_TSC", _indirect(lambda v: format_enum(v, K.PR_TSC, "PR_TSC_???").text)),
        ("PR_GET_NAME", lambda address, memory: comm_text(address, memory, _TASK_COMM_LEN)),
        ("PR_GET_TID_ADDRESS", _tid_address),
    )
}


def arg2_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    printer = _OUTPUTS.get(raw[0] & 0xFFFFFFFF)
    if printer is None or not raw[at]:
        return None
    return DecodedValue(printer(raw[at], memory), raw[at], raw[at])
