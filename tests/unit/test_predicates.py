"""Argument predicates' text and values: what each condition parses to, what each
mistake says and where, and the evaluation on registers (the compiler is held to
it in test_bpf.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.unit.plain import returned
from traced.errors import PredicateError
from traced.events import Arg, SyscallEvent
from traced.filter.bpf import TRACE
from traced.filter.expression import parse_filter
from traced.filter.predicates import (
    ALL,
    ANY,
    EQ,
    GE,
    GT,
    LE,
    LT,
    Condition,
    View,
    holds,
    verdict,
    view_of,
)
from traced.syscalls.arch import X86_64

NATIVE, I386, _ = X86_64.abis


def conditions(item: str) -> tuple[Condition, ...]:
    filter_ = parse_filter([f"trace={item}"], X86_64)
    (name,) = filter_.rules
    return filter_.rules[name][0].conditions


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("write(fd==2)", Condition("fd", EQ, (2,))),
        ("write(fd!=2)", Condition("fd", EQ, (2,), None, True)),
        ("socket(domain==AF_INET|AF_INET6)", Condition("domain", EQ, (2, 10))),
        ("lseek(offset<-1)", Condition("offset", LT, (-1,))),
        ("lseek(offset<=0x10)", Condition("offset", LE, (16,))),
        ("lseek(offset>010)", Condition("offset", GT, (8,))),
        ("lseek(offset>=7)", Condition("offset", GE, (7,))),
        ("openat(flags&O_CREAT|O_TRUNC)", Condition("flags", ANY, (0o1100,))),
        ("openat(flags&=O_CREAT|O_EXCL)", Condition("flags", ALL, (0o300,))),
        ("openat(flags&O_ACCMODE==O_WRONLY|O_RDWR)", Condition("flags", EQ, (1, 2), 3)),
        ("openat(flags & (O_CREAT|O_EXCL) != O_CREAT)", Condition("flags", EQ, (64,), 192, True)),
        ("openat(!flags&O_CLOEXEC)", Condition("flags", ANY, (0o2000000,), None, True)),
        ("openat(!!dirfd==AT_FDCWD)", Condition("dirfd", EQ, (-100,))),
        ("kill(sig==SIGKILL)", Condition("sig", EQ, (9,))),
    ],
)
def test_each_condition_parses_to_its_value(item, expected):
    assert conditions(item) == (expected,)


def test_commas_are_and_and_repeated_names_are_or():
    f = parse_filter(["trace=read,openat(flags&O_CREAT,mode&0111),openat(dirfd!=-100)"], X86_64)
    assert f.syscalls == {"read", "openat"}
    assert [len(rule.conditions) for rule in f.rules["openat"]] == [2, 1]
    assert f.trace_value() == "read,openat(flags&O_CREAT,mode&0111),openat(dirfd!=-100)"
    again = parse_filter([f"trace={f.trace_value()}"], X86_64)
    assert again.rules == f.rules and again.syscalls == f.syscalls


def test_a_plain_name_or_class_keeps_every_call():
    f = parse_filter(["trace=%file,openat(flags&O_CREAT)"], X86_64)
    assert "openat" in f.syscalls and not f.rules
    assert parse_filter(["trace=/^open(at)?$"], X86_64).syscalls == {"open", "openat"}


@pytest.mark.parametrize(
    ("value", "why", "at"),
    [
        ("openat(flag&1)", "openat has no argument 'flag'", 7),
        ("openat(pathname==0)", "openat's pathname is a pointer (path)", 7),
        ("openat(flags&O_CREATE)", "unknown constant 'O_CREATE' for openat's flags", 13),
        ("write(fd==SIGKILL)", "unknown constant 'SIGKILL': write's fd (fd) takes numbers", 10),
        ("opnat(fd==1)", "invalid system call 'opnat'", 0),
        ("read,openat(flags&1", "'(' without its ')'", 11),
        ("openat(flags&1))", "')' without its '('", 15),
        ("write(fd=2)", "expected a comparison", 8),
        ("write(fd==)", "expected a number or a name", 10),
        ("write(fd==2)x", "expected ',' after ')'", 12),
        ("write()", "expected an argument of write", 6),
        ("lseek(offset<1|2)", "< compares with one value", 12),
        ("openat(flags&O_CREAT|O_EXCL==O_CREAT)", "put a mask of several terms", 13),
        ("openat(flags&1<2)", "a masked argument is compared with == or != only", 14),
        ("write(fd==4294967296)", "4294967296 does not fit write's fd (signed 32-bit)", 10),
        ("write(fd==08)", "08 is no number", 10),
        ("%file(fd==1)", "argument predicates follow one system call's name", 0),
        ("!openat(flags&1)", "a negated list cannot hold argument predicates", 0),
    ],
)
def test_each_mistake_says_what_and_where(value, why, at):
    with pytest.raises(PredicateError) as caught:
        parse_filter([f"trace={value}"], X86_64)
    assert caught.value.why.startswith(why), caught.value.why
    assert caught.value.position == at
    assert str(caught.value).splitlines()[1:] == [f"  {value}", "  " + " " * at + "^"]


def test_views_follow_each_abi():
    def view(syscall: str, arg: str, abi=NATIVE) -> View | None:
        return view_of(syscall, arg, abi)

    assert view("lseek", "fd") == View(0, None, 32, True)
    assert view("lseek", "offset") == View(1, None, 64, True)
    assert view("lseek", "offset", I386) == View(1, None, 32, True)
    assert view("pread64", "offset", I386) == View(3, 4, 64, True)
    assert view("read", "count") == View(2, None, 64, False)
    assert view("mmap", "prot", I386) is None  # old mmap: one pointer to a struct


def test_evaluation_reads_the_c_value():
    fd = View(0, None, 32, True)
    assert holds(Condition("fd", EQ, (-1,)), fd, (0xDEAD_BEEF_FFFF_FFFF,))
    assert holds(Condition("fd", LT, (0,)), fd, (0xFFFF_FFFF,))
    assert not holds(Condition("fd", EQ, (4294967295,)), fd, (0xFFFF_FFFF,))  # never an int
    split = View(0, 1, 64, True)
    assert holds(Condition("offset", EQ, (2**32 + 2,)), split, (2, 1))
    rules = parse_filter(["trace=lseek(whence==SEEK_END)"], X86_64).rules["lseek"]
    assert verdict(rules, "lseek", NATIVE, (0, 0, 2, 0, 0, 0)) == TRACE
    assert verdict(rules, "lseek", NATIVE, (0, 0, 1, 0, 0, 0)) is None


def test_admits_narrows_events_by_their_raw_registers():
    f = parse_filter(["trace=openat(flags&O_CREAT)"], X86_64)

    def openat(flags: int, arch: str = "x86_64") -> SyscallEvent:
        args = tuple(
            Arg(name=n, type="int", value=v, raw=v, text=str(v))
            for n, v in (
                ("dirfd", -100 & (2**64 - 1)),
                ("pathname", 0),
                ("flags", flags),
                ("mode", 0),
            )
        )
        return returned("openat", args, 3, arch=arch)

    assert f.admits(openat(0o101)) and not f.admits(openat(0o2000000))


def test_a_launch_without_predicates_imports_no_decoder_for_them():
    code = (
        "import sys; from traced.filter.expression import parse_filter;"
        "from traced.syscalls.arch import X86_64; parse_filter(['trace=openat'], X86_64);"
        "print('traced.filter.syntax' in sys.modules, 'traced.decoders.registry' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
