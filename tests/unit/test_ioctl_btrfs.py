"""btrfs's requests and the 0x94 ones of linux/fs.h (families/ioctl_btrfs*.py,
ioctl_fs.py): strace 6.1's text out, from its runs of strace's btrfs tests."""

import struct

from tests.unit.ioctl_cases import ADDRESS, argument
from tests.unit.plain import FakeMemory
from traced.decoders._ioctls import IOCTLS
from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.families.ioctl import argument_style
from traced.decoders.values import DEFAULT_OPTIONS, Options

REQUEST = dict(IOCTLS)
VERBOSE = Options(verbose=True)
ALL = 2**64 - 1
SNAP_FLAGS = "BTRFS_SUBVOL_CREATE_ASYNC|BTRFS_SUBVOL_RDONLY|BTRFS_SUBVOL_QGROUP_INHERIT|0x8"


def btrfs(name: str, data: bytes, options: Options = DEFAULT_OPTIONS) -> str:
    return argument(REQUEST[name], data, failed=True, options=options)


def test_no_argument_and_plain_ones() -> None:
    assert argument_style(REQUEST["BTRFS_IOC_SYNC"]) == "none"
    assert argument_style(REQUEST["BTRFS_IOC_BALANCE"]) == "none"
    assert argument(REQUEST["BTRFS_IOC_BALANCE_CTL"], b"", address=1) == "BTRFS_BALANCE_CTL_PAUSE"
    assert btrfs("BTRFS_IOC_WAIT_SYNC", struct.pack("<Q", 0xDEADBEEFBADC0DED)) == (
        "[16045690984232390125]"
    )
    assert btrfs("BTRFS_IOC_SUBVOL_SETFLAGS", struct.pack("<Q", 15)) == SNAP_FLAGS
    assert argument(REQUEST["BTRFS_IOC_FS_INFO"], b"", address=0, failed=True) == "NULL"


def test_volume_args() -> None:
    vol = struct.pack("<q", 0) + b"subvol-name".ljust(4088, b"\0")
    assert btrfs("BTRFS_IOC_SNAP_CREATE", vol) == '{fd=0, name="subvol-name"}'
    long = struct.pack("<q", 0) + b"f" * 4088  # no NUL: all but the last byte, and ...
    assert btrfs("BTRFS_IOC_SNAP_CREATE", long) == '{fd=0, name="' + "f" * 4087 + '"...}'
    v2 = struct.pack("<qQQQQ16x", 2, 0, 15, 0, 0) + b"subvol-name".ljust(4040, b"\0")
    assert btrfs("BTRFS_IOC_SNAP_CREATE_V2", v2) == (
        f'{{fd=2, flags={SNAP_FLAGS}, size=0, qgroup_inherit=NULL, name="subvol-name"}}'
    )


def test_qgroup_inherit_and_its_ids_with_v() -> None:
    inherit_at = 0x7F0000001000
    v2 = struct.pack("<qQQQQ16x", 2, 0, 15, 136, inherit_at) + b"subvol-name".ljust(4040, b"\0")
    limit = struct.pack("<5Q", 0x7F, *[0xDEADBEEFBADC0DED] * 4)
    inherit = (
        struct.pack("<4Q", 3, 8, 0, 0) + limit + struct.pack("<8Q", *(1 << i for i in range(8)))
    )
    lim = (
        "lim={flags=BTRFS_QGROUP_LIMIT_MAX_RFER|BTRFS_QGROUP_LIMIT_MAX_EXCL|"
        "BTRFS_QGROUP_LIMIT_RSV_RFER|BTRFS_QGROUP_LIMIT_RSV_EXCL|BTRFS_QGROUP_LIMIT_RFER_CMPR|"
        "BTRFS_QGROUP_LIMIT_EXCL_CMPR|0x40, max_rfer=16045690984232390125, "
        "max_excl=16045690984232390125, rsv_rfer=16045690984232390125, "
        "rsv_excl=16045690984232390125}"
    )
    head = (
        f"{{fd=2, flags={SNAP_FLAGS}, size=136, qgroup_inherit={{flags="
        "BTRFS_QGROUP_INHERIT_SET_LIMITS|0x2, num_qgroups=8, num_ref_copies=0, "
        f"num_excl_copies=0, {lim}, "
    )

    def entry(options: Options) -> str:
        memory = FakeMemory({ADDRESS: v2, inherit_at: inherit})
        raw = (2**64 - 1, REQUEST["BTRFS_IOC_SNAP_CREATE_V2"], ADDRESS)
        return decode_entry("ioctl", raw, memory, options)[2].text

    assert entry(Options()) == head + '...}, name="subvol-name"}'
    assert entry(VERBOSE) == head + 'qgroups=[1, 2, 4, 8, 16, 32, 64, 128]}, name="subvol-name"}'


