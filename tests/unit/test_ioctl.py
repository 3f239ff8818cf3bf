"""ioctl's request names (generated from the uapi headers) and its argument by request,
on constructed registers and memory: strace 6.1's lines out (from its runs of
strace's own ioctl tests)."""

import re
import struct

from tests.unit.plain import FakeMemory, decoded_call
from traced.cli.render import syscall_line
from traced.decoders import _ioctls
from traced.decoders.arguments import decode_entry
from traced.decoders.families import ioctl, ioctl_values
from traced.decoders.registry import constants_of
from traced.decoders.shapes import decode_result
from traced.decoders.values import Options

MINUS_ONE = 2**64 - 1
ADDRESS = 0x7FFC07E58BD0


def line(
    raw: tuple[int, int, int], retval: int | None = None, memory: dict[int, bytes] | None = None
) -> str:
    """The line of a success returning ``retval``, or without one of a failure
    (EBADF); without the padding before ``=``."""
    error = "EBADF" if retval is None else None
    text = syscall_line(decoded_call("ioctl", raw, retval or 0, error, memory=memory or {}))
    return re.sub(r" +=", " =", text, count=1)


def test_names_come_from_the_headers_sorted_by_number_then_name() -> None:
    rows = _ioctls.IOCTLS
    assert rows == tuple(sorted(rows, key=lambda row: (row[1], row[0])))
    assert ("TCGETS", 0x5401) in rows  # a plain number, asm-generic/ioctls.h
    assert ("SIOCGIFCONF", 0x8912) in rows  # sockios.h
    assert ("NS_GET_USERNS", 0xB701) in rows  # _IO(0xb7, 0x1)
    assert ("PTP_SYS_OFFSET_PRECISE", 0xC0403D08) in rows  # a define continued on a new line


def test_one_number_several_names_joined_by_or_in_name_order() -> None:
    assert ioctl.ioctl_request(0x5402).text == "SNDCTL_TMR_START or TCSETS"
    assert ioctl.ioctl_request(0x40049409).text == "BTRFS_IOC_CLONE or FICLONE"
    assert ioctl.ioctl_request(0x7004).text == "PHN_NOT_OH or RTC_UIE_OFF"
    # Each name alone is a filter's constant.
    assert constants_of("enum:ioctl")["FICLONE"] == 0x40049409
    assert constants_of("enum:ioctl")["TCSETS"] == 0x5402


def test_the_subdevice_aliases_are_left_out_as_strace_leaves_them() -> None:
    assert ioctl.ioctl_request(0x80085617).text == "VIDIOC_G_STD"


def test_unknown_request_in_ioc_form_zero_fields_as_0() -> None:
    assert line((MINUS_ONE, 0x8000DE00, ADDRESS)) == (
        "ioctl(-1, _IOC(_IOC_READ, 0xde, 0, 0), 0x7ffc07e58bd0) = -1 EBADF (Bad file descriptor)"
    )
    assert line((MINUS_ONE, 0x15FF, 0)) == (
        "ioctl(-1, _IOC(_IOC_NONE, 0x15, 0xff, 0), 0) = -1 EBADF (Bad file descriptor)"
    )


def test_argument_styles_by_request() -> None:
    ebadf = " = -1 EBADF (Bad file descriptor)"
    assert line((3, 0xB701, 0), 5, {}) == "ioctl(3, NS_GET_USERNS) = 5"  # no argument
    assert line((MINUS_ONE, 0xB701, 0)) == f"ioctl(-1, NS_GET_USERNS){ebadf}"
    # Not decoded by strace: a hex number, 0 for zero.
    assert line((MINUS_ONE, 0x0305, 0)) == f"ioctl(-1, HDIO_GET_QDMA, 0){ebadf}"
    # Followed by strace: NULL, or the address it cannot read.
    assert line((MINUS_ONE, 0x4B31, 0)) == f"ioctl(-1, KDGETLED, NULL){ebadf}"
    assert line((3, 0x5401, 0x1000)) == f"ioctl(3, TCGETS, 0x1000){ebadf}"
    # An int, an unsigned long.
    assert line((MINUS_ONE, 0x4C00, 0xDEADBEEFBADC0DED)) == (
        f"ioctl(-1, LOOP_SET_FD, -1159983635){ebadf}"
    )
    assert line((MINUS_ONE, 0x4C08, 0xDEADBEEFBADC0DED)) == (
        f"ioctl(-1, LOOP_SET_DIRECT_IO, 16045690984232390125){ebadf}"
    )


