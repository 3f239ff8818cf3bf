"""Small structs and arrays of the credential, IPC and system calls, as strace 6.1
prints them: the ids getresuid and getresgid write (``[0]``), supplementary group
lists (getgroups writes as many as it returns, setgroups reads as many as it is
told), semop's struct sembuf array, struct mq_attr, io_setup's context, struct
utsname, and get_mempolicy's mode.

An id of (uid_t) -1 prints as -1, as strace prints ids.  Arrays are cut to -s
elements unless -v (traced.decoders.arrays).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text
from traced.decoders.families.numa import mempolicy_mode
from traced.decoders.kinds import Decoder, at_exit, by_pointer
from traced.decoders.strings import decode_buffer, decode_path, quote
from traced.decoders.values import DecodedValue, Memory, Options, chex, read_exact, unreadable
from traced.decoders.xlat import format_flags
from traced.events import Arg

_ID = 4


def _id(data: bytes) -> str:
    value = int.from_bytes(data, "little")
    return "-1" if value == 0xFFFFFFFF else str(value)


def id_pointer(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """``[0]``: the id at ``raw``."""
    data = read_exact(memory, raw, _ID)
    if data is None:
        return unreadable(raw)
    return DecodedValue(f"[{_id(data)}]", int.from_bytes(data, "little"), raw)


def uint_pointer(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """``[42]``: the unsigned int at ``raw`` (mq_timedreceive's priority)."""
    data = read_exact(memory, raw, 4)
    if data is None:
        return unreadable(raw)
    value = int.from_bytes(data, "little")
    return DecodedValue(f"[{value}]", value, raw)


def groups(raw: int, count: int, memory: Memory, options: Options) -> DecodedValue:
    """``[0, 4, -1]``: ``count`` gids."""
    return array_text(raw, max(0, count), _ID, memory, options, element=_id)


def _getgroups_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    return groups(raw[at], retval, memory, options)


_NGROUPS_MAX = 65536


def _setgroups_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    count = raw[at - 1] & 0xFFFFFFFF
    if count > _NGROUPS_MAX:  # more than the kernel takes: strace shows the address
        return unreadable(raw[at])
    return groups(raw[at], count, memory, options)


_SEMBUF = struct.Struct("<Hhh")


def _sembuf(data: bytes) -> str:
    number, operation, flags = _SEMBUF.unpack(data)
    flag_text = format_flags(flags & 0xFFFF, K.SEMOP_FLAGS, "SEM_???").text
    return f"{{sem_num={number}, sem_op={operation}, sem_flg={flag_text}}}"


def _sembuf_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    count = raw[at + 1] & 0xFFFFFFFF
    return array_text(raw[at], count, _SEMBUF.size, memory, options, element=_sembuf)


_MQ_ATTR = struct.Struct("<qqqq32x")  # then __reserved[4], read with the rest


def mq_attr(raw: int, memory: Memory, options: Options, *, named: bool = True) -> DecodedValue:
    """``{mq_flags=O_NONBLOCK, mq_maxmsg=10, mq_msgsize=8192, mq_curmsgs=0}``; mq_open's
    flags (not ``named``) in hex, as strace prints them there."""
    data = read_exact(memory, raw, _MQ_ATTR.size)
    if data is None:
        return unreadable(raw)
    flags, most, size, current = _MQ_ATTR.unpack(data)
    flag_text = (
        format_flags(flags, K.MQ_FLAGS, "O_???").text if named else chex(flags & (1 << 64) - 1)
    )
    text = f"{{mq_flags={flag_text}, mq_maxmsg={most}, mq_msgsize={size}, mq_curmsgs={current}}}"
    return DecodedValue(text, [flags, most, size, current], raw)


def aio_context(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """io_setup's context: ``[0x7f2a1c000000]``."""
    data = read_exact(memory, raw, 8)
    if data is None:
        return unreadable(raw)
    value = int.from_bytes(data, "little")
    return DecodedValue(f"[{value:#x}]" if value else "[0]", value, raw)


_UTS_FIELD = 65
_UTS_NAMES = ("sysname", "nodename", "release", "version", "machine", "domainname")


def utsname(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """``{sysname="Linux", nodename="vm", ...}``; -v: every field."""
    data = read_exact(memory, raw, _UTS_FIELD * len(_UTS_NAMES))
    if data is None:
        return unreadable(raw)
    shown = _UTS_NAMES if options.verbose else _UTS_NAMES[:2]
    parts = []
    for index, name in enumerate(shown):
        field = data[index * _UTS_FIELD : (index + 1) * _UTS_FIELD].split(b"\0", 1)[0]
        parts.append(f"{name}={quote(field)}")
    if not options.verbose:
        parts.append("...")
    return DecodedValue("{" + ", ".join(parts) + "}", None, raw)


_NEW_UTS_LEN = 64  # what sethostname and setdomainname take at most


def _uts_name(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """sethostname's name: its bytes, an address past what the kernel takes."""
    length = raw[at + 1] & 0xFFFFFFFF
    if length > _NEW_UTS_LEN:
        return unreadable(raw[at])
    return decode_buffer(raw[at], memory, length, options)


def mempolicy_pointer(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """get_mempolicy's mode: ``[MPOL_DEFAULT]``."""
    data = read_exact(memory, raw, 4)
    if data is None:
        return unreadable(raw)
    mode = mempolicy_mode(int.from_bytes(data, "little"))
    return DecodedValue(f"[{mode.text}]", mode.value, raw)


DECODERS: dict[str, Decoder] = {
    "struct:gid_array": Decoder(entry=_setgroups_entry),
    "struct:sembuf": Decoder(entry=_sembuf_entry),
    "struct:mq_attr": by_pointer(mq_attr),
    "struct:utsname": at_exit(utsname),
}
_OUTPUTS: dict[tuple[str, str], Decoder] = {
    **{
        (call, name): at_exit(id_pointer)
        for call in ("getresuid", "getresgid", "getresuid32", "getresgid32")
        for name in ("ruid", "euid", "suid", "rgid", "egid", "sgid")
    },
    ("timer_create", "timerid"): at_exit(id_pointer),
    ("mq_timedreceive", "msg_prio"): at_exit(uint_pointer),
    ("mq_timedreceive_time64", "msg_prio"): at_exit(uint_pointer),
    ("getgroups", "list"): Decoder(exit=_getgroups_exit),
    ("getgroups32", "list"): Decoder(exit=_getgroups_exit),
    ("mq_getsetattr", "oldattr"): at_exit(mq_attr),
    ("io_setup", "ctx_idp"): at_exit(aio_context),
    ("get_mempolicy", "mode"): at_exit(mempolicy_pointer),
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = _OUTPUTS | {
    # a queue's name is read as a path is (strace's printpath), whole or not at all
    ("mq_open", "name"): by_pointer(decode_path),
    ("mq_unlink", "name"): by_pointer(decode_path),
    ("sethostname", "name"): Decoder(entry=_uts_name),
    ("setdomainname", "name"): Decoder(entry=_uts_name),
    ("mq_open", "attr"): by_pointer(
        lambda raw, memory, options: mq_attr(raw, memory, options, named=False)
    ),
}
OUTPUTS = frozenset(_OUTPUTS)
