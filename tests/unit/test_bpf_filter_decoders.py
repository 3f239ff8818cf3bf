"""Classic BPF programs as strace 6.1 prints them (seccomp-filter-v, prctl-seccomp-
filter-v and sock_filter-v's lines), on constructed registers and memory."""

from __future__ import annotations

import struct

from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.families.bpf_filter import code_text
from traced.decoders.style import Style, applied
from traced.decoders.values import Options

BUF, PROG = 0x10000, 0x20000
VERBOSE = Options(verbose=True)


def _insns(*insns: tuple[int, int, int, int]) -> bytes:
    return b"".join(struct.pack("<HBBI", *insn) for insn in insns)


SECCOMP_PROGRAM = _insns(
    (0x20, 0, 0, 0),  # BPF_LD|BPF_W|BPF_ABS, 0
    (0x15, 0, 1, 0x3),  # BPF_JMP|BPF_K|BPF_JEQ
    (0x06, 0, 0, 0x7FFF0000),  # return ALLOW
    (0x06, 0, 0, 0x50010),  # return ERRNO|0x10
    (0x06, 0, 0, 0x60000),  # an unknown action
)


def texts(name: str, raw: tuple[int, ...], memory: dict[int, bytes], options: Options) -> str:
    return ", ".join(arg.text for arg in decode_entry(name, raw, FakeMemory(memory), options))


def test_seccomp_filter_with_and_without_v() -> None:
    memory = {BUF: struct.pack("<H6xQ", 5, PROG), PROG: SECCOMP_PROGRAM}
    assert texts("seccomp", (1, 0, BUF), memory, Options()) == (
        "SECCOMP_SET_MODE_FILTER, 0, {len=5, filter=0x20000}"
    )
    assert texts("seccomp", (1, 0, BUF), memory, VERBOSE) == (
        "SECCOMP_SET_MODE_FILTER, 0, {len=5, filter=[BPF_STMT(BPF_LD|BPF_W|BPF_ABS, 0), "
        "BPF_JUMP(BPF_JMP|BPF_K|BPF_JEQ, 0x3, 0, 0x1), BPF_STMT(BPF_RET|BPF_K, SECCOMP_RET_ALLOW), "
        "BPF_STMT(BPF_RET|BPF_K, SECCOMP_RET_ERRNO|0x10), "
        "BPF_STMT(BPF_RET|BPF_K, 0x60000 /* SECCOMP_RET_??? */)]}"
    )
    short = {BUF: struct.pack("<H6xQ", 3, PROG), PROG: SECCOMP_PROGRAM[:8]}
    assert texts("seccomp", (1, 0, BUF), short, VERBOSE).endswith(
        "{len=3, filter=[BPF_STMT(BPF_LD|BPF_W|BPF_ABS, 0), ... /* 0x20008 */]}"
    )
    assert texts("prctl", (22, 2, BUF, 0, 0), memory, Options()).startswith(
        "PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=5, filter=0x20000}"
    )


def test_codes_in_each_style() -> None:
    assert code_text(0x30) == "BPF_LD|BPF_B|BPF_ABS"
    assert code_text(0x07) == "BPF_MISC|BPF_TAX"
    assert code_text(0x02) == "BPF_ST"
    with applied(Style(xlat="verbose")):
        assert code_text(0x30) == "0 /* BPF_LD */|0x10 /* BPF_B */|0x20 /* BPF_ABS */"
    with applied(Style(xlat="raw")):
        assert code_text(0x15) == "0x5|0|0x10"


def test_socket_filters_set_and_got() -> None:
    program = _insns((0x30, 0, 0, 0xFFE00004), (0x30, 0, 0, 0xFFFFF000), (0x06, 0, 0, 0))
    memory = {BUF: struct.pack("<H6xQ", 3, PROG), PROG: program}
    assert texts("setsockopt", (3, 1, 26, BUF, 16), memory, VERBOSE) == (
        "3, SOL_SOCKET, SO_ATTACH_FILTER, {len=3, filter=[BPF_STMT(BPF_LD|BPF_B|BPF_ABS, "
        "SKF_LL_OFF+4), BPF_STMT(BPF_LD|BPF_B|BPF_ABS, SKF_AD_OFF+SKF_AD_PROTOCOL), "
        "BPF_STMT(BPF_RET|BPF_K, 0)]}, 16"
    )
    assert texts("setsockopt", (3, 1, 26, BUF, 12), memory, VERBOSE) == (
        "3, SOL_SOCKET, SO_ATTACH_FILTER, 0x10000, 12"
    )
    got = {PROG: program, BUF: struct.pack("<i", 3)}
    raw = (3, 1, 26, PROG, BUF)
    args = decode_entry("getsockopt", raw, FakeMemory(got), VERBOSE)
    args = decode_exit("getsockopt", args, raw, FakeMemory(got), retval=0, options=VERBOSE)
    assert args[2].text == "SO_GET_FILTER"
    assert args[3].text.startswith("[BPF_STMT(BPF_LD|BPF_B|BPF_ABS, SKF_LL_OFF+4), ")
    assert texts("getsockopt", raw, got, Options(xlat="raw")).startswith("3, 0x1, 0x1a, ")