def test_balance_and_defrag() -> None:
    def args(profiles: int, flags: int, full: bool) -> bytes:
        end = ALL if full else 0
        return struct.pack("<9Q", profiles, 0, 1, 0, end, 0, end, 0, flags).ljust(136, b"\0")

    balance = struct.pack("<QQ", 0x3F, 0) + args(7, 7, True) + args(0x38, 0x38, False)
    balance += args(0x10000000001C0, 0x4C0, False)
    text = btrfs("BTRFS_IOC_BALANCE_V2", balance.ljust(1024, b"\0"))
    assert text.startswith(
        "{flags=BTRFS_BALANCE_DATA|BTRFS_BALANCE_SYSTEM|BTRFS_BALANCE_METADATA|"
        "BTRFS_BALANCE_FORCE|BTRFS_BALANCE_RESUME|0x20, data={profiles=BTRFS_BLOCK_GROUP_DATA|"
        "BTRFS_BLOCK_GROUP_SYSTEM|BTRFS_BLOCK_GROUP_METADATA, usage=0, devid=makedev(0, 0x1), "
        "pstart=0, pend=UINT64_MAX, vstart=0, vend=UINT64_MAX, target=0, "
        "flags=BTRFS_BALANCE_ARGS_PROFILES|BTRFS_BALANCE_ARGS_USAGE|BTRFS_BALANCE_ARGS_DEVID}, "
        "meta={profiles=BTRFS_BLOCK_GROUP_RAID0|"
    )
    assert text.endswith(
        "sys={profiles=BTRFS_BLOCK_GROUP_RAID10|BTRFS_BLOCK_GROUP_RAID5|BTRFS_BLOCK_GROUP_RAID6|"
        "BTRFS_AVAIL_ALLOC_BIT_SINGLE, usage=0, devid=makedev(0, 0x1), pstart=0, pend=0, "
        "vstart=0, vend=0, target=0, flags=BTRFS_BALANCE_ARGS_LIMIT_RANGE|"
        "BTRFS_BALANCE_ARGS_STRIPES_RANGE|BTRFS_BALANCE_ARGS_USAGE_RANGE}}"
    )
    defrag = struct.pack("<QQQII16x", 0, ALL, 7, 131072, 4)
    assert btrfs("BTRFS_IOC_DEFRAG_RANGE", defrag) == (
        "{start=0, len=UINT64_MAX, flags=BTRFS_DEFRAG_RANGE_COMPRESS|BTRFS_DEFRAG_RANGE_START_IO|"
        "0x4, extent_thresh=131072, compress_type=0x4 /* BTRFS_COMPRESS_??? */}"
    )


def test_tree_search_keys_abbreviated_unless_v() -> None:
    key = struct.pack("<7Q3I36x", 5, 256, ALL, 0, ALL, 0, ALL, 0, 0xFFFFFFFF, 10)
    tail = (
        "max_objectid=UINT64_MAX, min_offset=0, max_offset=UINT64_MAX, min_transid=0, "
        "max_transid=UINT64_MAX, min_type=0, max_type=UINT32_MAX, nr_items=10}"
    )
    assert (
        btrfs("BTRFS_IOC_TREE_SEARCH", key) == "{key={tree_id=BTRFS_FS_TREE_OBJECTID, " + tail + "}"
    )
    assert btrfs("BTRFS_IOC_TREE_SEARCH_V2", key + struct.pack("<Q", 4096), VERBOSE) == (
        "{key={tree_id=BTRFS_FS_TREE_OBJECTID, min_objectid=BTRFS_FIRST_FREE_OBJECTID, "
        + tail
        + ", buf_size=4096}"
    )
    lookup = struct.pack("<QQ", 5, 256).ljust(4096, b"\0")
    assert btrfs("BTRFS_IOC_INO_LOOKUP", lookup) == (
        "{treeid=BTRFS_FS_TREE_OBJECTID, objectid=BTRFS_FIRST_FREE_OBJECTID}"
    )


