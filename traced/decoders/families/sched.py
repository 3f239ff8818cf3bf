"""Tasks and CPUs: clone3's struct clone_args, the scheduler's policies, params and
affinity masks, getcpu's and mincore's outputs.

Kernel facts (x86_64):

* struct clone_args is eight u64s (flags, pidfd, child_tid, parent_tid, exit_signal,
  stack, stack_size, tls: 64 bytes, CLONE_ARGS_SIZE_VER0), then set_tid and
  set_tid_size (80), then cgroup (88); clone3's second argument is the size the
  caller passed, and the kernel reads no struct smaller than 64 bytes;
* a policy is an int, SCHED_RESET_ON_FORK or'ed in; struct sched_param is one int;
* an affinity mask is a bit array, CPU N at bit N; sched_getaffinity returns the
  bytes it wrote, the kernel's mask size (whole longs for its possible CPUs);
* mincore writes one byte per page of the range, bit 0 set for a resident page;
  getcpu writes an unsigned int through each of its first two pointers.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text
from traced.decoders.families.process import CLONE
from traced.decoders.families.signals import signal
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.pidnames import pid_text
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
from traced.decoders.xlat import Table, format_enum, format_flags, lookup
from traced.events import Arg

_CLONE_ARGS = struct.Struct("<11Q")  # the 88 bytes of CLONE_ARGS_SIZE_VER2
_CLONE_ARGS_MIN = 64  # CLONE_ARGS_SIZE_VER0: up to tls
_FLAG = {name: value for name, value in (*CLONE, *K.CLONE3_FLAGS)}
CLONE3: Table = (*CLONE, *K.CLONE3_FLAGS)
_MAX_SET_TID = 32  # the kernel's limit on set_tid_size (and strace's to read them)
_INT_MAX = (1 << 31) - 1
_PAGE = 4096
# The most of a mask read: strace reads no more than the kernel's mask size, which
# sched_getaffinity returns (a mask set with more is printed with ``...`` by strace).
CPUSET_BYTES = 1024

# --- clone3 ------------------------------------------------------------------------------


def _clone_args_fields(
    values: Sequence[int], size: int, memory: Memory, options: Options
) -> list[str]:
    flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls = values[:8]
    set_tid, set_tid_size, cgroup = values[8:]
    fields = [f"flags={format_flags(flags, CLONE3, 'CLONE_???').text}"]
    if flags & _FLAG["CLONE_PIDFD"]:
        fields.append(f"pidfd={hex_address(pidfd)}")
    if flags & (_FLAG["CLONE_CHILD_SETTID"] | _FLAG["CLONE_CHILD_CLEARTID"]):
        fields.append(f"child_tid={hex_address(child_tid)}")
    if flags & _FLAG["CLONE_PARENT_SETTID"]:
        fields.append(f"parent_tid={hex_address(parent_tid)}")
    shown = signal(exit_signal).text if exit_signal < _INT_MAX else str(exit_signal)
    fields += [
        f"exit_signal={shown}",
        f"stack={hex_address(stack)}",
        f"stack_size={chex(stack_size)}",
    ]
    if flags & _FLAG["CLONE_SETTLS"]:
        fields.append(f"tls={hex_address(tls)}")
    if set_tid or set_tid_size:
        if set_tid and 0 < set_tid_size <= _MAX_SET_TID:
            tids = array_text(set_tid, set_tid_size, 4, memory, options, element=_int_text).text
        else:
            tids = hex_address(set_tid)
        fields += [f"set_tid={tids}", f"set_tid_size={set_tid_size}"]
    if size > 80 and (cgroup or flags & _FLAG["CLONE_INTO_CGROUP"]):
        fields.append(f"cgroup={cgroup}")
    return fields


def clone3_completed_at_exit(flags: int, size: int) -> bool:
    """Whether strace leaves clone3's line open after its struct, to add at exit what the
    kernel wrote (`` => {parent_tid=[42]}``) and the size: with CLONE_PIDFD or
    CLONE_PARENT_SETTID, or a struct larger than the kernel's.  Otherwise the whole
    call is printed at entry, size included."""
    written = _FLAG["CLONE_PIDFD"] | _FLAG["CLONE_PARENT_SETTID"]
    return bool(flags & written) or size > _CLONE_ARGS.size


def _int_text(data: bytes) -> str:
    return str(int.from_bytes(data, "little", signed=True))


def _clone_args_entry(
    raw: Sequence[int], at: int, memory: Memory, options: Options
) -> DecodedValue:
    """``{flags=CLONE_VM|..., exit_signal=SIGCHLD, stack=NULL, stack_size=0}``; a struct
    larger than the kernel's is followed by ``???`` where its tail is unreadable."""
    address, size = raw[at], raw[at + 1]
    fetched = min(size, _CLONE_ARGS.size)
    data = read_exact(memory, address, fetched) if fetched >= _CLONE_ARGS_MIN else None
    if data is None:
        return unreadable(address)
    values = _CLONE_ARGS.unpack(data.ljust(_CLONE_ARGS.size, b"\0"))
    fields = _clone_args_fields(values, fetched, memory, options)
    tail = _tail(address, fetched, size, memory)
    return DecodedValue("{" + ", ".join(fields + tail) + "}", values[0], address)


