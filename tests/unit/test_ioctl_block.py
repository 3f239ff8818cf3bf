"""BLKPG and BLKTRACESETUP (families/ioctl_block.py): strace 6.1's text out, from its
runs of strace's ioctl_block test."""

import struct

from tests.unit.ioctl_cases import ADDRESS, argument

BLKPG, TRACESETUP = 0x1269, 0xC0481273


def test_partition_request_follows_its_data() -> None:
    unreadable = struct.pack("<iii4xQ", 3, -559038737, -1159983635, 0xCAFEF00DFFFFFEED)
    assert argument(BLKPG, unreadable) == (
        "{op=BLKPG_RESIZE_PARTITION, flags=-559038737, datalen=-1159983635, "
        "data=0xcafef00dfffffeed}"
    )
    data = ADDRESS + 64
    request = struct.pack("<iii4xQ", 1, 0, 0, data).ljust(64, b"\0")
    partition = struct.pack("<qqi", -1, 2, 3) + b"sda1".ljust(64, b"\0") + bytes(68)
    assert argument(BLKPG, request + partition) == (
        "{op=BLKPG_ADD_PARTITION, flags=0, datalen=0, data={start=-1, length=2, pno=3, "
        'devname="sda1", volname=""}}'
    )


def test_trace_setup_with_its_name_after_a_success() -> None:
    setup = bytes(32) + struct.pack("<H2xII4xQQI4x", 41376, 1, 2, 3, 4, 27004)
    entry = "{act_mask=41376, buf_size=1, buf_nr=2, start_lba=3, end_lba=4, pid=27004}"
    assert argument(TRACESETUP, setup, failed=True) == entry
    named = b"sda".ljust(32, b"\0") + setup[32:]
    assert argument(TRACESETUP, setup, named) == f'{entry[:-1]}, name="sda"}}'
