"""strace's -e read=FDS and -e write=FDS: the data a call moved, as hex dump lines.

strace 6.1 (its dumpio and dumpstr) dumps, for an fd in the write set, what
write, pwrite64, sendto and mq_timedsend were given (the count they were asked for,
even when the call fails), and writev, pwritev, pwritev2 and vmsplice's iovecs
(each ``" * N bytes in buffer I"`` and its dump); sendmsg's iovecs, through its
msghdr.  For an fd in the read set, and only on success, what read, pread64,
recvfrom and mq_timedreceive returned (the result's count of bytes), and readv,
preadv, preadv2 and recvmsg's iovecs up to the result.  The lines follow the call's
line.  One line is 16 bytes: `` | OFFSET  xx xx .. xx  xx .. xx  ASCII |``, the
offset in hex on 5 digits (more for a dump above 1 MiB), the bytes in two groups
of 8, then the printable ones as themselves and the others as ``.``.

The dump rides on the buffer's argument (``Arg.dump``), decoded with the rest.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders.families.messages import MMSGHDR_SIZE, MSGHDR
from traced.decoders.values import Memory, as_signed, read_exact, strings_memory

_WIDTH = 16
_BUFFER_WRITES = frozenset(("write", "pwrite64", "sendto", "mq_timedsend"))
_BUFFER_READS = frozenset(("read", "pread64", "recvfrom", "mq_timedreceive"))
_IOV_WRITES = frozenset(("writev", "pwritev", "pwritev2", "vmsplice"))
_IOV_READS = frozenset(("readv", "preadv", "preadv2"))
WRITES = _BUFFER_WRITES | _IOV_WRITES | {"sendmsg"}
READS = _BUFFER_READS | _IOV_READS | {"recvmsg"}
_IOVEC = struct.Struct("<QQ")
_MAX_IOVECS = 1024  # UIO_MAXIOV


def hex_dump(data: bytes, size: int | None = None) -> list[str]:
    """strace's dumpstr of ``data``; ``size`` (default: its length) sets the offset's
    width, which grows past 5 hex digits for dumps above 1 MiB."""
    size = len(data) if size is None else size
    digits = 1 + (size - 1).bit_length() // 4 if size > 1 << 20 else 5
    lines = []
    for start in range(0, len(data), _WIDTH):
        chunk = data[start : start + _WIDTH]
        cells = [f"{byte:02x} " for byte in chunk] + ["   "] * (_WIDTH - len(chunk))
        hexes = "".join(cells[:8]) + " " + "".join(cells[8:]) + " "
        text = "".join(chr(byte) if 0x20 <= byte < 0x7F else "." for byte in chunk)
        lines.append(f" | {start:0{digits}x}  {hexes}{text.ljust(_WIDTH)} |")
    return lines


def _dump_at(memory: Memory, address: int, size: int) -> list[str]:
    data = read_exact(memory, address, size) if size > 0 else None
    return [] if data is None else hex_dump(data)


def _iov_dump(memory: Memory, address: int, count: int, limit: int) -> list[str]:
    """strace's dumpiov_upto: each iovec, cut where ``limit`` bytes are dumped."""
    count = min(max(count, 0), _MAX_IOVECS)
    table = read_exact(memory, address, _IOVEC.size * count) if count else None
    lines: list[str] = []
    for index, (base, iov_len) in enumerate(_IOVEC.iter_unpack(table or b"")):
        length = min(iov_len, limit)
        if not length:
            break
        limit -= length
        lines.append(f" * {length} bytes in buffer {index}")
        lines += _dump_at(memory, base, length)
    return lines


def _msghdr_dump(memory: Memory, address: int, limit: int) -> list[str]:
    header = read_exact(memory, address, MSGHDR.size) if address else None
    if header is None:
        return []
    _, _, iov, count, *_ = MSGHDR.unpack(header)
    return _iov_dump(memory, iov, count, limit)


MMSG_WRITES = frozenset(("sendmmsg",))
MMSG_READS = frozenset(("recvmmsg", "recvmmsg_time64"))


def mmsg_dump(registers: Sequence[int], memory: Memory, retval: int) -> list[str]:
    """sendmmsg's and recvmmsg's messages, once the call said how many went through:
    each one's iovecs, ``= 2 buffers in vector 0`` first, cut at its msg_len."""
    memory = strings_memory(memory)
    lines: list[str] = []
    for index in range(max(0, retval)):
        data = read_exact(memory, registers[1] + index * MMSGHDR_SIZE, MMSGHDR_SIZE)
        if data is None:
            break
        _, _, iov, count, *_ = MSGHDR.unpack_from(data)
        length = int.from_bytes(data[MSGHDR.size : MSGHDR.size + 4], "little")  # msg_len
        lines.append(f" = {count} buffers in vector {index}")
        lines += _iov_dump(memory, iov, count, length)
    return lines


def write_dump(syscall: str, registers: Sequence[int], memory: Memory) -> list[str]:
    """What a call of the write set was given to write (at its entry: unchanged since).
    Read whatever -e verbose= says, as strace's umoven does."""
    memory = strings_memory(memory)
    if syscall in _BUFFER_WRITES:
        return _dump_at(memory, registers[1], registers[2])
    if syscall in _IOV_WRITES:
        return _iov_dump(memory, registers[1], as_signed(registers[2], 32), 1 << 64)
    return _msghdr_dump(memory, registers[1], 1 << 64)  # sendmsg


def read_dump(syscall: str, registers: Sequence[int], memory: Memory, retval: int) -> list[str]:
    """What a successful call of the read set read: its result's count of bytes."""
    memory = strings_memory(memory)
    if syscall in _BUFFER_READS:
        return _dump_at(memory, registers[1], retval)
    if syscall in _IOV_READS:
        return _iov_dump(memory, registers[1], as_signed(registers[2], 32), retval)
    return _msghdr_dump(memory, registers[1], retval)  # recvmsg
