"""SG_IO, the SCSI generic pass-through, in strace 6.1's words: pure.

Kernel facts: the argument's first int says which header follows: 'S', struct
sg_io_hdr (v3, 88 bytes on 64-bit: dxfer_direction, cmd_len and mx_sb_len as
bytes, iovec_count, dxfer_len, the dxferp, cmdp and sbp pointers, timeout, flags,
... then the status bytes, host and driver status, resid, duration, info the
kernel fills); 'Q', struct sg_io_v4 (160 bytes: protocol, subprotocol, the request
and its length, the data out and in, each a buffer or an iovec array, ... then the
response fields the kernel fills).  strace prints the request at entry and the
response at exit, after a failure too, and any other first int as ``[N]``.
"""

from __future__ import annotations

from traced.decoders._ioctls import (
    BSG_FLAGS,
    BSG_PROTOCOLS,
    BSG_SUB_PROTOCOLS,
    SG_DXFER_DIRECTIONS,
    SG_INFO_BITS,
    SG_IO_FLAGS,
)
from traced.decoders.families.buffers import iovec_array
from traced.decoders.families.ioctl_kit import Request, ints, printstr
from traced.decoders.values import Memory, Options, as_signed, chex, hex_address, read_exact
from traced.decoders.xlat import format_enum, format_flags

_V3, _V4 = ord("S"), ord("Q")
_TO_DEV, _FROM_DEV, _TO_FROM_DEV = (dict(SG_DXFER_DIRECTIONS)[f"SG_DXFER_{d}"] for d in (
    "TO_DEV", "FROM_DEV", "TO_FROM_DEV"))  # fmt: skip


def _buffer(address: int, size: int, count: int, memory: Memory, options: Options) -> str:
    """A buffer in hex, or the iovecs that hold it (strace's print_sg_io_buffer)."""
    if count:
        return iovec_array(address, count, memory, options, size).text
    return printstr(address, memory, size, options, force_hex=True)


def _v3_request(address: int, memory: Memory, options: Options) -> str:
    data = read_exact(memory, address + 4, 84)
    if data is None:
        return f"{{interface_id='S', {hex_address(address + 4)}}}"
    direction = as_signed(ints("I", data)[0], 32)
    cmd_len, sb_len, iovecs, length, xferp, cmdp = ints("BBHIQQ", data, 4)
    timeout, flags = ints("II", data, 36)
    parts = [
        f"dxfer_direction={format_enum(direction, SG_DXFER_DIRECTIONS, 'SG_DXFER_???').text}",
        f"cmd_len={cmd_len}",
        f"cmdp={_buffer(cmdp, cmd_len, 0, memory, options)}",
        f"mx_sb_len={sb_len}",
        f"iovec_count={iovecs}",
        f"dxfer_len={length}",
        f"timeout={timeout}",
        f"flags={format_flags(flags, SG_IO_FLAGS, 'SG_FLAG_???').text}",
    ]
    if direction in (_TO_DEV, _TO_FROM_DEV):
        parts.append(f"dxferp={_buffer(xferp, length, iovecs, memory, options)}")
    return "{interface_id='S', " + ", ".join(parts) + "}"


def _v3_response(data: bytes, memory: Memory, options: Options) -> str:
    direction = as_signed(ints("I", data, 4)[0], 32)
    iovecs, length, xferp = ints("HIQ", data, 10)
    status, masked, message, sb_len, host, driver, resid, duration, info = ints(
        "BBBBHHiII", data, 64
    )
    parts = []
    if direction in (_FROM_DEV, _TO_FROM_DEV):
        din = length - resid if 0 < resid <= length else length
        text = f"dxferp={_buffer(xferp, din, iovecs, memory, options)}"
        if direction == _FROM_DEV:
            parts.append(text)
        elif din:
            parts.append(f"=> {text}")
    sbp = ints("Q", data, 32)[0]
    parts += [
        f"status={chex(status)}", f"masked_status={chex(masked)}", f"msg_status={chex(message)}",
        f"sb_len_wr={sb_len}", f"sbp={_buffer(sbp, sb_len, 0, memory, options)}",
        f"host_status={chex(host)}", f"driver_status={chex(driver)}", f"resid={resid}",
        f"duration={duration}", f"info={format_flags(info, SG_INFO_BITS, 'SG_INFO_???').text}",
    ]  # fmt: skip
    return _joined(parts)


