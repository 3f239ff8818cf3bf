"""What every decoder returns, the options it honours, and the memory it reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol

from traced.decoders.style import ABBREV, NONE, PLAIN, Style
from traced.errors import MemoryReadError

# A JSON-able typed value: names, numbers, lists of flag names, dicts for structs.
Json = str | int | float | bool | None | Sequence["Json"] | Mapping[str, "Json"]


class Memory(Protocol):
    """Tracee memory; both methods raise :data:`UNREADABLE` where the tracee has no
    mapping (MemoryReadError from process_vm_readv; OSError from test doubles)."""

    def read(self, address: int, size: int) -> bytes: ...

    def cstring(self, address: int, limit: int = ...) -> bytes: ...


class Options(NamedTuple):
    """strace's options that change how arguments are printed."""

    string_limit: int = 32  # -s
    verbose: bool = False  # -v: structures in full
    decorate_fds: bool = False  # -y: fds followed by the path they refer to
    raw: frozenset[str] = frozenset()  # -e raw=: syscalls printed as raw hex words
    fd_paths: bool = False  # -P: each fd argument's target noted (Arg.path), not printed
    xlat: str = ABBREV  # -X: constants by name, as numbers, or both (style.py)
    strings_hex: str = NONE  # -x, -xx, --strings-in-hex: which bytes print in hex
    nonverbose: frozenset[str] = frozenset()  # outside -e verbose=: structs as addresses
    dump_reads: frozenset[int] = frozenset()  # -e read=: fds whose reads are dumped in hex
    dump_writes: frozenset[int] = frozenset()  # -e write=: fds whose writes are so
    # -yy, -e decode-fds=SET: the kinds of fd described (path socket dev pidfd); empty
    # with decorate_fds: -y's paths alone
    fd_kinds: frozenset[str] = frozenset()
    # -Y, --decode-pids=comm: pids followed by their task's comm, ``1234<sh>``
    decorate_pids: bool = False
    # -P's paths: a call whose arguments touch none of them is dropped at its entry,
    # undecoded further and unstopped at its exit (strace's pathtrace_match)
    paths: tuple[str, ...] = ()
    kvm_vcpu: bool = False  # -e kvm=vcpu: KVM_RUN's result with the vcpu's exit reason

    @property
    def style(self) -> Style:
        """The printing style these options ask for (:data:`PLAIN` by default)."""
        if self.xlat == ABBREV and self.strings_hex == NONE:
            return PLAIN
        return Style(self.xlat, self.strings_hex)


class StructsHidden:
    """The memory of a syscall outside -e verbose=: strace prints its structures,
    arrays and integers in memory as their address (its tfetch_mem fails), its strings
    and buffers still (they are read otherwise): :func:`read` raises, strings pass.
    Buffers read through :func:`strings_memory`."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def read(self, address: int, size: int) -> bytes:
        raise OSError("-e verbose=: not read")

    def cstring(self, address: int, limit: int = 4096) -> bytes:
        return self.memory.cstring(address, limit)


def strings_memory(memory: Memory) -> Memory:
    """The memory strings and buffers are read from, -e verbose= or not."""
    return memory.memory if isinstance(memory, StructsHidden) else memory


# What reading tracee memory raises where it cannot: an outcome, not a failure.
UNREADABLE = (MemoryReadError, OSError)
DEFAULT_OPTIONS = Options()
NOT_PRINTED = ""  # an argument's text when strace leaves it out of the line


class DecodedValue(NamedTuple):
    """One decoded argument.

    ``text`` is exactly what strace prints for it, ``value`` the typed value for
    JSON and ``raw`` the raw integer (the register), where there is one.
    """

    text: str
    value: Json
    raw: int | None


def chex(number: int) -> str:
    """C's ``%#x``: ``0`` for zero, else ``0x...``."""
    return f"{number:#x}" if number else "0"


def octal(value: int) -> str:
    """C's ``%#03o``: ``0644``, ``000``, ``005``."""
    return f"0{value:o}".zfill(3)


def hex_address(address: int) -> str:
    """A pointer as strace prints it: NULL or 0x..."""
    return "NULL" if address == 0 else f"{address:#x}"


def as_signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def unreadable(raw: int) -> DecodedValue:
    """A pointer strace could not follow, printed as its address."""
    raw &= (1 << 64) - 1
    return DecodedValue(hex_address(raw), raw, raw)


def read_exact(memory: Memory, address: int, size: int) -> bytes | None:
    """Exactly ``size`` bytes at ``address``, or None when any of them is unreadable."""
    if address == 0 or size < 0:
        return None
    try:
        data = memory.read(address, size)
    except UNREADABLE:
        return None
    if not isinstance(data, bytes | bytearray) or len(data) < size:
        return None
    return bytes(data[:size])
