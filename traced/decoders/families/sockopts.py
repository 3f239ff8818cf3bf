"""Socket calls' flags and options: send's and recv's MSG_* flags, shutdown's how,
and getsockopt's and setsockopt's level and option name (names generated from
sys/socket.h, asm/socket.h and the protocols' headers).

An option's name means something only at its level: SO_* at SOL_SOCKET.  At any
other level strace names options from that protocol's table; those not generated
here are printed as numbers.  An integer option's value is an int, which strace
shows as ``[N]`` where the length says it is one.  Option 26 is SO_ATTACH_FILTER to
set (a struct sock_fprog) and SO_GET_FILTER to get (the instructions themselves, as
many as the length, in instructions, says): strace names it so, and prints the BPF
program with -v (families/bpf_filter.py).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.families.bpf_filter import fprog_text, program_text, socket_k
from traced.decoders.kinds import Decoder
from traced.decoders.values import (
    DecodedValue,
    Memory,
    Options,
    as_signed,
    hex_address,
    read_exact,
)
from traced.decoders.xlat import Table, format_enum
from traced.events import Arg
from traced.syscalls.names import errno_name

SOL_SOCKET = dict(K.SOL)["SOL_SOCKET"]
_INT_SIZE = 4
# SOL_SOCKET options whose value is a struct or a string, not an int.
_NOT_INT = frozenset(
    value for name, value in K.SO
    if name in {"SO_LINGER", "SO_PEERCRED", "SO_ATTACH_FILTER", "SO_PEERNAME", "SO_PEERSEC",
                "SO_BINDTODEVICE", "SO_ERROR", "SO_PEERGROUPS", "SO_COOKIE", "SO_NETNS_COOKIE",
                "SO_MEMINFO", "SO_ATTACH_BPF", "SO_ATTACH_REUSEPORT_CBPF",
                "SO_ATTACH_REUSEPORT_EBPF", "SO_RCVTIMEO_OLD", "SO_SNDTIMEO_OLD",
                "SO_RCVTIMEO_NEW", "SO_SNDTIMEO_NEW", "SO_TXTIME", "SO_PEERPIDFD"}
)  # fmt: skip


_SO = dict(K.SO)
_FILTER = _SO["SO_ATTACH_FILTER"]
_FPROGS = frozenset((_FILTER, _SO["SO_ATTACH_REUSEPORT_CBPF"]))
_FPROG_SIZE = 16  # struct sock_fprog
# getsockopt's names first: option 26 read is SO_GET_FILTER.
_GETSOCKOPT_SO: Table = (("SO_GET_FILTER", _SO["SO_GET_FILTER"]), *K.SO)


def option_name(level: int, name: int, table: Table = K.SO) -> DecodedValue:
    """The option by its level's table; a number where no table is generated."""
    if level & 0xFFFFFFFF == SOL_SOCKET:
        return format_enum(name & 0xFFFFFFFF, table, "SO_???")
    return DecodedValue(str(as_signed(name, 32)), as_signed(name, 32), name)


def _optname(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return option_name(raw[at - 1], raw[at])


def _get_optname(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return option_name(raw[at - 1], raw[at], _GETSOCKOPT_SO)


def _option(raw: Sequence[int], at: int) -> int | None:
    """The SOL_SOCKET option of the value at ``at``; None at another level."""
    return raw[at - 1] & 0xFFFFFFFF if raw[at - 2] & 0xFFFFFFFF == SOL_SOCKET else None


def _is_int(raw: Sequence[int], at: int) -> bool:
    level, name = raw[at - 2] & 0xFFFFFFFF, raw[at - 1] & 0xFFFFFFFF
    return level == SOL_SOCKET and name not in _NOT_INT


def int_value(address: int, memory: Memory) -> DecodedValue | None:
    """``[N]``: the int at ``address``, or None where it cannot be read."""
    data = read_exact(memory, address, _INT_SIZE)
    if data is None:
        return None
    number = struct.unpack("<i", data)[0]
    return DecodedValue(f"[{number}]", number, address)


def _setsockopt_value(
    raw: Sequence[int], at: int, memory: Memory, options: Options
) -> DecodedValue | None:
    if _option(raw, at) in _FPROGS and raw[at + 1] & 0xFFFFFFFF >= _FPROG_SIZE:
        text = fprog_text(raw[at], memory, options, socket_k)
        return DecodedValue(text, text, raw[at])
    if not _is_int(raw, at) or as_signed(raw[at + 1], 32) != _INT_SIZE:
        return None
    return int_value(raw[at], memory)


def _getsockopt_value(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    length = read_exact(memory, raw[at + 1], _INT_SIZE)
    if length is not None and _option(raw, at) == _FILTER:
        return _filter_got(raw[at], struct.unpack("<i", length)[0], memory, options)
    if length is not None and _is_so_error(raw, at):
        return so_error(raw[at], struct.unpack("<i", length)[0], memory)
    if not _is_int(raw, at) or length is None or struct.unpack("<i", length)[0] != _INT_SIZE:
        return None
    return int_value(raw[at], memory)


def _filter_got(address: int, count: int, memory: Memory, options: Options) -> DecodedValue:
    """SO_GET_FILTER's instructions (-v), ``count`` of them; else the address."""
    text = hex_address(address)
    if options.verbose and address and 0 < count <= 0xFFFF:
        text = program_text(address, count, memory, options, socket_k)
    return DecodedValue(text, text, address)


_SO_ERROR = dict(K.SO)["SO_ERROR"]


def _is_so_error(raw: Sequence[int], at: int) -> bool:
    return raw[at - 2] & 0xFFFFFFFF == SOL_SOCKET and raw[at - 1] & 0xFFFFFFFF == _SO_ERROR


def so_error(address: int, length: int, memory: Memory) -> DecodedValue | None:
    """SO_ERROR's pending error: ``[ECONNREFUSED]``; fewer bytes than an int in hex."""
    if length <= 0:
        return None  # nothing written: strace shows the address
    if length < _INT_SIZE:
        data = read_exact(memory, address, length)
        if data is None:
            return None
        text = '"' + "".join(f"\\x{byte:02x}" for byte in data) + '"'
        return DecodedValue(text, data.hex(), address)
    number = int_value(address, memory)
    if number is None or not isinstance(number.value, int):
        return None
    error = number.value & 0xFFFFFFFF
    return DecodedValue(f"[{errno_name(error) if error else 0}]", error, address)


DECODERS: dict[str, Decoder] = {
    "flags:msg": named.flags(K.MSG_FLAGS, "MSG_???"),
    "enum:shutdown_how": named.enum(K.SHUTDOWN, "SHUT_???"),
    "enum:sockopt_level": named.enum(K.SOL, "SOL_??"),  # strace: in hex, two marks
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("getsockopt", "optname"): Decoder(entry=_get_optname),
    ("setsockopt", "optname"): Decoder(entry=_optname),
    ("setsockopt", "optval"): Decoder(entry=_setsockopt_value),
    ("getsockopt", "optval"): Decoder(exit=_getsockopt_value),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "flags:msg": K.MSG_FLAGS, "enum:shutdown_how": K.SHUTDOWN, "enum:sockopt_level": K.SOL,
    "enum:sockopt": K.SO,
}  # fmt: skip
