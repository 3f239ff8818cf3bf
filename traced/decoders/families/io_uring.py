"""io_uring's three calls as strace 6.1 prints them: io_uring_setup's params,
io_uring_enter's flags and signal mask, io_uring_register's argument by opcode
(the structs are io_uring_structs.py's).

Kernel facts (linux/io_uring.h, x86_64):

* io_uring_setup reads struct io_uring_params ``{u32 sq_entries, cq_entries,
  flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3]; struct
  io_sqring_offsets sq_off; struct io_cqring_offsets cq_off}`` (120 bytes) and, on
  success, writes back the ring sizes, the features and the rings' offsets; wq_fd
  is read only under IORING_SETUP_ATTACH_WQ.  strace prints the inputs at entry
  and adds the outputs at exit, inside the same braces;
* io_uring_enter's sigset is ``sigsz`` bytes (a word at least, or not read);
* IORING_REGISTER_PROBE fills struct io_uring_probe ``{u8 last_op, ops_len; u16
  resv; u32 resv2[3]; struct io_uring_probe_op ops[]}`` (ops of 8 bytes, at most
  256), which the program passes zeroed: strace prints it at exit only, unless it
  held something at entry (then ``{...} => {...}``);
* IORING_REGISTER_IOWQ_MAX_WORKERS reads ``nr_args`` u32 counts (bound, unbound
  workers) and writes back the counts before: ``[...] => [...]``.

An output is decoded at exit after a success only (arguments.py), so the entry's
text is what a failed call shows: the probe not yet printed is its address, and
the counts read whole are followed by `` => `` and the address, as strace's exit
prints them when it cannot read after a failure.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.arrays import array_text
from traced.decoders.families import io_uring_structs as S
from traced.decoders.families.sched import affinity_text
from traced.decoders.families.signals import sized_sigset
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.kinds import Decoder
from traced.decoders.values import (
    DecodedValue,
    Memory,
    Options,
    as_signed,
    chex,
    hex_address,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import Table, format_flags, lookup
from traced.decoders.xlat import named as named_value
from traced.events import Arg

PARAMS = struct.Struct("<10I8IQ8IQ")
PROBE = struct.Struct("<BBH3I")
PROBE_OP = struct.Struct("<BBHI")
PROBE_OPS_MAX = 256
_SQ_OFF = ("head", "tail", "ring_mask", "ring_entries", "flags", "dropped", "array")
_CQ_OFF = ("head", "tail", "ring_mask", "ring_entries", "overflow", "cqes", "flags")
_ATTACH_WQ = dict(K.IORING_SETUP)["IORING_SETUP_ATTACH_WQ"]
_OP = dict(K.IORING_REGISTER)


def _offsets(names: tuple[str, ...], values: Sequence[int]) -> str:
    fields = [f"{name}={value}" for name, value in zip(names, values, strict=False)]
    resv1, resv2 = values[7], values[8]
    fields += ([f"resv1={resv1:#x}"] if resv1 else []) + ([f"resv2={resv2:#x}"] if resv2 else [])
    return "{" + ", ".join(fields) + "}"


def _params_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """The inputs: ``{flags=..., sq_thread_cpu=0, sq_thread_idle=0}``."""
    data = read_exact(memory, raw[at], PARAMS.size)
    if data is None:
        return unreadable(raw[at])
    _, _, flags, cpu, idle, _, wq_fd, *resv = PARAMS.unpack(data)[:10]
    fields = [f"flags={format_flags(flags, K.IORING_SETUP, 'IORING_SETUP_???').text}"]
    fields += [f"sq_thread_cpu={chex(cpu)}", f"sq_thread_idle={idle}"]
    if flags & _ATTACH_WQ:
        fields.append(f"wq_fd={fd_in_memory(as_signed(wq_fd, 32))}")
    if any(resv):
        fields.append(f"resv={S.xints(tuple(resv))}")
    return DecodedValue("{" + ", ".join(fields) + "}", {"flags": flags}, raw[at])


def _params_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """The entry's fields, then what the kernel wrote, in the same braces."""
    entered = args[at] if at < len(args) else None
    data = read_exact(memory, raw[at], PARAMS.size)
    if entered is None or not isinstance(entered.value, dict) or data is None:
        return None
    values = PARAMS.unpack(data)
    features = format_flags(values[5], K.IORING_FEAT, "IORING_FEAT_???").text
    outputs = (
        f", sq_entries={values[0]}, cq_entries={values[1]}, features={features}, "
        f"sq_off={_offsets(_SQ_OFF, values[10:19])}, cq_off={_offsets(_CQ_OFF, values[19:28])}"
    )
    return DecodedValue(entered.text[:-1] + outputs + "}", entered.value, raw[at])


