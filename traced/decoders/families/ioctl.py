"""ioctl: the request by name, any other as strace's ``_IOC(...)``; the argument as
strace 6.1 prints it for the request.

A request number packs its direction (bits 30-31), size (16-29), type (8-15) and
number (0-7), as asm-generic/ioctl.h lays them out.  Names are the kernel's
(traced/decoders/_ioctls.py, generated from the uapi headers); a number several
headers define is printed with all its names, sorted, joined by " or ", as strace
does (``SNDCTL_TMR_START or TCSETS``).

The argument is a register whose meaning only the request knows.  strace prints
it as a hex number (``0`` for zero) unless it decodes the request; a request it
decodes with a pointer shows ``NULL`` or the address when it cannot read it, and
some requests take a plain number or nothing at all.  The styles, by request
name, are in families/ioctl_styles.py; the requests whose structs strace prints
field by field have their own printers (:data:`REQUESTS`, gathered from the
families/ioctl_*.py modules: families/ioctl_kit.py says how they are applied).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import import_module
from typing import NamedTuple

from traced.decoders._ioctls import ABS_AXES, EV_TYPES, IOCTL_FUNCTIONS, IOCTLS
from traced.decoders.families.ioctl_kit import Request, after_failure, request_exit
from traced.decoders.families.ioctl_structs import LAYOUTS as STRUCT_LAYOUTS
from traced.decoders.families.ioctl_styles import STYLES, VALUES
from traced.decoders.families.ioctl_values import LAYOUTS, REGISTERS
from traced.decoders.families.process import CLONE
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.strings import decode_cstring
from traced.decoders.style import PLAIN, VERBOSE, applied, current
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    NOT_PRINTED,
    DecodedValue,
    Memory,
    Options,
    as_signed,
    chex,
    hex_address,
    read_exact,
)
from traced.decoders.xlat import Table, format_enum, format_flags, lookup, number, styled
from traced.events import Arg


def _joined(rows: Table) -> Table:
    """One row per request, its names joined by " or " (rows come sorted by value, name)."""
    names: dict[int, list[str]] = {}
    for name, value in rows:
        names.setdefault(value, []).append(name)
    return tuple((" or ".join(group), value) for value, group in names.items())


IOC_DIR: Table = (("_IOC_NONE", 0), ("_IOC_READ", 2), ("_IOC_WRITE", 1))
_EVDEV, _MIXER = 0x45, 0x4D  # 'E', 'M'
_READ, _WRITE = 2, 1


class _Index(NamedTuple):
    """The request tables as lookups: ~4 ms of regexes and dicts, built at the first
    ioctl decoded rather than at every start."""

    by_number: dict[int, str]  # a request's names, joined by " or "
    styles: tuple[tuple[str, re.Pattern[str]], ...]
    values: tuple[tuple[re.Pattern[str], str | None, str | None], ...]
    functions: dict[str, int]
    # EVIOCGNAME(len) and its kin: the number (bits 0-7) names the request, the rest len.
    evdev_by_length: dict[int, str]


@cache
def _index() -> _Index:
    from traced.decoders.families import ioctl_seccomp  # noqa: PLC0415 (see _requests)

    return _Index(
        {**ioctl_seccomp.NAMES, **{value: name for name, value in _joined(IOCTLS)}},
        tuple((style, re.compile(pattern)) for style, pattern in STYLES),
        tuple((re.compile(pattern), entry, exit) for pattern, entry, exit in VALUES),
        dict(IOCTL_FUNCTIONS),
        {
            value & 0xFF: name
            for name, value in IOCTL_FUNCTIONS
            if name.startswith("EVIOC") and value >> 30 == _READ and value >> 16 & 0x3FFF == 0
        },
    )


def _inner(value: int, table: Table, unknown: str) -> str:
    """A parameter's name; under -X verbose, where the request is in a comment, an
    unknown one's number without its own comment."""
    if current().xlat == VERBOSE:
        return lookup(value, table) or chex(value)
    return format_enum(value, table, unknown).text


