"""The input devices' write requests whose structs strace 6.1 prints (linux/input.h):
pure.

Kernel facts: EVIOCSKEYCODE takes two unsigned ints, a scancode and the key code
it maps to; EVIOCSKEYCODE_V2 a struct input_keymap_entry (flags and len as bytes,
index as a u16, keycode as a u32, scancode[32]: 40 bytes).  EVIOCSFF uploads a
struct ff_effect (48 bytes on 64-bit: type, id, direction as 16-bit fields, a
trigger and a replay of two u16 each, then at offset 16 a union by type: constant,
ramp, periodic, rumble, each with an envelope of four u16 but rumble).  strace
prints the keymap entry's index, keycode and scancode and the effect's trigger,
replay and union only with -v.
"""

from __future__ import annotations

from traced.decoders._ioctls import FF_TYPES, KEY_CODES
from traced.decoders.families.ioctl_kit import Request, fields, fixed, ints, local_array
from traced.decoders.values import Options, chex, hex_address
from traced.decoders.xlat import format_enum

_FF_CONSTANT, _FF_RAMP, _FF_PERIODIC, _FF_RUMBLE = 0x52, 0x57, 0x51, 0x50


def _key(code: int) -> str:
    return format_enum(code, KEY_CODES, "KEY_???").text


def _keycode(data: bytes, options: Options) -> str:
    scancode, keycode = ints("2I", data)
    return f"[{scancode}, {_key(keycode)}]"


def _keymap_entry(data: bytes, options: Options) -> str:
    flags, length, index, keycode = ints("BBHI", data)
    if not options.verbose:
        return f"{{flags={flags}, len={length}, ...}}"
    scancode = local_array([chex(byte) for byte in data[8:40]], options)
    return fields(
        f"flags={flags}",
        f"len={length}",
        f"index={index}",
        f"keycode={_key(keycode)}",
        f"scancode={scancode}",
    )


def _envelope(data: bytes, at: int) -> str:
    attack_length, attack_level, fade_length, fade_level = ints("4H", data, at)
    return (
        f"envelope={{attack_length={attack_length}, attack_level={attack_level}, "
        f"fade_length={fade_length}, fade_level={chex(fade_level)}}}"
    )


def _effect(kind: int, data: bytes) -> str | None:
    """The union's member for the effect's type, None for the others."""
    if kind == _FF_CONSTANT:
        return f"constant={{level={ints('h', data, 16)[0]}, {_envelope(data, 18)}}}"
    if kind == _FF_RAMP:
        start, end = ints("2h", data, 16)
        return f"ramp={{start_level={start}, end_level={end}, {_envelope(data, 20)}}}"
    if kind == _FF_PERIODIC:
        waveform, period, magnitude, offset, phase = ints("HHhhH", data, 16)
        length, custom = ints("IQ", data, 36)
        return (
            f"periodic={{waveform={waveform}, period={period}, magnitude={magnitude}, "
            f"offset={offset}, phase={phase}, {_envelope(data, 26)}, custom_len={length}, "
            f"custom_data={hex_address(custom)}}}"
        )
    if kind == _FF_RUMBLE:
        strong, weak = ints("2H", data, 16)
        return f"rumble={{strong_magnitude={strong}, weak_magnitude={weak}}}"
    return None


def _ff_effect(data: bytes, options: Options) -> str:
    kind, number, direction, button, interval, length, delay = ints("HhHHHHH", data)
    head = f"type={format_enum(kind, FF_TYPES, 'FF_???').text}, id={number}, direction={direction}"
    if not options.verbose:
        return f"{{{head}, ...}}"
    return fields(
        head,
        f"trigger={{button={button}, interval={interval}}}",
        f"replay={{length={length}, delay={delay}}}",
        _effect(kind, data),
    )


REQUESTS: dict[str, Request] = {
    "EVIOCSKEYCODE": Request(entry=fixed(8, _keycode)),
    "EVIOCSKEYCODE_V2": Request(entry=fixed(40, _keymap_entry)),
    "EVIOCSFF": Request(entry=fixed(48, _ff_effect)),
}
