"""The GPIO chip's requests (families/ioctl_gpio.py): strace 6.1's text out, from its
runs of strace's ioctl_gpio tests."""

import struct

from tests.unit.ioctl_cases import argument
from traced.decoders.style import RAW, VERBOSE
from traced.decoders.values import Options

LINEINFO, LINEHANDLE = 0xC048B402, 0xC16CB403
V2_LINEINFO, V2_GET_LINE, V2_GET_VALUES = 0xC100B405, 0xC250B407, 0xC010B40E


def _text(size: int, value: bytes) -> bytes:
    return value.ljust(size, b"\0")


def test_v1_line_info_offset_at_entry_info_at_exit_in_each_style() -> None:
    entry = struct.pack("<II", 50, 0) + bytes(64)
    filled = struct.pack("<II", 50, 0xC) + _text(32, b"line name") + _text(32, b"line consumer")
    assert argument(LINEINFO, entry) == "{line_offset=50}"
    assert argument(LINEINFO, entry, filled) == (
        "{line_offset=50} => {flags=GPIOLINE_FLAG_ACTIVE_LOW|GPIOLINE_FLAG_OPEN_DRAIN, "
        'name="line name", consumer="line consumer"}'
    )
    assert argument(LINEINFO, entry, filled, options=Options(xlat=RAW)).endswith(
        '=> {flags=0xc, name="line name", consumer="line consumer"}'
    )
    assert "flags=0xc /* GPIOLINE_FLAG_ACTIVE_LOW|GPIOLINE_FLAG_OPEN_DRAIN */" in argument(
        LINEINFO, entry, filled, options=Options(xlat=VERBOSE)
    )


def test_line_handle_arrays_cut_at_s_unless_v_and_the_fd_returned() -> None:
    offsets = struct.pack("<64I", *range(1, 65))
    request = (
        offsets + struct.pack("<I", 0x14) + bytes(range(1, 129, 2)) + _text(32, b"line consumer")
        + struct.pack("<Ii", 65, 0)
    )  # fmt: skip
    text = argument(LINEHANDLE, request)
    assert text.startswith("{lines=65, lineoffsets=[1, 2, 3, ")
    assert (
        ", 32, ...], flags=GPIOHANDLE_REQUEST_ACTIVE_LOW|GPIOHANDLE_REQUEST_OPEN_SOURCE, " in text
    )
    assert text.endswith(', 63, ...], consumer_label="line consumer"}')
    verbose = argument(
        LINEHANDLE, request, request[:-4] + struct.pack("<i", 100), options=Options(verbose=True)
    )
    assert ", 63, 64], flags=" in verbose and verbose.endswith(
        'consumer_label="line consumer"} => {fd=100}'
    )


def test_v2_line_info_attributes_by_id_padding_only_when_set() -> None:
    head = _text(32, b"line name") + _text(32, b"line consumer")
    attrs = struct.pack("<IIQ", 3, 0, 3735928559) + struct.pack(
        "<IIQ", 2, 0xFEEDFACE, 0xDEADBEEFBA11C0DA
    )
    info = (
        head
        + struct.pack("<IIQ", 56, 2, 0x102)
        + attrs.ljust(160, b"\0")
        + struct.pack("<4I", 0, 0, 0xDEADD0D0, 0)
    )
    assert argument(V2_LINEINFO, info, info) == (
        '{offset=56} => {name="line name", consumer="line consumer", '
        "flags=GPIO_V2_LINE_FLAG_ACTIVE_LOW|GPIO_V2_LINE_FLAG_BIAS_PULL_UP, num_attrs=2, "
        "attrs=[{debounce_period_us=3735928559}, "
        "{id=2, padding=0xfeedface, data=0xdeadbeefba11c0da}], "
        "padding=[0, 0, 0xdeadd0d0, 0]}"
    )


def test_v2_line_request_config_and_values() -> None:
    request = (
        struct.pack("<64I", 18, 35, 52, 69, *[0] * 60) + _text(32, b"line consumer") + bytes(272)
        + struct.pack("<II5Ii", 4, 0, 0, 0xFEEDFACE, 0, 0, 0, 100)
    )  # fmt: skip
    assert argument(V2_GET_LINE, request, request) == (
        '{num_lines=4, offsets=[18, 35, 52, 69], consumer="line consumer", '
        "config={flags=0, num_attrs=0}, padding=[0, 0xfeedface, 0, 0, 0]} => {fd=100}"
    )
    values = struct.pack("<QQ", 0xDEADBEEF, 0xBA11C0DA)
    assert argument(V2_GET_VALUES, values, values) == "{mask=0xba11c0da} => {bits=0xdeadbeef}"
    assert argument(V2_GET_VALUES, values[:8]) == "0x7ffc07e58bd0"
