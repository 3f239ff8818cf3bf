"""Control messages (struct cmsghdr), a msghdr's msg_control, as strace 6.1 prints
them (its msghdr.c).

The kernel bounds what it reads of msg_control by net.core.optmem_max; strace reads
no more than that either, and notes what it did not read with ``...``.  Each message
is ``{cmsg_len, cmsg_level, cmsg_type}`` and, where strace knows the type at its
level and the message holds enough bytes for it, ``cmsg_data``: fds for SCM_RIGHTS,
a ucred for SCM_CREDENTIALS, timestamps, IP_PKTINFO's addresses and the like.
Messages follow one another at cmsg_len rounded up to the word (CMSG_ALIGN).
Layouts are x86_64's (the 16-byte cmsghdr, 64-bit time).
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable

from traced.decoders import _constants as K
from traced.decoders.families.sockets import interface_index, sockaddr_text
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.pidnames import pid_text
from traced.decoders.strings import quote
from traced.decoders.values import Memory, Options, chex, hex_address, read_exact
from traced.decoders.xlat import format_enum

CMSGHDR = struct.Struct("<Qii")  # size_t len; int level; int type; then the data
WORD = 8  # control messages are aligned to it
_SOL = dict(K.SOL)
SOL_SOCKET, SOL_IP = _SOL["SOL_SOCKET"], _SOL["SOL_IP"]
_SCM, _IP = dict(K.SCM), dict(K.IP_CMSG)
_TIME = struct.Struct("<qQ")  # seconds, then micro- or nanoseconds


@functools.cache
def optmem_max() -> int:
    """net.core.optmem_max rounded up to the word; strace's bound where unreadable."""
    try:
        with open("/proc/sys/net/core/optmem_max", encoding="ascii") as sysctl:
            value = int(sysctl.read())
    except (OSError, ValueError):
        value = 0
    return (value + WORD - 1) & ~(WORD - 1) if value > 0 else 8 * (2 * 1024 + 512)


def _local_array(items: list[str], options: Options) -> str:
    """Elements already in hand, cut to -s of them with ``...`` unless -v."""
    limit = len(items) if options.verbose else max(0, options.string_limit)
    shown = items[:limit] + (["..."] if len(items) > limit else [])
    return "[" + ", ".join(shown) + "]"


def _words(data: bytes, fmt: str) -> list[int]:
    count = len(data) // 4
    return list(struct.unpack(f"<{count}{fmt}", data[: count * 4]))


def _rights(data: bytes, options: Options) -> str:
    """The fds passed, named under -y as strace's print_fd_array_member names them."""
    return _local_array([fd_in_memory(fd) for fd in _words(data, "i")], options)


def _credentials(data: bytes, options: Options) -> str:
    pid, uid, gid = struct.unpack_from("<iII", data)
    shown = ["-1" if value == 0xFFFFFFFF else str(value) for value in (uid, gid)]
    return f"{{pid={pid_text(pid)}, uid={shown[0]}, gid={shown[1]}}}"


def _string(data: bytes, options: Options) -> str:
    return quote(data)


def _times(count: int, fraction: str) -> Callable[[bytes, Options], str]:
    """``count`` {tv_sec, tv_<fraction>} pairs (one bare, else an array); ``???``
    when the message holds fewer bytes than they take."""

    def printer(data: bytes, options: Options) -> str:
        if len(data) < count * _TIME.size:
            return "???"
        pairs = []
        for index in range(count):
            seconds, part = _TIME.unpack_from(data, index * _TIME.size)
            pairs.append(f"{{tv_sec={seconds}, tv_{fraction}={part}}}")
        return pairs[0] if count == 1 else "[" + ", ".join(pairs) + "]"

    return printer


def _inet_addr(data: bytes) -> str:
    return 'inet_addr("' + ".".join(str(byte) for byte in data) + '")'


def _pktinfo(data: bytes, options: Options) -> str:
    index = interface_index(int.from_bytes(data[:4], "little", signed=True))
    return (
        f"{{ipi_ifindex={index}, ipi_spec_dst={_inet_addr(data[4:8])}, "
        f"ipi_addr={_inet_addr(data[8:12])}}}"
    )


def _uints(data: bytes, options: Options) -> str:
    return _local_array([str(value) for value in _words(data, "I")], options)


def _bytes_hex(data: bytes, options: Options) -> str:
    return _local_array([chex(byte) for byte in data], options)


