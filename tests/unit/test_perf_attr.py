"""perf_event_open's struct perf_event_attr as strace 6.1 prints it, on constructed
memory: strace's text out (from its perf_event_open tests)."""

import struct

from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry, decode_exit, has_failure_outputs
from traced.decoders.families.perf_attr import perf_event_attr
from traced.decoders.values import Options

AT = 0x6000
VERBOSE = Options(verbose=True)


def attr(*fields: int) -> bytes:
    """type, size, config, sample period, sample type, read format, the flags word."""
    return struct.pack("<IIQQQQQ", *fields)


def test_abbreviated_shows_the_flags_set_and_more() -> None:
    data = attr(0, 0x98, 9, 10923082411597271440, 0, 0, 1 << 3 | 1 << 15)
    assert perf_event_attr(AT, FakeMemory({AT: data.ljust(152, b"\0")}), Options()).text == (
        "{type=PERF_TYPE_HARDWARE, size=0x98 /* PERF_ATTR_SIZE_??? */, "
        "config=PERF_COUNT_HW_REF_CPU_CYCLES, sample_period=10923082411597271440, "
        "sample_type=0, read_format=0, exclusive=1, precise_ip=1 /* constant skid */, ...}"
    )


def test_verbose_hw_cache_config_and_optional_fields() -> None:
    head = attr(3, 80, 0x10103, 5, 1 << 11, 0, 1 << 10 | 3 << 15)
    tail = struct.pack("<IIQQQ", 7, 0, 0x10, 0x20, 1)
    text = perf_event_attr(AT, FakeMemory({AT: head + tail}), VERBOSE).text
    assert text.startswith(
        "{type=PERF_TYPE_HW_CACHE, size=PERF_ATTR_SIZE_VER2, config=PERF_COUNT_HW_CACHE_RESULT_MISS"
        "<<16|PERF_COUNT_HW_CACHE_OP_WRITE<<8|PERF_COUNT_HW_CACHE_DTLB, sample_freq=5, "
        "sample_type=PERF_SAMPLE_BRANCH_STACK, read_format=0, disabled=0, "
    )
    assert text.endswith(
        "precise_ip=3 /* must have 0 skid */, mmap_data=0, sample_id_all=0, exclude_host=0, "
        "exclude_guest=0, exclude_callchain_kernel=0, exclude_callchain_user=0, mmap2=0, "
        "comm_exec=0, use_clockid=0, context_switch=0, write_backward=0, namespaces=0, "
        "ksymbol=0, bpf_event=0, aux_output=0, cgroup=0, text_poke=0, build_id=0, "
        "inherit_thread=0, remove_on_exec=0, sigtrap=0, wakeup_events=7, config1=0x10, "
        "config2=0x20, branch_sample_type=PERF_SAMPLE_BRANCH_USER}"
    )


def test_e2big_shows_the_size_the_kernel_wrote() -> None:
    data = attr(5, 0x90, 0, 1, 0, 0, 0).ljust(0x90, b"\0")
    raw = (AT, 0, 0, 2**64 - 1, 0)
    memory = FakeMemory({AT: data})
    args = decode_exit("perf_event_open", decode_entry("perf_event_open", raw, memory), raw,
                       memory, retval=-7, failed=True)  # fmt: skip
    assert has_failure_outputs("perf_event_open") and has_failure_outputs("bpf")
    assert args[0].text.startswith(
        "{type=PERF_TYPE_BREAKPOINT, size=0x90 /* PERF_ATTR_SIZE_??? */ => "
        "0x90 /* PERF_ATTR_SIZE_??? */, config=0, "
    )


def test_short_or_unreadable_is_the_address() -> None:
    assert perf_event_attr(AT, FakeMemory({AT: attr(0, 40, 0, 0, 0, 0, 0)}), Options()).text == (
        "0x6000"
    )
    assert perf_event_attr(0, FakeMemory({}), Options()).text == "NULL"
