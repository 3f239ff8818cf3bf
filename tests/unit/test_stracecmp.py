"""The strace-comparison library, on captured strace 6.1 output: no processes."""

from __future__ import annotations

import json

import pytest

# stracecmp lives beside the integration tests that use it; tests/unit is no
# package, so its directory is put on the path to import it by the same name.
from tests.integration.stracecmp import (
    Agreement,
    Entry,
    Seen,
    Spawned,
    TookOver,
    canonical_threads,
    compare_threads,
    decode_strace_string,
    normalize_path,
    parse_strace,
    parse_strace_call,
    parse_traced,
)


def strace_threads(text: str, **kwargs) -> dict[str, list[str]]:
    threads = canonical_threads(parse_strace(text), **kwargs)
    return {name: [str(e) for e in entries] for name, entries in threads.items()}


def traced_threads(events: list[dict[str, object]], **kwargs) -> dict[str, list[str]]:
    text = "\n".join(json.dumps(e) for e in events)
    threads = canonical_threads(parse_traced(text), **kwargs)
    return {name: [str(e) for e in entries] for name, entries in threads.items()}


# --------------------------------------------------------------------------
# One line


def test_call_with_error():
    call = parse_strace_call(
        'openat(AT_FDCWD, "/nonexistent/x", O_RDONLY) = -1 ENOENT (No such file or directory)'
    )
    assert (call.name, call.outcome, call.path(1)) == ("openat", "ENOENT", "/nonexistent/x")
    assert call.args == ("AT_FDCWD", '"/nonexistent/x"', "O_RDONLY")


def test_call_that_succeeded_with_padding_before_the_result():
    call = parse_strace_call("close(3)                          = 0")
    assert (call.args, call.outcome, call.retval) == (("3",), "ok", 0)


def test_call_that_never_returned():
    assert parse_strace_call("exit_group(0)                     = ?").outcome == "unfinished"


@pytest.mark.parametrize(
    ("result", "outcome"),
    [
        ("? ERESTARTSYS (To be restarted if SA_RESTART is set)", "ERESTARTSYS"),
        ("? ERESTART_RESTARTBLOCK (Interrupted by signal)", "ERESTART_RESTARTBLOCK"),
        ("? ERESTARTNOINTR (To be restarted)", "ERESTARTNOINTR"),
        ("-1 EINTR (Interrupted system call)", "EINTR"),
        ("0x7f3aa9f42000", "ok"),
        ("1 (in [3])", "ok"),
    ],
)
def test_outcomes(result, outcome):
    assert parse_strace_call(f"read(3, 0x7ffdaefa28a0, 1) = {result}").outcome == outcome


def test_arguments_split_only_at_top_level_commas():
    call = parse_strace_call(
        "clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f3a, "
        "stack_size=0x9000}, 88) = 2975"
    )
    assert call.args == (
        "{flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f3a, stack_size=0x9000}",
        "88",
    )
    assert call.retval == 2975


def test_strings_may_hold_commas_parens_and_quotes():
    call = parse_strace_call(r'rename("a, b)\"", "c(") = 0')
    assert (call.path(0), call.path(1)) == ('a, b)"', "c(")


def test_execve_with_argv_and_environment_comment():
    call = parse_strace_call(
        'execve("./spawn", ["./spawn", "x,y"], 0x7fffd16b1fc0 /* 39 vars */) = 0'
    )
    assert call.path(0) == "./spawn"
    assert len(call.args) == 3


def test_restart_syscall_shows_what_it_resumes():
    call = parse_strace_call("restart_syscall(<... resuming interrupted clock_nanosleep ...>) = 0")
    assert (call.name, call.outcome) == ("restart_syscall", "ok")


@pytest.mark.parametrize(
    ("arg", "value"),
    [
        (r'"/etc/passwd"', "/etc/passwd"),
        (r'"tab\there\nnl"', "tab\there\nnl"),
        (r'"q\"b\\s"', 'q"b\\s'),
        (r'"caf\303\251"', "café"),
        (r'"\x41\102"', "AB"),
        (r'"\177ELF"...', "\x7fELF"),
        (r'"\0"', "\0"),
        ("NULL", None),
        ("0x1234", None),
    ],
)
def test_decode_strace_string(arg, value):
    assert decode_strace_string(arg) == value


def test_undecodable_bytes_survive_as_surrogates():
    assert decode_strace_string(r'"\377"') == b"\xff".decode("utf-8", "surrogateescape")


@pytest.mark.parametrize(
    ("path", "stable"),
    [
        ("/proc/3509/stat", "/proc/PID/stat"),
        ("/proc/12/task/345/comm", "/proc/PID/task/TID/comm"),
        ("/proc/self/exe", "/proc/self/exe"),
        ("/tmp/ccYmPKIA.s", "/tmp/ccXXXXXX.s"),
        ("/tmp/ccC5Hjeo", "/tmp/ccXXXXXX"),
        ("/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1"),
        ("/home/accounts.txt", "/home/accounts.txt"),
    ],
)
def test_normalize_path(path, stable):
    assert normalize_path(path) == stable


