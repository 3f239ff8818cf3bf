"""prctl: the option by name (generated from linux/prctl.h, where the options are
the ``#define``s at the left margin and their arguments' values are indented), and
its other four arguments as each option uses them, as strace 6.1 prints them.

Kernel facts: prctl takes an int option and four unsigned longs, which each option
reads as it likes: a value (PR_SET_PDEATHSIG's signal, PR_CAPBSET_READ's capability),
a sub-operation and its operand (PR_CAP_AMBIENT, PR_MCE_KILL), a pointer to read
(PR_SET_NAME's 16-byte comm) or to write (PR_GET_PDEATHSIG's int).  Options that
take fewer arguments ignore the rest or, for the newer ones, require them to be 0;
strace prints the arguments an option reads, and those it checks in hex.

Each option's printing is a row of :data:`_FORMS`: a function of the registers (and
memory) giving the texts of arg2.. that strace shows at entry; the options that
write through arg2 have an exit printer too (prctl_values.arg2_exit).
"""

from __future__ import annotations

from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.families.bpf_filter import fprog_text, seccomp_k
from traced.decoders.families.prctl_values import (
    FORMS,
    arg2_exit,
    comm_text,
    result,
    sched_core_cookie,
)
from traced.decoders.families.signals import signal
from traced.decoders.kinds import Decoder, Form, Multiplexed
from traced.decoders.strings import decode_cstring
from traced.decoders.values import (
    Memory,
    Options,
    as_signed,
    chex,
    hex_address,
)
from traced.decoders.xlat import Table, format_enum, format_flags

_OPTION = {name: value for name, value in K.PRCTL}
_SIG_MAX = 128  # above it strace prints PR_SET_PDEATHSIG's argument as a number


def _hex_from(first: int) -> Form:
    """strace's print_prctl_args: arg<first+1>.. in hex."""
    return lambda raw, memory, options: [chex(value) for value in raw[first:5]]


