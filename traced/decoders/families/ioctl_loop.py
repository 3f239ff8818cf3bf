"""The loop device's status and configuration requests (linux/loop.h), in strace
6.1's words: pure.

Kernel facts: struct loop_info (168 bytes on 64-bit: lo_number int, lo_device,
lo_inode and lo_rdevice as longs, lo_offset, lo_encrypt_type, lo_encrypt_key_size
and lo_flags as ints, lo_name[64], lo_encrypt_key[32], lo_init[2] longs,
reserved[4]); struct loop_info64 (232 bytes: device, inode, rdevice, offset,
sizelimit as u64, number, encrypt_type, encrypt_key_size, flags as u32,
file_name[64], crypt_name[64], encrypt_key[32], init[2]); struct loop_config (fd,
block_size, a loop_info64, __reserved[8]).  strace prints the devices, inode and
init only with -v, the encryption only with -v or when one is set, and the key
as many bytes as its size says (32 at most).
"""

from __future__ import annotations

from traced.decoders._ioctls import LOOP_CRYPT_TYPES, LOOP_FLAGS
from traced.decoders.families.ioctl_kit import Request, fields, fixed, hex_array, ints
from traced.decoders.families.ioctl_values import c_array
from traced.decoders.families.stat import format_makedev
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.strings import quote
from traced.decoders.values import Options, as_signed, chex
from traced.decoders.xlat import format_enum, format_flags

_KEY = 32


def _crypt(kind: int, key_size: int, options: Options) -> list[str]:
    if not options.verbose and kind == 0:  # LO_CRYPT_NONE
        return []
    return [
        f"lo_encrypt_type={format_enum(kind, LOOP_CRYPT_TYPES, 'LO_CRYPT_???').text}",
        f"lo_encrypt_key_size={key_size}",
    ]


def _key(data: bytes, at: int, key_size: int) -> str:
    return f"lo_encrypt_key={quote(data[at : at + min(key_size, _KEY)])}"


def _flags(flags: int) -> str:
    return f"lo_flags={format_flags(flags, LOOP_FLAGS, 'LO_FLAGS_???').text}"


def _info(data: bytes, options: Options) -> str:
    number, device, inode, rdevice = ints("i4xQQQ", data)
    offset, kind, key_size, flags = ints("4I", data, 32)
    parts = [f"lo_number={number}"]
    if options.verbose:
        parts += [f"lo_device={format_makedev(device)}", f"lo_inode={inode}"]
        parts += [f"lo_rdevice={format_makedev(rdevice)}"]
    parts += [f"lo_offset={chex(offset)}", *_crypt(kind, key_size, options), _flags(flags)]
    parts.append(f"lo_name={c_array(data[48:112])}")
    if options.verbose or kind:
        parts.append(_key(data, 112, key_size))
    if options.verbose:
        parts += [f"lo_init={hex_array(ints('2Q', data, 144))}"]
        parts += [f"reserved={hex_array(data[160:164])}"]
    else:
        parts.append("...")
    return fields(*parts)


def info64(data: bytes, options: Options) -> str:
    device, inode, rdevice, offset, limit = ints("5Q", data)
    number, kind, key_size, flags = ints("4I", data, 40)
    if options.verbose:
        parts = [f"lo_device={format_makedev(device)}", f"lo_inode={inode}"]
        parts += [f"lo_rdevice={format_makedev(rdevice)}", f"lo_offset={chex(offset)}"]
        parts += [f"lo_sizelimit={limit}", f"lo_number={number}"]
    else:
        parts = [f"lo_offset={chex(offset)}", f"lo_number={number}"]
    parts += [*_crypt(kind, key_size, options), _flags(flags)]
    parts.append(f"lo_file_name={c_array(data[56:120])}")
    if options.verbose or kind:
        parts += [f"lo_crypt_name={c_array(data[120:184])}", _key(data, 184, key_size)]
    parts.append(f"lo_init={hex_array(ints('2Q', data, 216))}" if options.verbose else "...")
    return fields(*parts)


def _config(data: bytes, options: Options) -> str:
    fd, block_size = ints("iI", data)
    reserved = ints("8Q", data, 240)
    return fields(
        f"fd={fd_in_memory(fd)}",
        f"block_size={block_size}",
        f"info={info64(data[8:240], options)}",
        f"__reserved={hex_array(reserved)}" if any(reserved) else None,
    )


_INFO, _INFO64 = fixed(168, _info), fixed(232, info64)

REQUESTS: dict[str, Request] = {
    "LOOP_SET_STATUS": Request(entry=_INFO),
    "LOOP_GET_STATUS": Request(exit=_INFO),
    "LOOP_SET_STATUS64": Request(entry=_INFO64),
    "LOOP_GET_STATUS64": Request(exit=_INFO64),
    "LOOP_CONFIGURE": Request(entry=fixed(304, _config)),
    **dict.fromkeys(
        ("LOOP_SET_FD", "LOOP_CHANGE_FD"),
        Request(entry=lambda raw, memory, options: fd_in_memory(as_signed(raw, 32))),
    ),
}