def test_int_pointer_read_at_entry_for_a_set_at_exit_for_a_get() -> None:
    value = {ADDRESS: struct.pack("<i", 123)}
    settimeout, gettimeout = 0xC0045706, 0x80045707
    assert line((MINUS_ONE, settimeout, ADDRESS), 42, value) == (
        "ioctl(-1, WDIOC_SETTIMEOUT, [123]) = 42"
    )
    assert line((MINUS_ONE, gettimeout, ADDRESS), 42, value) == (
        "ioctl(-1, WDIOC_GETTIMEOUT, [123]) = 42"
    )
    assert line((MINUS_ONE, gettimeout, ADDRESS)) == (
        "ioctl(-1, WDIOC_GETTIMEOUT, 0x7ffc07e58bd0) = -1 EBADF (Bad file descriptor)"
    )
    wide = {ADDRESS: struct.pack("<Q", 18072662652281011951)}
    assert line((MINUS_ONE, 0x0309, ADDRESS), 42, wide) == (
        "ioctl(-1, HDIO_GET_32BIT, [18072662652281011951]) = 42"
    )


def test_structs_and_pairs_read_at_entry_or_exit() -> None:
    rows = {ADDRESS: struct.pack("<4H", 33152, 33666, 34180, 34694)}
    assert line((MINUS_ONE, 0x5414, ADDRESS), 0, rows) == (
        "ioctl(-1, TIOCSWINSZ, {ws_row=33152, ws_col=33666, ws_xpixel=34180, ws_ypixel=34694}) = 0"
    )
    assert line((1, 0x5413, ADDRESS), 0, rows).startswith("ioctl(1, TIOCGWINSZ, {ws_row=33152, ")
    assert line((1, 0x5413, ADDRESS)) == (
        "ioctl(1, TIOCGWINSZ, 0x7ffc07e58bd0) = -1 EBADF (Bad file descriptor)"
    )
    pair = {ADDRESS: struct.pack("<2Q", 16045690984232390125, 18072662651950788621)}
    assert line((MINUS_ONE, 0x1277, ADDRESS), 0, pair) == (
        "ioctl(-1, BLKDISCARD, [16045690984232390125, 18072662651950788621]) = 0"
    )
    uint = {ADDRESS: struct.pack("<I", 4294967295)}
    assert line((MINUS_ONE, 0x40046919, ADDRESS), 42, uint) == (
        "ioctl(-1, LIRC_SET_REC_TIMEOUT_REPORTS, [4294967295]) = 42"
    )


def test_counter_watch_is_followed_and_nstype_named() -> None:
    assert line((MINUS_ONE, 0x40063E00, 0)) == (
        "ioctl(-1, COUNTER_ADD_WATCH_IOCTL, NULL) = -1 EBADF (Bad file descriptor)"
    )
    assert decode_result("ioctl", (5, 0xB703, 0), 0x10000000) == "268435456 (CLONE_NEWUSER)"
    assert decode_result("ioctl", (5, 0xB701, 0), 5) is None


def test_requests_named_with_their_parameters() -> None:
    assert ioctl.ioctl_request(0x80004520).text == "EVIOCGBIT(0, 0)"
    assert ioctl.ioctl_request(0x80014521).text == "EVIOCGBIT(EV_KEY, 1)"
    assert ioctl.ioctl_request(0x800E453F).text == "EVIOCGBIT(0x1f /* EV_??? */, 14)"
    assert ioctl.ioctl_request(0x80004506).text == "EVIOCGNAME(0)"
    assert ioctl.ioctl_request(0x8018454E).text == "EVIOCGABS(0xe /* ABS_??? */)"
    assert ioctl.ioctl_request(0x401845C0).text == "EVIOCSABS(ABS_X)"
    assert ioctl.ioctl_request(0x80044501).text == "EVIOCGVERSION"  # a name of its own
    assert ioctl.ioctl_request(0x40084D02).text == "MIXER_WRITE(2) or MEMERASE"
    assert line((MINUS_ONE, 0x80014521, 0)) == (
        "ioctl(-1, EVIOCGBIT(EV_KEY, 1), NULL) = -1 EBADF (Bad file descriptor)"
    )


