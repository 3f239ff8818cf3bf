"""bpf(2)'s link commands as strace 6.1 prints them: BPF_LINK_CREATE, whose struct
goes on by attach type (a BTF id, an iterator's map fds, a perf event's cookie,
kprobe_multi's symbols, addresses and cookies), and BPF_LINK_UPDATE.

How far the struct goes depends on the attach type: strace counts set bytes past the
part the type uses as extra (``...``); for an attach type with no such part, past
flags.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text
from traced.decoders.families.bpf_cmds import Attr, Fields, c_string
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.xlat import number


def link_update(a: Attr) -> Fields:
    flags = a.u32(8)
    fields = [
        f"link_fd={a.fd(0)}",
        f"new_prog_fd={a.fd(4)}",
        f"flags={a.flags(8, K.BPF_ATTACH_FLAGS, 'BPF_F_???')}",
    ]
    if flags & dict(K.BPF_ATTACH_FLAGS)["BPF_F_REPLACE"]:
        fields.append(f"old_prog_fd={a.fd(12)}")
    return ["link_update={" + ", ".join(fields) + "}"], 16


def link_create(a: Attr) -> Fields:
    kind = a.u32(8)
    fields = [
        f"prog_fd={a.fd(0)}",
        f"target_fd={a.fd(4)}",
        f"attach_type={a.xval(8, K.BPF_ATTACH_TYPES, 'BPF_???')}",
        f"flags={number(a.u32(12))}",
    ]
    if not a.reaches(16):
        return ["link_create={" + ", ".join(fields) + "}"], 48
    more, size = _LINKS.get(kind, (_no_link_info, 16))
    return ["link_create={" + ", ".join(fields + more(a)) + "}"], size


def _no_link_info(a: Attr) -> list[str]:
    return []


def _target_btf_id(a: Attr) -> list[str]:
    return [f"target_btf_id={a.u32(16)}"] if a.u32(16) else []


def _iter_info(a: Attr) -> list[str]:
    def element(chunk: bytes) -> str:
        return f"{{map={{map_fd={fd_in_memory(struct.unpack('<i', chunk)[0])}}}}}"

    array = array_text(a.u64(16), a.u32(24), 4, a.memory, a.options, element=element).text
    return [f"iter_info={array}", f"iter_info_len={a.u32(24)}"]


def _perf_event(a: Attr) -> list[str]:
    return [f"perf_event={{bpf_cookie={number(a.u64(16))}}}"]


def _kprobe_multi(a: Attr) -> list[str]:
    count = a.u32(20)

    def string(chunk: bytes) -> str:
        return c_string(int.from_bytes(chunk, "little"), -1, a.memory, a.options)

    def word(chunk: bytes) -> str:
        return number(int.from_bytes(chunk, "little"))

    arrays = [
        f"{name}={array_text(a.u64(at), count, 8, a.memory, a.options, element=element).text}"
        for name, at, element in (("syms", 24, string), ("addrs", 32, word), ("cookies", 40, word))
    ]
    flags = a.flags(16, K.BPF_KPROBE_MULTI_FLAGS, "BPF_F_???")
    return ["kprobe_multi={" + ", ".join([f"flags={flags}", f"cnt={count}", *arrays]) + "}"]


_ATTACH = dict(K.BPF_ATTACH_TYPES)
# attach_type -> what follows flags, and the struct's size then (strace's attr_size).
_LINKS: dict[int, tuple[Callable[[Attr], list[str]], int]] = {
    0: (_target_btf_id, 20),
    _ATTACH["BPF_TRACE_ITER"]: (_iter_info, 28),
    _ATTACH["BPF_PERF_EVENT"]: (_perf_event, 24),
    _ATTACH["BPF_TRACE_KPROBE_MULTI"]: (_kprobe_multi, 48),
}