# --------------------------------------------------------------------------
# Whole outputs

VFORK_AND_SPAWN = """\
2972  execve("./spawn", ["./spawn"], 0x7fffd16b1fc0 /* 39 vars */) = 0
2972  vfork( <unfinished ...>
2973  execve("/bin/true", ["/bin/true"], 0x7ffe2dde3378 /* 39 vars */ <unfinished ...>
2972  <... vfork resumed>)              = 2973
2972  wait4(2973,  <unfinished ...>
2973  <... execve resumed>)             = 0
2973  exit_group(0)                     = ?
2973  +++ exited with 0 +++
2972  <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 2973
2972  clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD}, 88 <unfinished ...>
2976  execve("/nonexistent/program", ["/nonexistent/program"], 0x7ffe) = -1 ENOENT (No such file)
2976  exit_group(127)                   = ?
2976  +++ exited with 127 +++
2972  <... clone3 resumed>)             = 2976
2972  wait4(2976, NULL, 0, NULL)        = 2976
2972  exit_group(0)                     = ?
2972  +++ exited with 0 +++
"""


def test_unfinished_and_resumed_halves_are_joined_and_children_named():
    assert strace_threads(VFORK_AND_SPAWN) == {
        "0": [
            'execve("./spawn") = ok',
            "vfork() = ok",
            "wait4() = ok",
            "clone3() = ok",
            "wait4() = ok",
            "exit_group() = unfinished",
            "+++ exited 0 +++",
        ],
        "0.0": ['execve("/bin/true") = ok', "exit_group() = unfinished", "+++ exited 0 +++"],
        "0.1": [
            'execve("/nonexistent/program") = ENOENT',
            "exit_group() = unfinished",
            "+++ exited 127 +++",
        ],
    }


def test_children_are_named_by_creation_order_not_by_tid():
    # The second child got the lower tid (pid wrap-around): order decides.
    text = """\
500  clone(child_stack=NULL, flags=SIGCHLD) = 900
500  clone(child_stack=NULL, flags=SIGCHLD) = 300
300  openat(AT_FDCWD, "/b", O_RDONLY) = -1 ENOENT (No such file or directory)
900  openat(AT_FDCWD, "/a", O_RDONLY) = -1 ENOENT (No such file or directory)
"""
    threads = strace_threads(text)
    assert threads["0.0"] == ['openat("/a") = ENOENT']
    assert threads["0.1"] == ['openat("/b") = ENOENT']


def test_a_grandchild_seen_before_its_parent_is_known():
    # strace may print a child's lines, even its own clone's return, before
    # the line where its parent's clone returns.
    text = """\
10  clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>
11  clone(child_stack=NULL, flags=SIGCHLD) = 12
12  openat(AT_FDCWD, "/grandchild", O_RDONLY) = 3
10  <... clone resumed>) = 11
"""
    assert strace_threads(text)["0.0.0"] == ['openat("/grandchild") = ok']


SIGNALS_AND_ENDS = """\
3516  read(3, 0x7ffdaefa28a0, 1)        = ? ERESTARTSYS (To be restarted if SA_RESTART is set)
3516  --- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---
3516  rt_sigreturn({mask=[]})           = -1 EINTR (Interrupted system call)
3516  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD) = 3517
3517  tgkill(3517, 3517, SIGSTOP)       = 0
3517  --- SIGSTOP {si_signo=SIGSTOP, si_code=SI_TKILL, si_pid=3517, si_uid=0} ---
3517  --- stopped by SIGSTOP ---
3517  kill(3517, SIGSEGV)               = 0
3517  --- SIGSEGV {si_signo=SIGSEGV, si_code=SI_USER, si_pid=3517, si_uid=0} ---
3517  +++ killed by SIGSEGV (core dumped) +++
3516  exit_group(0)                     = ?
3516  +++ exited with 0 +++
"""


def test_signals_and_ends():
    threads = strace_threads(SIGNALS_AND_ENDS, kinds=("syscall", "signal", "exit"))
    assert threads == {
        "0": [
            "read() = ERESTARTSYS",
            "--- SIGALRM ---",
            "rt_sigreturn() = EINTR",
            "clone() = ok",
            "exit_group() = unfinished",
            "+++ exited 0 +++",
        ],
        "0.0": [
            "tgkill() = ok",
            "--- SIGSTOP ---",
            "kill() = ok",
            "--- SIGSEGV ---",
            "+++ killed SIGSEGV (core dumped) +++",
        ],
    }


