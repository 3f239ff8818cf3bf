"""Flags and enums as strace prints them (``A|B|0x...``, ``NAME`` or ``0x.. /* X_??? */``).

Every function takes the raw register value and returns a :class:`Decoded`; the value
for JSON is the list of names (flags) or the name (enums), unknown bits as hex.
"""

from __future__ import annotations

from traced.decoders import tables as t
from traced.decoders.values import Decoded, as_signed

AT_FDCWD = -100
_MAP_TYPE = 0xF
_MAP_HUGE_SHIFT = 26
_MAP_HUGE_MASK = 0x3F
_CSIGNAL = 0xFF
_SOCK_TYPE_MASK = 0xF
_AF_INET, _AF_INET6, _AF_NETLINK = 2, 10, 16


def flag_names(value: int, table: t.Table) -> tuple[list[str], int]:
    """The names of the set bits, in table order, and the bits left unnamed."""
    names: list[str] = []
    for name, bits in table:
        if bits and value & bits == bits:
            names.append(name)
            value &= ~bits
    return names, value


def format_flags(value: int, table: t.Table, unknown: str = "") -> Decoded:
    """strace's printflags: zero by name (or ``0``), names then leftover as ``|0x..``."""
    value &= (1 << 64) - 1
    if value == 0:
        zero = next((name for name, bits in table if bits == 0), "0")
        return Decoded(zero, [zero] if zero != "0" else [], value)
    names, rest = flag_names(value, table)
    if not names:
        text = f"{rest:#x}" + (f" /* {unknown} */" if unknown else "")
        return Decoded(text, [f"{rest:#x}"], value)
    if rest:
        names.append(f"{rest:#x}")
    return Decoded("|".join(names), names, value)


def lookup(value: int, table: t.Table) -> str | None:
    return next((name for name, number in table if number == value), None)


def format_enum(value: int, table: t.Table, unknown: str, decimal: bool = False) -> Decoded:
    """strace's printxval: the constant's name, else ``0x.. /* X_??? */`` (or decimal)."""
    name = lookup(value, table)
    if name is not None:
        return Decoded(name, name, value)
    if decimal:
        return Decoded(str(value), value, value)
    return Decoded(f"{value:#x} /* {unknown} */", value, value)


def _joined(parts: list[str], raw: int) -> Decoded:
    return Decoded("|".join(parts), parts, raw)


def open_flags(raw: int) -> Decoded:
    """``O_WRONLY|O_CREAT|O_TRUNC``: the access mode always, then the other flags."""
    value = raw & 0xFFFFFFFF
    mode = lookup(value & 3, t.OPEN_ACCMODE) or "O_RDONLY"
    names, rest = flag_names(value & ~3, t.OPEN)
    return _joined([mode, *names] + ([f"{rest:#x}"] if rest else []), raw)


def pipe_flags(raw: int) -> Decoded:
    """pipe2's and dup3's ``O_CLOEXEC``: open flags without an access mode."""
    return format_flags(raw & 0xFFFFFFFF, t.OPEN)


def at_flags(raw: int) -> Decoded:
    return format_flags(raw & 0xFFFFFFFF, t.AT)


def statx_flags(raw: int) -> Decoded:
    """statx's flags: the sync type (named even when 0), then the AT_* flags."""
    value = raw & 0xFFFFFFFF
    parts = [] if value & 0x6000 else ["AT_STATX_SYNC_AS_STAT"]
    names, rest = flag_names(value, t.STATX_SYNC + t.AT)
    return _joined(parts + names + ([f"{rest:#x}"] if rest else []), raw)


def dirfd(raw: int) -> Decoded:
    value = as_signed(raw, 32)
    return Decoded("AT_FDCWD" if value == AT_FDCWD else str(value), value, raw)


def mmap_prot(raw: int) -> Decoded:
    return format_flags(raw & 0xFFFFFFFF, (("PROT_NONE", 0), *t.MMAP_PROT), "PROT_???")


def mmap_flags(raw: int) -> Decoded:
    """``MAP_PRIVATE|MAP_ANONYMOUS``: the map type, flags, then ``N<<MAP_HUGE_SHIFT``."""
    value = raw & 0xFFFFFFFF
    huge = (value >> _MAP_HUGE_SHIFT) & _MAP_HUGE_MASK
    value &= ~(_MAP_HUGE_MASK << _MAP_HUGE_SHIFT)
    kind = format_enum(value & _MAP_TYPE, t.MMAP_TYPE, "MAP_???")
    names, rest = flag_names(value & ~_MAP_TYPE, t.MMAP)
    parts = [kind.text, *names] + ([f"{rest:#x}"] if rest else [])
    if huge:
        parts.append(f"{huge}<<MAP_HUGE_SHIFT")
    return _joined(parts, raw)


