"""Structures strace prints: timespec, stat, statx, rlimit, argv/envp, fd pairs.

Layouts are x86_64's.  ``stat`` and ``statx`` are abbreviated (``, ...``) unless
``options.verbose`` (strace -v).  Timestamps' comments are in UTC.
"""

from __future__ import annotations

import functools
import struct
from datetime import UTC, datetime

from traced.decoders import tables as t
from traced.decoders.flags import format_flags
from traced.decoders.strings import decode_cstring, format_string_list
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    Decoded,
    Json,
    Memory,
    Options,
    chex,
    hex_address,
    read_exact,
    unreadable,
)

RLIM64_INFINITY = (1 << 64) - 1
_S_IFMT = 0o170000
_FILE_TYPES = {
    0o140000: "S_IFSOCK", 0o120000: "S_IFLNK", 0o100000: "S_IFREG", 0o060000: "S_IFBLK",
    0o040000: "S_IFDIR", 0o020000: "S_IFCHR", 0o010000: "S_IFIFO",
}  # fmt: skip
_SPECIAL_BITS = (("S_ISUID", 0o4000), ("S_ISGID", 0o2000), ("S_ISVTX", 0o1000))
_STAT_FIELDS = "dev ino nlink mode uid gid _ rdev size blksize blocks atime atime_nsec mtime mtime_nsec ctime ctime_nsec"  # noqa: E501


@functools.lru_cache(maxsize=1024)
def format_mode(mode: int) -> str:
    """``S_IFREG|0644``, ``S_IFDIR|S_ISVTX|0777`` (the type and setuid bits by name)."""
    parts = [_FILE_TYPES[mode & _S_IFMT]] if mode & _S_IFMT in _FILE_TYPES else []
    parts += [name for name, bit in _SPECIAL_BITS if mode & bit]
    rest = mode & ~(_S_IFMT if parts[:1] and parts[0].startswith("S_IF") else 0) & ~0o7000
    return "|".join([*parts, f"0{rest:03o}" if rest < 0o1000 else f"{rest:#o}"])


def makedev(dev: int) -> tuple[int, int]:
    major = ((dev >> 8) & 0xFFF) | ((dev >> 32) & ~0xFFF)
    minor = (dev & 0xFF) | ((dev >> 12) & ~0xFF)
    return major, minor & 0xFFFFFFFF


def format_makedev(dev: int) -> str:
    major, minor = makedev(dev)
    return f"makedev({chex(major)}, {chex(minor)})"


def time_comment(seconds: int, nanoseconds: int) -> str:
    try:
        stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return ""
    fraction = f".{nanoseconds:09d}" if 0 < nanoseconds < 1_000_000_000 else ""
    return f" /* {stamp}{fraction}+0000 */"


def _guarded(raw: int, size: int, memory: Memory) -> bytes | None:
    return None if raw == 0 else read_exact(memory, raw, size)


