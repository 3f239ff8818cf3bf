"""Socket messages: struct msghdr (sendmsg, recvmsg) and arrays of struct mmsghdr
(sendmmsg, recvmmsg), their iovecs and control messages (SCM_RIGHTS' fds,
SCM_CREDENTIALS' ucred), as strace prints them.

sendmsg's message is an input, shown whole at entry.  recvmsg's is filled by the
kernel, so it is shown at exit, its buffers holding the bytes the call returned; the
kernel also rewrites msg_namelen, shown ``110 => 16`` when it changed, which is why
the entry reads that one field (and a failed recvmsg shows just it, as strace does:
``{msg_namelen=110}``).  An mmsghdr adds msg_len, the bytes each message carried,
shown once the call has returned: for the messages sent, or those received, whose
buffers hold that many bytes.  Layouts are x86_64's.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text
from traced.decoders.families.buffers import iovec_array, socket_netlink
from traced.decoders.families.sockets import decode_sockaddr
from traced.decoders.kinds import Decoder
from traced.decoders.values import (
    DecodedValue,
    Memory,
    Options,
    as_signed,
    hex_address,
    read_exact,
)
from traced.decoders.xlat import format_enum, format_flags
from traced.events import Arg

# void *name; socklen_t namelen; struct iovec *iov; size_t iovlen; void *control;
# size_t controllen; int flags
MSGHDR = struct.Struct("<QI4xQQQQi4x")
MMSGHDR_SIZE = MSGHDR.size + 8  # then unsigned int msg_len, padded
CMSGHDR = struct.Struct("<Qii")  # size_t len; int level; int type; then the data
WORD = 8  # control messages are aligned to it
CONTROL_MAX = 8 * (2 * 1024 + 512)  # strace's bound when optmem_max is unknown
SOL_SOCKET = dict(K.SOL)["SOL_SOCKET"]
AF_NETLINK = 16


def _rights(data: bytes) -> str:
    fds = struct.unpack(f"<{len(data) // 4}i", data[: len(data) // 4 * 4])
    return "[" + ", ".join(str(fd) for fd in fds) + "]"


def _credentials(data: bytes) -> str:
    pid, uid, gid = struct.unpack("<iII", data[:12])
    return f"{{pid={pid}, uid={uid}, gid={gid}}}"


# SOL_SOCKET control messages strace decodes: their printer and least length.
_SOCKET_DATA = {dict(K.SCM)["SCM_RIGHTS"]: (_rights, 4), dict(K.SCM)["SCM_CREDENTIALS"]: (
    _credentials, 12)}  # fmt: skip


def _cmsg_type_data(level: int, kind: int, data: bytes) -> str:
    """``cmsg_type=SCM_RIGHTS, cmsg_data=[3]``: the type by its level, then the data
    decoded where strace knows it, else in hex."""
    if level == SOL_SOCKET:
        text = "cmsg_type=" + format_enum(kind & 0xFFFFFFFF, K.SCM, "SCM_???").text
        printer, least = _SOCKET_DATA.get(kind, (None, 0))
        if printer is not None and len(data) >= least:
            return text + ", cmsg_data=" + printer(data)
    else:
        text = f"cmsg_type={kind & 0xFFFFFFFF:#x}"
    hexed = "".join(f"\\x{byte:02x}" for byte in data)
    return text + (f', cmsg_data="{hexed}"' if data else "")


def control_messages(address: int, length: int, memory: Memory) -> str:
    """``[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[3]}]``."""
    size = min(length, CONTROL_MAX)
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
            f"{_cmsg_type_data(level, kind, data)}}}"
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


def msghdr(
    address: int, memory: Memory, options: Options, *, data: int | None, namelen_in: int | None,
    fd: int,
) -> DecodedValue:  # fmt: skip
    """The message at ``address``; ``data``: the bytes its buffers hold (recvmsg's
    result), None for all (sendmsg); ``namelen_in``: msg_namelen before the call;
    ``fd``: the socket's."""
    fields = read_exact(memory, address, MSGHDR.size)
    if fields is None:
        return DecodedValue(hex_address(address), address, address)
    text = msghdr_text(fields, memory, options, data=data, namelen_in=namelen_in, fd=fd)
    _, namelen, _, iovlen, *_ = MSGHDR.unpack(fields)
    return DecodedValue(text, {"msg_namelen": namelen, "msg_iovlen": iovlen}, address)


