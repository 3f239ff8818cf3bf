"""Socket calls' flags and options: send's and recv's MSG_* flags, shutdown's how,
and getsockopt's and setsockopt's level and option name (names generated from
sys/socket.h, asm/socket.h and the protocols' headers).

An option's name means something only at its level: SO_* at SOL_SOCKET, IP_* at
SOL_IP, and so on; at a level strace has no table for, the name is an unsigned
number.  The option's value is sockopt_values.py's: getsockopt's is read at exit,
with the lengths the socklen_t after it held before and after the call.
"""

from __future__ import annotations

from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.families.sockets import socklen_pair
from traced.decoders.families.sockopt_values import got_value, set_value
from traced.decoders.kinds import Decoder
from traced.decoders.values import DecodedValue, Memory, Options, as_signed
from traced.decoders.xlat import Table, format_enum
from traced.events import Arg

_SOL = dict(K.SOL)
SOL_SOCKET = _SOL["SOL_SOCKET"]
# getsockopt's SO_GET_FILTER is setsockopt's SO_ATTACH_FILTER: one number, two names.
_SO_GET = tuple(item for item in K.SO if item[0] != "SO_ATTACH_FILTER")
_SO_SET = tuple(item for item in K.SO if item[0] != "SO_GET_FILTER")
# Each level's option names, and the marker of a number none names (strace's tables).
_LEVELS: dict[int, tuple[Table, str]] = {
    _SOL["SOL_IP"]: (K.SOCK_IP, "IP_???"),
    _SOL["AF_VSOCK"]: ((), "SO_VM_???"),
    _SOL["SOL_IPV6"]: (K.SOCK_IPV6, "IPV6_???"),
    _SOL["SOL_TCP"]: (K.SOCK_TCP, "TCP_???"),
    _SOL["SOL_UDP"]: (K.SOCK_UDP, "UDP_???"),
    _SOL["SOL_RAW"]: (K.SOCK_RAW, "RAW_???"),
    _SOL["SOL_PACKET"]: (K.SOCK_PACKET, "PACKET_???"),
    _SOL["SOL_NETLINK"]: (K.SOCK_NETLINK, "NETLINK_???"),
    _SOL["SOL_TIPC"]: (K.SOCK_TIPC, "TIPC_???"),
}
_U32 = 0xFFFFFFFF


def option_name(level: int, name: int, *, getting: bool) -> DecodedValue:
    """The option by its level's table; an unsigned number where strace has none."""
    level, name = level & _U32, name & _U32
    if level == SOL_SOCKET:
        return format_enum(name, _SO_GET if getting else _SO_SET, "SO_???")
    table, unknown = _LEVELS.get(level, ((), ""))
    if not unknown:
        return DecodedValue(str(name), name, name)
    return format_enum(name, table, unknown)


def _getsockopt_name(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return option_name(raw[at - 1], raw[at], getting=True)


def _setsockopt_name(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return option_name(raw[at - 1], raw[at], getting=False)


def _setsockopt_value(
    raw: Sequence[int], at: int, memory: Memory, options: Options
) -> DecodedValue:
    level, name = raw[at - 2] & _U32, raw[at - 1] & _U32
    return set_value((level, name), raw[at], as_signed(raw[at + 1], 32), memory, options)


def _getsockopt_value(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    lengths = socklen_pair(args[at + 1]) if at + 1 < len(args) else None
    if lengths is None:
        return None  # the length was unreadable: the address stays
    level, name = raw[at - 2] & _U32, raw[at - 1] & _U32
    return got_value((level, name), raw[at], lengths, memory, options)


DECODERS: dict[str, Decoder] = {
    "flags:msg": named.flags(K.MSG_FLAGS, "MSG_???"),
    "enum:shutdown_how": named.enum(K.SHUTDOWN, "SHUT_???"),
    "enum:sockopt_level": named.enum(K.SOL, "SOL_??"),
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("getsockopt", "optname"): Decoder(entry=_getsockopt_name),
    ("setsockopt", "optname"): Decoder(entry=_setsockopt_name),
    ("setsockopt", "optval"): Decoder(entry=_setsockopt_value),
    ("getsockopt", "optval"): Decoder(exit=_getsockopt_value),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "flags:msg": K.MSG_FLAGS, "enum:shutdown_how": K.SHUTDOWN, "enum:sockopt_level": K.SOL,
    "enum:sockopt": K.SO,
}  # fmt: skip
