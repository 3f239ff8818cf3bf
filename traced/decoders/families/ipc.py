"""System V IPC: the get calls' keys and flags, the ctl calls' commands, msgsnd's,
msgrcv's and shmat's flags (names generated from linux/ipc.h, msg.h, sem.h, shm.h).

The get calls' flag word carries the new object's permissions in its low nine bits
(``IPC_CREAT|0600``): strace prints the flags, the bits no name covers in hex, then
the permissions in octal (``%#03o``).  shmget's word also carries a huge page size's
log2 above SHM_HUGE_SHIFT, printed ``21<<SHM_HUGE_SHIFT``.  A ctl command may carry
IPC_64, the layout version glibc asks for on some ABIs, printed ahead of the command.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders import named as named_decoders
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.strings import decode_buffer
from traced.decoders.values import (
    DecodedValue,
    Memory,
    Options,
    chex,
    octal,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import (
    Table,
    flag_names,
    format_enum,
    joined,
    named,
    styled_flags,
    with_rest,
)
from traced.events import Arg

_PERMISSIONS = 0o777
_IPC_64 = dict(K.IPC_64)["IPC_64"]
_HUGE = dict(K.SHM_HUGE)
_HUGE_FIELD = _HUGE["SHM_HUGE_MASK"] << _HUGE["SHM_HUGE_SHIFT"]
SHMGET: Table = K.SHMGET_FLAGS  # IPC_NOWAIT is SHM_HUGETLB here


def _get_flags(raw: int, table: Table, huge: bool) -> DecodedValue:
    """The flags in the -X style, then the huge page size, then the permissions in
    octal: each part printed apart, as strace prints them."""
    value = raw & 0xFFFFFFFF
    size = (value & _HUGE_FIELD) >> _HUGE["SHM_HUGE_SHIFT"] if huge else 0
    flags = value & ~_PERMISSIONS & ~(_HUGE_FIELD if huge else 0)
    names, rest = flag_names(flags, table)
    texts = []
    if flags:  # no name at all: the number alone, with no comment (strace's NULL default)
        texts.append(
            styled_flags("|".join(with_rest(names, rest)), flags) if names else chex(flags)
        )
    if size:
        texts.append(f"{size}<<{named(_HUGE['SHM_HUGE_SHIFT'], 'SHM_HUGE_SHIFT', decimal=True)}")
    texts.append(octal(value & _PERMISSIONS))
    return DecodedValue("|".join(texts), [*with_rest(names, rest)], raw)


def ipc_get_flags(raw: int) -> DecodedValue:
    """msgget's and semget's ``IPC_CREAT|IPC_EXCL|0600``."""
    return _get_flags(raw, K.IPC_FLAGS, huge=False)


def shmget_flags(raw: int) -> DecodedValue:
    """shmget's ``IPC_CREAT|SHM_HUGETLB|21<<SHM_HUGE_SHIFT|0600``."""
    return _get_flags(raw, SHMGET, huge=True)


def ipc_key(raw: int) -> DecodedValue:
    value = raw & 0xFFFFFFFF
    if value == 0:  # IPC_PRIVATE, in the -X style
        return DecodedValue(named(0, "IPC_PRIVATE"), value, raw)
    return DecodedValue(f"{value:#x}", value, raw)


def _ctl(table: Table, unknown: str) -> Decoder:
    def decode(raw: int) -> DecodedValue:
        value = raw & 0xFFFFFFFF
        command = format_enum(value & ~_IPC_64, table, unknown)
        if value & _IPC_64:
            return joined(["IPC_64", command.text], raw)
        return command

    return by_register(decode)


def msgbuf(raw: int, size: int, memory: Memory, options: Options) -> DecodedValue:
    """``{mtype=1, mtext="hello"}``: a message's type, then ``size`` bytes of text."""
    data = read_exact(memory, raw, 8)
    if data is None:
        return unreadable(raw)
    mtype = struct.unpack("<q", data)[0]
    text = decode_buffer(raw + 8, memory, size, options).text
    return DecodedValue(f"{{mtype={mtype}, mtext={text}}}", mtype, raw)


def _msgsnd_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return msgbuf(raw[at], raw[at + 1], memory, options)


def _msgrcv_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    return msgbuf(raw[at], retval, memory, options)


DECODERS: dict[str, Decoder] = {
    "flags:ipc_get": by_register(ipc_get_flags), "flags:shmget": by_register(shmget_flags),
    "enum:ipc_key": by_register(ipc_key),
    "flags:shmat": named_decoders.flags(K.SHMAT, "SHM_???"),
    "flags:msgflg": named_decoders.flags(K.MSGFLG, "MSG_???"),
    "enum:msgctl": _ctl(K.MSGCTL, "MSG_???"), "enum:semctl": _ctl(K.SEMCTL, "SEM_???"),
    "enum:shmctl": _ctl(K.SHMCTL, "SHM_???"),
}  # fmt: skip
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "flags:ipc_get": K.IPC_FLAGS, "flags:shmget": SHMGET, "enum:ipc_key": (("IPC_PRIVATE", 0),),
    "flags:shmat": K.SHMAT, "flags:msgflg": K.MSGFLG, "enum:msgctl": K.MSGCTL,
    "enum:semctl": K.SEMCTL, "enum:shmctl": K.SHMCTL,
}  # fmt: skip
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("msgsnd", "msgp"): Decoder(entry=_msgsnd_entry),
    ("msgrcv", "msgp"): Decoder(exit=_msgrcv_exit),
}
