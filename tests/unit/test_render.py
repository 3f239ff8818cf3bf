"""The printer: strace-like lines, the [pid N] prefix, and the filter's userspace part."""

import io
from pathlib import Path

import pytest
from msgspec.structs import replace

from tests.unit.plain import decoded_call
from traced.cli.printer import PerTaskFiles, Printer
from traced.cli.render import Timing, duration_suffix
from traced.events import (
    Entries,
    ExitEvent,
    SignalEvent,
    SpawnEvent,
    SyscallEntryEvent,
    SyscallEvent,
)
from traced.filter.expression import parse_filter
from traced.syscalls.arch import X86_64

PATHS = {0x1000: b"/etc/passwd\0", 0x2000: b"/nope\0", 0x3000: b"/other\0", 0x4000: b"/tmp/x\0"}
ADDRESS = {value.rstrip(b"\0").decode(): key for key, value in PATHS.items()}


def call(name: str, path: str, retval: int, error: str | None, tid: int = 10) -> SyscallEvent:
    raw = (2**64 - 100, ADDRESS[path], 0, 0)
    return decoded_call(name, raw, retval, error, memory=PATHS, tid=tid)


SIGCHLD_FROM_11 = SignalEvent(
    session="s",
    pid=10,
    tid=10,
    ts_ns=4,
    signo=17,
    signal="SIGCHLD",
    code=1,
    sender_pid=11,
    sender_uid=0,
    child_status=0,
    child_utime=0,
    child_stime=0,
)


def printed(printer: Printer) -> list[str]:
    assert isinstance(printer.out, io.StringIO)
    return printer.out.getvalue().splitlines()


def test_strace_like_lines_and_pid_prefix_while_several_tasks_live() -> None:
    printer = Printer(io.StringIO(), as_json=False, to_file=False)
    printer(call("openat", "/etc/passwd", 3, None))
    printer(
        SpawnEvent(session="s", pid=11, tid=11, ts_ns=2, parent_pid=10, parent_tid=10, thread=False)
    )
    printer(call("openat", "/nope", -1, "ENOENT", tid=11))
    printer(ExitEvent(session="s", pid=11, tid=11, ts_ns=3, code=0, signal=None, core_dumped=False))
    printer(SIGCHLD_FROM_11)
    assert printed(printer) == [
        'openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3',
        '[pid    11] openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)',
        "[pid    11] +++ exited with 0 +++",
        "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=11, si_uid=0, si_status=0, "
        "si_utime=0, si_stime=0} ---",
    ]


def test_status_signal_and_path_filters_apply_in_the_printer() -> None:
    printer = Printer(io.StringIO(), as_json=False, to_file=True)
    printer.pid_column = True  # -f
    printer.filter = parse_filter(
        ["trace=openat", "signal=none"], X86_64, failed_only=True, paths=["/nope"]
    )
    printer(call("openat", "/etc/passwd", 3, None))
    printer(call("openat", "/nope", -1, "ENOENT"))
    printer(call("openat", "/other", -1, "ENOENT"))
    printer(SIGCHLD_FROM_11)
    assert printed(printer) == [
        '10    openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)'
    ]


def test_json_lines() -> None:
    printer = Printer(io.StringIO(), as_json=True, to_file=False)
    printer(call("openat", "/etc/passwd", 3, None))
    [line] = printed(printer)
    assert (
        line.startswith('{"type":"syscall","session":"s"')
        and '"args":[{"name":"dirfd","type":"dirfd","value":-100,' in line
    )
    assert '"value":"/etc/passwd","raw":4096,"text":"\\"/etc/passwd\\""}' in line


def test_results_line_up_at_column_40_counting_the_prefix() -> None:
    printer = Printer(io.StringIO(), as_json=False, to_file=True)
    printer.pid_column = True  # -f
    printer(decoded_call("close", (3,), 0))
    printer(decoded_call("openat", (2**64 - 100, 0x4000, 0o101, 0o644), 3, memory=PATHS))
    assert printed(printer) == [
        "10    close(3)                          = 0",
        '10    openat(AT_FDCWD, "/tmp/x", O_WRONLY|O_CREAT, 0644) = 3',
    ]


def test_timestamps_and_durations_as_strace_prints_them() -> None:
    ts = 1_795_636_866_007_596_123
    assert Timing(absolute=3).stamp(ts) == "1795636866.007596 "
    assert Timing(absolute=2).stamp(ts).endswith(".007596 ")
    assert len(Timing(absolute=1).stamp(ts)) == len("20:01:06 ")
    relative = Timing(relative=True)
    assert relative.stamp(ts) == "     0.000000 "
    assert relative.stamp(ts + 1_500_250_000) == "     1.500250 "
    assert duration_suffix(23_456) == " <0.000023>" and duration_suffix(None) == ""


