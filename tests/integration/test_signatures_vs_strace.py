"""traced.syscalls.signatures checked against the real strace.

Two sources of truth:

* A probe program that, under a seccomp filter failing every syscall with ENOSYS
  (so nothing actually happens), enters each syscall number of an ABI once with all
  arguments zero: natively with ``syscall`` and as i386 with ``int 0x80``.  strace
  sees each entry before seccomp fails it, so one run shows strace's name and printed
  arguments for every number, and one run per ``-e trace=%class`` shows exactly which
  syscalls strace puts in that class.
* Real programs (ls, python, sh pipelines, gcc -c, tar, git --version) traced with
  ``strace -f``: the number of arguments strace prints for each syscall they make.

Printed argument counts are compared with :attr:`Signature.printed`, except where
strace's printing depends on the argument values (:data:`VARIABLE`) or is not an
argument list at all (:data:`SPECIAL`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from traced.syscalls import _tables
from traced.syscalls.signatures import CLASS_NAMES, CLASSES, SIGNATURES, signature

pytestmark = pytest.mark.integration

# Syscalls whose printed argument count depends on the values, with every count
# strace may show.
VARIABLE: dict[str, frozenset[int]] = {
    # mode (and mq_open's attr) only with O_CREAT or O_TMPFILE.
    "open": frozenset({2, 3}),
    "openat": frozenset({3, 4}),
    "mq_open": frozenset({2, 4}),
    # dev only for character and block devices.
    "mknod": frozenset({2, 3}),
    "mknodat": frozenset({3, 4}),
    # the third argument only for commands / requests that take one.
    "fcntl": frozenset({2, 3}),
    "fcntl64": frozenset({2, 3}),
    "ioctl": frozenset({2, 3}),
    # new_address only with MREMAP_FIXED.
    "mremap": frozenset({4, 5}),
    # as many arguments as the operation / request / command uses.
    "futex": frozenset({3, 4, 5, 6}),
    "futex_time64": frozenset({3, 4, 5, 6}),
    "ptrace": frozenset({1, 2, 3, 4}),
    "prctl": frozenset({1, 2, 3, 4, 5}),
    "keyctl": frozenset({1, 2, 3, 4, 5}),
    "syslog": frozenset({1, 2, 3}),
    "sysfs": frozenset({1, 2, 3}),
    "reboot": frozenset({3, 4}),
    "kcmp": frozenset({3, 5}),
    # strace 6.1 leaves out cpu_id unless the command uses it.
    "membarrier": frozenset({2, 3}),
}
# i386's one-pointer mmap and select: the pointer when unreadable, else its fields.
I386_VARIABLE: dict[str, frozenset[int]] = {
    "mmap": frozenset({1, 6}),
    "select": frozenset({1, 5}),
}
# Not an argument list to count.
SPECIAL: dict[str, str] = {
    "clone": "strace names the arguments (child_stack=, flags=, ...) in its own order",
    "rt_sigreturn": "strace shows the mask restored from the signal frame; no arguments",
    "sigreturn": "strace shows the mask restored from the signal frame; no arguments",
    "restart_syscall": "strace shows <... resuming interrupted CALL ...>",
    "socketcall": "strace shows the demultiplexed call (socket, connect, ...) instead",
    "ipc": "strace shows the demultiplexed call (semop, shmat, ...) instead",
}


def allowed_counts(name: str, abi: str) -> frozenset[int] | None:
    """The printed argument counts that agree with our signature; None: not compared."""
    if name in SPECIAL:
        return None
    if abi == "i386" and name in I386_VARIABLE:
        return I386_VARIABLE[name]
    if name in VARIABLE:
        return VARIABLE[name]
    return frozenset({len(signature(name, abi).printed)})


# ---------------------------------------------------------------- strace's output


def _structure(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """Positions of the brackets and commas of ``text`` outside quoted strings (with
    their escapes) and /* comments */."""
    i = start
    while i < len(text):
        char = text[i]
        if char == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = len(text) if end < 0 else end + 1
        elif char in "()[]{},":
            yield i, char
        i += 1


def split_args(text: str) -> list[str]:
    """strace's argument list split at its top-level commas."""
    args: list[str] = []
    depth = 0
    start = 0
    for i, char in _structure(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
    last = text[start:].strip()
    if last or args:
        args.append(last)
    return args


def _closing_paren(text: str, start: int) -> int:
    """Index of the ")" closing the "(" just before ``start``, or -1."""
    depth = 0
    for i, char in _structure(text, start):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return i if char == ")" else -1
            depth -= 1
    return -1


_CALL = re.compile(r"(?:\d+\s+)?([a-z_][a-z0-9_]*)\(")
_RESULT = re.compile(r"\s*= (.*)$")


class Call(NamedTuple):
    name: str
    args: list[str]
    result: str
    line: str


def parse_calls(output: str) -> Iterator[Call]:
    """The complete syscall lines of ``strace -o`` output (not signals, exits, or
    calls split into <unfinished ...> / <... resumed> halves)."""
    for line in output.splitlines():
        match = _CALL.match(line)
        if match is None or line.endswith("<unfinished ...>"):
            continue
        close = _closing_paren(line, match.end())
        if close < 0:
            continue
        result = _RESULT.match(line, close + 1)
        if result is None:
            continue
        args = split_args(line[match.end() : close])
        yield Call(match.group(1), args, result.group(1), line)


def test_split_args_keeps_nested_and_quoted_commas():
    text = (
        '3, "a, \\"b\\" (c"..., [{fd=3, events=POLLIN}], {st_mode=S_IFREG|0644, ...}, '
        "0x7ffc /* 39 vars, really */, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]"
    )
    assert len(split_args(text)) == 6
    assert split_args("") == []
    assert split_args("NULL") == ["NULL"]
    calls = list(
        parse_calls(
            '12 read(3, ") = 5", 832) = 832\n'
            "12 +++ exited with 0 +++\n"
            "12 --- SIGCHLD {si_signo=SIGCHLD} ---\n"
            "13 wait4(-1,  <unfinished ...>\n"
            "13 <... wait4 resumed>[{WIFEXITED(s)}], 0, NULL) = 14\n"
            "12 exit_group(0)                     = ?\n"
        )
    )
    assert [(c.name, len(c.args), c.result) for c in calls] == [
        ("read", 3, "832"),
        ("exit_group", 1, "?"),
    ]


# ---------------------------------------------------------------- running strace


@pytest.fixture(scope="module")
def strace() -> str:
    path = shutil.which("strace")
    if path is None:
        pytest.fail("strace is not on PATH; these tests compare with it (apt-get install strace)")
    return path


def run_strace(strace: str, out: Path, command: list[str], *options: str, cwd: Path) -> str:
    argv = [strace, "-f", "-qq", "-o", str(out), *options, *command]
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"{command} under strace exited {done.returncode}:\n{done.stderr[-2000:]}")
    return out.read_text()


