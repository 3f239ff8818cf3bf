"""What ioctl's struct decoders are made of: a request's printers at entry and exit,
and the field forms strace prints inside them (its PRINT_FIELD_* family): pure.

strace decodes most of these requests the same way: at entry it reads the whole
struct the argument points to (its address where it cannot, ``NULL`` for 0) and
prints the fields the caller sets; after a success it reads it again and prints,
after `` => ``, the fields the kernel filled.  A request read only at exit prints
its address at entry and on a failure.  Arrays inside a struct are cut to -s
elements with ``...`` unless -v, as strace's print_array cuts them.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import NamedTuple

from traced.decoders.strings import quote
from traced.decoders.style import ALL, Style, applied, current
from traced.decoders.values import DecodedValue, Memory, Options, chex, hex_address, read_exact

# A printer: the struct at ``address`` in strace's words, or None where it cannot be read.
Printer = Callable[[int, Memory, Options], "str | None"]
# A finisher: the whole argument at exit after a success, from the entry's text (a
# struct strace closes only at exit: ``{kb_table=K_NORMTAB, kb_index=89, kb_value=...}``).
Finisher = Callable[[str, int, Memory, Options], "str | None"]


class Request(NamedTuple):
    """How one request's argument is printed: at entry, and after a success at exit
    (both: ``entry => exit``, the exit only where the entry could be read)."""

    entry: Printer | None = None
    exit: Printer | None = None
    # After a failure strace still prints `` => `` and the address (it reads again
    # at exit and cannot, as on a failure it reads nothing).
    failed: bool = False
    # An entry printed as the address (it chose not to print the struct) still has
    # its exit printed, alone.
    exit_alone: bool = False
    # Instead of ``exit``: the whole text at exit, from the entry's (None: as at entry);
    # ``finish_failed`` the same after a failure.
    finish: Finisher | None = None
    finish_failed: Finisher | None = None
    # The one errno after which ``finish_failed`` applies (0: any): btrfs's
    # TREE_SEARCH_V2 shows the buffer size it needed after EOVERFLOW alone.
    failed_with: int = 0


def fixed(size: int, text: Callable[[bytes, Options], str]) -> Printer:
    """A printer of a struct of ``size`` bytes, read whole (strace's umove)."""

    def printer(address: int, memory: Memory, options: Options) -> str | None:
        data = read_exact(memory, address, size)
        return None if data is None else text(data, options)

    return printer


def ints(form: str, data: bytes, at: int = 0) -> tuple[int, ...]:
    """Little-endian fields of ``form`` (struct's letters, no byte order) at ``at``."""
    return struct.unpack_from("<" + form, data, at)


def local_array(items: Sequence[str], options: Options) -> str:
    """An array inside a struct: ``[a, b]``, cut to -s items and ``...`` unless -v."""
    shown = len(items) if options.verbose else min(len(items), max(0, options.string_limit))
    more = ["..."] if shown < len(items) else []
    return "[" + ", ".join([*items[:shown], *more]) + "]"


def hex_array(values: Sequence[int]) -> str:
    """strace's PRINT_FIELD_X_ARRAY: every element in hex, ``0`` for zero."""
    return "[" + ", ".join(chex(value) for value in values) + "]"


def fields(*parts: str | None) -> str:
    """``{a, b}``: the fields given, those None (not printed) left out."""
    return "{" + ", ".join(part for part in parts if part is not None) + "}"


def printstr(
    address: int, memory: Memory, size: int, options: Options, *, force_hex: bool = False
) -> str:
    """``size`` bytes at ``address`` as strace's printstr_ex prints them: cut at -s with
    ``...``, one byte past it read as well, the address where any is unreadable."""
    if address == 0:
        return "NULL"
    limit = max(0, options.string_limit)
    data = read_exact(memory, address, min(size, limit + 1)) if size else b""
    if data is None:
        return hex_address(address)
    style = current()
    with applied(Style(style.xlat, ALL) if force_hex else style):
        return quote(data[:limit], size > limit)


def after_failure(request: Request) -> bool:
    """Whether strace prints more of the argument after a failure."""
    return request.failed or request.finish_failed is not None


def request_exit(
    request: Request, address: int, memory: Memory, options: Options, entry: str, *,
    error: int = 0,
) -> DecodedValue | None:  # fmt: skip
    """What a request's exit printer says: after `` => `` where the entry was read; after
    a failure (``error``, its errno), the address."""
    failed = error > 0
    if failed and request.failed_with not in (0, error):
        return None
    decoded = request.entry is not None and entry != hex_address(address)
    if request.entry is not None and not decoded and not request.exit_alone:
        return None
    finish = request.finish_failed if failed else request.finish
    if finish is not None:
        text = finish(entry, address, memory, options)
        return None if text is None else DecodedValue(text, None, address)
    printer = None if failed else request.exit
    if printer is None and not (failed and request.failed):
        return None
    text = (printer and printer(address, memory, options)) or hex_address(address)
    return DecodedValue(f"{entry} => {text}" if decoded else text, None, address)
