"""bpf(2)'s union bpf_attr, command by command, as strace 6.1 prints it (its bpf.c):
the fields each command reads, in the layout of linux 6.1's uapi linux/bpf.h.

Kernel facts: a caller passes the attr's size; the kernel reads what it knows of its
command's struct and wants zeros after.  Fields were added to a command's struct
over the years, so strace prints a field only where the size given reaches it (a
``len <= offset`` check before each field added later).  Each command here returns
its fields' texts and the size of its struct (past which set bytes show as ``...``,
or under -v ``extra_data``).  A few commands (the GET_NEXT_IDs, queries, batches) are
completed at exit by bpf_attr.py.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from traced.decoders import _constants as K
from traced.decoders.families.bpf_insns import program
from traced.decoders.families.sockaddr_inet import interface_index, quoted
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.strings import decode_buffer, decode_path
from traced.decoders.values import Memory, Options, chex, hex_address
from traced.decoders.xlat import Table, format_enum, format_flags, styled

Fields = tuple[list[str], int]  # the fields' texts, and the command's struct size
Command = Callable[["Attr"], Fields]


class Attr:
    """One command's attr: its bytes (zero-filled to a page), what the size covers."""

    def __init__(self, data: bytes, size: int, memory: Memory, options: Options) -> None:
        self.data, self.size, self.memory, self.options = data, size, memory, options

    def u32(self, at: int) -> int:
        return int(struct.unpack_from("<I", self.data, at)[0])

    def u64(self, at: int) -> int:
        return int(struct.unpack_from("<Q", self.data, at)[0])

    def fd(self, at: int) -> str:
        return fd_in_memory(struct.unpack_from("<i", self.data, at)[0])

    def addr(self, at: int) -> str:
        return hex_address(self.u64(at))

    def flags(self, at: int, table: Table, unknown: str, wide: bool = False) -> str:
        return format_flags(self.u64(at) if wide else self.u32(at), table, unknown).text

    def xval(self, at: int, table: Table, unknown: str) -> str:
        return format_enum(self.u32(at), table, unknown).text

    def name(self, at: int, size: int) -> str:
        """A name array of ``size`` bytes the attr's size may cut (CSTRING_SZ)."""
        size = min(size, self.size - at)
        return quoted(self.data[at : at + size], size, terminated=True, trailing=True)

    def string(self, at: int, length: int = -1) -> str:
        """A string the attr points to: up to its NUL, -s at most, ``...`` past."""
        return c_string(self.u64(at), length, self.memory, self.options)

    def reaches(self, at: int) -> bool:
        return self.size > at


def c_string(address: int, length: int, memory: Memory, options: Options) -> str:
    """strace's printstr_ex with QUOTE_0_TERMINATED (length -1: printstr)."""
    if address == 0:
        return "NULL"
    limit = max(0, options.string_limit)
    size = limit + 1 if length < 0 else min(limit + 1, length)
    try:
        data = memory.cstring(address, size)
    except Exception:  # unreadable: the address, as strace
        return hex_address(address)
    content = bytes(data).split(b"\0", 1)[0]
    shown = min(size, limit)
    more = len(content) >= shown and length != 0
    return quoted(content[:shown], len(content[:shown])) + ("..." if more else "")


def map_create(a: Attr) -> Fields:
    fields = [
        f"map_type={a.xval(0, K.BPF_MAP_TYPES, 'BPF_MAP_TYPE_???')}",
        f"key_size={a.u32(4)}",
        f"value_size={a.u32(8)}",
        f"max_entries={a.u32(12)}",
    ]
    later: list[tuple[int, Callable[[], list[str]]]] = [
        (16, lambda: [f"map_flags={a.flags(16, K.BPF_MAP_FLAGS, 'BPF_F_???')}"]),
        (20, lambda: [f"inner_map_fd={a.fd(20)}"]),
        (24, lambda: [f"numa_node={_numa(a.u32(24))}"] if a.u32(16) & 4 else []),
        (28, lambda: [f"map_name={a.name(28, 16)}"]),
        (44, lambda: [f"map_ifindex={interface_index(a.u32(44))}"]),
        (
            48,
            lambda: [
                f"btf_fd={a.fd(48)}",
                f"btf_key_type_id={a.u32(52)}",
                f"btf_value_type_id={a.u32(56)}",
            ],
        ),
        (60, lambda: [f"btf_vmlinux_value_type_id={a.u32(60)}"]),
        (64, lambda: [f"map_extra={a.u64(64)}"]),
    ]
    return _until(a, fields, later), 72


def _numa(node: int) -> str:
    name = next((n for n, value in K.NUMA_NODE if value == node), None)
    return f"{node}" + (f" /* {name} */" if name else "")


def _until(
    a: Attr, fields: list[str], later: list[tuple[int, Callable[[], list[str]]]]
) -> list[str]:
    """The fields added later, each as far as the size reaches its offset."""
    for offset, more in later:
        if not a.reaches(offset):
            break
        fields += more()
    return fields


def map_lookup_elem(a: Attr) -> Fields:
    fields = [f"map_fd={a.fd(0)}", f"key={a.addr(8)}", f"value={a.addr(16)}"]
    later = [(24, lambda: [f"flags={a.flags(24, K.BPF_LOOKUP_FLAGS, 'BPF_???', wide=True)}"])]
    return _until(a, fields, later), 32


def map_update_elem(a: Attr) -> Fields:
    flags = format_enum(a.u64(24), K.BPF_UPDATE_FLAGS, "BPF_???").text
    return [f"map_fd={a.fd(0)}", f"key={a.addr(8)}", f"value={a.addr(16)}", f"flags={flags}"], 32


def map_delete_elem(a: Attr) -> Fields:
    return [f"map_fd={a.fd(0)}", f"key={a.addr(8)}"], 16


