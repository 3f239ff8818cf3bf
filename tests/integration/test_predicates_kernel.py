"""Argument predicates in the kernel: each operator on each ABI, through a real filter.

With no tracer attached, a syscall the filter TRACEs fails with ENOSYS without
running, so a program under the filter sees its verdicts.  A child installs the
compiled filter (parsed from the -e text, as the command line does) and execs a
small C probe, which makes the calls it is told and prints each result and errno.
The calls are lseek, read and fadvise64 on fd -1: allowed, each fails with EBADF
(or ESPIPE), whatever its other arguments; traced, with ENOSYS.

* x86_64: the probe calls syscall(2).
* i386: the probe built with ``gcc -m32 -static`` (gcc-multilib), a 32-bit process;
  without it, the same probe as x86_64 entering through ``int 0x80``.  A 64-bit
  offset is split over two registers there (fadvise64's offset and offset_hi).
* x32: native numbers with the x32 bit, where the kernel has x32 (many, this
  one too, are built without CONFIG_X86_X32_ABI: then skipped, saying so).
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from traced.filter.bpf import compile_filter
from traced.filter.expression import parse_filter
from traced.linux.seccomp import install_filter, set_no_new_privs
from traced.syscalls.arch import X32_SYSCALL_BIT, X86_64

pytestmark = pytest.mark.integration

PROBE = r"""
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

/* argv: MODE, then each call as "nr,a0,a1,a2,a3,a4" (numbers, any base).
   MODE 's': syscall(2); 'i': int 0x80 from a 64-bit process. */
static long via_int80(long nr, unsigned long long *a) {
#ifdef __x86_64__
    long ret = nr;
    __asm__ volatile("int $0x80"
                     : "+a"(ret)
                     : "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]), "D"(a[4])
                     : "memory");
    if (ret < 0 && ret > -4096) { errno = (int)-ret; return -1; }
    return ret;
#else
    (void)nr; (void)a; return -2;
#endif
}

