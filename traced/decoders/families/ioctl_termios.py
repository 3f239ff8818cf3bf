"""The terminal's settings (asm/termios.h: struct termios, termios2, termio), in
strace 6.1's words: pure.

Kernel facts: struct termios is four u32 flag words (c_iflag, c_oflag, c_cflag,
c_lflag), the line discipline c_line and c_cc[NCCS] (19 bytes); termios2 adds
c_ispeed and c_ospeed (u32); the old struct termio has u16 flag words and
c_cc[NCC] (8).  c_oflag packs six delay fields (NLDLY ... FFDLY) with its flags;
c_cflag the output baud (CBAUD), the input baud (CIBAUD, CBAUD << IBSHIFT) and the
character size (CSIZE) with its flags.  strace prints c_line, c_cc and the speeds
only with -v, each c_cc slot by its V* name or its index.
"""

from __future__ import annotations

from traced.decoders._ioctls import (
    TERM_BAUDS,
    TERM_BS_DELAYS,
    TERM_CC,
    TERM_CFLAGS,
    TERM_CMASKS,
    TERM_CR_DELAYS,
    TERM_CSIZES,
    TERM_DELAY_MASKS,
    TERM_FF_DELAYS,
    TERM_IFLAGS,
    TERM_LFLAGS,
    TERM_LINE_DISCS,
    TERM_NL_DELAYS,
    TERM_OFLAGS,
    TERM_TAB_DELAYS,
    TERM_VT_DELAYS,
)
from traced.decoders.families.ioctl_kit import Request, fixed, ints
from traced.decoders.values import Options, chex
from traced.decoders.xlat import Table, format_enum, format_flags, lookup, styled

_MASKS = dict(TERM_CMASKS)
_CBAUD, _CIBAUD, _CSIZE, _IBSHIFT = (_MASKS[n] for n in ("CBAUD", "CIBAUD", "CSIZE", "IBSHIFT"))
_NCCS, _NCC = _MASKS["NCCS"], _MASKS["NCC"]
# The delay fields of c_oflag, in strace's order, each with its mask and unknown name.
_DELAYS: tuple[tuple[Table, int, str], ...] = tuple(
    (table, dict(TERM_DELAY_MASKS)[f"{kind}DLY"], f"{kind}?")
    for table, kind in (
        (TERM_NL_DELAYS, "NL"), (TERM_CR_DELAYS, "CR"), (TERM_TAB_DELAYS, "TAB"),
        (TERM_BS_DELAYS, "BS"), (TERM_VT_DELAYS, "VT"), (TERM_FF_DELAYS, "FF"),
    )
)  # fmt: skip


def _oflag(value: int) -> str:
    parts = []
    for table, mask, unknown in _DELAYS:
        parts.append(format_enum(value & mask, table, unknown).text)
        value &= ~mask
    return "|".join([*parts, format_flags(value, TERM_OFLAGS).text])


def _cflag(value: int) -> str:
    parts = [format_enum(value & _CBAUD, TERM_BAUDS, "B???").text]
    if value & _CIBAUD:
        speed = format_enum((value & _CIBAUD) >> _IBSHIFT, TERM_BAUDS, "B???").text
        parts.append(f"{speed}<<{styled('IBSHIFT', chex(_IBSHIFT))}")
    parts.append(format_enum(value & _CSIZE, TERM_CSIZES, "CS?").text)
    rest = value & ~(_CBAUD | _CIBAUD | _CSIZE)
    return "|".join([*parts, format_flags(rest, TERM_CFLAGS).text])


def _settings(flags: tuple[int, ...], line: int, cc: bytes, options: Options) -> list[str]:
    iflag, oflag, cflag, lflag = flags
    parts = [
        f"c_iflag={format_flags(iflag, TERM_IFLAGS).text}",
        f"c_oflag={_oflag(oflag)}",
        f"c_cflag={_cflag(cflag)}",
        f"c_lflag={format_flags(lflag, TERM_LFLAGS).text}",
    ]
    if not options.verbose:
        return [*parts, "..."]
    slots = ", ".join(
        f"[{lookup(index, TERM_CC) or index}]={chex(value)}" for index, value in enumerate(cc)
    )
    return [
        *parts,
        f"c_line={format_enum(line, TERM_LINE_DISCS, 'N_???').text}",
        f"c_cc=[{slots}]",
    ]


def _termios(data: bytes, options: Options) -> str:
    parts = _settings(ints("4I", data), data[16], data[17 : 17 + _NCCS], options)
    return "{" + ", ".join(parts) + "}"


def _termios2(data: bytes, options: Options) -> str:
    parts = _settings(ints("4I", data), data[16], data[17 : 17 + _NCCS], options)
    if options.verbose:
        parts += [
            "c_ispeed={}".format(*ints("I", data, 36)),
            "c_ospeed={}".format(*ints("I", data, 40)),
        ]
    return "{" + ", ".join(parts) + "}"


def _termio(data: bytes, options: Options) -> str:
    parts = _settings(ints("4H", data), data[8], data[9 : 9 + _NCC], options)
    return "{" + ", ".join(parts) + "}"


_TERMIOS, _TERMIOS2, _TERMIO = fixed(36, _termios), fixed(44, _termios2), fixed(18, _termio)

REQUESTS: dict[str, Request] = {
    **dict.fromkeys(("TCGETS", "TIOCGLCKTRMIOS"), Request(exit=_TERMIOS)),
    **dict.fromkeys(("TCSETS", "TCSETSW", "TCSETSF", "TIOCSLCKTRMIOS"), Request(entry=_TERMIOS)),
    "TCGETS2": Request(exit=_TERMIOS2),
    **dict.fromkeys(("TCSETS2", "TCSETSW2", "TCSETSF2"), Request(entry=_TERMIOS2)),
    "TCGETA": Request(exit=_TERMIO),
    **dict.fromkeys(("TCSETA", "TCSETAW", "TCSETAF"), Request(entry=_TERMIO)),
}