def _tail(address: int, fetched: int, size: int, memory: Memory) -> list[str]:
    """The bytes past the kernel's struct (up to a page): ``???`` where unreadable, in hex
    where any is set (``/* bytes 88..95 */ "\\xde..."``), else nothing."""
    if size <= fetched:
        return []
    end = min(size, _PAGE)
    data = read_exact(memory, address + fetched, end - fetched)
    if data is None:
        return ["???"]
    if not any(data):
        return []
    escaped = "".join(f"\\x{byte:02x}" for byte in data)
    return [f'/* bytes {fetched}..{end - 1} */ "{escaped}"']


def _clone_args_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """`` => {parent_tid=[42]}``: the pidfd and parent tid the kernel wrote, after the
    struct as it was at entry (for the flags that make the kernel write them)."""
    address, size = raw[at], raw[at + 1]
    fetched = min(size, _CLONE_ARGS.size)
    data = read_exact(memory, address, fetched) if fetched >= _CLONE_ARGS_MIN else None
    if data is None or at >= len(args):
        return None
    flags, pidfd, _, parent_tid = struct.unpack_from("<4Q", data)
    written = []
    if flags & _FLAG["CLONE_PIDFD"]:
        written.append(f"pidfd={_written_int(pidfd, memory)}")
    if flags & _FLAG["CLONE_PARENT_SETTID"]:
        written.append(f"parent_tid={_written_int(parent_tid, memory, pid=True)}")
    written += _tail(address, fetched, size, memory)
    if not written:
        return None
    return DecodedValue(f"{args[at].text} => {{{', '.join(written)}}}", flags, address)


def _written_int(address: int, memory: Memory, *, pid: bool = False) -> str:
    """``[42]``; a tid (``pid``) named under -Y, ``[42<sh>]``, as strace's printnum_pid."""
    data = read_exact(memory, address, 4)
    if data is None:
        return hex_address(address)
    value = int.from_bytes(data, "little", signed=True)
    return f"[{pid_text(value) if pid else value}]"


# --- scheduling ---------------------------------------------------------------------------


def policy_name(policy: int) -> str | None:
    """``SCHED_FIFO``; None for a negative or unknown one (strace 6.1 does not name
    SCHED_RESET_ON_FORK: a policy with it is unknown)."""
    return None if policy < 0 else lookup(policy, K.SCHED_POLICIES)


def sched_policy(raw: int) -> DecodedValue:
    return format_enum(raw & 0xFFFFFFFF, K.SCHED_POLICIES, "SCHED_???")


def _bracketed_int(address: int, memory: Memory, *, unsigned: bool = False) -> DecodedValue:
    """``[N]``: one int the kernel read or wrote; its address when unreadable."""
    data = read_exact(memory, address, 4)
    if data is None:
        return unreadable(address)
    value = int.from_bytes(data, "little", signed=not unsigned)
    return DecodedValue(f"[{value}]", value, address)