def _netlink_of(name: int, namelen: int, memory: Memory, fd: int) -> int | None:
    """The netlink protocol the message's buffers are decoded by (strace's test): a
    netlink address's (-1: unknown), else the socket's if no address is read."""
    family = read_exact(memory, name, 2) if name and namelen >= 2 else None
    if family is not None and int.from_bytes(family, "little") == AF_NETLINK:
        protocol = socket_netlink(fd, memory)
        return -1 if protocol is None else protocol
    return socket_netlink(fd, memory) if family is None else None


def msghdr_text(
    fields: bytes, memory: Memory, options: Options, *, data: int | None, namelen_in: int | None,
    fd: int,
) -> str:  # fmt: skip
    """A message read already (``fields``: its MSGHDR.size bytes), as strace prints it."""
    name, namelen, iov, iovlen, control, controllen, flags = MSGHDR.unpack(fields)
    if name == 0:
        name_text = "NULL"
    elif namelen == 0:
        name_text = hex_address(name)
    else:
        name_text = decode_sockaddr(name, memory, namelen).text
    lengths = str(namelen) if namelen_in in (None, namelen) else f"{namelen_in} => {namelen}"
    netlink = _netlink_of(name, namelen, memory, fd)
    iov_text = iovec_array(iov, min(iovlen, 1 << 31), memory, options, data, netlink=netlink).text
    control_text = (
        f"msg_control={control_messages(control, controllen, memory)}, " if controllen else ""
    )
    flag_text = format_flags(flags & 0xFFFFFFFF, K.MSG_FLAGS, "MSG_???").text
    return (
        f"{{msg_name={name_text}, msg_namelen={lengths}, msg_iov={iov_text}, "
        f"msg_iovlen={iovlen}, {control_text}msg_controllen={controllen}, "
        f"msg_flags={flag_text}}}"
    )


def _fd(raw: Sequence[int]) -> int:
    return as_signed(raw[0], 32)


def _sent(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return msghdr(raw[at], memory, options, data=None, namelen_in=None, fd=_fd(raw))


def _namelen(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """recvmsg at entry: only msg_namelen, which the kernel may rewrite."""
    fields = read_exact(memory, raw[at], MSGHDR.size)
    if fields is None:
        return DecodedValue(hex_address(raw[at]), raw[at], raw[at])
    namelen = MSGHDR.unpack(fields)[1]
    return DecodedValue(f"{{msg_namelen={namelen}}}", {"msg_namelen": namelen}, raw[at])


def _received(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    entered = args[at].value if at < len(args) else None
    before = entered.get("msg_namelen") if isinstance(entered, dict) else None
    namelen_in = before if isinstance(before, int) else None
    return msghdr(raw[at], memory, options, data=max(0, retval), namelen_in=namelen_in, fd=_fd(raw))


def mmsg_array(
    address: int, count: int, memory: Memory, options: Options, *, lengths: int, received: bool,
    fd: int,
) -> DecodedValue:  # fmt: skip
    """``count`` mmsghdrs (arrays.array_text's rules), each read once; the first
    ``lengths`` with their msg_len (and, if ``received``, buffers holding that many)."""
    index = 0

    def element(chunk: bytes) -> str:
        nonlocal index
        counted, index = index < lengths, index + 1
        length = struct.unpack_from("<I", chunk, MSGHDR.size)[0]
        data = length if received and counted else None
        header = msghdr_text(
            chunk[: MSGHDR.size], memory, options, data=data, namelen_in=None, fd=fd
        )
        return f"{{msg_hdr={header}" + (f", msg_len={length}}}" if counted else "}")

    return array_text(address, count, MMSGHDR_SIZE, memory, options, element=element)


def _vlen(raw: Sequence[int], at: int) -> int:
    return raw[at + 1] & 0xFFFFFFFF if at + 1 < len(raw) else 0


def _to_send(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return mmsg_array(
        raw[at], _vlen(raw, at), memory, options, lengths=0, received=False, fd=_fd(raw)
    )


def _sent_many(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    vlen = _vlen(raw, at)
    return mmsg_array(raw[at], vlen, memory, options, lengths=retval, received=False, fd=_fd(raw))


def _received_many(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    count = min(_vlen(raw, at), max(0, retval))
    return mmsg_array(raw[at], count, memory, options, lengths=count, received=True, fd=_fd(raw))


DECODERS: dict[str, Decoder] = {}  # by argument only: one struct, two directions
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("sendmsg", "msg"): Decoder(entry=_sent),
    ("recvmsg", "msg"): Decoder(entry=_namelen, exit=_received, in_and_out=True),
    ("sendmmsg", "msgvec"): Decoder(entry=_to_send, exit=_sent_many, in_and_out=True),
    ("recvmmsg", "msgvec"): Decoder(exit=_received_many),
    ("recvmmsg_time64", "msgvec"): Decoder(exit=_received_many),
}
