"""The MTD requests (families/ioctl_mtd.py): strace 6.1's text out, from its runs of
strace's ioctl_mtd tests."""

import struct

from tests.unit.ioctl_cases import argument

MEMERASE, MEMWRITE, MTDFILEMODE, OTPSELECT = 0x40084D02, 0xC0304D18, 0x4D13, 0x80044D0D
MEMGETINFO, MEMGETREGIONINFO, ECCGETSTATS = 0x80204D01, 0xC0104D08, 0x80104D12


def test_requests_read_at_entry() -> None:
    assert argument(MEMERASE, struct.pack("<2I", 0x10, 0x20)) == "{start=0x10, length=0x20}"
    write = struct.pack("<5QB7x", 1, 2, 3, 0, 4, 0)
    assert argument(MEMWRITE, write) == (
        "{start=0x1, len=0x2, ooblen=0x3, usr_data=NULL, usr_oob=0x4, mode=MTD_OPS_PLACE_OOB}"
    )
    assert argument(MTDFILEMODE, b"", address=0) == "MTD_FILE_MODE_NORMAL"
    assert argument(OTPSELECT, struct.pack("<I", 0)) == "[MTD_OTP_OFF]"


def test_requests_filled_at_exit() -> None:
    info = struct.pack("<B3xI4IQ", 0, 0x400, 1, 2, 3, 4, 5)
    assert argument(MEMGETINFO, info, info) == (
        "{type=MTD_ABSENT, flags=MTD_WRITEABLE, size=0x1, erasesize=0x2, writesize=0x3, "
        "oobsize=0x4, padding=0x5}"
    )
    region = struct.pack("<4I", 1, 2, 3, 9)
    assert argument(MEMGETREGIONINFO, region, region) == (
        "{regionindex=0x9, offset=0x1, erasesize=0x2, numblocks=0x3}"
    )
    stats = struct.pack("<4I", 0, 1, 2, 3)
    assert argument(ECCGETSTATS, stats, stats) == (
        "{corrected=0, failed=0x1, badblocks=0x2, bbtblocks=0x3}"
    )
