"""FS_IOC_FIEMAP (linux/fiemap.h) and the 0x94 requests of linux/fs.h, in strace 6.1's
words: pure.

Kernel facts: struct fiemap is fm_start and fm_length (u64), fm_flags,
fm_mapped_extents, fm_extent_count, a reserved u32 (32 bytes), then the extents
the kernel fills: struct fiemap_extent, 56 bytes (fe_logical, fe_physical,
fe_length, two reserved u64, fe_flags, three reserved u32).  The caller sets the
range, the flags and how many extents fit; the kernel writes back the flags it
honoured, how many extents it mapped, and them.  strace prints the extents only
with -v (``...`` else).

struct file_clone_range is s64 src_fd, u64 src_offset, src_length, dest_offset.
struct file_dedupe_range is u64 src_offset, src_length, u16 dest_count and 6
reserved bytes (24), then dest_count struct file_dedupe_range_info (s64 dest_fd,
u64 dest_offset, the kernel's u64 bytes_deduped and s32 status; 32 bytes each).
A filesystem label is FSLABEL_MAX bytes.  strace prints an fd field as the int it
casts it to.
"""

from __future__ import annotations

from collections.abc import Callable

from traced.decoders._ioctls import FIEMAP_EXTENT_FLAGS, FIEMAP_FLAGS, FSLABEL_MAX
from traced.decoders.arrays import array_text
from traced.decoders.families import ioctl_btrfs, ioctl_btrfs_dev, ioctl_btrfs_search
from traced.decoders.families.ioctl_kit import Printer, Request, fixed, ints
from traced.decoders.families.ioctl_values import c_array
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.values import Memory, Options, as_signed, read_exact
from traced.decoders.xlat import format_flags

_HEAD, _EXTENT, _DEDUPE = 32, 56, 24


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


def _clone_range(data: bytes, options: Options) -> str:
    fd, offset, length, dest = ints("q3Q", data)
    return (
        f"{{src_fd={fd_in_memory(as_signed(fd & 0xFFFFFFFF, 32))}, src_offset={offset}, "
        f"src_length={length}, dest_offset={dest}}}"
    )


def _dedupe_target(data: bytes) -> str:
    fd, offset = ints("qQ", data)
    return f"{{dest_fd={fd_in_memory(as_signed(fd & 0xFFFFFFFF, 32))}, dest_offset={offset}}}"


def _deduped(data: bytes) -> str:
    done, status = ints("Qi", data, 16)
    return f"{{bytes_deduped={done}, status={status}}}"


def _dedupe(element: Callable[[bytes], str], head: bool) -> Printer:
    """FIDEDUPERANGE's struct: its targets, two of them unless -v (strace's limit)."""

    def printer(address: int, memory: Memory, options: Options) -> str | None:
        data = read_exact(memory, address, _DEDUPE)
        if data is None:
            return None
        offset, length, count = ints("QQH", data)
        shown = (
            options
            if options.verbose
            else options._replace(string_limit=min(options.string_limit, 2))
        )
        info = array_text(address + _DEDUPE, count, 32, memory, shown, element=element).text
        first = f"src_offset={offset}, src_length={length}, dest_count={count}, " if head else ""
        return f"{{{first}info={info}}}"

    return printer


_LABEL = fixed(dict(FSLABEL_MAX)["FSLABEL_MAX"], lambda data, options: c_array(data))
REQUESTS |= {
    "FICLONERANGE": Request(entry=fixed(32, _clone_range)),
    "FIDEDUPERANGE": Request(entry=_dedupe(_dedupe_target, True), exit=_dedupe(_deduped, False)),
    "FS_IOC_GETFSLABEL": Request(exit=_LABEL),
    "FS_IOC_SETFSLABEL": Request(entry=_LABEL),
    # The other 0x94 requests are btrfs's (strace's fs_0x94_ioctl hands them to btrfs_ioctl).
    **ioctl_btrfs.REQUESTS,
    **ioctl_btrfs_dev.REQUESTS,
    **ioctl_btrfs_search.REQUESTS,
}
