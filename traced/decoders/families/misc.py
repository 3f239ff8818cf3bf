"""Two syscalls of their own: futex (its op, and which arguments its command uses)
and getrandom (its flags, and its bytes shown as hex escapes)."""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.values import (
    DecodedValue,
    Memory,
    Options,
    chex,
    hex_address,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import Table, format_enum, format_flags, lookup, number, styled
from traced.events import Arg

# --- getrandom ---------------------------------------------------------------------

GETRANDOM: Table = (("GRND_NONBLOCK", 1), ("GRND_RANDOM", 2), ("GRND_INSECURE", 4))


def getrandom_flags(raw: int) -> DecodedValue:
    return format_flags(raw & 0xFFFFFFFF, GETRANDOM)


def hex_bytes(raw: int, memory: Memory, size: int, limit: int) -> DecodedValue:
    """``"\\x1f\\xbc..."``: random bytes, which strace shows as hex escapes only."""
    if raw == 0:
        return DecodedValue("NULL", None, raw)
    shown = max(0, min(size, limit))
    data = read_exact(memory, raw, shown) if shown else b""
    if data is None:
        return unreadable(raw)
    text = '"' + "".join(f"\\x{byte:02x}" for byte in data) + '"' + ("..." if size > shown else "")
    return DecodedValue(text, data.hex(), raw)


def _random_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    return hex_bytes(raw[at], memory, retval, options.string_limit)


# --- futex ---------------------------------------------------------------------------

_FLAG = dict(K.FUTEX_OP_FLAGS)
FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME = (
    _FLAG["FUTEX_PRIVATE_FLAG"],
    _FLAG["FUTEX_CLOCK_REALTIME"],
)
_COMMAND_BITS = 127  # the op's command, below the private flag
FUTEX_BITSET_MATCH_ANY = dict(K.FUTEX_BITSET)["FUTEX_BITSET_MATCH_ANY"]
_COMMANDS = {value: name.removeprefix("FUTEX_") for name, value in K.FUTEX_COMMANDS
             if not name.endswith("_PRIVATE")}  # fmt: skip
# The waits the kernel lets time out on CLOCK_REALTIME, which strace names so.
_REALTIME_WAITS = ("FUTEX_WAIT", "FUTEX_WAIT_BITSET", "FUTEX_WAIT_REQUEUE_PI")
# Every op strace names, as one value each: the header's commands and their private
# forms, FUTEX_FD's private form (which the header leaves unnamed), and the waits
# with a realtime clock; any other combination is ``0x.. /* FUTEX_??? */``.
FUTEX_OPS: Table = (
    *K.FUTEX_COMMANDS,
    ("FUTEX_FD|FUTEX_PRIVATE_FLAG", dict(K.FUTEX_COMMANDS)["FUTEX_FD"] | FUTEX_PRIVATE_FLAG),
    *((f"{name}|FUTEX_CLOCK_REALTIME", value | FUTEX_CLOCK_REALTIME)
      for name, value in K.FUTEX_COMMANDS if name.removesuffix("_PRIVATE") in _REALTIME_WAITS),
)  # fmt: skip

# Which of futex's arguments after the op strace prints, by command: the rest
# are unused by that command.  (val, timeout, uaddr2, val3) by their names.
FUTEX_SHOWN: dict[str, tuple[str, ...]] = {
    "WAIT": ("val", "timeout"),
    "WAKE": ("val",),
    "FD": ("val",),
    "REQUEUE": ("val", "timeout", "uaddr2"),
    "CMP_REQUEUE": ("val", "timeout", "uaddr2", "val3"),
    "CMP_REQUEUE_PI": ("val", "timeout", "uaddr2", "val3"),
    "WAKE_OP": ("val", "timeout", "uaddr2", "val3"),
    "LOCK_PI": ("timeout",),
    "LOCK_PI2": ("timeout",),
    "UNLOCK_PI": (),
    "TRYLOCK_PI": (),
    "WAIT_BITSET": ("val", "timeout", "val3"),
    "WAKE_BITSET": ("val", "val3"),
    "WAIT_REQUEUE_PI": ("val", "timeout", "uaddr2"),
}


def futex_command(raw: int) -> str | None:
    """The op's command (``WAIT``), whatever its flags; None for an unknown one."""
    return _COMMANDS.get(raw & _COMMAND_BITS)


def futex_op(raw: int) -> DecodedValue:
    """``FUTEX_WAKE_PRIVATE``, ``FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME``."""
    return format_enum(raw & 0xFFFFFFFF, FUTEX_OPS, "FUTEX_???")


def futex_bitset(raw: int) -> str:
    value = raw & 0xFFFFFFFF
    name = lookup(value, K.FUTEX_BITSET)
    return styled(name, number(value)) if name else chex(value)


def _shifted(value: int, table: Table, shift: int, unknown: str) -> str:
    name = lookup(value, table)
    return f"{name}<<{shift}" if name else f"{chex(value)}<<{shift} /* {unknown} */"


def futex_wake_op(raw: int) -> str:
    """FUTEX_WAKE_OP's val3, its four fields:
    ``FUTEX_OP_ADD<<28|0x1<<12|FUTEX_OP_CMP_GT<<24|0x2``."""
    value = raw & 0xFFFFFFFF
    oparg_shift = dict(K.FUTEX_WAKE_OPS)["FUTEX_OP_OPARG_SHIFT"]
    operations = tuple(row for row in K.FUTEX_WAKE_OPS if row[0] != "FUTEX_OP_OPARG_SHIFT")
    parts = ["FUTEX_OP_OPARG_SHIFT<<28"] if value >> 28 & oparg_shift else []
    parts += [
        _shifted(value >> 28 & 7, operations, 28, "FUTEX_OP_???"),
        f"{chex(value >> 12 & 0xFFF)}<<12",
        _shifted(value >> 24 & 0xF, K.FUTEX_WAKE_CMPS, 24, "FUTEX_OP_CMP_???"),
        chex(value & 0xFFF),
    ]
    return "|".join(parts)


# --- futex_waitv ---------------------------------------------------------------------

_WAITER = struct.Struct("<QQII")  # struct futex_waitv: val, uaddr, flags, __reserved


def waiter_text(data: bytes) -> str:
    """``{val=0x1, uaddr=0x7f..., flags=FUTEX_32|FUTEX_PRIVATE_FLAG}``."""
    val, uaddr, flags, reserved = _WAITER.unpack(data)
    text = f"{{val={chex(val)}, uaddr={hex_address(uaddr)}, "
    text += f"flags={format_flags(flags, K.FUTEX_WAITER_FLAGS).text}"
    return text + (f", __reserved={chex(reserved)}}}" if reserved else "}")


_WAITV_MAX = dict(K.FUTEX_LIMITS)["FUTEX_WAITV_MAX"]  # the most waiters strace prints


def _waiters(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    count = raw[at + 1] & 0xFFFFFFFF
    shown = array_text(raw[at], min(count, _WAITV_MAX), _WAITER.size, memory, options,
                       element=waiter_text)  # fmt: skip
    if count > _WAITV_MAX and shown.text.endswith("}]"):  # all 128 printed: more follow
        return shown._replace(text=shown.text[:-1] + ", ...]")
    return shown


def _waitv_clock(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """futex_waitv's clock, an unsigned int: no CPU clock is one."""
    return format_enum(raw[at] & 0xFFFFFFFF, K.CLOCKS, "CLOCK_???")


DECODERS: dict[str, Decoder] = {
    "flags:getrandom": by_register(getrandom_flags), "random": Decoder(exit=_random_exit),
    "enum:futex_op": by_register(futex_op),
    "struct:futex_waitv": Decoder(entry=_waiters),
}  # fmt: skip
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("futex_waitv", "clockid"): Decoder(entry=_waitv_clock),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "flags:getrandom": GETRANDOM,
    "enum:futex_op": (*K.FUTEX_COMMANDS, *K.FUTEX_OP_FLAGS[:2]),
}  # fmt: skip
