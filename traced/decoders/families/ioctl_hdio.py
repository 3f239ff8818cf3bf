"""The old IDE disk requests (linux/hdreg.h) strace decodes itself, in strace 6.1's
words: pure.

Kernel facts: HDIO_GETGEO fills struct hd_geometry (heads and sectors as bytes,
cylinders as a u16, the start sector as an unsigned long: 16 bytes).
HDIO_DRIVE_CMD takes a 4-byte header (command, sector_number, feature,
sector_count) and writes back status, error and nsector over its first three
bytes, and sector_count sectors of 512 bytes after it.  HDIO_DRIVE_RESET and
HDIO_SCAN_HWIF read three ints; HDIO_GET_IDENTITY fills the drive's 512-byte
identity, HDIO_OBSOLETE_IDENTITY its first 142.  HDIO_GET_NICE and
HDIO_SET_NICE carry IDE_NICE_* bits (by bit number), HDIO_GET_BUSSTATE and
HDIO_SET_BUSSTATE a BUSSTATE_* value, as unsigned longs.
"""

from __future__ import annotations

from traced.decoders._ioctls import ATA_COMMANDS, HDIO_BUSSTATES, IDE_NICE
from traced.decoders.families.ioctl_kit import Request, fields, fixed, ints, printstr
from traced.decoders.strings import decode_buffer
from traced.decoders.values import Memory, Options, chex, read_exact
from traced.decoders.xlat import Table, format_enum, format_flags

_SECTOR = 512
# The IDE_NICE_* bit numbers as the bits strace names: ``1 << IDE_NICE_0``.
_NICE: Table = tuple((f"1 << {name}", 1 << bit) for name, bit in IDE_NICE)


def _geometry(data: bytes, options: Options) -> str:
    heads, sectors, cylinders, start = ints("BBH4xQ", data)
    return f"{{heads={heads}, sectors={sectors}, cylinders={cylinders}, start={start}}}"


def _command(data: bytes, options: Options) -> str:
    command, number, feature, count = data[:4]
    return fields(
        f"command={format_enum(command, ATA_COMMANDS, 'ATA_CMD_???').text}",
        f"sector_number={number}",
        f"feature={feature}",
        f"sector_count={count}",
    )


def _command_result(address: int, memory: Memory, options: Options) -> str | None:
    """The status the drive reported and the sectors it returned, in hex, cut at -s."""
    data = read_exact(memory, address, 4)
    if data is None:
        return None
    status, error, count, sectors = data[:4]
    buffer = None
    if sectors:
        text = printstr(address + 4, memory, sectors * _SECTOR, options, force_hex=True)
        buffer = f"buf={text}"
    return fields(f"status={chex(status)}", f"error={error}", f"nsector={count}", buffer)


def _three_ints(data: bytes, options: Options) -> str:
    return "[" + ", ".join(chex(value) for value in ints("3I", data)) + "]"


def _identity(size: int) -> Request:
    def printer(address: int, memory: Memory, options: Options) -> str | None:
        value = decode_buffer(address, memory, size, options)
        return None if value.text == chex(address) else value.text

    return Request(exit=printer)


def _nice(value: int) -> str:
    return format_flags(value, _NICE, "IDE_NICE_???").text


def _busstate(value: int) -> str:
    return format_enum(value, HDIO_BUSSTATES, "BUSSTATE_???").text


def _register(text: str) -> Request:
    """A request whose argument is the value itself, an unsigned long."""
    return Request(entry=lambda raw, memory, options: _REGISTERS[text](raw))


def _pointed(text: str) -> Request:
    """A request whose argument points to the unsigned long the kernel fills."""
    return Request(exit=fixed(8, lambda data, options: f"[{_REGISTERS[text](ints('Q', data)[0])}]"))


_REGISTERS = {"nice": _nice, "busstate": _busstate}

REQUESTS: dict[str, Request] = {
    "HDIO_GETGEO": Request(exit=fixed(16, _geometry)),
    "HDIO_DRIVE_CMD": Request(entry=fixed(4, _command), exit=_command_result),
    "HDIO_DRIVE_RESET": Request(entry=fixed(12, _three_ints)),
    "HDIO_SCAN_HWIF": Request(entry=fixed(12, _three_ints)),
    "HDIO_OBSOLETE_IDENTITY": _identity(142),
    "HDIO_GET_IDENTITY": _identity(512),
    "HDIO_GET_NICE": _pointed("nice"),
    "HDIO_SET_NICE": _register("nice"),
    "HDIO_GET_BUSSTATE": _pointed("busstate"),
    "HDIO_SET_BUSSTATE": _register("busstate"),
}
