"""io_uring_register's argument, by opcode: the structs and arrays it points to, as
strace 6.1 prints them (its io_uring.c).  The opcode says what ``arg`` is and what
``nr_args`` counts (linux/io_uring.h, x86_64 layouts):

* BUFFERS: ``nr_args`` iovecs, each base printed as its address (the buffers are
  the ring's to fill, not data passed);
* FILES, EVENTFD, EVENTFD_ASYNC: ``nr_args`` ints, fds (named under -y);
* FILES_UPDATE: struct io_uring_files_update ``{u32 offset, resv; u64 fds}``, whose
  fds array holds ``nr_args`` ints, -2 being IORING_REGISTER_FILES_SKIP;
* RESTRICTIONS: ``nr_args`` struct io_uring_restriction ``{u16 opcode; u8 op; u8
  resv; u32 resv2[3]}``, the op read by the opcode (a register opcode, an sqe
  opcode, sqe flags);
* FILES2, BUFFERS2: struct io_uring_rsrc_register ``{u32 nr, flags; u64 resv2,
  data, tags}`` of ``nr_args`` bytes; FILES_UPDATE2, BUFFERS_UPDATE: struct
  io_uring_rsrc_update2 ``{u32 offset, resv; u64 data, tags; u32 nr, resv2}``; both
  32 bytes, a size below that shown as the address and the bytes past it (up to a
  page) shown where any is set;
* RING_FDS, UNREGISTER_RING_FDS: ``nr_args`` struct io_uring_rsrc_update ``{u32
  offset, resv; u64 data}``, data an fd to register (offset -1: the first free slot);
* PBUF_RING, UNREGISTER_PBUF_RING: struct io_uring_buf_reg ``{u64 ring_addr; u32
  ring_entries; u16 bgid, pad; u64 resv[3]}``.

Reserved fields are shown only when set, in hex.  The probe and the worker counts,
which the kernel writes back, are io_uring.py's.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text, nonzero_tail
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.values import (
    DecodedValue,
    Memory,
    Options,
    as_signed,
    chex,
    hex_address,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import format_enum, format_flags, lookup, named

IOVEC = struct.Struct("<QQ")
FILES_UPDATE = struct.Struct("<IIQ")
RESTRICTION = struct.Struct("<HBB3I")
RSRC_REGISTER = struct.Struct("<IIQQQ")
RSRC_UPDATE2 = struct.Struct("<IIQQII")
RSRC_UPDATE = struct.Struct("<IIQ")
BUF_REG = struct.Struct("<QIHH3Q")
_INT = struct.Struct("<i")
_U64 = struct.Struct("<Q")

_RESTRICTIONS = dict(K.IORING_RESTRICTION)
_REGISTER_OP = _RESTRICTIONS["IORING_RESTRICTION_REGISTER_OP"]
_SQE_OP = _RESTRICTIONS["IORING_RESTRICTION_SQE_OP"]
_SQE_FLAGS = (
    _RESTRICTIONS["IORING_RESTRICTION_SQE_FLAGS_ALLOWED"],
    _RESTRICTIONS["IORING_RESTRICTION_SQE_FLAGS_REQUIRED"],
)
_OPS = dict(K.IORING_REGISTER)


def xints(values: tuple[int, ...]) -> str:
    """A reserved array, in hex: ``[0, 0x1, 0]``."""
    return "[" + ", ".join(chex(value) for value in values) + "]"


def ints_at(
    address: int, count: int, memory: Memory, options: Options, element: Callable[[int], str]
) -> DecodedValue:
    """``count`` ints at ``address``, each printed by ``element``."""
    return array_text(
        address, count, 4, memory, options, element=lambda b: element(_INT.unpack(b)[0])
    )


def update_fd(fd: int) -> str:
    """An fd of an update: below -1, a name (-2: IORING_REGISTER_FILES_SKIP) or the number."""
    if fd < -1:
        return named(fd, lookup(fd, K.IORING_FILES_UPDATE_FDS), decimal=True)
    return fd_in_memory(fd)


def iovecs(address: int, count: int, memory: Memory, options: Options) -> DecodedValue:
    """``[{iov_base=0x..., iov_len=10}]``: the buffers by address."""

    def element(chunk: bytes) -> str:
        base, length = IOVEC.unpack(chunk)
        return f"{{iov_base={hex_address(base)}, iov_len={length}}}"

    return array_text(address, count, IOVEC.size, memory, options, element=element)


def fds(address: int, count: int, memory: Memory, options: Options) -> DecodedValue:
    return ints_at(address, count, memory, options, fd_in_memory)


def files_update(address: int, count: int, memory: Memory, options: Options) -> DecodedValue:
    """``{offset=2, fds=[3</dev/full>, IORING_REGISTER_FILES_SKIP]}``."""
    data = read_exact(memory, address, FILES_UPDATE.size)
    if data is None:
        return unreadable(address)
    offset, resv, array = FILES_UPDATE.unpack(data)
    fields = [f"offset={offset}"] + ([f"resv={resv:#x}"] if resv else [])
    fields.append("fds=" + ints_at(array, count, memory, options, update_fd).text)
    return DecodedValue("{" + ", ".join(fields) + "}", {"offset": offset}, address)


def _restriction(chunk: bytes) -> str:
    opcode, op, resv, *resv2 = RESTRICTION.unpack(chunk)
    text = "opcode=" + format_enum(opcode, K.IORING_RESTRICTION, "IORING_RESTRICTION_???").text
    if opcode == _REGISTER_OP:
        text += ", register_op=" + format_enum(op, K.IORING_REGISTER, "IORING_REGISTER_???").text
    elif opcode == _SQE_OP:
        text += ", sqe_op=" + format_enum(op, K.IORING_OPS, "IORING_OP_???").text
    elif opcode in _SQE_FLAGS:
        text += ", sqe_flags=" + format_flags(op, K.IOSQE, "IOSQE_???").text
    else:
        text += f" /* op: {chex(op)} */"
    text += f", resv={resv:#x}" if resv else ""
    text += f", resv2={xints(tuple(resv2))}" if any(resv2) else ""
    return "{" + text + "}"


def restrictions(address: int, count: int, memory: Memory, options: Options) -> DecodedValue:
    return array_text(address, count, RESTRICTION.size, memory, options, element=_restriction)


def _data(opcode: int, address: int, count: int, memory: Memory, options: Options) -> str:
    """A resource array by the opcode: fds (an update's may skip) or iovecs."""
    if opcode == _OPS["IORING_REGISTER_FILES2"]:
        return fds(address, count, memory, options).text
    if opcode == _OPS["IORING_REGISTER_FILES_UPDATE2"]:
        return ints_at(address, count, memory, options, update_fd).text
    return iovecs(address, count, memory, options).text


def _tags(address: int, count: int, memory: Memory, options: Options) -> str:
    element = lambda chunk: chex(_U64.unpack(chunk)[0])  # noqa: E731
    return array_text(address, count, _U64.size, memory, options, element=element).text


def rsrc_register(
    opcode: int, address: int, size: int, memory: Memory, options: Options
) -> DecodedValue:
    """``{nr=2, flags=0, data=[...], tags=[0x1, 0]}``: FILES2 and BUFFERS2."""
    data = read_exact(memory, address, RSRC_REGISTER.size) if size >= 32 else None
    if data is None:
        return unreadable(address)
    nr, flags, resv2, array, tags = RSRC_REGISTER.unpack(data)
    flag_text = format_flags(flags, K.IORING_RSRC_REGISTER, "IORING_RSRC_REGISTER_???").text
    fields = [f"nr={nr}", f"flags={flag_text}"] + ([f"resv2={resv2:#x}"] if resv2 else [])
    fields.append("data=" + _data(opcode, array, nr, memory, options))
    fields.append("tags=" + _tags(tags, nr, memory, options))
    fields += nonzero_tail(address, RSRC_REGISTER.size, size, memory, options)
    return DecodedValue("{" + ", ".join(fields) + "}", {"nr": nr, "flags": flags}, address)


def rsrc_update(
    opcode: int, address: int, size: int, memory: Memory, options: Options
) -> DecodedValue:
    """``{offset=0, data=[...], tags=[], nr=0}``: FILES_UPDATE2 and BUFFERS_UPDATE."""
    data = read_exact(memory, address, RSRC_UPDATE2.size) if size >= 32 else None
    if data is None:
        return unreadable(address)
    offset, resv, array, tags, nr, resv2 = RSRC_UPDATE2.unpack(data)
    fields = [f"offset={offset}"] + ([f"resv={resv:#x}"] if resv else [])
    fields.append("data=" + _data(opcode, array, nr, memory, options))
    fields.append("tags=" + _tags(tags, nr, memory, options))
    fields += [f"nr={nr}"] + ([f"resv2={resv2:#x}"] if resv2 else [])
    fields += nonzero_tail(address, RSRC_UPDATE2.size, size, memory, options)
    return DecodedValue("{" + ", ".join(fields) + "}", {"offset": offset, "nr": nr}, address)


def _ring_fd(chunk: bytes) -> str:
    offset, resv, fd = RSRC_UPDATE.unpack(chunk)
    text = "offset=" + ("-1" if offset == 0xFFFFFFFF else str(offset))
    text += f", resv={resv:#x}" if resv else ""
    return "{" + text + ", data=" + fd_in_memory(as_signed(fd, 32)) + "}"


def _ring_fd_gone(chunk: bytes) -> str:
    offset, resv, data = RSRC_UPDATE.unpack(chunk)
    text = f"offset={offset}" + (f", resv={resv:#x}" if resv else "")
    return "{" + text + (f", data={data:#x}" if data else "") + "}"


def ring_fds(address: int, count: int, memory: Memory, options: Options) -> DecodedValue:
    """``[{offset=-1, data=3</dev/full>}]``: the ring fds to register."""
    return array_text(address, count, RSRC_UPDATE.size, memory, options, element=_ring_fd)


def ring_fds_gone(address: int, count: int, memory: Memory, options: Options) -> DecodedValue:
    """``[{offset=1}]``: the registered ring fds to drop, by offset."""
    return array_text(address, count, RSRC_UPDATE.size, memory, options, element=_ring_fd_gone)


def buf_reg(address: int, count: int, memory: Memory, options: Options) -> DecodedValue:
    """``{ring_addr=0x..., ring_entries=8, bgid=1}``: a provided-buffer ring."""
    data = read_exact(memory, address, BUF_REG.size)
    if data is None:
        return unreadable(address)
    ring, entries, bgid, pad, *resv = BUF_REG.unpack(data)
    text = f"ring_addr={hex_address(ring)}, ring_entries={entries}, bgid={bgid}"
    text += f", pad={pad:#x}" if pad else ""
    text += f", resv={xints(tuple(resv))}" if any(resv) else ""
    return DecodedValue("{" + text + "}", {"ring_entries": entries, "bgid": bgid}, address)
