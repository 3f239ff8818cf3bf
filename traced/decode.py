"""Argument decoders: pure functions from raw syscall words plus tracee memory to values.

Pure with respect to the kernel: memory arrives through the :class:`Memory`
protocol, which the reactor backs with process_vm_readv and tests back with
bytes they construct.  A decoder never raises, whatever the memory holds: an
unreadable pointer stays the raw integer, as strace prints an address.

For now arguments are integers, sign-corrected by their declared type, paths
are strings, and fd pairs (pipe, socketpair) are read back at the exit stop;
full decoding (flags, structs, -y) builds on this module.  Inputs are decoded
at entry, outputs at exit (:func:`decode_outputs`), after the kernel wrote them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from traced.decoders import structs
from traced.events import ArgValue
from traced.syscalls.signatures import SIGNATURES, signature

PATH_MAX = 4096
_SIGNED_32 = frozenset(("int", "fd", "dirfd", "pid", "signal"))
_SIGNED_64 = frozenset(("long", "ssize", "off"))


class Memory(Protocol):
    def cstring(self, address: int, limit: int = ...) -> bytes: ...

    def read(self, address: int, size: int) -> bytes: ...


def as_signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def decode_int(type_tag: str, value: int) -> int:
    if type_tag in _SIGNED_32:
        return as_signed(value, 32)
    if type_tag in _SIGNED_64:
        return as_signed(value, 64)
    return value


def decode_path(memory: Memory, address: int) -> ArgValue:
    """The path at ``address`` as text, or the address itself when it cannot be read."""
    if address == 0:
        return 0
    try:
        raw = memory.cstring(address, PATH_MAX)
    except OSError:
        return address
    return raw.decode("utf-8", "backslashreplace")


MAX_ARGV = 4096  # strings read from one argv array at most
# Buffers are read as far as strace shows them (-s 32) plus one byte, so that the
# printer knows to add "..."; the JSON value is those bytes as a latin-1 string
# (one character per byte, so nothing is lost to decoding).
BUFFER_PEEK = 33
# Syscalls whose buffer length is the count argument at entry (buf_in) or the
# return value at exit (buf_out).  Others keep the address for now.
_BUFFER_SYSCALLS = frozenset(("read", "write", "pread64", "pwrite64"))


def decode_buffer(memory: Memory, address: int, length: int) -> ArgValue:
    """The first bytes of a buffer, or its address when it cannot be read."""
    if address == 0:
        return 0
    try:
        data = memory.read(address, max(0, min(length, BUFFER_PEEK)))
    except OSError:
        return address
    return data.decode("latin-1")


def decode_argv(memory: Memory, address: int) -> ArgValue:
    """execve's argv as a list of strings, or the address when it cannot be read."""
    if address == 0:
        return 0
    strings: list[str] = []
    try:
        for index in range(MAX_ARGV):
            word = memory.read(address + 8 * index, 8)
            if len(word) < 8:
                return address
            pointer = int.from_bytes(word, "little")
            if pointer == 0:
                break
            strings.append(memory.cstring(pointer, PATH_MAX).decode("utf-8", "backslashreplace"))
    except OSError:
        return address
    return strings


def decode_args(name: str, raw: Sequence[int], memory: Memory) -> tuple[ArgValue, ...]:
    """The syscall's own arguments (as many as its signature has), decoded."""
    values: list[ArgValue] = []
    for arg, value in zip(signature(name).args, raw, strict=False):
        if arg.type in ("path", "str"):
            values.append(decode_path(memory, value))
        elif arg.type == "strv" and arg.name == "argv":
            values.append(decode_argv(memory, value))
        elif arg.type == "buf_in" and name in _BUFFER_SYSCALLS:
            values.append(decode_buffer(memory, value, raw[2]))
        else:
            values.append(decode_int(arg.type, value))
    return tuple(values)


def decode_fd_pair(memory: Memory, address: int) -> ArgValue:
    """``int[2]`` that pipe/pipe2/socketpair filled in, or the address if unreadable."""
    try:
        data = memory.read(address, 8)
    except OSError:
        return address
    if len(data) < 8:
        return address
    return [
        as_signed(int.from_bytes(data[:4], "little"), 32),
        as_signed(int.from_bytes(data[4:], "little"), 32),
    ]


def decode_stat(memory: Memory, address: int) -> ArgValue:
    """struct stat's fields by name (without the st_ prefix), or the address."""
    decoded = structs.decode_stat(address, memory)
    return decoded.value if isinstance(decoded.value, dict) else address


# Output decoders by argument type: what the kernel wrote, read at the exit stop.
_OUTPUT_DECODERS = {"pipefd": decode_fd_pair, "stat_out": decode_stat}


# Known once, so an exit stop asks a set rather than walking a signature.
_WITH_OUTPUTS = _BUFFER_SYSCALLS | frozenset(
    name
    for name, sig in SIGNATURES.items()
    if any(arg.type in _OUTPUT_DECODERS for arg in sig.args)
)


def has_outputs(name: str) -> bool:
    """Whether the syscall returns something through memory that we decode at exit."""
    return name in _WITH_OUTPUTS


def decode_outputs(
    name: str, raw: Sequence[int], memory: Memory, retval: int = 0
) -> tuple[tuple[int, ArgValue], ...]:
    """After a successful syscall: the arguments it returned through memory."""
    if name in _BUFFER_SYSCALLS and signature(name).args[1].type == "buf_out":
        return ((1, decode_buffer(memory, raw[1], retval)),)
    outputs = []
    for index, (arg, value) in enumerate(zip(signature(name).args, raw, strict=False)):
        decoder = _OUTPUT_DECODERS.get(arg.type)
        if decoder is not None:
            outputs.append((index, decoder(memory, value)))
    return tuple(outputs)
