"""Arguments printed in terms of another argument or of the result, on constructed inputs."""

import struct

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.plain import FakeMemory, decoded_call
from traced.cli.render import syscall_line
from traced.decoders.arguments import FdTarget, decode_entry, decode_exit
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
    assert line("getrandom", (0, 0, 0), 0, memory).startswith("getrandom(NULL, 0, 0) ")


def test_at_flags_none_known_are_marked_as_strace_marks_them() -> None:
    assert line("faccessat2", (-1 & (2**64 - 1), 0, 0, 1), 0).startswith(
        "faccessat2(-1, NULL, F_OK, 0x1 /* AT_??? */) "
    )


def test_iovecs_as_strace_shows_them() -> None:
    """writev's buffers whole (even a failing call's), readv's holding its result."""
    table = struct.pack("<QQQQ", 0x9000, 6, 0x9100, 2**64 - 1)
    memory = {0x8000: table, 0x9000: b"hello ", 0x9100: b"world\n" + b"X" * 40}
    failing = decoded_call("writev", (2**64 - 1, 0x8000, 2), -9, "EBADF", memory=memory)
    assert syscall_line(failing).startswith(
        'writev(-1, [{iov_base="hello ", iov_len=6}, {iov_base="world\\nXXXXXXXXXXXXXXXXXXXX'
        'XXXXXX"..., iov_len=18446744073709551615}], 2) '
    )
    assert line("readv", (3, 0x8000, 2), 8, memory).startswith(
        'readv(3, [{iov_base="hello ", iov_len=6}, '
        '{iov_base="wo", iov_len=18446744073709551615}], 2) = 8'
    )
    failed = decoded_call("readv", (3, 0x8000, 2), -9, "EBADF", memory=memory)
    assert syscall_line(failed).startswith("readv(3, 0x8000, 2) ")


def _message(name: int, namelen: int, iov: int, control: int, controllen: int) -> bytes:
    return struct.pack("<QI4xQQQQi4x", name, namelen, iov, 1, control, controllen, 0)


def test_msghdr_as_strace_shows_it() -> None:
    """sendmsg's message whole, with its SCM_RIGHTS fds; recvmsg's filled, its
    msg_namelen as it was and became; a failed recvmsg's as strace shows it."""
    rights = struct.pack("<Qii", 24, 1, 1) + struct.pack("<ii", 0, 1)
    memory = {
        0x8000: _message(0, 0, 0x9000, 0xA000, 24),
        0x9000: struct.pack("<QQ", 0x9100, 2),
        0x9100: b"fd",
        0xA000: rights,
    }
    assert line("sendmsg", (3, 0x8000, 0), 2, memory).startswith(
        'sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="fd", iov_len=2}], '
        "msg_iovlen=1, msg_control=[{cmsg_len=24, cmsg_level=SOL_SOCKET, "
        "cmsg_type=SCM_RIGHTS, cmsg_data=[0, 1]}], msg_controllen=24, msg_flags=0}, 0) "
    )
    named = {0: FdTarget("/dev/null"), 1: FdTarget("socket:[7]"), 3: FdTarget("socket:[8]")}
    under_y = decode_entry(
        "sendmsg", (3, 0x8000, 0), FakeMemory(memory), Options(decorate_fds=True), named.get
    )
    assert "cmsg_data=[0</dev/null>, 1<socket:[7]>]}]" in under_y[1].text  # -y names them
    entered = {0x8000: _message(0xB000, 110, 0x9000, 0, 0)}
    filled = {**memory, 0x8000: _message(0xB000, 0, 0x9000, 0, 0)}
    args = decode_entry("recvmsg", (4, 0x8000, 0x40), FakeMemory(entered))
    assert args[1].text == "{msg_namelen=110}"  # all a failed call shows
    received = decode_exit("recvmsg", args, (4, 0x8000, 0x40), FakeMemory(filled), retval=1)
    assert received[1].text == (
        '{msg_name=0xb000, msg_namelen=110 => 0, msg_iov=[{iov_base="f", iov_len=2}], '
        "msg_iovlen=1, msg_controllen=0, msg_flags=0}"
    )


def test_mmsghdr_arrays_show_msg_len_once_returned() -> None:
    """sendmmsg's messages with msg_len for those sent; recvmmsg's received ones."""
    header = _message(0, 0, 0x9000, 0, 0) + struct.pack("<I4x", 2)
    memory = {0x8000: header, 0x9000: struct.pack("<QQ", 0x9100, 8), 0x9100: b"fd" + bytes(6)}
    entered = decode_entry("sendmmsg", (3, 0x8000, 1, 0), FakeMemory(memory))
    body = '{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="fd\\0\\0\\0\\0\\0\\0"'
    assert entered[1].text.startswith("[" + body)
    assert entered[1].text.endswith("msg_flags=0}}]")
    sent = decode_exit("sendmmsg", entered, (3, 0x8000, 1, 0), FakeMemory(memory), retval=1)
    assert sent[1].text.endswith("msg_flags=0}, msg_len=2}]")
    got = decode_exit("recvmmsg", entered, (3, 0x8000, 1, 0, 0), FakeMemory(memory), retval=1)
    assert got[1].text.startswith("[" + body.replace('\\0\\0\\0\\0\\0\\0"', '", iov_len=8}]'))


def test_iovecs_follow_the_array_rules_of_every_array() -> None:
    """arrays.array_text's: -v shows every element, -s cuts the rest to "...", and an
    unreadable element after readable ones is named where it is."""
    table = struct.pack("<QQ", 0x9000, 1) * 2
    memory = FakeMemory({0x8000: table, 0x9000: b"a"})
    cut = decode_entry("writev", (1, 0x8000, 2), memory, Options(string_limit=1))
    assert cut[1].text == '[{iov_base="a", iov_len=1}, ...]'
    whole = decode_entry("writev", (1, 0x8000, 2), memory, Options(string_limit=1, verbose=True))
    assert whole[1].text == '[{iov_base="a", iov_len=1}, {iov_base="a", iov_len=1}]'
    short = decode_entry("writev", (1, 0x8000, 3), memory, Options(verbose=True))
    assert short[1].text.endswith(", ... /* 0x8020 */]")
