"""-e inject= and -e fault= parsed as strace 6.1 parses them (its words for each
refusal were taken from strace 6.1 itself: tests/integration/test_inject.py asks it
again for a sample)."""

from __future__ import annotations

import pytest

from traced.errors import InjectError, UnknownSyscallError
from traced.filter.expression import parse_filter
from traced.filter.inject import Injection, When, parse_delay, parse_when, retval_warnings
from traced.syscalls.arch import X86_64


def injection(*expressions: str, name: str = "unlinkat") -> Injection:
    return parse_filter(list(expressions), X86_64).injections.by_name[name]


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("1", When(1, None, 0)),
        ("3", When(3, None, 0)),
        ("2..3", When(2, 3, 1)),
        ("3+", When(3, None, 1)),
        ("3+2", When(3, None, 2)),
        ("1..5+2", When(1, 5, 2)),
        ("2..2", When(2, 2, 1)),
        ("1..65534", When(1, 65534, 1)),
        ("65535", When(65535, None, 0)),
        ("+3", When(3, None, 0)),  # strtoll's sign and blanks
    ],
)
def test_when_reads_as_strace_does(text: str, when: When) -> None:
    assert parse_when(text) == when


@pytest.mark.parametrize(
    "text", ["0", "2..1", "3+0", "1..65535", "65536", "3.", "3..", "3+x", "x", "", "-1", "1..2.."]
)
def test_when_refuses_what_strace_refuses(text: str) -> None:
    assert parse_when(text) is None


@pytest.mark.parametrize(
    ("when", "chosen"),
    [
        (When(1, None, 1), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        (When(3, None, 0), [3]),
        (When(2, 3, 1), [2, 3]),
        (When(3, None, 1), [3, 4, 5, 6, 7, 8, 9, 10]),
        (When(3, None, 2), [3, 5, 7, 9]),
        (When(1, 5, 2), [1, 3, 5]),
        (When(2, 9, 3), [2, 5, 8]),
    ],
)
def test_when_selects_straces_invocations(when: When, chosen: list[int]) -> None:
    assert [n for n in range(1, 11) if when.selects(n)] == chosen
    assert [n for n in range(1, 11) if _strace_countdown(when, n)] == chosen


def _strace_countdown(when: When, n: int) -> bool:
    """strace's own algorithm (tamper_with_syscall_entering), replayed for n calls."""
    first, last, step = when.first, 0xFFFF if when.last is None else when.last, when.step
    injected = False
    for _ in range(n):
        injected = False
        if first == 0 or last == 0:
            continue
        if last != 0xFFFF:
            last -= 1
        first -= 1
        if first != 0:
            continue
        first, injected = step, True
    return injected


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("1000", 1_000_000),
        ("0", 0),
        ("1.5ms", 1_500_000),
        ("2ms", 2_000_000),
        ("1e3", 1_000_000),
        ("+5", 5_000),
        (".5s", 500_000_000),
        ("7ns", 7),
        ("3s", 3_000_000_000),
    ],
)
def test_delays_read_as_strace_does(text: str, ns: int) -> None:
    assert parse_delay(text) == ns


@pytest.mark.parametrize("text", ["1x", "-1", "1e", "", "ms", "1.5 ms", " 1.5"])
def test_delays_strace_refuses(text: str) -> None:
    assert parse_delay(text) is None


def test_each_option_becomes_its_field() -> None:
    assert injection("inject=unlinkat:error=EPERM") == Injection(error=1)
    assert injection("inject=unlinkat:error=eperm") == Injection(error=1)
    assert injection("inject=unlinkat:error=13") == Injection(error=13)
    assert injection("inject=unlinkat:retval=0x10") == Injection(retval=16)
    assert injection("inject=unlinkat:retval=010") == Injection(retval=8)
    assert injection("inject=unlinkat:retval=-1") == Injection(retval=-1)
    assert injection("inject=unlinkat:retval=18446744073709551615") == Injection(retval=-1)
    assert injection("inject=unlinkat:signal=SIGUSR1") == Injection(signal=10)
    assert injection("inject=unlinkat:signal=usr1") == Injection(signal=10)
    assert injection("inject=unlinkat:signal=64") == Injection(signal=64)
    assert injection("inject=unlinkat:delay_enter=10:delay_exit=1ms") == Injection(
        delay_enter_ns=10_000, delay_exit_ns=1_000_000
    )
    assert injection("inject=unlinkat:syscall=getppid:error=EACCES") == Injection(
        error=13, syscall="getppid"
    )
    assert injection("inject=unlinkat:error=EPERM:when=1:when=2") == Injection(
        When(2, None, 0), error=1
    )
    assert injection("inject=unlinkat::error=EPERM:") == Injection(error=1)  # empty: skipped


def test_pokes_are_an_action_with_their_bytes() -> None:
    """strace 6.1's poke_enter=/poke_exit=: @argN (1..7) = hex bytes, comma-separated."""
    expression = "inject=sendfile:poke_enter=@arg3=0000000000000000,,@arg1=Ab:poke_exit=@arg3=ff"
    injection = parse_filter([expression], X86_64).injections.by_name["sendfile"]
    assert injection.poke_enter == ((2, bytes(8)), (0, b"\xab"))
    assert injection.poke_exit == ((2, b"\xff"),)
    assert injection.acts and not injection.in_kernel


