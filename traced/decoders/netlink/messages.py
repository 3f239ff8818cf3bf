"""A netlink socket's buffer as strace prints it (its netlink.c): each message's
header, then its payload, decoded by the socket's protocol where strace knows it.

One message prints as its header alone (``{nlmsg_len=16, ...}``) or, with a
payload, as ``[header, payload]``; several as an array of those.  A buffer too
short for a header, or a payload no decoder knows, prints in hex; an unreadable
header as its address (``... /* 0x... */`` after the messages before it).
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink.attrs import Attrs, cut, decode_attrs
from traced.decoders.netlink.kinds import NLMSG_DONE, NLMSG_ERROR, flags_text, type_text
from traced.decoders.netlink.text import Reading, array_of, hex_string, read_struct
from traced.decoders.pidnames import pid_text
from traced.decoders.style import RAW, VERBOSE, current
from traced.decoders.values import hex_address
from traced.syscalls.names import ERRNO_NAMES

NLMSGHDR = struct.Struct("<IHHII")  # nlmsg_len, nlmsg_type, nlmsg_flags, nlmsg_seq, nlmsg_pid
NLMSG_HDRLEN = NLMSGHDR.size
_NLMSGERR = struct.Struct("<i")  # int error, then the nlmsghdr answered
_CAPPED = dict(T.NLM_ACK_FLAGS)["NLM_F_CAPPED"]

# A protocol's payload decoder: (reading, header fields, payload address, length) ->
# its text, or None to leave it to the generic printing.
Payload = Callable[[Reading, tuple[int, ...], int, int], "str | None"]


def _align(length: int) -> int:
    return (length + 3) & ~3


def header_text(fields: tuple[int, ...], protocol: int) -> str:
    length, kind, flags, seq, pid = fields
    return (
        f"{{nlmsg_len={length}, nlmsg_type={type_text(kind, protocol)}, "
        f"nlmsg_flags={flags_text(flags, kind, protocol)}, nlmsg_seq={seq}, "
        f"nlmsg_pid={pid_text(pid - (1 << 32) if pid >> 31 else pid)}}}"
    )


def error_text(error: int) -> str:
    """An errno as a negative number, ``-EACCES`` (strace's print_err, negated)."""
    name = ERRNO_NAMES.get(-error) if error < 0 else None
    style = current().xlat
    if name is None or style == RAW:
        return str(error)
    return f"{error} /* -{name} */" if style == VERBOSE else f"-{name}"


def _cookie(reading: Reading, address: int, length: int, family: int) -> str | None:
    data = read_struct(reading, address, length)
    if data is None:
        return hex_address(address)
    items = [str(byte) for byte in data]
    if cut(reading, len(items) - 1):  # strace's print_array: at most -s elements
        items = [*items[: reading.options.string_limit], "..."]
    return array_of(items)


_ERR = dict(T.NLMSGERR_ATTRS)
_ERR_ATTRS = Attrs(T.NLMSGERR_ATTRS, "NLMSGERR_ATTR_???", {
    _ERR["NLMSGERR_ATTR_MSG"]: A.string, _ERR["NLMSGERR_ATTR_OFFS"]: A.u32,
    _ERR["NLMSGERR_ATTR_COOKIE"]: _cookie,
})  # fmt: skip


def _nlmsgerr(reading: Reading, address: int, length: int, capped: bool) -> str:
    """``{error=-EACCES, msg={...}}``, then its attributes (strace's decode_nlmsgerr)."""
    if length < _NLMSGERR.size + NLMSG_HDRLEN:
        return hex_string(reading, address, length)
    data = read_struct(reading, address, _NLMSGERR.size + NLMSG_HDRLEN)
    if data is None:
        return hex_address(address)
    error = _NLMSGERR.unpack_from(data)[0]
    fields = NLMSGHDR.unpack_from(data, _NLMSGERR.size)
    address, length = address + _NLMSGERR.size, length - _NLMSGERR.size
    payload = min(length, NLMSG_HDRLEN if capped else max(NLMSG_HDRLEN, fields[0]))
    text = f"{{error={error_text(error)}, msg={message_text(reading, fields, address, payload)}}}"
    if length <= payload:
        return text
    attrs = decode_attrs(reading, address + payload, length - payload, _ERR_ATTRS)
    return array_of([text, attrs])


def _payload(reading: Reading, fields: tuple[int, ...], address: int, length: int) -> str:
    kind = fields[1]
    if kind == NLMSG_ERROR:
        return _nlmsgerr(reading, address, length, bool(fields[2] & _CAPPED))
    if kind >= 0x10 or kind == NLMSG_DONE:
        from traced.decoders.netlink.protocols import payload_decoder  # noqa: PLC0415 (cycle)

        decoder = payload_decoder(reading.protocol)
        text = decoder(reading, fields, address, length) if decoder else None
        if text is not None:
            return text
    if kind == NLMSG_DONE and length == 4:
        data = read_struct(reading, address, 4)
        return hex_address(address) if data is None else str(struct.unpack("<i", data)[0])
    return hex_string(reading, address, length)


def message_text(reading: Reading, fields: tuple[int, ...], address: int, length: int) -> str:
    """One message whose header is ``fields``, in ``length`` bytes at ``address``."""
    shown = min(fields[0], length)
    header = header_text(fields, reading.protocol)
    if shown <= NLMSG_HDRLEN:
        return header
    payload = _payload(reading, fields, address + NLMSG_HDRLEN, shown - NLMSG_HDRLEN)
    return array_of([header, payload])


def decode_messages(reading: Reading, address: int, length: int) -> str:
    """The messages in ``length`` bytes at ``address`` (strace's decode_netlink)."""
    items: list[str] = []
    in_array = False
    while True:
        if length < NLMSG_HDRLEN:
            items.append(hex_string(reading, address, length))
            break
        data = read_struct(reading, address, NLMSG_HDRLEN)
        if data is None:
            items.append(f"... /* {hex_address(address)} */" if in_array else hex_address(address))
            break
        if cut(reading, len(items)):
            items.append("...")
            break
        fields = NLMSGHDR.unpack(data)
        step, next_address, next_length = _align(fields[0]), 0, 0
        if fields[0] >= NLMSG_HDRLEN:
            next_length = length - step if length >= step else 0
            if next_length:
                next_address = address + step
        in_array = in_array or bool(next_address)
        items.append(message_text(reading, fields, address, length))
        if not next_address:
            break
        address, length = next_address, next_length
    return array_of(items) if in_array else items[0]
