"""statfs, adjtimex, modify_ldt and set/get_thread_area, preadv's and process_vm_*'s
iovecs, kcmp's and pidfd_getfd's fds of other processes, fadvise64's len, sendmmsg's
IOV_MAX and bpf's kern_version, on constructed registers and memory: strace 6.1's
text out (lines from its runs of strace's statfs, fstatfs, adjtimex, modify_ldt,
xet_thread_area_x86, preadv, process_vm_readv, process_vm_writev, kcmp-y,
pidfd_getfd-y, pidfd_getfd-yy, fadvise64, mmsg_name-v and kernel_version tests)."""

from __future__ import annotations

import re
import struct

from tests.unit.plain import FakeMemory
from traced.cli.render import syscall_line
from traced.core.reports import syscall_result
from traced.decoders.arguments import FdTarget, TaskFdNames, decode_entry, decode_exit
from traced.decoders.shapes import decode_result
from traced.decoders.values import DEFAULT_OPTIONS, Options
from traced.events import SyscallEvent
from traced.syscalls.names import errno_value

BUF = 0x10000
PAGE_END = BUF + 0x1000


def line(
    name: str, raw: tuple[int, ...], retval: int, memory: dict[int, bytes] | None = None, *,
    error: str | None = None, options: Options = DEFAULT_OPTIONS, **kw: object,
) -> str:  # fmt: skip
    """The line as strace writes it (without the padding before ``=``): entry, exit
    (outputs after a failure too, where strace prints them), and the result's words."""
    fake = FakeMemory(memory or {})
    args = decode_entry(name, raw, fake, options, **kw)  # type: ignore[arg-type]
    failed = error is not None
    result = -errno_value(error) if error is not None else retval
    args = decode_exit(name, args, raw, fake, retval=result, options=options, failed=failed)
    shown, error = syscall_result(name, result, failed)  # as the tracer's events have it
    event = SyscallEvent(
        session="s", pid=1, tid=1, ts_ns=1, nr=0, name=name, arch="x86_64", args=args,
        duration_ns=1, retval=shown, error=error,
        retval_text=None if error else decode_result(name, raw, retval, options, fake),
    )  # fmt: skip
    return re.sub(r" +=", " =", syscall_line(event), count=1)


def _statfs(f_type: int, counts: tuple[int, ...], fsid: tuple[int, int], flags: int) -> bytes:
    return struct.pack("<7QII3Q4Q", f_type, *counts, *fsid, 255, 4096, flags, 0, 0, 0, 0)


def test_statfs_and_fstatfs() -> None:
    proc = _statfs(0x9FA0, (4096, 0, 0, 0, 0, 0), (0x28, 0), 0x102E)
    memory = {BUF: b"/proc/self/status\0", BUF + 0x100: proc}
    assert line("statfs", (BUF, BUF + 0x100), 0, memory) == (
        'statfs("/proc/self/status", {f_type=PROC_SUPER_MAGIC, f_bsize=4096, f_blocks=0, '
        "f_bfree=0, f_bavail=0, f_files=0, f_ffree=0, f_fsid={val=[0x28, 0]}, f_namelen=255, "
        "f_frsize=4096, f_flags=ST_VALID|ST_NOSUID|ST_NODEV|ST_NOEXEC|ST_RELATIME}) = 0"
    )  # fmt: skip
    ext = _statfs(
        0xEF53, (4096, 66053021, 55359737, 15904444, 16777216, 16080090), (0x3C97BA42, 0xB971AA2E),
        0x1020,
    )  # fmt: skip
    assert line("fstatfs", (4, BUF), 0, {BUF: ext}) == (
        "fstatfs(4, {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=66053021, "
        "f_bfree=55359737, f_bavail=15904444, f_files=16777216, f_ffree=16080090, "
        "f_fsid={val=[0x3c97ba42, 0xb971aa2e]}, f_namelen=255, f_frsize=4096, "
        "f_flags=ST_VALID|ST_RELATIME}) = 0"
    )
    assert line("fstatfs", (2**64 - 1, 0), 0, error="EBADF") == (
        "fstatfs(-1, NULL) = -1 EBADF (Bad file descriptor)"
    )


