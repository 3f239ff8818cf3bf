"""-X raw and -X verbose: constants as strace 6.1 prints them in each style.

Expected texts were checked against strace 6.1 on this host (``strace -X raw`` and
``-X verbose`` of a small C program making openat, fcntl, lseek, newfstatat, mmap,
mprotect, socket, prlimit64, kill, futex, access, clone, dup3 and pipe2 calls).
"""

from __future__ import annotations

import struct

import pytest

from tests.unit.plain import FakeMemory
from traced.decoders import values
from traced.decoders.arguments import FdTarget, decode_entry, decode_exit, fd_text
from traced.decoders.families import files, stat
from traced.decoders.shapes import decode_result
from traced.decoders.style import PLAIN, Style, applied, current
from traced.decoders.values import Options

RAW = Options(xlat="raw")
VERBOSE = Options(xlat="verbose")


def texts(syscall: str, raw: tuple[int, ...], options: Options) -> list[str]:
    memory = FakeMemory({0x1000: b"/etc/passwd\0"})
    return [arg.text for arg in decode_entry(syscall, raw, memory, options)]


# (syscall, registers, the arguments shown, their texts in abbrev, raw and verbose)
CASES = [
    (
        "openat",
        (2**64 - 100, 0x1000, 0x80241, 0o644),
        (0, 2),
        "AT_FDCWD O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC",
        "-100 0x80241",
        "-100 /* AT_FDCWD */ 0x80241 /* O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC */",
    ),
    ("openat", (3, 0x1000, 0, 0), (0, 2), "3 O_RDONLY", "3 0", "3 0 /* O_RDONLY */"),
    (
        "openat",
        (3, 0x1000, 0x880000, 0),
        (2,),
        "O_RDONLY|O_CLOEXEC|0x800000",
        "0x880000",
        "0x880000 /* O_RDONLY|O_CLOEXEC|0x800000 */",
    ),
    ("mprotect", (0x1000, 4096, 0), (2,), "PROT_NONE", "0", "0 /* PROT_NONE */"),
    (
        "mprotect",
        (0x1000, 4096, 0x1000001),
        (2,),
        "PROT_READ|PROT_GROWSDOWN",
        "0x1000001",
        "0x1000001 /* PROT_READ|PROT_GROWSDOWN */",
    ),
    (
        "mmap",
        (0, 4096, 3, 0x22, 2**64 - 1, 0),
        (2, 3),
        "PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS",
        "0x3 0x22",
        "0x3 /* PROT_READ|PROT_WRITE */ 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */",
    ),
    ("lseek", (3, 0, 2), (2,), "SEEK_END", "0x2", "0x2 /* SEEK_END */"),
    ("lseek", (3, 0, 7), (2,), "0x7 /* SEEK_??? */", "0x7", "0x7 /* SEEK_??? */"),
    (
        "fcntl",
        (3, 2, 1),
        (1, 2),
        "F_SETFD FD_CLOEXEC",
        "0x2 0x1",
        "0x2 /* F_SETFD */ 0x1 /* FD_CLOEXEC */",
    ),
    (
        "socket",
        (2, 0x80001, 0),
        (0, 1, 2),
        "AF_INET SOCK_STREAM|SOCK_CLOEXEC IPPROTO_IP",
        "0x2 0x1|0x80000 0",
        "0x2 /* AF_INET */ 0x1 /* SOCK_STREAM */|0x80000 /* SOCK_CLOEXEC */ 0 /* IPPROTO_IP */",
    ),
    (
        "socket",
        (12345, 77, 0),
        (0, 1),
        "0x3039 /* AF_??? */ 0x4d /* SOCK_??? */",
        "0x3039 0x4d",
        "0x3039 /* AF_??? */ 0x4d /* SOCK_??? */",
    ),
    ("kill", (1, 10), (1,), "SIGUSR1", "10", "10 /* SIGUSR1 */"),
    ("access", (0x1000, 6), (1,), "R_OK|W_OK", "0x6", "0x6 /* R_OK|W_OK */"),
    ("access", (0x1000, 0), (1,), "F_OK", "0", "0 /* F_OK */"),
    (
        "futex",
        (0x1000, 0x81, 1, 0, 0, 0),
        (1,),
        "FUTEX_WAKE_PRIVATE",
        "0x81",
        "0x81 /* FUTEX_WAKE_PRIVATE */",
    ),
    ("prlimit64", (0, 3, 0, 0), (1,), "RLIMIT_STACK", "0x3", "0x3 /* RLIMIT_STACK */"),
    ("arch_prctl", (0x1002, 0x1000), (0,), "ARCH_SET_FS", "0x1002", "0x1002 /* ARCH_SET_FS */"),
    ("dup3", (3, 50, 0x80000), (2,), "O_CLOEXEC", "0x80000", "0x80000 /* O_CLOEXEC */"),
]


@pytest.mark.parametrize("case", CASES)
def test_constants_in_each_style(
    case: tuple[str, tuple[int, ...], tuple[int, ...], str, str, str],
) -> None:
    """strace: the arguments at ``at`` in each -X style (the others never change)."""
    syscall, raw, at, abbrev, as_raw, verbose = case
    for options, expected in ((Options(), abbrev), (RAW, as_raw), (VERBOSE, verbose)):
        shown = texts(syscall, raw, options)
        assert " ".join(shown[i] for i in at) == expected, options.xlat