def clone_flags(raw: int) -> Decoded:
    """``CLONE_VM|...|SIGCHLD``: the flags, unknown bits, then the exit signal."""
    value = raw & ((1 << 64) - 1)
    names, rest = flag_names(value & ~_CSIGNAL, t.CLONE)
    parts = names + ([f"{rest:#x}"] if rest else [])
    sig = value & _CSIGNAL
    if sig:
        name = lookup(sig, t.SIGNALS)
        if name is None and not parts:
            return Decoded(str(value), [str(value)], raw)
        parts.append(name or f"{sig:#x}")
    return _joined(parts, raw) if parts else Decoded("0", [], raw)


def wait_options(raw: int) -> Decoded:
    return format_flags(raw & 0xFFFFFFFF, t.WAIT, "W???")


def access_mode(raw: int) -> Decoded:
    return format_flags(raw & 0xFFFFFFFF, t.ACCESS, "?_OK")


def statx_mask(raw: int) -> Decoded:
    return format_flags(raw & 0xFFFFFFFF, t.STATX_MASK, "STATX_???")


def fcntl_cmd(raw: int) -> Decoded:
    return format_enum(raw & 0xFFFFFFFF, t.FCNTL_CMD, "F_???")


def socket_domain(raw: int) -> Decoded:
    return format_enum(raw & 0xFFFFFFFF, t.SOCKET_DOMAIN, "AF_???")


def socket_type(raw: int) -> Decoded:
    """``SOCK_STREAM|SOCK_CLOEXEC``: the type by name, then its flags."""
    value = raw & 0xFFFFFFFF
    kind = lookup(value & _SOCK_TYPE_MASK, t.SOCK_TYPE)
    if kind is None:
        return format_flags(value, t.SOCK_FLAGS, "SOCK_???")
    names, rest = flag_names(value & ~_SOCK_TYPE_MASK, t.SOCK_FLAGS)
    return _joined([kind, *names] + ([f"{rest:#x}"] if rest else []), raw)


def socket_protocol(raw: int, domain: int) -> Decoded:
    """The protocol in terms of the domain: IPPROTO_*, NETLINK_*, else the number."""
    value = as_signed(raw, 32)
    if domain in (_AF_INET, _AF_INET6):
        return format_enum(value & 0xFFFFFFFF, t.IPPROTO, "IPPROTO_???")
    if domain == _AF_NETLINK:
        return format_enum(value & 0xFFFFFFFF, t.NETLINK, "NETLINK_???")
    return Decoded(str(value), value, raw)


def signal_name(number: int) -> str | None:
    return lookup(number, t.SIGNALS)


def signal(raw: int) -> Decoded:
    """``SIGTERM``, ``SIGRT_3``; 0 and unknown numbers in decimal."""
    value = as_signed(raw, 32)
    name = signal_name(value)
    return Decoded(name, name, raw) if name else Decoded(str(value), value, raw)


def rlimit_resource(raw: int) -> Decoded:
    return format_enum(raw & 0xFFFFFFFF, t.RLIMIT, "RLIMIT_???")


def ioctl_request(raw: int) -> Decoded:
    """A known request by name, else ``_IOC(dir, type, nr, size)``."""
    code = raw & 0xFFFFFFFF
    name = lookup(code, t.IOCTL)
    if name is not None:
        return Decoded(name, name, raw)
    direction = format_flags(code >> 30, t.IOC_DIR, "_IOC_???").text
    text = f"_IOC({direction}, {(code >> 8) & 0xFF:#x}, {code & 0xFF:#x}, {code >> 16 & 0x3FFF:#x})"
    return Decoded(text, text, raw)


_WHENCE = {0: "SEEK_SET", 1: "SEEK_CUR", 2: "SEEK_END", 3: "SEEK_DATA", 4: "SEEK_HOLE"}


def whence(raw: int) -> Decoded:
    """lseek's whence: SEEK_SET, SEEK_CUR, ... or the number."""
    name = _WHENCE.get(raw)
    return Decoded(name or str(raw), name or raw, raw)


_ARCH_PRCTL = {
    0x1001: "ARCH_SET_GS",
    0x1002: "ARCH_SET_FS",
    0x1003: "ARCH_GET_FS",
    0x1004: "ARCH_GET_GS",
    0x1011: "ARCH_GET_CPUID",
    0x1012: "ARCH_SET_CPUID",
    0x3001: "ARCH_CET_STATUS",
    0x4001: "ARCH_GET_XCOMP_SUPP",
    0x4002: "ARCH_GET_XCOMP_PERM",
    0x4003: "ARCH_REQ_XCOMP_PERM",
}


def arch_prctl_code(raw: int) -> Decoded:
    """arch_prctl's code (x86_64): ARCH_SET_FS, ... or the number in hex."""
    name = _ARCH_PRCTL.get(raw)
    return Decoded(name or hex(raw), name or raw, raw)