def decode_timespec(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> Decoded:
    """``{tv_sec=1, tv_nsec=500000000}``."""
    data = _guarded(raw, 16, memory)
    if data is None:
        return unreadable(raw)
    sec, nsec = struct.unpack("<qq", data)
    return Decoded(f"{{tv_sec={sec}, tv_nsec={nsec}}}", {"tv_sec": sec, "tv_nsec": nsec}, raw)


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


def decode_stat(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> Decoded:
    """struct stat: ``{st_mode=S_IFREG|0644, st_size=1234, ...}``, or all of it with -v."""
    data = _guarded(raw, 144, memory)
    if data is None:
        return unreadable(raw)
    values = struct.unpack_from("<QQQIIIIQqqqqqqqqq", data)
    st = dict(zip(_STAT_FIELDS.split(), values, strict=True))
    st.pop("_")
    return Decoded(_stat_text(st, options.verbose), dict(st), raw)


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
    parts = [f"stx_attributes_mask={format_flags(attr_mask, t.STATX_ATTRIBUTES).text}"]
    for name, offset, bit in (("atime", 64, 0x20), ("btime", 80, 0x800), ("ctime", 96, 0x80)):
        if name != "btime" or mask & bit:
            text, fields[f"stx_{name}"] = _statx_time(data, offset)
            parts.append(f"stx_{name}={text}")
    text, fields["stx_mtime"] = _statx_time(data, 112)
    parts.append(f"stx_mtime={text}")
    devs = struct.unpack_from("<IIII", data, 128)
    for name, number in zip(
        ("rdev_major", "rdev_minor", "dev_major", "dev_minor"), devs, strict=True
    ):
        fields[f"stx_{name}"] = number
        parts.append(f"stx_{name}={number}")
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
    mask_text = format_flags(mask, t.STATX_MASK, "STATX_???").text
    return mask_text, format_flags(attributes, t.STATX_ATTRIBUTES).text


def decode_statx(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> Decoded:
    """struct statx: ``{stx_mask=..., stx_attributes=0, stx_mode=..., stx_size=N, ...}``."""
    data = _guarded(raw, 256, memory)
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
        return Decoded("{" + text + "}", fields, raw)
    head = [
        f"stx_mask={mask_text}", f"stx_blksize={blksize}", f"stx_attributes={attr_text}",
        f"stx_nlink={nlink}", f"stx_uid={uid}", f"stx_gid={gid}",
        f"stx_mode={format_mode(mode)}", f"stx_ino={struct.unpack_from('<Q', data, 32)[0]}",
        f"stx_size={size}", f"stx_blocks={struct.unpack_from('<Q', data, 48)[0]}",
    ]  # fmt: skip
    return Decoded("{" + ", ".join(head + _statx_verbose(data, fields)) + "}", fields, raw)


def format_rlim(value: int) -> str:
    """``RLIM64_INFINITY``, ``8192*1024`` (multiples of 1024 above it), else decimal."""
    if value == RLIM64_INFINITY:
        return "RLIM64_INFINITY"
    if value > 1024 and value % 1024 == 0:
        return f"{value // 1024}*1024"
    return str(value)


def decode_rlimit(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> Decoded:
    """``{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}``."""
    data = _guarded(raw, 16, memory)
    if data is None:
        return unreadable(raw)
    cur, high = struct.unpack("<QQ", data)
    text = f"{{rlim_cur={format_rlim(cur)}, rlim_max={format_rlim(high)}}}"
    return Decoded(text, {"rlim_cur": cur, "rlim_max": high}, raw)


def decode_fd_pair(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> Decoded:
    """pipe's and socketpair's ``[3, 4]``."""
    data = _guarded(raw, 8, memory)
    if data is None:
        return unreadable(raw)
    first, second = struct.unpack("<ii", data)
    return Decoded(f"[{first}, {second}]", [first, second], raw)


_POINTER_CHUNK = 64  # words read at once: one process_vm_readv for most arrays
MAX_ARRAY = 1 << 16  # argv/envp elements read at most


def _words(raw: int, memory: Memory, start: int) -> list[int]:
    """The words from index ``start`` on, as many as one read returns (maybe none)."""
    try:
        data = memory.read(raw + 8 * start, 8 * _POINTER_CHUNK)
    except Exception:
        return []
    usable = len(data) - len(data) % 8 if isinstance(data, bytes | bytearray) else 0
    return list(struct.unpack_from(f"<{usable // 8}Q", data)) if usable else []


def _pointers(raw: int, memory: Memory, limit: int) -> tuple[list[int], bool] | None:
    """Up to ``limit`` non-NULL pointers of a NULL-terminated array; and whether cut short."""
    if raw == 0:
        return None
    pointers: list[int] = []
    while len(pointers) <= limit:
        words = _words(raw, memory, len(pointers))
        if not words:
            return None if not pointers else (pointers, True)
        for pointer in words:
            if pointer == 0:
                return pointers[:limit], len(pointers) > limit
            pointers.append(pointer)
    return pointers[:limit], True


def decode_argv(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> Decoded:
    """execve's argv: ``["ls", "-l"]``, at most -s strings, each cut at -s bytes."""
    if raw == 0:
        return Decoded("NULL", None, raw)
    # -v: every element (strace abbreviates arrays to -s elements otherwise)
    most = MAX_ARRAY if options.verbose else max(0, options.string_limit)
    found = _pointers(raw, memory, most)
    if found is None:
        return unreadable(raw)
    pointers, truncated = found
    items = [decode_cstring(pointer, memory, options) for pointer in pointers]
    value: list[Json] = [item.value for item in items]
    return Decoded(format_string_list([item.text for item in items], truncated), value, raw)


def decode_envp(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> Decoded:
    """execve's envp: ``0x7ffe... /* 20 vars */``, or as argv with -v."""
    if raw == 0 or options.verbose:
        return decode_argv(raw, memory, options)
    found = _pointers(raw, memory, MAX_ARRAY)
    if found is None:
        return unreadable(raw)
    pointers, truncated = found
    count = f"{len(pointers)}{'...' if truncated else ''}"
    return Decoded(f"{hex_address(raw)} /* {count} vars */", len(pointers), raw)
