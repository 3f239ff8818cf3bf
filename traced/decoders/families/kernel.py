"""Calls that name a kernel facility's command in their first word: seccomp's
operation and flags, bpf's command, io_uring_register's opcode, keyctl's command
and the special key ids (names generated from linux/seccomp.h, bpf.h, io_uring.h
and keyctl.h; quotactl's command is in quota.py).

A special key id (KEY_SPEC_THREAD_KEYRING ...) is a small negative int; any other
key is printed as its number.

seccomp's flags and args mean what its operation says: SECCOMP_SET_MODE_FILTER's
are SECCOMP_FILTER_FLAG_* and a struct sock_fprog (u16 len, then the filter's
address at 8); SECCOMP_GET_ACTION_AVAIL's args point to a u32 action; the kernel
writes three u16 sizes through SECCOMP_GET_NOTIF_SIZES's; any other operation's
flags are an unsigned int strace prints in hex.

personality's persona is a type in its low byte (PER_MASK) and flag bits above;
0xffffffff only asks for the current one.  The result is the previous persona,
which strace words the same way.  kcmp compares two tasks' resources of a KCMP_*
type: two fds (KCMP_FILE), an fd and a struct kcmp_epoll_slot {u32 efd, tfd,
toff} (KCMP_EPOLL_TFD), or nothing more (the others).  The fds are those of the two
processes (idx1 pid1's, idx2 and the slot's pid2's), which strace's -y names from
their fd tables: the slot's too, when pid2 names a process.  pidfd_getfd's targetfd
is an fd of the process its pidfd refers to, named so.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.families.bpf_filter import fprog_text, seccomp_k
from traced.decoders.fdnames import pidfd_pid, task_fd_in_memory
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
from traced.decoders.xlat import Table, format_enum, format_flags
from traced.events import Arg


def key_serial(raw: int) -> DecodedValue:
    """A key id: KEY_SPEC_* by name, any other as a signed int."""
    return format_enum(as_signed(raw, 32), K.KEY_SPEC, "", decimal=True)


_SECCOMP = dict(K.SECCOMP_OP)
_SET_MODE_FILTER = _SECCOMP["SECCOMP_SET_MODE_FILTER"]
_GET_ACTION_AVAIL = _SECCOMP["SECCOMP_GET_ACTION_AVAIL"]
_GET_NOTIF_SIZES = _SECCOMP["SECCOMP_GET_NOTIF_SIZES"]


def _seccomp_flags(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    flags = raw[at] & 0xFFFFFFFF
    if raw[0] & 0xFFFFFFFF == _SET_MODE_FILTER:
        return format_flags(flags, K.SECCOMP_FILTER_FLAGS, "SECCOMP_FILTER_FLAG_???")
    return DecodedValue(chex(flags), flags, raw[at])


def _seccomp_args(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """The filter's length and address, the action asked about; else the address."""
    operation, address = raw[0] & 0xFFFFFFFF, raw[at]
    text = hex_address(address)
    if operation == _SET_MODE_FILTER:
        text = fprog_text(address, memory, options, seccomp_k) if address else "NULL"
    elif operation == _GET_ACTION_AVAIL and (data := read_exact(memory, address, 4)):
        action = int.from_bytes(data, "little")
        text = f"[{format_enum(action, K.SECCOMP_RET, 'SECCOMP_RET_???').text}]"
    return DecodedValue(text, text, address)


