"""getsockopt's and setsockopt's option values, as strace 6.1 prints them (its net.c).

What the kernel reads (setsockopt) or writes (getsockopt) behind ``optval`` is the
option's own type, and only the (level, name) pair says which: an int for most, a
struct for a few (struct linger, struct ucred, struct ip_mreq, struct group_req,
struct tpacket_req ...), a string or bytes for the rest.  The length says how much:
setsockopt's is its last argument, getsockopt's the socklen_t the kernel rewrites,
so a getsockopt value is read at exit with the length the kernel returned.

strace's rules, which this follows:

* a length of zero or less, or a failed call, shows the address;
* a known int option shows ``[N]`` when the length holds an int; a getsockopt one
  shorter than that its bytes in hex (``"\\x00\\x00\\x00"``), a setsockopt one its
  address;
* a struct read with fewer bytes than it has shows the fields that fit, and the one
  cut short as hex bytes (``{l_onoff=1, l_linger="\\xdf\\x4f\\x8d"}``);
* SO_ATTACH_FILTER's program, and SO_GET_FILTER's, with -v (families/bpf_filter.py);
* an option strace does not know shows ``[N]`` for exactly an int's length, else
  its bytes as a string, cut at -s.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from traced.decoders import _constants as K
from traced.decoders.families.bpf_filter import fprog_text, program_text, socket_k
from traced.decoders.families.sockopt_structs import (
    group_req,
    icmp_filter,
    ip_mreq,
    ipv6_mreq,
    packet_mreq,
)
from traced.decoders.pidnames import pid_text
from traced.decoders.strings import decode_buffer
from traced.decoders.values import DecodedValue, Memory, Options, read_exact, unreadable
from traced.decoders.xlat import lookup, named
from traced.syscalls.names import errno_name

_INT = 4
_SOL = dict(K.SOL)
SOL_SOCKET, SOL_IP, SOL_IPV6 = _SOL["SOL_SOCKET"], _SOL["SOL_IP"], _SOL["SOL_IPV6"]
SOL_PACKET, SOL_RAW, SOL_NETLINK = _SOL["SOL_PACKET"], _SOL["SOL_RAW"], _SOL["SOL_NETLINK"]
_SO, _IP, _IPV6 = dict(K.SO), dict(K.SOCK_IP), dict(K.SOCK_IPV6)
_PACKET, _NETLINK = dict(K.SOCK_PACKET), dict(K.SOCK_NETLINK)
ICMP_FILTER = dict(K.SOCK_RAW)["ICMP_FILTER"]

# SOL_SOCKET options strace knows to be ints.
_INT_NAMES = """DEBUG REUSEADDR DONTROUTE BROADCAST SNDBUF RCVBUF KEEPALIVE OOBINLINE
    NO_CHECK PRIORITY BSDCOMPAT REUSEPORT PASSCRED RCVLOWAT SNDLOWAT DETACH_FILTER
    TIMESTAMP_OLD ACCEPTCONN SNDBUFFORCE RCVBUFFORCE PASSSEC TIMESTAMPNS_OLD MARK
    TIMESTAMPING_OLD RXQ_OVFL WIFI_STATUS PEEK_OFF NOFCS LOCK_FILTER SELECT_ERR_QUEUE
    BUSY_POLL INCOMING_CPU CNX_ADVICE INCOMING_NAPI_ID ZEROCOPY TIMESTAMP_NEW
    TIMESTAMPNS_NEW TIMESTAMPING_NEW DETACH_REUSEPORT_BPF PREFER_BUSY_POLL BUSY_POLL_BUDGET
    RESERVE_MEM RCVMARK"""
_INT_OPTIONS = frozenset(_SO["SO_" + name] for name in _INT_NAMES.split())
SO_LINGER, SO_PEERCRED, SO_TXREHASH = _SO["SO_LINGER"], _SO["SO_PEERCRED"], _SO["SO_TXREHASH"]


def forced_hex(address: int, length: int, memory: Memory, options: Options) -> DecodedValue:
    """Bytes as strace's QUOTE_FORCE_HEX string: every byte ``\\xNN``, cut at -s."""
    shown = min(length, max(0, options.string_limit))
    data = read_exact(memory, address, shown)
    if data is None:
        return unreadable(address)
    text = '"' + "".join(f"\\x{byte:02x}" for byte in data) + '"'
    return DecodedValue(text + ("..." if length > shown else ""), data.hex(), address)


def int_at(address: int, memory: Memory) -> DecodedValue:
    """``[N]``: the int at ``address``, or the address where it cannot be read."""
    data = read_exact(memory, address, _INT)
    if data is None:
        return unreadable(address)
    number = struct.unpack("<i", data)[0]
    return DecodedValue(f"[{number}]", number, address)