def test_buffers_print_with_straces_escapes_and_cut() -> None:
    elf = b"\x7fELF\x02\x01\x01" + b"\0" * 900
    printer = Printer(io.StringIO(), as_json=False, to_file=False)
    printer(decoded_call("read", (3, 0x9000, 832), 832, memory={0x9000: elf}))
    [line] = printed(printer)
    assert line == 'read(3, "\\177ELF\\2\\1\\1' + "\\0" * 25 + '"..., 832) = 832'


def test_more_arguments_named_as_strace_names_them() -> None:
    def line(name: str, args: tuple[int, ...], retval: int = 0) -> str:
        event = decoded_call(name, args, retval, memory={0x5000: b"/etc/hostname\0user.x\0"})
        printer = Printer(io.StringIO(), as_json=False, to_file=False)
        printer(event)
        return printed(printer)[0]

    assert line("lseek", (3, 2**64 - 60, 1), 54).startswith("lseek(3, -60, SEEK_CUR)")
    assert line("arch_prctl", (0x1002, 0x7F00)).startswith("arch_prctl(ARCH_SET_FS, 0x7f00)")
    assert line("ioctl", (1, 0x5401, 0x7FFE)).startswith("ioctl(1, TCGETS, 0x7ffe)")
    assert line("getxattr", (0x5000, 0x500E, 0, 0)).startswith(
        'getxattr("/etc/hostname", "user.x", NULL, 0)'
    )


def test_pid_column_in_a_file_appears_with_f_or_a_second_task(tmp_path: Path) -> None:
    printer = Printer(io.StringIO(), as_json=False, to_file=True)
    printer(decoded_call("close", (3,), 0))
    printer(
        SpawnEvent(session="s", pid=11, tid=11, ts_ns=2, parent_pid=10, parent_tid=10, thread=False)
    )
    printer(decoded_call("close", (4,), 0, tid=11))
    printer(ExitEvent(session="s", pid=11, tid=11, ts_ns=3, code=0, signal=None, core_dumped=False))
    printer(decoded_call("close", (5,), 0))
    assert [line[:12] for line in printed(printer)] == [
        "close(3)    ", "11    close(", "11    +++ ex", "10    close("
    ]  # fmt: skip


def test_ff_writes_each_task_to_its_own_file(tmp_path: Path) -> None:
    printer = Printer(io.StringIO(), as_json=False, to_file=True)
    printer.per_task = PerTaskFiles(str(tmp_path / "trace"))
    printer(decoded_call("close", (3,), 0))
    printer(decoded_call("close", (4,), 0, tid=11))
    printer(ExitEvent(session="s", pid=11, tid=11, ts_ns=3, code=0, signal=None, core_dumped=False))
    printer.finish()
    assert (tmp_path / "trace.10").read_text().startswith("close(3) ")
    assert (tmp_path / "trace.11").read_text().splitlines() == [
        "close(4)                                = 0", "+++ exited with 0 +++"
    ]  # fmt: skip
    assert printed(printer) == []


def entry_of(event: SyscallEvent) -> SyscallEntryEvent:
    return SyscallEntryEvent(
        session=event.session, pid=event.pid, tid=event.tid, ts_ns=event.ts_ns,
        nr=event.nr, name=event.name, arch=event.arch, args=event.args,
    )  # fmt: skip


@pytest.mark.parametrize("interactive", [False, True], ids=["to a file", "to a terminal"])
def test_calls_are_shown_when_entered_and_resumed_after_other_lines(interactive: bool) -> None:
    status = {0x1000: (0).to_bytes(4, "little"), 0x2000: b"data"}
    wait = decoded_call("wait4", (2**64 - 1, 0x1000, 0, 0), 11, memory=status)
    read = decoded_call("read", (3, 0x2000, 4096), 4, memory=status, tid=11)
    close = decoded_call("close", (3,), 0)
    printer = Printer(io.StringIO(), as_json=False, to_file=True)
    printer.pid_column, printer.interactive = True, interactive
    staged = Entries.ALWAYS if interactive else Entries.INTERLEAVED
    assert printer.stages_entries() is staged
    for event in (entry_of(close), close, entry_of(wait), entry_of(read), read, wait):
        printer(event)
    assert printed(printer) == [
        "10    close(3)                          = 0",
        "10    wait4(-1,  <unfinished ...>",
        '11    read(3, "data", 4096)             = 4',
        "10    <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 11",
    ]


def test_an_entry_waits_for_its_exit_in_a_file_and_is_written_at_once_on_a_terminal() -> None:
    close = decoded_call("close", (3,), 0)
    for interactive, written in ((False, ""), (True, "close(3")):
        printer = Printer(io.StringIO(), as_json=False, to_file=False)
        printer.interactive = interactive
        printer(entry_of(close))
        assert printer.out.getvalue() == written  # type: ignore[attr-defined]
        printer(close)
        assert printed(printer) == ["close(3)                                = 0"]


def test_an_entry_never_returned_from_is_written_unfinished_at_the_end() -> None:
    read = decoded_call("read", (3, 0x2000, 4096), 4, memory={0x2000: b"data"})
    printer = Printer(io.StringIO(), as_json=False, to_file=False)
    printer(entry_of(read))
    printer.finish()
    assert printed(printer) == ["read(3,  <unfinished ...>"]


