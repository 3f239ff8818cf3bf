"""stat, statx and statfs: the structs, file modes, device numbers, and statx's flags
and masks.

Layouts are x86_64's.  stat and statx are abbreviated (``, ...``) unless
``options.verbose`` (strace -v); statfs is always whole.  Timestamps' comments are in
UTC.  struct statfs is seven longs (f_type, f_bsize, then the block and file counts),
f_fsid's two ints, then the longs f_namelen, f_frsize and f_flags, and four spare: 120
bytes.  The kernel fills f_flags only where it sets ST_VALID in it; strace prints them
only then.
"""

from __future__ import annotations

import functools
import struct

from traced.decoders import _constants as K
from traced.decoders.families.files import AT
from traced.decoders.families.times import time_comment
from traced.decoders.kinds import Decoder, at_exit, by_register
from traced.decoders.style import ABBREV, RAW, current
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    DecodedValue,
    Json,
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
    format_flags,
    joined,
    number,
    styled,
    with_rest,
)

STATX_SYNC: Table = (
    ("AT_STATX_SYNC_AS_STAT", 0), ("AT_STATX_FORCE_SYNC", 0x2000),
    ("AT_STATX_DONT_SYNC", 0x4000),
)  # fmt: skip
STATX_MASK: Table = (
    ("STATX_ALL", 0xFFF), ("STATX_BASIC_STATS", 0x7FF), ("STATX_TYPE", 0x1),
    ("STATX_MODE", 0x2), ("STATX_NLINK", 0x4), ("STATX_UID", 0x8), ("STATX_GID", 0x10),
    ("STATX_ATIME", 0x20), ("STATX_MTIME", 0x40), ("STATX_CTIME", 0x80),
    ("STATX_INO", 0x100), ("STATX_SIZE", 0x200), ("STATX_BLOCKS", 0x400),
    ("STATX_BTIME", 0x800), ("STATX_MNT_ID", 0x1000), ("STATX_DIOALIGN", 0x2000),
)  # fmt: skip
STATX_ATTRIBUTES: Table = (
    ("STATX_ATTR_COMPRESSED", 0x4), ("STATX_ATTR_IMMUTABLE", 0x10),
    ("STATX_ATTR_APPEND", 0x20), ("STATX_ATTR_NODUMP", 0x40),
    ("STATX_ATTR_ENCRYPTED", 0x800), ("STATX_ATTR_AUTOMOUNT", 0x1000),
    ("STATX_ATTR_MOUNT_ROOT", 0x2000), ("STATX_ATTR_VERITY", 0x100000),
    ("STATX_ATTR_DAX", 0x200000),
)  # fmt: skip
_S_IFMT = 0o170000
_FILE_TYPES = {
    0o140000: "S_IFSOCK", 0o120000: "S_IFLNK", 0o100000: "S_IFREG", 0o060000: "S_IFBLK",
    0o040000: "S_IFDIR", 0o020000: "S_IFCHR", 0o010000: "S_IFIFO",
}  # fmt: skip
_SPECIAL_BITS = (("S_ISUID", 0o4000), ("S_ISGID", 0o2000), ("S_ISVTX", 0o1000))
_STAT = struct.Struct("<QQQIIIIQqqqqqqqqq")
_STAT_FIELDS = "dev ino nlink mode uid gid _ rdev size blksize blocks atime atime_nsec mtime mtime_nsec ctime ctime_nsec"  # noqa: E501
_STAT_NAMES = _STAT_FIELDS.split()


def statx_flags(raw: int) -> DecodedValue:
    """statx's flags: the sync type (named even when 0), then the AT_* flags."""
    value = raw & 0xFFFFFFFF
    parts = [] if value & 0x6000 else ["AT_STATX_SYNC_AS_STAT"]
    names, rest = flag_names(value, STATX_SYNC + AT)
    if current().xlat != ABBREV:
        return DecodedValue(_statx_flags_apart(value), parts + with_rest(names, rest), raw)
    return joined(parts + names + ([f"{rest:#x}"] if rest else []), raw)


def _statx_flags_apart(value: int) -> str:
    """-X raw and verbose: strace prints the sync type, then ``|`` and the AT_* flags,
    each in the style; raw shows no zero sync type (``|0x900``), verbose does."""
    sync, flags = value & 0x6000, value & ~0x6000
    names = "|".join(flag_names(sync, STATX_SYNC)[0]) or "AT_STATX_SYNC_AS_STAT"
    sync_text = "" if current().xlat == RAW and not sync else styled(names, number(sync))
    if not flags:
        return sync_text or "0"
    return f"{sync_text}|{format_flags(flags, AT).text}"