def _plain(address: int, length: int, memory: Memory, options: Options) -> DecodedValue:
    """An option strace does not know: an int for an int's length, else a string."""
    if length == _INT:
        return int_at(address, memory)
    if length < 0:
        return unreadable(address)
    return decode_buffer(address, memory, length, options)


# --- structs -----------------------------------------------------------------------

Field = tuple[str, Callable[[int], str]]


def _signed(value: int) -> str:
    return str(value - (1 << 32) if value >> 31 else value)


def _a_pid(value: int) -> str:
    """A process id (SO_PEERCRED's), named under -Y."""
    return pid_text(value - (1 << 32) if value >> 31 else value)


def _an_id(value: int) -> str:
    return "-1" if value == 0xFFFFFFFF else str(value)


def fields_within(
    address: int, length: int, fields: tuple[Field, ...], memory: Memory
) -> DecodedValue:
    """A struct of 32-bit fields of which ``length`` bytes were returned: those that
    fit, then the one cut short in hex (strace's MAYBE_PRINT_FIELD_LEN)."""
    size = min(length, _INT * len(fields))
    data = read_exact(memory, address, size)
    if data is None:
        return unreadable(address)
    parts: list[str] = []
    for index, (name, shown) in enumerate(fields):
        start = index * _INT
        if size <= start:
            break
        if size >= start + _INT:
            parts.append(f"{name}={shown(int.from_bytes(data[start : start + _INT], 'little'))}")
        else:
            cut = "".join(f"\\x{byte:02x}" for byte in data[start:])
            parts.append(f'{name}="{cut}"')
    return DecodedValue("{" + ", ".join(parts) + "}", data.hex(), address)


_LINGER: tuple[Field, ...] = (("l_onoff", _signed), ("l_linger", _signed))
_UCRED: tuple[Field, ...] = (("pid", _a_pid), ("uid", _an_id), ("gid", _an_id))
_TP_STATS: tuple[Field, ...] = (("tp_packets", str), ("tp_drops", str), ("tp_freeze_q_cnt", str))
_TP_REQ: tuple[Field, ...] = (
    ("tp_block_size", str), ("tp_block_nr", str), ("tp_frame_size", str), ("tp_frame_nr", str),
)  # fmt: skip


def _whole(address: int, length: int, fields: tuple[Field, ...], memory: Memory) -> DecodedValue:
    """A struct set whole: its address when ``length`` is shorter than it."""
    size = _INT * len(fields)
    if length < size:
        return unreadable(address)
    return fields_within(address, size, fields, memory)


def _txrehash(
    address: int, length: int, memory: Memory, options: Options, *, got: bool
) -> DecodedValue:
    if length < _INT:
        return forced_hex(address, length, memory, options) if got else unreadable(address)
    data = read_exact(memory, address, _INT)
    if data is None:
        return unreadable(address)
    value = struct.unpack("<i", data)[0]
    text = named(value, lookup(value, K.SOCK_TXREHASH), "SOCK_TXREHASH_???", decimal=True)
    return DecodedValue(f"[{text}]", value, address)


def so_error(address: int, length: int, memory: Memory, options: Options) -> DecodedValue:
    """SO_ERROR's pending error: ``[ECONNREFUSED]``; fewer bytes than an int in hex."""
    if length < _INT:
        return forced_hex(address, length, memory, options)
    data = read_exact(memory, address, _INT)
    if data is None:
        return unreadable(address)
    error = int.from_bytes(data, "little")
    return DecodedValue(f"[{errno_name(error) if error else 0}]", error, address)


def _list_memberships(address: int, length: int, memory: Memory) -> DecodedValue:
    count = length // _INT
    data = read_exact(memory, address, count * _INT)
    if data is None:
        return unreadable(address)
    numbers = struct.unpack(f"<{count}I", data)
    return DecodedValue("[" + ", ".join(map(str, numbers)) + "]", list(numbers), address)


# --- by level and name -------------------------------------------------------------------

Printer = Callable[[int, int, Memory], DecodedValue]  # (address, length, memory)


def _returned(fields: tuple[Field, ...]) -> Printer:
    """A struct getsockopt returned, whole or cut short."""
    return lambda address, length, memory: fields_within(address, length, fields, memory)


def _taken(fields: tuple[Field, ...], *, exact: bool = False) -> Printer:
    """A struct setsockopt takes: its address for a length shorter than it (or, where
    ``exact``, other than its size)."""

    def printer(address: int, length: int, memory: Memory) -> DecodedValue:
        if exact and length != _INT * len(fields):
            return unreadable(address)
        return _whole(address, length, fields, memory)

    return printer


