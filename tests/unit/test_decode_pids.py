"""-Y (--decode-pids=comm): pids with their task's comm, as strace 6.1 prints them.

Pure: the comms are a table here (the tracer reads /proc/PID/comm); each expected
text is strace 6.1's (its tests strace-Y-0123456789, waitid-Y, and real runs of
``strace -f -Y``).
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from msgspec.structs import replace

from tests.unit.plain import FakeMemory
from traced.cli.options import decoding_options, printing
from traced.cli.parser import UsageError, build_parser
from traced.cli.printer import Printer
from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.pidnames import comm_text, naming_pids, pid_text, with_comm
from traced.decoders.values import Options
from traced.events import (
    Bytes,
    ExitEvent,
    SignalEvent,
    SpawnEvent,
    SyscallEntryEvent,
    SyscallEvent,
)
from traced.filter.expression import parse_filter
from traced.syscalls.arch import X86_64

COMMS = {1234: b"sh", 42: b"foo\x1b[2Jbar", 43: b"foo<bar>", 44: b""}
Y = Options(decorate_pids=True)


def comms(pid: int) -> bytes | None:
    return COMMS.get(pid)


@pytest.mark.parametrize(
    ("comm", "text"),
    [
        (b"sh", "sh"),
        (b"foo\x1b[2Jbar", "foo\\33[2Jbar"),  # strace-Y-0123456789's escapes
        (b"foo<bar>", "foo\\74bar\\76"),
        (b"dp<1>", "dp\\0741\\76"),  # an octal before a digit takes three
        (b"0123456789abcde", "0123456789abcde"),
        (b'a"b\\c', 'a\\"b\\\\c'),
    ],
)
def test_a_comm_is_escaped_as_strace_escapes_it(comm: bytes, text: str) -> None:
    assert comm_text(comm) == text


def test_a_pid_has_its_comm_only_where_a_task_has_one() -> None:
    assert pid_text(1234, comms) == "1234<sh>"
    assert pid_text(7, comms) == "7"  # reaped: no /proc/7/comm
    assert pid_text(44, comms) == "44"  # an empty comm is left out, as strace
    assert pid_text(0, comms) == "0"
    assert pid_text(-1234, comms) == "-1234"  # a process group: no comm
    assert pid_text(1234) == "1234"  # outside -Y
    with naming_pids(comms):
        assert pid_text(1234) == "1234<sh>"
    assert with_comm(1234, b"foo<bar>") == "1234<foo\\74bar\\76>"


def entry(name: str, raw: tuple[int, ...], options: Options = Y) -> str:
    args = decode_entry(name, raw, FakeMemory({}), options, comms=comms)
    return ", ".join(arg.text for arg in args if arg.text)


@pytest.mark.parametrize(
    ("name", "raw", "text"),
    [
        ("kill", (1234, 15), "1234<sh>, SIGTERM"),
        ("kill", (2**64 - 1234, 0), "-1234, 0"),  # minus a group
        ("kill", (2**64 - 1, 9), "-1, SIGKILL"),
        ("tgkill", (1234, 42, 18), "1234<sh>, 42<foo\\33[2Jbar>, SIGCONT"),
        ("tkill", (43, 0), "43<foo\\74bar\\76>, 0"),
        ("wait4", (1234, 0, 0, 0), "1234<sh>, NULL, 0, NULL"),
        ("setpgid", (1234, 1234), "1234<sh>, 1234"),  # the group is a number
        ("getpgid", (1234,), "1234<sh>"),
        ("sched_getscheduler", (1234,), "1234<sh>"),
        ("pidfd_open", (1234, 0), "1234<sh>, 0"),
        ("getpriority", (0, 1234), "PRIO_PROCESS, 1234<sh>"),
        ("getpriority", (1, 1234), "PRIO_PGRP, 1234"),
        ("waitid", (1, 1234, 0, 4, 0), "P_PID, 1234<sh>"),
        ("waitid", (2, 1234, 0, 4, 0), "P_PGID, 1234"),
        ("perf_event_open", (0, 1234, 2**64 - 1, 2**64 - 1, 0), "NULL, 1234, -1, -1, 0"),
    ],
)
def test_the_pid_arguments_strace_names(name: str, raw: tuple[int, ...], text: str) -> None:
    assert entry(name, raw).startswith(text)


def test_without_y_or_with_raw_a_pid_is_its_number() -> None:
    assert entry("kill", (1234, 15), Options()) == "1234, SIGTERM"
    raw = Options(decorate_pids=True, raw=frozenset({"kill"}))
    assert entry("kill", (1234, 15), raw) == "0x4d2, 0xf"


def _siginfo(pid: int, code: int = 1, status: int = 0) -> bytes:
    """A CLD_* siginfo: signo, errno, code, then si_pid, si_uid, si_status, times."""
    return struct.pack("<iii4xiIi4xqq", 17, 0, code, pid, 0, status, 0, 0).ljust(128, b"\0")


def test_waitids_si_pid_has_the_comm_of_a_child_not_yet_reaped() -> None:
    memory = FakeMemory({0x5000: _siginfo(1234, code=5, status=19), 0x6000: _siginfo(7)})
    for address, pid in ((0x5000, "1234<sh>"), (0x6000, "7")):
        raw = (1, 1234, address, 2, 0)
        args = decode_entry("waitid", raw, memory, Y, comms=comms)
        args = decode_exit("waitid", args, raw, memory, retval=0, options=Y, comms=comms)
        assert f"si_pid={pid}, si_uid=0" in args[2].text


def syscall(name: str, retval: int, comm: str | None, text: str | None = None) -> SyscallEvent:
    return SyscallEvent(
        session="s", pid=1234, tid=1234, ts_ns=1, nr=0, name=name, arch="x86_64", args=(),
        duration_ns=1, retval=retval, error=None, retval_text=text, comm=comm,
    )  # fmt: skip


def printed(printer: Printer) -> list[str]:
    assert isinstance(printer.out, io.StringIO)
    return printer.out.getvalue().splitlines()


def test_each_line_begins_with_the_pid_and_its_comm_in_a_file() -> None:
    printer = Printer(io.StringIO(), as_json=False, to_file=True)
    printer.pid_column = True  # -f
    printer(syscall("getppid", 1, "strace-Y-012345", "1<strace>"))
    printer(syscall("getpid", 1234, "foo\x1b[2Jbar", "1234<foo\\33[2Jbar>"))
    printer(syscall("getpid", 1234, None))  # none read: strace's padded column
    printer(ExitEvent(session="s", pid=5, tid=5, ts_ns=2, code=0, signal=None,
                      core_dumped=False, comm="exe"))  # fmt: skip
    assert printed(printer) == [  # results at column 40, the prefix counted, as strace
        "1234<strace-Y-012345> getppid()         = 1<strace>",
        "1234<foo\\33[2Jbar> getpid()             = 1234<foo\\33[2Jbar>",
        "1234  getpid()                          = 1234",
        "5<exe> +++ exited with 0 +++",
    ]


def test_to_a_terminal_the_comm_is_inside_the_brackets() -> None:
    printer = Printer(io.StringIO(), as_json=False, to_file=False)
    printer(SpawnEvent(session="s", pid=11, tid=11, ts_ns=2, parent_pid=10, parent_tid=10,
                       thread=False))  # fmt: skip
    printer(replace(syscall("exit_group", 0, "true"), tid=11, retval=None, duration_ns=None))
    printer(ExitEvent(session="s", pid=11, tid=11, ts_ns=3, code=0, signal=None,
                      core_dumped=False, comm=Bytes("/w==")))  # fmt: skip
    assert printed(printer) == [
        "[pid    11<true>] exit_group()          = ?",
        "[pid    11<\\377>] +++ exited with 0 +++",
    ]


def test_a_signals_sender_has_its_comm_as_it_was_at_the_stop() -> None:
    printer = Printer(io.StringIO(), as_json=False, to_file=False)
    base = {"session": "s", "pid": 10, "tid": 10, "ts_ns": 4, "sender_uid": 0}
    printer(SignalEvent(**base, signo=15, signal="SIGTERM", code=0, sender_pid=10,
                        comm="sh", sender_comm="sh"))  # fmt: skip
    printer(SignalEvent(**base, signo=17, signal="SIGCHLD", code=1, sender_pid=11,
                        child_status=0, child_utime=0, child_stime=0))  # fmt: skip
    assert printed(printer) == [
        "--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=10<sh>, si_uid=0} ---",
        "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=11, si_uid=0, si_status=0, "
        "si_utime=0, si_stime=0} ---",
    ]


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["-Y"], True),
        (["--decode-pids=comm"], True),
        (["-e", "decode-pids=comm"], True),
        (["-e", "decode-pid=!pidns"], True),
        (["--decode-pids=none"], False),
        (["-Y", "--decode-pids=none"], True),  # -Y adds comm to the set
        ([], False),
    ],
)
def test_decode_pids_sets(argv: list[str], named: bool, tmp_path: Path) -> None:
    args = build_parser().parse_args(["launch", "-o", str(tmp_path / "t"), *argv, "--", "true"])
    with printing(args):
        assert args.expr == []
        assert decoding_options(args).decorate_pids is named
    assert parse_filter(args.expr, X86_64).syscalls is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--decode-pids=pidns"], "pidns .* is not supported"),
        (["-e", "decode-pids=all"], "pidns .* is not supported"),
        (["-e", "decode-pids=comm,nope"], "invalid decode-pids 'nope'"),
        (["--decode-pids="], "invalid decode-pids ''"),
    ],
)
def test_decode_pids_refusals(argv: list[str], message: str, tmp_path: Path) -> None:
    args = build_parser().parse_args(["launch", "-o", str(tmp_path / "t"), *argv, "--", "true"])
    with pytest.raises(UsageError, match=message), printing(args):
        pass


def test_y_takes_no_argument_so_the_command_follows_it() -> None:
    args = build_parser().parse_args(["launch", "-Y", "ls"])
    assert args.pid_comms
    assert args.argv[-1] == "ls"


def test_the_pids_strace_names_inside_arguments() -> None:
    owner = struct.pack("<ii", 1, 1234)  # F_OWNER_PID
    group = struct.pack("<ii", 2, 1234)  # F_OWNER_PGRP: a group, a number
    memory = FakeMemory({0x5000: owner, 0x6000: group})
    assert entry("fcntl", (3, 8, 1234)) == "3, F_SETOWN, 1234<sh>"
    assert entry("fcntl", (3, 8, 2**64 - 1234)) == "3, F_SETOWN, -1234"
    for address, pid in ((0x5000, "1234<sh>"), (0x6000, "1234")):
        args = decode_entry("fcntl", (3, 15, address), memory, Y, comms=comms)
        assert args[2].text.endswith(f"pid={pid}}}")
    sched_core = entry("prctl", (62, 0, 1234, 1, 0x7000))  # PR_SCHED_CORE_GET, PIDTYPE_TGID
    assert sched_core.startswith("PR_SCHED_CORE, PR_SCHED_CORE_GET, 1234<sh>, ")
    by_group = entry("prctl", (62, 0, 1234, 2, 0x7000))  # PIDTYPE_PGID
    assert by_group.startswith("PR_SCHED_CORE, PR_SCHED_CORE_GET, 1234, ")


def test_so_peercreds_pid_is_named_at_the_calls_exit() -> None:
    memory = FakeMemory({0x5000: struct.pack("<iII", 1234, 0, 0), 0x6000: struct.pack("<I", 12)})
    raw = (3, 1, 17, 0x5000, 0x6000)  # SOL_SOCKET, SO_PEERCRED
    args = decode_entry("getsockopt", raw, memory, Y, comms=comms)
    args = decode_exit("getsockopt", args, raw, memory, retval=0, options=Y, comms=comms)
    assert args[3].text == "{pid=1234<sh>, uid=0, gid=0}"


def test_an_exec_cut_by_another_line_resumes_under_its_new_comm() -> None:
    printer = Printer(io.StringIO(), as_json=False, to_file=True)
    printer.pid_column = True  # -f
    execve = replace(syscall("execve", 0, "sh"), tid=11, exit_comm="ls")
    entered = SyscallEntryEvent(session="s", pid=11, tid=11, ts_ns=1, nr=59, name="execve",
                                arch="x86_64", args=(), comm="sh")  # fmt: skip
    printer(entered)
    printer(syscall("getpid", 1234, "sh", "1234<sh>"))
    printer(execve)
    printer(replace(execve, exit_comm=None))  # whole, as it was entered
    assert printed(printer) == [
        "11<sh> execve( <unfinished ...>",
        "1234<sh> getpid()                       = 1234<sh>",
        "11<ls> <... execve resumed>)            = 0",
        "11<sh> execve()                         = 0",
    ]


def test_a_cut_clone3_resumes_with_what_the_kernel_wrote_as_strace() -> None:
    flags = 0x3D0F00  # CLONE_VM|...|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID
    cl_args = struct.pack("<11Q", flags, 0, 0x9990, 0x9990, 0, 0x8000, 0x7FFF80, 0x96C0, 0, 0, 0)
    memory = FakeMemory({0x5000: cl_args, 0x9990: struct.pack("<i", 1235)})
    raw = (0x5000, 88)
    entered_args = decode_entry("clone3", raw, memory, Y, comms=comms)
    exit_args = decode_exit("clone3", entered_args, raw, memory, retval=1235, options=Y,
                            comms=lambda pid: b"sh")  # fmt: skip
    printer = Printer(io.StringIO(), as_json=False, to_file=True)
    printer.pid_column = True  # -f
    base = {"session": "s", "pid": 1234, "tid": 1234, "ts_ns": 1, "nr": 435, "name": "clone3"}
    printer(SyscallEntryEvent(**base, arch="x86_64", args=entered_args, comm="sh"))
    printer(replace(syscall("gettid", 1235, "sh", "1235<sh>"), tid=1235))
    printer(SyscallEvent(**base, arch="x86_64", args=exit_args, duration_ns=1, retval=1235,
                         error=None, retval_text="1235<sh>", comm="sh"))  # fmt: skip
    struct_text = (
        "{flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
        "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x9990, "
        "parent_tid=0x9990, exit_signal=0, stack=0x8000, stack_size=0x7fff80, tls=0x96c0}"
    )
    assert printed(printer) == [
        f"1234<sh> clone3({struct_text} <unfinished ...>",
        "1235<sh> gettid()                       = 1235<sh>",
        "1234<sh> <... clone3 resumed> => {parent_tid=[1235<sh>]}, 88) = 1235<sh>",
    ]