def _param(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return _bracketed_int(raw[at], memory)


def _param_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    return _bracketed_int(raw[at], memory)


def _uint_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    return _bracketed_int(raw[at], memory, unsigned=True)


def affinity_text(address: int, size: int, memory: Memory) -> DecodedValue:
    """``[0 1]``: the CPUs in a mask of ``size`` bytes."""
    if address == 0:
        return DecodedValue("NULL", None, address)
    if size == 0:
        return DecodedValue("[]", [], address)
    fetched = min(size, CPUSET_BYTES)
    data = read_exact(memory, address, fetched)
    if data is None:
        return unreadable(address)
    bits = int.from_bytes(data, "little")
    cpus = [str(cpu) for cpu in range(fetched * 8) if bits >> cpu & 1]
    return DecodedValue("[" + " ".join(cpus) + "]", cpus, address)


def _affinity_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return affinity_text(raw[at], raw[at - 1] & 0xFFFFFFFF, memory)


def _affinity_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    return affinity_text(raw[at], retval, memory)


def _mincore_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    """``[1, 0]``: whether each page of the range is resident."""
    pages = -(-raw[1] // _PAGE)
    return array_text(raw[at], pages, 1, memory, options, element=lambda b: str(b[0] & 1))


_SCHED_ATTR = struct.Struct("<IIQiIQQQII")  # VER1: 56 bytes
_ATTR_VER0, _ATTR_VER1 = 48, 56
_KEEP = dict(K.SCHED_FLAGS)
_KEEP_POLICY, _KEEP_PARAMS = _KEEP["SCHED_FLAG_KEEP_POLICY"], _KEEP["SCHED_FLAG_KEEP_PARAMS"]


def sched_attr_text(data: bytes, size: int, setting: bool, more: bool) -> str:
    """``{size=48, sched_policy=SCHED_OTHER, sched_flags=0, sched_nice=0, ...}``: the
    fields of ``size`` bytes, and what a sched_setattr's flags leave unused omitted."""
    values = _SCHED_ATTR.unpack(data.ljust(_SCHED_ATTR.size, b"\0"))
    length, policy, flags, nice, priority, runtime, deadline, period, low, high = values
    fields = [f"size={length}"]
    if size >= _ATTR_VER0:
        keep = flags & (_KEEP_POLICY | _KEEP_PARAMS)
        if not setting or as_signed(policy, 32) < 0 or not keep:
            fields.append(f"sched_policy={format_enum(policy, K.SCHED_POLICIES, 'SCHED_???').text}")
        fields.append(f"sched_flags={format_flags(flags, K.SCHED_FLAGS, 'SCHED_FLAG_???').text}")
        if not setting or not flags & _KEEP_PARAMS:
            fields += [f"sched_nice={nice}", f"sched_priority={priority}"]
            fields += [f"sched_runtime={runtime}", f"sched_deadline={deadline}"]
            fields.append(f"sched_period={period}")
        if size >= _ATTR_VER1:
            fields += [f"sched_util_min={low}", f"sched_util_max={high}"]
    return "{" + ", ".join(fields + (["..."] if more else [])) + "}"


def _setattr_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """sched_setattr's struct, as long as its own size field says (0: the first size)."""
    address = raw[at]
    head = read_exact(memory, address, 4)
    if head is None:
        return unreadable(address)
    declared = int.from_bytes(head, "little") or _ATTR_VER0
    size = min(declared, _SCHED_ATTR.size)
    data = read_exact(memory, address, size) if size >= _ATTR_VER0 else head
    if data is None:
        return unreadable(address)
    return DecodedValue(sched_attr_text(data, size, True, declared > size), None, address)


def _getattr_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    """sched_getattr's struct, as many bytes as the kernel wrote (its size field)."""
    address, asked = raw[at], raw[at + 1] & 0xFFFFFFFF
    data = read_exact(memory, address, min(asked, _SCHED_ATTR.size)) if asked else None
    if data is None or len(data) < 4:
        return unreadable(address)
    written = int.from_bytes(data[:4], "little")
    text = sched_attr_text(data, min(written, len(data)), False, written > len(data))
    return DecodedValue(text, None, address)


def sched_result(syscall: str, retval: int) -> str | None:
    """sched_getscheduler's policy: ``0 (SCHED_OTHER)``."""
    name = policy_name(retval) if syscall == "sched_getscheduler" else None
    return f"{retval} ({name})" if name else None


DECODERS: dict[str, Decoder] = {
    # shown at entry, and again at exit with what the kernel wrote through it
    "struct:clone_args": Decoder(
        entry=_clone_args_entry, exit=_clone_args_exit, in_and_out=True, whole_at_entry=True
    ),
    "enum:sched_policy": by_register(sched_policy),
    "struct:sched_param": Decoder(entry=_param, exit=_param_exit),
    "struct:cpu_set": Decoder(entry=_affinity_entry, exit=_affinity_exit),
    "struct:sched_attr": Decoder(entry=_setattr_entry, exit=_getattr_exit),
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("getcpu", "cpu"): Decoder(exit=_uint_exit),
    ("getcpu", "node"): Decoder(exit=_uint_exit),
    ("mincore", "vec"): Decoder(exit=_mincore_exit),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "enum:sched_policy": K.SCHED_POLICIES,
}