# Structs and arrays by (level, name): what getsockopt returns, what setsockopt takes.
_GOT: dict[tuple[int, int], Printer] = {
    (SOL_SOCKET, SO_LINGER): _returned(_LINGER),
    (SOL_SOCKET, SO_PEERCRED): _returned(_UCRED),
    (SOL_PACKET, _PACKET["PACKET_STATISTICS"]): _returned(_TP_STATS),
    (SOL_RAW, ICMP_FILTER): icmp_filter,
}
_SET: dict[tuple[int, int], Printer] = {
    (SOL_SOCKET, SO_LINGER): _taken(_LINGER),
    (SOL_IP, _IP["IP_ADD_MEMBERSHIP"]): ip_mreq,
    (SOL_IP, _IP["IP_DROP_MEMBERSHIP"]): ip_mreq,
    (SOL_IP, _IP["MCAST_JOIN_GROUP"]): group_req,
    (SOL_IP, _IP["MCAST_LEAVE_GROUP"]): group_req,
    (SOL_IPV6, _IPV6["MCAST_JOIN_GROUP"]): group_req,
    (SOL_IPV6, _IPV6["MCAST_LEAVE_GROUP"]): group_req,
    (SOL_PACKET, _PACKET["PACKET_RX_RING"]): _taken(_TP_REQ, exact=True),
    (SOL_PACKET, _PACKET["PACKET_TX_RING"]): _taken(_TP_REQ, exact=True),
    (SOL_PACKET, _PACKET["PACKET_ADD_MEMBERSHIP"]): packet_mreq,
    (SOL_PACKET, _PACKET["PACKET_DROP_MEMBERSHIP"]): packet_mreq,
    (SOL_RAW, ICMP_FILTER): icmp_filter,
} | {
    (SOL_IPV6, _IPV6[name]): ipv6_mreq
    for name in ("IPV6_ADD_MEMBERSHIP", "IPV6_DROP_MEMBERSHIP", "IPV6_JOIN_ANYCAST",
                 "IPV6_LEAVE_ANYCAST")
}  # fmt: skip
# A classic BPF program (families/bpf_filter.py): SO_ATTACH_FILTER's struct sock_fprog
# (SO_GET_FILTER's instructions, the same option read).
_FPROGS = frozenset(
    (SOL_SOCKET, _SO[name]) for name in ("SO_ATTACH_FILTER", "SO_ATTACH_REUSEPORT_CBPF")
)
_FILTER = (SOL_SOCKET, _SO["SO_ATTACH_FILTER"])
_FPROG_SIZE = 16  # struct sock_fprog


def _filter_got(address: int, count: int, memory: Memory, options: Options) -> DecodedValue:
    """SO_GET_FILTER's ``count`` instructions (-v), else the address."""
    if not options.verbose or count > 0xFFFF:
        return unreadable(address)
    text = program_text(address, count, memory, options, socket_k)
    return DecodedValue(text, text, address)


SO_ERROR = _SO["SO_ERROR"]


def got_value(
    key: tuple[int, int], address: int, lengths: tuple[int, int], memory: Memory,
    options: Options,
) -> DecodedValue:  # fmt: skip
    """getsockopt's value of option ``key`` (level, name) once the call returned
    ``lengths`` (asked, returned)."""
    asked, returned = lengths
    if asked <= 0 or returned <= 0:
        return unreadable(address)
    level, name = key
    if address:
        if key in _GOT:
            return _GOT[key](address, returned, memory)
        if level == SOL_SOCKET and name in _INT_OPTIONS:
            if returned >= _INT:
                return int_at(address, memory)
            return forced_hex(address, returned, memory, options)
        if key == (SOL_SOCKET, SO_TXREHASH):
            return _txrehash(address, returned, memory, options, got=True)
        if key == (SOL_SOCKET, SO_ERROR):
            return so_error(address, returned, memory, options)
        if key == (SOL_NETLINK, _NETLINK["NETLINK_LIST_MEMBERSHIPS"]):
            return _list_memberships(address, min(asked, returned), memory)
        if key == _FILTER:
            return _filter_got(address, returned, memory, options)
    if level == SOL_NETLINK:
        return int_at(address, memory)
    return _plain(address, returned, memory, options)


def set_value(
    key: tuple[int, int], address: int, length: int, memory: Memory, options: Options
) -> DecodedValue:
    """setsockopt's value of option ``key`` (level, name), ``length`` bytes long."""
    level, name = key
    if address:
        if key in _SET:
            return _SET[key](address, length, memory)
        if (level == SOL_SOCKET and name in _INT_OPTIONS) or level == SOL_NETLINK:
            return int_at(address, memory) if length >= _INT else unreadable(address)
        if key == (SOL_SOCKET, SO_TXREHASH):
            return _txrehash(address, length, memory, options, got=False)
        if key in _FPROGS and length >= _FPROG_SIZE:
            text = fprog_text(address, memory, options, socket_k)
            return DecodedValue(text, text, address)
        if key in _FPROGS:
            return unreadable(address)
    return _plain(address, length, memory, options)
