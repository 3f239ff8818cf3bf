"""The pieces every netlink decoder prints: a payload strace does not decode (its
bytes in hex), a string attribute, a struct read whole or shown as its address.

strace reads a string one byte past -s (its printstr_ex looks ahead), so a string
cut at -s whose next byte is unreadable is shown as its address, as here.
"""

from __future__ import annotations

from typing import NamedTuple

from traced.decoders.strings import escape
from traced.decoders.values import Memory, Options, hex_address, read_exact


class Reading(NamedTuple):
    """What every decoder here reads by: the tracee's memory, the options, and the
    socket's protocol (-1: a netlink socket of unknown protocol)."""

    memory: Memory
    options: Options
    protocol: int = -1


def _fetched(reading: Reading, address: int, length: int) -> bytes | None:
    """The bytes printstr_ex reads: up to -s and one more."""
    limit = max(0, reading.options.string_limit)
    return read_exact(reading.memory, address, min(length, limit + 1))


def _shown(reading: Reading, address: int, length: int) -> bytes | str:
    """What printstr_ex shows of a string: its bytes up to -s, or the whole text it
    prints instead (NULL, ``""``, the address where unreadable)."""
    if address == 0:
        return "NULL"
    if length <= 0:
        return '""'
    data = _fetched(reading, address, length)
    return hex_address(address) if data is None else data[: reading.options.string_limit]


def hex_string(reading: Reading, address: int, length: int) -> str:
    """``"\\x61\\x62"``: ``length`` bytes in hex, cut at -s with ``...`` (strace's
    printstr_ex with QUOTE_FORCE_HEX); NULL, or the address where unreadable."""
    shown = _shown(reading, address, length)
    if isinstance(shown, str):
        return shown
    return '"' + "".join(f"\\x{byte:02x}" for byte in shown) + '"' + (
        "..." if length > reading.options.string_limit else "")  # fmt: skip


def plain_string(reading: Reading, address: int, length: int) -> str:
    """A string attribute (strace's decode_nla_str): its trailing NUL left out, and
    ``...`` after one that has none or is cut at -s."""
    shown = _shown(reading, address, length)
    if isinstance(shown, str):
        return shown
    if shown.endswith(b"\0"):
        return f'"{escape(shown[:-1])}"'
    return f'"{escape(shown)}"...'


def counted_string(reading: Reading, address: int, length: int) -> str:
    """``length`` bytes as a string (strace's printstrn): ``...`` only when cut."""
    shown = _shown(reading, address, length)
    if isinstance(shown, str):
        return shown
    return f'"{escape(shown)}"' + (
        "..." if length > reading.options.string_limit else "")  # fmt: skip


def read_struct(reading: Reading, address: int, size: int) -> bytes | None:
    """A struct of ``size`` bytes, or None where any of it is unreadable."""
    return read_exact(reading.memory, address, size)


def array_of(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def terminated_string(reading: Reading, address: int, length: int) -> str:
    """A NUL-terminated string in ``length`` bytes (strace's printstr_ex with
    QUOTE_0_TERMINATED): up to its NUL; ``...`` when none is seen before -s ends it."""
    if address == 0:
        return "NULL"
    if length <= 0:
        return '""'
    data = _fetched(reading, address, length)
    if data is None:
        return hex_address(address)
    limit = reading.options.string_limit
    shown = data[: min(length, limit)]
    end = shown.find(b"\0")
    if end >= 0:
        return f'"{escape(shown[:end])}"'
    ended = length > limit and len(data) > limit and data[limit] == 0
    return f'"{escape(shown)}"' + ("" if ended else "...")
