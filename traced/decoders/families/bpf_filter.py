"""Classic BPF programs (struct sock_fprog, struct sock_filter) as strace 6.1 prints
them: seccomp's filters (seccomp, prctl PR_SET_SECCOMP) and socket filters
(SO_ATTACH_FILTER).

Kernel facts (linux/filter.h): struct sock_fprog is {unsigned short len; struct
sock_filter *filter}, the pointer at 8 on 64-bit ABIs; struct sock_filter is 8 bytes,
{u16 code; u8 jt; u8 jf; u32 k}.  The code packs a class (its low 3 bits) and by class
a size and an addressing mode (loads), a source and an operation (ALU, jumps), the
source of a return value, or a misc operation; what no name covers is printed in hex.

strace prints an instruction with conditional jumps as ``BPF_JUMP(code, k, jt, jf)``
and any other as ``BPF_STMT(code, k)``; k in hex, but a seccomp filter's return
value by its SECCOMP_RET_* action and a socket filter's load offset by its SKF_*
base.  The program itself only with -v: otherwise the address.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text
from traced.decoders.values import Memory, Options, chex, hex_address, read_exact
from traced.decoders.xlat import Table, format_enum, named

_INSN = struct.Struct("<HBBI")  # code, jt, jf, k
_FPROG = struct.Struct("<H6xQ")  # len, filter
_CLASS = dict(K.BPF_CLASSES)
_LOADS = (_CLASS["BPF_LD"], _CLASS["BPF_LDX"])
_ARITH = (_CLASS["BPF_ALU"], _CLASS["BPF_JMP"])
_RET, _MISC = _CLASS["BPF_RET"], _CLASS["BPF_MISC"]
_ABS = dict(K.BPF_MODES)["BPF_ABS"]
_MAX = 4096  # BPF_MAXINSNS

# k's printer by the program's kind: its text, or None for plain hex.
KText = Callable[[int, int], str | None]


def _part(value: int, table: Table) -> str:
    return format_enum(value, table, "BPF_???").text


def code_text(code: int) -> str:
    """``BPF_LD|BPF_W|BPF_ABS``, each part in the -X style; the bits left in hex."""
    kind = code & 0x07
    parts, rest = [_part(kind, K.BPF_CLASSES)], code & ~0x07
    if kind in _LOADS:
        parts += [_part(code & 0x18, K.BPF_SIZES), _part(code & 0xE0, K.BPF_MODES)]
        rest &= ~0xF8
    elif kind in _ARITH:
        ops = K.BPF_JMP_OPS if kind == _CLASS["BPF_JMP"] else K.BPF_ALU_OPS
        parts += [_part(code & 0x08, K.BPF_SRCS), _part(code & 0xF0, ops)]
        rest &= ~0xF8
    elif kind == _RET:
        parts.append(_part(code & 0x18, K.BPF_RVALS))
        rest &= ~0x18
    elif kind == _MISC:
        parts.append(_part(code & 0xF8, K.BPF_MISCOPS))
        rest &= ~0xF8
    if rest:  # a store's other bits, or bits no field covers
        parts.append(f"{rest:#x} /* BPF_??? */")
    return "|".join(parts)


def seccomp_k(code: int, k: int) -> str | None:
    """A return's value: ``SECCOMP_RET_ERRNO|0x10``, the action and its data."""
    if code & 0x07 != _RET:
        return None
    action = k & 0xFFFF0000
    text = format_enum(action, K.SECCOMP_RET, "SECCOMP_RET_???").text
    return text + (f"|{k & 0xFFFF:#x}" if k & 0xFFFF else "")


_SKF = dict(K.SKF_OFFSETS)
_BASES = tuple(
    (name, _SKF[name] & 0xFFFFFFFF) for name in ("SKF_AD_OFF", "SKF_NET_OFF", "SKF_LL_OFF")
)


def socket_k(code: int, k: int) -> str | None:
    """An absolute load's offset from a special base: ``SKF_AD_OFF+SKF_AD_PROTOCOL``,
    ``SKF_NET_OFF+8``."""
    if code & 0x07 != _CLASS["BPF_LD"] or code & 0xE0 != _ABS:
        return None
    for name, base in _BASES:
        if k >= base:
            offset = k - base
            shown = str(offset)
            if name == "SKF_AD_OFF":
                shown = format_enum(offset, K.SKF_AD, "SKF_AD_???").text
            return f"{named(base, name)}+{shown}"
    return None


def insn_text(data: bytes, k_text: KText) -> str:
    code, jt, jf, k = _INSN.unpack(data)
    if jt or jf:
        return f"BPF_JUMP({code_text(code)}, {chex(k)}, {chex(jt)}, {chex(jf)})"
    return f"BPF_STMT({code_text(code)}, {k_text(code, k) or chex(k)})"


def program_text(address: int, count: int, memory: Memory, options: Options, k_text: KText) -> str:
    """The ``count`` instructions at ``address``: ``[BPF_STMT(...), ...]``, at most
    BPF_MAXINSNS of them (the kernel's limit), whatever -s says."""
    return array_text(
        address, count, _INSN.size, memory, options._replace(verbose=False, string_limit=_MAX),
        element=lambda data: insn_text(data, k_text),
    ).text  # fmt: skip


def fprog_text(address: int, memory: Memory, options: Options, k_text: KText) -> str:
    """``{len=14, filter=[...]}`` (-v) or ``{len=14, filter=0x...}``; the address when
    the struct is unreadable."""
    data = read_exact(memory, address, _FPROG.size)
    if data is None:
        return hex_address(address)
    count, program = _FPROG.unpack(data)
    shown = hex_address(program)
    if options.verbose:
        shown = program_text(program, count, memory, options, k_text)
    return f"{{len={count}, filter={shown}}}"
