"""The console's keyboard, font and map requests (families/ioctl_kd.py,
ioctl_kd_font.py): strace 6.1's text out, from its runs of strace's ioctl_kd tests."""

import mmap
import struct

from tests.unit.ioctl_cases import ADDRESS, argument
from traced.decoders.style import RAW, VERBOSE
from traced.decoders.values import Options

GKBENT, SKBENT, SKBSENT, SKBDIACR, ADDIO, SIGACCEPT = 0x4B46, 0x4B47, 0x4B49, 0x4B4B, 0x4B34, 0x4B4E
GIO_UNIMAP, PIO_UNISCRNMAP, FONTOP, GIO_SCRNMAP, KDSETLED = 0x4B66, 0x4B6A, 0x4B72, 0x4B40, 0x4B32


def test_keymap_entries_and_their_values() -> None:
    entry = bytes((0, 89)) + struct.pack("<H", 0x100)
    assert argument(GKBENT, entry) == "{kb_table=K_NORMTAB, kb_index=89}"
    assert argument(GKBENT, entry, entry) == (
        "{kb_table=K_NORMTAB, kb_index=89, kb_value=0x100 /* K_F1 */}"
    )
    latin = bytes((0x04, 207)) + struct.pack("<H", 0x7E)
    assert argument(SKBENT, latin) == (
        "{kb_table=1<<KG_CTRL, kb_index=207, kb_value=0x7e /* K(KT_LATIN, '~') */}"
    )
    assert argument(SKBENT, latin, options=Options(xlat=RAW)) == (
        "{kb_table=0x4, kb_index=207, kb_value=0x7e}"
    )
    odd = bytes((0, 0)) + struct.pack("<H", 0x10ED)
    assert argument(SKBENT, odd).endswith("kb_value=0x10ed /* K(0x10, 0xed) */}")


def test_function_strings_cut_as_strace_cuts_them() -> None:
    text = bytes((0xDF,)) + bytes(range(0xE0, 0xFF)) + b"\0" * 481
    assert argument(SKBSENT, text) == (
        '{kb_func=KVAL(K_F214), kb_string="' + "".join(f"\\{c:o}" for c in range(0xE0, 0xFF)) + '"}'
    )
    # Its NUL in the next page: strace counts from that page's start.
    start = mmap.PAGESIZE * 16 - 17
    crossing = bytes((0xFF,)) + b"0123456789012345678901234567890\0" + bytes(480)
    assert argument(SKBSENT, crossing, address=start) == (
        '{kb_func=KVAL(K_UNDO), kb_string="0123456789012345"...}'
    )


def test_accents_io_ports_signals_and_leds() -> None:
    accents = struct.pack("<I", 2) + b"()*+,-"
    assert argument(SKBDIACR, accents) == (
        "{kb_cnt=2, kbdiacr=[{diacr='(', base=')', result='*'}, {diacr='+', base=',', result='-'}]}"
    )
    assert argument(ADDIO, b"", address=0x3C0) == "0x3c0 /* GPFIRST + 12 */"
    assert argument(ADDIO, b"", address=0x3C0, options=Options(xlat=RAW)) == "0x3c0"
    assert argument(SIGACCEPT, b"", address=10) == "SIGUSR1"
    assert argument(SIGACCEPT, b"", address=2**64 - 1) == "18446744073709551615"
    assert argument(KDSETLED, b"", address=0xCE, options=Options(xlat=VERBOSE)) == (
        "0xce /* LED_NUM|LED_CAP|0xc8 */"
    )


def test_maps_and_fonts() -> None:
    codes = struct.pack("<256H", 0xEFD5, *[0xF000 + i for i in range(255)])
    text = argument(PIO_UNISCRNMAP, codes)
    assert text.startswith("[0xefd5, UNI_DIRECT_BASE+0, UNI_DIRECT_BASE+0x1, ")
    verbose = argument(PIO_UNISCRNMAP, codes, options=Options(xlat=VERBOSE))
    assert verbose.startswith("[0xefd5, 0xf000 /* UNI_DIRECT_BASE+0 */, ")
    scrnmap = bytes(range(256))
    assert argument(GIO_SCRNMAP, scrnmap) == hex(ADDRESS)
    assert argument(GIO_SCRNMAP, scrnmap, scrnmap).startswith('"\\x00\\x01\\x02')
    unimap = struct.pack("<H6xQ", 1, 0)
    assert argument(GIO_UNIMAP, unimap, failed=True) == "{entry_ct=1 => 1, entries=NULL}"
    assert argument(GIO_UNIMAP, unimap, unimap) == "{entry_ct=1 => 1, entries=NULL}"
    copy = struct.pack("<5I4xQ", 3, 0, 0, 0, 0, 0)
    assert argument(FONTOP, copy, copy) == "{op=KD_FONT_OP_COPY, height=0}"
    get = struct.pack("<5I4xQ", 1, 1, 0, 0, 0, 0)
    assert argument(FONTOP, get, get) == (
        "{op=KD_FONT_OP_GET, flags=KD_FONT_FLAG_DONT_RECALC, width=0, height=0, charcount=0, "
        "data=NULL} => {width=0, height=0, charcount=0, data=NULL}"
    )
