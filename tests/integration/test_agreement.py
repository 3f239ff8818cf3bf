"""traced agrees with strace: the same programs run under both, and thread by
thread they must show the same syscalls, paths and outcomes (stracecmp.py says
how the two outputs are reduced to a common form).

Run with ``pytest -s -m integration`` to see what each test proved.  Set
``STRACECMP_SELFCHECK=1`` to compare strace with itself instead: that shows the
programs are deterministic enough to compare at all.
"""

from __future__ import annotations

import errno
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.stracecmp import (
    Entry,
    Outcome,
    TookOver,
    Tracers,
    canonical_threads,
    trace_set,
)

pytestmark = pytest.mark.integration

# Calls about files, plus those that make and end tasks (identity, exits).
FILE_CALLS = trace_set(
    "open",
    "openat",
    "creat",
    "execve",
    "execveat",
    "stat",
    "lstat",
    "newfstatat",
    "statx",
    "access",
    "faccessat",
    "faccessat2",
    "readlink",
    "readlinkat",
    "unlink",
    "unlinkat",
    "mkdir",
    "mkdirat",
    "rmdir",
    "rename",
    "renameat",
    "renameat2",
    "chdir",
    "close",
    "wait4",
    "exit",
    "exit_group",
)


def tool(name: str) -> str:
    """Absolute path of a program: strace resolves PATH itself, a launcher may
    not; only the traced program's own lookups should be in the traces."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not on PATH")
    return path


def report(label: str, outcome: Outcome, tracers: Tracers) -> None:
    print(f"\n{label}: {outcome.agreement} (strace vs {tracers.second})")


def threads_of(outcome: Outcome) -> dict[str, list[Entry]]:
    """What the second tracer (traced) saw, per canonical thread, signals too."""
    return canonical_threads(outcome.traced_observations, kinds=("syscall", "exit", "signal"))


# --------------------------------------------------------------------------
# Everyday programs


def test_coreutils_in_a_temp_dir(tracers):
    script = "mkdir d && touch d/a && cp d/a d/b && ls -l d >/dev/null && mv d/b d/c && rm -r d"
    outcome = tracers.agree([tool("sh"), "-c", script], FILE_CALLS)
    assert outcome.strace.status == 0
    report("coreutils", outcome, tracers)


def test_shell_pipeline(tracers):
    # No read/write in the trace set: how a pipe's data is split between
    # reads depends on timing.
    outcome = tracers.agree([tool("sh"), "-c", "cat /etc/passwd | grep root | wc -l"], FILE_CALLS)
    assert outcome.strace.status == 0
    report("pipeline", outcome, tracers)


PYTHON_THREADS = """
import threading

def touch(index):
    try:
        open(f"/nonexistent/thread-{index}")
    except FileNotFoundError:
        pass

