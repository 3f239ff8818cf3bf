"""The syscall signature table: complete, closed in its types, right where it matters."""

from __future__ import annotations

import pytest

from traced.syscalls import _tables
from traced.syscalls.signatures import (
    BASE_TYPES,
    CLASS_NAMES,
    CLASSES,
    ENUM_SETS,
    FLAG_SETS,
    I386_SIGNATURES,
    NORETURN,
    SIGNATURES,
    STRUCTS,
    Arg,
    Signature,
    is_type,
    path_arg_indices,
    signature,
)

X86_64_NAMES = sorted(set(_tables.X86_64.values()))
I386_NAMES = sorted(set(_tables.I386.values()))
X32_NAMES = sorted(set(_tables.X32.values()))


@pytest.mark.parametrize("name", X86_64_NAMES)
def test_every_x86_64_syscall_has_a_signature(name):
    sig = SIGNATURES[name]
    assert sig.name == name
    assert len(sig.args) <= 6
    for arg in sig.args:
        assert is_type(arg.type), (name, arg)
        assert arg.name.isidentifier(), (name, arg)
    assert len({arg.name for arg in sig.args}) == len(sig.args), name


def test_every_i386_and_x32_syscall_has_a_signature():
    assert set(I386_NAMES) <= set(SIGNATURES)
    assert set(X32_NAMES) <= set(SIGNATURES)
    for name in I386_NAMES:
        sig = signature(name, "i386")
        assert len(sig.args) <= 6
        assert all(is_type(arg.type) for arg in sig.args)


def test_no_signature_for_a_name_no_abi_has():
    every = set(X86_64_NAMES) | set(I386_NAMES) | set(X32_NAMES)
    assert set(SIGNATURES) == every
    assert set(I386_SIGNATURES) == set(SIGNATURES)


def test_the_type_vocabulary_is_closed_and_all_of_it_used():
    used = {arg.type for table in (SIGNATURES, I386_SIGNATURES) for s in table.values()
            for arg in s.args}  # fmt: skip
    declared = (
        set(BASE_TYPES)
        | {f"flags:{name}" for name in FLAG_SETS}
        | {f"enum:{name}" for name in ENUM_SETS}
        | {f"struct:{name}" for name in STRUCTS}
    )
    assert used == declared
    assert not is_type("flags:nonsense")
    assert not is_type("struct")
    assert not is_type("string")
    assert is_type("flags:open")
    assert is_type("enum:fcntl_cmd")


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("close", 1),
        ("read", 3),
        ("write", 3),
        ("openat", 4),
        ("open", 3),
        ("exit_group", 1),
        ("getpid", 0),
        ("clone", 5),
        ("clone3", 2),
        ("execve", 3),
        ("execveat", 5),
        ("mmap", 6),
        ("rt_sigreturn", 1),  # its frame, the stack pointer: strace shows its mask
        ("wait4", 4),
        ("statx", 5),
        ("newfstatat", 4),
    ],
)
def test_argument_counts(name, count):
    assert len(signature(name).args) == count


def test_kernel_argument_order():
    assert [a.name for a in signature("clone").args] == [
        "flags", "stack", "parent_tid", "child_tid", "tls",
    ]  # fmt: skip
    assert [a.name for a in signature("clone3").args] == ["cl_args", "size"]
    assert signature("execve").args == (
        Arg("pathname", "path"),
        Arg("argv", "strv"),
        Arg("envp", "strv"),
    )
    assert signature("openat").args == (
        Arg("dirfd", "dirfd"),
        Arg("pathname", "path"),
        Arg("flags", "flags:open"),
        Arg("mode", "mode"),
    )
    assert [a.type for a in signature("mmap").args] == [
        "ptr", "size", "flags:mmap_prot", "flags:mmap", "fd", "off",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "indices"),
    [
        ("open", (0,)),
        ("openat", (1,)),
        ("openat2", (1,)),
        ("creat", (0,)),
        ("execve", (0,)),
        ("execveat", (1,)),
        ("rename", (0, 1)),
        ("renameat", (1, 3)),
        ("renameat2", (1, 3)),
        ("link", (0, 1)),
        ("linkat", (1, 3)),
        # strace prints a symlink's target as a path (though -P ignores it).
        ("symlink", (0, 1)),
        ("symlinkat", (0, 2)),
        ("stat", (0,)),
        ("lstat", (0,)),
        ("newfstatat", (1,)),
        ("statx", (1,)),
        ("mkdir", (0,)),
        ("mkdirat", (1,)),
        ("unlink", (0,)),
        ("unlinkat", (1,)),
        ("fanotify_mark", (4,)),
        ("inotify_add_watch", (1,)),
        ("mount", (0, 1)),
        ("move_mount", (1, 3)),
        ("pivot_root", (0, 1)),
        ("read", ()),
        ("close", ()),
        ("fstat", ()),
        ("getpid", ()),
        ("memfd_create", ()),
        ("no_such_syscall", ()),
    ],
)
def test_path_arg_indices(name, indices):
    assert path_arg_indices(name) == indices
    assert path_arg_indices(name) is path_arg_indices(name)  # cached


