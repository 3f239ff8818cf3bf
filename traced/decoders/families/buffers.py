"""Reads and writes: the buffers read and write pass, and strings that are not paths.

The quoting itself is shared (traced.decoders.strings); this family says where a
buffer's length comes from.  An iovec array (readv, writev) is shown as strace shows
it: ``[{iov_base="ab", iov_len=2}, ...]``, at most -s elements, each buffer cut at
-s; a read's buffers hold only the bytes it returned, shared out in order.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders.arrays import array_text
from traced.decoders.kinds import Decoder, by_pointer
from traced.decoders.netlink.fds import netlink_protocol
from traced.decoders.strings import decode_buffer, decode_cstring, quote
from traced.decoders.values import (
    DecodedValue,
    Memory,
    Options,
    StructsHidden,
    as_signed,
    hex_address,
    read_exact,
    strings_memory,
    unreadable,
)
from traced.events import Arg

IOVEC = struct.Struct("<QQ")  # struct iovec on x86_64: void *iov_base; size_t iov_len


def _buffer_entry(
    raw: Sequence[int], at: int, memory: Memory, options: Options
) -> DecodedValue | None:
    """write's buffer: its length is the next register."""
    return decode_buffer(raw[at], memory, raw[at + 1], options) if at + 1 < len(raw) else None


def _buffer_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    """read's buffer, once filled: its length is the result, but no more than the
    buffer's (recv with MSG_TRUNC returns the datagram's whole length)."""
    size = min(retval, raw[at + 1]) if at + 1 < len(raw) else retval
    return decode_buffer(raw[at], memory, size, options)


def socket_netlink(fd: int, memory: Memory) -> int | None:
    """The netlink protocol of socket ``fd`` (-1: unknown), None for another fd or
    outside -e verbose= (strace then prints the bytes as a string)."""
    return None if isinstance(memory, StructsHidden) else netlink_protocol(fd)


def socket_buffer(
    address: int, length: int, memory: Memory, options: Options, protocol: int | None
) -> DecodedValue:
    """A socket's buffer: netlink messages on a netlink socket, else a string."""
    if protocol is None:
        return decode_buffer(address, memory, length, options)
    from traced.decoders.netlink.buffers import netlink_text  # noqa: PLC0415 (netlink only)

    text = netlink_text(memory, address, length, protocol, options)
    return DecodedValue(text, text, address)


def iovec_array(
    address: int, count: int, memory: Memory, options: Options, data: int | None, *,
    netlink: int | None = None,
) -> DecodedValue:  # fmt: skip
    """``count`` iovecs at ``address`` (arrays.array_text's rules); ``data``: the bytes
    they hold (a read's result), shared out in order; None for all of them (a write's);
    below 0 (a read that failed) for none: each buffer is its address, as strace's
    iov_decode_addr; ``netlink``: the protocol of the netlink socket they go through,
    if they do."""
    if count < 0:
        return unreadable(address)
    if data is not None and data < 0:
        return iovec_addresses(address, count, memory, options)
    left = data

    def element(chunk: bytes) -> str:
        nonlocal left
        base, length = IOVEC.unpack(chunk)
        size = length if left is None else min(length, left)
        left = None if left is None else left - size
        text = socket_buffer(base, size, memory, options, netlink).text
        return f"{{iov_base={text}, iov_len={length}}}"

    return array_text(address, count, IOVEC.size, memory, options, element=element)


