"""keyctl's arguments by command and the buffers it fills, on constructed registers
and memory: strace 6.1's text out (lines from its runs of strace's keyctl test, -s10,
in each -X style)."""

import re
import struct

from tests.unit import test_special_decoders
from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.values import Options

BUF, STR = 0x1000, 0x2000
ONES = 2**64 - 1
S10 = Options(string_limit=10)


def line(
    name: str, raw: tuple[int, ...], retval: int, memory: dict[int, bytes] | None = None
) -> str:
    return re.sub(r" +=", " =", test_special_decoders.line(name, raw, retval, memory), count=1)


def shown(
    raw: tuple[int, ...], memory: dict[int, bytes], options: Options, retval: int | None
) -> str:
    """The arguments strace shows; ``retval`` None: the call failed (no exit decoding)."""
    fake = FakeMemory(memory)
    args = decode_entry("keyctl", raw, fake, options)
    if retval is not None:
        args = decode_exit("keyctl", args, raw, fake, retval=retval, options=options)
    return ", ".join(arg.text for arg in args if arg.text)


def test_ids_strings_and_numbers_by_command() -> None:
    assert line("keyctl", (0, ONES, 0xBBBBBBBBBB4D4D4D, 0, 0), 1) == (
        "keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, -1152561843) = 1"
    )
    assert line("keyctl", (2, 2**32 - 8, 0, 0, 7), 0) == (
        "keyctl(KEYCTL_UPDATE, KEY_SPEC_REQUESTOR_KEYRING, NULL, 0) = 0"
    )
    assert line("keyctl", (4, 2**32 - 8, ONES, ONES, 0), 0) == (
        "keyctl(KEYCTL_CHOWN, KEY_SPEC_REQUESTOR_KEYRING, -1, -1) = 0"
    )
    assert line("keyctl", (5, 3, 0x3F000000, 0, 0), 0) == (
        "keyctl(KEYCTL_SETPERM, 3, KEY_POS_VIEW|KEY_POS_READ|KEY_POS_WRITE|KEY_POS_SEARCH"
        "|KEY_POS_LINK|KEY_POS_SETATTR) = 0"
    )
    assert line("keyctl", (14, ONES, 0, 0, 0), 0) == (
        "keyctl(KEYCTL_SET_REQKEY_KEYRING, KEY_REQKEY_DEFL_NO_CHANGE) = 0"
    )
    assert line("keyctl", (19, 5, 1, 19, 5), 0) == "keyctl(KEYCTL_REJECT, 5, 1, ENODEV, 5) = 0"
    assert line("keyctl", (18, 0, 0, 0, 0), 0) == "keyctl(KEYCTL_SESSION_TO_PARENT) = 0"
    assert shown((19, 5, 1, 19, 5), {}, Options(xlat="verbose"), 0) == (
        "0x13 /* KEYCTL_REJECT */, 5, 1, 19 /* ENODEV */, 5"
    )


def test_read_like_commands_print_what_was_written() -> None:
    text = {BUF: b"keyring;0;0;3f010000;_tid\0"}
    assert shown((6, ONES, BUF, 256, 0), text, S10, 26) == (
        'KEYCTL_DESCRIBE, KEY_SPEC_THREAD_KEYRING, "keyring;0;"..., 256'
    )
    assert shown((17, ONES, BUF, 9, 0), {BUF: b"\0"}, S10, 1) == (
        'KEYCTL_GET_SECURITY, KEY_SPEC_THREAD_KEYRING, "", 9'
    )
    caps = {BUF: bytes((0xEB, 0x03))}
    assert shown((31, BUF, 2, 0, 0), caps, S10, 2) == (
        "KEYCTL_CAPABILITIES, [KEYCTL_CAPS0_CAPABILITIES|KEYCTL_CAPS0_PERSISTENT_KEYRINGS"
        "|KEYCTL_CAPS0_PUBLIC_KEY|KEYCTL_CAPS0_INVALIDATE|KEYCTL_CAPS0_RESTRICT_KEYRING"
        "|KEYCTL_CAPS0_MOVE, KEYCTL_CAPS1_NS_KEYRING_NAME|KEYCTL_CAPS1_NS_KEY_TAG], 2"
    )


def test_structs() -> None:
    params = {BUF: struct.pack("<3i", -6, 1234567890, -1153374643)}
    kdf = {STR: struct.pack("<QQI8I4x", 0, 0, 0, *[0] * 8)}
    assert shown((23, BUF, 0x3000, 9, STR), params | kdf, S10, None).startswith(
        "KEYCTL_DH_COMPUTE, {private=KEY_SPEC_GROUP_KEYRING, prime=1234567890, "
        "base=-1153374643}, 0x3000, 9, {hashname=NULL, otherinfo=NULL, otherinfolen=0}"
    )
    pkey = {BUF: struct.pack("<iII7I", -2, 0, 0, 1, 0, 0, 0, 0, 0, 0), STR: b"x\377\0"}
    assert line("keyctl", (25, BUF, STR, 0x3000, 0x4000), 0, pkey) == (
        "keyctl(KEYCTL_PKEY_ENCRYPT, {key_id=KEY_SPEC_PROCESS_KEYRING, in_len=0, out_len=0, "
        '__spare=[0x1, 0, 0, 0, 0, 0, 0]}, "x\\377", "", "") = 0'
    )


def test_a_counted_buffer_needs_the_byte_past_s() -> None:
    """strace fetches -s + 1 bytes of a longer buffer: none there, the address."""
    payload = {BUF: b"/" * 32, STR: b"user\0"}
    assert line("add_key", (STR, 0, BUF, 40, 2**32 - 1), 5, payload).startswith(
        'add_key("user", NULL, 0x1000, 40, KEY_SPEC_THREAD_KEYRING)'
    )
    payload[BUF] += b"/"
    assert line("add_key", (STR, 0, BUF, 40, 2**32 - 1), 5, payload).startswith(
        'add_key("user", NULL, "' + "/" * 32 + '"..., 40, KEY_SPEC_THREAD_KEYRING)'
    )
