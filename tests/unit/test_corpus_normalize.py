"""The corpus test's normalization, on lines captured from strace 6.1: no processes."""

from __future__ import annotations

# corpus lives beside the integration tests that use it; tests/unit is no
# package, so its directory is put on the path to import it by the same name.
from tests.integration.corpus import (
    Line,
    classes_of,
    compare_raw,
    normalize,
    unpad,
    unprefixed_count,
)

WAIT4 = [
    "12178 wait4(-1,  <unfinished ...>",
    "12180 close(5 <unfinished ...>",
    "12180 <... close resumed>)              = 0",
    "12178 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 12180",
]


def texts(lines: list[Line]) -> list[str]:
    return [line.text for line in lines]


def test_unfinished_and_resumed_make_one_line_where_the_unfinished_one_was() -> None:
    assert normalize(WAIT4) == [
        Line("P1", "wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = P2"),
        Line("P2", "close(5) = 0"),
    ]


def test_merge_keeps_the_space_strace_prints_after_a_comma() -> None:
    lines = [
        "7 ioctl(1, TCGETS <unfinished ...>",
        "7 <... ioctl resumed>, 0x7ffede079fb0) = -1 ENOTTY (Inappropriate ioctl for device)",
        "7 read(3,  <unfinished ...>",
        '7 <... read resumed>"hello\\n", 6)   = 6',
    ]
    assert texts(normalize(lines)) == [
        "ioctl(1, TCGETS, 0xADDR) = -1 ENOTTY (Inappropriate ioctl for device)",
        'read(3, "hello\\n", 6) = 6',
    ]


def test_a_line_never_resumed_stays_unfinished() -> None:
    assert texts(normalize(["5 exit(0 <unfinished ...>", "5 +++ exited with 0 +++"])) == [
        "exit(0 <unfinished ...>",
        "+++ exited with 0 +++",
    ]


def test_padding_by_strace_rule_becomes_one_space_whatever_the_pid_width() -> None:
    five = "12178 close(3)                          = 0"
    six = "123456 close(3)                         = 0"
    assert texts(normalize([five])) == texts(normalize([six])) == ["close(3) = 0"]


def test_padding_against_the_rule_is_kept() -> None:
    assert unpad("12178 ", "close(3)   = 0") == "close(3)   = 0"


def test_a_long_line_has_one_space_before_its_result() -> None:
    line = "1 " + 'openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3'
    assert texts(normalize([line])) == [
        'openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3'
    ]


def test_the_result_is_the_last_equals_sign() -> None:
    line = '4321 write(1, "a = b\\n", 6)             = 6'
    assert texts(normalize([line])) == ['write(1, "a = b\\n", 6) = 6']


def test_pids_are_named_in_order_of_appearance_also_inside_lines() -> None:
    lines = [
        "300 clone(child_stack=NULL, flags=SIGCHLD) = 200",
        "200 kill(300, SIGTERM)                  = 0",
        "300 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=200, si_uid=0} ---",
        '300 openat(AT_FDCWD, "/proc/200/stat", O_RDONLY) = 3',
    ]
    assert normalize(lines) == [
        Line("P1", "clone(child_stack=NULL, flags=SIGCHLD) = P2"),
        Line("P2", "kill(P1, SIGTERM) = 0"),
        Line("P1", "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=P2, si_uid=0} ---"),
        Line("P1", 'openat(AT_FDCWD, "/proc/P2/stat", O_RDONLY) = 3'),
    ]


def test_numbers_that_are_no_pid_are_kept() -> None:
    assert texts(normalize(["9 read(3, 0x1000, 832) = 832"])) == ["read(3, 0xADDR, 832) = 832"]


