"""-k's pure half: /proc/PID/maps parsed and searched as strace's mmap cache does,
frames placed by it, and strace 6.1's `` > `` lines rendered from constructed stacks
(the expected texts are strace 6.1's, from the runs quoted beside them)."""

import io

from traced.cli.printer import Printer
from traced.cli.render import stack_text, syscall_line
from traced.core import stack
from traced.events import ExitEvent, Frame, SignalEvent, Stack, SyscallEvent
from traced.filter.expression import parse_filter
from traced.syscalls.arch import host_arch

MAPS = b"""\
55d0c6a00000-55d0c6a02000 r--p 00000000 fe:01 1312         /usr/bin/echo
55d0c6a02000-55d0c6a06000 r-xp 00002000 fe:01 1312         /usr/bin/echo
55d0c6a06000-55d0c6a08000 r--p 00006000 fe:01 1312         /usr/bin/echo
55d0c7e3b000-55d0c7e5c000 rw-p 00000000 00:00 0            [heap]
7f1a3e200000-7f1a3e226000 r--p 00000000 fe:01 2046         /usr/lib/x86_64-linux-gnu/libc.so.6
7f1a3e226000-7f1a3e37b000 r-xp 00026000 fe:01 2046         /usr/lib/x86_64-linux-gnu/libc.so.6
7f1a3e37b000-7f1a3e3ce000 r--p 0017b000 fe:01 2046         /usr/lib/x86_64-linux-gnu/libc.so.6
7f1a3e3d7000-7f1a3e3e4000 rw-p 00000000 00:00 0
7f1a3e3e4000-7f1a3e3e6000 r-xp 00000000 00:00 0            [vdso]
7f1a3e3e4000-7f1a3e3e6000 r-xp 00000000 00:00 0            [vdso]
7f1a3e3e5000-7f1a3e3e7000 r-xp 00000000 00:00 0            /overlapping
7f1a3e3f0000-7f1a3e3f1000 r-xp 00000000 fe:01 77           /tmp/a program (deleted)
7f1a3e400000-7f1a3e401000 rwzp 00000000 fe:01 78           /odd/permissions
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0    [vsyscall]
"""


def test_maps_keep_files_in_order_without_duplicates_or_overlaps() -> None:
    maps = stack.parse_maps(MAPS)
    assert [m.path for m in maps] == [
        b"/usr/bin/echo", b"/usr/bin/echo", b"/usr/bin/echo", b"[heap]",
        b"/usr/lib/x86_64-linux-gnu/libc.so.6", b"/usr/lib/x86_64-linux-gnu/libc.so.6",
        b"/usr/lib/x86_64-linux-gnu/libc.so.6", b"[vdso]", b"/tmp/a program (deleted)",
        b"[vsyscall]",
    ]  # fmt: skip
    text = maps[1]
    assert (text.start, text.end, text.offset, text.executable) == (
        0x55D0C6A02000, 0x55D0C6A06000, 0x2000, True
    )  # fmt: skip
    assert not maps[0].executable


def test_an_ip_is_found_in_its_mapping_or_in_none() -> None:
    maps = stack.parse_maps(MAPS)
    libc_text = stack.find(maps, 0x7F1A3E2F8350)
    assert libc_text is not None and libc_text.offset == 0x26000
    assert stack.find(maps, 0x7F1A3E3D8000) is None  # anonymous: not kept
    assert stack.find(maps, 0x55D0C6A02000) == maps[1]  # start: inside
    assert stack.find(maps, 0x55D0C6A06000) == maps[2]  # end: the next one
    assert stack.find(maps, 0x1000) is None
    assert stack.find((), 0x1000) is None


def test_a_frame_is_placed_in_its_file() -> None:
    maps = stack.parse_maps(MAPS)
    ip = 0x7F1A3E2F8350
    mapping = stack.find(maps, ip)
    assert mapping is not None
    frame = stack.frame(mapping, ip, b"__write", 0x10)
    assert frame == Frame(
        ip=ip, module="/usr/lib/x86_64-linux-gnu/libc.so.6", address=0xF8350,
        symbol="__write", offset=0x10,
    )  # fmt: skip
    nameless = stack.frame(mapping, ip, b"", 0)
    assert nameless.symbol is None and nameless.offset == 0


# strace -k -e trace=write echo hi (strace 6.1, Debian 12), its first and last frames.
ECHO = Stack(
    "exit",
    (
        Frame(ip=1, module="/usr/lib/x86_64-linux-gnu/libc.so.6", address=0xF8350,
              symbol="__write", offset=0x10),
        Frame(ip=2, module="/usr/bin/echo", address=0x60C4),
        Frame(ip=3, module="/usr/lib/x86_64-linux-gnu/libc.so.6", address=0x27305,
              symbol="__libc_start_main", offset=0x85),
    ),
)  # fmt: skip


def test_frames_are_strace_s_lines() -> None:
    assert stack_text(ECHO).splitlines()[1:] == [
        " > /usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350]",
        " > /usr/bin/echo() [0x60c4]",
        " > /usr/lib/x86_64-linux-gnu/libc.so.6(__libc_start_main+0x85) [0x27305]",
    ]


