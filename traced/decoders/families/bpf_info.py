"""BPF_OBJ_GET_INFO_BY_FD's info under -v, as strace 6.1 prints it: a map's struct
bpf_map_info (a program's bpf_prog_info is left as its address here).

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

from traced.decoders import _constants as K
from traced.decoders.families.bpf_cmds import Attr
from traced.decoders.families.sockaddr_inet import hex_bytes, interface_index, quoted
from traced.decoders.families.stat import format_makedev
from traced.decoders.values import read_exact
from traced.decoders.xlat import format_enum, format_flags

_PAGE = 4096
_MAP_INFO = struct.Struct("<6I16sIIQQIII")
_MAP_INFO_SIZE = 88


def info_text(a: Attr) -> str:
    """The info the kernel filled (the attr as at exit): the address but for a map's."""
    address, size = a.u64(8), a.u32(4)
    if not a.options.verbose or not a.fd(0).endswith("<anon_inode:bpf-map>"):
        return a.addr(8)
    data = read_exact(a.memory, address, size) if 0 < size <= _PAGE else None
    return a.addr(8) if data is None else map_info(data)


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
