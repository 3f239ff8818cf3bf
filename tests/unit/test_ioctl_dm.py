"""The device mapper's requests at entry (families/ioctl_dm.py): strace 6.1's text
out, from its runs of strace's ioctl_dm tests."""

import struct

from tests.unit.ioctl_cases import argument
from traced.decoders.values import Options

VERSION, TABLE_LOAD, DEV_RENAME = 0xC138FD00, 0xC138FD09, 0xC138FD05
VERBOSE = Options(verbose=True, string_limit=9)


def _header(size: int, start: int, targets: int = 0) -> bytes:
    head = struct.pack("<3I7IQ", 4, 1, 2, size, start, targets, 0, 0, 0, 0, 0x1234)
    return head + b"nnn".ljust(128, b"\0") + b"uuu".ljust(129, b"\0")


def test_header_and_its_limits() -> None:
    assert argument(VERSION, struct.pack("<4I", 7, 8, 9, 305).ljust(305, b"\0")) == (
        "[{version=[7, 8, 9] /* unsupported device mapper ABI version */}]"
    )
    assert argument(VERSION, struct.pack("<4I", 4, 1, 2, 14).ljust(305, b"\0")) == (
        "[{version=[4, 1, 2], data_size=14 /* data_size too small */}]"
    )
    assert argument(VERSION, _header(305, 0)) == (
        '[{version=[4, 1, 2], data_size=305, dev=makedev(0x12, 0x34), name="nnn", uuid="uuu", '
        "flags=0}]"
    )


def test_payloads_only_with_v() -> None:
    spec = struct.pack("<QQiI", 16, 32, 0, 0) + b"tgt".ljust(16, b"\0") + b"tparams\0"
    load = _header(360, 312, 1).ljust(312, b"\0") + spec
    head = (
        "[{version=[4, 1, 2], data_size=360, data_start=312, dev=makedev(0x12, 0x34), "
        'name="nnn", uuid="uuu", target_count=1, flags=0}'
    )
    assert argument(TABLE_LOAD, load) == f"{head}, ...]"
    assert argument(TABLE_LOAD, load, options=VERBOSE) == (
        f'{head}, {{sector_start=16, length=32, target_type="tgt", string="tparams"}}]'
    )
    rename = _header(608, 3735928559).ljust(608, b"\0")
    assert argument(DEV_RENAME, rename, options=VERBOSE).endswith(
        "event_nr=0, flags=0}, ??? /* misplaced string */]"
    )
