"""The block layer's partition and trace requests (linux/blkpg.h,
linux/blktrace_api.h), in strace 6.1's words: pure.

Kernel facts: BLKPG takes a struct blkpg_ioctl_arg (op, flags, datalen as ints, a
pointer to data: 24 bytes) whose data is a struct blkpg_partition (start and
length as long long, pno, devname[64], volname[64]: 152 bytes).  BLKTRACESETUP
takes a struct blk_user_trace_setup (name[32], u16 act_mask, u32 buf_size and
buf_nr, u64 start_lba and end_lba, u32 pid: 72 bytes) and writes back the trace's
name.
"""

from __future__ import annotations

from traced.decoders._ioctls import BLKPG_OPS
from traced.decoders.families.ioctl_kit import Request, fixed, ints
from traced.decoders.families.ioctl_values import c_array
from traced.decoders.pidnames import pid_text
from traced.decoders.values import Memory, Options, hex_address, read_exact
from traced.decoders.xlat import format_enum


def _partition(address: int, memory: Memory) -> str:
    data = read_exact(memory, address, 152)
    if data is None:
        return hex_address(address)
    start, length, number = ints("qqi", data)
    return (
        f"{{start={start}, length={length}, pno={number}, devname={c_array(data[20:84])}, "
        f"volname={c_array(data[84:148])}}}"
    )


def _blkpg(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 24)
    if data is None:
        return None
    op, flags, length, pointer = ints("iii4xQ", data)
    return (
        f"{{op={format_enum(op & 0xFFFFFFFF, BLKPG_OPS, 'BLKPG_???').text}, flags={flags}, "
        f"datalen={length}, data={_partition(pointer, memory)}}}"
    )


def _trace_setup(data: bytes, options: Options) -> str:
    act_mask, buf_size, buf_nr, start, end, pid = ints("H2xII4xQQI", data, 32)
    return (
        f"{{act_mask={act_mask}, buf_size={buf_size}, buf_nr={buf_nr}, start_lba={start}, "
        f"end_lba={end}, pid={pid_text(pid)}}}"
    )


def _trace_name(entry: str, address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 72)
    return entry if data is None else f"{entry[:-1]}, name={c_array(data[:32])}}}"


REQUESTS: dict[str, Request] = {
    "BLKPG": Request(entry=_blkpg),
    "BLKTRACESETUP": Request(entry=fixed(72, _trace_setup), finish=_trace_name),
}
