"""prctl's packed words (vector lengths, tagged address control), core scheduling and
the dumpable state, on constructed registers and memory: strace 6.1's text out (lines
from its runs of strace's prctl-sve, -sme, -tagged-addr, -sched-core and -dumpable
tests, in each -X style)."""

import re
import struct

from tests.unit import test_special_decoders
from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry
from traced.decoders.shapes import decode_result
from traced.decoders.values import Options

BUF = 0x1000
RAW, VERBOSE = Options(xlat="raw"), Options(xlat="verbose")


def line(
    name: str, raw: tuple[int, ...], retval: int, memory: dict[int, bytes] | None = None
) -> str:
    return re.sub(r" +=", " =", test_special_decoders.line(name, raw, retval, memory), count=1)


def shown(raw: tuple[int, ...], options: Options) -> str:
    """The arguments strace shows, joined as on its line."""
    args = decode_entry("prctl", raw, FakeMemory({}), options)
    return ", ".join(arg.text for arg in args if arg.text)


def test_vector_lengths_flags_then_length() -> None:
    assert line("prctl", (50, 0xF, 0x1000, 0x2000, 0), 0) == "prctl(PR_SVE_SET_VL, 0xf) = 0"
    assert line("prctl", (50, 0x600FF, 0, 0, 0x73), 0) == (
        "prctl(PR_SVE_SET_VL, PR_SVE_SET_VL_ONEXEC|PR_SVE_VL_INHERIT|0xff) = 0"
    )
    assert (
        shown((63, 0x10000, 1, 2, 3), VERBOSE)
        == "0x3f /* PR_SME_SET_VL */, 0x10000 /* 0x10000|0 */"
    )
    assert shown((63, 0x2EA57, 1, 2, 3), VERBOSE) == (
        "0x3f /* PR_SME_SET_VL */, 0x2ea57 /* PR_SME_VL_INHERIT|0xea57 */"
    )
    assert shown((63, 0xDEAD, 1, 2, 3), VERBOSE) == "0x3f /* PR_SME_SET_VL */, 0xdead"
    assert shown((50, 0x2EA57, 1, 2, 3), RAW) == "0x32, 0x2ea57"


def test_vector_length_results_in_hex_with_their_flags() -> None:
    assert decode_result("prctl", (51, 0, 0, 0, 0), 0x600FF) == (
        "0x600ff (PR_SVE_SET_VL_ONEXEC|PR_SVE_VL_INHERIT|0xff)"
    )
    assert decode_result("prctl", (64, 0, 0, 0, 0), 0x40) == "0x40"
    assert decode_result("prctl", (51, 0, 0, 0, 0), 0x600FF, RAW) == "0x600ff"


def test_tagged_address_control() -> None:
    assert line("prctl", (55, 0, 1, 2, 3), 0) == (
        "prctl(PR_SET_TAGGED_ADDR_CTRL, !PR_TAGGED_ADDR_ENABLE|PR_MTE_TCF_NONE, 0x1, 0x2, 0x3) = 0"
    )
    word = 0xFFFF << 3 | 0x6 | 0x1 | 0xDEAD00000000
    assert line("prctl", (55, word, 1, 2, 3), 0) == (
        "prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE|PR_MTE_TCF_MASK"
        "|0xffff<<PR_MTE_TAG_SHIFT|0xdead00000000, 0x1, 0x2, 0x3) = 0"
    )
    assert shown((55, 0xD, 1, 2, 3), VERBOSE) == (
        "0x37 /* PR_SET_TAGGED_ADDR_CTRL */, 0xd /* PR_TAGGED_ADDR_ENABLE|PR_MTE_TCF_ASYNC"
        "|0x1<<PR_MTE_TAG_SHIFT */, 0x1, 0x2, 0x3"
    )
    assert shown((55, 0xD, 1, 2, 3), RAW) == "0x37, 0xd, 0x1, 0x2, 0x3"
    assert decode_result("prctl", (56, 0, 0, 0, 0), 0x3) == (
        "0x3 (PR_TAGGED_ADDR_ENABLE|PR_MTE_TCF_SYNC)"
    )


def test_sched_core_names_the_pid_type_in_a_comment() -> None:
    assert line("prctl", (0x3E, 1, 42, 1, 0), 0) == (
        "prctl(PR_SCHED_CORE, PR_SCHED_CORE_CREATE, 42, 0x1 /* PIDTYPE_TGID */, NULL) = 0"
    )
    assert line("prctl", (0x3E, 4, 2**64 - 1, 4, BUF), 0) == (
        "prctl(PR_SCHED_CORE, 0x4 /* PR_SCHED_CORE_??? */, -1, 0x4 /* PIDTYPE_??? */, 0x1000) = 0"
    )
    cookie = {BUF: struct.pack("<Q", 0xDEADBEEF)}
    assert line("prctl", (0x3E, 0xFFFFFFFF00000000, 42, 0, BUF), 0, cookie) == (
        "prctl(PR_SCHED_CORE, PR_SCHED_CORE_GET, 42, 0 /* PIDTYPE_PID */, [0xdeadbeef]) = 0"
    )
    assert shown((0x3E, 3, 42, 3, 0), RAW) == "0x3e, 0x3, 42, 0x3, NULL"


def test_dumpable_state_by_name() -> None:
    assert line("prctl", (4, 1, 0, 0, 0), 0) == "prctl(PR_SET_DUMPABLE, SUID_DUMP_USER) = 0"
    assert (
        line("prctl", (4, 3, 0, 0, 0), 0) == "prctl(PR_SET_DUMPABLE, 0x3 /* SUID_DUMP_??? */) = 0"
    )
    assert line("prctl", (3, 0, 0, 0, 0), 0) == "prctl(PR_GET_DUMPABLE) = 0 (SUID_DUMP_DISABLE)"