def test_devices_and_scrub() -> None:
    uuid = bytes.fromhex("0123456789abcdeffedcba9876543210")
    info = (struct.pack("<Q", 1) + uuid).ljust(4096, b"\0")
    assert btrfs("BTRFS_IOC_DEV_INFO", info) == (
        "{devid=makedev(0, 0x1), uuid=01234567-89ab-cdef-fedc-ba9876543210}"
    )
    scrub = struct.pack("<4Q", 1, 0, ALL, 3).ljust(1024, b"\0")
    assert btrfs("BTRFS_IOC_SCRUB", scrub) == (
        "{devid=makedev(0, 0x1), start=0, end=UINT64_MAX, flags=BTRFS_SCRUB_READONLY|0x2}"
    )
    stats = struct.pack("<3Q", 1, 5, 3).ljust(1032, b"\0")
    assert btrfs("BTRFS_IOC_GET_DEV_STATS", stats) == (
        "{devid=makedev(0, 0x1), nr_items=5, flags=BTRFS_DEV_STATS_RESET|0x2}"
    )
    replace = struct.pack("<QQQQ", 0, 0, 1, 2) + b"/dev/sda1".ljust(1025, b"\0")
    replace = (replace + b"/dev/sdb1").ljust(2600, b"\0")
    assert btrfs("BTRFS_IOC_DEV_REPLACE", replace) == (
        "{cmd=BTRFS_IOCTL_DEV_REPLACE_CMD_START, start={srcdevid=makedev(0, 0x1), "
        "cont_reading_from_srcdev_mode=0x2 /* BTRFS_IOCTL_DEV_REPLACE_CONT_READING_FROM_SRCDEV_"
        'MODE_??? */, srcdev_name="/dev/sda1", tgtdev_name="/dev/sdb1"}}'
    )


def test_inodes_received_subvol_and_send() -> None:
    reserved = (0xDEADC0DEFACEFEEB, 0xDEADC0DEFACEFEEC, 0xDEADC0DEFACEFEED)
    logical = struct.pack("<7Q", 256, 16384, *reserved, 0xDEADC0DEFACEFEEE, 0)
    assert btrfs("BTRFS_IOC_LOGICAL_INO", logical) == (
        "{logical=256, size=16384, reserved=[0xdeadc0defacefeeb, 0xdeadc0defacefeec, "
        "0xdeadc0defacefeed], flags=0xdeadc0defacefeee /* BTRFS_LOGICAL_INO_ARGS_??? */, "
        "inodes=NULL}"
    )
    plain = struct.pack("<7Q", 256, 16384, 0, 0, 0, 0, 0)
    assert btrfs("BTRFS_IOC_LOGICAL_INO", plain) == (
        "{logical=256, size=16384, flags=0, inodes=NULL}"
    )
    uuid = bytes.fromhex("0123456789abcdeffedcba9876543210")
    received = (uuid + struct.pack("<QQQI4x", 74565, 0, 1463193386, 12345)).ljust(200, b"\0")
    assert btrfs("BTRFS_IOC_SET_RECEIVED_SUBVOL", received) == (
        "{uuid=01234567-89ab-cdef-fedc-ba9876543210, stransid=74565, stime={sec=1463193386, "
        "nsec=12345} /* 2016-05-14T02:36:26.000012345+0000 */, flags=0}"
    )
    send = struct.pack("<qQQQQ32x", 4, 0, 0, 257, 15)
    assert btrfs("BTRFS_IOC_SEND", send) == (
        "{send_fd=4, clone_sources_count=0, clone_sources=NULL, parent_root=257, "
        "flags=BTRFS_SEND_FLAG_NO_FILE_DATA|BTRFS_SEND_FLAG_OMIT_STREAM_HEADER|"
        "BTRFS_SEND_FLAG_OMIT_END_CMD|BTRFS_SEND_FLAG_VERSION}"
    )