def test_what_differs_between_two_strace_runs_is_masked() -> None:
    lines = [
        "7777 connect(3, {sa_family=AF_INET, sin_port=htons(35155)}, 16) = 0",
        "7777 bind(3, {sa_family=AF_INET, sin_port=htons(0)}, 16) = 0",
        '7777 openat(AT_FDCWD, "/tmp/ccAb12Yz.s", O_RDWR|O_CREAT|O_EXCL, 0600) = 3',
        '7777 unlink("/w/repo/.git/tdDpPIM") = 0',
        "7777 --- SIGCHLD {si_pid=2, si_utime=1 /* 0.01 s */, si_stime=0} ---",
        "7777 read(3<pipe:[1234]>, 0x7ffd1000, 10) = 0",
    ]
    assert texts(normalize(lines)) == [
        "connect(3, {sa_family=AF_INET, sin_port=htons(PORT)}, 16) = 0",
        "bind(3, {sa_family=AF_INET, sin_port=htons(0)}, 16) = 0",
        'openat(AT_FDCWD, "/tmp/ccXXXXXX.s", O_RDWR|O_CREAT|O_EXCL, 0600) = 3',
        'unlink("/w/repo/.git/tXXXXXX") = 0',
        "--- SIGCHLD {si_pid=2, si_utime=T, si_stime=T} ---",
        "read(3<pipe:[INODE]>, 0xADDR, 10) = 0",
    ]


def test_vars_counts_are_not_masked() -> None:
    line = '1 execve("/bin/true", ["true"], 0x7ffc62725220 /* 39 vars */) = 0'
    assert texts(normalize([line])) == ['execve("/bin/true", ["true"], 0xADDR /* 39 vars */) = 0']


def test_classes_follow_traceds_table_and_exits_and_signals_are_process() -> None:
    assert classes_of('openat(AT_FDCWD, "/x", O_RDONLY) = 3') == {"%desc", "%file"}
    assert classes_of("+++ exited with 0 +++") == {"%process"}
    assert classes_of("--- SIGCHLD {si_signo=SIGCHLD} ---") == {"%process"}
    assert classes_of("mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0) = 0xADDR") == {
        "%desc",
        "%memory",
    }


def test_compare_counts_matches_per_class_and_totals_the_larger_side() -> None:
    strace = ["1 close(3) = 0", "1 brk(NULL) = 0x5000", "1 +++ exited with 0 +++"]
    traced = ["2 close(3) = 0", "2 brk(0) = 0x5000", "2 brk(0) = 0x5000", "2 +++ exited with 0 +++"]
    result = compare_raw(strace, traced)
    assert (result.identical["%desc"], result.total["%desc"]) == (1, 1)
    assert (result.identical["%memory"], result.total["%memory"]) == (0, 2)
    assert (result.identical["%process"], result.total["%process"]) == (1, 1)
    assert result.differences[0].strace == "brk(NULL) = 0xADDR"
    assert result.differences[0].traced == "brk(0) = 0xADDR"


def test_lines_without_pid_column_belong_to_the_first_task() -> None:
    lines = [
        'execve("/bin/sh", ["sh"], 0x7ffc6272 /* 3 vars */) = 0',
        "41 clone(NULL) = 42",
        "42 exit(0) = ?",
    ]
    assert normalize(lines) == [
        Line("P1", 'execve("/bin/sh", ["sh"], 0xADDR /* 3 vars */) = 0'),
        Line("P1", "clone(NULL) = P2"),
        Line("P2", "exit(0) = ?"),
    ]


def test_a_file_without_any_pid_column_is_one_task() -> None:
    assert normalize(["close(0) = 0"]) == [Line("P1", "close(0) = 0")]
    assert unprefixed_count(["close(0) = 0", "5 close(1) = 0"]) == 1


def test_the_first_task_is_no_child_even_when_a_child_prints_first() -> None:
    lines = ['execve("/usr/bin/gcc", ["gcc"], 0x7f31 /* 3 vars */) = 0', "8 exit(0) = ?"]
    lines += ["7 vfork()                           = 8"]
    assert [line.pid for line in normalize(lines)] == ["P1", "P2", "P1"]