def _none(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    return []


def _unsigned(check: bool = False) -> Form:
    """One unsigned value, and (``check``) the three the kernel requires to be 0 in hex."""

    def form(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
        return [str(raw[1]), *([chex(value) for value in raw[2:5]] if check else [])]

    return form


def _enum(table: Table, unknown: str, rest: int = 0) -> Form:
    """arg2 by its name, then, from ``rest`` on, the others in hex."""

    def form(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
        text = format_enum(raw[1], table, unknown).text
        return [text, *([chex(value) for value in raw[rest:5]] if rest else [])]

    return form


def _flags(table: Table, unknown: str, rest: int = 0) -> Form:
    def form(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
        text = format_flags(raw[1], table, unknown).text
        return [text, *([chex(value) for value in raw[rest:5]] if rest else [])]

    return form


def _pdeathsig(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    return [str(raw[1]) if raw[1] > _SIG_MAX else signal(raw[1]).text]


def _set_name(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    return [comm_text(raw[1], memory) if raw[1] else "NULL"]


def _mce_kill(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    operation = format_enum(raw[1], K.PR_MCE_KILL_OPS, "PR_MCE_KILL_???").text
    if raw[1] == dict(K.PR_MCE_KILL_OPS)["PR_MCE_KILL_SET"]:
        policy = format_enum(raw[2], K.PR_MCE_KILL_POLICY, "PR_MCE_KILL_???").text
        return [operation, policy, *(chex(value) for value in raw[3:5])]
    return [operation, *(chex(value) for value in raw[2:5])]


_AMBIENT_WITH_CAP = frozenset(
    value for name, value in K.PR_CAP_AMBIENT_OPS if name != "PR_CAP_AMBIENT_CLEAR_ALL"
)


def _cap_ambient(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    operation = format_enum(raw[1], K.PR_CAP_AMBIENT_OPS, "PR_CAP_AMBIENT_???").text
    if raw[1] in _AMBIENT_WITH_CAP:
        cap = format_enum(raw[2], K.CAPABILITIES, "CAP_???").text
        return [operation, cap, *(chex(value) for value in raw[3:5])]
    return [operation, *(chex(value) for value in raw[2:5])]


def _set_vma(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    attribute = format_enum(raw[1], K.PR_SET_VMA_ATTRS, "PR_SET_VMA_???").text
    if raw[1] != dict(K.PR_SET_VMA_ATTRS)["PR_SET_VMA_ANON_NAME"]:
        return [attribute, *(chex(value) for value in raw[2:5])]
    name = decode_cstring(raw[4], memory, options).text if raw[4] else "NULL"
    return [attribute, hex_address(raw[2]), str(raw[3]), name]


def _seccomp(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    mode = format_enum(raw[1], K.SECCOMP_MODE, "SECCOMP_MODE_???").text
    if raw[1] == dict(K.SECCOMP_MODE)["SECCOMP_MODE_STRICT"]:
        return [mode]
    if raw[1] == dict(K.SECCOMP_MODE)["SECCOMP_MODE_FILTER"]:
        return [mode, fprog_text(raw[2], memory, options, seccomp_k) if raw[2] else "NULL"]
    return [mode, *(chex(value) for value in raw[2:5])]


def _user_dispatch(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    operation = format_enum(raw[1], K.PR_SYS_DISPATCH, "PR_SYS_DISPATCH_???").text
    return [operation, chex(raw[2]), chex(raw[3]), hex_address(raw[4])]


# The keys a program may enable or disable: all but the generic one.
_PAC_ENABLED_KEYS: Table = tuple(row for row in K.PR_PAC_KEYS if row[0] != "PR_PAC_APGAKEY")


def _pac_enabled_keys(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    affected, enabled = (
        format_flags(value, _PAC_ENABLED_KEYS, "PR_PAC_???").text for value in raw[1:3]
    )
    return [affected, enabled, *(chex(value) for value in raw[3:5])]


def _address(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    return [hex_address(raw[1])]  # an output's address: replaced at exit


_FORMS: dict[str, Form] = {
    **dict.fromkeys(
        (
            "PR_GET_KEEPCAPS",
            "PR_GET_TIMING",
            "PR_GET_SECCOMP",
            "PR_GET_TIMERSLACK",
            "PR_TASK_PERF_EVENTS_DISABLE",
            "PR_TASK_PERF_EVENTS_ENABLE",
            "PR_GET_DUMPABLE",
            "PR_GET_SECUREBITS",
            "PR_GET_FP_MODE",
            "PR_SVE_GET_VL",
            "PR_SME_GET_VL",
        ),
        _none,
    ),
    **dict.fromkeys(
        (
            "PR_GET_FPEMU",
            "PR_GET_FPEXC",
            "PR_GET_ENDIAN",
            "PR_GET_CHILD_SUBREAPER",
            "PR_GET_PDEATHSIG",
            "PR_GET_UNALIGN",
            "PR_GET_NAME",
            "PR_GET_TSC",
            "PR_GET_TID_ADDRESS",
        ),
        _address,
    ),
    **dict.fromkeys(
        (
            "PR_SET_KEEPCAPS",
            "PR_SET_FPEMU",
            "PR_SET_FPEXC",
            "PR_SET_TIMING",
            "PR_SET_ENDIAN",
            "PR_SET_CHILD_SUBREAPER",
        ),
        _unsigned(),
    ),
    **dict.fromkeys(
        ("PR_SET_NO_NEW_PRIVS", "PR_SET_THP_DISABLE", "PR_SET_IO_FLUSHER"), _unsigned(check=True)
    ),
    "PR_SET_PDEATHSIG": _pdeathsig,
    "PR_SET_UNALIGN": _flags(K.PR_UNALIGN, "PR_UNALIGN_???"),
    "PR_SET_NAME": _set_name,
    "PR_SET_SECCOMP": _seccomp,
    **dict.fromkeys(("PR_CAPBSET_READ", "PR_CAPBSET_DROP"), _enum(K.CAPABILITIES, "CAP_???")),
    "PR_SET_TSC": _enum(K.PR_TSC, "PR_TSC_???"),
    "PR_SET_SECUREBITS": _flags(K.SECBITS, "SECBIT_???"),
    "PR_SET_TIMERSLACK": lambda raw, memory, options: [str(as_signed(raw[1], 64))],
    "PR_MCE_KILL": _mce_kill,
    "PR_MCE_KILL_GET": _hex_from(1),
    "PR_SET_MM": _enum(K.PR_SET_MM, "PR_SET_MM_???", rest=2),
    "PR_SET_FP_MODE": _flags(K.PR_FP_MODE, "PR_FP_MODE_???"),
    "PR_CAP_AMBIENT": _cap_ambient,
    "PR_PAC_RESET_KEYS": _flags(K.PR_PAC_KEYS, "PR_PAC_???", rest=2),
    "PR_PAC_SET_ENABLED_KEYS": _pac_enabled_keys,
    "PR_SET_DUMPABLE": _enum(K.SUID_DUMP, "SUID_DUMP_???"),
    "PR_SET_SYSCALL_USER_DISPATCH": _user_dispatch,
    "PR_SET_VMA": _set_vma,
    **FORMS,  # prctl_values: the packed words, core scheduling
}


_NAME_OF = {value: name for name, value in reversed(K.PRCTL)}  # the first name wins


def _form(raw: Sequence[int]) -> Form:
    return _FORMS.get(_NAME_OF.get(raw[0] & 0xFFFFFFFF, ""), _hex_from(1))


_CALL = Multiplexed(_form)
_argument = _CALL.argument


def prctl_result(option: int, retval: int) -> str | None:
    """The words strace adds to a result: PR_GET_SECUREBITS's bits, PR_MCE_KILL_GET's
    policy, and prctl_values' options'."""
    if option == _OPTION["PR_GET_SECUREBITS"] and retval:
        return f"{retval:#x} ({format_flags(retval, K.SECBITS).text})"
    if option == _OPTION["PR_MCE_KILL_GET"]:
        name = next((name for name, value in K.PR_MCE_KILL_POLICY if value == retval), None)
        return f"{retval} ({name})" if name else None
    return result(option, retval)


DECODERS: dict[str, Decoder] = {"enum:prctl": named.enum(K.PRCTL, "PR_???")}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("prctl", "arg2"): _argument(1)._replace(exit=arg2_exit, in_and_out=True),
    ("prctl", "arg3"): _argument(2),
    ("prctl", "arg4"): _argument(3),
    ("prctl", "arg5"): _argument(4)._replace(exit=sched_core_cookie, in_and_out=True),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {"enum:prctl": K.PRCTL}
