"""poll, select and epoll on constructed registers and memory: strace 6.1's text out
(lines from its runs of strace's tests)."""

import re
import struct

from tests.unit import test_special_decoders

FDS, SETS, TIME, EVENTS = 0x1000, 0x2000, 0x3000, 0x4000


def line(
    name: str, raw: tuple[int, ...], retval: int, memory: dict[int, bytes] | None = None
) -> str:
    """The line without the padding before ``=`` (strace's column 40)."""
    return re.sub(r" +=", " =", test_special_decoders.line(name, raw, retval, memory), count=1)


def pollfd(fd: int, events: int, revents: int = 0) -> bytes:
    return struct.pack("<ihh", fd, events, revents)


def test_poll_prints_events_at_entry_and_revents_in_its_result() -> None:
    assert line("poll", (0, 0, 42), 0) == "poll(NULL, 0, 42) = 0 (Timeout)"
    assert line("poll", (FDS, 0, 42), 0, {FDS: b""}) == "poll([], 0, 42) = 0 (Timeout)"
    fds = pollfd(0, 0xC3) + pollfd(-1, 4) + pollfd(5, 4, 4) + pollfd(2, 0)
    assert line("poll", (FDS, 4, 42), 1, {FDS: fds}) == (
        "poll([{fd=0, events=POLLIN|POLLPRI|POLLRDNORM|POLLRDBAND}, {fd=-1}, "
        "{fd=5, events=POLLOUT}, {fd=2, events=0}], 4, 42) = 1 ([{fd=5, revents=POLLOUT}])"
    )


def test_ppoll_with_its_mask_and_the_time_left() -> None:
    fds = pollfd(4, 1, 1)
    every_but = ((1 << 64) - 1 - (1 | 1 << 8 | 1 << 18)).to_bytes(8, "little")
    time = struct.pack("<qq", 0, 1)
    memory = {FDS: fds, SETS: every_but, TIME: time}
    assert line("ppoll", (FDS, 1, TIME, SETS, 8), 1, memory) == (
        "ppoll([{fd=4, events=POLLIN}], 1, {tv_sec=0, tv_nsec=1}, ~[HUP KILL STOP], 8) = 1 "
        "([{fd=4, revents=POLLIN}], left {tv_sec=0, tv_nsec=1})"
    )
    assert line("ppoll", (FDS, 1, TIME, SETS, 8), 0, memory).endswith(" = 0 (Timeout)")


def test_select_prints_sets_then_the_ready_ones_in_its_result() -> None:
    sets = {SETS: (0b11000).to_bytes(8, "little"), SETS + 8: (0b10110).to_bytes(8, "little")}
    assert line("select", (5, SETS, SETS + 8, 0, 0), 2, sets) == (
        "select(5, [3 4], [1 2 4], NULL, NULL) = 2 (in [3 4])"
    )
    timeval = {TIME: struct.pack("<qq", 0, 123)}
    assert line("select", (0, 0, 0, 0, TIME), 0, timeval) == (
        "select(0, NULL, NULL, NULL, {tv_sec=0, tv_usec=123}) = 0 (Timeout)"
    )


def test_pselect6_prints_its_sigmask_pack() -> None:
    memory = {
        SETS: (0b10110).to_bytes(8, "little"),
        TIME: struct.pack("<QQ", EVENTS, 8),
        EVENTS: (1 | 1 << 16).to_bytes(8, "little"),
    }
    assert line("pselect6", (5, 0, SETS, 0, 0, TIME), 1, memory) == (
        "pselect6(5, NULL, [1 2 4], NULL, NULL, {sigmask=[HUP CHLD], sigsetsize=8}) = 1 (out [1])"
    )


def test_epoll_ctl_event_and_epoll_wait_events() -> None:
    event = struct.pack("<IQ", 1, 2**64 - 1)
    assert line("epoll_ctl", (2**32 - 1, 1, 2**32 - 2, EVENTS), 0, {EVENTS: event}) == (
        "epoll_ctl(-1, EPOLL_CTL_ADD, -2, {events=EPOLLIN, "
        "data={u32=4294967295, u64=18446744073709551615}}) = 0"
    )
    assert line("epoll_ctl", (3, 2, 4, EVENTS), 0, {EVENTS: event}) == (
        "epoll_ctl(3, EPOLL_CTL_DEL, 4, 0x4000) = 0"
    )
    ready = struct.pack("<IQ", 5, 7)
    assert line("epoll_wait", (3, EVENTS, 8, 100), 1, {EVENTS: ready}) == (
        "epoll_wait(3, [{events=EPOLLIN|EPOLLOUT, data={u32=7, u64=7}}], 8, 100) = 1"
    )
    assert line("epoll_create1", (0x80000,), 3) == "epoll_create1(EPOLL_CLOEXEC) = 3"


def test_getsockopt_so_error_names_the_error() -> None:
    memory = {FDS: struct.pack("<i", 111), TIME: struct.pack("<i", 4)}
    assert line("getsockopt", (4, 1, 4, FDS, TIME), 0, memory) == (
        "getsockopt(4, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0"
    )
    memory = {FDS: struct.pack("<i", 0), TIME: struct.pack("<i", 4)}
    assert line("getsockopt", (4, 1, 4, FDS, TIME), 0, memory) == (
        "getsockopt(4, SOL_SOCKET, SO_ERROR, [0], [4]) = 0"
    )
    memory = {FDS: b"\x6f\x00\x00\x00", TIME: struct.pack("<i", 1)}
    assert line("getsockopt", (4, 1, 4, FDS, TIME), 0, memory) == (
        'getsockopt(4, SOL_SOCKET, SO_ERROR, "\\x6f", [1]) = 0'
    )