int main(int argc, char **argv) {
    for (int i = 2; i < argc; i++) {
        unsigned long long a[6] = {0};
        char *p = argv[i];
        long nr = strtol(p, &p, 0);
        for (int k = 0; k < 5 && *p == ','; k++) a[k] = strtoull(p + 1, &p, 0);
        errno = 0;
        long ret = argv[1][0] == 'i' ? via_int80(nr, a)
                 : syscall(nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4]);
        printf("%ld %d\n", ret, ret == -1 ? errno : 0);
    }
    return 0;
}
"""

ENOSYS = errno.ENOSYS
M64 = (1 << 64) - 1
NATIVE, I386, X32 = X86_64.native, *X86_64.foreign


def build(gcc: str, out: Path, *flags: str) -> Path | None:
    source = out.with_suffix(".c")
    source.write_text(PROBE)
    done = subprocess.run(
        [gcc, "-O1", "-Wall", *flags, "-o", str(out), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    return out if done.returncode == 0 else None


@pytest.fixture(scope="module")
def probes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | None]:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.fail("gcc is not on PATH; it builds the probe (apt-get install gcc)")
    folder = tmp_path_factory.mktemp("predicates")
    native = build(gcc, folder / "probe64")
    if native is None:
        pytest.fail("cannot compile the probe")
    return {"64": native, "32": build(gcc, folder / "probe32", "-m32", "-static")}


def run_under(expression: str, argv: list[str]) -> list[tuple[int, int]]:
    """Exec ``argv`` under the filter ``-e trace=EXPRESSION`` compiles to; its results."""
    filter_ = parse_filter([f"trace={expression}"], X86_64)
    program = compile_filter(X86_64, filter_.syscalls - filter_.rules.keys(), filter_.rules)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(writer, 1)
            set_no_new_privs()
            install_filter(program)
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        output = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output
    return [(int(ret), int(err)) for ret, err in (line.split() for line in output.splitlines())]


def calls(nr: int, *cases: tuple[int, ...]) -> list[str]:
    return [",".join(str(v & M64) for v in (nr, *args)) for args in cases]


# (expression, syscall, [(arguments, traced?)]), every call on fd -1.
LSEEK_CASES = [
    ("lseek(offset==5)", [((5,), True), ((6,), False)]),
    ("lseek(offset!=5)", [((5,), False), ((6,), True)]),
    ("lseek(offset<-1)", [((-2,), True), ((-1,), False), ((0,), False)]),
    ("lseek(offset<=-1)", [((-1,), True), ((0,), False), ((-100,), True)]),
    ("lseek(offset>3)", [((4,), True), ((3,), False), ((-5,), False)]),
    ("lseek(offset>=3)", [((3,), True), ((2,), False)]),
    ("lseek(offset==7|9|11)", [((9,), True), ((11,), True), ((10,), False)]),
    ("lseek(offset&0xff==0x10)", [((0x110,), True), ((0x11,), False)]),
    ("lseek(whence&SEEK_HOLE)", [((0, 4), True), ((0, 3), False)]),
    ("lseek(whence&=SEEK_CUR|SEEK_END)", [((0, 3), True), ((0, 1), False), ((0, 7), True)]),
    ("lseek(!whence==SEEK_CUR)", [((0, 1), False), ((0, 0), True)]),
    ("lseek(fd==-1,whence==SEEK_END)", [((0, 2), True), ((0, 1), False)]),
    ("lseek(offset==1),lseek(whence==SEEK_END)", [((1, 0), True), ((0, 2), True), ((0, 0), False)]),
]


def lseek_probe(abi_nr: int, cases: list[tuple[tuple[int, ...], bool]]) -> list[str]:
    return calls(abi_nr, *((-1, *args, *(0,) * (2 - len(args))) for args, _ in cases))


def verdicts(results: list[tuple[int, int]]) -> list[bool]:
    for ret, err in results:
        assert ret == -1 and err in (ENOSYS, errno.EBADF, errno.ESPIPE), (ret, err)
    return [err == ENOSYS for _, err in results]


@pytest.mark.parametrize(("expression", "cases"), LSEEK_CASES, ids=[c[0] for c in LSEEK_CASES])
def test_each_operator_natively(probes, expression, cases):
    argv = [str(probes["64"]), "s", *lseek_probe(NATIVE.numbers_by_name["lseek"], cases)]
    assert verdicts(run_under(expression, argv)) == [traced for _, traced in cases]


def i386_probe(probes: dict[str, Path | None]) -> list[str]:
    if probes["32"] is not None:
        return [str(probes["32"]), "s"]
    return [str(probes["64"]), "i"]  # gcc -m32 cannot build here: int 0x80 instead


@pytest.mark.parametrize(("expression", "cases"), LSEEK_CASES, ids=[c[0] for c in LSEEK_CASES])
def test_each_operator_on_i386(probes, expression, cases):
    argv = [*i386_probe(probes), *lseek_probe(I386.numbers_by_name["lseek"], cases)]
    assert verdicts(run_under(expression, argv)) == [traced for _, traced in cases]


def x32_supported(probes: dict[str, Path | None]) -> bool:
    getpid = X32.numbers_by_name["getpid"] | X32_SYSCALL_BIT
    done = subprocess.run([str(probes["64"]), "s", str(getpid)], capture_output=True, text=True)
    return done.stdout.split()[1] == "0"


@pytest.mark.parametrize(("expression", "cases"), LSEEK_CASES, ids=[c[0] for c in LSEEK_CASES])
def test_each_operator_on_x32(probes, expression, cases):
    if not x32_supported(probes):
        pytest.skip("this kernel has no x32 ABI (CONFIG_X86_X32_ABI is not set)")
    nr = X32.numbers_by_name["lseek"] | X32_SYSCALL_BIT
    argv = [str(probes["64"]), "s", *lseek_probe(nr, cases)]
    assert verdicts(run_under(expression, argv)) == [traced for _, traced in cases]


def test_an_int_ignores_the_high_half_of_its_register(probes):
    """fd is an int: the kernel reads the low word only, and so does the filter."""
    nr = NATIVE.numbers_by_name["lseek"]
    junk = calls(nr, (0xDEADBEEF_FFFFFFFF, 0, 0), (0xFFFFFFFF_000003E8, 0, 0))
    results = run_under("lseek(fd==-1)", [str(probes["64"]), "s", *junk])
    assert verdicts(results) == [True, False]


def test_a_64_bit_argument_compares_both_words(probes):
    nr = NATIVE.numbers_by_name["lseek"]
    probe = calls(nr, (-1, 2**32 + 1, 0), (-1, 2**32, 0), (-1, -1, 0), (-1, 5, 0))
    results = run_under("lseek(offset>4294967296)", [str(probes["64"]), "s", *probe])
    assert verdicts(results) == [True, False, False, False]


def test_a_size_is_unsigned_and_register_wide(probes):
    native = calls(NATIVE.numbers_by_name["read"], (-1, 0, 2**31), (-1, 0, 5), (-1, 0, 2**33))
    results = run_under("read(count>=0x80000000)", [str(probes["64"]), "s", *native])
    assert verdicts(results) == [True, False, True]
    i386 = calls(I386.numbers_by_name["read"], (-1, 0, 2**31), (-1, 0, 5))
    results = run_under("read(count>=0x80000000)", [*i386_probe(probes), *i386])
    assert verdicts(results) == [True, False]


def test_a_split_64_bit_offset_on_i386(probes):
    """i386's fadvise64 takes its offset in two registers, low word first."""
    fadvise = I386.numbers_by_name["fadvise64"]  # fd, offset, offset_hi, len, advice
    probe = calls(fadvise, (-1, 2, 1, 0, 0), (-1, 2, 0, 0, 0), (-1, 1, 2, 0, 0))
    results = run_under("fadvise64(offset==0x100000002)", [*i386_probe(probes), *probe])
    assert verdicts(results) == [True, False, False]
    native = calls(NATIVE.numbers_by_name["fadvise64"], (-1, 0x100000002, 0, 0), (-1, 2, 0, 0))
    results = run_under("fadvise64(offset==0x100000002)", [str(probes["64"]), "s", *native])
    assert verdicts(results) == [True, False]


def test_other_syscalls_run_untouched(probes):
    """A predicate on lseek leaves read alone, whatever its arguments."""
    nr = NATIVE.numbers_by_name["read"]
    results = run_under("lseek(offset==5)", [str(probes["64"]), "s", *calls(nr, (-1, 0, 5))])
    assert verdicts(results) == [False]