def test_signals_are_left_out_unless_asked_for():
    assert "--- SIGALRM ---" not in strace_threads(SIGNALS_AND_ENDS)["0"]


def test_calls_cut_short_by_a_kill():
    text = """\
8542  clone3({flags=CLONE_VM|CLONE_THREAD, exit_signal=0}, 88) = 8543
8543  read(0,  <unfinished ...>
8542  kill(8542, SIGKILL)               = ?
8543  <... read resumed> <unfinished ...>) = ?
8543  +++ killed by SIGKILL +++
8542  +++ killed by SIGKILL +++
"""
    assert strace_threads(text) == {
        "0": ["clone3() = ok", "kill() = unfinished", "+++ killed SIGKILL +++"],
        "0.0": ["read() = unfinished", "+++ killed SIGKILL +++"],
    }


def test_a_call_left_pending_never_returned():
    # Whether the task's end comes before or without strace's "= ?" line.
    killed = "7  read(0,  <unfinished ...>\n7  +++ killed by SIGKILL +++\n"
    assert strace_threads(killed) == {"0": ["read() = unfinished", "+++ killed SIGKILL +++"]}
    assert strace_threads("7  pause( <unfinished ...>\n") == {"0": ["pause() = unfinished"]}


EXEC_FROM_A_THREAD = """\
2966  execve("./exec_thread", ["./exec_thread"], 0x7ffed469e2f0 /* 39 vars */) = 0
2966  clone3({flags=CLONE_VM|CLONE_THREAD, exit_signal=0}, 88) = 2967
2966  pause( <unfinished ...>
2967  openat(AT_FDCWD, "/nonexistent/exec-thread", O_RDONLY) = -1 ENOENT (No such file or directory)
2967  execve("/bin/true", ["/bin/true"], 0x7ffdc937a698 /* 39 vars */ <unfinished ...>
2966  <... pause resumed>)              = ?
2966  +++ superseded by execve in pid 2967 +++
2966  <... execve resumed>)             = 0
2966  openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
2966  exit_group(0)                     = ?
2966  +++ exited with 0 +++
"""

EXEC_FROM_A_THREAD_THREADS = {
    "0": ['execve("./exec_thread") = ok', "clone3() = ok", "pause() = unfinished"],
    "0.0": [
        'openat("/nonexistent/exec-thread") = ENOENT',
        'execve("/bin/true") = ok',
        'openat("/etc/ld.so.cache") = ok',
        "exit_group() = unfinished",
        "+++ exited 0 +++",
    ],
}


def test_exec_from_a_thread_in_strace():
    observations = parse_strace(EXEC_FROM_A_THREAD)
    assert TookOver(old_tid=2967, new_tid=2966) in observations
    assert strace_threads(EXEC_FROM_A_THREAD) == EXEC_FROM_A_THREAD_THREADS


def syscall(tid: int, name: str, args: list[object], retval: int | None, error=None):
    return {
        "type": "syscall",
        "session": "s",
        "pid": tid,
        "tid": tid,
        "ts_ns": 0,
        "nr": 0,
        "name": name,
        "arch": "x86_64",
        "args": [{"name": "a", "type": "int", "value": v, "raw": 0, "text": ""} for v in args],
        "duration_ns": 1,
        "retval": retval,
        "error": error,
    }


def task_event(kind: str, tid: int, **fields: object) -> dict[str, object]:
    return {"type": kind, "session": "s", "pid": tid, "tid": tid, "ts_ns": 0, **fields}


def test_exec_from_a_thread_in_traced_events():
    events = [
        syscall(100, "execve", ["./exec_thread", ["./exec_thread"], 1], 0),
        syscall(100, "clone3", [1, 88], 101),
        task_event("spawn", 101, parent_pid=100, parent_tid=100, thread=True),
        syscall(101, "openat", [-100, "/nonexistent/exec-thread", 0, 0], -1, "ENOENT"),
        syscall(100, "pause", [], None),
        # An exit for the superseded leader is not one strace shows: dropped.
        task_event("exit", 100, code=0, signal=None, core_dumped=False),
        syscall(101, "execve", ["/bin/true", ["/bin/true"], 1], 0),
        task_event("exec", 100, path="/bin/true", argv=["/bin/true"], old_tid=101),
        syscall(100, "openat", [-100, "/etc/ld.so.cache", 524288, 0], 3),
        syscall(100, "exit_group", [0], None),
        task_event("exit", 100, code=0, signal=None, core_dumped=False),
    ]
    assert traced_threads(events) == EXEC_FROM_A_THREAD_THREADS


