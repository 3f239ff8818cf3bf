"""The filter language parser: every feature, with sets computed from the tables."""

from __future__ import annotations

import re

import pytest

from traced.errors import FilterError, UnknownSyscallError
from traced.filter.expression import Filter, parse_filter, parse_trace
from traced.syscalls.arch import X86_64
from traced.syscalls.signatures import CLASSES

ALL = frozenset(name for abi in X86_64.abis for name in abi.numbers_by_name)
STATUSES = {"successful", "failed", "unfinished", "unavailable", "detached"}


def syscalls(*expressions: str) -> frozenset[str] | None:
    return parse_filter(expressions, X86_64).syscalls


def error(*expressions: str, **kwargs: bool) -> str:
    with pytest.raises(FilterError) as raised:  # UnknownSyscallError is not one
        parse_filter(expressions, X86_64, **kwargs)  # type: ignore[arg-type]
    return str(raised.value)


def unknown(*expressions: str) -> str:
    with pytest.raises(UnknownSyscallError) as raised:
        parse_filter(expressions, X86_64)
    return str(raised.value)


def test_no_expression_selects_everything() -> None:
    assert parse_filter([], X86_64) == Filter(None, None, None, ())


@pytest.mark.parametrize("qualifier", ["trace=", "t=", ""])
def test_names_and_qualifier_aliases(qualifier: str) -> None:
    assert syscalls(f"{qualifier}openat,close") == {"openat", "close"}


def test_empty_items_between_commas_are_skipped() -> None:
    assert syscalls("trace=,openat,,close,") == {"openat", "close"}


def test_all_none_and_negations() -> None:
    assert syscalls("trace=all") is None
    assert syscalls("trace=none") == frozenset()
    assert syscalls("trace=!none") is None
    assert syscalls("trace=!all") == frozenset()
    assert syscalls("trace=!openat") == ALL - {"openat"}
    assert syscalls("trace=!!openat") == {"openat"}
    # all is also a (legacy) class, so inside a list it selects everything
    assert syscalls("trace=openat,all") is None


def test_negation_applies_to_the_whole_list() -> None:
    assert syscalls("trace=!%file,openat") == ALL - CLASSES["%file"] - {"openat"}


def test_later_trace_replaces_earlier() -> None:
    assert syscalls("trace=openat", "trace=close") == {"close"}


@pytest.mark.parametrize("cls", sorted(CLASSES))
def test_classes(cls: str) -> None:
    assert syscalls(f"trace={cls}") == CLASSES[cls]


@pytest.mark.parametrize("legacy", ["desc", "file", "memory", "process", "signal", "ipc"])
def test_legacy_class_names(legacy: str) -> None:
    assert syscalls(f"trace={legacy}") == CLASSES[f"%{legacy}"]
    assert syscalls("trace=network") == CLASSES["%net"] == CLASSES["%network"]


def test_class_names_are_case_sensitive() -> None:
    assert unknown("trace=%NET") == "invalid system call '%NET'"


def test_regex_searches_every_abi() -> None:
    assert syscalls("trace=/^open") == {n for n in ALL if n.startswith("open")}
    assert syscalls("trace=/stat$") == {n for n in ALL if n.endswith("stat")}
    assert syscalls("trace=/^(open|close)") == {n for n in ALL if re.match("open|close", n)}
    assert syscalls("trace=/") is None  # the empty regex finds every name
    assert syscalls("trace=/at,close") == {n for n in ALL if "at" in n} | {"close"}


def test_regex_that_finds_nothing_is_invalid() -> None:
    assert unknown("trace=/zzzz") == "invalid system call '/zzzz'"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("trace=/(", "regcomp: (: Unmatched ( or \\("),
        ("trace=/[a", "regcomp: [a: Unmatched [, [^, [:, [., or [="),
        ("trace=/*", "regcomp: *: Invalid preceding regular expression"),
        ("trace=/a{2,1}", "regcomp: a{2: Unmatched \\{"),  # split at the comma first
    ],
)
def test_bad_regex(expression: str, message: str) -> None:
    assert error(expression) == message


def test_question_mark_ignores_an_unknown_item() -> None:
    assert syscalls("trace=?nosuchcall,openat") == {"openat"}
    assert syscalls("trace=??openat") == {"openat"}
    assert syscalls("trace=?%nosuch,close") == {"close"}
    assert syscalls("trace=?/zzz,close") == {"close"}
    assert syscalls("trace=?") == frozenset()
    # but not a regex that does not compile
    assert error("trace=?/(,close").startswith("regcomp: (:")


def test_numbers_pick_that_number_in_every_abi() -> None:
    expected = {abi.names_by_nr[257] for abi in X86_64.abis if 257 in abi.names_by_nr}
    assert "openat" in expected
    assert syscalls("trace=257") == expected
    assert syscalls("trace=257@64") == {"openat"}
    assert unknown("trace=99999") == "invalid system call '99999'"
    assert unknown("trace=0x10") == "invalid system call '0x10'"


