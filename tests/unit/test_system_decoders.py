"""syslog, reboot, sysinfo, _sysctl, get_robust_list, times, time and the thread
areas on constructed registers and memory: strace 6.1's text out (lines from its
runs of strace's syslog, reboot, sysinfo, sysctl, xet_robust_list, times, time and
xet_thread_area_x86 tests)."""

import struct

from tests.unit.plain import FakeMemory
from tests.unit.test_generated_constants import line
from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.shapes import decode_result
from traced.decoders.values import Options

HIGH = 0xBADC0DED00000000  # garbage above an int, as strace's tests pass it
ADDR = 0xFACEFEEDDEADBEEF


def test_syslog_actions_alone_and_with_their_arguments() -> None:
    assert line("syslog", (HIGH | 9, ADDR, 2**64 - 1), 65566) == (
        "syslog(9 /* SYSLOG_ACTION_SIZE_UNREAD */) = 65566"
    )
    assert line("syslog", (HIGH | 0xFEEDBEEF, 0, 2**64 - 1), 0) == (
        "syslog(-17973521 /* SYSLOG_ACTION_??? */, NULL, -1) = 0"
    )
    assert line("syslog", (11, ADDR, 0), 0) == (
        "syslog(11 /* SYSLOG_ACTION_??? */, 0xfacefeeddeadbeef, 0) = 0"
    )
    assert line("syslog", (8, ADDR, 0xFEEDBEEF), 0) == (
        "syslog(8 /* SYSLOG_ACTION_CONSOLE_LEVEL */, 0xfacefeeddeadbeef, "
        "-17973521 /* LOGLEVEL_??? */) = 0"
    )
    assert line("syslog", (8, ADDR, 8), 0) == (
        "syslog(8 /* SYSLOG_ACTION_CONSOLE_LEVEL */, 0xfacefeeddeadbeef, "
        "8 /* LOGLEVEL_DEBUG+1 */) = 0"
    )
    assert line("syslog", (3, 0x1000, 64), 3, {0x1000: b"abcdef"}) == (
        'syslog(3 /* SYSLOG_ACTION_READ_ALL */, "abc", 64) = 3'
    )


def test_reboot_magic_commands_and_restart2s_command_line() -> None:
    assert line("reboot", (0, 0, 0, 0), 0) == (
        "reboot(0 /* LINUX_REBOOT_MAGIC_??? */, 0 /* LINUX_REBOOT_MAGIC_??? */, "
        "LINUX_REBOOT_CMD_CAD_OFF) = 0"
    )
    assert line("reboot", (2**64 - 1, 0xFA57BEEF, 0x9CAFFEE1, 2**64 - 1), 0) == (
        "reboot(0xffffffff /* LINUX_REBOOT_MAGIC_??? */, 0xfa57beef /* "
        "LINUX_REBOOT_MAGIC_??? */, 0x9caffee1 /* LINUX_REBOOT_CMD_??? */) = 0"
    )
    restart2 = (0xFEE1DEAD, 0x13111992, 0xA1B2C3D4, 0x1000)
    assert line("reboot", restart2, 0, {0x1000: b"reboot\0"}) == (
        "reboot(LINUX_REBOOT_MAGIC1, 0x13111992 /* LINUX_REBOOT_MAGIC_??? */, "
        'LINUX_REBOOT_CMD_RESTART2, "reboot") = 0'
    )
    long_line = {0x1000: b"x" * 300}
    args = decode_entry("reboot", (0xFEE1DEAD, 85072278, 0xA1B2C3D4, 0x1000),
                        FakeMemory(long_line), Options(string_limit=256))  # fmt: skip
    assert args[1].text == "LINUX_REBOOT_MAGIC2A"
    assert args[3].text == '"' + "x" * 255 + '"...'
    assert line("reboot", (0xFEE1DEAD, 537993216, 0xA1B2C3D4, 0x2000), 0).endswith(
        "LINUX_REBOOT_MAGIC2C, LINUX_REBOOT_CMD_RESTART2, 0x2000) = 0"
    )


def test_sysinfo_and_sysctl_args() -> None:
    info = struct.pack("<q9Q", 22736, 149088, 140384, 193632, 25276182528, 18252173312,
                       37044224, 20938752, 0, 0)  # fmt: skip
    info += struct.pack("<H6xQQI4x", 124, 0, 0, 1)
    assert line("sysinfo", (0x1000,), 0, {0x1000: info}) == (
        "sysinfo({uptime=22736, loads=[149088, 140384, 193632], totalram=25276182528, "
        "freeram=18252173312, sharedram=37044224, bufferram=20938752, totalswap=0, "
        "freeswap=0, procs=124, totalhigh=0, freehigh=0, mem_unit=1}) = 0"
    )
    assert line("sysinfo", (0,), -14).startswith("sysinfo(NULL)")
    assert line("_sysctl", (0x1000,), -38, {0x1000: bytes(80)}).startswith(
        "_sysctl({name=NULL, nlen=0, oldval=NULL, oldlenp=NULL, newval=NULL, newlen=0})"
    )
    filled = struct.pack("<Qi4xQQQQ32x", 0x7F4F65D4F000, 1818978921, 0x7877767574737271,
                         0x6665646362617A79, 0x6E6D6C6B6A696867, 8535856707940741231)  # fmt: skip
    assert line("_sysctl", (0x1000,), -38, {0x1000: filled}).startswith(
        "_sysctl({name=0x7f4f65d4f000, nlen=1818978921, oldval=0x7877767574737271, "
        "oldlenp=0x6665646362617a79, newval=0x6e6d6c6b6a696867, newlen=8535856707940741231})"
    )


