"""The loop device's status requests (families/ioctl_loop.py): strace 6.1's text out,
from its runs of strace's ioctl_loop tests."""

import struct

from tests.unit.ioctl_cases import argument
from traced.decoders.values import Options

SET_STATUS, SET_STATUS64 = 0x4C02, 0x4C04


def _info(kind: int, key_size: int) -> bytes:
    head = struct.pack("<i4xQQQ4I", -2088599168, 0x107, 7, 0, 0xA3A2A1A0, kind,
                       key_size, 1)  # fmt: skip
    return (
        head
        + b"A" * 64
        + b"B" * 32
        + struct.pack("<2Q", 0x10, 0x20)
        + bytes(range(0xA0, 0xA4))
        + bytes(4)
    )


def test_status_abbreviated_unless_v_encryption_only_when_set() -> None:
    assert argument(SET_STATUS, _info(0, 2880088488)) == (
        '{lo_number=-2088599168, lo_offset=0xa3a2a1a0, lo_flags=LO_FLAGS_READ_ONLY, lo_name="'
        + "A" * 63
        + '"..., ...}'
    )
    assert argument(SET_STATUS, _info(1, 1)).startswith(
        "{lo_number=-2088599168, lo_offset=0xa3a2a1a0, lo_encrypt_type=LO_CRYPT_XOR, "
        "lo_encrypt_key_size=1, "
    )
    verbose = argument(SET_STATUS, _info(0, 2880088488), options=Options(verbose=True))
    assert verbose.startswith("{lo_number=-2088599168, lo_device=makedev(0x1, 0x7), ")
    assert verbose.endswith(
        'lo_encrypt_key="'
        + "B" * 32
        + '", lo_init=[0x10, 0x20], reserved=[0xa0, 0xa1, 0xa2, 0xa3]}'
    )


def test_status64() -> None:
    info = struct.pack("<5Q4I", 0, 0, 0, 0x10, 5, 7, 0, 0, 0xDEFACE00) + bytes(64 + 64 + 32 + 16)
    assert argument(SET_STATUS64, info) == (
        "{lo_offset=0x10, lo_number=7, lo_flags=0xdeface00 /* LO_FLAGS_??? */, "
        'lo_file_name="", ...}'
    )
