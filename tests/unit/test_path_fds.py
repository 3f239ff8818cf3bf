"""-P PATH follows the fds that refer to PATH, as strace's pathtrace does (fdmatch):
``read(3, ...)`` is shown when fd 3 is PATH's, though no path is among its arguments.
Constructed registers and fd tables in, the filter's verdict and strace's text out."""

from __future__ import annotations

import io
import struct

from msgspec.structs import replace

from tests.unit.plain import FakeMemory, returned
from traced.cli.printer import Printer
from traced.decoders.arguments import (
    AT_FDCWD,
    FdTarget,
    c_registers,
    decode_entry,
    entry_paths,
    name_fds,
)
from traced.decoders.values import Options
from traced.events import SyscallEvent, event_json
from traced.filter.expression import parse_filter, touched_paths, touches
from traced.syscalls.arch import X86_64

FDS = {3: FdTarget("/etc/hostname"), 4: FdTarget("/etc/passwd"), AT_FDCWD: FdTarget("/etc")}
FOLLOW = Options(fd_paths=True)


def call(name: str, raw: tuple[int, ...], retval: int, options: Options = FOLLOW) -> SyscallEvent:
    memory = FakeMemory({0x1000: b"x" * 16, 0x2000: struct.pack("<q", 0) * 20})
    args = decode_entry(name, raw, memory, options, FDS.get)
    args = name_fds(args, FDS.get)
    return returned(name, args, retval)


def shown(*events: SyscallEvent, paths: tuple[str, ...] = ("/etc/hostname",)) -> list[str]:
    printer = Printer(io.StringIO(), as_json=False, to_file=False)
    printer.filter = parse_filter([], X86_64, paths=paths)
    for event in events:
        printer(event)
    assert isinstance(printer.out, io.StringIO)
    return printer.out.getvalue().splitlines()


def test_calls_on_an_fd_of_the_path_are_shown_without_y() -> None:
    lines = shown(
        call("read", (3, 0x1000, 16), 16),
        call("read", (4, 0x1000, 16), 16),
        call("fstat", (3, 0x2000), 0),
        call("close", (4,), 0),
        call("close", (3,), 0),
    )
    assert [line.split("(")[0] for line in lines] == ["read", "fstat", "close"]
    assert lines[0].startswith("read(3, 0x1000, 16)")  # -y not given: no <path> printed
    assert lines[2] == "close(3)                                = 0"


def test_a_dirfd_of_the_path_is_followed_and_at_fdcwd_is_not() -> None:
    assert shown(call("fchdir", (4,), 0), paths=("/etc/passwd",)) == [
        "fchdir(4)                               = 0"
    ]
    openat = call("openat", (AT_FDCWD & (2**64 - 1), 0x3000, 0, 0), 5)
    assert openat.args[0].path is None  # strace's getfdpath: no fd below 0
    assert shown(openat, paths=("/etc",)) == []


def test_the_path_travels_in_json_only_when_named() -> None:
    named = event_json(call("close", (3,), 0))
    assert b'"path":"/etc/hostname"' in named
    plain = event_json(
        replace(call("close", (3,), 0), args=decode_entry("close", (3,), FakeMemory({})))
    )
    assert b'"path"' not in plain


def _decoded_paths(name: str, raw: tuple[int, ...], memory: FakeMemory) -> list[str]:
    args = name_fds(decode_entry(name, raw, memory, FOLLOW, FDS.get), FDS.get, name)
    return touched_paths(args, name)


