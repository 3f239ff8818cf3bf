"""The device mapper's requests (linux/dm-ioctl.h) at entry, in strace 6.1's words:
pure.

Kernel facts: every request takes a struct dm_ioctl (version[3], data_size,
data_start, target_count, open_count, flags, event_nr, padding as u32, dev as u64,
name[128], uuid[129]; its payload at data_start, up to data_size, from offset 305
on).  DM_TABLE_LOAD's payload is target_count struct dm_target_spec (sector_start,
length as u64, status, next as u32, target_type[16]: 40 bytes, each followed by
its parameter string, ``next`` bytes on to the following one); DM_TARGET_MSG's a
struct dm_target_msg (a u64 sector, then the message); DM_DEV_RENAME's and
DM_DEV_SET_GEOMETRY's a string.  strace prints the payload only with -v (``...``
else), an ABI of another major version as its version alone, and a payload out of
its bounds as ``???``.
"""

from __future__ import annotations

import mmap

from traced.decoders._ioctls import DM_FLAGS, DM_VERSION_MAJOR
from traced.decoders.families.ioctl_kit import Request, ints
from traced.decoders.families.ioctl_values import c_array
from traced.decoders.families.stat import format_makedev
from traced.decoders.strings import quote
from traced.decoders.values import Memory, Options, hex_address, read_exact
from traced.decoders.xlat import format_flags

_HEADER, _SPEC, _MAJOR = 305, 40, dict(DM_VERSION_MAJOR)["DM_VERSION_MAJOR"]
# The requests without data_start, and those without a device.
_NO_PARAMS = {"DM_VERSION", "DM_REMOVE_ALL", "DM_DEV_CREATE", "DM_DEV_REMOVE",
              "DM_DEV_SUSPEND", "DM_DEV_STATUS", "DM_TABLE_CLEAR", "DM_DEV_ARM_POLL"}  # fmt: skip
_NO_DEVICE = {"DM_REMOVE_ALL", "DM_LIST_DEVICES", "DM_LIST_VERSIONS"}
_SUSPEND = dict(DM_FLAGS)["DM_SUSPEND_FLAG"]
_U32 = 0xFFFFFFFF  # the offsets' arithmetic wraps as the kernel's u32 does


def _string(address: int, length: int, memory: Memory, options: Options) -> str:
    """A NUL-terminated string of at most ``length`` bytes, as strace's printstr_ex
    with QUOTE_0_TERMINATED prints it: cut at -s, ``...`` where no NUL ends it."""
    limit = max(0, options.string_limit)
    size = min(length, limit + 1)
    data, at = b"", address
    while len(data) < size and b"\0" not in data:
        chunk = min(size - len(data), mmap.PAGESIZE - at % mmap.PAGESIZE)
        got = read_exact(memory, at, chunk)
        if got is None:
            return hex_address(address)
        data, at = data + got, at + chunk
    end, shown = data.find(b"\0"), min(length, limit)
    if 0 <= end <= shown:
        return quote(data[:end])
    return quote(data[:shown], length > 0)


def _header(name: str, data: bytes) -> tuple[str, bool]:
    """The struct dm_ioctl's fields, and whether the payload may follow."""
    version = ints("3I", data)
    parts = ["version=[" + ", ".join(map(str, version)) + "]"]
    if version[0] != _MAJOR:
        return "{" + parts[0] + " /* unsupported device mapper ABI version */}", False
    size, start, targets, _, flags, event, _, dev = ints("7IQ", data, 12)
    parts.append(f"data_size={size}")
    if size < _HEADER:
        return "{" + ", ".join(parts) + " /* data_size too small */}", False
    if name not in _NO_PARAMS:
        parts.append(f"data_start={start}")
    if name not in _NO_DEVICE:
        parts += [f"dev={format_makedev(dev)}"] if dev else []
        parts += [f"name={c_array(data[48:176])}"] if data[48] else []
        parts += [f"uuid={c_array(data[176:305])}"] if data[176] else []
    if name == "DM_TABLE_LOAD":
        parts.append(f"target_count={targets}")
    elif name in ("DM_DEV_RENAME", "DM_DEV_REMOVE", "DM_DEV_WAIT") or (
        name == "DM_DEV_SUSPEND" and not flags & _SUSPEND
    ):
        parts.append(f"event_nr={event}")
    parts.append(f"flags={format_flags(flags, DM_FLAGS, 'DM_???').text}")
    return "{" + ", ".join(parts) + "}", True


