"""btrfs's volume, subvolume, balance, defrag, feature and quota requests
(linux/btrfs.h), in strace 6.1's words (its btrfs.c): pure.

Kernel facts, x86-64 layouts: struct btrfs_ioctl_vol_args is an s64 fd and a
4088-byte name (4096 bytes); btrfs_ioctl_vol_args_v2 an s64 fd, u64 transid,
u64 flags, then a union of (u64 size, a pointer to a struct btrfs_qgroup_inherit)
and 32 bytes, then a 4040-byte name (4096 bytes).  btrfs_qgroup_inherit is u64
flags, num_qgroups, num_ref_copies, num_excl_copies, a struct btrfs_qgroup_limit
(u64 flags, max_rfer, max_excl, rsv_rfer, rsv_excl) and num_qgroups u64 ids (72
bytes before them).  btrfs_ioctl_balance_args (1024 bytes) is u64 flags and state,
then data, meta and sys, each a struct btrfs_balance_args of 136 bytes (u64
profiles, usage, devid, pstart, pend, vstart, vend, target, flags ...).
btrfs_ioctl_defrag_range_args is u64 start, len, flags, u32 extent_thresh,
compress_type (48 bytes).  btrfs_ioctl_feature_flags is u64 compat_flags,
compat_ro_flags, incompat_flags.  The qgroup and quota args are u64s: assign,
src, dst; create, qgroupid; qgroupid and a qgroup limit; cmd (and status);
flags, progress (and 48 reserved bytes).

strace prints a u64 of all ones as ``UINT64_MAX``, tree ids by name (numbers
else), a char array up to its NUL, and the qgroup ids only with -v.  The requests
the kernel fills alone (R) are printed at exit; those it reads and fills (RW)
after `` => ``.
"""

from __future__ import annotations

from traced.decoders._ioctls import (
    BTRFS_BALANCE_ARGS,
    BTRFS_BALANCE_CTL_CMDS,
    BTRFS_BALANCE_FLAGS,
    BTRFS_BALANCE_STATES,
    BTRFS_COMPRESS_TYPES,
    BTRFS_DEFRAG_FLAGS,
    BTRFS_FEATURES_COMPAT_RO,
    BTRFS_FEATURES_INCOMPAT,
    BTRFS_QGROUP_INHERIT_FLAGS,
    BTRFS_QGROUP_LIMIT_FLAGS,
    BTRFS_QUOTA_CTL_CMDS,
    BTRFS_SNAP_FLAGS,
    BTRFS_SPACE_INFO_FLAGS,
    BTRFS_TREE_OBJECTIDS,
)
from traced.decoders.arrays import array_text
from traced.decoders.families.ioctl_kit import Printer, Request, fixed, ints
from traced.decoders.families.ioctl_values import c_array
from traced.decoders.families.stat import format_makedev
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.values import Memory, Options, as_signed, hex_address, read_exact
from traced.decoders.xlat import Table, format_enum, format_flags

_U64 = (1 << 64) - 1
# The tables' u64 values (the generator prints them signed: -256 is LAST_FREE).
OBJECTIDS: Table = tuple((name, value & _U64) for name, value in BTRFS_TREE_OBJECTIDS)
_UINT64_MAX: Table = (("UINT64_MAX", _U64),)
_INHERIT, _LIMIT, _BALANCE_ARGS, _VOL = 72, 40, 136, 4096
_QGROUP_INHERIT = dict(BTRFS_SNAP_FLAGS)["BTRFS_SUBVOL_QGROUP_INHERIT"]
_DATA, _SYSTEM, _METADATA = (
    dict(BTRFS_BALANCE_FLAGS)[f"BTRFS_BALANCE_{name}"] for name in ("DATA", "SYSTEM", "METADATA")
)


def u64(value: int) -> str:
    """strace's PRINT_FIELD_U64: decimal, ``UINT64_MAX`` for all ones."""
    return format_enum(value, _UINT64_MAX, "", decimal=True).text


def objectid(value: int) -> str:
    """A tree's or an object's id: by name where it has one, else decimal."""
    return format_enum(value, OBJECTIDS, "", decimal=True).text


def fd_field(value: int) -> str:
    """An fd field (s64): printed as the int strace casts it to, named under -y."""
    return fd_in_memory(as_signed(value & 0xFFFFFFFF, 32))


def _flags(value: int, table: Table, unknown: str) -> str:
    return format_flags(value, table, unknown).text


def _vol_args(data: bytes, options: Options) -> str:
    return f"{{fd={fd_field(ints('q', data)[0])}, name={c_array(data[8:])}}}"