# --- io_uring_register's probe and worker counts, printed at entry and at exit --------


def _probe_op(chunk: bytes) -> str:
    op, resv, flags, resv2 = PROBE_OP.unpack(chunk)
    text = "op=" + named_value(op, lookup(op, K.IORING_OPS), "IORING_OP_???", decimal=True)
    text += f", resv={resv:#x}" if resv else ""
    text += ", flags=" + format_flags(flags, K.IO_URING_OP_FLAGS, "IO_URING_OP_???").text
    return "{" + text + (f", resv2={resv2:#x}" if resv2 else "") + "}"


def _probe_text(data: bytes, count: int, truncated: bool, options: Options) -> str:
    last_op, ops_len, resv, *resv2 = PROBE.unpack_from(data)
    last = named_value(last_op, lookup(last_op, K.IORING_OPS), "IORING_OP_???", decimal=True)
    fields = [f"last_op={last}", f"ops_len={ops_len}"]
    fields += ([f"resv={resv:#x}"] if resv else []) + (
        [f"resv2={S.xints(tuple(resv2))}"] if any(resv2) else []
    )
    shown = count if options.verbose else min(count, max(0, options.string_limit))
    ops = [_probe_op(data[PROBE.size + 8 * i : PROBE.size + 8 * i + 8]) for i in range(shown)]
    if shown < count or truncated:
        ops.append("...")
    return "{" + ", ".join(fields) + ", ops=[" + ", ".join(ops) + "]}"


def probe_entry(address: int, count: int, memory: Memory, options: Options) -> DecodedValue:
    """The probe as passed: its address while it is zeroed (the exit prints it)."""
    data = read_exact(memory, address, PROBE.size + 8 * count) if count <= PROBE_OPS_MAX else None
    if data is None:
        return unreadable(address)
    if not any(data):
        return DecodedValue(hex_address(address), {"pending": True, "printed": False}, address)
    text = _probe_text(data, count, False, options)
    return DecodedValue(text, {"pending": True, "printed": True}, address)


def probe_exit(address: int, count: int, entered: Arg, memory: Memory, options: Options) -> str:
    data = read_exact(memory, address, PROBE.size + 8 * count)
    printed = isinstance(entered.value, dict) and entered.value.get("printed")
    before = entered.text + " => " if printed else ""
    if data is None:
        return before + hex_address(address)
    ops_len = data[1]
    return before + _probe_text(data, min(ops_len, count), count < ops_len, options)


def workers(address: int, count: int, memory: Memory, options: Options) -> tuple[str, bool]:
    """``[[IO_WQ_BOUND]=4, [IO_WQ_UNBOUND]=8]``, and whether it was read to its end."""
    index = 0

    def element(chunk: bytes) -> str:
        nonlocal index
        name = named_value(index, lookup(index, K.IO_WQ), "IO_WQ_???", decimal=True)
        index += 1
        return f"[{name}]={struct.unpack('<I', chunk)[0]}"

    text = array_text(address, count, 4, memory, options, element=element).text
    # strace goes on to the exit only for an array it read to its end, or to -s and
    # the element after (array_text)
    read = count if options.verbose else min(count, max(0, options.string_limit) + 1)
    if count == 0 or address + 4 * count >= 1 << 64:
        return text, False
    return text, read_exact(memory, address, 4 * read) is not None


# --- io_uring_register's argument ------------------------------------------------------

Printer = Callable[[int, int, Memory, Options], DecodedValue]


def _sized(printer: Callable[[int, int, int, Memory, Options], DecodedValue], op: str) -> Printer:
    return lambda address, size, memory, options: printer(_OP[op], address, size, memory, options)


