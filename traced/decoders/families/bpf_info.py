"""BPF_OBJ_GET_INFO_BY_FD's info under -v, as strace 6.1 prints it: a map's struct
bpf_map_info, a program's bpf_prog_info (with the counts and addresses the kernel
changed from the caller's: ``nr_map_ids=0 => 2``).

The kernel fills as much of the info as info_len allows and writes back the length it
filled.  strace prints the struct only for an fd it knows to be a map (its path,
``anon_inode:bpf-map``: here as -y names it) and only fields the length reaches,
read at exit.  x86_64 layout of linux 6.1 (88 bytes): u32 type, id, key_size,
value_size, max_entries, map_flags; char name[16]; u32 ifindex,
btf_vmlinux_value_type_id; u64 netns_dev, netns_ino; u32 btf_id, btf_key_type_id,
btf_value_type_id; u64 map_extra.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text
from traced.decoders.families.bpf_cmds import Attr
from traced.decoders.families.bpf_insns import program
from traced.decoders.families.sockaddr_inet import hex_bytes, interface_index, quoted
from traced.decoders.families.stat import format_makedev
from traced.decoders.style import RAW, current
from traced.decoders.values import hex_address, read_exact
from traced.decoders.xlat import comment, format_enum, format_flags

_PAGE = 4096
_MAP_INFO = struct.Struct("<6I16sIIQQIII")
_MAP_INFO_SIZE = 88


def info_text(a: Attr, before: bytes, failed: bool) -> str:
    """The info the kernel filled (``a``: the attr at exit; ``before``: the info the
    caller passed): a map's or a program's struct under -v, else the address."""
    address, size = a.u64(8), a.u32(4)
    kind = a.fd(0).rpartition("<anon_inode:bpf-")[2]
    if not a.options.verbose or kind not in ("map>", "prog>"):
        return a.addr(8)
    data = read_exact(a.memory, address, size) if 0 < size <= _PAGE else None
    if data is None:
        return a.addr(8)
    return map_info(data) if kind == "map>" else prog_info(data, before, a, failed)


def info_at_entry(a: Attr) -> bytes:
    """The info buffer as the caller passed it (for what the kernel changed)."""
    size = a.u32(4)
    data = read_exact(a.memory, a.u64(8), size) if 0 < size <= _PAGE and a.options.verbose else None
    return data or b""


def map_info(data: bytes) -> str:
    size = len(data)
    values = _MAP_INFO.unpack(data[: _MAP_INFO.size].ljust(_MAP_INFO.size, b"\0"))
    kind, ident, key_size, value_size, entries, flags, name = values[:7]
    index, vmlinux_id, dev, ino, btf_id, key_id, value_id = values[7:]
    fields = [
        f"type={format_enum(kind, K.BPF_MAP_TYPES, 'BPF_MAP_TYPE_???').text}", f"id={ident}",
        f"key_size={key_size}", f"value_size={value_size}", f"max_entries={entries}",
        f"map_flags={format_flags(flags, K.BPF_MAP_FLAGS, 'BPF_F_???').text}",
    ]  # fmt: skip
    if size > 24:
        fields.append(f"name={quoted(name, 16, terminated=True)}")
    if size > 40:
        fields += [f"ifindex={interface_index(index)}", f"btf_vmlinux_value_type_id={vmlinux_id}",
                   f"netns_dev={format_makedev(dev)}", f"netns_ino={ino}"]  # fmt: skip
    if size > 64:
        fields += [f"btf_id={btf_id}", f"btf_key_type_id={key_id}", f"btf_value_type_id={value_id}"]
        tail = data[_MAP_INFO_SIZE:]
        if any(tail):
            fields.append(f"extra_data={hex_bytes(tail)} /* bytes {_MAP_INFO_SIZE}..{size - 1} */")
    return "{" + ", ".join(fields) + "}"


# bpf_prog_info's fields: name -> (offset, bytes); 220 bytes in linux 6.1.
_PROG = {
    "type": (0, 4), "id": (4, 4), "jited_prog_len": (16, 4), "xlated_prog_len": (20, 4),
    "jited_prog_insns": (24, 8), "xlated_prog_insns": (32, 8), "load_time": (40, 8),
    "created_by_uid": (48, 4), "nr_map_ids": (52, 4), "map_ids": (56, 8), "ifindex": (80, 4),
    "gpl_compatible": (84, 4), "netns_dev": (88, 8), "netns_ino": (96, 8),
    "nr_jited_ksyms": (104, 4), "nr_jited_func_lens": (108, 4), "jited_ksyms": (112, 8),
    "jited_func_lens": (120, 8), "btf_id": (128, 4), "func_info_rec_size": (132, 4),
    "func_info": (136, 8), "nr_func_info": (144, 4), "nr_line_info": (148, 4),
    "line_info": (152, 8), "jited_line_info": (160, 8), "nr_jited_line_info": (168, 4),
    "line_info_rec_size": (172, 4), "jited_line_info_rec_size": (176, 4),
    "nr_prog_tags": (180, 4), "prog_tags": (184, 8), "run_time_ns": (192, 8),
    "run_cnt": (200, 8), "recursion_misses": (208, 8), "verified_insns": (216, 4),
}  # fmt: skip
_PROG_INFO_SIZE = 220


class _Prog:
    """A bpf_prog_info as the kernel left it, beside the one the caller passed."""

    def __init__(self, now: bytes, before: bytes) -> None:
        self.now = now.ljust(_PROG_INFO_SIZE, b"\0")
        self.before = before.ljust(_PROG_INFO_SIZE, b"\0")

    def get(self, name: str, saved: bool = False) -> int:
        offset, size = _PROG[name]
        return int.from_bytes(
            (self.before if saved else self.now)[offset : offset + size], "little"
        )

    def changed(self, name: str, show: Callable[[int], str] = str) -> str:
        """``N``, or ``M => N`` where the kernel changed the caller's value."""
        old, new = self.get(name, saved=True), self.get(name)
        return f"{name}=" + (f"{show(old)} => " if old != new else "") + show(new)