threads = [threading.Thread(target=touch, args=(i,)) for i in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""


def test_python_threads(tracers):
    # -I: no user site, no PYTHON* variables (PYTHONPATH is set to run traced).
    outcome = tracers.agree([sys.executable, "-I", "-c", PYTHON_THREADS], FILE_CALLS)
    assert outcome.strace.status == 0
    assert outcome.agreement.threads == 9
    report("python threads", outcome, tracers)


def test_gcc_compiles_a_file(tracers):
    def write_source(workdir: Path) -> None:
        (workdir / "hello.c").write_text('#include <stdio.h>\nint main(void) { puts("hi"); }\n')

    argv = [tool("gcc"), "-O1", "-c", "hello.c", "-o", "hello.o"]
    outcome = tracers.agree(argv, FILE_CALLS, prepare=write_source)
    assert outcome.strace.status == 0
    report("gcc -c", outcome, tracers)


# --------------------------------------------------------------------------
# Making tasks


def test_fork50(tracers, programs):
    outcome = tracers.agree([str(programs["fork50"]), "."], FILE_CALLS)
    assert outcome.strace.status == 0
    assert outcome.agreement.threads == 51
    report("fork50", outcome, tracers)


def test_vfork_and_posix_spawn(tracers, programs):
    outcome = tracers.agree([str(programs["spawn"])], FILE_CALLS)
    assert outcome.strace.status == 0
    assert outcome.agreement.threads == 5
    report("vfork/posix_spawn", outcome, tracers)


def test_exec_from_a_non_leader_thread(tracers, programs):
    outcome = tracers.agree([str(programs["exec_thread"])], (*FILE_CALLS, "read", "pause"))
    assert outcome.strace.status == 0
    assert any(isinstance(seen, TookOver) for seen in outcome.traced_observations), (
        "no exec event with old_tid set for the thread that exec'd"
    )
    leader, blocker, execer = (threads_of(outcome)[name] for name in ("0", "0.0", "0.1"))
    assert leader[-1] == Entry("syscall", "pause", (), "unfinished")
    assert blocker[-2:] == [Entry("syscall", "read", (), "unfinished"), Entry("exit", "exited 0")]
    assert Entry("syscall", "execve", ("/bin/true",), "ok") in execer
    assert execer[-1] == Entry("exit", "exited 0")
    report("exec from a thread", outcome, tracers)


def test_orphan_outlives_the_command(tracers):
    # Like strace -f, traced follows a descendant until it ends, even after the
    # command itself has exited (and its exit status is the command's).
    script = "(sleep 0.2; cat /nonexistent/late) & exit 3"
    outcome = tracers.agree([tool("sh"), "-c", script], FILE_CALLS)
    assert outcome.strace.status == 3
    assert threads_of(outcome)["0.0"][-1] == Entry("exit", "exited 1")
    report("orphan", outcome, tracers)


# --------------------------------------------------------------------------
# Signals


def test_stop_and_continue(tracers, programs):
    trace = (*FILE_CALLS, "read", "write", "kill", "tgkill")
    outcome = tracers.agree([str(programs["stopcont"])], trace, signals=True)
    assert outcome.strace.status == 0, outcome.strace.stderr
    reader = threads_of(outcome)["0.1"]
    reads = [e.outcome for e in reader if e.name == "read" and e.kind == "syscall"]
    assert reads[-2:] == ["ERESTARTSYS", "ok"]
    report("SIGSTOP/SIGCONT", outcome, tracers)


def test_interrupted_syscalls(tracers, programs):
    trace = trace_set(
        "read",
        "write",
        "pause",
        "rt_sigreturn",
        "clock_nanosleep",
        "nanosleep",
        "restart_syscall",
        "exit_group",
    )
    outcome = tracers.agree([str(programs["eintr"])], trace, signals=True)
    assert outcome.strace.status == 0
    # Before these, only the dynamic loader's read of libc.
    assert [str(e) for e in threads_of(outcome)["0"][1:]] == [
        "read() = ERESTARTSYS",  # no SA_RESTART...
        "--- SIGALRM ---",
        "rt_sigreturn() = EINTR",  # ...so the program gets EINTR
        "read() = ERESTARTSYS",  # SA_RESTART...
        "--- SIGALRM ---",
        "write() = ok",  # (the handler writes into the pipe)
        "rt_sigreturn() = ok",
        "read() = ok",  # ...so read is made again, and gets the handler's byte
        "clock_nanosleep() = ERESTART_RESTARTBLOCK",
        "--- SIGWINCH ---",  # ignored, so the sleep goes on
        "restart_syscall() = ok",
        "pause() = ERESTARTNOHAND",  # with a handler, pause ends...
        "--- SIGALRM ---",
        "rt_sigreturn() = EINTR",  # ...with EINTR
        "exit_group() = unfinished",
        "+++ exited 0 +++",
    ]
    report("interrupted syscalls", outcome, tracers)


def test_signal_to_a_thread_that_then_forks(tracers, programs):
    trace = (*FILE_CALLS, "read", "write", "tgkill", "rt_sigreturn")
    outcome = tracers.agree([str(programs["thread_signal"])], trace, signals=True)
    assert outcome.strace.status == 0, outcome.strace.stderr
    threads = threads_of(outcome)
    assert [str(e) for e in threads["0.0"][:5]] == [
        "read() = ERESTARTSYS",
        "--- SIGUSR1 ---",
        "write() = ok",
        "rt_sigreturn() = ok",
        "read() = ok",
    ]
    assert threads["0.0.0"][-1] == Entry("exit", "exited 7")
    report("signal to a thread, fork from it", outcome, tracers)


@pytest.mark.parametrize("signo", [signal.SIGKILL, signal.SIGSEGV], ids=lambda s: s.name)
def test_killed_by_a_signal(tracers, programs, signo):
    argv = [str(programs["killed"]), str(int(signo))]
    outcome = tracers.agree(argv, trace_set("openat", "kill", "exit_group"), signals=True)
    assert outcome.traced.status == 128 + signo
    assert threads_of(outcome)["0"][-1] == Entry("exit", f"killed {signo.name}")
    report(f"killed by {signo.name}", outcome, tracers)


# --------------------------------------------------------------------------
# Exec failures


def write_non_executable(workdir: Path) -> None:
    (workdir / "plain").write_text("#!/bin/sh\nexit 0\n")


def test_exec_failures_in_a_shell(tracers):
    script = "/nonexistent/program; ./plain"
    argv = [tool("sh"), "-c", script]
    outcome = tracers.agree(argv, FILE_CALLS, prepare=write_non_executable)
    assert outcome.strace.status == 126
    execs = [e for es in threads_of(outcome).values() for e in es if e.name == "execve"]
    assert [e.outcome for e in execs] == ["ok", "ENOENT", "EACCES"]
    report("exec failures via sh", outcome, tracers)


def launch_directly(tracers: Tracers, program: str) -> subprocess.CompletedProcess[str]:
    write_non_executable(tracers.workdir)
    command = [tracers.python, "-m", "traced", "launch", "-f", "--json", "-o", "trace.jsonl"]
    return subprocess.run(
        [*command, "--", program],
        cwd=tracers.workdir,
        env=tracers.env,
        capture_output=True,
        text=True,
        timeout=tracers.timeout,
        check=False,
    )


@pytest.mark.parametrize(
    ("program", "status", "error"),
    [("/nonexistent/program", 127, errno.ENOENT), ("./plain", 126, errno.EACCES)],
    ids=["missing", "not-executable"],
)
def test_launch_of_a_program_that_cannot_run(tracers, program, status, error):
    done = launch_directly(tracers, program)
    message = done.stderr.strip()
    assert done.returncode == status, message
    assert "Traceback" not in message
    assert len(message.splitlines()) == 1, message
    assert program in message
    assert errno.errorcode[error] in message
    print(f"\nlaunch {program}: exit {status}, stderr: {message}")


# --------------------------------------------------------------------------
# Every syscall


@pytest.mark.parametrize("argv", [["true"], ["ls", "-la", "."]], ids=" ".join)
def test_every_syscall(tracers, argv):
    def some_files(workdir: Path) -> None:
        for name in ("a", "b", "c"):
            (workdir / name).write_text(name)

    outcome = tracers.agree([tool(argv[0]), *argv[1:]], None, prepare=some_files)
    assert outcome.strace.status == 0
    report(f"all syscalls of {' '.join(argv)}", outcome, tracers)


@pytest.mark.parametrize(
    ("program", "args"), [("fork50", ["."]), ("spawn", [])], ids=["fork50", "spawn"]
)
def test_every_syscall_of_many_processes(tracers, programs, program, args):
    # Single-threaded processes only: with threads, futex counts vary by timing.
    outcome = tracers.agree([str(programs[program]), *args], None)
    assert outcome.strace.status == 0
    report(f"all syscalls of {program}", outcome, tracers)


def test_traced_output_is_json_lines(tracers, programs):
    """The comparison above reads traced's output; make sure every line of it
    is a typed event, so a malformed line cannot be silently skipped."""
    if tracers.selfcheck:
        pytest.skip("STRACECMP_SELFCHECK=1 runs no traced")
    outcome = tracers.agree([str(programs["spawn"])], FILE_CALLS)
    types = {json.loads(line)["type"] for line in outcome.traced.output.splitlines() if line}
    assert {"syscall", "spawn", "exec", "exit"} <= types