def test_the_early_look_finds_what_decoding_finds() -> None:
    """The tracer judges -P before decoding (entry_paths): it must find every path the
    decoded arguments name, or a call on a selected path would be lost."""
    memory = FakeMemory({0x3000: b"/etc/hostname\0", 0x4000: b"passwd\0"})
    at_fdcwd = AT_FDCWD & (2**64 - 1)
    calls = [
        ("read", (3, 0x1000, 16)),
        ("write", (4, 0x1000, 16)),
        ("close", (9,)),  # closed: names nothing
        ("openat", (at_fdcwd, 0x3000, 0, 0)),
        ("openat", (4, 0x4000, 0, 0)),
        ("renameat2", (3, 0x3000, 4, 0x4000, 0)),
        ("execve", (0x3000, 0, 0)),
        ("symlink", (0x3000, 0x4000)),  # its target is no path -P matches
        ("getpid", ()),
    ]
    for name, raw in calls:
        registers = c_registers(name, raw)
        early = entry_paths(name, registers, memory, FDS.get)
        assert sorted(early) == sorted(_decoded_paths(name, raw, memory)), name
    assert entry_paths(
        "openat", c_registers("openat", (at_fdcwd, 0x3000, 0, 0)), memory, FDS.get
    ) == ["/etc/hostname"]


def test_a_call_is_judged_on_the_paths_it_touches() -> None:
    args = name_fds(decode_entry("read", (3, 0x1000, 16), FakeMemory({}), FOLLOW, FDS.get), FDS.get)
    assert touches(args, ("/etc/hostname",))
    assert not touches(args, ("/etc/passwd",))


def test_p_stops_only_the_calls_that_can_touch_a_path() -> None:
    """No path or fd among a call's arguments: -P can never show it, so the seccomp
    set leaves it out and the tracee runs it without a stop."""
    every = parse_filter([], X86_64, paths=["/etc/hostname"]).syscalls
    assert every is not None
    assert {"openat", "read", "close", "mmap", "execve", "fchdir", "poll", "select"} <= every
    assert not {"getpid", "brk", "futex", "munmap", "mprotect", "clone"} & every
    chosen = parse_filter(["trace=getpid,openat,read"], X86_64, paths=["/x"]).syscalls
    assert chosen == {"openat", "read"}
    assert parse_filter(["trace=openat"], X86_64).syscalls == {"openat"}  # no -P: as asked
    predicated = parse_filter(["trace=kill(sig==9),write(fd==1)"], X86_64, paths=["/x"])
    assert (predicated.syscalls, set(predicated.rules)) == ({"write"}, {"write"})


def _fsconfig(command: int, value: int, aux: int) -> SyscallEvent:
    memory = FakeMemory({0x1000: b"source\0", 0x3000: b"/etc/hostname\0"})
    raw = (4, command, 0x1000, value, aux & (2**64 - 1))
    args = name_fds(decode_entry("fsconfig", raw, memory, FOLLOW, FDS.get), FDS.get, "fsconfig")
    return returned("fsconfig", args, -1)


def test_fsconfig_is_followed_by_its_aux_fd_and_its_value_path_not_its_fd() -> None:
    set_flag, set_path, set_fd = 0, 3, 5
    # strace's fsconfig-P: the fd (4, /etc/passwd here) does not select the call
    assert shown(_fsconfig(set_flag, 0, 3), paths=("/etc/passwd",)) == []
    assert shown(_fsconfig(set_flag, 0, 3)) == []  # aux is no fd for SET_FLAG
    assert len(shown(_fsconfig(set_path, 0x3000, -1))) == 1  # the value's path
    assert len(shown(_fsconfig(set_path, 0, 3))) == 1  # aux, the path's directory
    assert len(shown(_fsconfig(set_fd, 0, 3))) == 1
    assert shown(_fsconfig(set_fd, 0x3000, -1)) == []  # SET_FD's value is no path


def test_a_call_its_decoders_judge_has_no_early_look() -> None:
    registers = c_registers("fsconfig", (4, 3, 0x1000, 0x3000, 3))
    assert entry_paths("fsconfig", registers, FakeMemory({}), FDS.get) is None


FULL = {9: FdTarget("/dev/full"), 4: FdTarget("/etc/passwd")}


