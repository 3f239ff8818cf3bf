"""clone3, scheduling, getcpu and mincore on constructed registers and memory:
strace 6.1's text out (lines from its runs of strace's tests)."""

import re
import struct

from tests.unit import test_special_decoders
from traced.decoders.arguments import first_output, has_outputs

ARGS, OUT, OUT2 = 0x1000, 0x2000, 0x3000


def line(
    name: str, raw: tuple[int, ...], retval: int, memory: dict[int, bytes] | None = None
) -> str:
    """The line without the padding before ``=`` (strace's column 40)."""
    return re.sub(r" +=", " =", test_special_decoders.line(name, raw, retval, memory), count=1)


def clone_args(*values: int) -> bytes:
    return struct.pack("<11Q", *values, *(0,) * (11 - len(values)))


def test_clone3_prints_the_fields_its_flags_use() -> None:
    memory = {ARGS: clone_args()}
    assert line("clone3", (ARGS, 64), 42, memory) == (
        "clone3({flags=0, exit_signal=0, stack=NULL, stack_size=0}, 64) = 42"
    )
    thread = 0x3D0F00  # VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
    memory = {ARGS: clone_args(thread, 0, 0x7F10, 0x7F10, 0, 0x7E00, 0x7FFF00, 0x7F20)}
    assert line("clone3", (ARGS, 88), 42, memory) == (
        "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM"
        "|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f10, "
        "parent_tid=0x7f10, exit_signal=0, stack=0x7e00, stack_size=0x7fff00, tls=0x7f20} "
        "=> {parent_tid=0x7f10}, 88) = 42"
    )
    assert line("clone3", (ARGS, 32), 42, memory) == "clone3(0x1000, 32) = 42"


def test_scheduler_policies_params_and_affinity() -> None:
    assert line("sched_get_priority_max", (2,), 99) == "sched_get_priority_max(SCHED_RR) = 99"
    assert line("sched_getscheduler", (7,), 0) == "sched_getscheduler(7) = 0 (SCHED_OTHER)"
    assert line("sched_setscheduler", (7, 1, OUT), 0, {OUT: struct.pack("<i", 1)}) == (
        "sched_setscheduler(7, SCHED_FIFO, [1]) = 0"
    )
    # strace 6.1 names no policy with SCHED_RESET_ON_FORK
    assert line("sched_setscheduler", (7, 0x40000001, OUT), 0, {OUT: struct.pack("<i", 1)}) == (
        "sched_setscheduler(7, 0x40000001 /* SCHED_??? */, [1]) = 0"
    )
    assert line("sched_getparam", (7, OUT), 0, {OUT: struct.pack("<i", 0)}) == (
        "sched_getparam(7, [0]) = 0"
    )
    mask = {OUT: (0b11).to_bytes(32, "little")}
    assert line("sched_getaffinity", (7, 128, OUT), 32, mask) == (
        "sched_getaffinity(7, 128, [0 1]) = 32"
    )
    assert line("sched_setaffinity", (7, 0, OUT), 0, mask) == "sched_setaffinity(7, 0, []) = 0"


def test_getcpu_and_mincore_outputs() -> None:
    memory = {OUT: struct.pack("<I", 1), OUT2: struct.pack("<I", 0)}
    assert line("getcpu", (OUT, OUT2, 0), 0, memory) == "getcpu([1], [0], NULL) = 0"
    assert line("mincore", (ARGS, 4097, OUT), 0, {OUT: b"\x01\x00"}) == (
        "mincore(0x1000, 4097, [1, 0]) = 0"
    )


def test_clone3_shows_what_the_kernel_wrote_after_the_struct() -> None:
    memory = {ARGS: clone_args(0x100000, 0, 0, OUT), OUT: struct.pack("<i", 42)}
    assert line("clone3", (ARGS, 88), 42, memory) == (
        "clone3({flags=CLONE_PARENT_SETTID, parent_tid=0x2000, exit_signal=0, stack=NULL, "
        "stack_size=0} => {parent_tid=[42]}, 88) = 42"
    )
    tail = {ARGS: clone_args() + b"\xde\xc0\xad\xde\0\0\0\0"}
    assert line("clone3", (ARGS, 96), 42, tail) == (
        "clone3({flags=0, exit_signal=0, stack=NULL, stack_size=0, "
        '/* bytes 88..95 */ "\\xde\\xc0\\xad\\xde\\x00\\x00\\x00\\x00"} => '
        '{/* bytes 88..95 */ "\\xde\\xc0\\xad\\xde\\x00\\x00\\x00\\x00"}, 96) = 42'
    )


def test_sched_attr_in_and_out() -> None:
    attr = struct.pack("<IIQiIQQQII", 56, 0, 1, 0, 0, 1400000, 0, 0, 0, 0)
    assert line("sched_setattr", (0, ARGS, 0), 0, {ARGS: attr}) == (
        "sched_setattr(0, {size=56, sched_policy=SCHED_OTHER, "
        "sched_flags=SCHED_FLAG_RESET_ON_FORK, "
        "sched_nice=0, sched_priority=0, sched_runtime=1400000, sched_deadline=0, sched_period=0, "
        "sched_util_min=0, sched_util_max=0}, 0) = 0"
    )
    keep = struct.pack("<IIQ", 48, 5, 0x18) + bytes(32)
    assert line("sched_setattr", (0, ARGS, 0), 0, {ARGS: keep}) == (
        "sched_setattr(0, {size=48, "
        "sched_flags=SCHED_FLAG_KEEP_POLICY|SCHED_FLAG_KEEP_PARAMS}, 0) = 0"
    )
    got = struct.pack("<IIQiIQQQ", 48, 0, 0, 0, 0, 1400000, 0, 0)
    assert line("sched_getattr", (0, OUT, 48, 0), 0, {OUT: got}) == (
        "sched_getattr(0, {size=48, sched_policy=SCHED_OTHER, sched_flags=0, sched_nice=0, "
        "sched_priority=0, sched_runtime=1400000, sched_deadline=0, sched_period=0}, 48, 0) = 0"
    )


def test_clone3_is_printed_whole_at_entry_and_decoded_again_at_exit() -> None:
    """An unfinished clone3 (a vfork's parent) shows its struct at entry, as strace."""
    assert first_output("clone3") == 6
    assert has_outputs("clone3")
