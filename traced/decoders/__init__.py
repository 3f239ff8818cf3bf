"""Pure argument decoders: raw register values plus tracee memory in, :class:`Decoded` out.

No decoder raises, whatever the memory holds: an unreadable pointer prints as its
address, as strace does.  :func:`decode` dispatches the self-contained type tags of
:mod:`traced.syscalls.signatures`; buffers, sockaddrs and socket protocols need a
second argument (length, domain) and are called directly.
"""

from __future__ import annotations

from collections.abc import Callable

from traced.decoders import flags, special, structs
from traced.decoders.sockaddr import decode_sockaddr
from traced.decoders.strings import decode_buffer, decode_cstring, decode_path
from traced.decoders.values import DEFAULT_OPTIONS, Decoded, Memory, Options, unreadable

__all__ = [
    "VALUE_TAGS", "Decoded", "Memory", "Options", "decode", "decode_buffer", "decode_cstring",
    "decode_path", "decode_sockaddr", "decode_value", "decoder_for",
]  # fmt: skip

_Full = Callable[[int, Memory, Options], Decoded]
_POINTERS: dict[str, _Full] = {
    "path": decode_path, "str": decode_cstring, "timespec": structs.decode_timespec,
    "stat_out": structs.decode_stat, "statx_out": structs.decode_statx,
    "rlimit": structs.decode_rlimit, "pipefd": structs.decode_fd_pair,
}  # fmt: skip
_VALUES: dict[str, Callable[[int], Decoded]] = {
    "dirfd": flags.dirfd, "signal": flags.signal, "flags:open": flags.open_flags,
    "flags:pipe": flags.pipe_flags,
    "flags:at": flags.at_flags, "flags:mmap_prot": flags.mmap_prot,
    "flags:mmap": flags.mmap_flags, "flags:clone": flags.clone_flags,
    "flags:wait": flags.wait_options, "flags:access": flags.access_mode,
    "flags:statx_mask": flags.statx_mask, "enum:fcntl_cmd": flags.fcntl_cmd,
    "enum:socket_domain": flags.socket_domain, "enum:socket_type": flags.socket_type,
    "enum:ioctl": flags.ioctl_request, "enum:rlimit": flags.rlimit_resource,
    "enum:whence": flags.whence, "flags:statx": flags.statx_flags,
    "enum:arch_prctl": flags.arch_prctl_code,
    "enum:fadvise": special.fadvise, "flags:faccessat": special.faccessat_flags,
    "flags:getrandom": special.getrandom_flags, "enum:futex_op": special.futex_op,
}  # fmt: skip


VALUE_TAGS = frozenset(_VALUES)  # the tags decoded from the register alone


def _ignoring_memory(decoder: Callable[[int], Decoded]) -> _Full:
    return lambda raw, memory, options: decoder(raw)


_ANY: dict[str, _Full] = _POINTERS | {tag: _ignoring_memory(f) for tag, f in _VALUES.items()}


def decoder_for(tag: str, name: str = "") -> _Full | None:
    """The decoder of type ``tag`` as it is, raising on what it cannot read.

    ``name`` is the argument's name: ``strv`` is an argv unless it is ``envp``.
    """
    if tag == "strv":
        return structs.decode_envp if name == "envp" else structs.decode_argv
    return _ANY.get(tag)


def decode_value(tag: str, raw: int) -> Decoded | None:
    """An argument that needs no memory (flags, enums, fds, signals), or None."""
    decoder = _VALUES.get(tag)
    if decoder is None:
        return None
    try:
        return decoder(raw)
    except Exception:
        return None


def decode(
    tag: str, raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS, name: str = ""
) -> Decoded | None:
    """The argument of type ``tag`` decoded (:func:`decoder_for`), or None when no
    decoder here covers it; what defeats the decoder shows as the address."""
    decoder = decoder_for(tag, name)
    if decoder is None:
        return None
    try:
        return decoder(raw, memory, options)
    except Exception:
        return unreadable(raw)
