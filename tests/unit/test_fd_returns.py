"""-y on the fds a call returns through memory or by its command, and a deleted
file's ``(deleted)``: strace 6.1's text for the same calls."""

import struct

from tests.unit.plain import FakeMemory
from traced.decoders.arguments import FdTarget, decode_entry, decode_exit, fd_text
from traced.decoders.shapes import returns_fd
from traced.decoders.values import Options

Y = Options(decorate_fds=True)
FDS = {3: "pipe:[17]", 4: "pipe:[17]", 7: "socket:[20]", 8: "socket:[21]"}.get


def test_pipe2_and_socketpair_show_what_their_fds_refer_to() -> None:
    memory = FakeMemory({0x2000: struct.pack("<ii", 3, 4), 0x3000: struct.pack("<ii", 7, 8)})
    pipe = decode_entry("pipe2", (0x2000, 0x80000), memory, Y, FDS)
    pipe = decode_exit("pipe2", pipe, (0x2000, 0x80000), memory, retval=0, options=Y, fds=FDS)
    assert [arg.text for arg in pipe] == ["[3<pipe:[17]>, 4<pipe:[17]>]", "O_CLOEXEC"]
    raw = (1, 1, 0, 0x3000)
    pair = decode_entry("socketpair", raw, memory, Y, FDS)
    pair = decode_exit("socketpair", pair, raw, memory, retval=0, options=Y, fds=FDS)
    assert pair[3].text == "[7<socket:[20]>, 8<socket:[21]>]" and pair[3].value == [7, 8]


def test_fcntl_returns_an_fd_for_its_dupfd_commands_only() -> None:
    assert returns_fd("fcntl", (0, 0, 10)) and returns_fd("fcntl", (0, 1030, 20))  # F_DUPFD*
    assert not returns_fd("fcntl", (0, 3, 0))  # F_GETFL
    assert returns_fd("pidfd_getfd", (9, 0, 0)) and returns_fd("openat", ())


def test_a_deleted_file_s_mark_follows_the_brackets() -> None:
    assert fd_text(13, FdTarget("/memfd:m2", deleted=True)) == "13</memfd:m2>(deleted)"
    assert fd_text(3, "/tmp/x (deleted)") == "3</tmp/x (deleted)>"  # a name, not a mark
    fds = {14: FdTarget("/tmp/del", deleted=True)}.get
    write = decode_entry("write", (14, 0, 0), FakeMemory({}), Y, fds)
    assert write[0].text == "14</tmp/del>(deleted)"
