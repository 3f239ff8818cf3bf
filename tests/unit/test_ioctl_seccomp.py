"""seccomp's notification requests (families/ioctl_seccomp.py), and what strace prints
of an ioctl after a failure: strace 6.1's text out, from its runs of strace's
ioctl_seccomp tests."""

import struct

from tests.unit.ioctl_cases import ADDRESS, argument
from traced.decoders.families.ioctl import ioctl_request
from traced.decoders.style import RAW, VERBOSE
from traced.decoders.values import Options

RECV, ID_VALID_WRONG_DIR, LINEINFO = 0xC0502100, 0x80082102, 0xC048B402
ARGS = (0xDEADFACEBADC0DED, 0xDEADFACEBADC0DEC, 0xDEADFACEBADC0DEF, 0xDEADFACEBADC0DEE,
        0xDEADFACEBADC0DE9, 0xDEADFACEBADC0DE8)  # fmt: skip
NOTIF = struct.pack("<QIIiIQ6Q", 0, 27004, 0, 186, 0xC000003E, 0, *ARGS)
TEXT = (
    "{id=0, pid=27004, flags=0, data={nr=__NR_gettid, arch=AUDIT_ARCH_X86_64, "
    "instruction_pointer=NULL, args=[0xdeadfacebadc0ded, 0xdeadfacebadc0dec, 0xdeadfacebadc0def, "
    "0xdeadfacebadc0dee, 0xdeadfacebadc0de9, 0xdeadfacebadc0de8]}}"
)


def test_notif_recv_entry_unless_zero_then_exit_or_the_address_after_a_failure() -> None:
    assert argument(RECV, NOTIF) == TEXT
    assert argument(RECV, NOTIF, NOTIF) == f"{TEXT} => {TEXT}"
    assert argument(RECV, NOTIF, failed=True) == f"{TEXT} => {ADDRESS:#x}"
    zero = bytes(80)
    assert argument(RECV, zero) == hex(ADDRESS)
    assert argument(RECV, zero, failed=True) == hex(ADDRESS)
    assert argument(RECV, zero, NOTIF) == TEXT
    # A request strace does not finish after a failure.
    assert argument(LINEINFO, bytes(72), failed=True) == "{line_offset=0}"


def test_syscall_number_by_style_and_the_wrong_direction_request() -> None:
    assert "data={nr=186, arch=0xc000003e, " in argument(RECV, NOTIF, options=Options(xlat=RAW))
    verbose = argument(RECV, NOTIF, options=Options(xlat=VERBOSE))
    assert "data={nr=186 /* __NR_gettid */, arch=0xc000003e /* AUDIT_ARCH_X86_64 */, " in verbose
    assert ioctl_request(ID_VALID_WRONG_DIR).text == "SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR"
    value = struct.pack("<Q", 0xDECAFFEDFACEFEED)
    assert argument(ID_VALID_WRONG_DIR, value) == "[0xdecaffedfacefeed]"