def test_flags_and_v4l2_indexes() -> None:
    flags = {ADDRESS: struct.pack("<I", 0xD000000 | 0x11)}
    assert line((MINUS_ONE, 0x40086602, ADDRESS), memory=flags) == (
        "ioctl(-1, FS_IOC_SETFLAGS, [FS_SECRM_FL|FS_IMMUTABLE_FL|0xd000000])"
        " = -1 EBADF (Bad file descriptor)"
    )
    flags = {ADDRESS: struct.pack("<I", 0xD000000)}
    assert line((MINUS_ONE, 0x40086602, ADDRESS), 0, flags) == (
        "ioctl(-1, FS_IOC_SETFLAGS, [0xd000000 /* FS_???_FL */]) = 0"
    )
    index = {ADDRESS: struct.pack("<I", 3014832560)}
    assert line((MINUS_ONE, 0xC050561A, ADDRESS), memory=index) == (
        "ioctl(-1, VIDIOC_ENUMINPUT, {index=3014832560}) = -1 EBADF (Bad file descriptor)"
    )
    name = bytes(range(0x6B, 0x6B + 32))  # no NUL: 31 bytes and "..."
    filled = {ADDRESS: struct.pack("<I", 2158018784) + name + struct.pack("<I", 1) + bytes(40)}
    assert line((MINUS_ONE, 0xC050561A, ADDRESS), 42, filled) == (
        'ioctl(-1, VIDIOC_ENUMINPUT, {index=2158018784, name="klmnopqrstuvwxyz{|}~\\177\\200'
        '\\201\\202\\203\\204\\205\\206\\207\\210\\211"..., type=V4L2_INPUT_TYPE_TUNER}) = 42'
    )
    fmt = {ADDRESS: struct.pack("<2I", 3735928559, 1)}
    assert line((MINUS_ONE, 0xC0405602, ADDRESS), memory=fmt) == (
        "ioctl(-1, VIDIOC_ENUM_FMT, {index=3735928559, type=V4L2_BUF_TYPE_VIDEO_CAPTURE})"
        " = -1 EBADF (Bad file descriptor)"
    )


def test_v4l2_format_description_filled_by_the_kernel() -> None:
    head = struct.pack("<3I", 233488606, 3, 0xDEAD0000)
    pixel = struct.pack("<I", 0xBADC0DED)
    filled = {ADDRESS: head + b"\0" * 32 + pixel + bytes(16)}
    assert line((MINUS_ONE, 0xC0405602, ADDRESS), 42, filled) == (
        "ioctl(-1, VIDIOC_ENUM_FMT, {index=233488606, type=V4L2_BUF_TYPE_VIDEO_OVERLAY, "
        'flags=0xdead0000 /* V4L2_FMT_FLAG_??? */, description="", '
        "pixelformat=v4l2_fourcc('\\xed', '\\x0d', '\\xdc', '\\xba')}) = 42"
    )
    assert (
        ioctl_values.fourcc(0x4C47504A) == "v4l2_fourcc('J', 'P', 'G', 'L') /* V4L2_PIX_FMT_JPGL */"
    )


def test_console_numbers_named() -> None:
    ebadf = " = -1 EBADF (Bad file descriptor)"
    assert line((MINUS_ONE, 0x4B2F, 440)) == f"ioctl(-1, KIOCSOUND, 440 /* 2711 Hz */){ebadf}"
    assert line((MINUS_ONE, 0x4B30, 0xBADC0DEDDEADFACE)) == (
        f"ioctl(-1, KDMKTONE, 57005<<16|64206 /* 18 Hz, 57005 ms */){ebadf}"
    )
    assert line((MINUS_ONE, 0x4B32, 0xDEADC0DEFEEDFACE)) == (
        f"ioctl(-1, KDSETLED, LED_NUM|LED_CAP|0xc8){ebadf}"
    )
    assert line((MINUS_ONE, 0x4B65, 0xFE)) == (
        f"ioctl(-1, KDSKBLED, LED_NUM|LED_CAP|LED_SCR<<4|LED_NUM<<4|LED_CAP<<4|0x88){ebadf}"
    )
    assert line((MINUS_ONE, 0x4B45, MINUS_ONE)) == f"ioctl(-1, KDSKBMODE, -1 /* K_??? */){ebadf}"
    mode = {ADDRESS: struct.pack("<I", 3)}
    assert line((MINUS_ONE, 0x4B3B, ADDRESS), 42, mode) == "ioctl(-1, KDGETMODE, [KD_TEXT1]) = 42"