# ---------------------------------------------------------------- the probe

PROBE_SOURCE = r"""
#define _GNU_SOURCE
#include <stddef.h>
#include <stdlib.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* exit_group with this second argument is the one syscall let through. */
#define MAGIC 0x5ecc0de

static void native(long nr) {
    register long r10 __asm__("r10") = 0;
    register long r8 __asm__("r8") = 0;
    register long r9 __asm__("r9") = 0;
    __asm__ volatile("syscall"
                     : "+a"(nr)
                     : "D"(0L), "S"(0L), "d"(0L), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
}

static void via_int80(long nr) {
    __asm__ volatile("push %%rbp\n\txor %%ebp, %%ebp\n\tint $0x80\n\tpop %%rbp"
                     : "+a"(nr)
                     : "b"(0L), "c"(0L), "d"(0L), "S"(0L), "D"(0L)
                     : "memory");
}

int main(int argc, char **argv) {
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 5),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MAGIC, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 38 /* ENOSYS */),
    };
    struct sock_fprog prog = {sizeof filter / sizeof filter[0], filter};
    if (argc < 2) return 2;
    /* Without the filter, the zero-argument calls below would really happen. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 77;
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) return 77;
    for (int i = 2; i < argc; i++) {
        if (argv[1][0] == '3') via_int80(atol(argv[i])); else native(atol(argv[i]));
    }
    syscall(__NR_exit_group, 0, MAGIC);
    return 1;
}
"""

ABI_TABLES: dict[str, dict[int, str]] = {"x86_64": _tables.X86_64, "i386": _tables.I386}


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.fail("gcc is not on PATH; it builds the probe (apt-get install gcc)")
    build = tmp_path_factory.mktemp("probe")
    (build / "probe.c").write_text(PROBE_SOURCE)
    command = [gcc, "-O1", "-Wall", "-o", str(build / "probe"), str(build / "probe.c")]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"cannot compile the probe:\n{done.stderr}")
    return build / "probe"