def _evdev(direction: int, number: int, size: int) -> str | None:
    """linux/input.h's requests with parameters, as strace prints them."""
    functions = _index().functions
    gbit, gabs, sabs = (functions[name] & 0xFF for name in ("EVIOCGBIT", "EVIOCGABS", "EVIOCSABS"))
    if direction == _WRITE and sabs <= number < sabs + 0x40:
        return f"EVIOCSABS({_inner(number - sabs, ABS_AXES, 'ABS_???')})"
    if direction != _READ:
        return None
    if gbit <= number < gbit + 0x20:
        event = number - gbit
        kind = _inner(event, EV_TYPES, "EV_???") if event else "0"
        return f"EVIOCGBIT({kind}, {size})"
    if gabs <= number < gabs + 0x40:
        return f"EVIOCGABS({_inner(number - gabs, ABS_AXES, 'ABS_???')})"
    name = _index().evdev_by_length.get(number)
    return None if name is None else f"{name}({size})"


def parameterized(code: int) -> tuple[str, bool] | None:
    """The requests strace names with their parameters, and whether that is all it
    names them (evdev's) or it adds the number's names after " or " (the mixer's)."""
    direction, kind, number, size = code >> 30, code >> 8 & 0xFF, code & 0xFF, code >> 16 & 0x3FFF
    if kind == _EVDEV:
        text = _evdev(direction, number, size)
        return None if text is None else (text, True)
    if kind == _MIXER and direction in (_READ, _WRITE):
        return f"MIXER_{'READ' if direction == _READ else 'WRITE'}({number})", False
    return None


def ioctl_request(raw: int) -> DecodedValue:
    """A known request by name, else ``_IOC(dir, type, nr, size)``."""
    code = raw & 0xFFFFFFFF
    special = parameterized(code)
    if special is not None and special[1]:
        return DecodedValue(styled(special[0], number(code)), special[0], raw)
    name = _index().by_number.get(code)
    if special is not None:
        name = special[0] if name is None else f"{special[0]} or {name}"
    if name is not None:
        return DecodedValue(styled(name, number(code)), name, raw)
    with applied(PLAIN):  # -X verbose: the whole _IOC() in the comment, named inside
        direction = format_flags(code >> 30, IOC_DIR, "_IOC_???").text
    fields = (code >> 8 & 0xFF, code & 0xFF, code >> 16 & 0x3FFF)
    text = f"_IOC({direction}, {', '.join(chex(field) for field in fields)})"
    return DecodedValue(styled(text, number(code)), text, raw)


@lru_cache(maxsize=4096)  # requests recur; a fuzzing program's need not grow it
def argument_style(request: int) -> str:
    """How strace prints the argument of ``request``: none, int, string, ifname, ulong, value (see
    :func:`value_layouts`), named (ioctl_values.REGISTERS), pointer or hex."""
    names = _index().by_number.get(request & 0xFFFFFFFF)
    if names is None:
        return "pointer" if parameterized(request & 0xFFFFFFFF) else "hex"
    if _request(request) is not None:
        return "request"
    if value_layouts(request) is not None:
        return "value"
    if names in REGISTERS:
        return "named"
    for style, pattern in _index().styles:
        if any(pattern.fullmatch(name) for name in names.split(" or ")):
            return style
    return "hex"


def _request(request: int) -> Request | None:
    """The printers of ``request``, one of whose names has them."""
    names = _index().by_number.get(request & 0xFFFFFFFF, "").split(" or ")
    requests = _requests()
    return next((requests[name] for name in names if name in requests), None)


@cache
def _requests() -> dict[str, Request]:
    """The requests decoded by their own printers, by name (families/ioctl_*.py).
    Their modules are imported at the first ioctl decoded, not at every start
    (bench/startup.py): most traces decode none.  A request two of them claim is a
    mistake, refused here rather than one printer silently winning."""
    requests: dict[str, Request] = {}
    for family in _FAMILIES:
        module = import_module(f"traced.decoders.families.ioctl_{family}")
        claimed = requests.keys() & module.REQUESTS.keys()
        if claimed:
            raise ValueError(f"ioctl_{family} claims requests already claimed: {sorted(claimed)}")
        requests.update(module.REQUESTS)
    return requests


# The families whose requests have printers of their own, as families/ioctl_NAME.py.
_FAMILIES = (
    "block", "dm", "evdev", "fs", "gpio", "hdio", "kd", "kd_font", "kvm", "loop", "misc",
    "mtd", "rtc", "seccomp", "sg", "sock", "tee", "termios", "ubi",
)  # fmt: skip