def _recverr(data: bytes, options: Options) -> str:
    errno, origin, kind, code, info, extra = struct.unpack_from("<IBBBxII", data)
    return (
        f"{{ee_errno={errno}, ee_origin={origin}, ee_type={kind}, ee_code={code}, "
        f"ee_info={info}, ee_data={extra}, offender={sockaddr_text(data[16:32])[0]}}}"
    )


def _origdstaddr(data: bytes, options: Options) -> str:
    return sockaddr_text(data[:128])[0]


Printer = Callable[[bytes, Options], str]
# By type at each level: the printer of cmsg_data and the least length it needs.
_SOCKET_DATA: dict[int, tuple[Printer, int]] = {
    _SCM["SCM_RIGHTS"]: (_rights, 4),
    _SCM["SCM_CREDENTIALS"]: (_credentials, 12),
    _SCM["SCM_SECURITY"]: (_string, 1),
    _SCM["SO_TIMESTAMP_OLD"]: (_times(1, "usec"), 1),
    _SCM["SO_TIMESTAMPNS_OLD"]: (_times(1, "nsec"), 1),
    _SCM["SO_TIMESTAMPING_OLD"]: (_times(3, "nsec"), 1),
    _SCM["SO_TIMESTAMP_NEW"]: (_times(1, "usec"), 1),
    _SCM["SO_TIMESTAMPNS_NEW"]: (_times(1, "nsec"), 1),
    _SCM["SO_TIMESTAMPING_NEW"]: (_times(3, "nsec"), 1),
}
_IP_DATA: dict[int, tuple[Printer, int]] = {
    _IP["IP_PKTINFO"]: (_pktinfo, 12),
    _IP["IP_TTL"]: (_uints, 4),
    _IP["IP_TOS"]: (_bytes_hex, 1),
    _IP["IP_RECVOPTS"]: (_bytes_hex, 1),
    _IP["IP_RETOPTS"]: (_bytes_hex, 1),
    _IP["IP_RECVERR"]: (_recverr, 32),
    _IP["IP_ORIGDSTADDR"]: (_origdstaddr, 16),
    _IP["IP_CHECKSUM"]: (_uints, 4),
    _IP["SCM_SECURITY"]: (_string, 1),
}


def _type_and_data(level: int, kind: int, data: bytes, options: Options) -> str:
    """``cmsg_type=SCM_RIGHTS, cmsg_data=[3]``: the type by its level's table, and the
    data where strace decodes that type and it is long enough."""
    kind &= 0xFFFFFFFF
    if level == SOL_SOCKET:
        text, printers = format_enum(kind, K.SCM, "SCM_???").text, _SOCKET_DATA
    elif level == SOL_IP:
        text, printers = format_enum(kind, K.IP_CMSG, "IP_???").text, _IP_DATA
    else:
        return f"cmsg_type={chex(kind)}"
    printer, least = printers.get(kind, (None, 0))
    if printer is None or len(data) < least:
        return f"cmsg_type={text}"
    return f"cmsg_type={text}, cmsg_data={printer(data, options)}"


def control_messages(address: int, length: int, memory: Memory, options: Options) -> str:
    """``[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[3]}]``."""
    size = min(length, optmem_max())
    buffer = read_exact(memory, address, size) if size >= CMSGHDR.size else None
    if buffer is None:
        return hex_address(address)
    items, at = [], 0
    while size - at >= CMSGHDR.size:
        cmsg_len, level, kind = CMSGHDR.unpack_from(buffer, at)
        span = min(cmsg_len, size - at)
        data = buffer[at + CMSGHDR.size : at + span] if span > CMSGHDR.size else b""
        level_text = format_enum(level & 0xFFFFFFFF, K.SOL, "SOL_???").text
        items.append(
            f"{{cmsg_len={cmsg_len}, cmsg_level={level_text}, "
            f"{_type_and_data(level, kind, data, options)}}}"
        )
        if span < CMSGHDR.size:
            at = min(size, at + CMSGHDR.size)
            break
        step = (cmsg_len + WORD - 1) & ~(WORD - 1)
        if step >= size - at:
            at = size
            break
        at += step
    if at < size:
        items.append(f"... /* {hex_address(address + at)} */")
    elif size < length:
        items.append("...")
    return "[" + ", ".join(items) + "]"