def statx_mask(raw: int) -> DecodedValue:
    return format_flags(raw & 0xFFFFFFFF, STATX_MASK, "STATX_???")


def format_mode(mode: int) -> str:
    """``S_IFREG|0644``, ``S_IFDIR|S_ISVTX|0777`` (the type and setuid bits by name);
    with -X raw the number alone (``0100644``), with -X verbose both
    (``0100644 /* S_IFREG|0644 */``); an unknown file type: the number alone."""
    names = _symbolic_mode(mode)
    if names is None:
        return octal(mode)
    return styled(names, octal(mode))


@functools.lru_cache(maxsize=1024)
def _symbolic_mode(mode: int) -> str | None:
    kind = _FILE_TYPES.get(mode & _S_IFMT) if mode & _S_IFMT else ""
    if kind is None:
        return None
    parts = [kind] if kind else []
    parts += [name for name, bit in _SPECIAL_BITS if mode & bit]
    return "|".join([*parts, octal(mode & ~_S_IFMT & ~0o7000)])


def makedev(dev: int) -> tuple[int, int]:
    major = ((dev >> 8) & 0xFFF) | ((dev >> 32) & ~0xFFF)
    minor = (dev & 0xFF) | ((dev >> 12) & ~0xFF)
    return major, minor & 0xFFFFFFFF


def format_makedev(dev: int) -> str:
    """``makedev(0x1, 0x7)``; -X raw: ``0x107``, verbose: both."""
    major, minor = makedev(dev)
    return styled(f"makedev({chex(major)}, {chex(minor)})", number(dev))


def _stat_text(st: dict[str, int], verbose: bool) -> str:
    device = st["mode"] & _S_IFMT in (0o020000, 0o060000)
    tail = [f"st_rdev={format_makedev(st['rdev'])}" if device else f"st_size={st['size']}"]
    if not verbose:
        return f"{{st_mode={format_mode(st['mode'])}, {tail[0]}, ...}}"
    parts = [
        f"st_dev={format_makedev(st['dev'])}", f"st_ino={st['ino']}",
        f"st_mode={format_mode(st['mode'])}", f"st_nlink={st['nlink']}", f"st_uid={st['uid']}",
        f"st_gid={st['gid']}", f"st_blksize={st['blksize']}", f"st_blocks={st['blocks']}",
        *tail,
    ]  # fmt: skip
    for which in ("atime", "mtime", "ctime"):
        sec, nsec = st[which], st[f"{which}_nsec"]
        parts += [f"st_{which}={sec}{time_comment(sec, nsec)}", f"st_{which}_nsec={nsec}"]
    return "{" + ", ".join(parts) + "}"