def _sent(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue | None:
    """sendto's buffer: netlink messages on a netlink socket."""
    if at + 1 >= len(raw):
        return None
    protocol = socket_netlink(as_signed(raw[0], 32), memory)
    return socket_buffer(raw[at], raw[at + 1], memory, options, protocol)


def _received(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    """recvfrom's buffer: the bytes returned, at most its length."""
    length = min(retval, raw[at + 1]) if at + 1 < len(raw) else retval
    protocol = socket_netlink(as_signed(raw[0], 32), memory)
    return socket_buffer(raw[at], length, memory, options, protocol)


def _iovec_entry(
    raw: Sequence[int], at: int, memory: Memory, options: Options
) -> DecodedValue | None:
    """writev's buffers: every byte of them."""
    if at + 1 >= len(raw):
        return None
    return iovec_array(raw[at], _count(raw[at + 1]), memory, options, None)


def _iovec_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """readv's buffers, once filled: the result's bytes, in order; after a failure,
    the buffers' addresses."""
    if at + 1 >= len(raw):
        return None
    return iovec_array(raw[at], _count(raw[at + 1]), memory, options, retval)


def _local_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """process_vm_readv's local buffers: as readv's, their count an unsigned long."""
    return iovec_array(raw[at], raw[at + 1], memory, options, retval)


def _local_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """process_vm_writev's local buffers: as writev's, their count an unsigned long."""
    return iovec_array(raw[at], raw[at + 1], memory, options, None)


def iovec_addresses(address: int, count: int, memory: Memory, options: Options) -> DecodedValue:
    """Each iovec's address and length, the memory it names not read (another
    process's, or a failed read's)."""

    def element(chunk: bytes) -> str:
        base, length = IOVEC.unpack(chunk)
        return f"{{iov_base={hex_address(base)}, iov_len={length}}}"

    return array_text(address, count, IOVEC.size, memory, options, element=element)


def _iovec_ranges(
    raw: Sequence[int], at: int, memory: Memory, options: Options
) -> DecodedValue | None:
    """process_madvise's ranges, process_vm_readv's and writev's remote buffers."""
    if at + 1 >= len(raw):
        return None
    return iovec_addresses(raw[at], raw[at + 1], memory, options)


def file_offset(address: int, memory: Memory, *, unsigned: bool = False) -> DecodedValue:
    """A loff_t the call reads (and may update): ``[3]``; NULL; else its address.
    sendfile's, ``unsigned``: strace prints it so (splice's signed)."""
    if address == 0:
        return DecodedValue("NULL", None, address)
    data = read_exact(memory, address, 8)
    if data is None:
        return unreadable(address)
    offset = struct.unpack("<Q" if unsigned else "<q", data)[0]
    return DecodedValue(f"[{offset}]", offset, address)


def _offset_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return file_offset(raw[at], memory)


def _moved_offset_entry(
    raw: Sequence[int], at: int, memory: Memory, options: Options
) -> DecodedValue:
    return file_offset(raw[at], memory, unsigned=True)


def _offset_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    """sendfile's offset once moved on: ``[3] => [13]`` (as it was where unchanged)."""
    after = file_offset(raw[at], memory, unsigned=True)
    before = args[at].value if at < len(args) else None
    if not isinstance(before, int) or before == after.value or after.value is None:
        return after
    return DecodedValue(f"[{before}] => {after.text}", after.value, raw[at])


_XATTR_SIZE_MAX = 65536  # what the kernel takes at most; strace reads no more either


def xattr_value(raw: int, size: int, memory: Memory, options: Options) -> DecodedValue:
    """An extended attribute's value: a string of ``size`` bytes, cut at -s, its
    trailing NUL left out (strace's QUOTE_OMIT_TRAILING_0)."""
    if size > _XATTR_SIZE_MAX or size < 0:
        return unreadable(raw)
    shown = min(size, max(0, options.string_limit))
    data = b"" if size == 0 and raw else read_exact(strings_memory(memory), raw, shown)
    if data is None:
        return unreadable(raw)
    if size == shown and data.endswith(b"\0"):
        data = data[:-1]
    return DecodedValue(quote(data, size > shown), data.hex(), raw)


def _xattr_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return xattr_value(raw[at], raw[at + 1], memory, options)


def _xattr_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    """What getxattr wrote: as many bytes as it returned (strace reads them even when
    the call was asked the size alone)."""
    return xattr_value(raw[at], retval, memory, options)


def _xattr_list_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    """listxattr's names, NULs and all; nothing written where asked the size (0)."""
    if raw[at + 1] == 0:
        return unreadable(raw[at])
    return decode_buffer(raw[at], memory, retval, options)


def _count(register: int) -> int:
    """An iovcnt (an int) as C sees it: the low word, signed."""
    low = register & 0xFFFFFFFF
    return low - (1 << 32) if low >= 1 << 31 else low


DECODERS: dict[str, Decoder] = {
    "str": by_pointer(decode_cstring),
    "buf_in": Decoder(entry=_buffer_entry),
    "buf_out": Decoder(exit=_buffer_exit),
    "iovec_in": Decoder(entry=_iovec_entry),
    "iovec_out": Decoder(exit=_iovec_exit, on_failure=True),
}
# loff_t pointers, by name: sendfile's is updated (in and out), splice's and
# copy_file_range's are shown as given.
_MOVED = Decoder(entry=_moved_offset_entry, exit=_offset_exit, in_and_out=True)
_GIVEN = Decoder(entry=_offset_entry)
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("sendto", "buf"): Decoder(entry=_sent), ("recvfrom", "buf"): Decoder(exit=_received),
    ("sendfile", "offset"): _MOVED, ("sendfile64", "offset"): _MOVED,
    ("splice", "off_in"): _GIVEN, ("splice", "off_out"): _GIVEN,
    ("copy_file_range", "off_in"): _GIVEN, ("copy_file_range", "off_out"): _GIVEN,
    ("process_madvise", "iovec"): Decoder(entry=_iovec_ranges),
    ("process_vm_readv", "local_iov"): Decoder(exit=_local_exit, on_failure=True),
    ("process_vm_readv", "remote_iov"): Decoder(entry=_iovec_ranges),
    ("process_vm_writev", "local_iov"): Decoder(entry=_local_entry),
    ("process_vm_writev", "remote_iov"): Decoder(entry=_iovec_ranges),
} | {
    (call, "value"): Decoder(entry=_xattr_entry) for call in ("setxattr", "lsetxattr", "fsetxattr")
} | {
    (call, "value"): Decoder(exit=_xattr_exit) for call in ("getxattr", "lgetxattr", "fgetxattr")
} | {
    (call, "list"): Decoder(exit=_xattr_list_exit)
    for call in ("listxattr", "llistxattr", "flistxattr")
}  # fmt: skip
