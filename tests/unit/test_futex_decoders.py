"""futex's op and the arguments each command reads, on constructed registers:
strace 6.1's text out (lines from its run of strace's futex test)."""

import re
import struct

from tests.unit import test_special_decoders

ADDR, ADDR2, TIME = 0x1000, 0x2000, 0x3000
VAL = 0xFACEFEED


def line(name: str, raw: tuple[int, ...], retval: int) -> str:
    """The line without the padding before ``=`` (strace's column 40)."""
    return re.sub(r" +=", " =", test_special_decoders.line(name, raw, retval, {}), count=1)


def test_ops_by_name_with_the_realtime_clock_after_them() -> None:
    assert (
        line("futex", (ADDR, 0, VAL, 0, 0, 0), 0)
        == "futex(0x1000, FUTEX_WAIT, 4207869677, NULL) = 0"
    )
    assert line("futex", (ADDR, 0x81, 1, 0, 0, 0), 0) == "futex(0x1000, FUTEX_WAKE_PRIVATE, 1) = 0"
    assert line("futex", (ADDR, 0x189, 1, 0, 0, 2**32 - 1), 0) == (
        "futex(0x1000, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 1, NULL, "
        "FUTEX_BITSET_MATCH_ANY) = 0"
    )
    # a clock the command does not take: no name (the command, UNLOCK_PI, shows nothing more)
    assert line("futex", (ADDR, 0x107, 1, 0, 0, 0), 0) == "futex(0x1000, 0x107 /* FUTEX_??? */) = 0"
    assert line("futex", (ADDR, 0x82, 1, 0, 0, 0), 0) == (
        "futex(0x1000, FUTEX_FD|FUTEX_PRIVATE_FLAG, 1) = 0"
    )


def test_requeue_counts_and_wake_op_fields() -> None:
    assert line("futex", (ADDR, 4, 1, 2, ADDR2, VAL), 0) == (
        "futex(0x1000, FUTEX_CMP_REQUEUE, 1, 2, 0x2000, 4207869677) = 0"
    )
    wake_op = 1 << 28 | 1 << 12 | 4 << 24 | 2  # ADD 1, if old > 2
    assert line("futex", (ADDR, 5, 1, 1, ADDR2, wake_op), 0) == (
        "futex(0x1000, FUTEX_WAKE_OP, 1, 1, 0x2000, "
        "FUTEX_OP_ADD<<28|0x1<<12|FUTEX_OP_CMP_GT<<24|0x2) = 0"
    )
    assert line("futex", (ADDR, 9, 1, 0, 0, 0), 0).endswith(", NULL, 0) = 0")


def test_futex_waitv_waiters_flags_and_clock() -> None:
    waiter = struct.pack("<QQII", 1, ADDR, 0x82, 0)
    assert test_special_decoders.line("futex_waitv", (ADDR2, 1, 0, 0, 1), 0, {ADDR2: waiter}) == (
        "futex_waitv([{val=0x1, uaddr=0x1000, flags=FUTEX_32|FUTEX_PRIVATE_FLAG}], 1, 0, NULL, "
        "CLOCK_MONOTONIC) = 0"
    )
    assert line("futex_waitv", (0, 0, 1, 0, 2**32 - 1), 0) == (
        "futex_waitv(NULL, 0, 0x1, NULL, 0xffffffff /* CLOCK_??? */) = 0"
    )
