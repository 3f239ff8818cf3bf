"""keyctl: its four arguments as each command reads them, as strace 6.1 prints them
(names generated from linux/keyctl.h; the KEY_POS_* ... KEY_OTH_* permissions are the
kernel's own, include/linux/key.h).

Kernel facts: a key id is an int32, the special ones negative (KEY_SPEC_*).  The
commands take ids, strings (a key type, a description), counted buffers (a payload
and its length), uids, a timeout, an errno (KEYCTL_REJECT), a permission mask, an
iovec array (KEYCTL_INSTANTIATE_IOV), or structs: struct keyctl_dh_params (three
ids), keyctl_kdf_params (two string pointers, a u32 length, u32 __spare[8]),
keyctl_pkey_params (id, in_len, out_len or in2_len, u32 __spare[7]) and the
keyctl_pkey_query the kernel fills.  Commands that read into a buffer (KEYCTL_READ,
DESCRIBE, GET_SECURITY, DH_COMPUTE, the PKEY ops, CAPABILITIES) return the size the
data needs, which may exceed the buffer.

Each command is a row of :data:`_FORMS`: the texts of arg2..arg5 at entry; the
buffers the kernel fills are printed at exit (:func:`_filled`).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text
from traced.decoders.families.buffers import iovec_array
from traced.decoders.families.kernel import key_serial
from traced.decoders.kinds import Decoder, Form, Multiplexed
from traced.decoders.strings import decode_buffer, decode_cstring, quote
from traced.decoders.style import ABBREV, RAW, current
from traced.decoders.values import (
    DecodedValue,
    Memory,
    Options,
    as_signed,
    chex,
    hex_address,
    read_exact,
)
from traced.decoders.xlat import Table, format_flags, lookup, named
from traced.events import Arg
from traced.syscalls.names import ERRNO_NAMES

_CMD = dict(K.KEYCTL)


def _serial(value: int) -> str:
    return key_serial(value).text


def _uid(value: int) -> str:
    value &= 0xFFFFFFFF
    return "-1" if value == 0xFFFFFFFF else str(value)


def _errno(value: int) -> str:
    """strace's print_err: an unsigned errno by name, in the -X style."""
    name, style = ERRNO_NAMES.get(value), current().xlat
    if name is None or style == RAW:
        return str(value)
    return name if style == ABBREV else f"{value} /* {name} */"


def _cstr(address: int, memory: Memory, options: Options) -> str:
    return decode_cstring(address, memory, options).text


def _buf(address: int, size: int, memory: Memory, options: Options) -> str:
    return decode_buffer(address, memory, size, options).text


def _spare(values: Sequence[int]) -> list[str]:
    return [] if not any(values) else ["__spare=[" + ", ".join(map(chex, values)) + "]"]


def _dh_params(address: int, memory: Memory) -> str:
    data = read_exact(memory, address, 12)
    if data is None:
        return hex_address(address)
    private, prime, base = (_serial(v) for v in struct.unpack("<3i", data))
    return f"{{private={private}, prime={prime}, base={base}}}"


def _kdf_params(address: int, memory: Memory, options: Options) -> str:
    data = read_exact(memory, address, 56)  # 52, padded to 8
    if data is None:
        return hex_address(address)
    hashname, otherinfo, length, *spare = struct.unpack("<QQI8I4x", data)
    info = _buf(otherinfo, length, memory, options) if length else hex_address(otherinfo)
    fields = [f"hashname={_cstr(hashname, memory, options)}"]
    fields += [f"otherinfo={info}", f"otherinfolen={length}", *_spare(spare)]
    return "{" + ", ".join(fields) + "}"


_PKEY = struct.Struct("<iII7I")


def _pkey_params(address: int, memory: Memory, out: bool) -> tuple[str, tuple[int, ...] | None]:
    data = read_exact(memory, address, _PKEY.size)
    if data is None:
        return hex_address(address), None
    key, in_len, other, *spare = _PKEY.unpack(data)
    fields = [f"key_id={_serial(key)}", f"in_len={in_len}"]
    fields += [f"{'out_len' if out else 'in2_len'}={other}", *_spare(spare)]
    return "{" + ", ".join(fields) + "}", (in_len, other)


