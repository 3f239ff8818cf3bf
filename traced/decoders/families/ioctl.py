"""ioctl's request: known numbers by name, any other as strace's ``_IOC(...)``.

A request number packs its direction (bits 30-31), size (16-29), type (8-15) and
number (0-7), as asm-generic/ioctl.h lays them out.
"""

from __future__ import annotations

from traced.decoders.kinds import Decoder, by_register
from traced.decoders.style import PLAIN, applied
from traced.decoders.values import DecodedValue, chex
from traced.decoders.xlat import Table, format_flags, lookup, number, styled

_TTY = """TCGETS TCSETS TCSETSW TCSETSF TCGETA TCSETA TCSETAW TCSETAF TCSBRK TCXONC TCFLSH
    TIOCEXCL TIOCNXCL TIOCSCTTY TIOCGPGRP TIOCSPGRP TIOCOUTQ TIOCSTI TIOCGWINSZ TIOCSWINSZ
    TIOCMGET TIOCMBIS TIOCMBIC TIOCMSET TIOCGSOFTCAR TIOCSSOFTCAR FIONREAD TIOCLINUX
    TIOCCONS TIOCGSERIAL TIOCSSERIAL TIOCPKT FIONBIO TIOCNOTTY TIOCSETD TIOCGETD TCSBRKP"""
FICLONE = 0x40049409
IOCTL: Table = (
    *((name, 0x5401 + n) for n, name in enumerate(_TTY.split())),
    ("TIOCSBRK", 0x5427), ("TIOCCBRK", 0x5428), ("TIOCGSID", 0x5429),
    ("TIOCGPTN", 0x80045430), ("TIOCSPTLCK", 0x40045431), ("TIOCGPTPEER", 0x5441),
    ("FIONCLEX", 0x5450), ("FIOCLEX", 0x5451), ("FIOASYNC", 0x5452), ("FIOQSIZE", 0x5460),
    ("FIBMAP", 0x1), ("FIGETBSZ", 0x2), ("FS_IOC_GETFLAGS", 0x80086601),
    ("FS_IOC_SETFLAGS", 0x40086602), ("FS_IOC_GETVERSION", 0x80087601),
    ("FS_IOC_FIEMAP", 0xC020660B), ("FICLONERANGE", 0x4020940D),
    ("BTRFS_IOC_CLONE or FICLONE", FICLONE),  # one number, two names: strace shows both
    ("FIDEDUPERANGE", 0xC0189436), ("FIFREEZE", 0xC0045877), ("FITHAW", 0xC0045878),
    ("BLKGETSIZE", 0x1260), ("BLKSSZGET", 0x1268), ("BLKGETSIZE64", 0x80081272),
)  # fmt: skip
IOC_DIR: Table = (("_IOC_NONE", 0), ("_IOC_READ", 2), ("_IOC_WRITE", 1))
# Requests whose argument is an fd, not an address: FICLONE's is the source file.
FD_ARGUMENT_IOCTLS = frozenset((FICLONE,))


def ioctl_request(raw: int) -> DecodedValue:
    """A known request by name, else ``_IOC(dir, type, nr, size)``."""
    code = raw & 0xFFFFFFFF
    name = lookup(code, IOCTL)
    if name is not None:
        return DecodedValue(styled(name, number(code)), name, raw)
    with applied(PLAIN):  # -X verbose: the whole _IOC() in the comment, named inside
        direction = format_flags(code >> 30, IOC_DIR, "_IOC_???").text
    fields = (code >> 8 & 0xFF, code & 0xFF, code >> 16 & 0x3FFF)
    text = f"_IOC({direction}, {', '.join(chex(field) for field in fields)})"
    return DecodedValue(styled(text, number(code)), text, raw)


DECODERS: dict[str, Decoder] = {"enum:ioctl": by_register(ioctl_request)}
# The names a filter's argument predicates may use, by type ("A or B": each alone).
CONSTANTS: dict[str, Table] = {
    "enum:ioctl": tuple((name, value) for both, value in IOCTL for name in both.split(" or ")),
}
