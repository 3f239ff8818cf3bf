"""x86's thread areas: set_thread_area's and get_thread_area's struct user_desc, as
strace 6.1 prints it (its ldt.c).

struct user_desc (asm/ldt.h) is three unsigned ints, entry_number, base_addr and
limit, then a byte of bit fields: seg_32bit (1 bit), contents (2), read_exec_only,
limit_in_pages, seg_not_present, useable and, on x86_64, lm: 16 bytes in all.

set_thread_area reads the whole struct and, given entry_number -1, writes back the
entry it chose.  get_thread_area reads only entry_number and fills in the rest:
strace shows ``{entry_number=N`` at entry and completes it at exit, with ``, ...}``
after a failure and, after a success, `` => M`` if the entry number changed, then
the other fields.  Entry numbers are unsigned but for -1; base and limit are C's
``%#08x`` (``0x87868584``, zero as ``00000000``).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders.kinds import Decoder, by_pointer
from traced.decoders.values import DecodedValue, Memory, Options, read_exact, unreadable
from traced.events import Arg

_DESC = struct.Struct("<IIIB")
_BITS = (  # name, shift, width
    ("seg_32bit", 0, 1), ("contents", 1, 2), ("read_exec_only", 3, 1),
    ("limit_in_pages", 4, 1), ("seg_not_present", 5, 1), ("useable", 6, 1), ("lm", 7, 1),
)  # fmt: skip


def entry_number(number: int) -> str:
    """strace's PRINT_VAL_ID: -1, or the unsigned number."""
    return "-1" if number == 0xFFFFFFFF else str(number)


def _hex08(value: int) -> str:
    """C's ``%#08x``: ``0x`` counts in the width, and zero has no prefix."""
    return f"{value:#08x}" if value else "00000000"


def _rest(data: bytes) -> str:
    """Every field after entry_number, each after its ``, ``."""
    _, base, limit, bits = _DESC.unpack_from(data)
    fields = [f"base_addr={_hex08(base)}", f"limit={_hex08(limit)}"]
    fields += [f"{name}={bits >> shift & (1 << width) - 1}" for name, shift, width in _BITS]
    return "".join(f", {field}" for field in fields)


def user_desc(raw: int, memory: Memory, options: Options) -> DecodedValue:
    """set_thread_area's ``{entry_number=-1, base_addr=0x1000, limit=0x0fffff, ...}``."""
    data = read_exact(memory, raw, _DESC.size)
    if data is None:
        return unreadable(raw)
    number = _DESC.unpack_from(data)[0]
    return DecodedValue(f"{{entry_number={entry_number(number)}{_rest(data)}}}", number, raw)


def _asked(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """get_thread_area at entry: the entry number asked for, the struct left open."""
    data = read_exact(memory, raw[at], 4)
    if data is None:
        return unreadable(raw[at])
    number = struct.unpack("<I", data)[0]
    return DecodedValue(f"{{entry_number={entry_number(number)}", number, raw[at])


def _filled(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """get_thread_area at exit: ``, ...}`` after a failure, else the fields filled."""
    asked = args[at].value if at < len(args) and args[at].text.startswith("{") else None
    data = None if retval < 0 else read_exact(memory, raw[at], _DESC.size)
    if data is None:
        if asked is None:
            return None  # its address, as at entry
        return DecodedValue(f"{args[at].text}, ...}}", asked, raw[at])
    number = _DESC.unpack_from(data)[0]
    if asked is None:  # unread at entry, readable now: the whole struct
        head = f" => {{entry_number={entry_number(number)}"
        return DecodedValue(f"{args[at].text}{head}{_rest(data)}}}", number, raw[at])
    changed = f" => {entry_number(number)}" if number != asked else ""
    return DecodedValue(f"{args[at].text}{changed}{_rest(data)}}}", number, raw[at])


DECODERS: dict[str, Decoder] = {"struct:user_desc": by_pointer(user_desc)}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("get_thread_area", "u_info"): Decoder(
        entry=_asked, exit=_filled, in_and_out=True, on_failure=True
    ),
}
OUTPUTS = frozenset(BY_ARGUMENT)