def decode_stat(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """struct stat: ``{st_mode=S_IFREG|0644, st_size=1234, ...}``, or all of it with -v."""
    data = None if raw == 0 else read_exact(memory, raw, 144)
    if data is None:
        return unreadable(raw)
    st = dict(zip(_STAT_NAMES, _STAT.unpack_from(data), strict=True))
    del st["_"]
    return DecodedValue(_stat_text(st, options.verbose), st, raw)


def _statx_time(data: bytes, offset: int) -> tuple[str, dict[str, Json]]:
    sec, nsec = struct.unpack_from("<qI", data, offset)
    return f"{{tv_sec={sec}, tv_nsec={nsec}}}{time_comment(sec, nsec)}", {
        "tv_sec": sec, "tv_nsec": nsec,
    }  # fmt: skip


def _statx_verbose(data: bytes, fields: dict[str, Json]) -> list[str]:
    blksize, _, nlink, uid, gid = struct.unpack_from("<IQIII", data, 4)
    ino, _size, blocks, attr_mask = struct.unpack_from("<QQQQ", data, 32)
    mask = struct.unpack_from("<I", data)[0]
    fields.update(stx_blksize=blksize, stx_nlink=nlink, stx_uid=uid, stx_gid=gid, stx_ino=ino)
    fields.update(stx_blocks=blocks, stx_attributes_mask=attr_mask)
    parts = [f"stx_attributes_mask={format_flags(attr_mask, STATX_ATTRIBUTES).text}"]
    for name, offset, bit in (("atime", 64, 0x20), ("btime", 80, 0x800), ("ctime", 96, 0x80)):
        if name != "btime" or mask & bit:
            text, fields[f"stx_{name}"] = _statx_time(data, offset)
            parts.append(f"stx_{name}={text}")
    text, fields["stx_mtime"] = _statx_time(data, 112)
    parts.append(f"stx_mtime={text}")
    devs = struct.unpack_from("<IIII", data, 128)
    for name, dev in zip(("rdev_major", "rdev_minor", "dev_major", "dev_minor"), devs, strict=True):
        fields[f"stx_{name}"] = dev
        parts.append(f"stx_{name}={dev}")
    if mask & 0x1000:
        fields["stx_mnt_id"] = mnt_id = struct.unpack_from("<Q", data, 144)[0]
        parts.append(f"stx_mnt_id={chex(mnt_id)}")
    if mask & 0x2000:
        mem_align, offset_align = struct.unpack_from("<II", data, 152)
        parts.append(f"stx_dio_mem_align={mem_align}, stx_dio_offset_align={offset_align}")
    return parts


@functools.lru_cache(maxsize=256)
def _statx_flags_text(mask: int, attributes: int) -> tuple[str, str]:
    """The same few masks recur in every statx of a program: name them once."""
    mask_text = format_flags(mask, STATX_MASK, "STATX_???").text
    return mask_text, format_flags(attributes, STATX_ATTRIBUTES).text


def decode_statx(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """struct statx: ``{stx_mask=..., stx_attributes=0, stx_mode=..., stx_size=N, ...}``."""
    data = None if raw == 0 else read_exact(memory, raw, 256)
    if data is None:
        return unreadable(raw)
    mask, blksize, attributes, nlink, uid, gid, mode = struct.unpack_from("<IIQIIIH", data)
    size = struct.unpack_from("<Q", data, 40)[0]
    mask_text, attr_text = _statx_flags_text(mask, attributes)
    fields: dict[str, Json] = {"stx_mask": mask, "stx_attributes": attributes, "stx_mode": mode}
    fields["stx_size"] = size
    if not options.verbose:
        text = f"stx_mask={mask_text}, stx_attributes={attr_text}, "
        text += f"stx_mode={format_mode(mode)}, stx_size={size}, ..."
        return DecodedValue("{" + text + "}", fields, raw)
    head = [
        f"stx_mask={mask_text}", f"stx_blksize={blksize}", f"stx_attributes={attr_text}",
        f"stx_nlink={nlink}", f"stx_uid={uid}", f"stx_gid={gid}",
        f"stx_mode={format_mode(mode)}", f"stx_ino={struct.unpack_from('<Q', data, 32)[0]}",
        f"stx_size={size}", f"stx_blocks={struct.unpack_from('<Q', data, 48)[0]}",
    ]  # fmt: skip
    return DecodedValue("{" + ", ".join(head + _statx_verbose(data, fields)) + "}", fields, raw)


_STATFS = struct.Struct("<7QII3Q")  # through f_flags; four spare longs follow
_STATFS_SIZE = 120
_STATFS_COUNTS = ("f_bsize", "f_blocks", "f_bfree", "f_bavail", "f_files", "f_ffree")
_ST_VALID = dict(K.STATFS_FLAGS)["ST_VALID"]


def decode_statfs(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """struct statfs: ``{f_type=EXT2_SUPER_MAGIC, f_bsize=4096, ..., f_fsid={val=[0x1,
    0x2]}, f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}``."""
    data = None if raw == 0 else read_exact(memory, raw, _STATFS_SIZE)
    if data is None:
        return unreadable(raw)
    f_type, *counts, fsid0, fsid1, namelen, frsize, flags = _STATFS.unpack_from(data)
    fields: dict[str, Json] = {"f_type": f_type, **dict(zip(_STATFS_COUNTS, counts, strict=True))}
    fields.update(f_fsid=[fsid0, fsid1], f_namelen=namelen, f_frsize=frsize)
    parts = [f"f_type={format_enum(f_type, K.FSMAGIC, '').text}"]
    parts += [f"{name}={value}" for name, value in zip(_STATFS_COUNTS, counts, strict=True)]
    parts += [f"f_fsid={{val=[{chex(fsid0)}, {chex(fsid1)}]}}", f"f_namelen={namelen}"]
    parts.append(f"f_frsize={frsize}")
    if flags & _ST_VALID:
        fields["f_flags"] = flags
        parts.append(f"f_flags={format_flags(flags, K.STATFS_FLAGS, 'ST_???').text}")
    return DecodedValue("{" + ", ".join(parts) + "}", fields, raw)


DECODERS: dict[str, Decoder] = {
    "flags:statx": by_register(statx_flags), "flags:statx_mask": by_register(statx_mask),
    "stat_out": at_exit(decode_stat), "statx_out": at_exit(decode_statx),
    "statfs_out": at_exit(decode_statfs),
}  # fmt: skip
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {"flags:statx": STATX_SYNC + AT, "flags:statx_mask": STATX_MASK}
