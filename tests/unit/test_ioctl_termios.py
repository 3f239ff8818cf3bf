"""The terminal's settings (families/ioctl_termios.py): strace 6.1's text out, from its
runs of strace's ioctl_termios tests."""

import struct

from tests.unit.ioctl_cases import argument
from traced.decoders.values import Options

TCSETS2, TCGETS, TCSETA = 0x402C542B, 0x5401, 0x5406
IFLAG, OFLAG = 0x180 | 0x8000, 0x100 | 0x400 | 0x8000 | 0x4 | 0x80
CFLAG = 0x8 | 0xA0000 | 0x80 | 0x100 | 0x800 | 0x80000000  # B600, B1800 << IBSHIFT, CS5 ...
LFLAG = 0x4 | 0x8 | 0x80 | 0x8000 | 0x400 | 0x800 | 0x100
FLAGS = (IFLAG, OFLAG, CFLAG, LFLAG)


def test_termios2_abbreviated_and_in_full_with_v() -> None:
    data = struct.pack("<4IB19B2I", *FLAGS, 0x90, *range(0x91, 0x91 + 19), 1, 2)
    head = (
        "{c_iflag=IGNCR|ICRNL|0x8000, c_oflag=NL1|CR2|TAB0|BS0|VT0|FF1|ONLCR|OFDEL, "
        "c_cflag=B600|B1800<<IBSHIFT|CS5|CREAD|PARENB|CLOCAL|CRTSCTS, "
        "c_lflag=XCASE|ECHO|NOFLSH|IEXTEN|ECHOPRT|ECHOKE|TOSTOP"
    )
    assert argument(TCSETS2, data) == f"{head}, ...}}"
    verbose = argument(TCSETS2, data, options=Options(verbose=True))
    assert verbose.startswith(
        f"{head}, c_line=0x90 /* N_??? */, c_cc=[[VINTR]=0x91, [VQUIT]=0x92, "
    )
    assert verbose.endswith("[VEOL2]=0xa1, [17]=0xa2, [18]=0xa3], c_ispeed=1, c_ospeed=2}")


def test_termios_at_exit_and_termio() -> None:
    data = struct.pack("<4IB19B", 0, 0x1800, 0x30, 0, 5, *bytes(19))
    assert argument(TCGETS, data) == "0x7ffc07e58bd0"
    assert argument(TCGETS, data, data) == (
        "{c_iflag=0, c_oflag=NL0|CR0|XTABS|BS0|VT0|FF0|0, c_cflag=B0|CS8|0, c_lflag=0, ...}"
    )
    termio = struct.pack("<4HB8Bx", 0, 0, 0, 0, 5, *bytes(8))
    assert argument(TCSETA, termio, options=Options(verbose=True)).endswith(
        "c_line=N_AX25, c_cc=[[VINTR]=0, [VQUIT]=0, [VERASE]=0, [VKILL]=0, [VEOF]=0, [VTIME]=0, "
        "[VMIN]=0, [VSWTC]=0]}"
    )
