"""Socket messages: struct msghdr (sendmsg, recvmsg) and arrays of struct mmsghdr
(sendmmsg, recvmmsg), their iovecs and control messages (SCM_RIGHTS' fds,
SCM_CREDENTIALS' ucred), as strace prints them.

sendmsg's message is an input, shown whole at entry.  recvmsg's is filled by the
kernel, so it is shown at exit, its buffers holding the bytes the call returned; the
kernel also rewrites msg_namelen, shown ``110 => 16`` when it changed, which is why
the entry reads that one field (and a failed recvmsg shows just it, as strace does:
``{msg_namelen=110}``).  An mmsghdr adds msg_len, the bytes each message carried,
shown once the call has returned: for the messages sent, or those received, whose
buffers hold that many bytes.  strace prints at most IOV_MAX (1024) of them, -v or
not, the kernel's limit on one call's messages (UIO_MAXIOV).  Layouts are x86_64's.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text
from traced.decoders.families.buffers import iovec_array, socket_netlink
from traced.decoders.families.cmsg import control_messages
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
from traced.decoders.xlat import format_flags
from traced.events import Arg

# void *name; socklen_t namelen; struct iovec *iov; size_t iovlen; void *control;
# size_t controllen; int flags
MSGHDR = struct.Struct("<QI4xQQQQi4x")
MMSGHDR_SIZE = MSGHDR.size + 8  # then unsigned int msg_len, padded
IOV_MAX = 1024
AF_NETLINK = 16


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
        # the kernel says how long the address was, and writes no more than fits
        shown = namelen if namelen_in is None else min(namelen, namelen_in)
        name_text = decode_sockaddr(name, memory, shown).text
    lengths = str(namelen) if namelen_in in (None, namelen) else f"{namelen_in} => {namelen}"
    netlink = _netlink_of(name, namelen, memory, fd)
    iov_text = iovec_array(iov, min(iovlen, 1 << 31), memory, options, data, netlink=netlink).text
    control_text = ""
    if controllen:
        control_text = f"msg_control={control_messages(control, controllen, memory, options)}, "
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


# strace prints at most IOV_MAX (1024) messages of an mmsghdr vector, whatever -v says.
_IOV_MAX = 1024


def mmsg_array(
    address: int, count: int, memory: Memory, options: Options, *, lengths: int, received: bool,
    fd: int, namelens: Sequence[int] = (),
) -> DecodedValue:  # fmt: skip
    """``count`` mmsghdrs (arrays.array_text's rules), each read once; the first
    ``lengths`` with their msg_len (and, if ``received``, buffers holding that many);
    ``namelens``: each msg_namelen before the call, where the kernel may rewrite it."""
    index = 0

    def element(chunk: bytes) -> str:
        nonlocal index
        before = namelens[index] if index < len(namelens) else None
        counted, index = index < lengths, index + 1
        length = struct.unpack_from("<I", chunk, MSGHDR.size)[0]
        data = length if received and counted else None
        header = msghdr_text(
            chunk[: MSGHDR.size], memory, options, data=data, namelen_in=before, fd=fd
        )
        return f"{{msg_hdr={header}" + (f", msg_len={length}}}" if counted else "}")

    return array_text(address, count, MMSGHDR_SIZE, memory, options, element=element, most=IOV_MAX)


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


def _namelens(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """recvmmsg at entry: its address, and each message's msg_namelen kept (the value)
    to show ``16 => 2`` at exit."""
    count = min(_vlen(raw, at), IOV_MAX)
    whole = read_exact(memory, raw[at], count * MMSGHDR_SIZE)  # one read, not one each
    if whole is not None:
        starts = range(8, count * MMSGHDR_SIZE, MMSGHDR_SIZE)
        namelens = [int.from_bytes(whole[offset : offset + 4], "little") for offset in starts]
        return DecodedValue(hex_address(raw[at]), namelens, raw[at])
    namelens = []  # the array runs into unmapped memory: as far as it is readable
    for index in range(count):
        data = read_exact(memory, raw[at] + index * MMSGHDR_SIZE + 8, 4)
        if data is None:
            break
        namelens.append(int.from_bytes(data, "little"))
    return DecodedValue(hex_address(raw[at]), namelens, raw[at])


def _received_many(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    count = min(_vlen(raw, at), max(0, retval))
    entered = args[at].value if at < len(args) else None
    namelens = [n for n in entered if isinstance(n, int)] if isinstance(entered, list) else []
    return mmsg_array(
        raw[at], count, memory, options, lengths=count, received=True, fd=_fd(raw),
        namelens=namelens,
    )  # fmt: skip


DECODERS: dict[str, Decoder] = {}  # by argument only: one struct, two directions
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("sendmsg", "msg"): Decoder(entry=_sent),
    ("recvmsg", "msg"): Decoder(entry=_namelen, exit=_received, in_and_out=True),
    ("sendmmsg", "msgvec"): Decoder(entry=_to_send, exit=_sent_many, in_and_out=True),
    ("recvmmsg", "msgvec"): Decoder(entry=_namelens, exit=_received_many, in_and_out=True),
    ("recvmmsg_time64", "msgvec"): Decoder(entry=_namelens, exit=_received_many, in_and_out=True),
}
