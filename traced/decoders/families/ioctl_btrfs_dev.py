"""btrfs's device, scrub, filesystem, received subvolume, send and space requests
(linux/btrfs.h), in strace 6.1's words (its btrfs.c): pure.

Kernel facts, x86-64 layouts: btrfs_ioctl_dev_info_args (4096 bytes) is u64 devid,
a 16-byte uuid, u64 bytes_used, total_bytes, ... and a 1024-byte path at 3072.
btrfs_ioctl_dev_replace_args (2600 bytes) is u64 cmd, result, then for START u64
srcdevid, cont_reading_from_srcdev_mode and two 1025-byte names, for STATUS u64
replace_state, progress_1000, time_started, time_stopped, num_write_errors,
num_uncorrectable_read_errors.  btrfs_ioctl_get_dev_stats (1032 bytes) is u64
devid, nr_items, flags and the BTRFS_DEV_STAT_VALUES_MAX (5) u64 values.
btrfs_ioctl_scrub_args (1024 bytes) is u64 devid, start, end, flags, then 15 u64
of progress.  btrfs_ioctl_fs_info_args (1024 bytes) is u64 max_id, num_devices, a
16-byte fsid, u32 nodesize, sectorsize, clone_alignment, u16 csum_type, csum_size,
u64 flags (what the caller asks for, and the kernel says it filled), generation
and a 16-byte metadata_uuid.  btrfs_ioctl_received_subvol_args (200 bytes) is a
16-byte uuid, u64 stransid, rtransid, two struct btrfs_ioctl_timespec (u64 sec,
u32 nsec: 16 bytes) stime and rtime, u64 flags.  btrfs_ioctl_send_args (72 bytes)
is s64 send_fd, u64 clone_sources_count, a pointer to that many u64 ids, u64
parent_root, flags.  btrfs_ioctl_space_args is u64 space_slots, total_spaces, then
the spaces (u64 flags, total_bytes, used_bytes each).
"""

from __future__ import annotations

from traced.decoders._ioctls import (
    BTRFS_CONT_READING_MODES,
    BTRFS_CSUM_TYPES,
    BTRFS_DEV_REPLACE_CMDS,
    BTRFS_DEV_REPLACE_RESULTS,
    BTRFS_DEV_REPLACE_STATES,
    BTRFS_DEV_STAT_VALUES,
    BTRFS_DEV_STATS_FLAGS,
    BTRFS_FS_INFO_FLAGS,
    BTRFS_SCRUB_FLAGS,
    BTRFS_SEND_FLAGS,
    BTRFS_SPACE_INFO_FLAGS,
)
from traced.decoders.arrays import array_text
from traced.decoders.families.ioctl_btrfs import fd_field, objectid, u64
from traced.decoders.families.ioctl_kit import Request, fixed, ints
from traced.decoders.families.ioctl_values import c_array
from traced.decoders.families.stat import format_makedev
from traced.decoders.families.times import time_comment
from traced.decoders.values import Memory, Options, hex_address, read_exact
from traced.decoders.xlat import Table, format_enum, format_flags

_START, _STATUS = (
    dict(BTRFS_DEV_REPLACE_CMDS)[f"BTRFS_IOCTL_DEV_REPLACE_CMD_{name}"]
    for name in ("START", "STATUS")
)
_CSUM_INFO, _GENERATION, _METADATA_UUID = (
    dict(BTRFS_FS_INFO_FLAGS)[f"BTRFS_FS_INFO_FLAG_{name}"]
    for name in ("CSUM_INFO", "GENERATION", "METADATA_UUID")
)
_DEV_STATS = len(BTRFS_DEV_STAT_VALUES)  # the values struct btrfs_ioctl_get_dev_stats has
_SCRUB_PROGRESS = (
    "data_extents_scrubbed", "tree_extents_scrubbed", "data_bytes_scrubbed",
    "tree_bytes_scrubbed", "read_errors", "csum_errors", "verify_errors", "no_csum",
    "csum_discards", "super_errors", "malloc_errors", "uncorrectable_errors",
    "corrected_errors", "last_physical", "unverified_errors",
)  # fmt: skip


def _uuid(data: bytes) -> str:
    h = data[:16].hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _xval(value: int, table: Table, unknown: str) -> str:
    return format_enum(value, table, unknown).text