def test_features_and_quota() -> None:
    flags = struct.pack("<3Q", 1, 3, 0x7FF)
    text = btrfs("BTRFS_IOC_SET_FEATURES", flags * 2)
    assert text.startswith(
        "[{compat_flags=0x1 /* BTRFS_FEATURE_COMPAT_??? */, compat_ro_flags="
        "BTRFS_FEATURE_COMPAT_RO_FREE_SPACE_TREE|BTRFS_FEATURE_COMPAT_RO_FREE_SPACE_TREE_VALID, "
        "incompat_flags=BTRFS_FEATURE_INCOMPAT_MIXED_BACKREF|"
    )
    assert text.endswith("BTRFS_FEATURE_INCOMPAT_METADATA_UUID}]")
    assert btrfs("BTRFS_IOC_QUOTA_CTL", struct.pack("<QQ", 3, 0)) == (
        "{cmd=BTRFS_QUOTA_CTL_RESCAN__NOTUSED}"
    )
    assert btrfs("BTRFS_IOC_QUOTA_CTL", struct.pack("<QQ", 4, 0)) == (
        "{cmd=0x4 /* BTRFS_QUOTA_CTL_??? */}"
    )
    assert btrfs("BTRFS_IOC_QGROUP_ASSIGN", struct.pack("<3Q", 1, 257, 258)) == (
        "{assign=1, src=257, dst=258}"
    )


def test_fs_0x94_requests() -> None:
    clone = struct.pack("<q3Q", 4, 4096, 16384, 131072)
    assert argument(REQUEST["FICLONERANGE"], clone) == (
        "{src_fd=4, src_offset=4096, src_length=16384, dest_offset=131072}"
    )
    label = b"btrfs-label".ljust(256, b"\0")
    assert argument(REQUEST["FS_IOC_SETFSLABEL"], label) == '"btrfs-label"'
    targets = b"".join(struct.pack("<qQ16x", 2, 10240 * i) for i in range(3))
    dedupe = struct.pack("<QQH6x", 1024, 10240, 3) + targets
    head = "{src_offset=1024, src_length=10240, dest_count=3, info=[{dest_fd=2, dest_offset=0}, "
    assert btrfs("FIDEDUPERANGE", dedupe) == head + "{dest_fd=2, dest_offset=10240}, ...]}"
    assert btrfs("FIDEDUPERANGE", dedupe, VERBOSE) == (
        head + "{dest_fd=2, dest_offset=10240}, {dest_fd=2, dest_offset=20480}]}"
    )
    none = struct.pack("<QQH6x", 1024, 10240, 0)
    assert btrfs("FIDEDUPERANGE", none) == (
        "{src_offset=1024, src_length=10240, dest_count=0, info=[]}"
    )


def completed(name: str, entry: bytes, exit: bytes, options: Options = DEFAULT_OPTIONS) -> str:
    """The argument after a success: the kernel wrote ``exit`` over ``entry``."""
    return argument(REQUEST[name], entry, exit, options=options)


