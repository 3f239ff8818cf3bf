"""siginfo_t as a syscall argument (rt_sigqueueinfo's, rt_sigtimedwait's, waitid's):
the fields strace prints for its signal and its code.

Kernel facts (x86_64, asm-generic/siginfo.h): a siginfo is 128 bytes; ``si_signo``,
``si_errno``, ``si_code`` are ints at 0, 4, 8, and the union after them starts at
16.  What the union holds depends on who sent the signal: a code at or below 0
(SI_FROMUSER) means a process did, and the union is its pid and uid, then a sigval
(SI_QUEUE), or a timer's id, overrun and sigval (SI_TIMER), or SIGIO's band and fd;
a code above 0 is the kernel's own, read by signal: a child's pid, uid, status and
times (SIGCHLD), or the faulting address (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP).
A siginfo whose si_signo is 0 is empty (waitid with WNOHANG and no child): ``{}``.
"""

from __future__ import annotations

import struct

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.families.signals import signal
from traced.decoders.kinds import Decoder, by_pointer
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    DecodedValue,
    Memory,
    Options,
    hex_address,
    read_exact,
)
from traced.decoders.xlat import Table, format_enum
from traced.syscalls.names import ERRNO_NAMES

SIGINFO_SIZE = 128
_HEAD = struct.Struct("<iii")  # si_signo, si_errno, si_code
_SOURCE = struct.Struct("<iI")  # at 16: si_pid, si_uid
_SIGVAL = struct.Struct("<iq")  # at 24: si_int, then si_ptr over the same 8 bytes
_SIGCHLD, _SIGIO = 17, 29
_SI_USER, _SI_TIMER, _SI_SIGIO, _SI_TKILL = 0, -2, -5, -6
_CLD_EXITED = 1
_USER_HZ = 100  # clock_t's ticks a second, whatever the kernel's HZ

# A code above 0 is named by its signal's table (asm-generic/siginfo.h).
_CODES_BY_SIGNAL: dict[int, Table] = {
    4: K.ILL_CODES, 5: K.TRAP_CODES, 7: K.BUS_CODES, 8: K.FPE_CODES, 11: K.SEGV_CODES,
    17: K.CLD_CODES, 29: K.POLL_CODES, 31: K.SYS_CODES,
}  # fmt: skip
_FAULTS = frozenset((4, 5, 7, 8, 11))  # the signals whose union is the faulting address


def si_code(code: int, signo: int) -> str:
    """The code's name: a sender's (SI_USER ...) first, then its signal's own."""
    return format_enum(code, (*K.SI_CODES, *_CODES_BY_SIGNAL.get(signo, ())), "", decimal=True).text


def _source(data: bytes) -> list[str]:
    pid, uid = _SOURCE.unpack_from(data, 16)
    return [f"si_pid={pid}", f"si_uid={-1 if uid == 0xFFFFFFFF else uid}"]


def _sigval(data: bytes) -> list[str]:
    number, pointer = _SIGVAL.unpack_from(data, 24)[0], struct.unpack_from("<Q", data, 24)[0]
    return [f"si_int={number}", f"si_ptr={hex_address(pointer)}"]


def _from_a_process(code: int, data: bytes) -> list[str]:
    if code in (_SI_USER, _SI_TKILL):
        return _source(data)
    if code == _SI_TIMER:
        timer, overrun = struct.unpack_from("<Ii", data, 16)
        return [f"si_timerid={timer:#x}", f"si_overrun={overrun}", *_sigval(data)]
    if code == _SI_SIGIO:
        band, fd = struct.unpack_from("<qi", data, 16)
        return [f"si_band={band}", f"si_fd={fd}"]
    pointer = struct.unpack_from("<Q", data, 24)[0]
    return _source(data) + (_sigval(data) if pointer else [])


def clock_ticks(ticks: int) -> str:
    """A clock_t: ``9 /* 0.09 s */`` at the kernel's USER_HZ of 100, as strace notes it."""
    if not ticks:
        return "0"
    return f"{ticks} /* {ticks // _USER_HZ}.{ticks % _USER_HZ:02d} s */"


def _from_the_kernel(signo: int, code: int, data: bytes) -> list[str]:
    if signo == _SIGCHLD:
        status, utime, stime = struct.unpack_from("<i4xqq", data, 24)
        shown = str(status) if code == _CLD_EXITED else signal(status).text
        times = [f"si_utime={clock_ticks(utime)}", f"si_stime={clock_ticks(stime)}"]
        return [*_source(data), f"si_status={shown}", *times]
    if signo in _FAULTS:
        return [f"si_addr={hex_address(struct.unpack_from('<Q', data, 16)[0])}"]
    return []


def siginfo_text(data: bytes) -> str:
    """``{si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=42, si_uid=0, si_int=1, si_ptr=0x1}``."""
    signo, errno, code = _HEAD.unpack_from(data)
    if not signo:
        return "{}"
    fields = [f"si_signo={signal(signo).text}", f"si_code={si_code(code, signo)}"]
    if errno:  # by name; a number the kernel never returns, unsigned, as strace does
        name = ERRNO_NAMES.get(errno)
        fields.append(f"si_errno={name or errno & 0xFFFFFFFF}")
    if code <= 0:
        fields += _from_a_process(code, data)
    else:
        fields += _from_the_kernel(signo, code, data)
    return "{" + ", ".join(fields) + "}"


def decode_siginfo(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    if raw == 0:
        return DecodedValue("NULL", None, raw)
    data = read_exact(memory, raw, SIGINFO_SIZE)
    if data is None:
        return DecodedValue(hex_address(raw), raw, raw)
    return DecodedValue(siginfo_text(data), data[:16].hex(), raw)


# rt_sigqueueinfo's is an input; rt_sigtimedwait's and waitid's outputs (arguments.py).
DECODERS: dict[str, Decoder] = {
    "siginfo": by_pointer(decode_siginfo, output=True),
    "enum:idtype": named.enum(K.IDTYPE, "P_???"),  # waitid's: whose siginfo it is
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {"enum:idtype": K.IDTYPE}