def _pkey_op(out: bool) -> Form:
    """The params, the info string, the input, and the output (at exit) or 2nd input."""

    def form(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
        params, sizes = _pkey_params(raw[1], memory, out)
        info = _cstr(raw[2], memory, options)
        if sizes is None:
            return [params, info, hex_address(raw[3]), hex_address(raw[4])]
        second = hex_address(raw[4]) if out else _buf(raw[4], sizes[1], memory, options)
        return [params, info, _buf(raw[3], sizes[0], memory, options), second]

    return form


def _ids(*kinds: str) -> Form:
    """Arguments each printed by a kind: a key id, a string, a number ..."""

    def form(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
        texts = []
        for at, kind in enumerate(kinds, 1):
            value = raw[at]
            texts.append(
                _serial(value) if kind == "id"
                else _cstr(value, memory, options) if kind == "str"
                else _buf(value, raw[at + 1], memory, options) if kind == "buf"
                else _uid(value) if kind == "uid"
                else str(as_signed(value, 32)) if kind == "int"
                else str(value & 0xFFFFFFFF) if kind == "u32"
                else hex_address(value) if kind == "addr"
                else str(value)
            )  # fmt: skip
        return texts

    return form


def _iov(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    iov = iovec_array(raw[2], raw[3], memory, options, None).text
    return [_serial(raw[1]), iov, str(raw[3]), _serial(raw[4])]


def _flags_form(table: Table, unknown: str, kinds: int) -> Form:
    def form(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
        ids = [_serial(value) for value in raw[1:kinds]]
        return [*ids, format_flags(raw[kinds] & 0xFFFFFFFF, table, unknown).text]

    return form


def _reqkey(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    value = as_signed(raw[1], 32)
    return [named(value, lookup(value, K.KEY_REQKEY), "KEY_REQKEY_DEFL_???", decimal=True)]


def _reject(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    return [_serial(raw[1]), str(raw[2] & 0xFFFFFFFF), _errno(raw[3] & 0xFFFFFFFF), _serial(raw[4])]


def _dh_compute(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
    kdf = _kdf_params(raw[4], memory, options) if raw[4] else "NULL"
    return [_dh_params(raw[1], memory), hex_address(raw[2]), str(raw[3]), kdf]


_FORMS: dict[int, Form] = {
    _CMD[name]: form
    for names, form in (
        (("KEYCTL_GET_KEYRING_ID",), _ids("id", "int")),
        (("KEYCTL_JOIN_SESSION_KEYRING",), _ids("str")),
        (("KEYCTL_UPDATE",), _ids("id", "buf", "ulong")),
        (("KEYCTL_REVOKE", "KEYCTL_CLEAR", "KEYCTL_INVALIDATE"), _ids("id")),
        (("KEYCTL_ASSUME_AUTHORITY",), _ids("id")),
        (("KEYCTL_LINK", "KEYCTL_UNLINK"), _ids("id", "id")),
        (("KEYCTL_DESCRIBE", "KEYCTL_READ", "KEYCTL_GET_SECURITY"), _ids("id", "addr", "ulong")),
        (("KEYCTL_SEARCH",), _ids("id", "str", "str", "id")),
        (("KEYCTL_CHOWN",), _ids("id", "uid", "uid")),
        (("KEYCTL_SETPERM",), _flags_form(K.KEY_PERMS, "KEY_???", 2)),
        (("KEYCTL_INSTANTIATE",), _ids("id", "buf", "ulong", "id")),
        (("KEYCTL_NEGATE",), _ids("id", "u32", "id")),
        (("KEYCTL_SET_REQKEY_KEYRING",), _reqkey),
        (("KEYCTL_SET_TIMEOUT",), _ids("id", "u32")),
        (("KEYCTL_SESSION_TO_PARENT",), _ids()),
        (("KEYCTL_REJECT",), _reject),
        (("KEYCTL_INSTANTIATE_IOV",), _iov),
        (("KEYCTL_GET_PERSISTENT",), _ids("uid", "id")),
        (("KEYCTL_DH_COMPUTE",), _dh_compute),
        (("KEYCTL_PKEY_QUERY",), lambda raw, memory, options: [
            _serial(raw[1]), chex(raw[2]), _cstr(raw[3], memory, options), hex_address(raw[4]),
        ]),
        (("KEYCTL_PKEY_ENCRYPT", "KEYCTL_PKEY_DECRYPT", "KEYCTL_PKEY_SIGN"), _pkey_op(out=True)),
        (("KEYCTL_PKEY_VERIFY",), _pkey_op(out=False)),
        (("KEYCTL_RESTRICT_KEYRING",), _ids("id", "str", "str")),
        (("KEYCTL_MOVE",), _flags_form(K.KEYCTL_MOVE_FLAGS, "KEYCTL_MOVE_???", 4)),
        (("KEYCTL_CAPABILITIES",), _ids("addr", "ulong")),
    )
    for name in names
}  # fmt: skip


def _form(raw: Sequence[int]) -> Form:
    default: Form = lambda raw, memory, options: [chex(value) for value in raw[1:5]]  # noqa: E731
    return _FORMS.get(as_signed(raw[0], 32), default)


# --- what the kernel wrote --------------------------------------------------------------------


def _read_text(address: int, size: int, memory: Memory, options: Options, nul: bool) -> str:
    """strace's printstr_ex of what a read-like command wrote: ``size`` bytes, cut at
    -s (``...`` when more were written), a trailing NUL left out (``nul``)."""
    limit = max(0, options.string_limit)
    data = read_exact(memory, address, min(size, limit + 1)) if size else b""
    if data is None:
        return hex_address(address)
    data = data[:limit]
    if nul and data.endswith(b"\0"):
        return quote(data[:-1])
    return quote(data, truncated=size > limit)


def _caps(address: int, size: int, memory: Memory, options: Options) -> str:
    tables = ((K.KEYCTL_CAPS0, "KEYCTL_CAPS0_???"), (K.KEYCTL_CAPS1, "KEYCTL_CAPS1_???"))
    index = iter(range(size))

    def element(data: bytes) -> str:
        at = next(index)
        return format_flags(data[0], *tables[at]).text if at < len(tables) else chex(data[0])

    return array_text(address, size, 1, memory, options, element=element).text


def _filled(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """The buffer the command filled: its bytes (up to the result), or the struct."""
    command, address = as_signed(raw[0], 32), raw[at]
    name = next((n for n, value in K.KEYCTL if value == command), "")
    size = min(retval, raw[3]) if retval >= 0 else 0
    text: str | None = None
    if at == 2 and name in ("KEYCTL_DESCRIBE", "KEYCTL_READ", "KEYCTL_GET_SECURITY"):
        text = _read_text(address, size, memory, options, nul=name != "KEYCTL_READ")
    elif at == 2 and name == "KEYCTL_DH_COMPUTE":
        text = _buf(address, size, memory, options)
    elif at == 1 and name == "KEYCTL_CAPABILITIES":
        text = _caps(address, min(retval, raw[2]), memory, options)
    elif at == 4 and name == "KEYCTL_PKEY_QUERY":
        text = _pkey_query(address, memory)
    elif at == 4 and name in ("KEYCTL_PKEY_ENCRYPT", "KEYCTL_PKEY_DECRYPT", "KEYCTL_PKEY_SIGN"):
        _, sizes = _pkey_params(raw[1], memory, out=True)
        text = None if sizes is None else _buf(address, sizes[1], memory, options)
    return None if text is None else DecodedValue(text, text, address)


def _pkey_query(address: int, memory: Memory) -> str:
    data = read_exact(memory, address, 56)
    if data is None:
        return hex_address(address)
    ops, key_size, *sizes = struct.unpack("<II4H", data[:16])
    spare = struct.unpack("<10I", data[16:])
    names = ("max_data_size", "max_sig_size", "max_enc_size", "max_dec_size")
    fields = [f"supported_ops={format_flags(ops, K.KEYCTL_PKEY_OPS, 'KEYCTL_SUPPORTS_???').text}"]
    fields += [f"key_size={key_size}", *(f"{n}={v}" for n, v in zip(names, sizes, strict=True))]
    return "{" + ", ".join([*fields, *_spare(spare)]) + "}"


_CALL = Multiplexed(_form)
_argument = _CALL.argument


BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("keyctl", "arg2"): _argument(1)._replace(exit=_filled, in_and_out=True),
    ("keyctl", "arg3"): _argument(2)._replace(exit=_filled, in_and_out=True),
    ("keyctl", "arg4"): _argument(3),
    ("keyctl", "arg5"): _argument(4)._replace(exit=_filled, in_and_out=True),
}
DECODERS: dict[str, Decoder] = {}
