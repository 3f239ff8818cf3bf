"""Arguments printed in terms of another argument or of the result, on constructed inputs."""

import struct

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.plain import FakeMemory, decoded_call
from traced.cli.render import syscall_line
from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.families import files, misc, process, sockets, times
from traced.decoders.shapes import decode_result
from traced.decoders.values import Options
from traced.filter.expression import parse_filter
from traced.syscalls.arch import X86_64


def line(
    name: str, raw: tuple[int, ...], retval: int, memory: dict[int, bytes] | None = None
) -> str:
    return syscall_line(decoded_call(name, raw, retval, memory=memory or {}))


def test_wait_status_as_straces_macros() -> None:
    assert process.wait_status_text(0) == "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]"
    assert process.wait_status_text(3 << 8) == "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]"
    assert process.wait_status_text(9) == "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]"
    assert process.wait_status_text(0x8B) == (
        "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]"
    )
    assert process.wait_status_text(0x137F) == "[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}]"
    assert process.wait_status_text(0xFFFF) == "[{WIFCONTINUED(s)}]"


def test_wait4_decodes_the_status_only_when_a_child_was_reaped() -> None:
    status = {0x1000: struct.pack("<i", 0)}
    reaped = line("wait4", (2**64 - 1, 0x1000, 0, 0), 42, status)
    assert reaped == "wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 42"
    assert line("wait4", (2**64 - 1, 0x1000, 1, 0), 0, status).startswith(
        "wait4(-1, 0x1000, WNOHANG"
    )


def test_fcntl_prints_its_third_argument_by_command() -> None:
    assert line("fcntl", (3, 1, 0x55AA), 1).startswith("fcntl(3, F_GETFD)")
    assert line("fcntl", (4, 2, 1), 0).startswith("fcntl(4, F_SETFD, FD_CLOEXEC)")
    assert line("fcntl", (4, 4, 0o4002), 0).startswith("fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK)")
    assert line("fcntl", (1, 0, 10), 10).startswith("fcntl(1, F_DUPFD, 10)")
    assert decode_result("fcntl", (3, 3, 0), 0o100002) == "0x8002 (flags O_RDWR|O_LARGEFILE)"
    assert decode_result("fcntl", (3, 1, 0), 1) == "0x1 (flags FD_CLOEXEC)"
    assert decode_result("fcntl", (3, 1, 0), 0) is None


def test_getdents_counts_entries_in_what_the_kernel_returned() -> None:
    entry = struct.pack("<QqHB5s", 1, 1, 24, 4, b"abc\0\0")
    memory = {0x2000: entry * 3}
    assert line("getdents64", (3, 0x2000, 32768), 72, memory).startswith(
        "getdents64(3, 0x2000 /* 3 entries */, 32768) = 72"
    )
    assert files.dirent_count(0x2000, FakeMemory(memory), 0).text == "0x2000 /* 0 entries */"


def test_clone_is_printed_with_straces_keywords_in_straces_order() -> None:
    flags = 0x01200000 | 17  # CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD
    assert line("clone", (flags, 0, 0, 0x7F00, 0), 99) == (
        "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
        "child_tidptr=0x7f00) = 99"
    )


def test_utimensat_times_name_utime_now_and_omit() -> None:
    times = struct.pack("<qqqq", 0, (1 << 30) - 2, 1_700_000_000, 0)
    assert line("utimensat", (2**64 - 100, 0, 0x3000, 0), 0, {0x3000: times}) == (
        "utimensat(AT_FDCWD, NULL, [UTIME_OMIT, {tv_sec=1700000000, tv_nsec=0} "
        "/* 2023-11-14T22:13:20+0000 */], 0) = 0"
    )