# What strace 6.1 prints after successful calls, from its traces of btrfs-progs 6.2
# on a loop-mounted btrfs.
def test_searches_and_lookups_at_exit() -> None:
    key = struct.pack("<7Q3I36x", 3, 1, 1, 1, ALL, 0, ALL, 216, 216, 30)
    done = bytearray(key.ljust(4096, b"\0"))
    done[64:68] = struct.pack("<I", 1)
    done[104:136] = struct.pack("<3QII", 13, 1, 1, 216, 98)
    head = (
        "{key={tree_id=BTRFS_CHUNK_TREE_OBJECTID, min_objectid=BTRFS_ROOT_TREE_OBJECTID, "
        "max_objectid=BTRFS_ROOT_TREE_OBJECTID, min_offset=1, max_offset=UINT64_MAX, "
        "min_transid=0, max_transid=UINT64_MAX, min_type=BTRFS_DEV_ITEM_KEY, "
        "max_type=BTRFS_DEV_ITEM_KEY, nr_items=30}} => {key={nr_items=1}, "
    )
    search = key.ljust(4096, b"\0")
    assert completed("BTRFS_IOC_TREE_SEARCH", search, bytes(done)) == head + "...}"
    assert completed("BTRFS_IOC_TREE_SEARCH", search, bytes(done), VERBOSE) == (
        head + "buf=[{transid=13, objectid=BTRFS_ROOT_TREE_OBJECTID, offset=1, "
        "type=BTRFS_DEV_ITEM_KEY, len=98}]}"
    )
    lookup = struct.pack("<QQ", 0, 256).ljust(4096, b"\0")
    found = struct.pack("<QQ", 5, 256).ljust(4096, b"\0")
    assert completed("BTRFS_IOC_INO_LOOKUP", lookup, found) == (
        '{treeid=0, objectid=BTRFS_FIRST_FREE_OBJECTID} => {treeid=BTRFS_FS_TREE_OBJECTID, name=""}'
    )
    asked = struct.pack("<QQ", 5, 256).ljust(4096, b"\0")
    assert completed("BTRFS_IOC_INO_LOOKUP", asked, found) == (
        '{treeid=BTRFS_FS_TREE_OBJECTID, objectid=BTRFS_FIRST_FREE_OBJECTID} => {name=""}'
    )


def test_inode_paths_at_exit() -> None:
    fspath = 0x7F0000002000
    args = struct.pack("<QQ32xQ", 257, 4096, fspath)
    container = struct.pack("<4IQ", 4067, 0, 1, 0, 8) + b"file\0"
    memory = FakeMemory({ADDRESS: args, fspath: container})
    raw = (2**64 - 1, REQUEST["BTRFS_IOC_INO_PATHS"], ADDRESS)

    def text(options: Options) -> str:
        entered = decode_entry("ioctl", raw, memory, options)
        return decode_exit("ioctl", entered, raw, memory, retval=0, options=options)[2].text

    head = (
        f"{{inum=257, size=4096, fspath={fspath:#x}}} => {{fspath={{bytes_left=4067, "
        "bytes_missing=0, elem_cnt=1, elem_missed=0, "
    )
    assert text(DEFAULT_OPTIONS) == head + "...}}"
    assert text(VERBOSE) == head + 'val=["file"]}}'