def test_counter_watch_fsxattr_and_lirc() -> None:
    ebadf = " = -1 EBADF (Bad file descriptor)"
    watch = {ADDRESS: bytes((5, 2, 23, 42, 7, 69))}
    assert line((MINUS_ONE, 0x40063E00, ADDRESS), memory=watch) == (
        "ioctl(-1, COUNTER_ADD_WATCH_IOCTL, {component={type=COUNTER_COMPONENT_EXTENSION, "
        "scope=COUNTER_SCOPE_COUNT, parent=23, id=42}, event=0x7 /* COUNTER_EVENT_??? */, "
        f"channel=69}}){ebadf}"
    )
    fsx = {
        ADDRESS: struct.pack("<5I8x", 0x7FF00004, 3735928559, 4207869677, 0xCAFEF00D, 3133063390)
    }
    assert line((MINUS_ONE, 0x401C5820, ADDRESS), memory=fsx) == (
        "ioctl(-1, FS_IOC_FSSETXATTR, {fsx_xflags=0x7ff00004 /* FS_XFLAG_??? */, "
        f"fsx_extsize=3735928559, fsx_projid=0xcafef00d, fsx_cowextsize=3133063390}}){ebadf}"
    )
    mode = {ADDRESS: struct.pack("<I", 2)}
    assert line((MINUS_ONE, 0x40046911, ADDRESS), 42, mode) == (
        "ioctl(-1, LIRC_SET_SEND_MODE, [LIRC_MODE_PULSE]) = 42"
    )


def test_flags_in_the_register_and_a_filter_string() -> None:
    ebadf = " = -1 EBADF (Bad file descriptor)"
    assert (
        line((MINUS_ONE, 0x2400, 1))
        == f"ioctl(-1, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP){ebadf}"
    )
    assert line((MINUS_ONE, 0x2403, 2)) == (
        f"ioctl(-1, PERF_EVENT_IOC_RESET, 0x2 /* PERF_IOC_FLAG_??? */){ebadf}"
    )
    assert line((MINUS_ONE, 0xAB0A, 0x22)) == (
        f"ioctl(-1, NBD_SET_FLAGS, NBD_FLAG_READ_ONLY|NBD_FLAG_SEND_TRIM){ebadf}"
    )
    text = {ADDRESS: b"89abcdef0123456789abcdef\0"}
    assert line((MINUS_ONE, 0x40082406, ADDRESS), memory=text) == (
        f'ioctl(-1, PERF_EVENT_IOC_SET_FILTER, "89abcdef0123456789abcdef"){ebadf}'
    )


def test_interface_requests() -> None:
    ebadf = " = -1 EBADF (Bad file descriptor)"
    name = {ADDRESS: b"0123456789012345" + struct.pack("<i", -87097646) + bytes(20)}
    assert line((MINUS_ONE, 0x8922, ADDRESS), memory=name) == (
        f'ioctl(-1, SIOCSIFMTU, {{ifr_name="012345678901234"..., ifr_mtu=-87097646}}){ebadf}'
    )
    flags = {ADDRESS: b"lo\0" + bytes(13) + struct.pack("<H", 0x1003) + bytes(22)}
    assert line((MINUS_ONE, 0x8914, ADDRESS), memory=flags) == (
        'ioctl(-1, SIOCSIFFLAGS, {ifr_name="lo", ifr_flags=IFF_UP|IFF_BROADCAST|IFF_MULTICAST})'
        + ebadf
    )
    bridge = {ADDRESS: b"0123456789012345678\0"}
    assert line((MINUS_ONE, 0x89A0, ADDRESS), memory=bridge) == (
        f'ioctl(-1, SIOCBRADDBR, "0123456789012345"...){ebadf}'
    )


def test_seccomp_notification_responses() -> None:
    ebadf = " = -1 EBADF (Bad file descriptor)"
    resp = {ADDRESS: struct.pack("<QqiI", 0, 0, 0, 0)}
    assert line((MINUS_ONE, 0xC0182101, ADDRESS), memory=resp) == (
        f"ioctl(-1, SECCOMP_IOCTL_NOTIF_SEND, {{id=0, val=0, error=0, flags=0}}){ebadf}"
    )
    resp = {ADDRESS: struct.pack("<QqiI", 0xFACE, -5, -63, 1)}
    assert line((MINUS_ONE, 0xC0182101, ADDRESS), memory=resp) == (
        "ioctl(-1, SECCOMP_IOCTL_NOTIF_SEND, {id=0xface, val=-5, error=-ENOSR, "
        f"flags=SECCOMP_USER_NOTIF_FLAG_CONTINUE}}){ebadf}"
    )
    addfd = {ADDRESS: struct.pack("<QIiiI", 0, 3, 42, -1, 0o40000)}
    assert line((MINUS_ONE, 0x40182103, ADDRESS), memory=addfd) == (
        "ioctl(-1, SECCOMP_IOCTL_NOTIF_ADDFD, {id=0, flags=SECCOMP_ADDFD_FLAG_SETFD"
        f"|SECCOMP_ADDFD_FLAG_SEND, srcfd=42, newfd=-1, newfd_flags=O_DIRECT}}){ebadf}"
    )