def run_probe(strace: str, probe: Path, abi: str, tmp_path: Path, *options: str) -> list[Call]:
    """The probe's ENOSYS-failed calls, in number order, as strace showed them."""
    numbers = [str(nr) for nr in sorted(ABI_TABLES[abi])]
    command = [str(probe), "32" if abi == "i386" else "64", *numbers]
    if abi == "i386":
        # int 0x80 needs the kernel's IA32 emulation; try it with getpid first.
        check = subprocess.run([str(probe), "32", "20"], capture_output=True, check=False)
        if check.returncode < 0:
            pytest.skip("this kernel cannot run i386 syscalls (no IA32 emulation)")
    if subprocess.run([str(probe), "64"], check=False).returncode == 77:
        pytest.fail("cannot install the probe's seccomp filter")
    output = run_strace(strace, tmp_path / "probe.out", command, *options, cwd=tmp_path)
    return [call for call in parse_calls(output) if call.result.startswith("-1 ENOSYS")]


@pytest.mark.parametrize("abi", ["x86_64", "i386"])
def test_probe_every_syscall_name_and_printed_arg_count(strace, probe, abi, tmp_path):
    calls = run_probe(strace, probe, abi, tmp_path)
    table = ABI_TABLES[abi]
    # strace saw every number once, by the name our table gives it.
    assert [call.name for call in calls] == [table[nr] for nr in sorted(table)]
    wrong = []
    for call in calls:
        allowed = allowed_counts(call.name, abi)
        if allowed is not None and len(call.args) not in allowed:
            wrong.append((call.name, len(call.args), sorted(allowed), call.line))
    assert wrong == []


@pytest.mark.parametrize("abi", ["x86_64", "i386"])
@pytest.mark.parametrize("cls", CLASS_NAMES)
def test_probe_class_membership(strace, probe, abi, cls, tmp_path):
    calls = run_probe(strace, probe, abi, tmp_path, f"--trace={cls}", "--signal=none")
    names = set(ABI_TABLES[abi].values())
    assert {call.name for call in calls} == CLASSES[cls] & names


# ---------------------------------------------------------------- real programs

PYTHON_SCRIPT = """
import os, signal, socket, subprocess, tempfile, mmap
a, b = socket.socketpair()
a.sendall(b"x"); b.recv(1); a.close(); b.close()
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
with tempfile.TemporaryDirectory() as d:
    p = os.path.join(d, "f")
    with open(p, "w") as f:
        f.write("hello")
    os.rename(p, p + "2"); os.symlink(p + "2", p); os.readlink(p); os.lstat(p)
    os.listdir(d); os.chmod(p + "2", 0o600); os.unlink(p)
signal.signal(signal.SIGUSR1, lambda *_: None)
os.kill(os.getpid(), signal.SIGUSR1)
m = mmap.mmap(-1, 4096); m.close()
subprocess.run(["true"], check=True)
"""

SMALL_C = "int add(int a, int b) { return a + b; }\n"


def _programs(work: Path) -> dict[str, list[str]]:
    (work / "small.c").write_text(SMALL_C)
    return {
        "ls": ["ls", "-la", str(work), "/"],
        "python": [sys.executable, "-c", PYTHON_SCRIPT],
        "sh-pipeline": ["sh", "-c", "echo hello | tr a-z A-Z | wc -c > out.txt; cat out.txt"],
        "gcc": ["gcc", "-c", "small.c", "-o", "small.o"],
        "tar": ["sh", "-c", "tar -cf a.tar small.c && tar -tvf a.tar && tar -xOf a.tar"],
        "git": ["git", "--version"],
    }


@pytest.mark.parametrize("program", ["ls", "python", "sh-pipeline", "gcc", "tar", "git"])
def test_real_program_printed_arg_counts(strace, program, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    command = _programs(work)[program]
    if shutil.which(command[0]) is None:
        pytest.fail(f"{command[0]} is not on PATH")
    env = {**os.environ, "LC_ALL": "C"}
    argv = [strace, "-f", "-qq", "-o", str(tmp_path / "out"), *command]
    done = subprocess.run(argv, cwd=work, env=env, capture_output=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    calls = list(parse_calls((tmp_path / "out").read_text()))
    compared = set()
    wrong = []
    for call in calls:
        if call.name.startswith("syscall_"):
            continue
        assert call.name in SIGNATURES, call.line
        allowed = allowed_counts(call.name, "x86_64")
        if allowed is None:
            continue
        compared.add(call.name)
        if len(call.args) not in allowed:
            wrong.append((call.name, len(call.args), sorted(allowed), call.line))
    assert wrong == []
    assert len(compared) >= 10, sorted(compared)


@pytest.mark.parametrize("cls", ["%file", "%desc", "%net", "%process", "%signal", "%memory"])
def test_real_program_class_membership(strace, cls, tmp_path):
    command = [sys.executable, "-c", PYTHON_SCRIPT]
    output = run_strace(strace, tmp_path / "out", command, f"--trace={cls}", cwd=tmp_path)
    seen = {call.name for call in parse_calls(output)}
    assert seen, f"nothing in {cls}"
    assert seen <= CLASSES[cls]