def test_a_stack_walked_at_entry_names_no_function_as_strace_s_queue_does() -> None:
    # strace -f -k: a child's execve("/bin/true") from dash, frames without symbols.
    at_entry = Stack("entry", (Frame(ip=1, module="/usr/bin/dash", address=0x79A0),))
    assert stack_text(at_entry) == "\n > /usr/bin/dash(+0x0) [0x79a0]"


def test_cxx_names_are_demangled_as_strace_s_stack_demangle() -> None:
    # strace's stack-fcall-mangled test: ns::f3(int) ... ns::f0(int)
    frames = (Frame(ip=1, module="/t/p", address=0x1231, symbol="_ZN2ns2f3Ei", offset=9),
              Frame(ip=2, module="/t/p", address=0x1283, symbol="main", offset=0x17),
              Frame(ip=3, module="/t/p", address=0x10, symbol="_Zbogus", offset=1))  # fmt: skip
    assert stack_text(Stack("exit", frames)).splitlines()[1:] == [
        " > /t/p(ns::f3(int)+0x9) [0x1231]",
        " > /t/p(main+0x17) [0x1283]",
        " > /t/p(_Zbogus+0x1) [0x10]",  # not a name the demangler takes: as it is
    ]


def test_a_walk_that_cannot_go_on_says_why() -> None:
    frames = (Frame(ip=0x7F00DEADBEEF, error=stack.UNEXPECTED), stack.TOO_DEEP)
    assert stack_text(Stack("exit", frames)).splitlines()[1:] == [
        " > unexpected_backtracing_error [0x7f00deadbeef]",
        " > too many stack frames",
    ]
    assert stack_text(Stack("exit", ())) == ""


def test_calls_that_change_the_mappings_are_strace_s() -> None:
    assert stack.changes_mappings("mmap") and stack.changes_mappings("execve")
    assert stack.changes_mappings("syscall_0x1b6")  # unknown to the table: strace's too
    assert not stack.changes_mappings("write")
    assert {"execve", "execveat", "exit", "exit_group"} == stack.CAPTURED_AT_ENTRY


def syscall(name: str, retval: int | None, frames: Stack | None) -> SyscallEvent:
    return SyscallEvent(
        session="s", pid=7, tid=7, ts_ns=1, nr=1, name=name, arch="x86_64", args=(),
        duration_ns=None, retval=retval, error=None, stack=frames,
    )  # fmt: skip


def printed(*events: object, quiet: frozenset[str] = frozenset()) -> list[str]:
    printer = Printer(io.StringIO(), as_json=False, to_file=True)
    printer.quiet = quiet
    for event in events:
        printer(event)  # type: ignore[arg-type]
    printer.finish()
    assert isinstance(printer.out, io.StringIO)
    return printer.out.getvalue().splitlines()


def test_the_printer_writes_each_stack_after_its_line() -> None:
    signal = SignalEvent(session="s", pid=7, tid=7, ts_ns=2, signo=23, signal="SIGURG",
                         code=0, sender_pid=7, sender_uid=0, stack=ECHO)  # fmt: skip
    lines = printed(syscall("getpid", 7, ECHO), signal)
    assert lines[0].startswith("getpid()") and lines[1].endswith("(__write+0x10) [0xf8350]")
    assert lines[4].startswith("--- SIGURG ") and lines[5] == lines[1]
    assert len(lines) == 8


def test_exit_group_s_stack_follows_its_task_s_exit_line_as_strace_s() -> None:
    # strace -f -k: exit_group(0) = ?, +++ exited with 0 +++, then the frames (droptcb)
    at_entry = Stack("entry", ECHO.frames[1:2])
    end = ExitEvent(session="s", pid=7, tid=7, ts_ns=3, code=0, signal=None, core_dumped=False)
    assert printed(syscall("exit_group", None, at_entry), end) == [
        syscall_line(syscall("exit_group", None, None)),
        "+++ exited with 0 +++",
        " > /usr/bin/echo(+0x0) [0x60c4]",
    ]
    assert printed(syscall("exit_group", None, at_entry), end, quiet=frozenset({"exit"}))[1:] == [
        " > /usr/bin/echo(+0x0) [0x60c4]"
    ]


def test_exit_group_hidden_by_z_still_owes_its_stack_as_strace_6_1() -> None:
    # strace 6.1 -z -k: exit_group's line is hidden (unfinished), its stack is not
    printer = Printer(io.StringIO(), as_json=False, to_file=True)
    printer.filter = parse_filter([], host_arch(), successful_only=True)
    end = ExitEvent(session="s", pid=7, tid=7, ts_ns=3, code=0, signal=None, core_dumped=False)
    printer(syscall("exit_group", None, Stack("entry", ECHO.frames[1:2])))
    printer(syscall("getpid", 7, Stack("exit", ECHO.frames[1:2])))
    printer(end)
    assert isinstance(printer.out, io.StringIO)
    assert printer.out.getvalue().splitlines()[1:] == [
        " > /usr/bin/echo() [0x60c4]",  # getpid's
        "+++ exited with 0 +++",
        " > /usr/bin/echo(+0x0) [0x60c4]",  # exit_group's
    ]