def test_bridge_name_is_all_sixteen_bytes_or_its_address() -> None:
    ebadf = " = -1 EBADF (Bad file descriptor)"
    full = {ADDRESS: b"0123456789012345"}
    assert line((MINUS_ONE, 0x89A1, ADDRESS + 1), memory=full) == (
        f"ioctl(-1, SIOCBRDELBR, 0x7ffc07e58bd1){ebadf}"
    )
    ended = {ADDRESS: b"012345678901234\0"}
    assert line((MINUS_ONE, 0x89A1, ADDRESS), memory=ended) == (
        f'ioctl(-1, SIOCBRDELBR, "012345678901234"){ebadf}'
    )


def test_rtc_time_abbreviated_unless_verbose_and_uffd_ranges() -> None:
    ebadf = " = -1 EBADF (Bad file descriptor)"
    tm = {ADDRESS: struct.pack("<9i", 1, 2, 3, 4, 5, 6, 7, 8, -1)}
    assert line((MINUS_ONE, 0x4024700A, ADDRESS), memory=tm) == (
        "ioctl(-1, RTC_SET_TIME, {tm_sec=1, tm_min=2, tm_hour=3, tm_mday=4, tm_mon=5, tm_year=6, "
        f"...}}){ebadf}"
    )
    fake = FakeMemory(tm)
    verbose = decode_entry("ioctl", (MINUS_ONE, 0x4024700A, ADDRESS), fake, Options(verbose=True))
    assert verbose[2].text.endswith("tm_wday=7, tm_yday=8, tm_isdst=-1}")
    span = {ADDRESS: struct.pack("<2Q", 0x7F0000001000, 0x1000)}
    assert line((3, 0x8010AA02, ADDRESS), 0, span) == (
        "ioctl(3, UFFDIO_WAKE, {start=0x7f0000001000, len=0x1000}) = 0"
    )


def test_uffd_fields_the_kernel_fills() -> None:
    copy = {ADDRESS: struct.pack("<5Q", 0x1000, 0x2000, 0x1000, 1, 0x1000)}
    assert line((3, 0xC028AA03, ADDRESS), 0, copy) == (
        "ioctl(3, UFFDIO_COPY, {dst=0x1000, src=0x2000, len=0x1000, "
        "mode=UFFDIO_COPY_MODE_DONTWAKE, copy=0x1000}) = 0"
    )
    register = {ADDRESS: struct.pack("<4Q", 0x1000, 0x1000, 1, 0x13C)}
    assert line((3, 0xC020AA00, ADDRESS), 0, register) == (
        "ioctl(3, UFFDIO_REGISTER, {range={start=0x1000, len=0x1000}, "
        "mode=UFFDIO_REGISTER_MODE_MISSING, ioctls=1<<_UFFDIO_WAKE|1<<_UFFDIO_COPY"
        "|1<<_UFFDIO_ZEROPAGE|0x120}) = 0"
    )


def test_values_read_at_entry_and_again_at_exit() -> None:
    keycode = {ADDRESS: struct.pack("<2I", 0xFACEFEED, 0)}
    assert line((MINUS_ONE, 0x4B4C, ADDRESS), 42, keycode) == (
        "ioctl(-1, KDGETKEYCODE, {scancode=0xfacefeed, keycode=0 => 0}) = 42"
    )
    repeat = {ADDRESS: struct.pack("<2i", -1, 0)}
    assert line((MINUS_ONE, 0x4B52, ADDRESS), 42, repeat) == (
        "ioctl(-1, KDKBDREP, {delay=-1, period=0} => {delay=-1, period=0}) = 42"
    )
    assert line((MINUS_ONE, 0x4B52, ADDRESS), memory=repeat) == (
        "ioctl(-1, KDKBDREP, {delay=-1, period=0}) = -1 EBADF (Bad file descriptor)"
    )


def test_terminal_and_file_ints() -> None:
    one = {ADDRESS: struct.pack("<i", 1)}
    assert line((4, 0x5421, ADDRESS), 0, one) == "ioctl(4, FIONBIO, [1]) = 0"
    assert line((4, 0x541B, ADDRESS), 0, one) == "ioctl(4, FIONREAD, [1]) = 0"
    assert line((3, 0x5451, 0), 0, {}) == "ioctl(3, FIOCLEX) = 0"
