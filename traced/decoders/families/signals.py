"""Signals: their numbers by name, signal sets, struct sigaction, and the si_code
values strace names in a siginfo.

The numbers and names are :data:`traced.syscalls.names.SIGNAL_NAMES` (one table for
the tracer, the filter language and the decoders); here they become the decoders'
lookup table, with the si_code tables a siginfo is printed with.

Kernel facts the decoders rely on (x86_64, asm-generic):

* a signal set is an array of bits, signal N at bit N-1; the kernel's is 64 bits
  (_NSIG 64, 8 bytes), and the rt_* calls take its size as an argument, refusing
  any other (EINVAL); strace prints a set of another size as its address, reading
  at most 8 bytes of any it prints;
* the kernel's struct sigaction (rt_sigaction) is ``{handler, flags, restorer,
  mask}``, three unsigned longs then the 8-byte set; the restorer is meaningful
  only with SA_RESTORER, and strace prints it only then;
* a handler is an address, or SIG_DFL (0), SIG_IGN (1), SIG_ERR (-1).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.kinds import Decoder, by_pointer, by_register
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    NOT_PRINTED,
    DecodedValue,
    Memory,
    Options,
    as_signed,
    hex_address,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import Table, format_enum, format_flags, lookup
from traced.decoders.xlat import named as named_value
from traced.events import Arg
from traced.syscalls.names import SIGNAL_NAMES

SIGNALS: Table = tuple((name, value) for value, name in SIGNAL_NAMES.items())

# si_code of a signal a process sent, or the kernel (asm-generic/siginfo.h).
SI_CODES: dict[int, str] = {
    0: "SI_USER", 0x80: "SI_KERNEL", -1: "SI_QUEUE", -2: "SI_TIMER", -3: "SI_MESGQ",
    -4: "SI_ASYNCIO", -5: "SI_SIGIO", -6: "SI_TKILL",
}  # fmt: skip
# si_code of a SIGCHLD: what became of the child.
CLD_CODES: dict[int, str] = {
    1: "CLD_EXITED", 2: "CLD_KILLED", 3: "CLD_DUMPED", 4: "CLD_TRAPPED", 5: "CLD_STOPPED",
    6: "CLD_CONTINUED",
}  # fmt: skip
# The codes whose siginfo names a sender: every one a process sends but a timer's,
# as strace prints them; of those, SI_USER and SI_TKILL alone carry no si_value.
SENDER_CODES = frozenset((0, -1, -3, -4, -5, -6))

NSIG_BYTES = 8  # the kernel's sigset_t (64 signals)
_SIGACTION = struct.Struct("<QQQQ")  # handler, flags, restorer, mask
_SA_RESTORER = dict(K.SA_FLAGS)["SA_RESTORER"]


def signal_name(number: int) -> str | None:
    return lookup(number, SIGNALS)


def signal(raw: int) -> DecodedValue:
    """``SIGTERM``, ``SIGRT_3``; 0 and unknown numbers in decimal."""
    value = as_signed(raw, 32)
    name = signal_name(value)
    if name is None:
        return DecodedValue(str(value), value, raw)
    return DecodedValue(named_value(value, name, decimal=True), name, raw)


# --- signal sets ---------------------------------------------------------------------


# A set's members as strace lists them: the names without ``SIG`` (``INT``, ``RT_2``).
SET_MEMBERS: Table = tuple((name.removeprefix("SIG"), value) for name, value in SIGNALS)


def _set_member(number: int) -> str:
    return format_enum(number, SET_MEMBERS, "", decimal=True).text


def sigmask_text(mask: int, size: int) -> str:
    """``[INT TERM]``; a set with two thirds or more of its bits set as the signals it
    lacks, ``~[KILL STOP]``, as strace prints one (over ``size`` bytes, in 32-bit words)."""
    bits = 32 * ((min(size, NSIG_BYTES) + 3) // 4)
    mask &= (1 << bits) - 1
    prefix = ""
    if mask.bit_count() >= bits * 2 // 3:
        mask, prefix = ~mask & ((1 << bits) - 1), "~"
    members = [_set_member(bit + 1) for bit in range(bits) if mask >> bit & 1]
    return prefix + "[" + " ".join(members) + "]"


def sigset_at(raw: int, memory: Memory, size: int, least: int = 8) -> DecodedValue:
    """A signal set of ``size`` bytes at ``raw``; its address when the size is one the
    kernel refuses (below ``least``, a word for most calls, or above 8 bytes) or the
    memory unreadable."""
    if raw == 0:
        return DecodedValue("NULL", None, raw)
    if not least <= size <= NSIG_BYTES:
        return unreadable(raw)
    data = read_exact(memory, raw, size)
    if data is None:
        return unreadable(raw)
    mask = int.from_bytes(data, "little")
    text = sigmask_text(mask, size)
    return DecodedValue(text, text, raw)


def sized_sigset(size_at: int, least: int = 8) -> Decoder:
    """A ``sigset_t *`` whose size is the argument at ``size_at``: read at entry as an
    input, at exit (after a success) as an output; a size below ``least`` or above 8
    bytes is not printed (the kernel refuses it)."""

    def entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
        return sigset_at(raw[at], memory, raw[size_at], least)

    def filled(
        raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
        args: Sequence[Arg],
    ) -> DecodedValue:  # fmt: skip
        return sigset_at(raw[at], memory, raw[size_at], least)

    return Decoder(entry=entry, exit=filled)


# --- handlers and struct sigaction ---------------------------------------------------


def sa_handler(raw: int) -> DecodedValue:
    """``SIG_DFL``, ``SIG_IGN``, ``SIG_ERR``, else the handler's address."""
    value = as_signed(raw, 64)
    return (
        format_enum(value, K.SIG_HANDLERS, "") if lookup(value, K.SIG_HANDLERS) else unreadable(raw)
    )