def test_utimensat_zero_times_have_no_date_comment() -> None:
    """strace's sprinttime_ex gives no comment for 0 s 0 ns nor for nanoseconds past
    999999999 (strace 6.1: ``[{tv_sec=0, tv_nsec=0}, {tv_sec=0, tv_nsec=5} /*
    1970-01-01T00:00:00.000000005+0000 */]``)."""
    times = struct.pack("<qqqq", 0, 0, 0, 5)
    assert line("utimensat", (2**64 - 100, 0, 0x3000, 0), 0, {0x3000: times}) == (
        "utimensat(AT_FDCWD, NULL, [{tv_sec=0, tv_nsec=0}, {tv_sec=0, tv_nsec=5} "
        "/* 1970-01-01T00:00:00.000000005+0000 */], 0) = 0"
    )
    over = struct.pack("<qqqq", 1_700_000_000, 1_000_000_000, 0, 0)
    assert line("utimensat", (2**64 - 100, 0, 0x3000, 0), 0, {0x3000: over}) == (
        "utimensat(AT_FDCWD, NULL, [{tv_sec=1700000000, tv_nsec=1000000000}, "
        "{tv_sec=0, tv_nsec=0}], 0) = 0"
    )


def test_socket_lengths_show_what_the_kernel_changed() -> None:
    memory = FakeMemory({0x4000: struct.pack("<i", 128)})
    args = decode_entry("accept", (3, 0x5000, 0x4000), memory)
    assert args[2].text == "[128]"
    memory.regions[0x4000] = struct.pack("<i", 16)
    address = struct.pack("<HH4s8x", 2, 0x3412, bytes([127, 0, 0, 1]))
    memory.regions[0x5000] = address
    done = decode_exit("accept", args, (3, 0x5000, 0x4000), memory, retval=4)
    assert (
        done[1].text == '{sa_family=AF_INET, sin_port=htons(4660), sin_addr=inet_addr("127.0.0.1")}'
    )
    assert done[2].text == "[128 => 16]"


def test_getcwd_is_a_path_not_cut_at_s() -> None:
    cwd = b"/a/rather/long/working/directory/name/beyond/32\0"
    assert line("getcwd", (0x6000, 4096), len(cwd), {0x6000: cwd}) == (
        'getcwd("/a/rather/long/working/directory/name/beyond/32", 4096) = 48'
    )


def test_raw_qualifier_prints_registers_in_hex() -> None:
    raw_set = parse_filter(["raw=openat"], X86_64).raw
    assert raw_set == frozenset({"openat"})
    options = Options(raw=raw_set)
    args = decode_entry("openat", (2**64 - 100, 0x1000, 0x80000, 0), FakeMemory({}), options)
    assert [arg.text for arg in args] == ["0xffffffffffffff9c", "0x1000", "0x80000", "0"]
    assert decode_result("openat", (), 3, options) == "0x3"


@given(
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**64 - 1),
    st.binary(max_size=80),
    st.integers(-5, 5000),
)
def test_special_decoders_never_raise(first: int, second: int, data: bytes, size: int) -> None:
    memory = FakeMemory({0x7000: data})
    for address in (0, 0x7000, first):
        process.wait_status(address, memory)
        files.dirent_count(address, memory, size)
        times.timespec_pair(address, memory)
        sockets.socklen(address, memory, size)
    process.wait_status_text(first)
    files.fcntl_arg(first, second)
    files.fcntl_result(first, second)


def test_futex_shows_the_arguments_its_command_uses() -> None:
    assert line("futex", (0x7F00, 129, 2**31 - 1, 0, 0x7F08, 0), 0) == (
        "futex(0x7f00, FUTEX_WAKE_PRIVATE, 2147483647) = 0"
    )
    wait = line("futex", (0x7F00, 0x189, 2, 0, 0, 0xFFFFFFFF), 0)
    assert wait.startswith(
        "futex(0x7f00, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 2, NULL, "
        "FUTEX_BITSET_MATCH_ANY) = 0"
    )
    assert line("futex", (0x7F00, 4, 1, 5, 0x7F08, 2), 0).startswith(
        "futex(0x7f00, FUTEX_CMP_REQUEUE, 1, 5, 0x7f08, 2)"
    )
    assert misc.futex_op(99).text == "0x63 /* FUTEX_??? */"


def test_getrandom_bytes_in_hex_cut_at_s() -> None:
    memory = {0x8000: bytes(range(0xF0, 0x100)) * 4}
    assert line("getrandom", (0x8000, 8, 1), 8, memory) == (
        'getrandom("\\xf0\\xf1\\xf2\\xf3\\xf4\\xf5\\xf6\\xf7", 8, GRND_NONBLOCK) = 8'
    )
    assert line("getrandom", (0x8000, 64, 0), 64, memory).endswith('\\xff"..., 64, 0) = 64')
