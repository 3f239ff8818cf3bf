"""quotactl and quotactl_fd: the ``QCMD(cmd, type)`` word, and the id and the data
address as the command reads them (names generated from linux/quota.h and
linux/dqblk_xfs.h), as strace 6.1 prints them.

Kernel facts: the command word packs the command above bit 8 (SUBCMDSHIFT) and the
quota type below (SUBCMDMASK); the kernel reads only the low 32 bits of it and of
the id.  The id is a uid, gid or project id (-1 is none), except for Q_QUOTAON,
where it is the quota format (QFMT_*) and the address a path: the quota file.  The
address points to the command's struct: struct if_dqblk (Q_GETQUOTA, Q_SETQUOTA;
eight u64 then a u32 ``dqb_valid``), if_nextdqblk (the same and the u32 id found),
if_dqinfo (two u64 grace times, u32 flags, u32 valid), XFS's fs_disk_quota (112
bytes), fs_quota_stat (80) and fs_quota_statv (160), or a u32 of flags (Q_XQUOTAON,
Q_XQUOTAOFF, Q_XQUOTARM) or of the format (Q_GETFMT).  Q_SYNC, Q_QUOTAOFF and
Q_XQUOTASYNC read neither id nor address, and strace prints neither; the getters'
structs are printed at exit, the setters' at entry.

Without -v strace cuts the long structs short with ``...``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

from traced.decoders import _constants as K
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.strings import decode_cstring
from traced.decoders.style import ABBREV, RAW, VERBOSE, Style, applied, current
from traced.decoders.values import (
    NOT_PRINTED,
    DecodedValue,
    Memory,
    Options,
    chex,
    hex_address,
    read_exact,
)
from traced.decoders.xlat import Table, format_enum, format_flags
from traced.events import Arg

_SUBCMD_SHIFT = 8
_SUBCMD_MASK = 0xFF
_Q = dict(K.QUOTA_CMDS)
_PATH_MAX = 4096


def _command(raw: Sequence[int], cmd_at: int) -> int:
    return (raw[cmd_at] & 0xFFFFFFFF) >> _SUBCMD_SHIFT


def quota_command(raw: int) -> DecodedValue:
    """``QCMD(Q_GETQUOTA, GRPQUOTA)``; the number alone under -X raw, and before the
    ``QCMD(...)`` in a comment under -X verbose (whose names stay abbreviated)."""
    value = raw & 0xFFFFFFFF
    style = current()
    with applied(Style(ABBREV, style.strings)):
        command = format_enum(value >> _SUBCMD_SHIFT, K.QUOTA_CMDS, "Q_???").text
        kind = format_enum(value & _SUBCMD_MASK, K.QUOTA_TYPES, "???QUOTA").text
    text = f"QCMD({command}, {kind})"
    if style.xlat == RAW:
        text = str(value)
    elif style.xlat == VERBOSE:
        text = f"{value} /* {text} */"
    return DecodedValue(text, text, raw)


# The commands that read no id, and those that read no address either.
_NO_ADDRESS = frozenset(_Q[name] for name in ("Q_QUOTAOFF", "Q_SYNC", "Q_XQUOTASYNC"))
_NO_ID = _NO_ADDRESS | frozenset(
    _Q[name]
    for name in (
        "Q_GETFMT", "Q_GETINFO", "Q_SETINFO", "Q_XGETQSTAT", "Q_XGETQSTATV", "Q_XQUOTAON",
        "Q_XQUOTAOFF", "Q_XQUOTARM",
    )
)  # fmt: skip


def _id(cmd_at: int) -> Decoder:
    """The id: a uid (``-1`` or unsigned), Q_QUOTAON's format, or not shown."""

    def entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
        command, value = _command(raw, cmd_at), raw[at] & 0xFFFFFFFF
        if command in _NO_ID:
            return DecodedValue(NOT_PRINTED, None, raw[at])
        if command == _Q["Q_QUOTAON"]:
            return format_enum(value, K.QUOTA_FORMATS, "QFMT_VFS_???")
        return DecodedValue("-1" if value == 0xFFFFFFFF else str(value), value, raw[at])

    return Decoder(entry=entry)


