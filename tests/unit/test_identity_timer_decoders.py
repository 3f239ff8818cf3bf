"""Ids, group lists, sembuf arrays, mq_attr, utsname, interval timers and time zones
on constructed registers and memory: strace 6.1's text out (lines from its runs of
strace's getresuid, getgroups, setgroups, semop, mq, uname, xetitimer and
xettimeofday tests)."""

import struct

from tests.unit.plain import FakeMemory
from tests.unit.test_generated_constants import line
from traced.decoders.arguments import decode_entry
from traced.decoders.dumps import mmsg_dump
from traced.decoders.failures import failed_outputs
from traced.decoders.families.dirents import dirents
from traced.decoders.families.timers import interrupted_sleep_left


def test_ids_and_group_lists() -> None:
    memory = {0x1000: struct.pack("<I", 0), 0x2000: struct.pack("<II", 0, 0xFFFFFFFF)}
    assert line("getresuid", (0x1000, 0x1000, 0x1000), 0, memory) == (
        "getresuid([0], [0], [0]) = 0"
    )
    assert line("getgroups", (2, 0x2000), 2, memory) == "getgroups(2, [0, -1]) = 2"
    assert line("setgroups", (2, 0x2000), 0, memory) == "setgroups(2, [0, -1]) = 0"
    assert line("setgroups", (65537, 0x2000), -22, memory).startswith("setgroups(65537, 0x2000)")


def test_sembuf_array_and_mq_attr() -> None:
    memory = {
        0x1000: struct.pack("<Hhh", 0, 1, 0x1000),
        0x2000: struct.pack("<qqqq", 0x800, 10, 8192, 0) + b"\0" * 32,
    }
    assert line("semop", (7, 0x1000, 1), 0, memory) == (
        "semop(7, [{sem_num=0, sem_op=1, sem_flg=SEM_UNDO}], 1) = 0"
    )
    assert line("mq_getsetattr", (3, 0x2000, 0), 0, memory) == (
        "mq_getsetattr(3, {mq_flags=O_NONBLOCK, mq_maxmsg=10, mq_msgsize=8192, "
        "mq_curmsgs=0}, NULL) = 0"
    )


def test_utsname_abbreviated() -> None:
    fields = [b"Linux", b"vm", b"6.1", b"#1", b"x86_64", b"(none)"]
    data = b"".join(field.ljust(65, b"\0") for field in fields)
    assert line("uname", (0x1000,), 0, {0x1000: data}) == (
        'uname({sysname="Linux", nodename="vm", ...}) = 0'
    )


def test_interval_timers_and_time_zone() -> None:
    memory = {
        0x1000: struct.pack("<qQqQ", 1, 2, 3, 4),
        0x2000: struct.pack("<ii", 0, 0),
    }
    assert line("setitimer", (0, 0x1000, 0), 0, memory) == (
        "setitimer(ITIMER_REAL, {it_interval={tv_sec=1, tv_usec=2}, "
        "it_value={tv_sec=3, tv_usec=4}}, NULL) = 0"
    )
    assert line("timerfd_gettime", (3, 0x1000), 0, memory) == (
        "timerfd_gettime(3, {it_interval={tv_sec=1, tv_nsec=2}, "
        "it_value={tv_sec=3, tv_nsec=4}}) = 0"
    )
    assert line("settimeofday", (0, 0x2000), -1, memory).startswith(
        "settimeofday(NULL, {tz_minuteswest=0, tz_dsttime=0})"
    )


def test_file_times_messages_devices_and_xattr_values() -> None:
    memory = {
        0x1000: struct.pack("<qQqQ", 1492358607, 345678, 1492356078, 1000000),
        0x2000: struct.pack("<qq", 1492350678, 0),
        0x3000: struct.pack("<q", 5) + b"hello",
        0x4000: b"foo\0bar\0",
        0x5000: b"f\0",
    }
    assert line("utimes", (0x5000, 0x1000), -2, memory).startswith(
        'utimes("f", [{tv_sec=1492358607, tv_usec=345678} '
        "/* 2017-04-16T16:03:27.345678+0000 */, {tv_sec=1492356078, tv_usec=1000000}])"
    )
    assert line("utime", (0x5000, 0x2000), -2, memory).startswith(
        'utime("f", {actime=1492350678 /* 2017-04-16T13:51:18+0000 */, modtime=0})'
    )
    assert line("msgsnd", (7, 0x3000, 5, 0), 0, memory) == (
        'msgsnd(7, {mtype=5, mtext="hello"}, 5, 0) = 0'
    )
    assert line("ustat", (0xFACEFEED_FFFFFFFF, 0), -22).startswith(
        "ustat(makedev(0xfff, 0xfffff), NULL)"
    )
    assert line("fsetxattr", (3, 0x5000, 0x4000, 8, 2), 0, memory) == (
        'fsetxattr(3, "f", "foo\\0bar", 8, XATTR_REPLACE) = 0'
    )
    assert line("fsetxattr", (3, 0x5000, 0x4000, 65537, 1), -7, memory).startswith(
        'fsetxattr(3, "f", 0x4000, 65537, XATTR_CREATE)'
    )
    assert line("listxattr", (0x5000, 0x4000, 0), 23, memory) == ('listxattr("f", 0x4000, 0) = 23')


