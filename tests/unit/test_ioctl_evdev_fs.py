"""The input devices' keymap and force-feedback requests (families/ioctl_evdev.py),
FS_IOC_FIEMAP (families/ioctl_fs.py) and evdev's requests named with parameters
in each -X style: strace 6.1's text out, from its runs of strace's ioctl tests."""

import struct

from tests.unit.ioctl_cases import ADDRESS, argument
from traced.decoders.families.ioctl import ioctl_request
from traced.decoders.style import RAW, VERBOSE, Style, applied
from traced.decoders.values import Options

SKEYCODE, SKEYCODE_V2, SFF, FIEMAP, FSSETXATTR = (
    0x40084504,
    0x40284504,
    0x40304580,
    0xC020660B,
    0x401C5820,
)
VERBOSE_ONLY = Options(verbose=True)


def test_parameterized_requests_by_style() -> None:
    assert ioctl_request(0x8018454E).text == "EVIOCGABS(0xe /* ABS_??? */)"
    with applied(Style(VERBOSE)):
        assert ioctl_request(0x8018454E).text == "0x8018454e /* EVIOCGABS(0xe) */"
        assert ioctl_request(0x80014521).text == "0x80014521 /* EVIOCGBIT(EV_KEY, 1) */"
    with applied(Style(RAW)):
        assert ioctl_request(0x80004506).text == "0x80004506"


def test_keycodes() -> None:
    assert argument(SKEYCODE, struct.pack("<2I", 3735928559, 1)) == "[3735928559, KEY_ESC]"
    entry = struct.pack("<BBHI", 128, 129, 33666, 2) + bytes(range(0x88, 0xA8))
    assert argument(SKEYCODE_V2, entry) == "{flags=128, len=129, ...}"
    text = argument(SKEYCODE_V2, entry, options=VERBOSE_ONLY)
    assert text.startswith("{flags=128, len=129, index=33666, keycode=KEY_1, scancode=[0x88, 0x89")
    assert text.endswith("0xa6, 0xa7]}")


def test_force_feedback_effects() -> None:
    head = struct.pack("<HhH4H", 0x51, -31870, 34180, 34694, 35208, 35722, 36236) + bytes(2)
    periodic = struct.pack("<HHhhH4H2xIQ", 37264, 37778, -27244, -26730, 39320, 39834, 40348, 40862,
                           0xA1A0, 2812716452, 0xAFAEADACABAAA9A8)  # fmt: skip
    effect = head + periodic
    assert argument(SFF, effect) == "{type=FF_PERIODIC, id=-31870, direction=34180, ...}"
    assert argument(SFF, effect, options=VERBOSE_ONLY) == (
        "{type=FF_PERIODIC, id=-31870, direction=34180, trigger={button=34694, interval=35208}, "
        "replay={length=35722, delay=36236}, periodic={waveform=37264, period=37778, "
        "magnitude=-27244, offset=-26730, phase=39320, envelope={attack_length=39834, "
        "attack_level=40348, fade_length=40862, fade_level=0xa1a0}, custom_len=2812716452, "
        "custom_data=0xafaeadacabaaa9a8}}"
    )
    unknown = struct.pack("<H", 0xFF) + effect[2:]
    assert argument(SFF, unknown, options=VERBOSE_ONLY).endswith("delay=36236}}")


def test_fiemap_extents_only_with_v() -> None:
    head = struct.pack("<QQIII4x", 16045690984503111693, 18072662651678146782, 0xFFFFFFF8, 2,
                       3735929054)  # fmt: skip
    extents = struct.pack("<3Q16xI12x", 1, 2, 3, 0x3F8F) + struct.pack(
        "<3Q16xI12x", 4, 5, 6, 0xFFFFC070
    )
    entry = (
        "{fm_start=16045690984503111693, fm_length=18072662651678146782, "
        "fm_flags=0xfffffff8 /* FIEMAP_FLAG_??? */, fm_extent_count=3735929054}"
    )
    assert argument(FIEMAP, head + extents) == entry
    assert argument(FIEMAP, head, head + extents) == (
        f"{entry} => {{fm_flags=0xfffffff8 /* FIEMAP_FLAG_??? */, fm_mapped_extents=2, ...}}"
    )
    verbose = argument(FIEMAP, head, head + extents, options=VERBOSE_ONLY)
    assert verbose.endswith(
        "fm_mapped_extents=2, fm_extents=[{fe_logical=1, fe_physical=2, fe_length=3, "
        "fe_flags=FIEMAP_EXTENT_LAST|FIEMAP_EXTENT_UNKNOWN|FIEMAP_EXTENT_DELALLOC"
        "|FIEMAP_EXTENT_ENCODED|FIEMAP_EXTENT_DATA_ENCRYPTED|FIEMAP_EXTENT_NOT_ALIGNED"
        "|FIEMAP_EXTENT_DATA_INLINE|FIEMAP_EXTENT_DATA_TAIL|FIEMAP_EXTENT_UNWRITTEN"
        "|FIEMAP_EXTENT_MERGED|FIEMAP_EXTENT_SHARED}, {fe_logical=4, fe_physical=5, fe_length=6, "
        "fe_flags=0xffffc070 /* FIEMAP_EXTENT_??? */}]}"
    )


def test_fsxattr_read_whole_with_its_padding() -> None:
    assert argument(FSSETXATTR, bytes(20)) == hex(ADDRESS)
    assert argument(FSSETXATTR, bytes(28)).startswith("{fsx_xflags=0, fsx_extsize=0, ")