def test_devices_space_and_scrub_at_exit() -> None:
    stats = struct.pack("<3Q", 1, 5, 0).ljust(1032, b"\0")
    assert completed("BTRFS_IOC_GET_DEV_STATS", stats, stats) == (
        "{devid=makedev(0, 0x1), nr_items=5, flags=0} => {nr_items=5, flags=0, "
        "[[BTRFS_DEV_STAT_WRITE_ERRS]=0, [BTRFS_DEV_STAT_READ_ERRS]=0, "
        "[BTRFS_DEV_STAT_FLUSH_ERRS]=0, [BTRFS_DEV_STAT_CORRUPTION_ERRS]=0, "
        "[BTRFS_DEV_STAT_GENERATION_ERRS]=0]}"
    )
    status = struct.pack("<Q", 1).ljust(2600, b"\0")
    assert completed("BTRFS_IOC_DEV_REPLACE", status, status) == (
        "{cmd=BTRFS_IOCTL_DEV_REPLACE_CMD_STATUS} => {result="
        "BTRFS_IOCTL_DEV_REPLACE_RESULT_NO_ERROR, status={replace_state="
        "BTRFS_IOCTL_DEV_REPLACE_STATE_NEVER_STARTED, progress_1000=0 /* 0.0% */, "
        "time_started=0, time_stopped=0, num_write_errors=0, num_uncorrectable_read_errors=0}}"
    )
    spaces = struct.pack("<QQ", 4, 4) + b"".join(
        struct.pack("<3Q", *row)
        for row in ((1, 8388608, 262144), (0x22, 33554432, 16384), (0x24, 33554432, 196608))
    )
    spaces += struct.pack("<3Q", 1 << 49, 5767168, 16384)
    assert completed("BTRFS_IOC_SPACE_INFO", spaces[:16], spaces) == (
        "{space_slots=4} => {total_spaces=4, ...}"
    )
    assert completed("BTRFS_IOC_SPACE_INFO", spaces[:16], spaces, VERBOSE) == (
        "{space_slots=4} => {total_spaces=4, spaces=[{flags=BTRFS_BLOCK_GROUP_DATA, "
        "total_bytes=8388608, used_bytes=262144}, {flags=BTRFS_BLOCK_GROUP_SYSTEM|"
        "BTRFS_BLOCK_GROUP_DUP, total_bytes=33554432, used_bytes=16384}, "
        "{flags=BTRFS_BLOCK_GROUP_METADATA|BTRFS_BLOCK_GROUP_DUP, total_bytes=33554432, "
        "used_bytes=196608}, {flags=BTRFS_SPACE_INFO_GLOBAL_RSV, total_bytes=5767168, "
        "used_bytes=16384}]}"
    )
    scrub = struct.pack("<4Q", 1, 0, ALL, 0).ljust(1024, b"\0")
    progress = struct.pack("<4Q15Q", 1, 0, ALL, 0, 4, 34, 262144, 557056, *[0] * 9, 139526144, 0)
    assert completed("BTRFS_IOC_SCRUB", scrub, progress.ljust(1024, b"\0")) == (
        "{devid=makedev(0, 0x1), start=0, end=UINT64_MAX, flags=0} => {progress={"
        "data_extents_scrubbed=4, tree_extents_scrubbed=34, data_bytes_scrubbed=262144, "
        "tree_bytes_scrubbed=557056, read_errors=0, csum_errors=0, verify_errors=0, "
        "no_csum=0, csum_discards=0, super_errors=0, malloc_errors=0, "
        "uncorrectable_errors=0, corrected_errors=0, last_physical=139526144, "
        "unverified_errors=0}}"
    )


def test_dedupe_at_exit() -> None:
    targets = b"".join(struct.pack("<qQ16x", fd, 0) for fd in (4, 5, 6))
    done = b"".join(struct.pack("<qQQi4x", fd, 0, 65536, 0) for fd in (4, 5, 6))
    dedupe = struct.pack("<QQH6x", 0, 65536, 3)
    assert completed("FIDEDUPERANGE", dedupe + targets, dedupe + done) == (
        "{src_offset=0, src_length=65536, dest_count=3, info=[{dest_fd=4, dest_offset=0}, "
        "{dest_fd=5, dest_offset=0}, ...]} => {info=[{bytes_deduped=65536, status=0}, "
        "{bytes_deduped=65536, status=0}, ...]}"
    )


def test_tree_search_v2_says_the_size_it_needs_after_eoverflow_alone() -> None:
    key = struct.pack("<7Q3I36x", 1, 0, ALL, 0, ALL, 0, ALL, 0, 255, 10)
    asked, needed = key + struct.pack("<Q", 16), key + struct.pack("<Q", 32)
    raw = (2**64 - 1, REQUEST["BTRFS_IOC_TREE_SEARCH_V2"], ADDRESS)
    entered = decode_entry("ioctl", raw, FakeMemory({ADDRESS: asked}), DEFAULT_OPTIONS)

    def failed(errno: int) -> str:
        memory = FakeMemory({ADDRESS: needed})
        return decode_exit("ioctl", entered, raw, memory, retval=-errno, failed=True)[2].text

    text = (
        "{key={tree_id=BTRFS_ROOT_TREE_OBJECTID, min_objectid=0, max_objectid=UINT64_MAX, "
        "min_offset=0, max_offset=UINT64_MAX, min_transid=0, max_transid=UINT64_MAX, "
        "min_type=0, max_type=255, nr_items=10}, buf_size=16}"
    )
    assert failed(75) == text + " => {buf_size=32}"  # EOVERFLOW
    assert failed(9) == text  # EBADF
