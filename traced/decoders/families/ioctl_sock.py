"""The network interface requests on sockets (linux/sockios.h, struct ifreq), in
strace 6.1's words: pure.

Kernel facts: struct ifreq is the interface's name (IFNAMSIZ, 16 bytes) and a
24-byte union: a struct sockaddr (the address, broadcast, destination, netmask),
a hardware address (a family, ARPHRD_*, and 14 bytes), an index, or a struct
ifmap (mem_start, mem_end as longs, base_addr u16, irq, dma, port bytes).  The
set requests read it whole at entry; the get requests read the name (SIOCGIFNAME:
the index) at entry and the kernel's answer at exit.  strace prints a hardware
address as many bytes as its type has (an Ethernet address, ETH_ALEN) or all 14.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from traced.decoders import _constants as K
from traced.decoders._ioctls import ETH_ADDRESS_LENGTH
from traced.decoders.arrays import array_text
from traced.decoders.families.ioctl_kit import Finisher, Request, fixed, ints
from traced.decoders.families.ioctl_values import c_array
from traced.decoders.families.sockets import interface_index, sockaddr_text
from traced.decoders.strings import quote
from traced.decoders.style import ABBREV, ALL, VERBOSE, Style, applied, current
from traced.decoders.values import Memory, Options, chex, hex_address, read_exact
from traced.decoders.xlat import format_enum

_IFREQ = 40
_ASKED = re.compile(r"\{ifc_len=(-?\d+)")
_ETHER = dict(K.ARPHRD)["ARPHRD_ETHER"]
_ADDRESS_LENGTHS = {_ETHER: dict(ETH_ADDRESS_LENGTH)["ETH_ALEN"]}


def _hwaddr(data: bytes) -> str:
    """``{sa_family=ARPHRD_ETHER, sa_data=92:93:94:95:96:97}``, in the -X style."""
    family = ints("H", data)[0]
    raw = data[2:16]
    mac = ":".join(f"{byte:02x}" for byte in raw[: _ADDRESS_LENGTHS.get(family, 14)])
    style = current().xlat
    with applied(Style(style, ALL)):
        hexed = quote(raw)
    address = mac if style == ABBREV else hexed + (f" /* {mac} */" if style == VERBOSE else "")
    kind = format_enum(family, K.ARPHRD, "ARPHRD_???").text  # CISCO before its alias HDLC
    return f"{{sa_family={kind}, sa_data={address}}}"


def _ifmap(data: bytes) -> str:
    start, end, base, irq, dma, port = ints("QQHBBB", data)
    return (
        f"{{mem_start={chex(start)}, mem_end={chex(end)}, base_addr={chex(base)}, "
        f"irq={chex(irq)}, dma={chex(dma)}, port={chex(port)}}}"
    )


def _member(field: str, text: Callable[[bytes], str]) -> Callable[[bytes], str]:
    return lambda union: f"{field}={text(union)}"


def _sockaddr(union: bytes) -> str:
    return sockaddr_text(union[:16])[0]


def _name(data: bytes) -> str:
    return f"ifr_name={c_array(data[:16])}"


def _set(member: Callable[[bytes], str]) -> Request:
    """A set request: the name and the member, at entry."""
    return Request(
        entry=fixed(_IFREQ, lambda data, options: f"{{{_name(data)}, {member(data[16:])}}}")
    )


def _answer(member: Callable[[bytes], str]) -> Finisher:
    def finish(entry: str, address: int, memory: Memory, options: Options) -> str | None:
        data = read_exact(memory, address, _IFREQ)
        return entry if data is None else f"{entry[:-1]}, {member(data[16:])}}}"

    return finish


def _get(member: Callable[[bytes], str]) -> Request:
    """A get request: the name at entry, the member the kernel wrote at exit."""
    return Request(
        entry=fixed(_IFREQ, lambda data, options: f"{{{_name(data)}}}"), finish=_answer(member)
    )


def _named(entry: str, address: int, memory: Memory, options: Options) -> str | None:
    """SIOCGIFNAME at exit: the name of the interface of that index."""
    data = read_exact(memory, address, _IFREQ)
    return entry if data is None else f"{entry[:-1]}, {_name(data)}}}"


def _index(union: bytes) -> str:
    return f"ifr_ifindex={ints('i', union)[0]}"


_ADDRESSES = {"ADDR": "ifr_addr", "DSTADDR": "ifr_dstaddr", "BRDADDR": "ifr_broadaddr",
              "NETMASK": "ifr_netmask"}  # fmt: skip
_HWADDR = _member("ifr_hwaddr", _hwaddr)
_MAP = _member("ifr_map", _ifmap)


def _ifc_len(length: int) -> str:
    whole = length > 0 and length % _IFREQ == 0
    return f"{length}" + (f" /* {length // _IFREQ} * sizeof(struct ifreq) */" if whole else "")


def _ifconf_asked(data: bytes, options: Options) -> str:
    """SIOCGIFCONF at entry: the buffer's length, unless there is no buffer."""
    length, buffer = ints("i4xQ", data)
    return f"{{ifc_len={_ifc_len(length) if buffer else ''}}}"


def _ifconf_entry(data: bytes) -> str:
    return f"{{{_name(data)}, ifr_addr={_sockaddr(data[16:])}}}"


def _ifconf(failed: bool) -> Finisher:
    """SIOCGIFCONF at exit: the length the kernel wrote (after `` => `` where it
    changed) and the interfaces (their address without a buffer or after a failure)."""

    def finish(entry: str, address: int, memory: Memory, options: Options) -> str | None:
        data = read_exact(memory, address, 16)
        if data is None:
            return entry
        length, buffer = ints("i4xQ", data)
        asked = _ASKED.match(entry)
        changed = asked is None or int(asked.group(1)) != length
        text = entry[:-1] + (" => " if asked and changed else "")
        text += _ifc_len(length) if changed else ""
        if asked is None or failed:
            return f"{text}, ifc_buf={hex_address(buffer)}}}"
        count = (length & 0xFFFFFFFF) // _IFREQ
        items = array_text(buffer, count, _IFREQ, memory, options, element=_ifconf_entry)
        return f"{text}, ifc_buf={items.text}}}"

    return finish


REQUESTS: dict[str, Request] = {
    "SIOCGIFCONF": Request(
        entry=fixed(16, _ifconf_asked), finish=_ifconf(False), finish_failed=_ifconf(True)
    ),
    **{f"SIOCSIF{name}": _set(_member(field, _sockaddr)) for name, field in _ADDRESSES.items()},
    **{f"SIOCGIF{name}": _get(_member(field, _sockaddr)) for name, field in _ADDRESSES.items()},
    **dict.fromkeys(
        ("SIOCSIFHWADDR", "SIOCSIFHWBROADCAST", "SIOCADDMULTI", "SIOCDELMULTI"), _set(_HWADDR)
    ),
    "SIOCGIFHWADDR": _get(_HWADDR),
    "SIOCSIFMAP": _set(_MAP),
    "SIOCGIFMAP": _get(_MAP),
    "SIOCGIFINDEX": _get(_index),
    "SIOCGIFNAME": Request(
        entry=fixed(_IFREQ, lambda data, options: f"{{{_index(data[16:])}}}"),
        finish=_named,
    ),
    **dict.fromkeys(
        ("SIOCBRADDIF", "SIOCBRDELIF"),
        Request(
            entry=fixed(
                _IFREQ,
                lambda data, options: f"{{ifr_ifindex={interface_index(ints('i', data, 16)[0])}}}",
            )
        ),
    ),
}