def test_statfs_flags_only_where_st_valid_and_an_unknown_magic_in_hex() -> None:
    old = _statfs(0x1234, (1, 2, 3, 4, 5, 6), (0, 0), 0x1)
    assert line("fstatfs", (3, BUF), 0, {BUF: old}) == (
        "fstatfs(3, {f_type=0x1234, f_bsize=1, f_blocks=2, f_bfree=3, f_bavail=4, f_files=5, "
        "f_ffree=6, f_fsid={val=[0, 0]}, f_namelen=255, f_frsize=4096}) = 0"
    )
    raw = line("fstatfs", (3, BUF), 0, {BUF: old}, options=Options(xlat="verbose"))
    assert raw.startswith("fstatfs(3, {f_type=0x1234, ")


def _timex(status: int, sec: int, usec: int) -> bytes:
    head = struct.pack("<I4x4qi4x3q", 0, 0, 0, 16000000, 16000000, status, 2, 1, 32768000)
    tail = struct.pack("<qQ3qi4x5qi", sec, usec, 10000, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    return (head + tail).ljust(208, b"\0")


def test_adjtimex_prints_the_struct_at_exit_and_names_the_state() -> None:
    timex = _timex(0x40, 1796691601, 326667)
    assert line("adjtimex", (PAGE_END - 208,), 5, {PAGE_END - 208: timex}) == (
        "adjtimex({modes=0, offset=0, freq=0, maxerror=16000000, esterror=16000000, "
        "status=STA_UNSYNC, constant=2, precision=1, tolerance=32768000, "
        "time={tv_sec=1796691601, tv_usec=326667}, tick=10000, ppsfreq=0, jitter=0, shift=0, "
        "stabil=0, jitcnt=0, calcnt=0, errcnt=0, stbcnt=0, tai=0}) = 5 (TIME_ERROR)"
    )
    assert line("adjtimex", (0,), 0, error="EFAULT") == "adjtimex(NULL) = -1 EFAULT (Bad address)"
    # unreadable: the address, and the state as a number
    assert line("adjtimex", (BUF,), 0) == "adjtimex(0x10000) = 0"


_DESC = struct.pack("<IIII", 2206368128, 0x87868584, 0x8B8A8988, 0x8C)
_FREE = struct.pack("<IIII", 0xFFFFFFFF, 0, 0, 0x61)


def test_modify_ldt_reads_a_user_desc_of_its_size_and_its_error_as_unsigned() -> None:
    enosys = 0xFFFFFFDA
    # The kernel's is_error misses it; the event names it, so -z, -Z and -c count it failed.
    assert syscall_result("modify_ldt", enosys, False) == (enosys, "ENOSYS")
    assert syscall_result("modify_ldt", 16, False) == (16, None)
    assert syscall_result("read", enosys, False) == (enosys, None)
    assert syscall_result("modify_ldt", -38, True) == (-1, "ENOSYS")  # a 32-bit tracee's
    assert line("modify_ldt", (0, 0, 0), 0) == "modify_ldt(0, NULL, 0) = 0"
    assert line("modify_ldt", (0xDA7A1057, BUF, 42), enosys, {BUF: _DESC}) == (
        "modify_ldt(-629534633, 0x10000, 42) = 4294967258 ENOSYS (Function not implemented)"
    )
    assert line("modify_ldt", (0xDA7A1057, BUF, 16), enosys, {BUF: _DESC}) == (
        "modify_ldt(-629534633, {entry_number=2206368128, base_addr=0x87868584, "
        "limit=0x8b8a8988, seg_32bit=0, contents=2, read_exec_only=1, limit_in_pages=0, "
        "seg_not_present=0, useable=0, lm=1}, 16) = 4294967258 ENOSYS (Function not implemented)"
    )
    assert line("modify_ldt", (0xDA7A1057, BUF, 16), enosys, {BUF: _FREE}) == (
        "modify_ldt(-629534633, {entry_number=-1, base_addr=00000000, limit=00000000, "
        "seg_32bit=1, contents=0, read_exec_only=0, limit_in_pages=0, seg_not_present=1, "
        "useable=1, lm=0}, 16) = 4294967258 ENOSYS (Function not implemented)"
    )


def test_set_and_get_thread_area() -> None:
    assert line("set_thread_area", (BUF,), 0, {BUF: _DESC}, error="ENOSYS") == (
        "set_thread_area({entry_number=2206368128, base_addr=0x87868584, limit=0x8b8a8988, "
        "seg_32bit=0, contents=2, read_exec_only=1, limit_in_pages=0, seg_not_present=0, "
        "useable=0, lm=1}) = -1 ENOSYS (Function not implemented)"
    )
    assert line("set_thread_area", (BUF,), 0, {BUF: _DESC}).endswith(
        ") = 0 (entry_number=2206368128)"
    )
    asked = struct.pack("<IIII", 12, 0, 0, 0)
    assert line("get_thread_area", (BUF,), 0, {BUF: asked}, error="ENOSYS") == (
        "get_thread_area({entry_number=12, ...}) = -1 ENOSYS (Function not implemented)"
    )
    assert line("get_thread_area", (BUF,), 0, {BUF: asked}) == (
        "get_thread_area({entry_number=12, base_addr=00000000, limit=00000000, seg_32bit=0, "
        "contents=0, read_exec_only=0, limit_in_pages=0, seg_not_present=0, useable=0, "
        "lm=0}) = 0"
    )


def test_preadv_after_a_failure_shows_the_buffers_addresses() -> None:
    iov = struct.pack("<QQ", 0x20000, 8)
    memory = {PAGE_END - 16: iov}
    assert line("preadv", (0, PAGE_END - 16, 1, 2**64 - 1), 0, memory, error="EINVAL") == (
        "preadv(0, [{iov_base=0x20000, iov_len=8}], 1, -1) = -1 EINVAL (Invalid argument)"
    )
    assert line("preadv", (0, PAGE_END - 16, 0, 2**64 - 3), 0, memory, error="EINVAL") == (
        "preadv(0, [], 0, -3) = -1 EINVAL (Invalid argument)"
    )


def test_process_vm_readv_and_writev() -> None:
    local, remote = BUF, BUF + 0x100
    memory = {
        local: struct.pack("<QQQQ", 0x20000, 5, 0x20005, 4),
        remote: struct.pack("<QQ", 0x30000, 7),
        0x20000: b"\x80\x81\x82\x83\x84\x85\x86\x87\x88",
    }
    s5 = Options(string_limit=5)
    assert line("process_vm_readv", (42, local, 0, remote, 0, 0), 0, memory, options=s5) == (
        "process_vm_readv(42, [], 0, [], 0, 0) = 0"
    )
    assert line("process_vm_readv", (42, local, 2, remote, 1, 0), 7, memory, options=s5) == (
        'process_vm_readv(42, [{iov_base="\\200\\201\\202\\203\\204", iov_len=5}, '
        '{iov_base="\\205\\206", iov_len=4}], 2, [{iov_base=0x30000, iov_len=7}], 1, 0) = 7'
    )
    assert line(
        "process_vm_readv", (42, local, 2, remote, 1, 0), 0, memory, options=s5, error="EFAULT"
    ) == (
        "process_vm_readv(42, [{iov_base=0x20000, iov_len=5}, {iov_base=0x20005, iov_len=4}], "
        "2, [{iov_base=0x30000, iov_len=7}], 1, 0) = -1 EFAULT (Bad address)"
    )
    assert line("process_vm_writev", (42, local, 2, remote, 1, 0), 9, memory, options=s5) == (
        'process_vm_writev(42, [{iov_base="\\200\\201\\202\\203\\204", iov_len=5}, '
        '{iov_base="\\205\\206\\207\\210", iov_len=4}], 2, [{iov_base=0x30000, iov_len=7}], 1, '
        "0) = 9"
    )


def _tasks(pidfd_of: dict[int, int]) -> TaskFdNames:
    """Process 77 has /dev/null at 23, /dev/zero at 42 and /dev/full at 5."""
    files = {23: "/dev/null", 42: "/dev/zero", 5: "/dev/full"}

    def fd(pid: int, fd: int) -> FdTarget | None:
        path = files.get(fd) if pid == 77 else None
        return None if path is None else FdTarget(path, device=("char", 1, 7) if fd == 5 else None)

    return TaskFdNames(fd, pidfd_of.get)


def test_kcmp_names_the_fds_of_the_processes_compared() -> None:
    y = Options(decorate_fds=True)
    tasks = _tasks({})
    assert line("kcmp", (77, 77, 0, 23, 42), 2, options=y, tasks=tasks) == (
        "kcmp(77, 77, KCMP_FILE, 23</dev/null>, 42</dev/zero>) = 2"
    )
    slot = {BUF: struct.pack("<iiI", 23, 42, 0)}
    assert line("kcmp", (77, 2**64 - 1, 7, 23, BUF), 0, slot, options=y, tasks=tasks) == (
        "kcmp(77, -1, KCMP_EPOLL_TFD, 23</dev/null>, {efd=23, tfd=42, toff=0}) = 0"
    )
    assert line("kcmp", (77, 77, 7, 23, BUF), 0, slot, options=y, tasks=tasks) == (
        "kcmp(77, 77, KCMP_EPOLL_TFD, 23</dev/null>, {efd=23</dev/null>, tfd=42</dev/zero>, "
        "toff=0}) = 0"
    )
    assert line("kcmp", (77, 77, 0, 23, 42), 2) == "kcmp(77, 77, KCMP_FILE, 23, 42) = 2"


def test_pidfd_getfd_names_the_target_fd_in_the_pidfds_process() -> None:
    pidfd = "anon_inode:[pidfd]"
    names = {5: pidfd}
    tasks = _tasks({5: 77})
    y = Options(decorate_fds=True)
    text = line("pidfd_getfd", (5, 5, 0), 6, options=y, fds=names.get, tasks=tasks)
    assert text == "pidfd_getfd(5<anon_inode:[pidfd]>, 5</dev/full<char 1:7>>, 0) = 6"
    assert line("pidfd_getfd", (0, 0, 0xBADC0DED), 0, options=y, tasks=tasks, error="EINVAL") == (
        "pidfd_getfd(0, 0, 0xbadc0ded) = -1 EINVAL (Invalid argument)"
    )


def test_fadvise64_len_is_unsigned() -> None:
    raw = (0xBEEFFACEBEEFFACE, 0xBADC0DEDDA7A1057, 0xBADFACECA7B0D1E5, 0xDEADCA75)
    assert line("fadvise64", raw, 0, error="EBADF") == (
        "fadvise64(-1091568946, -4982091772554768297, 13465671543286714853, "
        "0xdeadca75 /* POSIX_FADV_??? */) = -1 EBADF (Bad file descriptor)"
    )


def test_sendmmsg_prints_at_most_iov_max_messages() -> None:
    count = 1025
    empty = struct.pack("<QI4xQQQQi4xI4x", 0, 0, 0, 0, 0, 0, 0, 0)
    text = line(
        "sendmmsg", (4, BUF, count, 0x40), count - 1, {BUF: empty * count},
        options=Options(verbose=True),
    )  # fmt: skip
    assert text.count("msg_hdr=") == 1024
    assert text.endswith("msg_len=0}, ...], 1025, MSG_DONTWAIT) = 1024")


def test_kern_version_in_each_style() -> None:
    attr = bytearray(168)
    struct.pack_into("<II", attr, 0, 0x21, 0)
    struct.pack_into("<I", attr, 40, 0xCAFEF00D)
    memory = {BUF: bytes(attr)}
    texts = {
        style: decode_entry("bpf", (5, BUF, 168), FakeMemory(memory), Options(xlat=style))[1].text
        for style in ("abbrev", "raw", "verbose")
    }
    assert "kern_version=KERNEL_VERSION(51966, 240, 13)," in texts["abbrev"]
    assert "kern_version=0xcafef00d," in texts["raw"]
    assert "kern_version=0xcafef00d /* KERNEL_VERSION(51966, 240, 13) */," in texts["verbose"]