def test_path_arguments_move_where_i386_splits_a_64_bit_value():
    assert path_arg_indices("fanotify_mark", "i386") == (5,)
    assert path_arg_indices("stat64", "i386") == (0,)
    assert path_arg_indices("fstatat64", "i386") == (1,)


def test_i386_layouts():
    clone = [a.name for a in signature("clone", "i386").args]
    assert clone == ["flags", "stack", "parent_tid", "tls", "child_tid"]
    assert len(signature("mmap", "i386").args) == 1
    assert len(signature("mmap2", "i386").args) == 6
    pread = signature("pread64", "i386")
    assert len(pread.args) == 5
    assert len(pread.printed) == 4
    assert signature("pread64", "i386").classes == signature("pread64").classes
    # x32 enters with 64-bit registers: the x86_64 layout.
    assert signature("pread64", "x32") is SIGNATURES["pread64"]


def test_printed_arguments_leave_out_split_halves():
    assert len(signature("preadv").args) == 5
    assert [a.name for a in signature("preadv").printed] == ["fd", "iov", "iovcnt", "offset"]
    assert len(signature("_llseek").printed) == 4
    assert len(signature("sigsuspend").printed) == 1
    assert signature("read").printed == signature("read").args


def test_unknown_name_gets_a_generic_signature():
    sig = signature("syscall_0x1ff")
    assert sig == Signature("syscall_0x1ff", sig.args, frozenset())
    assert len(sig.args) == 6
    assert all(arg.type == "hex" for arg in sig.args)
    assert signature("read", "no-such-abi") is SIGNATURES["read"]


def test_class_names():
    assert set(CLASSES) == set(CLASS_NAMES)
    assert CLASSES["%network"] == CLASSES["%net"]
    every = set(SIGNATURES)
    for cls, names in CLASSES.items():
        assert names <= every, cls
        assert names, cls


def test_file_class():
    assert {"open", "openat", "openat2", "execve", "execveat", "stat", "lstat", "newfstatat",
            "statx", "access", "unlink", "unlinkat", "rename", "renameat2", "mkdir", "chdir",
            "readlink", "truncate", "statfs", "getcwd"} <= CLASSES["%file"]  # fmt: skip
    assert "read" not in CLASSES["%file"]
    assert "fstat" not in CLASSES["%file"]
    assert "fchdir" not in CLASSES["%file"]
    # strace puts every syscall taking a pathname in %file.
    for name, sig in SIGNATURES.items():
        if any(arg.type == "path" for arg in sig.args):
            assert name in CLASSES["%file"], name


def test_process_class():
    expected = {"clone", "clone3", "execve", "execveat", "exit", "exit_group", "wait4",
                "waitid", "fork", "vfork", "kill", "tgkill"}  # fmt: skip
    assert expected <= CLASSES["%process"]
    assert "getpid" not in CLASSES["%process"]
    assert "unshare" not in CLASSES["%process"]


def test_desc_class():
    expected = {"read", "write", "close", "dup", "dup2", "dup3", "fcntl", "ioctl", "openat",
                "pread64", "pwrite64", "readv", "writev", "lseek", "fstat", "newfstatat",
                "pipe2", "poll", "select", "epoll_wait", "mmap"}  # fmt: skip
    assert expected <= CLASSES["%desc"]
    assert "stat" not in CLASSES["%desc"]
    assert "socket" not in CLASSES["%desc"]


def test_other_classes():
    assert {"socket", "connect", "accept4", "sendto", "recvmsg", "socketpair"} <= CLASSES["%net"]
    assert {"rt_sigaction", "rt_sigprocmask", "kill", "sigaltstack"} <= CLASSES["%signal"]
    assert {"shmget", "semop", "msgsnd", "ipc"} <= CLASSES["%ipc"]
    assert {"mmap", "munmap", "brk", "mprotect", "mmap2"} <= CLASSES["%memory"]
    assert {"setuid", "getresuid", "capget", "prctl"} <= CLASSES["%creds"]
    assert {"clock_gettime", "gettimeofday", "time"} <= CLASSES["%clock"]
    assert CLASSES["%pure"] >= {"getpid", "gettid", "getuid", "getppid", "getpgrp"}
    assert "setsid" not in CLASSES["%pure"]


def test_stat_families():
    assert {"stat", "stat64", "oldstat"} == CLASSES["%stat"]
    assert {"lstat", "lstat64", "oldlstat"} == CLASSES["%lstat"]
    assert {"fstat", "newfstatat", "statx", "fstat64", "fstatat64"} <= CLASSES["%fstat"]
    assert CLASSES["%%stat"] == CLASSES["%stat"] | CLASSES["%lstat"] | CLASSES["%fstat"]
    assert CLASSES["%statfs"] == {"statfs", "statfs64"}
    assert CLASSES["%fstatfs"] == {"fstatfs", "fstatfs64"}
    assert CLASSES["%%statfs"] == CLASSES["%statfs"] | CLASSES["%fstatfs"] | {"ustat"}


def test_noreturn():
    assert {"exit", "exit_group", "execve", "execveat", "rt_sigreturn"} <= NORETURN
    assert NORETURN.issubset(SIGNATURES)
    assert "vfork" not in NORETURN
