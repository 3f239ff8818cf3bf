"""Waiting on fds: poll's and ppoll's pollfd arrays, select's fd sets, pselect6's
sigmask pack, epoll's events; and the results strace words for them
(``0 (Timeout)``, ``1 ([{fd=3, revents=POLLIN}])``, ``1 (in [3], left {...})``).

Kernel facts (x86_64):

* struct pollfd is ``{int fd; short events; short revents}`` (8 bytes); a negative
  fd is skipped by the kernel, and strace prints its events not at all; the kernel
  writes revents back into the same array, and ppoll its time left into tmo_p;
* an fd_set is a bit array, fd N at bit N, of ``nfds`` bits, which the kernel reads
  (and strace prints) in whole longs; select and pselect6 overwrite the sets with
  the fds ready, and the timeout with the time left;
* pselect6's sixth argument is ``{const sigset_t *ss; size_t ss_len}``;
* struct epoll_event is packed on x86_64: ``{u32 events; u64 data}`` (12 bytes).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.arrays import array_text
from traced.decoders.families.signals import sigset_at
from traced.decoders.families.times import decode_timespec
from traced.decoders.kinds import Decoder, by_pointer
from traced.decoders.values import (
    DEFAULT_OPTIONS,
    DecodedValue,
    Memory,
    Options,
    as_signed,
    read_exact,
    unreadable,
)
from traced.decoders.xlat import Table, format_flags
from traced.events import Arg

_POLLFD = struct.Struct("<ihH")
_EPOLL_EVENT = struct.Struct("<IQ")
_ARGPACK = struct.Struct("<QQ")
_TIMEVAL = struct.Struct("<qQ")
_MAX_NFDS = 1024 * 1024  # strace reads no more of a set, whatever nfds says

# --- poll ------------------------------------------------------------------------------


def pollfd_text(data: bytes) -> str:
    fd, events, _ = _POLLFD.unpack(data)
    if fd < 0:
        return f"{{fd={fd}}}"
    return f"{{fd={fd}, events={format_flags(events & 0xFFFF, K.POLL, 'POLL???').text}}}"


def _pollfds_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    count = raw[at + 1] & 0xFFFFFFFF  # nfds, an unsigned int
    return array_text(raw[at], count, _POLLFD.size, memory, options, element=pollfd_text)


def pollfd_fds(raw: int, count: int, memory: Memory) -> list[int]:
    """The fds of a pollfd array, whatever -s shows of it, up to the first entry that
    cannot be read (what strace's -P matches on, its pathtrace.c)."""
    fds: list[int] = []
    for index in range(min(count, _MAX_NFDS)):
        data = read_exact(memory, raw + index * _POLLFD.size, _POLLFD.size)
        if data is None:
            break
        fds.append(_POLLFD.unpack(data)[0])
    return fds


def revents_text(raw: int, count: int, memory: Memory, options: Options) -> str:
    """``[{fd=1, revents=POLLOUT}]``: the entries the kernel marked, up to -s of them."""
    shown: list[str] = []
    for index in range(count):
        address = raw + index * _POLLFD.size
        data = read_exact(memory, address, _POLLFD.size)
        if data is None:
            shown.append(f"{address:#x}")
            break
        fd, _, revents = _POLLFD.unpack(data)
        if not revents:
            continue
        if not options.verbose and len(shown) >= options.string_limit:
            shown.append("...")
            break
        shown.append(f"{{fd={fd}, revents={format_flags(revents, K.POLL, 'POLL???').text}}}")
    return "[" + ", ".join(shown) + "]" if shown else ""


def poll_result(
    raw: Sequence[int], retval: int, memory: Memory, options: Options, *, left: int = 0
) -> str:
    """poll's and ppoll's words after the count: which fds, and ppoll's time left."""
    if retval == 0:
        return "0 (Timeout)"
    count = raw[1] & 0xFFFFFFFF
    words = revents_text(raw[0], count, memory, options) if raw[0] and count else ""
    if left:
        words += (", " if words else "") + "left " + decode_timespec(left, memory).text
    return f"{retval} ({words})" if words else str(retval)


# --- select ------------------------------------------------------------------------------


def _nfds(raw: Sequence[int]) -> int:
    return min(max(as_signed(raw[0], 32), 0), _MAX_NFDS)


def _set_bytes(nfds: int) -> int:
    return ((nfds + 7) // 8 + 7) & -8  # whole longs


def _fds_in(data: bytes, nfds: int) -> list[int]:
    bits = int.from_bytes(data, "little")
    return [fd for fd in range(nfds) if bits >> fd & 1]


def _fd_set_entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """``[3 4]``: the fds below nfds in the set; nothing read for nfds 0."""
    nfds = _nfds(raw)
    size = _set_bytes(nfds)
    data = read_exact(memory, raw[at], size) if size else None
    if data is None:
        return unreadable(raw[at])
    fds = _fds_in(data, nfds)
    return DecodedValue("[" + " ".join(map(str, fds)) + "]", fds, raw[at])


def select_result(raw: Sequence[int], retval: int, memory: Memory, timeval: bool) -> str:
    """``1 (in [3], left {tv_sec=0, tv_usec=5})``, as strace's decode_select words it."""
    if retval == 0:
        return "0 (Timeout)"
    nfds, ready, words, sep = _nfds(raw), retval, "", ""
    size = _set_bytes(nfds)
    for index, kind in enumerate(("in", "out", "except")):
        if ready <= 0:
            break
        data = read_exact(memory, raw[index + 1], size) if raw[index + 1] else None
        if data is None:
            continue
        for number, fd in enumerate(_fds_in(data, nfds)):
            words += f"{sep}{kind} [{fd}" if number == 0 else f" {fd}"
            sep = ", "
            ready -= 1
            if ready == 0:
                break
        if words:  # strace closes a bracket after each set read, once one was opened
            words += "]"
    if raw[4]:
        left = timeval_text(raw[4], memory) if timeval else decode_timespec(raw[4], memory).text
        words += f"{sep}left {left}"
    return f"{retval} ({words})"


def timeval_text(raw: int, memory: Memory) -> str:
    data = read_exact(memory, raw, _TIMEVAL.size)
    if data is None:
        return f"{raw:#x}"
    sec, usec = _TIMEVAL.unpack(data)
    return f"{{tv_sec={sec}, tv_usec={usec}}}"


def decode_timeval(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """``{tv_sec=0, tv_usec=123}``."""
    if raw == 0:
        return DecodedValue("NULL", None, raw)
    if read_exact(memory, raw, _TIMEVAL.size) is None:
        return unreadable(raw)
    return DecodedValue(timeval_text(raw, memory), None, raw)


def decode_argpack(raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS) -> DecodedValue:
    """pselect6's ``{sigmask=[HUP CHLD], sigsetsize=8}``."""
    if raw == 0:
        return DecodedValue("NULL", None, raw)
    data = read_exact(memory, raw, _ARGPACK.size)
    if data is None:
        return unreadable(raw)
    address, size = _ARGPACK.unpack(data)
    mask = sigset_at(address, memory, size).text
    return DecodedValue(f"{{sigmask={mask}, sigsetsize={size}}}", None, raw)


# --- epoll -------------------------------------------------------------------------------


def epoll_event_text(data: bytes) -> str:
    events, value = _EPOLL_EVENT.unpack(data)
    flags = format_flags(events, K.EPOLL_EVENTS, "EPOLL???").text
    return f"{{events={flags}, data={{u32={value & 0xFFFFFFFF}, u64={value}}}}}"


_EPOLL_CTL_DEL = dict(K.EPOLL_CTL)["EPOLL_CTL_DEL"]


def _epoll_ctl_event(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """epoll_ctl's event; EPOLL_CTL_DEL's, which the kernel ignores, as its address."""
    address = raw[at]
    if raw[1] & 0xFFFFFFFF == _EPOLL_CTL_DEL or address == 0:
        return unreadable(address)
    data = read_exact(memory, address, _EPOLL_EVENT.size)
    return (
        unreadable(address) if data is None else DecodedValue(epoll_event_text(data), None, address)
    )


def _epoll_events_exit(
    raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
    args: Sequence[Arg],
) -> DecodedValue:  # fmt: skip
    """epoll_wait's events: the ``retval`` the kernel filled."""
    return array_text(raw[at], retval, _EPOLL_EVENT.size, memory, options, element=epoll_event_text)


DECODERS: dict[str, Decoder] = {
    "struct:pollfd": Decoder(entry=_pollfds_entry),
    "struct:fd_set": Decoder(entry=_fd_set_entry),
    "struct:sigset_argpack": by_pointer(decode_argpack),
    "struct:epoll_event": Decoder(exit=_epoll_events_exit),
    "enum:epoll_ctl": named.enum(K.EPOLL_CTL, "EPOLL_CTL_???"),
    "flags:epoll_create": named.flags(K.EPOLL_CREATE, "EPOLL_???"),
}
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("epoll_ctl", "event"): Decoder(entry=_epoll_ctl_event),
    ("select", "timeout"): by_pointer(decode_timeval),
    ("_newselect", "timeout"): by_pointer(decode_timeval),
    ("settimeofday", "tv"): by_pointer(decode_timeval),
    ("gettimeofday", "tv"): by_pointer(decode_timeval, output=True),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "enum:epoll_ctl": K.EPOLL_CTL, "flags:epoll_create": K.EPOLL_CREATE,
}  # fmt: skip
