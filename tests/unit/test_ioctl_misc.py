"""NBD_SET_SOCK, SG_SCSI_RESET, RNDADDENTROPY, UFFDIO_API, PERF_EVENT_IOC_* (ioctl_misc.py):
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


def test_perf_modify_attributes_as_perf_event_open_prints_them() -> None:
    modify = 0x4008240B
    attr = bytes(range(0xAA, 0xAA + 72))  # strace's ioctl_perf: bytes counting up from 0xaa
    assert argument(modify, attr, failed=True) == (
        "{type=0xadacabaa /* PERF_TYPE_??? */, size=0xb1b0afae /* PERF_ATTR_SIZE_??? */, "
        "config=0xb9b8b7b6b5b4b3b2, sample_period=13961369670796491706, "
        "sample_type=PERF_SAMPLE_TID|PERF_SAMPLE_ID|PERF_SAMPLE_CPU|PERF_SAMPLE_PERIOD|"
        "PERF_SAMPLE_STREAM_ID|PERF_SAMPLE_WEIGHT|PERF_SAMPLE_DATA_SRC|PERF_SAMPLE_REGS_INTR|"
        "PERF_SAMPLE_DATA_PAGE_SIZE|PERF_SAMPLE_CODE_PAGE_SIZE|PERF_SAMPLE_WEIGHT_STRUCT|"
        "0xc9c8c7c6c4000000, read_format=PERF_FORMAT_TOTAL_TIME_RUNNING|PERF_FORMAT_GROUP|"
        "0xd1d0cfcecdcccbc0, inherit=1, exclude_user=1, exclude_hv=1, exclude_idle=1, mmap=1, "
        "comm=1, enable_on_exec=1, watermark=1, precise_ip=1 /* constant skid */, "
        "sample_id_all=1, exclude_guest=1, exclude_callchain_user=1, mmap2=1, comm_exec=1, "
        "context_switch=1, namespaces=1, bpf_event=1, aux_output=1, text_poke=1, build_id=1, "
        "remove_on_exec=1, __reserved_1=0x367635f /* Bits 63..38 */, ...}"
    )
    assert argument(modify, attr[:3], failed=True) == "0x7ffc07e58bd0"  # size unreadable
