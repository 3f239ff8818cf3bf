"""x86 segment descriptors: modify_ldt's, set_thread_area's and get_thread_area's
struct user_desc.

struct user_desc (asm/ldt.h) is 16 bytes: the unsigned ints entry_number, base_addr
and limit, then one word of bit fields from its lowest bit: seg_32bit:1, contents:2,
read_exec_only:1, limit_in_pages:1, seg_not_present:1, useable:1 and, for a 64-bit
process, lm:1.  strace prints the addresses as C's ``%#08x`` (``0x87868584``, but
``00000000`` for zero) and an entry_number of -1 (ask the kernel for a free entry) as
-1.

modify_ldt reads its ptr as a user_desc only when bytecount is the struct's size.  On
x86_64 the kernel returns its int result as an unsigned int (``the ABI for
sys_modify_ldt() expects 'int'``): an error arrives as a large positive number, which
strace prints as it is and still names as the error (``= 4294967258 ENOSYS
(Function not implemented)``); traced.syscalls.names.clipped_errno says which.

get_thread_area's u_info is read twice: its entry_number at entry (the entry asked
for), the whole struct the kernel filled at exit; after a failure strace ends the
struct with ``...``.  set_thread_area's success names the entry the kernel chose.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders.kinds import Decoder, by_pointer
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    DecodedValue,
    Memory,
    Options,
    hex_address,
    read_exact,
    unreadable,
)
from traced.events import Arg

USER_DESC_SIZE = 16
_USER_DESC = struct.Struct("<III")
_BITS = (
    ("seg_32bit", 0, 1), ("contents", 1, 3), ("read_exec_only", 3, 1),
    ("limit_in_pages", 4, 1), ("seg_not_present", 5, 1), ("useable", 6, 1), ("lm", 7, 1),
)  # fmt: skip


def _hex08(value: int) -> str:
    """C's ``%#08x``: zero has no ``0x`` and is padded to eight digits."""
    return f"{value:#08x}" if value else "00000000"


def _entry_number(value: int) -> str:
    return "-1" if value == 0xFFFFFFFF else str(value)


def _rest(data: bytes) -> str:
    """Every field after entry_number, each with its ``, ``."""
    _, base, limit = _USER_DESC.unpack_from(data)
    bits = struct.unpack_from("<I", data, 12)[0]
    parts = [f"base_addr={_hex08(base)}", f"limit={_hex08(limit)}"]
    parts += [f"{name}={(bits >> shift) & mask}" for name, shift, mask in _BITS]
    return "".join(f", {part}" for part in parts)


def user_desc(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """``{entry_number=12, base_addr=0x87868584, limit=00000000, seg_32bit=1, ...,
    lm=0}``: the whole struct."""
    data = None if raw == 0 else read_exact(memory, raw, USER_DESC_SIZE)
    if data is None:
        return unreadable(raw)
    number = _USER_DESC.unpack_from(data)[0]
    return DecodedValue(f"{{entry_number={_entry_number(number)}{_rest(data)}}}", number, raw)


def _ldt_ptr(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """modify_ldt's ptr: a user_desc only when bytecount is its size."""
    if raw[at + 1] != USER_DESC_SIZE:
        return DecodedValue(hex_address(raw[at]), raw[at], raw[at])
    return user_desc(raw[at], memory, options)


def set_thread_area_result(retval: int, address: int, memory: Memory) -> str | None:
    """``0 (entry_number=12)``: the entry the kernel chose, where strace reads it."""
    data = read_exact(memory, address, 4)
    if data is None:
        return None
    return f"{retval} (entry_number={struct.unpack('<I', data)[0]})"


def _asked(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """get_thread_area at entry: the entry asked for, the rest unknown yet."""
    data = None if raw[at] == 0 else read_exact(memory, raw[at], 4)
    if data is None:
        return unreadable(raw[at])
    number = struct.unpack("<I", data)[0]
    return DecodedValue(f"{{entry_number={_entry_number(number)}, ...}}", number, raw[at])


def _filled(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """get_thread_area at exit: the struct the kernel filled, `` => N`` where its
    entry_number is not the one asked for."""
    asked = args[at].value
    data = read_exact(memory, raw[at], USER_DESC_SIZE)
    if data is None or not isinstance(asked, int):
        return None
    number = _USER_DESC.unpack_from(data)[0]
    changed = "" if number == asked else f" => {_entry_number(number)}"
    text = f"{{entry_number={_entry_number(asked)}{changed}{_rest(data)}}}"
    return DecodedValue(text, number, raw[at])


DECODERS: dict[str, Decoder] = {"struct:user_desc": by_pointer(user_desc)}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("modify_ldt", "ptr"): Decoder(entry=_ldt_ptr),
    ("get_thread_area", "u_info"): Decoder(entry=_asked, exit=_filled, in_and_out=True),
}
