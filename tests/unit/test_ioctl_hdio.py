"""The IDE disk requests (families/ioctl_hdio.py): strace 6.1's text out, from its
runs of strace's ioctl_hdio tests."""

import struct

from tests.unit.ioctl_cases import ADDRESS, argument
from traced.decoders.style import RAW, VERBOSE
from traced.decoders.values import Options

GETGEO, DRIVE_CMD, DRIVE_RESET, GET_NICE, SET_NICE = 0x0301, 0x031F, 0x031C, 0x030C, 0x0329
GET_BUSSTATE, SET_BUSSTATE, GET_IDENTITY = 0x031A, 0x032D, 0x030D


def test_geometry_at_exit_start_aligned_to_8() -> None:
    geometry = struct.pack("<BBH4xQ", 0xCA, 0xFE, 0xBABE, 0xBADC0DEDDEADFACE)
    assert argument(GETGEO, geometry) == hex(ADDRESS)
    assert argument(GETGEO, geometry, geometry) == (
        "{heads=202, sectors=254, cylinders=47806, start=13464652301225294542}"
    )


def test_drive_cmd_header_then_status_and_sectors_in_hex_cut_at_s() -> None:
    header = bytes((0xCA, 0xFF, 0xEE, 0))
    assert argument(DRIVE_CMD, header) == (
        "{command=ATA_CMD_WRITE, sector_number=255, feature=238, sector_count=0}"
    )
    assert argument(DRIVE_CMD, header, header) == (
        "{command=ATA_CMD_WRITE, sector_number=255, feature=238, sector_count=0}"
        " => {status=0xca, error=255, nsector=238}"
    )
    unknown = bytes((0x80, 0x81, 0x82, 0x83)) + bytes(range(0x84, 0x100)) * 5
    text = argument(DRIVE_CMD, unknown, unknown, options=Options(xlat=VERBOSE))
    assert text.startswith(
        "{command=0x80 /* ATA_CMD_??? */, sector_number=129, feature=130, sector_count=131}"
        ' => {status=0x80, error=129, nsector=130, buf="\\x84\\x85'
    )
    assert text.endswith('\\xa2\\xa3"...}')
    assert argument(DRIVE_CMD, unknown, unknown, options=Options(xlat=RAW)).startswith(
        "{command=0x80, "
    )


def test_nice_bits_busstate_reset_and_identity() -> None:
    nice = 0xFACEFEEDDED2FFE0 | 0x1F
    assert argument(SET_NICE, b"", address=nice) == (
        "1 << IDE_NICE_DSC_OVERLAP|1 << IDE_NICE_ATAPI_OVERLAP|1 << IDE_NICE_1|1 << IDE_NICE_0"
        "|1 << IDE_NICE_2|0xfacefeedded2ffe0"
    )
    value = struct.pack("<Q", 0xFACEFEEDDED3FFFF)
    assert argument(GET_BUSSTATE, value, value) == "[0xfacefeedded3ffff /* BUSSTATE_??? */]"
    assert argument(SET_BUSSTATE, b"", address=2) == "BUSSTATE_TRISTATE"
    assert argument(GET_NICE, value, struct.pack("<Q", 4)) == "[1 << IDE_NICE_0]"
    reset = struct.pack("<3I", 0xDEADBEEF, 0xAAAAAAAA, 0xBEEFBEEF)
    assert argument(DRIVE_RESET, reset) == "[0xdeadbeef, 0xaaaaaaaa, 0xbeefbeef]"
    identity = struct.pack("<Q", 0xFACEFEEDDEADBEEF).ljust(512, b"\0")
    assert argument(GET_IDENTITY, identity, identity) == (
        '"\\357\\276\\255\\336\\355\\376\\316\\372' + "\\0" * 24 + '"...'
    )