def test_the_fds_of_a_poll_set_are_followed_beyond_what_s_shows() -> None:
    """strace's ppoll-P: fd 9 is the fourth entry, past -s2's two, and still matches."""
    pollfds = struct.pack("<ihH", 3, 1, 0) + struct.pack("<ihH", 4, 4, 0)
    pollfds += struct.pack("<ihH", 5, 4, 0) + struct.pack("<ihH", 9, 4, 0)
    memory = FakeMemory({0x1000: pollfds})
    options = Options(fd_paths=True, string_limit=2)
    args = name_fds(decode_entry("poll", (0x1000, 4, 0), memory, options), FULL.get, memory=memory)
    assert args[0].paths == ("/etc/passwd", "/dev/full")
    assert args[0].text.endswith(", ...]")
    lines = shown(returned("poll", args, 0), paths=("/dev/full",))
    assert lines == ["poll([{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}, ...], 4, 0) = 0"]
    assert shown(returned("poll", args, 0), paths=("/etc/hostname",)) == []
    unnamed = name_fds(
        decode_entry("poll", (0x1000, 1, 0), memory, options), FULL.get, memory=memory
    )
    assert unnamed[0].paths is None and b'"paths"' not in event_json(returned("poll", unnamed, 0))


def test_the_fds_of_select_sets_are_followed() -> None:
    memory = FakeMemory({0x1000: struct.pack("<Q", 1 << 3 | 1 << 9), 0x2000: bytes(8)})
    args = decode_entry("select", (10, 0, 0x2000, 0x1000, 0), memory, FOLLOW)
    named = name_fds(args, FULL.get, memory=memory)
    assert [arg.paths for arg in named[1:4]] == [None, None, ("/dev/full",)]
    assert shown(returned("select", named, 0), paths=("/dev/full",)) == [
        "select(10, NULL, [], [3 9], NULL)       = 0"
    ]


def test_a_symlinks_target_is_not_matched() -> None:
    """strace's symlink-P: -P names the link made, not what it points to."""
    memory = FakeMemory({0x1000: b"symlink.sample\0", 0x2000: b"link\0"})
    symlink = returned("symlink", decode_entry("symlink", (0x1000, 0x2000), memory), 0)
    assert shown(symlink, paths=("symlink.sample",)) == []
    assert len(shown(symlink, paths=("link",))) == 1


def test_fsconfig_matches_its_path_and_aux_fd_not_its_own_fd() -> None:
    """strace's fsconfig-P: FSCONFIG_SET_PATH's path and directory fd, SET_FD's fd."""
    memory = FakeMemory({0x1000: b"key\0", 0x2000: b"/dev/full\0"})

    def fsconfig(fd: int, command: int, aux: int) -> SyscallEvent:
        raw = (fd, command, 0x1000, 0x2000, aux)
        args = decode_entry("fsconfig", raw, memory, FOLLOW, FULL.get)
        return returned("fsconfig", name_fds(args, FULL.get, "fsconfig", memory), -22)

    on_full = ("/dev/full",)
    assert shown(fsconfig(9, 1, 0), paths=on_full) == []  # SET_STRING on /dev/full's fd
    assert len(shown(fsconfig(3, 3, AT_FDCWD & 0xFFFFFFFF), paths=on_full)) == 1  # the path
    assert len(shown(fsconfig(3, 5, 9), paths=on_full)) == 1  # SET_FD's fd
    assert shown(fsconfig(3, 5, 4), paths=on_full) == []


def test_a_path_raw_leaves_a_number_still_names_its_path() -> None:
    """strace's pathtrace reads the path whatever -e raw= prints: the line keeps the
    address, the argument's ``path`` names the file, and -P shows the call."""
    memory = FakeMemory({0x3000: b"/etc/hostname\0"})
    raw = (AT_FDCWD & 0xFFFFFFFF, 0x3000, 0, 0)  # an int's register, as a caller left it
    options = Options(fd_paths=True, raw=frozenset(("openat",)))
    args = name_fds(
        decode_entry("openat", raw, memory, options, FDS.get), FDS.get, "openat", memory
    )
    assert [arg.path for arg in args] == [None, "/etc/hostname", None, None]
    [line] = shown(returned("openat", args, 3))
    assert line.startswith("openat(0xffffff9c, 0x3000, 0, 0) ")
    unreadable = name_fds(decode_entry("openat", raw, FakeMemory({}), options), FDS.get, "openat")
    assert shown(returned("openat", unreadable, 3)) == []
