"""The MTD (raw flash) requests (mtd/mtd-abi.h), in strace 6.1's words: pure.

Kernel facts: erasing, locking and unlocking take a struct erase_info_user (u32
start and length; MEMERASE64's struct erase_info_user64 has u64 ones); OOB reads
and writes a struct mtd_oob_buf (u32 start and length, a pointer) or
mtd_oob_buf64 (u64 start, u32 length, a u64 pointer); MEMWRITE a struct
mtd_write_req (start, len, ooblen, usr_data, usr_oob as u64, then a mode byte);
OTPLOCK a struct otp_info (start, length, locked as u32); OTPSELECT points to an
MTD_OTP_* mode; MTDFILEMODE takes an MTD_FILE_MODE_*; MEMGET/SETBADBLOCK point to
a u64 offset; MEMGETREGIONINFO a struct region_info_user (offset, erasesize,
numblocks, regionindex as u32), the last one the caller's.
"""

from __future__ import annotations

from traced.decoders._ioctls import (
    MTD_FILE_MODES,
    MTD_FLAGS,
    MTD_NANDECC_MODES,
    MTD_OPS_MODES,
    MTD_OTP_MODES,
    MTD_TYPES,
)
from traced.decoders.families.ioctl_kit import Request, fields, fixed, ints, local_array
from traced.decoders.values import Memory, Options, chex, hex_address, read_exact
from traced.decoders.xlat import format_enum, format_flags


def _erase(form: str, size: int) -> Request:
    def text(data: bytes, options: Options) -> str:
        start, length = ints(form, data)
        return f"{{start={chex(start)}, length={chex(length)}}}"

    return Request(entry=fixed(size, text))


def _oob(form: str, size: int, pointer: str) -> Request:
    def text(data: bytes, options: Options) -> str:
        start, length, address = ints(form, data)
        return f"{{start={chex(start)}, length={chex(length)}, {pointer}={hex_address(address)}}}"

    return Request(entry=fixed(size, text))


def _write(data: bytes, options: Options) -> str:
    start, length, oob_length, user_data, user_oob = ints("5Q", data)
    return fields(
        f"start={chex(start)}",
        f"len={chex(length)}",
        f"ooblen={chex(oob_length)}",
        f"usr_data={hex_address(user_data)}",
        f"usr_oob={hex_address(user_oob)}",
        f"mode={format_enum(data[40], MTD_OPS_MODES, 'MTD_OPS_???').text}",
    )


def _otp_info(data: bytes, options: Options) -> str:
    start, length, locked = ints("3I", data)
    return f"{{start={chex(start)}, length={chex(length)}, locked={locked}}}"


def _region_index(data: bytes, options: Options) -> str:
    return f"{{regionindex={chex(ints('I', data, 12)[0])}}}"


def _region(entry: str, address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 16)
    if data is None:
        return entry
    offset, size, blocks = ints("3I", data)
    return (
        f"{entry[:-1]}, offset={chex(offset)}, erasesize={chex(size)}, numblocks={chex(blocks)}}}"
    )


def _otp_mode(data: bytes, options: Options) -> str:
    return f"[{format_enum(ints('I', data)[0], MTD_OTP_MODES, 'MTD_OTP_???').text}]"


def _info(data: bytes, options: Options) -> str:
    flags, size, erase, write, oob, padding = ints("I4IQ", data, 4)
    return fields(
        f"type={format_enum(data[0], MTD_TYPES, 'MTD_???').text}",
        f"flags={format_flags(flags, MTD_FLAGS, 'MTD_???').text}",
        *(f"{name}={chex(value)}" for name, value in zip(
            ("size", "erasesize", "writesize", "oobsize", "padding"),
            (size, erase, write, oob, padding), strict=True)),
    )  # fmt: skip


def _hexes(data: bytes, at: int, count: int) -> list[str]:
    return [chex(value) for value in ints(f"{count}I", data, at)]


def _oob_info(data: bytes, options: Options) -> str:
    useecc, eccbytes = ints("2I", data)
    free = _hexes(data, 8, 16)
    pairs = [f"[{free[i]}, {free[i + 1]}]" for i in range(0, 16, 2)]
    return fields(
        f"useecc={format_enum(useecc, MTD_NANDECC_MODES, 'MTD_NANDECC_???').text}",
        f"eccbytes={chex(eccbytes)}",
        f"oobfree={local_array(pairs, options)}",
        f"eccpos={local_array(_hexes(data, 72, 32), options)}",
    )


def _ecc_layout(data: bytes, options: Options) -> str:
    free = _hexes(data, 264, 16)
    pairs = [f"{{offset={free[i]}, length={free[i + 1]}}}" for i in range(0, 16, 2)]
    return fields(
        f"eccbytes={chex(ints('I', data)[0])}",
        f"eccpos={local_array(_hexes(data, 4, 64), options)}",
        f"oobavail={chex(ints('I', data, 260)[0])}",
        f"oobfree={local_array(pairs, options)}",
    )


def _ecc_stats(data: bytes, options: Options) -> str:
    names = ("corrected", "failed", "badblocks", "bbtblocks")
    return fields(*(f"{n}={v}" for n, v in zip(names, _hexes(data, 0, 4), strict=True)))


_ERASE = _erase("2I", 8)
_OOB = _oob("IIQ", 16, "ptr")
_OOB64 = _oob("QI4xQ", 24, "usr_ptr")
_OTP_INFO = fixed(12, _otp_info)
_BAD_BLOCK = Request(entry=fixed(8, lambda data, options: f"[{ints('Q', data)[0]}]"))

REQUESTS: dict[str, Request] = {
    **dict.fromkeys(("MEMERASE", "MEMLOCK", "MEMUNLOCK", "MEMISLOCKED"), _ERASE),
    "MEMERASE64": _erase("2Q", 16),
    "MEMWRITEOOB": _OOB,
    "MEMREADOOB": _OOB,
    "MEMWRITEOOB64": _OOB64,
    "MEMREADOOB64": _OOB64,
    "MEMWRITE": Request(entry=fixed(48, _write)),
    "OTPLOCK": Request(entry=_OTP_INFO),
    "OTPGETREGIONINFO": Request(exit=_OTP_INFO),
    "OTPSELECT": Request(entry=fixed(4, _otp_mode)),
    "MEMGETINFO": Request(exit=fixed(32, _info)),
    "MEMGETOOBSEL": Request(exit=fixed(200, _oob_info)),
    "ECCGETLAYOUT": Request(exit=fixed(328, _ecc_layout)),
    "ECCGETSTATS": Request(exit=fixed(16, _ecc_stats)),
    "MTDFILEMODE": Request(
        entry=lambda raw, memory, options: (
            format_enum(raw, MTD_FILE_MODES, "MTD_FILE_MODE_???").text
        )
    ),
    "MEMGETBADBLOCK": _BAD_BLOCK,
    "MEMSETBADBLOCK": _BAD_BLOCK,
    "MEMGETREGIONINFO": Request(entry=fixed(16, _region_index), finish=_region),
}