@lru_cache(maxsize=4096)
def value_layouts(request: int) -> tuple[str | None, str | None] | None:
    """The layouts of the value ``request``'s argument points to, at entry and at
    exit (None: not read then); None for a request not in ioctl_styles.VALUES."""
    names = _index().by_number.get(request & 0xFFFFFFFF, "").split(" or ")
    for pattern, entry, exit in _index().values:
        if any(pattern.fullmatch(name) for name in names):
            return entry, exit
    return None


_LAYOUTS = {**LAYOUTS, **STRUCT_LAYOUTS}


def value_at(
    address: int, memory: Memory, layout: str, options: Options = DEFAULT_OPTIONS
) -> DecodedValue | None:
    """The value at ``address`` in strace's words, or None where it cannot be read;
    with -v, the layout's ``-v`` variant where it has one."""
    size, text = _LAYOUTS.get(f"{layout} -v" if options.verbose else layout) or _LAYOUTS[layout]
    data = read_exact(memory, address, size)
    if data is None:
        return None
    return DecodedValue(text(data), None, address)


def ioctl_argument(
    request: int, raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS
) -> DecodedValue:
    """The argument at entry, as strace prints it for ``request``."""
    style = argument_style(request)
    raw &= (1 << 64) - 1
    if style == "string":
        return decode_cstring(raw, memory, options)
    if style == "ifname":
        return value_at(raw, memory, "ifname") or DecodedValue(hex_address(raw), raw, raw)
    if style == "none":
        return DecodedValue(NOT_PRINTED, None, raw)
    if style == "int":
        return DecodedValue(str(as_signed(raw, 32)), as_signed(raw, 32), raw)
    if style == "ulong":
        return DecodedValue(str(raw), raw, raw)
    if style == "named":
        return DecodedValue(REGISTERS[_index().by_number[request & 0xFFFFFFFF]](raw), raw, raw)
    if style == "request":
        printer = (_request(request) or Request()).entry
        text = None if printer is None else printer(raw, memory, options)
        return DecodedValue(hex_address(raw) if text is None else text, raw, raw)
    entry = (value_layouts(request) or (None, None))[0]
    if entry is not None:
        value = value_at(raw, memory, entry, options)
        if value is not None:
            return value
    if style in ("value", "pointer"):
        return DecodedValue(hex_address(raw), raw, raw)
    return DecodedValue(chex(raw), raw, raw)


def ioctl_result(request: int, retval: int) -> str | None:
    """strace's words for a successful result: NS_GET_NSTYPE's namespace type."""
    if _index().by_number.get(request & 0xFFFFFFFF) != "NS_GET_NSTYPE":
        return None
    name = lookup(retval, CLONE)
    return None if name is None else f"{retval} ({name})"


def _entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    return ioctl_argument(raw[at - 1], raw[at], memory, options)


def _exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:  # fmt: skip
    """A value the kernel wrote, for the requests whose argument points to one."""
    request = _request(raw[at - 1])
    if retval < 0 and (request is None or not after_failure(request)):
        return None  # a failure: only what strace prints even then
    if request is not None:
        entry = args[at].text if at < len(args) else ""
        return request_exit(request, raw[at], memory, options, entry, error=max(0, -retval))
    exit = (value_layouts(raw[at - 1]) or (None, None))[1]
    if exit is None:
        return None
    arrow, _, layout = exit.partition(" ") if exit.startswith("=>") else ("", "", exit)
    value = value_at(raw[at], memory, layout, options)
    entry = args[at].text if at < len(args) else ""
    if value is None or not arrow or not entry.startswith("{"):
        return value
    text = f"{entry} => {value.text}" if arrow == "=>" else f"{entry[:-1]} => {value.text}}}"
    return DecodedValue(text, None, raw[at])


DECODERS: dict[str, Decoder] = {"enum:ioctl": by_register(ioctl_request)}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("ioctl", "arg"): Decoder(entry=_entry, exit=_exit, in_and_out=True, on_failure=True),
}
# The names a filter's argument predicates may use, by type ("A or B": each alone).
CONSTANTS: dict[str, Table] = {"enum:ioctl": IOCTLS}
