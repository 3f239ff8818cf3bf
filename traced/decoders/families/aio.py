"""Linux AIO (io_submit, io_getevents, io_cancel, io_pgetevents) as strace 6.1 prints
it (its aio.c).

io_submit takes an array of nr pointers to struct iocb; each iocb shows its header
(aio_data, aio_key and aio_rw_flags when set, the opcode, the request priority, the
fd) and then what its opcode uses: a buffer (written out for IOCB_CMD_PWRITE), an
iovec array (strings for IOCB_CMD_PWRITEV), poll events.  io_getevents fills an
array of struct io_event, read at exit for as many as it returned.  Layouts are the
kernel's (linux/aio_abi.h), little-endian.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text
from traced.decoders.families.buffers import IOVEC, iovec_array
from traced.decoders.families.resources import ioprio
from traced.decoders.families.signals import sigset_at
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.kinds import Decoder
from traced.decoders.strings import decode_buffer
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
from traced.decoders.xlat import format_flags, lookup, named
from traced.events import Arg

# aio_data, aio_key, aio_rw_flags, aio_lio_opcode, aio_reqprio, aio_fildes, aio_buf,
# aio_nbytes, aio_offset, aio_reserved2, aio_flags, aio_resfd
IOCB = struct.Struct("<QIiHhIQQqQII")
IO_EVENT = struct.Struct("<QQqq")  # data, obj, res, res2
_CMD = dict(K.IOCB_CMD)
_RESFD, _IOPRIO = dict(K.IOCB_FLAG)["IOCB_FLAG_RESFD"], dict(K.IOCB_FLAG)["IOCB_FLAG_IOPRIO"]
_COMMON = frozenset((_CMD["IOCB_CMD_PREAD"], _CMD["IOCB_CMD_PWRITE"]))
_VECTOR = frozenset((_CMD["IOCB_CMD_PREADV"], _CMD["IOCB_CMD_PWRITEV"]))
_SIGNED_64 = 1 << 63


def _header(fields: tuple[int, ...]) -> list[str]:
    data, key, rw_flags, opcode, reqprio, fd, *_, flags, _resfd = fields
    parts = [f"aio_data={chex(data)}"]
    if key:
        parts.append(f"aio_key={key}")
    if rw_flags:
        parts.append(f"aio_rw_flags={format_flags(rw_flags & 0xFFFFFFFF, K.RWF, 'RWF_???').text}")
    name = lookup(opcode, K.IOCB_CMD)
    parts.append(f"aio_lio_opcode={named(opcode, name, 'IOCB_CMD_???', decimal=True)}")
    if flags & _IOPRIO:
        parts.append(f"aio_reqprio={ioprio(reqprio & 0xFFFF).text}")
    elif reqprio:
        parts.append(f"aio_reqprio={reqprio}")
    parts.append(f"aio_fildes={fd_in_memory(as_signed(fd, 32))}")
    return parts


def _flags(fields: tuple[int, ...]) -> list[str]:
    flags, resfd = fields[10], fields[11]
    parts = [f"aio_flags={format_flags(flags, K.IOCB_FLAG, 'IOCB_FLAG_???').text}"] if flags else []
    if flags & _RESFD:
        parts.append(f"aio_resfd={fd_in_memory(as_signed(resfd, 32))}")
    elif resfd:
        parts.append(f"aio_resfd={chex(resfd)}")
    return parts


def _iov_addresses(data: bytes) -> str:
    base, length = IOVEC.unpack(data)
    return f"{{iov_base={hex_address(base)}, iov_len={length}}}"


def _body(fields: tuple[int, ...], memory: Memory, options: Options) -> list[str]:
    opcode, buffer, nbytes, offset = fields[3], fields[6], fields[7], fields[8]
    valid = nbytes < _SIGNED_64
    if opcode in _COMMON:
        written = opcode == _CMD["IOCB_CMD_PWRITE"] and valid
        text = decode_buffer(buffer, memory, nbytes, options).text if written else chex(buffer)
        return [f"aio_buf={text}", f"aio_nbytes={nbytes}", f"aio_offset={offset}", *_flags(fields)]
    if opcode in _VECTOR:
        if not valid:
            parts = [f"aio_buf={chex(buffer)}", f"aio_nbytes={nbytes}"]
        elif opcode == _CMD["IOCB_CMD_PWRITEV"]:
            parts = [f"aio_buf={_iovecs(buffer, nbytes, memory, options)}"]
        else:
            shown = array_text(buffer, nbytes, IOVEC.size, memory, options, element=_iov_addresses)
            parts = [f"aio_buf={shown.text}"]
        return [*parts, f"aio_offset={offset}", *_flags(fields)]
    if opcode == _CMD["IOCB_CMD_POLL"]:
        return [f"aio_buf={format_flags(buffer, K.POLL, 'POLL???').text}", *_flags(fields)]
    return []


def _iovecs(address: int, count: int, memory: Memory, options: Options) -> str:
    return iovec_array(address, count, memory, options, None).text


def iocb(address: int, memory: Memory, options: Options, *, whole: bool = True) -> DecodedValue:
    """One struct iocb: its header, then (``whole``) what its opcode uses."""
    data = read_exact(memory, address, IOCB.size)
    if data is None:
        return unreadable(address)
    fields = IOCB.unpack(data)
    parts = _header(fields) + (_body(fields, memory, options) if whole else [])
    return DecodedValue("{" + ", ".join(parts) + "}", fields[3], address)


def _iocbs(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """io_submit's ``[{...}, {...}]``: nr pointers, each to an iocb."""
    count = as_signed(raw[at - 1], 64)
    if count < 0:
        return unreadable(raw[at])

    def element(data: bytes) -> str:
        return iocb(int.from_bytes(data, "little"), memory, options).text

    return array_text(raw[at], count, 8, memory, options, element=element)


def _event(data: bytes) -> str:
    data_, obj, res, res2 = IO_EVENT.unpack(data)
    return f"{{data={chex(data_)}, obj={chex(obj)}, res={res}, res2={res2}}}"


def _events(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    return array_text(raw[at], retval, IO_EVENT.size, memory, options, element=_event)


def _cancel_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return iocb(raw[at], memory, options, whole=False)


def _cancel_result(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    data = read_exact(memory, raw[at], IO_EVENT.size)
    return unreadable(raw[at]) if data is None else DecodedValue(_event(data), None, raw[at])


def _sigset_pack(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """io_pgetevents' ``{sigmask=[USR1], sigsetsize=8}``."""
    data = read_exact(memory, raw[at], 16)
    if data is None:
        return unreadable(raw[at])
    mask, size = struct.unpack("<QQ", data)
    shown = sigset_at(mask, memory, size).text
    return DecodedValue(f"{{sigmask={shown}, sigsetsize={size}}}", size, raw[at])


DECODERS: dict[str, Decoder] = {"struct:aio_sigset": Decoder(entry=_sigset_pack)}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("io_submit", "iocbpp"): Decoder(entry=_iocbs),
    ("io_cancel", "iocb"): Decoder(entry=_cancel_entry),
    ("io_cancel", "result"): Decoder(exit=_cancel_result),
    **{(name, "events"): Decoder(exit=_events) for name in (
        "io_getevents", "io_pgetevents", "io_pgetevents_time64")},
}  # fmt: skip
OUTPUTS = frozenset(key for key, decoder in BY_ARGUMENT.items() if decoder.exit is not None)
