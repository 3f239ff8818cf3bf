"""The GPIO character device's requests (linux/gpio.h), in strace 6.1's words: pure.

Kernel facts: a chip's requests come in two ABIs.  v1 reads a line's info
(struct gpioline_info, 72 bytes: the caller sets line_offset, the kernel fills
flags, name[32], consumer[32]), requests lines (struct gpiohandle_request, 364
bytes: lineoffsets[64], flags, default_values[64] as bytes, consumer_label[32],
lines, and the fd the kernel returns) or one line's events (struct
gpioevent_request, 48 bytes), and gets or sets values (struct gpiohandle_data,
64 bytes).  v2 (struct gpio_v2_line_info, 256 bytes; gpio_v2_line_request, 592;
gpio_v2_line_config, 272) carries up to 10 attributes of 16 bytes, each an id
and a union (flags: u64, values: u64 bitmap, debounce_period_us: u32), and
reserved padding strace prints only when it is not all zero.  The number of
lines and attributes is the caller's: strace prints no more than the arrays hold.
"""

from __future__ import annotations

from traced.decoders._ioctls import (
    GPIO_EVENT_FLAGS,
    GPIO_HANDLE_FLAGS,
    GPIO_LINE_FLAGS,
    GPIO_V2_LINE_FLAGS,
)
from traced.decoders.families.ioctl_kit import (
    Request,
    fields,
    fixed,
    hex_array,
    ints,
    local_array,
)
from traced.decoders.families.ioctl_values import c_array
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.values import Options, as_signed, chex
from traced.decoders.xlat import Table, format_flags

_ATTR_FLAGS, _ATTR_VALUES, _ATTR_DEBOUNCE = 1, 2, 3  # enum gpio_v2_line_attr_id


def _flags(value: int, table: Table, unknown: str) -> str:
    return format_flags(value, table, unknown).text


def _uints(data: bytes, at: int, count: int, width: str = "I") -> list[str]:
    return [str(value) for value in ints(f"{count}{width}", data, at)]


def _chip_info(data: bytes, options: Options) -> str:
    lines = ints("I", data, 64)[0]
    return f"{{name={c_array(data[:32])}, label={c_array(data[32:64])}, lines={lines}}}"


def _line_info(data: bytes, options: Options) -> str:
    flags = _flags(ints("I", data, 4)[0], GPIO_LINE_FLAGS, "GPIOLINE_FLAG_???")
    name, consumer = c_array(data[8:40]), c_array(data[40:72])
    return f"{{flags={flags}, name={name}, consumer={consumer}}}"


def _fd(data: bytes, at: int) -> str:
    return f"{{fd={fd_in_memory(as_signed(ints('I', data, at)[0], 32))}}}"


def _handle_request(data: bytes, options: Options) -> str:
    flags, lines = ints("I", data, 256)[0], ints("I", data, 356)[0]
    shown = min(lines, 64)
    return fields(
        f"lines={lines}",
        f"lineoffsets={local_array(_uints(data, 0, shown), options)}",
        f"flags={_flags(flags, GPIO_HANDLE_FLAGS, 'GPIOHANDLE_REQUEST_???')}",
        f"default_values={local_array(_uints(data, 260, shown, 'B'), options)}",
        f"consumer_label={c_array(data[324:356])}",
    )


def _event_request(data: bytes, options: Options) -> str:
    offset, handle, event = ints("3I", data)
    return fields(
        f"lineoffset={offset}",
        f"handleflags={_flags(handle, GPIO_HANDLE_FLAGS, 'GPIOHANDLE_REQUEST_???')}",
        f"eventflags={_flags(event, GPIO_EVENT_FLAGS, 'GPIOEVENT_REQUEST_???')}",
        f"consumer_label={c_array(data[12:44])}",
    )


def _handle_data(data: bytes, options: Options) -> str:
    return f"{{values={local_array(_uints(data, 0, 64, 'B'), options)}}}"


def _handle_config(data: bytes, options: Options) -> str:
    flags = _flags(ints("I", data)[0], GPIO_HANDLE_FLAGS, "GPIOHANDLE_REQUEST_???")
    values = local_array(_uints(data, 4, 64, "B"), options)
    return f"{{flags={flags}, default_values={values}}}"


def _attribute(data: bytes, at: int) -> list[str]:
    """One struct gpio_v2_line_attribute's fields: by its id, or raw for an unknown
    id or a non-zero padding."""
    kind, padding, value = ints("IIQ", data, at)
    if not padding:
        if kind == _ATTR_FLAGS:
            return [f"flags={_flags(value, GPIO_V2_LINE_FLAGS, 'GPIO_V2_LINE_FLAG_???')}"]
        if kind == _ATTR_VALUES:
            return [f"values={chex(value)}"]
        if kind == _ATTR_DEBOUNCE:
            return [f"debounce_period_us={value & 0xFFFFFFFF}"]
    return [f"id={kind}", *([f"padding={chex(padding)}"] if padding else []), f"data={chex(value)}"]