def _dev_info(data: bytes, options: Options) -> str:
    uuid = data[8:24]
    shown = f", uuid={_uuid(uuid)}" if any(uuid) else ""
    return f"{{devid={format_makedev(ints('Q', data)[0])}{shown}}}"


def _dev_info_out(data: bytes, options: Options) -> str:
    uuid = data[8:24]
    shown = f"uuid={_uuid(uuid)}, " if any(uuid) else ""
    used, total = ints("QQ", data, 24)
    return f"{{{shown}bytes_used={used}, total_bytes={total}, path={c_array(data[3072:])}}}"


def _replace(data: bytes, options: Options) -> str:
    cmd = ints("Q", data)[0]
    text = f"cmd={_xval(cmd, BTRFS_DEV_REPLACE_CMDS, 'BTRFS_IOCTL_DEV_REPLACE_CMD_???')}"
    if cmd == _START:
        devid, mode = ints("QQ", data, 16)
        reading = _xval(
            mode,
            BTRFS_CONT_READING_MODES,
            "BTRFS_IOCTL_DEV_REPLACE_CONT_READING_FROM_SRCDEV_MODE_???",
        )
        text += (
            f", start={{srcdevid={format_makedev(devid)}, cont_reading_from_srcdev_mode={reading}, "
            f"srcdev_name={c_array(data[32:1057])}, tgtdev_name={c_array(data[1057:2082])}}}"
        )
    return "{" + text + "}"


def _replace_out(data: bytes, options: Options) -> str:
    cmd, result = ints("QQ", data)
    text = (
        f"result={_xval(result, BTRFS_DEV_REPLACE_RESULTS, 'BTRFS_IOCTL_DEV_REPLACE_RESULT_???')}"
    )
    if cmd == _STATUS:
        state, progress, started, stopped, writes, reads = ints("6Q", data, 16)
        percent = f" /* {progress // 10}.{progress % 10}% */" if progress <= 1000 else ""
        text += (
            f", status={{replace_state="
            f"{_xval(state, BTRFS_DEV_REPLACE_STATES, 'BTRFS_IOCTL_DEV_REPLACE_STATE_???')}, "
            f"progress_1000={progress}{percent}, time_started={started}"
            f"{time_comment(started, 0)}, time_stopped={stopped}{time_comment(stopped, 0)}, "
            f"num_write_errors={writes}, num_uncorrectable_read_errors={reads}}}"
        )
    return "{" + text + "}"


def _dev_stats(data: bytes, options: Options) -> str:
    devid, count, flags = ints("3Q", data)
    flag_text = format_flags(flags, BTRFS_DEV_STATS_FLAGS, "BTRFS_DEV_STATS_???").text
    return f"{{devid={format_makedev(devid)}, nr_items={count}, flags={flag_text}}}"


def _dev_stats_out(data: bytes, options: Options) -> str:
    count, flags = ints("QQ", data, 8)
    flag_text = format_flags(flags, BTRFS_DEV_STATS_FLAGS, "BTRFS_DEV_STATS_???").text
    values = []
    for index in range(min(count, _DEV_STATS + 1)):
        if index == _DEV_STATS:  # strace stops at the values the struct has
            values.append("...")
            break
        name = format_enum(index, BTRFS_DEV_STAT_VALUES, "", decimal=True).text
        values.append(f"[{name}]={ints('Q', data, 24 + 8 * index)[0]}")
    return f"{{nr_items={count}, flags={flag_text}, [{', '.join(values)}]}}"


def _scrub(with_range: bool) -> Request:
    def entry(data: bytes, options: Options) -> str:
        devid, start, end, flags = ints("4Q", data)
        text = f"devid={format_makedev(devid)}"
        if with_range:
            flag_text = format_flags(flags, BTRFS_SCRUB_FLAGS, "BTRFS_SCRUB_???").text
            text += f", start={start}, end={u64(end)}, flags={flag_text}"
        return "{" + text + "}"

    def out(data: bytes, options: Options) -> str:
        values = ints("15Q", data, 32)
        fields = ", ".join(f"{n}={v}" for n, v in zip(_SCRUB_PROGRESS, values, strict=True))
        return f"{{progress={{{fields}}}}}"

    return Request(entry=fixed(1024, entry), exit=fixed(1024, out))