def map_get_next_key(a: Attr) -> Fields:
    return [f"map_fd={a.fd(0)}", f"key={a.addr(8)}", f"next_key={a.addr(16)}"], 24


def map_freeze(a: Attr) -> Fields:
    return [f"map_fd={a.fd(0)}"], 4


def _kernel_version(version: int) -> str:
    """``KERNEL_VERSION(4, 19, 0)``; -X raw: the number in hex, verbose: both."""
    words = f"KERNEL_VERSION({version >> 16}, {version >> 8 & 0xFF}, {version & 0xFF})"
    return styled(words, chex(version))


def prog_load(a: Attr) -> Fields:
    fields = [
        f"prog_type={a.xval(0, K.BPF_PROG_TYPES, 'BPF_PROG_TYPE_???')}",
        f"insn_cnt={a.u32(4)}",
        f"insns={program(a.u64(8), a.u32(4), a.memory, a.options)}",
        f"license={a.string(16)}",
    ]
    later: list[tuple[int, Callable[[], list[str]]]] = [
        (
            24,
            lambda: [
                f"log_level={a.u32(24)}",
                f"log_size={a.u32(28)}",
                f"log_buf={a.string(32, a.u32(28))}",
            ],
        ),
        (40, lambda: [f"kern_version={_kernel_version(a.u32(40))}"]),
        (44, lambda: [f"prog_flags={a.flags(44, K.BPF_PROG_FLAGS, 'BPF_F_???')}"]),
        (48, lambda: [f"prog_name={a.name(48, 16)}"]),
        (64, lambda: [f"prog_ifindex={interface_index(a.u32(64))}"]),
        (68, lambda: [f"expected_attach_type={a.xval(68, K.BPF_ATTACH_TYPES, 'BPF_???')}"]),
        (
            72,
            lambda: [
                f"prog_btf_fd={a.fd(72)}",
                f"func_info_rec_size={a.u32(76)}",
                f"func_info={a.addr(80)}",
                f"func_info_cnt={a.u32(88)}",
                f"line_info_rec_size={a.u32(92)}",
                f"line_info={a.addr(96)}",
                f"line_info_cnt={a.u32(104)}",
            ],
        ),
        (108, lambda: [f"attach_btf_id={a.u32(108)}"]),
        (112, lambda: [f"attach_prog_fd={a.fd(112)}"]),
        (120, lambda: [f"fd_array={a.addr(120)}"]),
    ]
    return _until(a, fields, later), 128


def obj_pin(a: Attr) -> Fields:
    path = decode_path(a.u64(0), a.memory, a.options).text
    fields = [f"pathname={path}", f"bpf_fd={a.fd(8)}"]
    later = [(12, lambda: [f"file_flags={a.flags(12, K.BPF_FILE_MODE_FLAGS, 'BPF_F_???')}"])]
    return _until(a, fields, later), 16


def prog_attach(a: Attr) -> Fields:
    fields = [
        f"target_fd={a.fd(0)}",
        f"attach_bpf_fd={a.fd(4)}",
        f"attach_type={a.xval(8, K.BPF_ATTACH_TYPES, 'BPF_???')}",
        f"attach_flags={a.flags(12, K.BPF_ATTACH_FLAGS, 'BPF_F_???')}",
    ]
    return _until(a, fields, [(16, lambda: [f"replace_bpf_fd={a.fd(16)}"])]), 20


def prog_detach(a: Attr) -> Fields:
    return [f"target_fd={a.fd(0)}", f"attach_type={a.xval(8, K.BPF_ATTACH_TYPES, 'BPF_???')}"], 12


def prog_test_run(a: Attr) -> Fields:
    fields = [
        f"prog_fd={a.fd(0)}",
        f"retval={a.u32(4)}",
        f"data_size_in={a.u32(8)}",
        f"data_size_out={a.u32(12)}",
        f"data_in={a.addr(16)}",
        f"data_out={a.addr(24)}",
        f"repeat={a.u32(32)}",
        f"duration={a.u32(36)}",
    ]
    if a.reaches(40):
        fields += [
            f"ctx_size_in={a.u32(40)}",
            f"ctx_size_out={a.u32(44)}",
            f"ctx_in={a.addr(48)}",
            f"ctx_out={a.addr(56)}",
        ]
    if a.reaches(64):
        fields += [f"flags={a.flags(64, K.BPF_TEST_RUN_FLAGS, 'BPF_F_???')}", f"cpu={a.u32(68)}"]
    if a.reaches(72):
        fields.append(f"batch_size={a.u32(72)}")
    return ["test={" + ", ".join(fields) + "}"], 76


def get_fd_by_id(field: str) -> Command:
    def command(a: Attr) -> Fields:
        fields = [f"{field}={a.u32(0)}", f"next_id={a.u32(4)}"]
        flags = [(8, lambda: [f"open_flags={a.flags(8, K.BPF_FILE_MODE_FLAGS, 'BPF_F_???')}"])]
        return _until(a, fields, flags), 12

    return command


def btf_load(a: Attr) -> Fields:
    btf = decode_buffer(a.u64(0), a.memory, a.u32(16), a.options).text
    return [
        f"btf={btf}",
        f"btf_log_buf={a.addr(8)}",
        f"btf_size={a.u32(16)}",
        f"btf_log_size={a.u32(20)}",
        f"btf_log_level={a.u32(24)}",
    ], 28


def raw_tracepoint_open(a: Attr) -> Fields:
    return [f"raw_tracepoint={{name={a.string(0, 128)}, prog_fd={a.fd(8)}}}"], 12


def one_u32(field: str) -> Command:
    return lambda a: ([f"{field}={a.u32(0)}"], 4)