def test_fault_defaults_to_enosys() -> None:
    assert injection("fault=unlinkat") == Injection(error=38)
    assert injection("fault=unlinkat:when=3") == Injection(When(3, None, 0), error=38)
    assert injection("fault=unlinkat:error=EPERM") == Injection(error=1)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("inject=unlinkat", "invalid inject argument 'unlinkat'"),
        ("inject=unlinkat:foo", "invalid inject argument 'unlinkat:foo'"),
        ("fault=unlinkat:retval=1", "invalid fault argument 'unlinkat:retval=1'"),
        ("fault=unlinkat:signal=SIGUSR1", "invalid fault argument 'unlinkat:signal=SIGUSR1'"),
        ("fault=unlinkat:delay_enter=1", "invalid fault argument 'unlinkat:delay_enter=1'"),
        (
            "inject=unlinkat:error=EPERM:retval=1",
            "invalid inject argument 'unlinkat:error=EPERM:retval=1'",
        ),
        ("inject=unlinkat:error=4096", "invalid inject argument 'unlinkat:error=4096'"),
        ("inject=unlinkat:error=0", "invalid inject argument 'unlinkat:error=0'"),
        ("inject=unlinkat:signal=0", "invalid inject argument 'unlinkat:signal=0'"),
        ("inject=unlinkat:signal=65", "invalid inject argument 'unlinkat:signal=65'"),
        (
            "inject=unlinkat:syscall=openat:error=EPERM",
            "invalid inject argument 'unlinkat:syscall=openat:error=EPERM'",
        ),
        ("inject=unlinkat:syscall=getpid", "invalid inject argument 'unlinkat:syscall=getpid'"),
        (
            "inject=unlinkat:when=0:error=EPERM",
            "invalid inject argument 'unlinkat:when=0:error=EPERM'",
        ),
        ("inject=unlinkat:delay_enter=1x", "invalid inject argument 'unlinkat:delay_enter=1x'"),
        (
            "inject=unlinkat:delay_enter=1:delay_enter=2",
            "invalid inject argument 'unlinkat:delay_enter=1:delay_enter=2'",
        ),
        ("inject=unlinkat:retval=1x", "invalid inject argument 'unlinkat:retval=1x'"),
        (
            "inject=unlinkat:retval=18446744073709551616",
            "invalid inject argument 'unlinkat:retval=18446744073709551616'",
        ),
        ("inject=read:poke_enter=@arg8=00", "invalid inject argument 'read:poke_enter=@arg8=00'"),
        ("inject=read:poke_enter=@arg1=0", "invalid inject argument 'read:poke_enter=@arg1=0'"),
        ("inject=read:poke_exit=@arg1=zz", "invalid inject argument 'read:poke_exit=@arg1=zz'"),
        ("inject=read:poke_exit=", "invalid inject argument 'read:poke_exit='"),
        (
            "inject=read:poke_enter=@arg1=00,@arg1=01",
            "invalid inject argument 'read:poke_enter=@arg1=00,@arg1=01'",
        ),
        (
            "inject=read:poke_enter=@arg1=00:poke_enter=@arg2=00",
            "invalid inject argument 'read:poke_enter=@arg1=00:poke_enter=@arg2=00'",
        ),
        ("fault=read:poke_enter=@arg1=00", "invalid fault argument 'read:poke_enter=@arg1=00'"),
    ],
)
def test_malformed_arguments_are_refused_in_straces_words(expression: str, message: str) -> None:
    with pytest.raises(InjectError) as caught:
        parse_filter([expression], X86_64)
    assert str(caught.value) == message


def test_the_set_is_a_trace_set_with_its_errors() -> None:
    with pytest.raises(UnknownSyscallError, match="invalid system call 'nosuch'"):
        parse_filter(["inject=nosuch:error=EPERM"], X86_64)
    with pytest.raises(UnknownSyscallError, match="invalid system call ''"):
        parse_filter(["inject=:error=EPERM"], X86_64)
    with pytest.raises(InjectError):  # the options are read before the set, as in strace
        parse_filter(["inject=nosuch:foo"], X86_64)
    names = parse_filter(["inject=%file:error=EPERM"], X86_64).injections.by_name
    assert {"openat", "unlinkat", "execve"} <= names.keys() and "read" not in names
    assert not parse_filter(["inject=?nosuch:error=EPERM"], X86_64).injections.by_name
    assert (
        "unlinkat" not in parse_filter(["inject=!unlinkat:error=EPERM"], X86_64).injections.by_name
    )


def test_a_later_argument_replaces_an_earlier_one_for_the_calls_both_name() -> None:
    parsed = parse_filter(
        ["fault=unlinkat,openat:when=1", "inject=unlinkat:retval=5:when=2"], X86_64
    ).injections
    assert parsed.by_name["unlinkat"] == Injection(When(2, None, 0), retval=5)
    assert parsed.by_name["openat"] == Injection(When(1, None, 0), error=38)
    assert parsed.expressions == ("fault=unlinkat,openat:when=1", "inject=unlinkat:retval=5:when=2")


def test_injection_does_not_change_the_trace_set() -> None:
    parsed = parse_filter(["trace=openat", "inject=unlinkat:error=EPERM"], X86_64)
    assert parsed.syscalls == frozenset({"openat"})


def test_in_kernel_is_an_errno_every_time_and_nothing_else() -> None:
    assert Injection(error=1).in_kernel
    assert not Injection(When(2, None, 0), error=1).in_kernel
    assert not Injection(error=1, signal=10).in_kernel
    assert not Injection(error=1, delay_exit_ns=0).in_kernel
    assert not Injection(error=1, syscall="getppid").in_kernel
    assert not Injection(retval=0).in_kernel


def test_retval_warnings_are_straces() -> None:
    assert retval_warnings(-1) == [
        "Inadvertent injection of error 1 is possible for retval=18446744073709551615"
    ]
    assert retval_warnings(4294967295) == [
        "Inadvertent injection of error 1 is possible in compat personality for retval=4294967295"
    ]
    assert retval_warnings(1 << 33) == [
        "Injected return value 8589934592 will be clipped to 0 in compat personality"
    ]
    assert retval_warnings(42) == [] and retval_warnings(None) == []
