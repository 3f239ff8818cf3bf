"""Two syscalls of their own: futex (its op, and which arguments its command uses)
and getrandom (its flags, and its bytes shown as hex escapes)."""

from __future__ import annotations

from collections.abc import Sequence

from traced.decoders.kinds import Decoder, by_register
from traced.decoders.values import DecodedValue, Memory, Options, read_exact, unreadable
from traced.decoders.xlat import Table, format_flags, named, number, styled
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

_FUTEX_COMMANDS = (
    "WAIT", "WAKE", "FD", "REQUEUE", "CMP_REQUEUE", "WAKE_OP", "LOCK_PI", "UNLOCK_PI",
    "TRYLOCK_PI", "WAIT_BITSET", "WAKE_BITSET", "WAIT_REQUEUE_PI", "CMP_REQUEUE_PI", "LOCK_PI2",
)  # fmt: skip
FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME = 128, 256
FUTEX_BITSET_MATCH_ANY = 0xFFFFFFFF

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
    command = raw & 0xFFFFFFFF & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
    return _FUTEX_COMMANDS[command] if command < len(_FUTEX_COMMANDS) else None


def futex_op(raw: int) -> DecodedValue:
    """``FUTEX_WAKE_PRIVATE``, ``FUTEX_CLOCK_REALTIME|FUTEX_WAIT_BITSET_PRIVATE``."""
    value = raw & 0xFFFFFFFF
    command = futex_command(value)
    if command is None:
        return DecodedValue(named(value, None, "FUTEX_???"), value, raw)
    name = "FUTEX_" + command
    name += "_PRIVATE" if value & FUTEX_PRIVATE_FLAG else ""
    name = ("FUTEX_CLOCK_REALTIME|" if value & FUTEX_CLOCK_REALTIME else "") + name
    return DecodedValue(styled(name, number(value)), name, raw)


def futex_bitset(raw: int) -> str:
    value = raw & 0xFFFFFFFF
    if value == FUTEX_BITSET_MATCH_ANY:
        return styled("FUTEX_BITSET_MATCH_ANY", number(value))
    return f"{value:#x}"


DECODERS: dict[str, Decoder] = {
    "flags:getrandom": by_register(getrandom_flags), "random": Decoder(exit=_random_exit),
    "enum:futex_op": by_register(futex_op),
}  # fmt: skip
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "flags:getrandom": GETRANDOM,
    "enum:futex_op": (
        *((f"FUTEX_{name}", value) for value, name in enumerate(_FUTEX_COMMANDS)),
        *((f"FUTEX_{name}_PRIVATE", value | FUTEX_PRIVATE_FLAG)
          for value, name in enumerate(_FUTEX_COMMANDS)),
        ("FUTEX_PRIVATE_FLAG", FUTEX_PRIVATE_FLAG), ("FUTEX_CLOCK_REALTIME", FUTEX_CLOCK_REALTIME),
    ),
}  # fmt: skip