# --- the structs ---------------------------------------------------------------------------

# (struct format, field names, how each is shown: None as a number, else a function)
Show = Callable[[int], str] | None
_LIMITS = ("bhardlimit", "bsoftlimit", "curspace", "ihardlimit", "isoftlimit", "curinodes")


def _flags(table: Table, unknown: str) -> Callable[[int], str]:
    return lambda value: format_flags(value, table, unknown).text


def _fields(names: Sequence[str], values: Sequence[int], shows: dict[str, Show]) -> list[str]:
    return [f"{n}={(shows.get(n) or str)(v)}" for n, v in zip(names, values, strict=True)]


def _braced(parts: list[str], cut: bool) -> str:
    return "{" + ", ".join([*parts, "..."] if cut else parts) + "}"


def _dqblk(data: bytes, verbose: bool, nextdq: bool) -> str:
    values = struct.unpack("<8QI", data[:68])
    names = [f"dqb_{n}" for n in (*_LIMITS, "btime", "itime", "valid")]
    parts = _fields(names, values, {"dqb_valid": _flags(K.QUOTA_DQBLK_VALID, "QIF_???")})
    if nextdq:
        parts.append(f"dqb_id={struct.unpack_from('<I', data, 68)[0]}")
    return _braced(parts if verbose else parts[:6] + parts[9:], not verbose)


def _dqinfo(data: bytes, verbose: bool) -> str:
    names = ("dqi_bgrace", "dqi_igrace", "dqi_flags", "dqi_valid")
    shows: dict[str, Show] = {
        "dqi_flags": _flags(K.QUOTA_DQINFO_FLAGS, "DQF_???"),
        "dqi_valid": _flags(K.QUOTA_DQINFO_VALID, "IIF_???"),
    }
    return _braced(_fields(names, struct.unpack("<QQII", data), shows), cut=False)


_DISK_QUOTA = (
    "d_version", "d_flags", "d_fieldmask", "d_id", "d_blk_hardlimit", "d_blk_softlimit",
    "d_ino_hardlimit", "d_ino_softlimit", "d_bcount", "d_icount", "d_itimer", "d_btimer",
    "d_iwarns", "d_bwarns", "d_rtb_hardlimit", "d_rtb_softlimit", "d_rtbcount", "d_rtbtimer",
    "d_rtbwarns",
)  # fmt: skip


def _disk_quota(data: bytes, verbose: bool) -> str:
    values = struct.unpack("<bBHI6QiiHH4x3QiH10x", data)
    shows: dict[str, Show] = {
        "d_flags": _flags(K.QUOTA_XFS_TYPES, "FS_???_QUOTA"), "d_fieldmask": chex,
    }  # fmt: skip
    parts = _fields(_DISK_QUOTA, values, shows)
    return _braced(parts if verbose else parts[:10], not verbose)


def _filestat(values: Sequence[int]) -> str:
    return "{" + ", ".join(_fields(("qfs_ino", "qfs_nblks", "qfs_nextents"), values, {})) + "}"


_QS_FLAGS: dict[str, Show] = {"qs_flags": _flags(K.QUOTA_XFS_FLAGS, "FS_QUOTA_???")}
_QS_TAIL = ("qs_btimelimit", "qs_itimelimit", "qs_rtbtimelimit", "qs_bwarnlimit", "qs_iwarnlimit")


def _quota_stat(data: bytes, verbose: bool) -> str:
    v = struct.unpack("<bxHb3xQQI4xQQI4xIiiiHH4x", data)
    if not verbose:
        return _braced([f"qs_version={v[0]}"], cut=True)
    head = _fields(("qs_version", "qs_flags"), v[:2], _QS_FLAGS)
    stats = [f"qs_uquota={_filestat(v[3:6])}", f"qs_gquota={_filestat(v[6:9])}"]
    tail = _fields(("qs_incoredqs", *_QS_TAIL), v[9:], {})
    return _braced(head + stats + tail, cut=False)


