"""FS_IOC_FIEMAP (linux/fiemap.h), in strace 6.1's words: pure.

Kernel facts: struct fiemap is fm_start and fm_length (u64), fm_flags,
fm_mapped_extents, fm_extent_count, a reserved u32 (32 bytes), then the extents
the kernel fills: struct fiemap_extent, 56 bytes (fe_logical, fe_physical,
fe_length, two reserved u64, fe_flags, three reserved u32).  The caller sets the
range, the flags and how many extents fit; the kernel writes back the flags it
honoured, how many extents it mapped, and them.  strace prints the extents only
with -v (``...`` else).
"""

from __future__ import annotations

from traced.decoders._ioctls import FIEMAP_EXTENT_FLAGS, FIEMAP_FLAGS
from traced.decoders.arrays import array_text
from traced.decoders.families.ioctl_kit import Request, fixed, ints
from traced.decoders.values import Memory, Options, read_exact
from traced.decoders.xlat import format_flags

_HEAD, _EXTENT = 32, 56


def _flags(value: int) -> str:
    return format_flags(value, FIEMAP_FLAGS, "FIEMAP_FLAG_???").text


def _request(data: bytes, options: Options) -> str:
    start, length, flags, _, count = ints("QQIII", data)
    return (
        f"{{fm_start={start}, fm_length={length}, fm_flags={_flags(flags)}, "
        f"fm_extent_count={count}}}"
    )


def _extent(data: bytes) -> str:
    logical, physical, length = ints("3Q", data)
    flags = format_flags(ints("I", data, 40)[0], FIEMAP_EXTENT_FLAGS, "FIEMAP_EXTENT_???").text
    return f"{{fe_logical={logical}, fe_physical={physical}, fe_length={length}, fe_flags={flags}}}"


def _mapped(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, _HEAD)
    if data is None:
        return None
    flags, mapped = ints("II", data, 16)
    if not options.verbose:
        extents = "..."
    else:
        array = array_text(address + _HEAD, mapped, _EXTENT, memory, options, element=_extent)
        extents = f"fm_extents={array.text}"
    return f"{{fm_flags={_flags(flags)}, fm_mapped_extents={mapped}, {extents}}}"


REQUESTS: dict[str, Request] = {
    "FS_IOC_FIEMAP": Request(entry=fixed(_HEAD, _request), exit=_mapped),
}