def test_robust_list_time_and_times_outputs() -> None:
    memory = {0x1000: struct.pack("<Q", 0x7F26C1BD3A20), 0x2000: struct.pack("<Q", 24)}
    assert line("get_robust_list", (27004, 0x1000, 0x2000), 0, memory) == (
        "get_robust_list(27004, [0x7f26c1bd3a20], [24]) = 0"
    )
    now = {0x1000: struct.pack("<q", 1796691819)}
    assert line("time", (0x1000,), 1796691819, now) == (
        "time([1796691819 /* 2026-12-08T01:03:39+0000 */]) = 1796691819 (2026-12-08T01:03:39+0000)"
    )
    ticks = {0x1000: struct.pack("<4Q", 28, 61, 0, 98)}
    assert line("times", (0x1000,), 1720231048, ticks) == (
        "times({tms_utime=28 /* 0.28 s */, tms_stime=61 /* 0.61 s */, tms_cutime=0, "
        "tms_cstime=98 /* 0.98 s */}) = 1720231048"
    )
    raw = Options(xlat="raw")
    fake = FakeMemory(ticks)
    args = decode_exit("times", decode_entry("times", (0x1000,), fake, raw), (0x1000,), fake,
                       retval=1, options=raw)  # fmt: skip
    assert args[0].text == "{tms_utime=28, tms_stime=61, tms_cutime=0, tms_cstime=98}"


def test_thread_areas() -> None:
    desc = bytes(range(0x80, 0x90))
    assert line("set_thread_area", (0x1000,), 0, {0x1000: desc}) == (
        "set_thread_area({entry_number=2206368128, base_addr=0x87868584, limit=0x8b8a8988, "
        "seg_32bit=0, contents=2, read_exec_only=1, limit_in_pages=0, seg_not_present=0, "
        "useable=0, lm=1}) = 0 (entry_number=2206368128)"
    )
    zeroes = struct.pack("<IIIB3x", 0xFFFFFFFF, 0, 0, 0b10001011)
    assert line("set_thread_area", (0x1000,), 0, {0x1000: zeroes}) == (
        "set_thread_area({entry_number=-1, base_addr=00000000, limit=00000000, seg_32bit=1, "
        "contents=1, read_exec_only=1, limit_in_pages=0, seg_not_present=0, useable=0, "
        "lm=1}) = 0 (entry_number=4294967295)"
    )
    fake = FakeMemory({0x1000: struct.pack("<I", 12)})
    args = decode_entry("get_thread_area", (0x1000,), fake)
    failed = decode_exit("get_thread_area", args, (0x1000,), fake, retval=-38, failed=True)
    assert failed[0].text == "{entry_number=12, ...}"
    filled = FakeMemory({0x1000: struct.pack("<IIIB3x", 13, 0x1000, 0xFFFFF, 0x51)})
    done = decode_exit("get_thread_area", args, (0x1000,), filled, retval=0)
    assert done[0].text == (
        "{entry_number=12 => 13, base_addr=0x001000, limit=0x0fffff, seg_32bit=1, "
        "contents=0, read_exec_only=0, limit_in_pages=1, seg_not_present=0, useable=1, lm=0}"
    )


def test_recvmmsg_result_says_timeout_or_the_time_left() -> None:
    """strace's recvmmsg-timeout: ``= 1 (left {...})``; ``0 (Timeout)``."""
    left = FakeMemory({0x1000: struct.pack("<qQ", 0, 12337185)})
    raw = (3, 0x2000, 1, 0, 0x1000)
    assert decode_result("recvmmsg", raw, 1, memory=left) == (
        "1 (left {tv_sec=0, tv_nsec=12337185})"
    )
    assert decode_result("recvmmsg", raw, 0, memory=left) == "0 (Timeout)"
    assert decode_result("recvmmsg", (3, 0x2000, 1, 0, 0), 1, memory=left) is None
    quiet = Options(nonverbose=frozenset({"recvmmsg"}))
    assert decode_result("recvmmsg", raw, 1, quiet, memory=left) is None


def test_rt_sigreturn_shows_the_mask_of_the_frame_at_the_stack_pointer() -> None:
    """strace's rt_sigreturn test: the mask the frame restores, 296 bytes above the
    stack pointer (struct ucontext's uc_sigmask); nothing without a stack pointer."""
    mask = 1 << 1 | 1 << 11 | 1 << 16 | 1 << 34 | 1 << 35 | 1 << 36 | 1 << 57 | 1 << 58
    frame = {0x7000 + 296: struct.pack("<Q", mask)}
    assert line("rt_sigreturn", (0x7000,), 0, frame) == (
        "rt_sigreturn({mask=[INT USR2 CHLD RT_3 RT_4 RT_5 RT_26 RT_27]}) = 0"
    )
    assert line("rt_sigreturn", (0x9000,), 0) == "rt_sigreturn({mask=0x9128}) = 0"
    assert line("rt_sigreturn", (0,), 0) == "rt_sigreturn() = 0"
    raw = Options(raw=frozenset({"rt_sigreturn"}))
    assert decode_entry("rt_sigreturn", (0x7000,), FakeMemory(frame), raw)[0].text == ""