def test_personality_suffix() -> None:
    i386 = set(X86_64.abis[1].numbers_by_name)
    assert syscalls("trace=openat@64") == {"openat"}
    assert syscalls("trace=%file@32") == CLASSES["%file"] & i386
    assert syscalls("trace=/open@64") == {n for n in X86_64.native.numbers_by_name if "open" in n}
    assert unknown("trace=oldstat@64") == "invalid system call 'oldstat@64'"
    assert syscalls("trace=oldstat") == {"oldstat"}
    assert unknown("trace=@64") == "invalid system call '@64'"
    assert unknown("trace=/a@b@64") == "invalid system call '/a@b@64'"
    message = "incorrect personality designator 'zz' in qualification 'openat@zz'"
    assert error("trace=openat@zz") == message
    assert error("trace=?openat@zz") == message


@pytest.mark.parametrize(
    ("expression", "bad"),
    [
        ("trace=nosuch", "nosuch"),
        ("trace=", ""),
        ("trace=!", "!"),
        ("trace=,", ","),
        ("trace=%file,!openat", "!openat"),
        ("trace=openat, close", " close"),
        ("trace=OPENAT", "OPENAT"),
        ("trace=%", "%"),
        ("foo=bar", "foo=bar"),  # no qualifier: the whole is a trace value
        ("trace=a=b", "a=b"),
    ],
)
def test_invalid_system_call_names_the_token(expression: str, bad: str) -> None:
    assert unknown(expression) == f"invalid system call '{bad}'"


def test_other_strace_qualifiers_are_refused_by_name() -> None:
    assert "abbrev" in error("abbrev=none")
    assert "kvm" in error("kvm=vcpu")  # inject= and fault= are taken: test_inject_parse.py


def test_status() -> None:
    def status(value: str) -> frozenset[str] | None:
        return parse_filter([f"status={value}"], X86_64).status

    assert status("failed") == {"failed"}
    assert status("FAILED,Successful") == {"failed", "successful"}
    assert status("!successful") == STATUSES - {"successful"}
    assert status("all") is None
    assert status("!none") is None
    assert status("none") == frozenset()
    assert status(",".join(STATUSES)) is None
    assert parse_filter(["status=failed", "status=detached"], X86_64).status == {"detached"}
    assert error("status=bogus") == "invalid status 'bogus'"
    assert error("status=") == "invalid status ''"
    assert error("status=failed,nope") == "invalid status 'nope'"


def test_z_and_big_z() -> None:
    assert parse_filter([], X86_64, successful_only=True).status == {"successful"}
    assert parse_filter([], X86_64, failed_only=True).status == {"failed"}
    # as if given after -e status=, where strace's last one wins
    assert parse_filter(["status=successful"], X86_64, failed_only=True).status == {"failed"}
    assert "-Z" in error(successful_only=True, failed_only=True)


def test_signals() -> None:
    def signals(value: str) -> frozenset[int] | None:
        return parse_filter([f"signal={value}"], X86_64).signals

    assert signals("SIGCHLD") == {17}
    assert signals("chld,hup") == {17, 1}
    assert signals("17,0,255,017") == {17, 0, 255}
    assert signals("SIGSTKFLT,SIGPWR,SIGSYS") == {16, 30, 31}
    assert signals("SIGRTMIN,rtmin,SIGRT_1,SIGRT_32") == {32, 33, 64}
    assert signals("!SIGCHLD") == frozenset(range(256)) - {17}
    assert signals("all") is None
    assert signals("none") == frozenset()
    for alias in ("s", "signals"):
        assert parse_filter([f"{alias}=HUP"], X86_64).signals == {1}
    bad_names = ("SIGFOO", "SIGRT_0", "SIGRT_33", "SIGRTMAX", "SIGIOT", "SIG_0")
    for bad in ("256", "-1", "0x11", *bad_names):
        assert error(f"signal={bad}") == f"invalid signal '{bad}'"
    assert error("signal=") == "invalid signal ''"
    assert error("signal=,") == "invalid signal ','"


def test_wants_syscall_and_signal() -> None:
    f = parse_filter(["trace=%file", "status=failed"], X86_64, paths=["/etc/passwd"])
    assert f.paths == ("/etc/passwd",)
    assert f.wants_syscall("openat", "ENOENT", True, ["/etc/passwd"])
    assert not f.wants_syscall("openat", None, True, ["/etc/passwd"])  # succeeded
    assert not f.wants_syscall("openat", "ENOENT", True, ["/etc/shadow"])  # other path
    assert not f.wants_syscall("openat", "ENOENT", True, [])
    assert not f.wants_syscall("read", "EBADF", True, ["/etc/passwd"])  # not %file
    assert not f.wants_syscall("openat", None, False, ["/etc/passwd"])  # unfinished
    unfinished = parse_filter(["status=unfinished,detached"], X86_64)
    assert unfinished.wants_syscall("exit_group", None, False)
    assert unfinished.wants_syscall("read", None, True, outcome="detached")
    assert not unfinished.wants_syscall("read", None, True, outcome="unavailable")
    assert Filter().wants_syscall("anything", None, True) and Filter().wants_signal(9)
    quiet = parse_filter(["signal=!SIGCHLD"], X86_64)
    assert quiet.wants_signal(1) and not quiet.wants_signal(17)


def test_parse_trace_gives_the_syscall_set() -> None:
    assert parse_trace(["trace=openat,close"], X86_64) == {"openat", "close"}
    assert parse_trace(["%net"], X86_64) == CLASSES["%net"]
    assert parse_trace([], X86_64) is None
    with pytest.raises(UnknownSyscallError, match="invalid system call 'nosuch'"):
        parse_trace(["trace=nosuch"], X86_64)