def test_two_execs_from_threads_in_a_row():
    def exit_event(tid: int) -> dict[str, object]:
        return task_event("exit", tid, code=0, signal=None, core_dumped=False)

    def spawn(tid: int, parent: int) -> dict[str, object]:
        return task_event("spawn", tid, parent_pid=100, parent_tid=parent, thread=True)

    def exec_event(old_tid: int) -> dict[str, object]:
        return task_event("exec", 100, path="/bin/x", argv=["x"], old_tid=old_tid)

    events = [
        spawn(101, parent=100),
        exit_event(100),  # the leader, superseded
        exec_event(old_tid=101),
        syscall(100, "openat", [-100, "/first-image", 0, 0], 3),
        spawn(102, parent=100),  # made by thread 101, now shown as 100
        exit_event(100),  # thread 101, superseded in turn
        exec_event(old_tid=102),
        syscall(100, "openat", [-100, "/second-image", 0, 0], 3),
        exit_event(100),
    ]
    assert traced_threads(events) == {
        "0.0": ['openat("/first-image") = ok'],
        "0.0.0": ['openat("/second-image") = ok', "+++ exited 0 +++"],
    }


def test_traced_events_to_the_common_form():
    events = [
        syscall(5, "clone", [17, 0, 0, 0, 0], 6),
        task_event("spawn", 6, parent_pid=5, parent_tid=5, thread=False),
        syscall(6, "rename", ["/proc/6/x", "/tmp/ccAbC123.o"], 0),
        syscall(6, "read", [3, 140737488346112, 1], -1, "ERESTARTSYS"),
        task_event("signal", 6, signo=14, signal="SIGALRM", code=128, sender_pid=0, sender_uid=0),
        task_event("exit", 6, code=None, signal="SIGKILL", core_dumped=False),
    ]
    assert traced_threads(events, kinds=("syscall", "signal", "exit")) == {
        "0": ["clone() = ok"],
        "0.0": [
            'rename("/proc/PID/x", "/tmp/ccXXXXXX.o") = ok',
            "read() = ERESTARTSYS",
            "--- SIGALRM ---",
            "+++ killed SIGKILL +++",
        ],
    }
    assert Spawned(parent_tid=5, child_tid=6) in parse_traced(
        json.dumps(task_event("spawn", 6, parent_pid=5, parent_tid=5, thread=False))
    )


def test_a_path_traced_did_not_decode_compares_as_null():
    events = [syscall(1, "openat", [-100, 140737488346112, 0, 0], -1, "EFAULT")]
    assert traced_threads(events) == {"0": ["openat(NULL) = EFAULT"]}


def test_traced_output_that_is_not_json_is_an_error():
    with pytest.raises(ValueError, match="line 2 is not JSON"):
        parse_traced(json.dumps(syscall(1, "close", [3], 0)) + "\nTraceback (most recent")


def test_unparseable_strace_output_is_an_error():
    with pytest.raises(ValueError, match="without a pid"):
        parse_strace("openat(AT_FDCWD, ...) = 3\n")
    with pytest.raises(ValueError, match="no such call pending"):
        parse_strace("5  <... read resumed>) = 0\n")


# --------------------------------------------------------------------------
# Comparison


def test_equal_threads_agree():
    threads = canonical_threads(parse_strace(VFORK_AND_SPAWN))
    assert compare_threads(threads, threads) == Agreement(threads=3, syscalls=10)
    assert str(Agreement(threads=3, syscalls=10)) == "3 threads, 10 syscalls, all equal"


def test_a_difference_is_shown_with_context_from_both_sides():
    strace = canonical_threads(parse_strace(VFORK_AND_SPAWN))
    traced = {name: list(entries) for name, entries in strace.items()}
    traced["0.1"][0] = Entry("syscall", "execve", ("/nonexistent/program",), "EACCES")
    with pytest.raises(AssertionError) as failure:
        compare_threads(strace, traced)
    message = str(failure.value)
    assert "traced disagrees with strace on 1 of 3 threads (0.1)" in message
    assert "thread 0.1: first difference at entry 0" in message
    (marked,) = [line for line in message.splitlines() if line.startswith(">")]
    assert 'execve("/nonexistent/program") = ENOENT' in marked
    assert 'execve("/nonexistent/program") = EACCES' in marked


def test_a_thread_only_one_side_has_is_shown():
    strace = {"0": [Entry("syscall", "close", (), "ok")]}
    traced = {**strace, "0.0": [Entry("exit", "exited 0")]}
    with pytest.raises(AssertionError, match=r"thread 0\.0: only traced has it \(1 entries\)"):
        compare_threads(strace, traced)


def test_a_missing_tail_is_shown():
    strace = {"0": [Entry("syscall", "close", (), "ok"), Entry("exit", "exited 0")]}
    traced = {"0": strace["0"][:1]}
    with pytest.raises(AssertionError, match="first difference at entry 1"):
        compare_threads(strace, traced)


def test_seen_is_a_value():
    assert Seen(1, Entry("exit", "exited 0")) == Seen(1, Entry("exit", "exited 0"))
