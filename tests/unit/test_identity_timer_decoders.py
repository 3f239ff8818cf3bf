"""Ids, group lists, sembuf arrays, mq_attr, utsname, interval timers and time zones
on constructed registers and memory: strace 6.1's text out (lines from its runs of
strace's getresuid, getgroups, setgroups, semop, mq, uname, xetitimer and
xettimeofday tests)."""

import struct

from tests.unit.test_generated_constants import line


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
        0x2000: struct.pack("<qqqq", 0x800, 10, 8192, 0),
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