def _affinity(address: int, size: int, memory: Memory, options: Options) -> DecodedValue:
    return affinity_text(address, size, memory)


_ARGUMENT: dict[int, Printer] = {
    _OP["IORING_REGISTER_BUFFERS"]: S.iovecs,
    _OP["IORING_REGISTER_FILES"]: S.fds,
    _OP["IORING_REGISTER_EVENTFD"]: S.fds,
    _OP["IORING_REGISTER_EVENTFD_ASYNC"]: S.fds,
    _OP["IORING_REGISTER_FILES_UPDATE"]: S.files_update,
    _OP["IORING_REGISTER_PROBE"]: probe_entry,
    _OP["IORING_REGISTER_RESTRICTIONS"]: S.restrictions,
    _OP["IORING_REGISTER_FILES2"]: _sized(S.rsrc_register, "IORING_REGISTER_FILES2"),
    _OP["IORING_REGISTER_BUFFERS2"]: _sized(S.rsrc_register, "IORING_REGISTER_BUFFERS2"),
    _OP["IORING_REGISTER_FILES_UPDATE2"]: _sized(S.rsrc_update, "IORING_REGISTER_FILES_UPDATE2"),
    _OP["IORING_REGISTER_BUFFERS_UPDATE"]: _sized(S.rsrc_update, "IORING_REGISTER_BUFFERS_UPDATE"),
    _OP["IORING_REGISTER_IOWQ_AFF"]: _affinity,
    _OP["IORING_REGISTER_RING_FDS"]: S.ring_fds,
    _OP["IORING_UNREGISTER_RING_FDS"]: S.ring_fds_gone,
    _OP["IORING_REGISTER_PBUF_RING"]: S.buf_reg,
    _OP["IORING_UNREGISTER_PBUF_RING"]: S.buf_reg,
}  # fmt: skip
_PROBE, _WORKERS = _OP["IORING_REGISTER_PROBE"], _OP["IORING_REGISTER_IOWQ_MAX_WORKERS"]


def _opcode_and_count(raw: Sequence[int], at: int) -> tuple[int, int]:
    count = raw[at + 1] & 0xFFFFFFFF if at + 1 < len(raw) else 0
    return raw[at - 1] & 0xFFFFFFFF, count


def register_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """The argument as the opcode reads it; any other opcode's as its address."""
    opcode, count = _opcode_and_count(raw, at)
    if opcode == _WORKERS:
        text, whole = workers(raw[at], count, memory, options)
        pending = text + " => " + hex_address(raw[at]) if whole else text
        return DecodedValue(pending, {"pending": whole}, raw[at])
    printer = _ARGUMENT.get(opcode)
    return unreadable(raw[at]) if printer is None else printer(raw[at], count, memory, options)


def register_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """What the kernel wrote back, where the entry left it pending: the probe, the
    worker counts before the call."""
    opcode, count = _opcode_and_count(raw, at)
    entered = args[at] if at < len(args) else None
    if entered is None or not isinstance(entered.value, dict) or not entered.value.get("pending"):
        return None
    if opcode == _PROBE:
        return DecodedValue(probe_exit(raw[at], count, entered, memory, options), None, raw[at])
    if opcode != _WORKERS:
        return None
    before = entered.text.removesuffix(" => " + hex_address(raw[at]))
    after, _ = workers(raw[at], count, memory, options)
    return DecodedValue(f"{before} => {after}", None, raw[at])


DECODERS: dict[str, Decoder] = {
    "flags:io_uring_enter": named.flags(K.IORING_ENTER, "IORING_ENTER_???"),
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("io_uring_setup", "params"): Decoder(
        entry=_params_entry, exit=_params_exit, in_and_out=True, whole_at_entry=True
    ),
    ("io_uring_enter", "sig"): sized_sigset(5),
    ("io_uring_register", "arg"): Decoder(
        entry=register_entry, exit=register_exit, in_and_out=True, whole_at_entry=True
    ),
}
CONSTANTS: dict[str, Table] = {"flags:io_uring_enter": K.IORING_ENTER}