def _boot_time(nanoseconds: int) -> str:
    """strace's print_boottime: the wall-clock time of a CLOCK_BOOTTIME stamp, in a
    comment (none under -X raw).  It reads this host's clocks, as strace does."""
    if current().xlat == RAW:
        return ""
    offset = time.clock_gettime(time.CLOCK_REALTIME) - time.clock_gettime(time.CLOCK_BOOTTIME)
    seconds = int(nanoseconds // 1_000_000_000 + offset)
    return comment(time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(seconds)))


def _u32s(address: int, count: int, a: Attr, failed: bool) -> str:
    if failed and count and address:
        return hex_address(address)
    element = lambda chunk: str(int.from_bytes(chunk, "little"))  # noqa: E731
    return array_text(address, count, 4, a.memory, a.options, element=element).text


def _jited(address: int, length: int, a: Attr) -> str:
    if address == 0:
        return "NULL"
    shown = min(length, max(0, a.options.string_limit))
    data = read_exact(a.memory, address, shown)
    return (
        hex_address(address)
        if data is None
        else hex_bytes(data) + ("..." if length > shown else "")
    )


def prog_info(now: bytes, before: bytes, a: Attr, failed: bool) -> str:
    """A program's bpf_prog_info: the fields the length reaches, the kernel's changes."""
    p, size = _Prog(now, before), min(len(now), _PROG_INFO_SIZE)
    xlated = min(p.get("xlated_prog_len", saved=True), p.get("xlated_prog_len")) // 8
    insns = p.get("xlated_prog_insns")
    fields = [
        f"type={format_enum(p.get('type'), K.BPF_PROG_TYPES, 'BPF_PROG_TYPE_???').text}",
        f"id={p.get('id')}", f"tag={hex_bytes(p.now[8:16])}", p.changed("jited_prog_len"),
        f"jited_prog_insns={_jited(p.get('jited_prog_insns'), p.get('jited_prog_len'), a)}",
        p.changed("xlated_prog_len"),
        "xlated_prog_insns=" + (hex_address(insns) if failed and xlated and insns
                                else program(insns, xlated, a.memory, a.options)),
    ]  # fmt: skip
    maps = min(p.get("nr_map_ids", saved=True), p.get("nr_map_ids"))
    steps: list[tuple[int, list[str]]] = [
        (40, [f"load_time={p.get('load_time')}{_boot_time(p.get('load_time'))}",
              f"created_by_uid={p.get('created_by_uid')}", p.changed("nr_map_ids"),
              f"map_ids={_u32s(p.get('map_ids'), maps, a, failed)}",
              f"name={quoted(p.now[64:80], 16, terminated=True)}"]),
        (80, [f"ifindex={interface_index(p.get('ifindex'))}",
              f"gpl_compatible={p.get('gpl_compatible') & 1}",
              f"netns_dev={format_makedev(p.get('netns_dev'))}",
              f"netns_ino={p.get('netns_ino')}"]),
        (104, [p.changed("nr_jited_ksyms"), p.changed("nr_jited_func_lens"),
               p.changed("jited_ksyms", hex_address), p.changed("jited_func_lens", hex_address)]),
        (128, [f"btf_id={p.get('btf_id')}", p.changed("func_info_rec_size"),
               f"func_info={hex_address(p.get('func_info'))}", p.changed("nr_func_info"),
               p.changed("nr_line_info"), f"line_info={hex_address(p.get('line_info'))}",
               p.changed("jited_line_info", hex_address), p.changed("nr_jited_line_info"),
               p.changed("line_info_rec_size"), p.changed("jited_line_info_rec_size"),
               p.changed("nr_prog_tags"), f"prog_tags={hex_address(p.get('prog_tags'))}"]),
        (192, [f"run_time_ns={p.get('run_time_ns')}", f"run_cnt={p.get('run_cnt')}"]),
        (208, [f"recursion_misses={p.get('recursion_misses')}"]),
        (216, [f"verified_insns={p.get('verified_insns')}"]),
    ]  # fmt: skip
    for offset, more in steps:
        if size <= offset:
            break
        fields += more
    else:
        tail = now[_PROG_INFO_SIZE:]
        if any(tail):
            fields.append(
                f"extra_data={hex_bytes(tail)} /* bytes {_PROG_INFO_SIZE}..{len(now) - 1} */"
            )
    return "{" + ", ".join(fields) + "}"
