"""ptrace: the request by name (generated from linux/ptrace.h and asm/ptrace-abi.h),
and pid, addr and data as each request uses them, as strace 6.1 prints them.

Kernel facts: ``long ptrace(long request, pid_t pid, void *addr, void *data)``.  The
request says what the two words are: nothing (PTRACE_TRACEME ignores all three;
PTRACE_ATTACH, KILL, INTERRUPT and LISTEN ignore addr and data), a signal to deliver
(data of PTRACE_CONT and the other resumptions), PTRACE_O_* options (SETOPTIONS,
SEIZE), a size (addr of GETSIGMASK, SECCOMP_GET_METADATA, GET_SYSCALL_INFO ...), an
NT_* register set and an iovec (GETREGSET), or a pointer the kernel reads (SETSIGINFO's
siginfo) or writes (PEEKDATA's word, GETSIGINFO's siginfo, GET_SYSCALL_INFO's struct).
x86_64's PTRACE_GETREGS and friends take the registers' address in data, addr unused.

strace prints only the arguments a request reads: ``ptrace(PTRACE_TRACEME)``,
``ptrace(PTRACE_KILL, 42)``, ``ptrace(PTRACE_GETREGS, 42, {r15=...})``.  What the
kernel writes is printed at exit (families/ptrace_structs.py has the structures).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.families import ptrace_structs as S
from traced.decoders.families.bpf_filter import program_text, seccomp_k
from traced.decoders.families.siginfo import decode_siginfo
from traced.decoders.families.signals import signal, sigset_at
from traced.decoders.kinds import Decoder
from traced.decoders.values import (
    NOT_PRINTED,
    DecodedValue,
    Memory,
    Options,
    as_signed,
    hex_address,
    read_exact,
)
from traced.decoders.xlat import Table, format_enum, format_flags
from traced.events import Arg

_REQUEST = dict(K.PTRACE_REQUESTS)


def _requests(*names: str) -> frozenset[int]:
    return frozenset(_REQUEST[f"PTRACE_{name}"] for name in names)


_TRACEME = _REQUEST["PTRACE_TRACEME"]
_NO_ADDR_NOR_DATA = _requests("ATTACH", "INTERRUPT", "KILL", "LISTEN")
_REGS_IN_DATA = _requests("GETREGS", "SETREGS", "GETFPREGS", "SETFPREGS")  # addr unused
_RESUMING = _requests(
    "CONT", "DETACH", "SYSCALL", "SINGLESTEP", "SINGLEBLOCK", "SYSEMU", "SYSEMU_SINGLESTEP"
)
_OPTIONS = _requests("SEIZE", "SETOPTIONS", "OLDSETOPTIONS")
_SIZE_IN_ADDR = _requests(
    "GETSIGMASK", "SETSIGMASK", "SECCOMP_GET_FILTER", "SECCOMP_GET_METADATA", "GET_SYSCALL_INFO"
)
_REGSETS = _requests("GETREGSET", "SETREGSET")
_USER_AREA = _requests("PEEKUSER", "POKEUSER")  # addr: an offset in struct user
_IOVEC = struct.Struct("<QQ")  # struct iovec: iov_base, iov_len


def _shown(raw: Sequence[int], position: int) -> bool:
    """Whether strace prints argument ``position`` (1: pid, 2: addr, 3: data)."""
    request = raw[0]
    if request == _TRACEME:
        return False
    if request in _NO_ADDR_NOR_DATA:
        return position == 1
    return not (request in _REGS_IN_DATA and position == 2)


def _hidden(raw: Sequence[int], at: int) -> DecodedValue:
    return DecodedValue(NOT_PRINTED, None, raw[at])


def _pid(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    if not _shown(raw, at):
        return _hidden(raw, at)
    pid = as_signed(raw[at], 32)
    return DecodedValue(str(pid), pid, raw[at])


def _addr(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    request, addr = raw[0], raw[at]
    if not _shown(raw, at):
        return _hidden(raw, at)
    if request in _USER_AREA:
        return DecodedValue(S.user_offset_text(addr), addr, addr)
    if request in _REGSETS:
        return format_enum(addr, K.NT_TYPES, "NT_???")
    if request in _SIZE_IN_ADDR:
        return DecodedValue(str(addr), addr, addr)
    if request == _REQUEST["PTRACE_PEEKSIGINFO"] and addr:
        return DecodedValue(S.peeksiginfo_args_text(addr, memory), addr, addr)
    return DecodedValue(hex_address(addr), addr, addr)


# --- data at entry -------------------------------------------------------------------------

Form = Callable[[Sequence[int], Memory, Options], str]


def _iovec(address: int, memory: Memory) -> tuple[int, int] | None:
    data = read_exact(memory, address, _IOVEC.size)
    return None if data is None else _IOVEC.unpack(data)


def _regset(raw: Sequence[int], memory: Memory, options: Options) -> DecodedValue:
    """``{iov_base=..., iov_len=N}``, the set itself where the kernel reads it
    (SETREGSET); its value keeps the length asked, which the kernel may change."""
    iovec = _iovec(raw[3], memory)
    if iovec is None:
        return DecodedValue(hex_address(raw[3]), raw[3], raw[3])
    base, length = iovec
    read = raw[0] == _REQUEST["PTRACE_SETREGSET"]
    shown = S.regset_text(raw[2], base, length, memory, options) if read else hex_address(base)
    text = f"{{iov_base={shown}, iov_len={length}}}"
    return DecodedValue(text, {"iov_base": base, "iov_len": length}, raw[3])


def _metadata(raw: Sequence[int], memory: Memory, options: Options) -> str:
    """``{filter_off=N`` ... : the part the kernel reads; its flags follow at exit."""
    data = read_exact(memory, raw[3], 8) if raw[2] >= 8 else None
    return hex_address(raw[3]) if data is None else f"{{filter_off={_u64(data)}}}"


def _u64(data: bytes) -> int:
    return int.from_bytes(data[:8], "little")


# A register set's text from its bytes (SETREGS', GETFPREGS' ...).
SetText = Callable[[bytes, int, Options], str]


def _regs(data: bytes, size: int, options: Options) -> str:
    return S.regs_text(data, size)


def _whole(text: SetText, size: int) -> Form:
    """A structure of ``size`` bytes the kernel reads in full (SETREGS, SETFPREGS)."""

    def form(raw: Sequence[int], memory: Memory, options: Options) -> str:
        data = read_exact(memory, raw[3], size)
        return hex_address(raw[3]) if data is None else text(data, size, options)

    return form


_DATA_FORMS: dict[int, Form] = {
    **dict.fromkeys(_RESUMING, lambda raw, memory, options: signal(raw[3]).text),
    **dict.fromkeys(
        _OPTIONS,
        lambda raw, memory, options: format_flags(raw[3], K.PTRACE_OPTIONS, "PTRACE_O_???").text,
    ),
    _REQUEST["PTRACE_SETSIGINFO"]: lambda raw, memory, options: (
        decode_siginfo(raw[3], memory, options).text
    ),
    _REQUEST["PTRACE_SETSIGMASK"]: lambda raw, memory, options: (
        sigset_at(raw[3], memory, raw[2]).text
    ),
    _REQUEST["PTRACE_SECCOMP_GET_METADATA"]: _metadata,
    _REQUEST["PTRACE_SETREGS"]: _whole(_regs, S.USER_REGS_SIZE),
    _REQUEST["PTRACE_SETFPREGS"]: _whole(S.fpregs_text, S.USER_FPREGS_SIZE),
}


def _data(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    if not _shown(raw, at):
        return _hidden(raw, at)
    if raw[0] in _REGSETS:
        return _regset(raw, memory, options)
    form = _DATA_FORMS.get(raw[0])
    text = hex_address(raw[at]) if form is None else form(raw, memory, options)
    return DecodedValue(text, text, raw[at])


# --- data at exit, after a success ---------------------------------------------------------

# The text of what the kernel wrote, from the registers, the memory, the options, the
# result and the argument as decoded at entry.
Output = Callable[[Sequence[int], Memory, Options, int, Arg], str]


def _word(unsigned: bool) -> Output:
    """``[0x1234]`` (PEEKDATA's word, as a pointer: ``[NULL]``) or ``[1234]``
    (GETEVENTMSG's, unsigned)."""

    def output(raw: Sequence[int], memory: Memory, options: Options, rv: int, was: Arg) -> str:
        data = read_exact(memory, raw[3], 8)
        if data is None:
            return hex_address(raw[3])
        value = _u64(data)
        return f"[{value}]" if unsigned else f"[{hex_address(value)}]"

    return output


def _asked(was: Arg) -> int | None:
    """The iov_len a regset request asked for, as read at entry."""
    return was.value.get("iov_len") if isinstance(was.value, dict) else None


def _getregset(raw: Sequence[int], memory: Memory, options: Options, rv: int, was: Arg) -> str:
    iovec, before = _iovec(raw[3], memory), _asked(was)
    if iovec is None or not isinstance(before, int):
        return was.text
    base, length = iovec
    shown = S.regset_text(raw[2], base, length, memory, options)
    changed = str(length) if before == length else f"{before} => {length}"
    return f"{{iov_base={shown}, iov_len={changed}}}"


def _setregset(raw: Sequence[int], memory: Memory, options: Options, rv: int, was: Arg) -> str:
    iovec, before = _iovec(raw[3], memory), _asked(was)
    if iovec is None or not isinstance(before, int) or iovec[1] == before:
        return was.text
    return f"{was.text[:-1]} => {iovec[1]}}}"


def _metadata_flags(raw: Sequence[int], memory: Memory, options: Options, rv: int, was: Arg) -> str:
    """The rest strace prints at exit: the flags, as far as the size returned covers."""
    if not was.text.startswith("{") or rv <= 8:
        return was.text
    data = read_exact(memory, raw[3] + 8, 8) if rv >= 16 else None
    if data is None:
        return f"{was.text[:-1]}, ???}}"
    flags = format_flags(_u64(data), K.SECCOMP_FILTER_FLAGS, "SECCOMP_FILTER_FLAG_???").text
    return f"{was.text[:-1]}, flags={flags}{', ...' if rv > 16 else ''}}}"


def _seccomp_filter(raw: Sequence[int], memory: Memory, options: Options, rv: int, was: Arg) -> str:
    """The filter's instructions, as many as returned (-v); else the address."""
    if not options.verbose:
        return hex_address(raw[3])
    return program_text(raw[3], rv & 0xFFFF, memory, options, seccomp_k)


def _struct_out(text: SetText, size: int) -> Output:
    def output(raw: Sequence[int], memory: Memory, options: Options, rv: int, was: Arg) -> str:
        return _whole(text, size)(raw, memory, options)

    return output


_OUTPUTS: dict[int, Output] = {
    **dict.fromkeys(_requests("PEEKDATA", "PEEKTEXT", "PEEKUSER"), _word(unsigned=False)),
    _REQUEST["PTRACE_GETEVENTMSG"]: _word(unsigned=True),
    _REQUEST["PTRACE_GETSIGINFO"]: lambda raw, memory, options, rv, was: (
        decode_siginfo(raw[3], memory, options).text
    ),
    _REQUEST["PTRACE_GETSIGMASK"]: lambda raw, memory, options, rv, was: (
        sigset_at(raw[3], memory, raw[2]).text
    ),
    _REQUEST["PTRACE_PEEKSIGINFO"]: lambda raw, memory, options, rv, was: S.siginfo_array_text(
        raw[3], rv, memory
    ),
    _REQUEST["PTRACE_GET_SYSCALL_INFO"]: lambda raw, memory, options, rv, was: S.syscall_info_text(
        raw[3], min(raw[2], rv), memory
    ),
    _REQUEST["PTRACE_SECCOMP_GET_FILTER"]: _seccomp_filter,
    _REQUEST["PTRACE_GETREGSET"]: _getregset,
    _REQUEST["PTRACE_SETREGSET"]: _setregset,
    _REQUEST["PTRACE_SECCOMP_GET_METADATA"]: _metadata_flags,
    _REQUEST["PTRACE_GETREGS"]: _struct_out(_regs, S.USER_REGS_SIZE),
    _REQUEST["PTRACE_GETFPREGS"]: _struct_out(S.fpregs_text, S.USER_FPREGS_SIZE),
}


def _data_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    output = _OUTPUTS.get(raw[0])
    if output is None or not raw[at] or len(args) <= at:
        return None
    text = output(raw, memory, options, retval, args[at])
    return DecodedValue(text, text, raw[at])


DECODERS: dict[str, Decoder] = {"enum:ptrace": named.enum(K.PTRACE_REQUESTS, "PTRACE_???")}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("ptrace", "pid"): Decoder(entry=_pid),
    ("ptrace", "addr"): Decoder(entry=_addr),
    ("ptrace", "data"): Decoder(entry=_data, exit=_data_exit, in_and_out=True),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {"enum:ptrace": K.PTRACE_REQUESTS}