def _joined(parts: list[str]) -> str:
    """The response's fields after the request's: `` => x`` joins without a comma."""
    text = ""
    for part in parts:
        text += f" {part}" if part.startswith("=>") else f", {part}"
    return text


def _v4_request(address: int, memory: Memory, options: Options) -> str:
    data = read_exact(memory, address + 4, 156)
    if data is None:
        return f"{{guard='Q', {hex_address(address + 4)}}}"
    protocol, subprotocol, request_len, request, tag = ints("IIIQQ", data)
    attr, priority, extra, max_response = ints("4I", data, 28)
    out_count, out_len, in_count, in_len, out_xferp = ints("iIiIQ", data, 52)
    timeout, flags, user = ints("IIQ", data, 84)
    fields = [
        f"protocol={format_enum(protocol, BSG_PROTOCOLS, 'BSG_PROTOCOL_???').text}",
        f"subprotocol={format_enum(subprotocol, BSG_SUB_PROTOCOLS, 'BSG_SUB_PROTOCOL_???').text}",
        f"request_len={request_len}",
        f"request={_buffer(request, request_len, 0, memory, options)}",
        f"request_tag={chex(tag)}", f"request_attr={attr}", f"request_priority={priority}",
        f"request_extra={extra}", f"max_response_len={max_response}",
        f"dout_iovec_count={out_count & 0xFFFFFFFF}", f"dout_xfer_len={out_len}",
        f"din_iovec_count={in_count & 0xFFFFFFFF}", f"din_xfer_len={in_len}",
        f"dout_xferp={_buffer(out_xferp, out_len, out_count, memory, options)}",
        f"timeout={timeout}", f"flags={format_flags(flags, BSG_FLAGS, 'BSG_FLAG_???').text}",
        f"usr_ptr={chex(user)}",
    ]  # fmt: skip
    return "{guard='Q', " + ", ".join(fields) + "}"


def _v4_response(data: bytes, memory: Memory, options: Options) -> str:
    response, (in_count, in_len), in_xferp = (
        ints("Q", data, 48)[0],
        ints("iI", data, 64),
        ints("Q", data, 80)[0],
    )
    driver, transport, device, delay, info, duration, response_len = ints("7I", data, 108)
    in_resid, out_resid, tag = ints("iiQ", data, 136)
    din = in_len - in_resid if 0 < in_resid <= in_len else in_len
    return _joined([
        f"response_len={response_len}",
        f"response={_buffer(response, response_len, 0, memory, options)}",
        f"din_xferp={_buffer(in_xferp, din, in_count, memory, options)}",
        f"driver_status={chex(driver)}", f"transport_status={chex(transport)}",
        f"device_status={chex(device)}", f"retry_delay={delay}",
        f"info={format_flags(info, SG_INFO_BITS, 'SG_INFO_???').text}", f"duration={duration}",
        f"response_len={response_len}", f"din_resid={in_resid}", f"dout_resid={out_resid}",
        f"generated_tag={chex(tag)}",
    ])  # fmt: skip


def _request(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 4)
    if data is None:
        return None
    guard = ints("I", data)[0]
    if guard == _V3:
        return _v3_request(address, memory, options)
    if guard == _V4:
        return _v4_request(address, memory, options)
    return f"[{guard}]"


def _response(entry: str, address: int, memory: Memory, options: Options) -> str | None:
    """The header's response fields, inside the request's braces; after a failure too."""
    if not entry.startswith("{") or entry.endswith(f"{hex_address(address + 4)}}}"):
        return entry
    v3 = entry.startswith("{interface_id")
    data = read_exact(memory, address, 88 if v3 else 160)
    if data is None:
        return entry
    fields = _v3_response(data, memory, options) if v3 else _v4_response(data, memory, options)
    return f"{entry[:-1]}{fields}}}"


REQUESTS: dict[str, Request] = {
    "SG_IO": Request(entry=_request, finish=_response, finish_failed=_response),
}