def _limit(data: bytes, at: int) -> str:
    flags, rfer, excl, rsv_rfer, rsv_excl = ints("5Q", data, at)
    return (
        f"{{flags={_flags(flags, BTRFS_QGROUP_LIMIT_FLAGS, 'BTRFS_QGROUP_LIMIT_???')}, "
        f"max_rfer={rfer}, max_excl={excl}, rsv_rfer={rsv_rfer}, rsv_excl={rsv_excl}}}"
    )


def _inherit(address: int, memory: Memory, options: Options) -> str:
    data = read_exact(memory, address, _INHERIT) if address else None
    if data is None:
        return hex_address(address)
    flags, count, ref, excl = ints("4Q", data)
    if options.verbose:
        element = lambda item: str(ints("Q", item)[0])  # noqa: E731
        qgroups = (
            "qgroups="
            + array_text(address + _INHERIT, count, 8, memory, options, element=element).text
        )
    else:
        qgroups = "..."
    return (
        f"{{flags={_flags(flags, BTRFS_QGROUP_INHERIT_FLAGS, 'BTRFS_QGROUP_INHERIT_???')}, "
        f"num_qgroups={count}, num_ref_copies={ref}, num_excl_copies={excl}, "
        f"lim={_limit(data, 32)}, {qgroups}}}"
    )


def _vol_args_v2(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, _VOL)
    if data is None:
        return None
    fd, flags, size, inherit = ints("q8xQQQ", data)
    parts = [f"fd={fd_field(fd)}", f"flags={_flags(flags, BTRFS_SNAP_FLAGS, 'BTRFS_SUBVOL_???')}"]
    if flags & _QGROUP_INHERIT:
        parts += [f"size={size}", f"qgroup_inherit={_inherit(inherit, memory, options)}"]
    return "{" + ", ".join([*parts, f"name={c_array(data[56:])}"]) + "}"


def _transid(data: bytes, options: Options) -> str:
    return f"{{transid={ints('Q', data, 8)[0]}}}"


def _balance_args(data: bytes, at: int) -> str:
    profiles, usage, devid, pstart, pend, vstart, vend, target, flags = ints("9Q", data, at)
    return (
        f"{{profiles={_flags(profiles, BTRFS_SPACE_INFO_FLAGS, 'BTRFS_BLOCK_GROUP_???')}, "
        f"usage={u64(usage)}, devid={format_makedev(devid)}, pstart={u64(pstart)}, "
        f"pend={u64(pend)}, vstart={u64(vstart)}, vend={u64(vend)}, target={u64(target)}, "
        f"flags={_flags(flags, BTRFS_BALANCE_ARGS, 'BTRFS_BALANCE_ARGS_???')}}}"
    )


def _balance(out: bool) -> Printer:
    """struct btrfs_ioctl_balance_args: its state too where the kernel wrote it."""

    def text(data: bytes, options: Options) -> str:
        flags, state = ints("QQ", data)
        parts = [f"flags={_flags(flags, BTRFS_BALANCE_FLAGS, 'BTRFS_BALANCE_???')}"]
        if out:
            parts.append(f"state={_flags(state, BTRFS_BALANCE_STATES, 'BTRFS_BALANCE_STATE_???')}")
        for name, bit, at in (("data", _DATA, 16), ("meta", _METADATA, 152), ("sys", _SYSTEM, 288)):
            if flags & bit:
                parts.append(f"{name}={_balance_args(data, at)}")
        return "{" + ", ".join(parts) + "}"

    return fixed(1024, text)


def _defrag_range(data: bytes, options: Options) -> str:
    start, length, flags, thresh, compress = ints("QQQII", data)
    return (
        f"{{start={start}, len={u64(length)}, "
        f"flags={_flags(flags, BTRFS_DEFRAG_FLAGS, 'BTRFS_DEFRAG_RANGE_???')}, "
        f"extent_thresh={thresh}, "
        f"compress_type={format_enum(compress, BTRFS_COMPRESS_TYPES, 'BTRFS_COMPRESS_???').text}}}"
    )


def _features(data: bytes, at: int = 0) -> str:
    """struct btrfs_ioctl_feature_flags (strace knows no compat flag)."""
    compat, compat_ro, incompat = ints("3Q", data, at)
    prefix = "BTRFS_FEATURE_"
    return (
        f"{{compat_flags={_flags(compat, (), prefix + 'COMPAT_???')}, "
        f"compat_ro_flags={_flags(compat_ro, BTRFS_FEATURES_COMPAT_RO, prefix + 'COMPAT_RO_???')}, "
        f"incompat_flags={_flags(incompat, BTRFS_FEATURES_INCOMPAT, prefix + 'INCOMPAT_???')}}}"
    )