def sigaction_text(data: bytes) -> str:
    handler, flags, restorer, mask = _SIGACTION.unpack(data)
    fields = [
        f"sa_handler={sa_handler(handler).text}",
        f"sa_mask={sigmask_text(mask, NSIG_BYTES)}",
        f"sa_flags={format_flags(flags, K.SA_FLAGS, 'SA_???').text}",
    ]
    if flags & _SA_RESTORER:
        fields.append(f"sa_restorer={hex_address(restorer)}")
    return "{" + ", ".join(fields) + "}"


def decode_sigaction(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """``{sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x...}``."""
    if raw == 0:
        return DecodedValue("NULL", None, raw)
    data = read_exact(memory, raw, _SIGACTION.size)
    if data is None:
        return unreadable(raw)
    return DecodedValue(sigaction_text(data), data.hex(), raw)


def _either_way(decode: Callable[[int, Memory, Options], DecodedValue]) -> Decoder:
    """An input at entry, the same struct filled at exit (rt_sigaction's act and oldact)."""

    def entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
        return decode(raw[at], memory, options)

    def filled(
        raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
        args: Sequence[Arg],
    ) -> DecodedValue:  # fmt: skip
        return decode(raw[at], memory, options)

    return Decoder(entry=entry, exit=filled, alone=decode)


_STACK_T = struct.Struct("<Qi4xQ")  # ss_sp, ss_flags, ss_size


def decode_stack_t(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """sigaltstack's ``{ss_sp=0x7f..., ss_flags=SS_DISABLE, ss_size=8192}``."""
    if raw == 0:
        return DecodedValue("NULL", None, raw)
    data = read_exact(memory, raw, _STACK_T.size)
    if data is None:
        return unreadable(raw)
    sp, flags, size = _STACK_T.unpack(data)
    flag_text = format_flags(flags & 0xFFFFFFFF, K.SS_FLAGS, "SS_???").text
    return DecodedValue(
        f"{{ss_sp={hex_address(sp)}, ss_flags={flag_text}, ss_size={size}}}", None, raw
    )


# Where each rt_* call's sigset size is: its signature's argument after the set(s).
_SIGSET_SIZES: dict[str, tuple[tuple[str, ...], int]] = {
    "rt_sigprocmask": (("set", "oldset"), 3),
    "rt_sigtimedwait": (("set",), 3),
    "rt_sigtimedwait_time64": (("set",), 3),
    "rt_sigsuspend": (("mask",), 1),
    "signalfd": (("mask",), 2),
    "signalfd4": (("mask",), 2),
    "ppoll": (("sigmask",), 4),
    "ppoll_time64": (("sigmask",), 4),
    "epoll_pwait": (("sigmask",), 5),
    "epoll_pwait2": (("sigmask",), 5),
}

# rt_sigreturn's frame (x86_64): the handler's return popped the frame's pretcode, so
# the stack pointer is at its struct ucontext, whose uc_sigmask follows uc_flags,
# uc_link, a stack_t (24 bytes) and a struct sigcontext (256 bytes).
_UC_SIGMASK = 8 + 8 + 24 + 256


def rt_sigframe(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """``{mask=[INT CHLD]}``: the mask rt_sigreturn restores, from the frame at the
    stack pointer ``raw``; nothing where the tracer could not read the stack pointer."""
    if raw == 0:
        return DecodedValue(NOT_PRINTED, None, raw)
    mask = sigset_at(raw + _UC_SIGMASK, memory, NSIG_BYTES)
    return DecodedValue(f"{{mask={mask.text}}}", mask.value, raw)


DECODERS: dict[str, Decoder] = {
    "signal": by_register(signal),
    "struct:rt_sigframe": by_pointer(rt_sigframe),
    "enum:sigprocmask_how": named.enum(K.SIGPROCMASK_HOW, "SIG_???"),
    "enum:sighandler": by_register(sa_handler),
    "struct:sigaction": _either_way(decode_sigaction),
    "flags:signalfd": named.flags(K.SFD_FLAGS, "SFD_???"),
    "struct:stack_t": _either_way(decode_stack_t),
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    (syscall, name): sized_sigset(size_at)
    for syscall, (names, size_at) in _SIGSET_SIZES.items()
    for name in names
} | {("rt_sigpending", "set"): sized_sigset(1, least=1)}  # a shorter set is sigpending's
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "signal": SIGNALS, "enum:sigprocmask_how": K.SIGPROCMASK_HOW,
    "enum:sighandler": K.SIG_HANDLERS, "flags:signalfd": K.SFD_FLAGS,
}  # fmt: skip