def _quota_statv(data: bytes, verbose: bool) -> str:
    v = struct.unpack("<bxHIQQI4xQQI4xQQI4xiiiHH64x", data)
    if not verbose:
        return _braced([f"qs_version={v[0]}"], cut=True)
    head = _fields(("qs_version", "qs_flags", "qs_incoredqs"), v[:3], _QS_FLAGS)
    stats = [f"qs_{who}quota={_filestat(v[3 * i + 3 : 3 * i + 6])}" for i, who in enumerate("ugp")]
    return _braced(head + stats + _fields(_QS_TAIL, v[12:], {}), cut=False)


def _indirect(show: Callable[[int], str]) -> Callable[[bytes, bool], str]:
    return lambda data, verbose: f"[{show(struct.unpack('<I', data)[0])}]"


_FORMAT = _indirect(lambda value: format_enum(value, K.QUOTA_FORMATS, "QFMT_VFS_???").text)
# Each command's struct: its size and printer, read at entry (setters) or exit (getters).
_Printer = Callable[[bytes, bool], str]
_SETTERS: dict[int, tuple[int, _Printer]] = {
    _Q["Q_SETQUOTA"]: (68, lambda data, verbose: _dqblk(data, verbose, nextdq=False)),
    _Q["Q_SETINFO"]: (24, _dqinfo),
    _Q["Q_XSETQLIM"]: (112, _disk_quota),
    _Q["Q_XQUOTAON"]: (4, _indirect(_flags(K.QUOTA_XFS_FLAGS, "FS_QUOTA_???"))),
    _Q["Q_XQUOTAOFF"]: (4, _indirect(_flags(K.QUOTA_XFS_FLAGS, "FS_QUOTA_???"))),
    _Q["Q_XQUOTARM"]: (4, _indirect(_flags(K.QUOTA_XFS_TYPES, "FS_???_QUOTA"))),
}
_GETTERS: dict[int, tuple[int, _Printer]] = {
    _Q["Q_GETQUOTA"]: _SETTERS[_Q["Q_SETQUOTA"]],
    _Q["Q_GETNEXTQUOTA"]: (72, lambda data, verbose: _dqblk(data, verbose, nextdq=True)),
    _Q["Q_GETINFO"]: (24, _dqinfo),
    _Q["Q_XGETQUOTA"]: (112, _disk_quota),
    _Q["Q_XGETNEXTQUOTA"]: (112, _disk_quota),
    _Q["Q_GETFMT"]: (4, _FORMAT),
    _Q["Q_XGETQSTAT"]: (80, _quota_stat),
    _Q["Q_XGETQSTATV"]: (160, _quota_statv),
}


def _struct(address: int, memory: Memory, options: Options, size: int, show: _Printer) -> str:
    data = read_exact(memory, address, size)
    return hex_address(address) if data is None else show(data, options.verbose)


def _address(cmd_at: int) -> Decoder:
    """The data address: a setter's struct or Q_QUOTAON's path at entry, a getter's
    struct at exit, else the address (or nothing, for the commands that read none)."""

    def entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
        command, address = _command(raw, cmd_at), raw[at]
        if command in _NO_ADDRESS:
            return DecodedValue(NOT_PRINTED, None, address)
        if command == _Q["Q_QUOTAON"]:
            return decode_cstring(address, memory, options, _PATH_MAX - 1)
        text = hex_address(address)
        if command in _SETTERS:
            text = _struct(address, memory, options, *_SETTERS[command])
        return DecodedValue(text, text, address)

    def filled(
        raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
        args: Sequence[Arg],
    ) -> DecodedValue | None:  # fmt: skip
        getter = _GETTERS.get(_command(raw, cmd_at))
        if getter is None:
            return None
        text = _struct(raw[at], memory, options, *getter)
        return DecodedValue(text, text, raw[at])

    return Decoder(entry=entry, exit=filled, in_and_out=True)


DECODERS: dict[str, Decoder] = {"enum:quotactl": by_register(quota_command)}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("quotactl", "id"): _id(cmd_at=0),
    ("quotactl", "addr"): _address(cmd_at=0),
    ("quotactl_fd", "id"): _id(cmd_at=1),
    ("quotactl_fd", "addr"): _address(cmd_at=1),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {"enum:quotactl": K.QUOTA_CMDS}