def test_entries_are_not_staged_when_only_the_result_can_decide() -> None:
    printer = Printer(io.StringIO(), as_json=False, to_file=False)
    printer.filter = parse_filter([], X86_64, failed_only=True)
    close = decoded_call("close", (3,), 0)
    printer(entry_of(close))
    printer(close)
    assert printer.stages_entries() is Entries.NEVER and printed(printer) == []


def test_p_matches_path_arguments_not_strings_that_look_like_paths() -> None:
    printer = Printer(io.StringIO(), as_json=False, to_file=False)
    printer.filter = parse_filter([], X86_64, paths=["/tmp/x"])
    printer(decoded_call("write", (1, 0x4000, 6), 6, memory=PATHS))  # writes the text "/tmp/x"
    printer(call("openat", "/tmp/x", 3, None))
    assert printed(printer) == ['openat(AT_FDCWD, "/tmp/x", O_RDONLY)    = 3']


def test_r_stamps_only_written_lines_and_a_resumed_line_when_the_call_returns() -> None:
    second = 1_000_000_000
    status = {0x1000: (0).to_bytes(4, "little"), 0x2000: b"data"}
    close = decoded_call("close", (3,), 0, ts_ns=1 * second)
    spawn = SpawnEvent(
        session="s", pid=11, tid=11, ts_ns=2 * second, parent_pid=10, parent_tid=10, thread=False
    )  # no line: not a point -r counts from
    wait = decoded_call(
        "wait4", (2**64 - 1, 0x1000, 0, 0), 11, memory=status, ts_ns=3 * second,
        duration_ns=3 * second,
    )  # fmt: skip
    read = decoded_call("read", (3, 0x2000, 4096), 4, memory=status, tid=11, ts_ns=4 * second)
    printer = Printer(io.StringIO(), as_json=False, to_file=True, timing=Timing(relative=True))
    printer.pid_column = True
    for event in (entry_of(close), close, spawn, entry_of(wait), entry_of(read), read, wait):
        printer(event)
    assert [line[:20] for line in printed(printer)] == [
        "10         0.000000 ",  # close
        "10         2.000000 ",  # wait4 entered, 2 s after close (the spawn has no line)
        "11         1.000000 ",  # read
        "10         2.000000 ",  # wait4 resumed when it returned, at 6 s
    ]


@pytest.mark.parametrize("interactive", [False, True], ids=["to a file", "to a terminal"])
def test_a_call_let_go_mid_way_ends_its_line_detached_as_strace_writes_it(
    interactive: bool,
) -> None:
    wait = decoded_call("wait4", (2**64 - 1, 0x1000, 0, 0), 11)
    detached = replace(wait, retval=None, error=None, duration_ns=None, detached=True)
    alone = Printer(io.StringIO(), as_json=False, to_file=False)
    alone(detached)
    staged = Printer(io.StringIO(), as_json=False, to_file=False)
    staged.interactive = interactive
    staged(entry_of(wait))
    staged(detached)
    assert printed(alone) == printed(staged) == ["wait4(-1,  <detached ...>"]


def test_absolute_and_relative_together_as_strace_prints_them() -> None:
    """strace -t -r: the time of day, then the delta in brackets (strace 6.1's
    ``19:16:00 (+     0.000332) brk(NULL)``); -r alone keeps its own column."""
    ts = 1_795_636_866_007_596_123
    both = Timing(absolute=3, relative=True)
    assert both.stamp(ts) == "1795636866.007596 (+     0.000000) "
    assert both.stamp(ts + 1_500_250_000) == "1795636867.507846 (+     1.500250) "
    clock = Timing(absolute=1, relative=True).stamp(ts)
    assert len(clock) == len("20:01:06 (+     0.000000) ") and clock.endswith(" (+     0.000000) ")


def test_n_numbers_each_line_and_x_styles_the_signal_line() -> None:
    """strace 6.1's -n -X raw: ``[ 257] openat(-100, ...)``, a signal's line numbered by
    its task's last call, an exit's by exit_group."""
    from traced.decoders.style import Style  # noqa: PLC0415

    printer = Printer(io.StringIO(), as_json=False, to_file=False)
    printer.numbers = True
    printer.style = Style(xlat="raw")
    printer(replace(call("openat", "/etc/passwd", 3, None), nr=257))
    printer(SIGCHLD_FROM_11)
    printer(ExitEvent(session="s", pid=10, tid=10, ts_ns=5, code=0, signal=None, core_dumped=False))
    assert printed(printer) == [
        '[ 257] openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3',
        "[ 257] --- SIGCHLD {si_signo=17, si_code=0x1, si_pid=11, si_uid=0, si_status=0, "
        "si_utime=0, si_stime=0} ---",
        "[ 231] +++ exited with 0 +++",
    ]