def _target_specs(address: int, data: bytes, memory: Memory, options: Options) -> list[str]:
    size, start, count = ints("3I", data, 12)
    if not options.verbose:
        return ["..."] if count else []
    items: list[str] = []
    offset, end = start, 0
    for index in range(count):
        if index and offset <= end:
            return [*items, "??? /* misplaced struct dm_target_spec */"]
        end = (offset + _SPEC) & _U32
        if end <= offset or end > size:
            return [*items, "??? /* misplaced struct dm_target_spec */"]
        if index >= options.string_limit:
            return [*items, "..."]
        spec = read_exact(memory, address + offset, _SPEC)
        if spec is None:
            return [*items, hex_address(address + offset)]
        sector, length, _, step = ints("QQiI", spec)
        text = _string(address + end, size - end, memory, options)
        items.append(
            f"{{sector_start={sector}, length={length}, target_type={c_array(spec[24:40])}, "
            f"string={text}}}"
        )
        offset = (offset + step) & _U32
    return items


def _message(address: int, data: bytes, memory: Memory, options: Options) -> list[str]:
    size, start = ints("2I", data, 12)
    if start == size:
        return []
    if not options.verbose:
        return ["..."]
    end = (start + 8) & _U32
    if not start < end <= size:
        return ["??? /* misplaced struct dm_target_msg */"]
    head = read_exact(memory, address + start, 8)
    if head is None:
        return [hex_address(address + start)]
    text = _string(address + end, size - end, memory, options)
    return [f"{{sector={ints('Q', head)[0]}, message={text}}}"]


def _text(address: int, data: bytes, memory: Memory, options: Options) -> list[str]:
    size, start = ints("2I", data, 12)
    if not options.verbose:
        return ["..."]
    if start > size:
        return ["??? /* misplaced string */"]
    return [f"{{string={_string(address + start, size - start, memory, options)}}}"]


_PAYLOADS = {"DM_TABLE_LOAD": _target_specs, "DM_TARGET_MSG": _message,
             "DM_DEV_RENAME": _text, "DM_DEV_SET_GEOMETRY": _text}  # fmt: skip


def _request(name: str) -> Request:
    def printer(address: int, memory: Memory, options: Options) -> str | None:
        data = read_exact(memory, address, _HEADER)
        if data is None or ints("I", data, 12)[0] < 12:  # not even data_size
            return None
        header, whole = _header(name, data)
        payload = _PAYLOADS.get(name)
        items = payload(address, data, memory, options) if whole and payload else []
        return "[" + ", ".join([header, *items]) + "]"

    return Request(entry=printer)


REQUESTS: dict[str, Request] = {
    name: _request(name)
    for name in (
        "DM_VERSION", "DM_REMOVE_ALL", "DM_LIST_DEVICES", "DM_DEV_CREATE", "DM_DEV_REMOVE",
        "DM_DEV_RENAME", "DM_DEV_SUSPEND", "DM_DEV_STATUS", "DM_DEV_WAIT", "DM_TABLE_LOAD",
        "DM_TABLE_CLEAR", "DM_TABLE_DEPS", "DM_TABLE_STATUS", "DM_LIST_VERSIONS",
        "DM_TARGET_MSG", "DM_DEV_SET_GEOMETRY", "DM_DEV_ARM_POLL",
    )
}  # fmt: skip
