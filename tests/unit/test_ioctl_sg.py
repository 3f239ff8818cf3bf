"""SG_IO's v3 and v4 headers (families/ioctl_sg.py): strace 6.1's text out, from its
runs of strace's ioctl_sg_io tests."""

import struct

from tests.unit.ioctl_cases import ADDRESS, argument

SG_IO = 0x2285


def test_unknown_interface_and_v3_request_then_response_after_a_failure() -> None:
    assert argument(SG_IO, struct.pack("<I", 2206368128)) == "[2206368128]"
    header = struct.pack(
        "<iiBBHIQQQIIi4xQBBBBHHiII4x", ord("S"), -2, 3, 0, 0, 2, 0, ADDRESS + 88, 0, 7, 1, 0, 0,
        0xC0, 0, 0, 0, 0, 0, -1, 9, 1,
    ) + b"\x01\x02\x03"  # fmt: skip
    request = (
        "{interface_id='S', dxfer_direction=SG_DXFER_TO_DEV, cmd_len=3, "
        'cmdp="\\x01\\x02\\x03", mx_sb_len=0, iovec_count=0, dxfer_len=2, timeout=7, '
        "flags=SG_FLAG_DIRECT_IO, dxferp=NULL"
    )
    assert argument(SG_IO, header) == f"{request}}}"
    assert argument(SG_IO, header, failed=True) == (
        f"{request}, status=0xc0, masked_status=0, msg_status=0, sb_len_wr=0, sbp=NULL, "
        "host_status=0, driver_status=0, resid=-1, duration=9, info=SG_INFO_CHECK}"
    )


def test_v4_request_partly_readable() -> None:
    assert argument(SG_IO, struct.pack("<I", ord("Q"))) == f"{{guard='Q', {ADDRESS + 4:#x}}}"
