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
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.kinds import Decoder, by_pointer
from traced.decoders.pidnames import pid_text
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    DecodedValue,
    Memory,
    Options,
    chex,
    hex_address,
    read_exact,
)
from traced.decoders.xlat import Table, format_enum
from traced.decoders.xlat import named as named_value
from traced.syscalls.arch import syscall_name
from traced.syscalls.names import ERRNO_NAMES

SIGINFO_SIZE = 128
_HEAD = struct.Struct("<iii")  # si_signo, si_errno, si_code
_SOURCE = struct.Struct("<iI")  # at 16: si_pid, si_uid
_SIGVAL = struct.Struct("<iq")  # at 24: si_int, then si_ptr over the same 8 bytes
_SIGBUS, _SIGSEGV, _SIGCHLD, _SIGIO, _SIGSYS = 7, 11, 17, 29, 31
_SI_USER, _SI_TIMER, _SI_SIGIO, _SI_TKILL = 0, -2, -5, -6
_CLD_EXITED = 1
_USER_HZ = 100  # clock_t's ticks a second, whatever the kernel's HZ

# A code above 0 is named by its signal's table (asm-generic/siginfo.h).
_CODES_BY_SIGNAL: dict[int, Table] = {
    4: K.ILL_CODES, 5: K.TRAP_CODES, 7: K.BUS_CODES, 8: K.FPE_CODES, 11: K.SEGV_CODES,
    17: K.CLD_CODES, 29: K.POLL_CODES, 31: K.SYS_CODES,
}  # fmt: skip
_FAULTS = frozenset((4, 5, 7, 8, 11))  # the signals whose union is the faulting address
_CODES = {name: value for table in _CODES_BY_SIGNAL.values() for name, value in table}
_MCEERR = frozenset((_CODES["BUS_MCEERR_AR"], _CODES["BUS_MCEERR_AO"]))
_SEGV_BNDERR, _SEGV_PKUERR = _CODES["SEGV_BNDERR"], _CODES["SEGV_PKUERR"]
# The SIGIO codes whose union is the band and the fd (POLL_IN .. POLL_HUP).
_POLL_BANDS = frozenset(value for name, value in K.POLL_CODES)


def si_code(code: int, signo: int) -> str:
    """The code's name: a sender's (SI_USER ...) first, then its signal's own; in hex
    as an unsigned int, with no marker when none names it (strace's print_si_code)."""
    table = (*K.SI_CODES, *_CODES_BY_SIGNAL.get(signo, ()))
    name = next((name for name, value in table if value == code), None)
    number = code & 0xFFFFFFFF
    return chex(number) if name is None else named_value(number, name)


def _si_errno(errno: int) -> str:
    """By name (in the -X style); a number the kernel never returns, unsigned."""
    name = ERRNO_NAMES.get(errno)
    return str(errno & 0xFFFFFFFF) if name is None else named_value(errno, name, decimal=True)


def _source(data: bytes) -> list[str]:
    pid, uid = _SOURCE.unpack_from(data, 16)
    return [f"si_pid={pid_text(pid)}", f"si_uid={-1 if uid == 0xFFFFFFFF else uid}"]


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
        return _band(data)
    return _source(data) + (_sigval(data) if _word(data, 24) else [])


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
        return [f"si_addr={hex_address(_word(data, 16))}", *_fault_detail(signo, code, data)]
    if signo == _SIGIO:
        return _band(data) if code in _POLL_BANDS else []
    if signo == _SIGSYS:
        call, nr, arch = struct.unpack_from("<QiI", data, 16)
        name = syscall_name(arch, nr) if nr >= 0 else None
        number = str(nr & 0xFFFFFFFF)
        syscall = number if name is None else named_value(nr, f"__NR_{name}", decimal=True)
        shown = format_enum(arch, K.AUDIT_ARCHES, "AUDIT_ARCH_???").text
        return [f"si_call_addr={hex_address(call)}", f"si_syscall={syscall}", f"si_arch={shown}"]
    pid, uid = _SOURCE.unpack_from(data, 16)
    return (_source(data) if pid or uid else []) + (_sigval(data) if _word(data, 24) else [])


def _word(data: bytes, offset: int) -> int:
    return int(struct.unpack_from("<Q", data, offset)[0])


def _band(data: bytes) -> list[str]:
    band, fd = struct.unpack_from("<qi", data, 16)
    return [f"si_band={band}", f"si_fd={fd_in_memory(fd)}"]  # -y names the fd


def _fault_detail(signo: int, code: int, data: bytes) -> list[str]:
    """What follows si_addr for a few codes: a machine check's address bits
    (BUS_MCEERR_*), a bounds violation's bounds (SEGV_BNDERR), a protection key."""
    if signo == _SIGBUS and code in _MCEERR:
        return [f"si_addr_lsb={chex(struct.unpack_from('<H', data, 24)[0])}"]
    if signo == _SIGSEGV and code == _SEGV_BNDERR:
        return [
            f"si_lower={hex_address(_word(data, 32))}",
            f"si_upper={hex_address(_word(data, 40))}",
        ]
    if signo == _SIGSEGV and code == _SEGV_PKUERR:
        return [f"si_pkey={struct.unpack_from('<I', data, 32)[0]}"]
    return []


def siginfo_text(data: bytes) -> str:
    """``{si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=42, si_uid=0, si_int=1, si_ptr=0x1}``."""
    signo, errno, code = _HEAD.unpack_from(data)
    if not signo:
        return "{}"
    fields = [f"si_signo={signal(signo).text}", f"si_code={si_code(code, signo)}"]
    if errno:
        fields.append(f"si_errno={_si_errno(errno)}")
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
