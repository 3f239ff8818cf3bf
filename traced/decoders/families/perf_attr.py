"""perf_event_open's struct perf_event_attr as strace 6.1 prints it (its perf.c).

Kernel facts: the struct says its own size (its ``size`` field: 0 means the first
published one, 64 bytes; the kernel refuses less); past what it knows the kernel
wants zeros, and where a caller's struct is larger than its own it fails with E2BIG,
writing the size it supports back into ``size``.  Fields after config1 are optional:
each is read only where the size reaches it.  x86_64's layout, of linux 6.1
(PERF_ATTR_SIZE_VER7, 128 bytes): u32 type, size; u64 config, sample_period (or
sample_freq), sample_type, read_format, a 64-bit word of one-bit flags (bits 15-16
precise_ip, 38-63 reserved); u32 wakeup_events, bp_type; u64 config1, config2,
branch_sample_type, sample_regs_user; u32 sample_stack_user, s32 clockid; u64
sample_regs_intr; u32 aux_watermark, u16 sample_max_stack, u16 reserved; u32
aux_sample_size, u32 reserved; u64 sig_data.

strace reads the struct at entry and prints it at exit, failed or not; without -v
only what precedes wakeup_events, the flags that are set, and ``...``.  After E2BIG
it shows the size the kernel wrote: ``size=0x90 => 0x88``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.kinds import Decoder
from traced.decoders.values import DecodedValue, Memory, Options, read_exact, unreadable
from traced.decoders.xlat import Table, format_enum, format_flags, number
from traced.events import Arg

_FULL, _FIRST, _ABBREV = 128, 64, 48  # struct size, PERF_ATTR_SIZE_VER0, wakeup_events' offset
_HEAD = struct.Struct("<IIQQQQQ")  # type, size, config, sample period, types, format, flags
_TAIL = struct.Struct("<48xIIQQQQIiQIHHIIQ")
_HARDWARE, _SOFTWARE, _TRACEPOINT, _HW_CACHE, _BREAKPOINT = 0, 1, 2, 3, 5
_BRANCH_STACK, _STACK_USER = 1 << 11, 1 << 13
_E2BIG = 7
_FLAGS = (
    "disabled", "inherit", "pinned", "exclusive", "exclude_user", "exclude_kernel", "exclude_hv",
    "exclude_idle", "mmap", "comm", "freq", "inherit_stat", "enable_on_exec", "task", "watermark",
)  # fmt: skip
_MORE_FLAGS = (
    "mmap_data", "sample_id_all", "exclude_host", "exclude_guest", "exclude_callchain_kernel",
    "exclude_callchain_user", "mmap2", "comm_exec", "use_clockid", "context_switch",
    "write_backward", "namespaces", "ksymbol", "bpf_event", "aux_output", "cgroup", "text_poke",
    "build_id", "inherit_thread", "remove_on_exec", "sigtrap",
)  # fmt: skip
_SKID = ("arbitrary skid", "constant skid", "requested to have 0 skid", "must have 0 skid")


def _xval(value: int, table: Table, unknown: str) -> str:
    return format_enum(value, table, unknown).text


def _config(kind: int, config: int) -> str:
    high = f"{number(config >> 32)}<<32|" if config >> 32 else ""
    if kind == _HARDWARE:
        return high + _xval(config & 0xFFFFFFFF, K.PERF_HW_IDS, "PERF_COUNT_HW_???")
    if kind == _SOFTWARE:
        return _xval(config, K.PERF_SW_IDS, "PERF_COUNT_SW_???")
    if kind == _TRACEPOINT:
        return str(config)
    if kind != _HW_CACHE:
        return number(config)
    top = (config & 0xFFFFFFFF) >> 24
    return (
        high + (f"{number(top)}<<24|" if top else "")
        + _xval((config >> 16) & 0xFF, K.PERF_HW_CACHE_RESULTS, "PERF_COUNT_HW_CACHE_RESULT_???")
        + "<<16|" + _xval((config >> 8) & 0xFF, K.PERF_HW_CACHE_OPS, "PERF_COUNT_HW_CACHE_OP_???")
        + "<<8|" + _xval(config & 0xFF, K.PERF_HW_CACHE_IDS, "PERF_COUNT_HW_CACHE_???")
    )  # fmt: skip


def _flags(word: int, verbose: bool) -> list[str]:
    """The one-bit flags (all under -v, else those set), precise_ip with its meaning."""
    fields = [f"{name}={word >> bit & 1}" for bit, name in enumerate(_FLAGS)
              if verbose or word >> bit & 1]  # fmt: skip
    precise = word >> 15 & 3
    fields.append(f"precise_ip={precise} /* {_SKID[precise]} */")
    fields += [f"{name}={word >> bit & 1}" for bit, name in enumerate(_MORE_FLAGS, 17)
               if verbose or word >> bit & 1]  # fmt: skip
    if word >> 38:
        fields.append(f"__reserved_1={number(word >> 38)} /* Bits 63..38 */")
    return fields


def _optional(data: bytes, kind: int, sample_type: int, flags: int, size: int) -> list[str]:
    """The fields from wakeup_events on (-v), each where ``size`` reaches it."""
    values = _TAIL.unpack(data)
    wakeup, bp_type, config1, config2, branch, regs_user, stack_user, clockid = values[:8]
    regs_intr, aux_watermark, max_stack, reserved2, aux_size, reserved3, sig_data = values[8:]
    breakpoint_ = kind == _BREAKPOINT
    fields = [f"wakeup_watermark={wakeup}" if flags >> 14 & 1 else f"wakeup_events={wakeup}"]
    if breakpoint_:
        unknown = "HW_BREAKPOINT_INVALID" if bp_type <= 7 else "HW_BREAKPOINT_???"
        fields.append(f"bp_type={_xval(bp_type, K.HW_BREAKPOINT_TYPES, unknown)}")
    fields.append(f"bp_addr={number(config1)}" if breakpoint_ else f"config1={number(config1)}")
    steps: list[tuple[int, str]] = [
        (64, f"bp_len={config2}" if breakpoint_ else f"config2={number(config2)}"),
        (72, "branch_sample_type=" + format_flags(branch, K.PERF_BRANCH_SAMPLE_TYPES,
                                                  "PERF_SAMPLE_BRANCH_???").text
         if sample_type & _BRANCH_STACK else ""),
        (80, f"sample_regs_user={number(regs_user)}"),
        (88, f"sample_stack_user={number(stack_user)}" if sample_type & _STACK_USER else ""),
        (92, f"clockid={_xval(clockid & 0xFFFFFFFF, K.CLOCKS, 'CLOCK_???')}"
         if flags >> 25 & 1 else ""),
        (96, f"sample_regs_intr={number(regs_intr)}"),
        (104, f"aux_watermark={aux_watermark}"),
        (108, f"sample_max_stack={max_stack}"),
        (110, f" /* bytes 110..111: {number(reserved2)} */" if reserved2 else ""),
        (112, f"aux_sample_size={aux_size}"),
        (116, f" /* bytes 116..119: {number(reserved3)} */" if reserved3 else ""),
        (120, f"sig_data={number(sig_data)}"),
    ]  # fmt: skip
    for offset, text in steps:
        if offset >= size:
            break
        if text.startswith(" /*"):
            fields[-1] += text  # strace's comment on reserved bytes follows the field before
        elif text:
            fields.append(text)
    return fields


def perf_event_attr(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """``{type=PERF_TYPE_HARDWARE, size=PERF_ATTR_SIZE_VER7, config=..., ...}``."""
    head = read_exact(memory, raw + 4, 4) if raw else None
    if head is None:
        return unreadable(raw)
    size = min(int.from_bytes(head, "little"), _FULL) or _FIRST
    if size < _FIRST:
        return unreadable(raw)
    size = size if options.verbose else _ABBREV
    data = read_exact(memory, raw, size)
    if data is None:
        return unreadable(raw)
    data = data.ljust(_FULL, b"\0")
    kind, stated, config, period, sample_type, read_format, flags = _HEAD.unpack_from(data)
    fields = [
        f"type={_xval(kind, K.PERF_TYPES, 'PERF_TYPE_???')}",
        f"size={_xval(stated, K.PERF_ATTR_SIZES, 'PERF_ATTR_SIZE_???')}",
        f"config={_config(kind, config)}",
        f"sample_freq={period}" if flags >> 10 & 1 else f"sample_period={period}",
        f"sample_type={format_flags(sample_type, K.PERF_SAMPLE_FORMATS, 'PERF_SAMPLE_???').text}",
        f"read_format={format_flags(read_format, K.PERF_READ_FORMATS, 'PERF_FORMAT_???').text}",
        *_flags(flags, options.verbose),
    ]
    if options.verbose:
        fields += _optional(data, kind, sample_type, flags, size)
    if (stated and stated > size) or (not stated and size < _FIRST):
        fields.append("...")
    return DecodedValue("{" + ", ".join(fields) + "}", None, raw)


def _entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return perf_event_attr(raw[at], memory, options)


def _exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """After E2BIG, the size the kernel wrote back, beside the one the caller gave."""
    entered = args[at].text
    if retval != -_E2BIG or not entered.startswith("{"):
        return None
    written = read_exact(memory, raw[at] + 4, 4)
    new = "???"
    if written is not None:
        new = _xval(int.from_bytes(written, "little"), K.PERF_ATTR_SIZES, "PERF_ATTR_SIZE_???")
    start = entered.index(", size=") + len(", size=")
    end = entered.index(", ", start)
    return DecodedValue(entered[:end] + f" => {new}" + entered[end:], None, raw[at])


DECODERS: dict[str, Decoder] = {
    # on_failure: after E2BIG, the size the kernel wrote back
    "struct:perf_event_attr": Decoder(
        entry=_entry, exit=_exit, in_and_out=True, alone=perf_event_attr, on_failure=True
    ),
}
# The argument strace prints at exit, failed or not (traced.decoders.arguments).
OUTPUTS = (("perf_event_open", "attr"),)