def test_clone_flags_and_signal_apart() -> None:
    """strace: ``flags=0x1200000|17`` raw, each part with its comment verbose."""
    raw = (0x1200011, 0, 0, 0x1000, 0)
    flags = {o.xlat: texts("clone", raw, o)[0] for o in (Options(), RAW, VERBOSE)}
    assert flags["abbrev"] == "flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"
    assert flags["raw"] == "flags=0x1200000|17"
    assert flags["verbose"] == (
        "flags=0x1200000 /* CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID */|17 /* SIGCHLD */"
    )


def test_stat_mode_and_rlimit_values() -> None:
    """strace: ``st_mode=0100644 /* S_IFREG|0644 */``, ``rlim_cur=8388608 /* 8192*1024 */``."""
    st = struct.pack("<QQQIIIIQqqqqqqqqq", 1, 2, 1, 0o100644, 0, 0, 0, 0, 1221, 0, 0, *[0] * 6)
    st += bytes(144 - len(st))
    rlimit = struct.pack("<QQ", 8 << 20, 2**64 - 1)
    memory = FakeMemory({0x2000: st, 0x3000: rlimit})
    shown = {}
    for options in (Options(), RAW, VERBOSE):
        args = decode_entry("fstat", (3, 0x2000), memory, options)
        fstat = decode_exit("fstat", args, (3, 0x2000), memory, retval=0, options=options)
        entry = decode_entry("prlimit64", (0, 3, 0, 0x3000), memory, options)
        limit = decode_exit(
            "prlimit64", entry, (0, 3, 0, 0x3000), memory, retval=0, options=options
        )
        shown[options.xlat] = (fstat[1].text, limit[3].text)
    assert shown["abbrev"] == (
        "{st_mode=S_IFREG|0644, st_size=1221, ...}",
        "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}",
    )
    assert shown["raw"] == (
        "{st_mode=0100644, st_size=1221, ...}",
        "{rlim_cur=8388608, rlim_max=18446744073709551615}",
    )
    assert shown["verbose"] == (
        "{st_mode=0100644 /* S_IFREG|0644 */, st_size=1221, ...}",
        "{rlim_cur=8388608 /* 8192*1024 */, rlim_max=18446744073709551615 /* RLIM64_INFINITY */}",
    )


def test_fcntl_results() -> None:
    """strace 6.1 names F_GETFL's flags in every style, F_GETFD's in abbrev alone."""
    getfl, getfd = (3, 3), (3, 1)
    assert decode_result("fcntl", getfl, 0x8000, RAW) == "0x8000 (flags O_RDONLY|O_LARGEFILE)"
    assert decode_result("fcntl", getfd, 1, Options()) == "0x1 (flags FD_CLOEXEC)"
    assert decode_result("fcntl", getfd, 1, RAW) == "0x1 (flags 0x1)"
    assert decode_result("fcntl", getfd, 1, VERBOSE) == "0x1 (flags 0x1 /* FD_CLOEXEC */)"


def test_modes_in_octal() -> None:
    """strace's ``%#03o`` and an unknown file type printed as the number alone."""
    assert values.octal(0) == "000"
    assert values.octal(5) == "005"
    assert stat.format_mode(0o100005) == "S_IFREG|005"
    assert stat.format_mode(0o170644) == "0170644"
    with applied(Style(xlat="verbose")):
        assert stat.format_mode(0o41777) == "041777 /* S_IFDIR|S_ISVTX|0777 */"
        assert files.dirfd(3).text == "3"


def test_style_scoped_to_the_decode() -> None:
    """The style is set for one decode and restored after it, even when it raises."""
    texts("openat", (3, 0x1000, 0, 0), RAW)
    assert current() is PLAIN
    with pytest.raises(RuntimeError), applied(Style(xlat="raw")):
        raise RuntimeError
    assert current() is PLAIN


def test_nonverbose_structs_as_addresses() -> None:
    """-e verbose=none (strace 6.1): fstat's struct as its address, write's buffer and
    openat's path still read."""
    st = bytes(144)
    memory = FakeMemory({0x2000: st, 0x1000: b"/etc/passwd\0", 0x3000: b"hi"})
    quiet = Options(nonverbose=frozenset(("fstat", "write", "openat")))
    args = decode_entry("fstat", (3, 0x2000), memory, quiet)
    assert decode_exit("fstat", args, (3, 0x2000), memory, retval=0, options=quiet)[1].text == (
        "0x2000"
    )
    assert decode_entry("write", (1, 0x3000, 2), memory, quiet)[1].text == '"hi"'
    assert decode_entry("openat", (3, 0x1000, 0, 0), memory, quiet)[1].text == '"/etc/passwd"'


def test_fd_text_with_what_yy_finds() -> None:
    """strace 6.1 -yy: ``0</dev/null<char 1:3>>``, ``3<pid:42>``, ``3<TCP:[1234]>``,
    ``3<UNIX:[5,"/tmp/s"]>``."""
    assert fd_text(0, FdTarget("/dev/null", device=("char", 1, 3))) == "0</dev/null<char 1:3>>"
    assert fd_text(3, FdTarget("anon_inode:[pidfd]", pid=42)) == "3<pid:42>"
    assert fd_text(3, FdTarget("socket:[1234]", protocol="TCP")) == "3<TCP:[1234]>"
    unix = FdTarget("socket:[5]", protocol="UNIX", bound="/tmp/s")
    assert fd_text(3, unix) == '3<UNIX:[5,"/tmp/s"]>'
    # strace's net-yy-unix: the peer's inode, an abstract address after an @
    peer = FdTarget("socket:[5]", protocol="UNIX-STREAM", bound="\0" + "16fc7", peer=6)
    assert fd_text(4, peer) == '4<UNIX-STREAM:[5->6,@"16fc7"]>'
    assert fd_text(4, peer._replace(bound=None)) == "4<UNIX-STREAM:[5->6]>"