def _timespec(data: bytes, at: int) -> str:
    sec, nsec = ints("QI", data, at)
    return f"{{sec={sec}, nsec={nsec}}}{time_comment(sec, nsec)}"


def _received(data: bytes, options: Options) -> str:
    transid, flags = ints("Q", data, 16)[0], ints("Q", data, 64)[0]
    return f"{{uuid={_uuid(data)}, stransid={transid}, stime={_timespec(data, 32)}, flags={flags}}}"


def _received_out(data: bytes, options: Options) -> str:
    return f"{{rtransid={ints('Q', data, 24)[0]}, rtime={_timespec(data, 48)}}}"


def _send(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 72)
    if data is None:
        return None
    fd, count, sources, parent, flags = ints("qQQQQ", data)
    if options.verbose:
        element = lambda item: objectid(ints("Q", item)[0])  # noqa: E731
        clones = array_text(sources, count, 8, memory, options, element=element).text
    else:
        clones = hex_address(sources)
    return (
        f"{{send_fd={fd_field(fd)}, clone_sources_count={count}, clone_sources={clones}, "
        f"parent_root={objectid(parent)}, "
        f"flags={format_flags(flags, BTRFS_SEND_FLAGS, 'BTRFS_SEND_FLAGS_???').text}}}"
    )


def _space_info(item: bytes) -> str:
    flags, total, used = ints("3Q", item)
    flag_text = format_flags(flags, BTRFS_SPACE_INFO_FLAGS, "BTRFS_SPACE_INFO_???").text
    return f"{{flags={flag_text}, total_bytes={total}, used_bytes={used}}}"


def _spaces(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 16)
    if data is None:
        return None
    slots, total = ints("QQ", data)
    if slots == 0 and total:
        return f"{{total_spaces={total}}}"
    if not options.verbose:
        return f"{{total_spaces={total}, ...}}"
    spaces = array_text(address + 16, total, 24, memory, options, element=_space_info).text
    return f"{{total_spaces={total}, spaces={spaces}}}"


def _fs_info(data: bytes, options: Options) -> str:
    max_id, devices = ints("QQ", data)
    node, sector, align, csum_type, csum_size = ints("IIIHH", data, 32)
    flags, generation = ints("QQ", data, 48)
    parts = [f"max_id={max_id}", f"num_devices={devices}", f"fsid={_uuid(data[16:32])}"]
    parts += [f"nodesize={node}", f"sectorsize={sector}", f"clone_alignment={align}"]
    if flags & _CSUM_INFO:
        csum = _xval(csum_type, BTRFS_CSUM_TYPES, "BTRFS_CSUM_TYPE_???")
        parts += [f"csum_type={csum}", f"csum_size={csum_size}"]
    parts.append(f"flags={format_flags(flags, BTRFS_FS_INFO_FLAGS, 'BTRFS_FS_INFO_FLAG_???').text}")
    if flags & _GENERATION:
        parts.append(f"generation={generation}")
    if flags & _METADATA_UUID:
        parts.append(f"metadata_uuid={_uuid(data[64:80])}")
    return "{" + ", ".join(parts) + "}"


REQUESTS: dict[str, Request] = {
    "BTRFS_IOC_DEV_INFO": Request(entry=fixed(4096, _dev_info), exit=fixed(4096, _dev_info_out)),
    "BTRFS_IOC_DEV_REPLACE": Request(entry=fixed(2600, _replace), exit=fixed(2600, _replace_out)),
    "BTRFS_IOC_GET_DEV_STATS": Request(
        entry=fixed(1032, _dev_stats), exit=fixed(1032, _dev_stats_out)
    ),
    "BTRFS_IOC_FS_INFO": Request(exit=fixed(1024, _fs_info)),
    "BTRFS_IOC_SCRUB": _scrub(True),
    "BTRFS_IOC_SCRUB_PROGRESS": _scrub(False),
    "BTRFS_IOC_SET_RECEIVED_SUBVOL": Request(
        entry=fixed(200, _received), exit=fixed(200, _received_out)
    ),
    "BTRFS_IOC_SEND": Request(entry=_send),
    "BTRFS_IOC_SPACE_INFO": Request(
        entry=fixed(16, lambda data, options: f"{{space_slots={ints('Q', data)[0]}}}"),
        exit=_spaces,
    ),
}
