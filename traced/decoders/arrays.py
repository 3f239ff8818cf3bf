"""Arrays of fixed-size elements in tracee memory, as strace prints them (its
print_array): ``[e1, e2]``, ``[]`` for none, NULL, cut to -s elements with ``...``
unless -v, and an element past what is readable noted by its address (the one past
the -s shown too: strace reads it before it cuts).  Also the bytes past a struct
the kernel does not know yet that are set (print_nonzero_bytes).

The element printer is the caller's: a function of the element's bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from traced.decoders.values import DecodedValue, Memory, Options, hex_address, read_exact

_WORD = 1 << 64
_PAGE = 4096  # strace looks no further past a struct for set bytes


def array_text(
    raw: int, count: int, size: int, memory: Memory, options: Options, *,
    element: Callable[[bytes], str], most: int | None = None,
) -> DecodedValue:  # fmt: skip
    """``count`` elements of ``size`` bytes at ``raw``, each printed by ``element``;
    ``most``: the most printed even with -v (the rest cut as -s cuts them)."""
    if raw == 0:
        return DecodedValue("NULL", None, raw)
    if count == 0:
        return DecodedValue("[]", [], raw)
    if raw + count * size >= _WORD:  # the array would wrap: strace shows the address
        return DecodedValue(hex_address(raw), raw, raw)
    shown = count if options.verbose else min(count, max(0, options.string_limit))
    if most is not None:
        shown = min(shown, most)
    items: list[str] = []
    for index in range(shown):
        address = raw + index * size
        data = read_exact(memory, address, size)
        if data is None:
            if not items:
                return DecodedValue(hex_address(raw), raw, raw)
            items.append(f"... /* {address:#x} */")
            break
        items.append(element(data))
    else:
        if shown < count:  # strace reads the element past -s before it says ``...``
            address = raw + shown * size
            readable = read_exact(memory, address, size) is not None
            items.append("..." if readable else f"... /* {address:#x} */")
    return DecodedValue("[" + ", ".join(items) + "]", items, raw)


def nonzero_tail(
    address: int, start: int, size: int, memory: Memory, options: Options
) -> list[str]:
    """The bytes from ``start`` to ``size`` (up to a page): ``???`` where unreadable,
    in hex where any is set (``/* bytes 32..39 */ "\\xa0..."``, cut at -s), else none."""
    end = min(size, _PAGE)
    if start >= end:
        return []
    data = read_exact(memory, address + start, end - start)
    if data is None:
        return ["???"]
    if not any(data):
        return []
    shown = data[: max(0, options.string_limit)]
    escaped = "".join(f"\\x{byte:02x}" for byte in shown)
    more = "..." if len(shown) < len(data) else ""
    return [f'/* bytes {start}..{end - 1} */ "{escaped}"{more}']
