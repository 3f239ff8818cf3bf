"""seccomp's user notification requests (linux/seccomp.h), in strace 6.1's words: pure.

Kernel facts: SECCOMP_IOCTL_NOTIF_RECV fills a struct seccomp_notif (80 bytes: u64
id, u32 pid, u32 flags, then struct seccomp_data: int nr, u32 arch, u64
instruction_pointer, u64 args[6]); the caller must zero it first.  strace prints
a struct that is not all zero at entry too (and `` => `` what the kernel wrote,
or after a failure the address); the syscall's number by its name in the ABI
``arch`` names.  SECCOMP_IOCTL_NOTIF_ID_VALID was first published (5.0) with the
wrong direction, _IOR; strace names that number too, as
SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR.
"""

from __future__ import annotations

from traced.decoders import _constants as K
from traced.decoders._ioctls import IOCTLS
from traced.decoders.families.ioctl_kit import Request, fields, fixed, ints
from traced.decoders.pidnames import pid_text
from traced.decoders.values import Memory, Options, chex, hex_address, read_exact
from traced.decoders.xlat import format_enum, styled
from traced.syscalls.arch import syscall_name

_SIZE = 80
_ID_VALID = dict(IOCTLS)["SECCOMP_IOCTL_NOTIF_ID_VALID"]
_DIRECTION, _READ = 3 << 30, 2 << 30
# Request numbers strace names though no header defines them, by number.
NAMES: dict[int, str] = {
    _ID_VALID & ~_DIRECTION | _READ: "SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR",
}


def _notif(data: bytes, options: Options) -> str:
    notif, pid, flags, nr, arch, pointer = ints("QIIiIQ", data)
    name = syscall_name(arch, nr & 0xFFFFFFFF)
    args = ", ".join(chex(value) for value in ints("6Q", data, 32))
    call = fields(
        f"nr={styled(f'__NR_{name}', str(nr)) if name else nr & 0xFFFFFFFF}",
        f"arch={format_enum(arch, K.AUDIT_ARCHES, 'AUDIT_ARCH_???').text}",
        f"instruction_pointer={hex_address(pointer)}",
        f"args=[{args}]",
    )
    return f"{{id={chex(notif)}, pid={pid_text(pid)}, flags={chex(flags)}, data={call}}}"


def _unless_zero(address: int, memory: Memory, options: Options) -> str | None:
    """The struct at entry, unless it is all zero (as the kernel wants it)."""
    data = read_exact(memory, address, _SIZE)
    return None if data is None or not any(data) else _notif(data, options)


REQUESTS: dict[str, Request] = {
    "SECCOMP_IOCTL_NOTIF_RECV": Request(
        _unless_zero, fixed(_SIZE, _notif), failed=True, exit_alone=True
    ),
}