def _supported(data: bytes, options: Options) -> str:
    notes = ("supported", "safe to set", "safe to clear")
    return (
        "[" + ", ".join(f"{_features(data, 24 * i)} /* {n} */" for i, n in enumerate(notes)) + "]"
    )


def _u64_array(data: bytes, options: Options) -> str:
    return f"[{ints('Q', data)[0]}]"


def _snap_flags(data: bytes, options: Options) -> str:
    return _flags(ints("Q", data)[0], BTRFS_SNAP_FLAGS, "BTRFS_SUBVOL_???")


def _qgroup_limit(data: bytes, options: Options) -> str:
    return f"{{qgroupid={ints('Q', data)[0]}, lim={_limit(data, 8)}}}"


def _quota_ctl(data: bytes, options: Options) -> str:
    cmd = format_enum(ints("Q", data)[0], BTRFS_QUOTA_CTL_CMDS, "BTRFS_QUOTA_CTL_???").text
    return f"{{cmd={cmd}}}"


def _rescan_status(data: bytes, options: Options) -> str:
    flags, progress = ints("QQ", data)
    return f"{{flags={flags}, progress={objectid(progress)}}}"


_VOL_ARGS = Request(entry=fixed(_VOL, _vol_args))
_VOL_V2 = Request(entry=_vol_args_v2, exit=fixed(_VOL, _transid))
_U64_IN = Request(entry=fixed(8, _u64_array))
REQUESTS: dict[str, Request] = {
    **dict.fromkeys(
        (
            "BTRFS_IOC_SNAP_CREATE",
            "BTRFS_IOC_RESIZE",
            "BTRFS_IOC_SCAN_DEV",
            "BTRFS_IOC_FORGET_DEV",
            "BTRFS_IOC_ADD_DEV",
            "BTRFS_IOC_RM_DEV",
            "BTRFS_IOC_SUBVOL_CREATE",
            "BTRFS_IOC_SNAP_DESTROY",
            "BTRFS_IOC_DEVICES_READY",
        ),
        _VOL_ARGS,
    ),
    "BTRFS_IOC_SNAP_CREATE_V2": _VOL_V2,
    "BTRFS_IOC_SUBVOL_CREATE_V2": _VOL_V2,
    "BTRFS_IOC_BALANCE_CTL": Request(
        entry=lambda raw, memory, options: (
            format_enum(raw, BTRFS_BALANCE_CTL_CMDS, "BTRFS_BALANCE_CTL_???").text
        )
    ),
    "BTRFS_IOC_DEFAULT_SUBVOL": _U64_IN,
    "BTRFS_IOC_WAIT_SYNC": _U64_IN,
    "BTRFS_IOC_START_SYNC": Request(exit=fixed(8, _u64_array)),
    "BTRFS_IOC_SUBVOL_GETFLAGS": Request(exit=fixed(8, _snap_flags)),
    "BTRFS_IOC_SUBVOL_SETFLAGS": Request(entry=fixed(8, _snap_flags)),
    "BTRFS_IOC_BALANCE_V2": Request(entry=_balance(False), exit=_balance(True)),
    "BTRFS_IOC_BALANCE_PROGRESS": Request(exit=_balance(True)),
    "BTRFS_IOC_DEFRAG_RANGE": Request(entry=fixed(48, _defrag_range)),
    "BTRFS_IOC_GET_FEATURES": Request(exit=fixed(24, lambda data, options: _features(data))),
    "BTRFS_IOC_SET_FEATURES": Request(
        entry=fixed(48, lambda data, options: f"[{_features(data)}, {_features(data, 24)}]")
    ),
    "BTRFS_IOC_GET_SUPPORTED_FEATURES": Request(exit=fixed(72, _supported)),
    "BTRFS_IOC_QGROUP_ASSIGN": Request(
        entry=fixed(
            24, lambda data, options: "{{assign={}, src={}, dst={}}}".format(*ints("3Q", data))
        )
    ),
    "BTRFS_IOC_QGROUP_CREATE": Request(
        entry=fixed(
            16, lambda data, options: "{{create={}, qgroupid={}}}".format(*ints("2Q", data))
        )
    ),
    "BTRFS_IOC_QGROUP_LIMIT": Request(exit=fixed(48, _qgroup_limit)),
    "BTRFS_IOC_QUOTA_CTL": Request(entry=fixed(16, _quota_ctl)),
    "BTRFS_IOC_QUOTA_RESCAN": Request(
        entry=fixed(64, lambda data, options: f"{{flags={ints('Q', data)[0]}}}")
    ),
    "BTRFS_IOC_QUOTA_RESCAN_STATUS": Request(exit=fixed(64, _rescan_status)),
}
