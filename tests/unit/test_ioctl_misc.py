"""NBD_SET_SOCK, SG_SCSI_RESET, RNDADDENTROPY, UFFDIO_API (families/ioctl_misc.py):
strace 6.1's text out, from its runs of strace's ioctl tests."""

import struct

from tests.unit.ioctl_cases import argument
from traced.decoders.families.ioctl import ioctl_request
from traced.decoders.fdnames import naming

SET_SOCK, SET_FLAGS, SCSI_RESET, ACCESS_COUNT = 0xAB00, 0xAB0A, 0x2284, 0x2289
ADD_ENTROPY, UFFDIO_API = 0x40085203, 0xC018AA3F


def test_nbd_socket_named_under_y_and_protocol_flags() -> None:
    assert argument(SET_SOCK, b"", address=3) == "3"
    with naming(lambda fd: f"{fd}</dev/null>"):
        assert argument(SET_SOCK, b"", address=3) == "3</dev/null>"
    assert argument(SET_FLAGS, b"", address=0x40) == "NBD_FLAG_SEND_WRITE_ZEROES"
    assert argument(SET_FLAGS, b"", address=0x40B) == (
        "NBD_FLAG_HAS_FLAGS|NBD_FLAG_READ_ONLY|NBD_FLAG_SEND_FUA|NBD_FLAG_SEND_CACHE"
    )


def test_scsi_reset_and_access_count() -> None:
    assert argument(SCSI_RESET, struct.pack("<I", 0x100)) == (
        "[SG_SCSI_RESET_NO_ESCALATE|SG_SCSI_RESET_NOTHING]"
    )
    assert argument(SCSI_RESET, struct.pack("<I", 0xFACEFEED)) == (
        "[0xfacefeed /* SG_SCSI_RESET_??? */]"
    )
    assert ioctl_request(ACCESS_COUNT).text == "SG_GET_ACCESS_COUNT"


def test_entropy_and_uffdio_api() -> None:
    assert argument(ADD_ENTROPY, struct.pack("<ii", 3, 8) + b"12345678") == (
        '{entropy_count=3, buf_size=8, buf="12345678"}'
    )
    entry = struct.pack("<2Q", 0xAA, 0)
    filled = struct.pack("<3Q", 0xAA, 0x1, 1 << 63 | 1 << 0)
    assert argument(UFFDIO_API, entry, failed=True) == "{api=0xaa, features=0}"
    assert argument(UFFDIO_API, entry, filled) == (
        "{api=0xaa, features=0 => features=UFFD_FEATURE_PAGEFAULT_FLAG_WP, "
        "ioctls=1<<_UFFDIO_REGISTER|1<<_UFFDIO_API}"
    )
    same = struct.pack("<3Q", 0xAA, 0, 1)
    assert argument(UFFDIO_API, entry, same) == (
        "{api=0xaa, features=0, ioctls=1<<_UFFDIO_REGISTER}"
    )


def test_perf_bpf_program_ids() -> None:
    query = 0xC008240A
    asked = struct.pack("<II", 3134983661, 0)
    assert argument(query, asked, failed=True) == "{ids_len=3134983661, ...}"
    filled = struct.pack("<IIII", 3134983661, 2, 3737845741, 3735928559)
    assert argument(query, asked, filled) == (
        "{ids_len=3134983661, prog_cnt=2, ids=[3737845741, 3735928559]}"
    )
