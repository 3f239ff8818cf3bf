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
from traced.decoders.style import RAW, current
from traced.decoders.values import DecodedValue, Memory, Options, octal, read_exact, unreadable
from traced.decoders.xlat import Table, flag_names, format_enum, format_flags, joined, styled
from traced.events import Arg

_PERMISSIONS = 0o777
_IPC_64 = dict(K.IPC_64)["IPC_64"]
_HUGE = dict(K.SHM_HUGE)
_HUGE_FIELD = _HUGE["SHM_HUGE_MASK"] << _HUGE["SHM_HUGE_SHIFT"]
SHMGET: Table = K.SHMGET_FLAGS  # IPC_NOWAIT is SHM_HUGETLB here
_IPC_PRIVATE: Table = (("IPC_PRIVATE", 0),)


def _flag_part(flags: int, table: Table) -> tuple[str, int]:
    """strace's printflags with no default: the text (none for no bits) and how many
    names it printed (in raw style, one for any bits), which decides the ``|`` after."""
    if not flags:
        return "", 0
    text = format_flags(flags, table).text
    if current().xlat == RAW:
        return text, 1
    return text, len(flag_names(flags, table)[0])


def _get_flags(raw: int, table: Table) -> DecodedValue:
    value = raw & 0xFFFFFFFF
    text, count = _flag_part(value & ~_PERMISSIONS, table)
    return DecodedValue(text + ("|" if count else "") + octal(value & _PERMISSIONS), value, raw)


def ipc_get_flags(raw: int) -> DecodedValue:
    """msgget's and semget's ``IPC_CREAT|IPC_EXCL|0600``: the flags in the style, the
    permissions in octal after them in every style."""
    return _get_flags(raw, K.IPC_FLAGS)


def shmget_flags(raw: int) -> DecodedValue:
    """shmget's ``IPC_CREAT|SHM_HUGETLB|21<<SHM_HUGE_SHIFT|0600``."""
    value = raw & 0xFFFFFFFF
    flags = value & ~_PERMISSIONS & ~_HUGE_FIELD
    size = (value & _HUGE_FIELD) >> _HUGE["SHM_HUGE_SHIFT"]
    parts = [_flag_part(flags, SHMGET)[0]] if flags or not size else []
    if size:
        shift = _HUGE["SHM_HUGE_SHIFT"]
        parts.append(f"{size}<<" + styled("SHM_HUGE_SHIFT", str(shift)))
    text = "|".join(part for part in parts if part)
    return DecodedValue(
        text + ("|" if flags or size else "") + octal(value & _PERMISSIONS), value, raw
    )


def ipc_key(raw: int) -> DecodedValue:
    """IPC_PRIVATE by name, any other key in hex."""
    return format_enum(raw & 0xFFFFFFFF, _IPC_PRIVATE, "")


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
    "flags:ipc_get": K.IPC_FLAGS, "flags:shmget": SHMGET, "enum:ipc_key": _IPC_PRIVATE,
    "flags:shmat": K.SHMAT, "flags:msgflg": K.MSGFLG, "enum:msgctl": K.MSGCTL,
    "enum:semctl": K.SEMCTL, "enum:shmctl": K.SHMCTL,
}  # fmt: skip
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("msgsnd", "msgp"): Decoder(entry=_msgsnd_entry),
    ("msgrcv", "msgp"): Decoder(exit=_msgrcv_exit),
}
