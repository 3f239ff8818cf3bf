"""UBI's volume requests (mtd/ubi-user.h), in strace 6.1's words: pure.

Kernel facts: UBI_IOCATT takes a struct ubi_attach_req (ubi_num, mtd_num,
vid_hdr_offset as s32, max_beb_per1024 as s16) and UBI_IOCMKVOL a struct
ubi_mkvol_req (vol_id, alignment as s32, bytes as s64, vol_type and flags as
bytes, name_len as s16, name[128] at 24), both writing back the new number as an
int.  UBI_IOCRNVOL renames up to 32 volumes (count, then at 16 entries of 136
bytes: vol_id, name_len, name[128] at 8); UBI_IOCRSVOL resizes (bytes, vol_id,
packed); UBI_IOCEBCH and UBI_IOCEBMAP take a LEB number and a data type;
UBI_IOCSETVOLPROP a property byte and a u64 value.  A name is printed up to its
name_len (clamped to 0..127) and its NUL.
"""

from __future__ import annotations

from traced.decoders._ioctls import (
    UBI_DATA_TYPES,
    UBI_VOLUME_FLAGS,
    UBI_VOLUME_PROPS,
    UBI_VOLUME_TYPES,
)
from traced.decoders.families.ioctl_kit import Request, fields, fixed, ints, local_array
from traced.decoders.families.ioctl_values import c_array
from traced.decoders.values import Memory, Options, chex, read_exact
from traced.decoders.xlat import format_enum, format_flags

_NAME = 128


def _name(data: bytes, at: int, length: int) -> str:
    return c_array(data[at : at + 1 + min(max(length, 0), _NAME - 1)])


def _dtype(value: int) -> str:
    return f"dtype={format_enum(value, UBI_DATA_TYPES, 'UBI_???').text}"


def _attach(data: bytes, options: Options) -> str:
    return "{{ubi_num={}, mtd_num={}, vid_hdr_offset={}, max_beb_per1024={}}}".format(
        *ints("iiih", data)
    )


def _mkvol(data: bytes, options: Options) -> str:
    volume, alignment, size, kind, flags, length = ints("iiqbBh", data)
    return fields(
        f"vol_id={volume}",
        f"alignment={alignment}",
        f"bytes={size}",
        f"vol_type={format_enum(kind & 0xFF, UBI_VOLUME_TYPES, 'UBI_???_VOLUME').text}",
        f"flags={format_flags(flags, UBI_VOLUME_FLAGS, 'UBI_VOL_???').text}",
        f"name_len={length}",
        f"name={_name(data, 24, length)}",
    )


def _number(entry: str, address: int, memory: Memory, options: Options) -> str | None:
    """The number the kernel gave the volume or device, as an int after `` => ``."""
    data = read_exact(memory, address, 4)
    value = chex(address) if data is None else f"[{ints('i', data)[0]}]"
    return f"{entry} => {value}"


def _rename(data: bytes, options: Options) -> str:
    count = ints("i", data)[0]
    entries = []
    for index in range(min(max(count, 0), 32)):
        at = 16 + 136 * index
        volume, length = ints("ih", data, at)
        entries.append(
            f"{{vol_id={volume}, name_len={length}, name={_name(data, at + 8, length)}}}"
        )
    return f"{{count={count}, ents={local_array(entries, options)}}}"


def _resize(data: bytes, options: Options) -> str:
    return "{{bytes={}, vol_id={}}}".format(*ints("qi", data))


def _change(data: bytes, options: Options) -> str:
    number, size = ints("ii", data)
    return f"{{lnum={number}, bytes={size}, {_dtype(data[8])}}}"


def _map(data: bytes, options: Options) -> str:
    return f"{{lnum={ints('i', data)[0]}, {_dtype(data[4])}}}"


def _property(data: bytes, options: Options) -> str:
    name = format_enum(data[0], UBI_VOLUME_PROPS, "UBI_VOL_PROP_???").text
    return f"{{property={name}, value={chex(ints('Q', data, 8)[0])}}}"


REQUESTS: dict[str, Request] = {
    "UBI_IOCATT": Request(entry=fixed(24, _attach), finish=_number),
    "UBI_IOCMKVOL": Request(entry=fixed(152, _mkvol), finish=_number),
    "UBI_IOCRNVOL": Request(entry=fixed(16 + 32 * 136, _rename)),
    "UBI_IOCRSVOL": Request(entry=fixed(12, _resize)),
    "UBI_IOCEBCH": Request(entry=fixed(16, _change)),
    "UBI_IOCEBMAP": Request(entry=fixed(8, _map)),
    "UBI_IOCSETVOLPROP": Request(entry=fixed(16, _property)),
}
