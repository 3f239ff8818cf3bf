"""How constants and strings are printed while one call is decoded: strace's -X and -x.

strace prints a constant three ways (``-X abbrev``, its default: ``MS_SYNC``;
``-X raw``: ``0x4``; ``-X verbose``: ``0x4 /* MS_SYNC */``) and a string's bytes
three ways (printable as is by default; ``-x``/``--strings-in-hex=non-ascii``: a
string holding any non-printable byte wholly in ``\\x..``; ``-xx``/``=all``: every
string in ``\\x..``; ``=non-ascii-chars``: only the non-printable bytes in ``\\x..``).

The style is not a parameter of the printing helpers (xlat.py, strings.py) but a
:class:`contextvars.ContextVar` that :func:`applied` sets for the span of one
decode (arguments.decode_entry/decode_exit, the printer's signal lines).  Why:
every family's decoders call those helpers, through many layers, with signatures
other work depends on; threading the style through each would change them all.  A
ContextVar, unlike a module global, is per thread and per task, so sessions decoded
side by side in the daemon with different styles cannot see each other's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

ABBREV, RAW, VERBOSE = "abbrev", "raw", "verbose"
XLAT_STYLES = (ABBREV, RAW, VERBOSE)
# --strings-in-hex's values; NONE: strace's default escaping.
NONE, NON_ASCII_CHARS, NON_ASCII, ALL = "none", "non-ascii-chars", "non-ascii", "all"
STRING_STYLES = (NONE, NON_ASCII_CHARS, NON_ASCII, ALL)


class Style(NamedTuple):
    xlat: str = ABBREV  # -X
    strings: str = NONE  # -x, -xx, --strings-in-hex


PLAIN = Style()
_CURRENT: ContextVar[Style] = ContextVar("traced_print_style", default=PLAIN)


def current() -> Style:
    """The style of the decode under way (:data:`PLAIN` outside any)."""
    return _CURRENT.get()


@contextmanager
def applied(style: Style) -> Iterator[None]:
    """``style`` for what runs inside the block, the previous one restored after."""
    token = _CURRENT.set(style)
    try:
        yield
    finally:
        _CURRENT.reset(token)
