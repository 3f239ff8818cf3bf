"""UBI's volume requests (families/ioctl_ubi.py): strace 6.1's text out, from its runs
of strace's ioctl_ubi tests."""

import struct

from tests.unit.ioctl_cases import argument

ATT, MKVOL, RNVOL, EBMAP = 0x40186F40, 0x40986F00, 0x51106F03, 0x40084F03


def test_attach_and_make_volume_with_the_number_given() -> None:
    attach = struct.pack("<iiih10x", -2088599168, -2021227132, -1953855096, -29300)
    text = (
        "{ubi_num=-2088599168, mtd_num=-2021227132, vid_hdr_offset=-1953855096, "
        "max_beb_per1024=-29300}"
    )
    assert argument(ATT, attach) == text
    assert argument(ATT, attach, attach) == f"{text} => [-2088599168]"
    mkvol = struct.pack("<iiqbBh4x", 1, 2, 3, 4, 1, 1) + b"0123".ljust(128, b"\0")
    assert argument(MKVOL, mkvol) == (
        "{vol_id=1, alignment=2, bytes=3, vol_type=UBI_STATIC_VOLUME, "
        'flags=UBI_VOL_SKIP_CRC_CHECK_FLG, name_len=1, name="0"...}'
    )


def test_rename_entries_and_map() -> None:
    entry = struct.pack("<ih2x", 7, 2) + b"0\0".ljust(128, b"\0")
    rename = struct.pack("<i12x", 1) + entry + bytes(31 * 136)
    assert argument(RNVOL, rename) == '{count=1, ents=[{vol_id=7, name_len=2, name="0"}]}'
    assert argument(EBMAP, struct.pack("<ib3x", 5, 3)) == "{lnum=5, dtype=UBI_UNKNOWN}"
