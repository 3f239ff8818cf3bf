"""The TEE requests (families/ioctl_tee.py): strace 6.1's text out, from its runs of
strace's ioctl_tee test."""

import struct

from tests.unit.ioctl_cases import ADDRESS, argument

OPEN_SESSION, INVOKE, CANCEL, SHM_ALLOC = 0x8010A402, 0x8010A403, 0x8008A404, 0xC010A401


def test_buffered_arguments_and_their_params() -> None:
    args = ADDRESS + 16
    invoke = struct.pack("<6I", 1, 0x10, 2, 0, 0, 1) + struct.pack("<4Q", 1, 7, 8, 9)
    buffer = struct.pack("<2Q", args, len(invoke))
    text = (
        "{buf_len=56, buf_ptr={func=1, session=0x10, cancel_id=2, num_params=1, "
        "params=[{attr=TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT, a=0x7, b=0x8, c=0x9}]}}"
    )
    assert argument(INVOKE, buffer + invoke) == text
    wrong = struct.pack("<2Q", args, 1025)
    assert argument(INVOKE, wrong + invoke) == f"{{buf_len=1025, buf_ptr={args:#x}}}"
    session = bytes.fromhex("deadbeefcafec0debadc0dedfacefeed") + struct.pack("<I12x", 0xCAFEF00D)
    session += struct.pack("<6I", 2, 3, 0, 0, 0, 0)
    opened = argument(OPEN_SESSION, struct.pack("<2Q", args, 56) + session)
    assert opened == (
        "{buf_len=56, buf_ptr={uuid=deadbeef-cafe-c0de-badc-0dedfacefeed, "
        "clnt_login=TEE_IOCTL_LOGIN_GROUP, clnt_uuid=3405705229, cancel_id=3, num_params=0, "
        "params=NULL}}"
    )


def test_cancel_and_shared_memory() -> None:
    assert argument(CANCEL, struct.pack("<2I", 5, 0x1F)) == "{cancel_id=5, session=0x1f}"
    alloc = struct.pack("<QIi", 0x1000, 0x81, 0)
    assert argument(SHM_ALLOC, alloc) == "{size=0x1000, flags=TEE_IOCTL_SHM_MAPPED|0x80}"
    filled = struct.pack("<QIi", 0x1000, 1, 7)
    assert argument(SHM_ALLOC, alloc, filled).endswith(
        " => {size=0x1000, flags=TEE_IOCTL_SHM_MAPPED, id=7}"
    )