def test_sigevent_by_its_notification() -> None:
    none = struct.pack("<QiiQQ", 0, 0, 1, 0, 0) + b"\0" * 32
    thread = struct.pack("<QiiQQ", 0xBADC0DE, 14, 2, 0x1000, 0x2000) + b"\0" * 32
    memory = {0x1000: none, 0x2000: thread, 0x3000: struct.pack("<i", 0)}
    assert line("timer_create", (1, 0x1000, 0x3000), 0, memory) == (
        "timer_create(CLOCK_MONOTONIC, {sigev_signo=0, sigev_notify=SIGEV_NONE}, [0]) = 0"
    )
    assert line("timer_create", (0, 0x2000, 0), -22, memory).startswith(
        "timer_create(CLOCK_REALTIME, {sigev_value={sival_int=195936478, "
        "sival_ptr=0xbadc0de}, sigev_signo=SIGALRM, sigev_notify=SIGEV_THREAD, "
        "sigev_notify_function=0x1000, sigev_notify_attributes=0x2000}, NULL)"
    )


def test_an_interrupted_relative_sleep_shows_the_time_left() -> None:
    memory = FakeMemory({0x1000: struct.pack("<qQ", 0, 888960486)})
    left = interrupted_sleep_left("clock_nanosleep", (0, 0, 0x2000, 0x1000), memory)
    assert left is not None
    assert (left[0], left[1].text) == (3, "{tv_sec=0, tv_nsec=888960486}")
    # TIMER_ABSTIME: the kernel writes nothing back
    assert interrupted_sleep_left("clock_nanosleep", (0, 1, 0x2000, 0x1000), memory) is None
    assert interrupted_sleep_left("read", (0, 0x1000, 1), memory) is None


def test_directory_entries_with_v() -> None:
    dot = struct.pack("<QQH", 2, 1, 24) + b".\0" + b"\0" * 3 + bytes([4])
    dot64 = struct.pack("<QQHB", 2, 1, 24, 0) + b".\0" + b"\0" * 3
    assert dirents(0x1000, FakeMemory({0x1000: dot}), 24, wide=False).text == (
        '[{d_ino=2, d_off=1, d_reclen=24, d_name=".", d_type=DT_DIR}]'
    )
    assert dirents(0x1000, FakeMemory({0x1000: dot64}), 24, wide=True).text == (
        '[{d_ino=2, d_off=1, d_reclen=24, d_type=DT_UNKNOWN, d_name="."}]'
    )
    assert dirents(0x1000, FakeMemory({}), 0, wide=True).text == "[]"


def test_what_failed_calls_wrote() -> None:
    memory = FakeMemory({0x1000: struct.pack("<Ii", 0, 0), 0x3000: b".\0"})
    raw = (-100 & 0xFFFFFFFF, 0x3000, 0x1000, 0x2000, 0x400)
    args = decode_entry("name_to_handle_at", raw, memory)
    assert args[2].text == "{handle_bytes=0}"
    memory = FakeMemory({0x1000: struct.pack("<Ii", 8, 0), 0x3000: b".\0"})
    shown = failed_outputs("name_to_handle_at", args, raw, memory, 75)  # EOVERFLOW
    assert shown is not None and shown[2].text == "{handle_bytes=0 => 8}"
    assert failed_outputs("name_to_handle_at", args, raw, memory, 22) is None  # EINVAL


def test_mmsg_dumps() -> None:
    iov = struct.pack("<QQQQ", 0x3000, 3, 0x3010, 5)
    mmsghdr = struct.pack("<QI4xQQQQi4xI4x", 0, 0, 0x2000, 2, 0, 0, 0, 8)
    memory = FakeMemory({0x1000: mmsghdr, 0x2000: iov, 0x3000: b"012", 0x3010: b"34567"})
    lines = mmsg_dump((1, 0x1000, 1), memory, 1)
    assert lines[:2] == [" = 2 buffers in vector 0", " * 3 bytes in buffer 0"]
    assert lines[3] == " * 5 bytes in buffer 1"