def _notif_sizes(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """What SECCOMP_GET_NOTIF_SIZES wrote: ``{seccomp_notif=80, ...}``."""
    if raw[0] & 0xFFFFFFFF != _GET_NOTIF_SIZES or not (data := read_exact(memory, raw[at], 6)):
        return None
    sizes = struct.unpack("<3H", data)
    names = ("seccomp_notif", "seccomp_notif_resp", "seccomp_data")
    text = "{" + ", ".join(f"{name}={size}" for name, size in zip(names, sizes, strict=True)) + "}"
    return DecodedValue(text, dict(zip(names, sizes, strict=True)), raw[at])


# --- personality --------------------------------------------------------------------------

_PER_MASK = 0xFF


def persona_text(persona: int) -> str:
    """``PER_BSD|SHORT_INODE|0x10000``, the type and the flags each in the -X style."""
    kind = format_enum(persona & _PER_MASK, K.PERSONALITY_TYPES, "PER_???").text
    rest = persona & ~_PER_MASK
    return kind + ("|" + format_flags(rest, K.PERSONALITY_FLAGS).text if rest else "")


def _persona(raw: int) -> DecodedValue:
    persona = raw & 0xFFFFFFFF
    text = "0xffffffff" if persona == 0xFFFFFFFF else persona_text(persona)
    return DecodedValue(text, persona, raw)


def personality_result(retval: int) -> str:
    """``0x7000000 (PER_LINUX|SHORT_INODE|WHOLE_SECONDS|STICKY_TIMEOUTS)``."""
    return f"{chex(retval)} ({persona_text(retval & 0xFFFFFFFF)})"


# --- kcmp -----------------------------------------------------------------------------------

_KCMP = dict(K.KCMP_TYPES)
_KCMP_FILE, _KCMP_EPOLL_TFD = _KCMP["KCMP_FILE"], _KCMP["KCMP_EPOLL_TFD"]


def _epoll_slot(address: int, memory: Memory, pid: int) -> str:
    data = read_exact(memory, address, 12)
    if data is None:
        return hex_address(address)
    efd, tfd, toff = struct.unpack("<iiI", data)
    return f"{{efd={task_fd_in_memory(pid, efd)}, tfd={task_fd_in_memory(pid, tfd)}, toff={toff}}}"


def _kcmp_index(second: bool) -> Decoder:
    """idx1 or idx2 as the type reads it: fds, an epoll slot, nothing, or hex."""

    def entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
        kind, value = raw[2] & 0xFFFFFFFF, raw[at]
        pid = as_signed(raw[1 if second else 0], 32)
        if kind == _KCMP_FILE or (kind == _KCMP_EPOLL_TFD and not second):
            text = task_fd_in_memory(pid, as_signed(value, 32))
        elif kind == _KCMP_EPOLL_TFD:
            text = _epoll_slot(value, memory, pid)
        elif kind in _KCMP.values():
            text = NOT_PRINTED
        else:
            text = chex(value)
        return DecodedValue(text, value, value)

    return Decoder(entry=entry)


def _pidfd_target(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """pidfd_getfd's targetfd: an fd of the process the pidfd refers to."""
    fd, pid = as_signed(raw[at], 32), pidfd_pid(as_signed(raw[0], 32))
    text = str(fd) if pid is None or pid <= 0 else task_fd_in_memory(pid, fd)
    return DecodedValue(text, fd, raw[at])


DECODERS: dict[str, Decoder] = {
    "enum:seccomp_op": named.enum(K.SECCOMP_OP, "SECCOMP_???"),
    "flags:seccomp": named.flags(K.SECCOMP_FILTER_FLAGS, "SECCOMP_FILTER_FLAG_???"),
    "flags:personality": by_register(_persona),
    "enum:kcmp": named.enum(K.KCMP_TYPES, "KCMP_???"),
    "enum:bpf_cmd": named.enum(K.BPF_CMD, "BPF_???"),
    "enum:io_uring_register": named.enum(K.IORING_REGISTER, "IORING_REGISTER_???"),
    "enum:keyctl": named.enum(K.KEYCTL, "KEYCTL_???"),
    "enum:key_spec": by_register(key_serial),
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("seccomp", "flags"): Decoder(entry=_seccomp_flags),
    ("seccomp", "args"): Decoder(entry=_seccomp_args, exit=_notif_sizes, in_and_out=True),
    ("kcmp", "idx1"): _kcmp_index(second=False),
    ("kcmp", "idx2"): _kcmp_index(second=True),
    ("pidfd_getfd", "targetfd"): Decoder(entry=_pidfd_target),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "enum:seccomp_op": K.SECCOMP_OP, "flags:seccomp": K.SECCOMP_FILTER_FLAGS,
    "enum:bpf_cmd": K.BPF_CMD, "enum:io_uring_register": K.IORING_REGISTER,
    "enum:keyctl": K.KEYCTL, "enum:key_spec": K.KEY_SPEC, "enum:kcmp": K.KCMP_TYPES,
    "flags:personality": K.PERSONALITY_FLAGS,
}  # fmt: skip