def _config_attribute(data: bytes, at: int) -> str:
    parts = _attribute(data, at)
    attr = parts[0] if len(parts) == 1 else f"attr={{{', '.join(parts)}}}"
    return f"{{{attr}, mask={chex(ints('Q', data, at + 16)[0])}}}"


def _line_config(data: bytes, at: int, options: Options) -> str:
    flags, count = ints("QI", data, at)
    padding = ints("5I", data, at + 12)
    attrs = [_config_attribute(data, at + 32 + 24 * i) for i in range(min(count, 10))]
    return fields(
        f"flags={_flags(flags, GPIO_V2_LINE_FLAGS, 'GPIO_V2_LINE_FLAG_???')}",
        f"num_attrs={count}",
        f"padding={hex_array(padding)}" if any(padding) else None,
        f"attrs={local_array(attrs, options)}" if count else None,
    )


def _v2_line_info(data: bytes, options: Options) -> str:
    count, flags = ints("IQ", data, 68)[0], ints("Q", data, 72)[0]
    padding = ints("4I", data, 240)
    attrs = [f"{{{', '.join(_attribute(data, 80 + 16 * i))}}}" for i in range(min(count, 10))]
    return fields(
        f"name={c_array(data[:32])}",
        f"consumer={c_array(data[32:64])}",
        f"flags={_flags(flags, GPIO_V2_LINE_FLAGS, 'GPIO_V2_LINE_FLAG_???')}",
        f"num_attrs={count}",
        f"attrs={local_array(attrs, options)}" if count else None,
        f"padding={hex_array(padding)}" if any(padding) else None,
    )


def _v2_line_request(data: bytes, options: Options) -> str:
    lines, buffer_size = ints("2I", data, 560)
    padding = ints("5I", data, 568)
    return fields(
        f"num_lines={lines}",
        f"offsets={local_array(_uints(data, 0, min(lines, 64)), options)}",
        f"consumer={c_array(data[256:288])}",
        f"config={_line_config(data, 288, options)}",
        f"event_buffer_size={buffer_size}" if buffer_size else None,
        f"padding={hex_array(padding)}" if any(padding) else None,
    )


def _field(name: str, form: str, at: int, width: int, size: int) -> Request:
    """One field of a struct of ``size`` bytes, printed at entry: ``{name=N}`` (``form``:
    d or x; ``width``: the field's bytes)."""

    def text(data: bytes, options: Options) -> str:
        value = int.from_bytes(data[at : at + width], "little")
        return f"{{{name}={chex(value) if form == 'x' else value}}}"

    return Request(entry=fixed(size, text))


_LINE_INFO = Request(entry=_field("line_offset", "d", 0, 4, 72).entry, exit=fixed(72, _line_info))
_V2_LINE_INFO = Request(
    entry=_field("offset", "d", 64, 4, 256).entry, exit=fixed(256, _v2_line_info)
)

REQUESTS: dict[str, Request] = {
    "GPIO_GET_CHIPINFO_IOCTL": Request(exit=fixed(68, _chip_info)),
    "GPIO_GET_LINEINFO_IOCTL": _LINE_INFO,
    "GPIO_GET_LINEINFO_WATCH_IOCTL": _LINE_INFO,
    "GPIO_GET_LINEINFO_UNWATCH_IOCTL": _field("offset", "d", 0, 4, 4),
    "GPIO_GET_LINEHANDLE_IOCTL": Request(
        fixed(364, _handle_request), fixed(364, lambda data, options: _fd(data, 360))
    ),
    "GPIO_GET_LINEEVENT_IOCTL": Request(
        fixed(48, _event_request), fixed(48, lambda data, options: _fd(data, 44))
    ),
    "GPIOHANDLE_GET_LINE_VALUES_IOCTL": Request(exit=fixed(64, _handle_data)),
    "GPIOHANDLE_SET_LINE_VALUES_IOCTL": Request(entry=fixed(64, _handle_data)),
    "GPIOHANDLE_SET_CONFIG_IOCTL": Request(entry=fixed(84, _handle_config)),
    "GPIO_V2_GET_LINEINFO_IOCTL": _V2_LINE_INFO,
    "GPIO_V2_GET_LINEINFO_WATCH_IOCTL": _V2_LINE_INFO,
    "GPIO_V2_GET_LINE_IOCTL": Request(
        fixed(592, _v2_line_request), fixed(592, lambda data, options: _fd(data, 588))
    ),
    "GPIO_V2_LINE_SET_CONFIG_IOCTL": Request(
        entry=fixed(272, lambda data, options: _line_config(data, 0, options))
    ),
    "GPIO_V2_LINE_GET_VALUES_IOCTL": Request(
        _field("mask", "x", 8, 8, 16).entry, _field("bits", "x", 0, 8, 16).entry
    ),
    "GPIO_V2_LINE_SET_VALUES_IOCTL": Request(
        entry=fixed(
            16, lambda data, options: "{{bits={}, mask={}}}".format(*map(chex, ints("2Q", data)))
        )
    ),
}
