"""NUMA policies, node masks and move_pages' arrays, on constructed registers and
memory: strace 6.1's text out (lines from its runs of strace's mbind, set_mempolicy,
get_mempolicy and move_pages tests, in each -X style)."""

import re
import struct

from tests.unit import test_special_decoders
from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry
from traced.decoders.values import Options

BUF, NODES = 0x1000, 0x2000
ADDR = 0x7F0000001000


def line(
    name: str, raw: tuple[int, ...], retval: int, memory: dict[int, bytes] | None = None
) -> str:
    return re.sub(r" +=", " =", test_special_decoders.line(name, raw, retval, memory), count=1)


def mode(raw: int, xlat: str) -> str:
    return decode_entry("set_mempolicy", (raw, 0, 0), FakeMemory({}), Options(xlat=xlat))[0].text


def test_mode_flags_after_the_mode_or_as_a_flag_set() -> None:
    assert mode(0x8000, "abbrev") == "MPOL_DEFAULT|MPOL_F_STATIC_NODES"
    assert mode(0x8000, "verbose") == "0x8000 /* MPOL_DEFAULT|MPOL_F_STATIC_NODES */"
    assert mode(0x8000, "raw") == "0x8000"
    assert mode(0xE0F0, "abbrev") == (
        "MPOL_F_STATIC_NODES|MPOL_F_RELATIVE_NODES|MPOL_F_NUMA_BALANCING|0xf0"
    )
    assert mode(0xF0, "abbrev") == "0xf0 /* MPOL_??? */"


def test_node_masks_by_maxnode() -> None:
    words = {BUF: struct.pack("<4Q", 0, 5, 0, 0)}
    assert line("set_mempolicy", (0, BUF, 0), 0, words) == "set_mempolicy(MPOL_DEFAULT, [], 0) = 0"
    assert line("set_mempolicy", (0, BUF, 1), 0, words) == (
        "set_mempolicy(MPOL_DEFAULT, 0x1000, 1) = 0"
    )
    assert line("set_mempolicy", (0, BUF, 66), 0, words) == (
        "set_mempolicy(MPOL_DEFAULT, [0000000000000000, 0x00000000000005], 66) = 0"
    )
    assert line("get_mempolicy", (0, BUF, 65, 0, 0), 0, words) == (
        "get_mempolicy(NULL, [0000000000000000], 65, NULL, 0) = 0"
    )


def test_move_pages_arrays_and_statuses() -> None:
    memory = {
        BUF: struct.pack("<3Q", ADDR, ADDR + 4096, ADDR + 8192),
        NODES: struct.pack("<3i", 0, -14, 1),
    }
    assert line("move_pages", (0, 3, BUF, 0, NODES, 2), 0, memory) == (
        "move_pages(0, 3, [0x7f0000001000, 0x7f0000002000, 0x7f0000003000], NULL, "
        "[0, -EFAULT, 1], MPOL_MF_MOVE) = 0"
    )
    assert line("move_pages", (0, 2, BUF, NODES, 0, 0xFACEFEED00000004), 0, memory) == (
        "move_pages(0, 2, [0x7f0000001000, 0x7f0000002000], [0, -14], NULL, MPOL_MF_MOVE_ALL) = 0"
    )
    assert line("move_pages", (0, 0, BUF, NODES, NODES, 2), 0, memory) == (
        "move_pages(0, 0, [], [], [], MPOL_MF_MOVE) = 0"
    )
