"""Integer arguments cut to their C type: the kernel reads an int's low 32 bits, and
strace prints only them.  Expected texts are strace 6.1's for the same registers
(a program passing 0x0defaced00000000 | value, as strace's own tests do)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.plain import FakeMemory
from traced.decoders.arguments import c_cut, c_registers, decode_entry
from traced.syscalls.signatures import SIGNATURES, c_integer

FILL = 0x0DEFACED00000000


@pytest.mark.parametrize(
    ("syscall", "registers", "expected"),
    [
        ("io_setup", (FILL | 2, 0), ["2", "NULL"]),  # unsigned int
        ("pidfd_open", (FILL | 0, FILL | 0), ["0", "0"]),  # pid_t, unsigned int flags
        ("close", (FILL | 0xFFFFFFFF,), ["-1"]),  # int, sign-extended
        ("alarm", (FILL | 5,), ["5"]),
        ("setuid", (FILL | 0xFFFFFFFE,), ["4294967294"]),  # uid_t: unsigned ...
        ("setuid", (FILL | 0xFFFFFFFF,), ["-1"]),  # ... but -1 is -1
        ("connect", (FILL | 1, 0, FILL | 0xFFFFFFFF), ["1", "NULL", "-1"]),  # int addrlen
        ("kill", (FILL | 0x7FFFFFFF, FILL | 0), ["2147483647", "0"]),
        ("umask", (FILL | 0xF012,), ["0170022"]),  # umode_t: 16 bits
        ("lseek", (FILL | 1, 0, FILL | 1), ["1", "0", "SEEK_CUR"]),  # an enum: unsigned int
    ],
)
def test_an_int_argument_is_the_low_32_bits_of_its_register(
    syscall: str, registers: tuple[int, ...], expected: list[str]
) -> None:
    args = decode_entry(syscall, registers, FakeMemory({}))
    assert [arg.text for arg in args if arg.text] == expected
    assert [arg.raw for arg in args][: len(registers)] == list(registers)  # raw: the register


def test_unsigned_long_flags_are_printed_whole() -> None:
    """mmap's prot is an unsigned long (printflags64); its flags an int."""
    registers = (0, 4096, FILL | 3, FILL | 0x22, 2**64 - 1, 0)
    texts = [arg.text for arg in decode_entry("mmap", registers, FakeMemory({}))]
    assert texts == [
        "NULL", "4096", "PROT_READ|PROT_WRITE|0xdefaced00000000",
        "MAP_PRIVATE|MAP_ANONYMOUS", "-1", "0",
    ]  # fmt: skip


def test_the_c_type_is_the_signature_s_with_few_exceptions() -> None:
    assert c_integer("kcmp", "type", "enum:kcmp") == (32, False)
    assert c_integer("clone", "flags", "flags:clone") is None
    assert c_integer("setns", "nstype", "flags:setns") == (32, False)
    assert c_integer("read", "count", "size") is None
    for sig in SIGNATURES.values():  # every pointer is a whole register
        for arg in sig.args:
            if arg.type in ("ptr", "path", "buf_in", "buf_out") or arg.type.startswith("struct:"):
                assert c_integer(sig.name, arg.name, arg.type) is None


@given(st.lists(st.integers(0, 2**64 - 1), min_size=6, max_size=6))
def test_the_registers_cut_once_are_each_argument_cut_alone(raw: list[int]) -> None:
    """c_registers, which stopread runs once per call and keeps for its exit, cuts
    each narrow argument as c_cut does it alone."""
    for syscall in ("openat", "newfstatat", "io_setup", "umask", "connect", "getppid"):
        expected = list(raw)
        for at, arg in enumerate(SIGNATURES[syscall].args):
            c_type = c_integer(syscall, arg.name, arg.type)
            if c_type is not None:
                expected[at] = c_cut(*c_type, raw[at])
        assert c_registers(syscall, raw) == tuple(expected)
