"""bpf(2)'s union bpf_attr by command as strace 6.1 prints it, on constructed
registers and memory: strace's text out (from its bpf tests)."""

import struct

from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.families.bpf_cmds import Attr
from traced.decoders.families.bpf_info import map_info, prog_info
from traced.decoders.values import Options

AT = 0x7000


def attr(command: int, data: bytes, size: int | None = None, *, retval: int = 0,
         after: bytes | None = None, options: Options | None = None) -> str:  # fmt: skip
    """The attr's text at exit (``after``: the memory the kernel left)."""
    raw = (command, AT, len(data) if size is None else size)
    options = options or Options()
    args = decode_entry("bpf", raw, FakeMemory({AT: data}), options)
    args = decode_exit("bpf", args, raw, FakeMemory({AT: after or data}), retval=retval,
                       options=options)  # fmt: skip
    return args[1].text


def test_map_create_as_far_as_the_size_reaches() -> None:
    data = struct.pack("<IIII", 2, 0, 0, 0)
    assert attr(0, data) == "{map_type=BPF_MAP_TYPE_ARRAY, key_size=0, value_size=0, max_entries=0}"
    full = struct.pack("<7I16s5IQ", 30, 0, 0, 0, 0, 0, 0, b"", 0, 0, 0, 0, 0, 4)
    assert attr(0, full) == (
        "{map_type=BPF_MAP_TYPE_BLOOM_FILTER, key_size=0, value_size=0, max_entries=0, "
        'map_flags=0, inner_map_fd=0, map_name="", map_ifindex=0, btf_fd=0, '
        "btf_key_type_id=0, btf_value_type_id=0, btf_vmlinux_value_type_id=0, map_extra=4}"
    )
    assert attr(0, full + b"\1\0\0\0").endswith("map_extra=4, ...}")


def test_elements_and_files() -> None:
    lookup = struct.pack("<i4xQQQ", -1, 0x1000, 0x2000, 4)
    assert attr(1, lookup) == "{map_fd=-1, key=0x1000, value=0x2000, flags=BPF_F_LOCK}"
    assert attr(1, lookup[:4], 4) == "{map_fd=-1, key=NULL, value=NULL}"
    update = struct.pack("<i4xQQQ", -1, 0, 0, 2)
    assert attr(2, update) == "{map_fd=-1, key=NULL, value=NULL, flags=BPF_EXIST}"
    pin = struct.pack("<QiI", 0, -1, 0x18)
    assert attr(6, pin) == "{pathname=NULL, bpf_fd=-1, file_flags=BPF_F_RDONLY|BPF_F_WRONLY}"


def test_prog_load_and_its_program_under_verbose() -> None:
    load = struct.pack("<IIQQ", 0, 1, AT + 64, 0)
    insn = struct.pack("<BBhi", 0x95, 0xBA, -8531, 1)
    memory = load.ljust(64, b"\0") + insn
    text = attr(5, memory, 24, options=Options(verbose=True))
    assert text == (
        "{prog_type=BPF_PROG_TYPE_UNSPEC, insn_cnt=1, insns=[{code=BPF_JMP|BPF_K|BPF_EXIT, "
        "dst_reg=BPF_REG_10, src_reg=0xb /* BPF_REG_??? */, off=-8531, imm=0x1}], license=NULL}"
    )


def test_commands_completed_at_exit() -> None:
    entry = struct.pack("<III", 3735928559, 0, 0)
    after = struct.pack("<III", 3735928559, 7, 0x8)
    assert attr(11, entry, retval=0, after=after) == (
        "{start_id=3735928559, next_id=0 => 7, open_flags=BPF_F_RDONLY}"
    )
    batch = struct.pack("<QQQQIiQQ", 0, 0, 0, 0, 3, -1, 0, 0)
    changed = struct.pack("<QQQQIiQQ", 0, 0, 0, 0, 2, -1, 0, 0)
    assert attr(24, batch, after=changed) == (
        "{batch={in_batch=NULL, out_batch=NULL, keys=NULL, values=NULL, count=3, map_fd=-1, "
        "elem_flags=BPF_ANY, flags=0}} => {batch={count=2}}"
    )
    query = struct.pack("<iIIIQI", -1, 0, 0, 0, 0, 0)
    assert attr(16, query, retval=-22) == (
        "{query={target_fd=-1, attach_type=BPF_CGROUP_INET_INGRESS, query_flags=0, "
        "attach_flags=0, prog_ids=NULL, prog_cnt=0}}"
    )


def test_link_create_by_attach_type() -> None:
    perf = struct.pack("<iiIIQ", 0, 0, 41, 0, 0xDEAD)
    assert attr(28, perf) == (
        "{link_create={prog_fd=0, target_fd=0, attach_type=BPF_PERF_EVENT, flags=0, "
        "perf_event={bpf_cookie=0xdead}}}"
    )


def test_map_info() -> None:
    info = struct.pack("<6I16sIIQQIII", 2, 582, 4, 8, 1, 0, b"test_map", 0, 0, 0, 0, 0, 0, 0)
    assert map_info(info.ljust(104, b"\0")) == (
        "{type=BPF_MAP_TYPE_ARRAY, id=582, key_size=4, value_size=8, max_entries=1, map_flags=0, "
        'name="test_map", ifindex=0, btf_vmlinux_value_type_id=0, netns_dev=makedev(0, 0), '
        "netns_ino=0, btf_id=0, btf_key_type_id=0, btf_value_type_id=0}"
    )


def test_prog_info_with_what_the_kernel_changed() -> None:
    before = bytes(232)
    now = bytearray(232)
    struct.pack_into("<II8sII", now, 0, 1, 329, bytes.fromhex("fe7dd32e63677b71"), 86, 136)
    struct.pack_into("<I", now, 52, 2)  # nr_map_ids
    now[64:73] = b"test_prog"
    struct.pack_into("<I", now, 216, 9)  # verified_insns
    a = Attr(bytes(16), 16, FakeMemory({}), Options(verbose=True))
    text = prog_info(bytes(now), before, a, failed=False)
    assert text.startswith(
        "{type=BPF_PROG_TYPE_SOCKET_FILTER, id=329, "
        'tag="\\xfe\\x7d\\xd3\\x2e\\x63\\x67\\x7b\\x71", '
        "jited_prog_len=0 => 86, jited_prog_insns=NULL, xlated_prog_len=0 => 136, "
        "xlated_prog_insns=NULL, load_time=0"
    )
    assert ', created_by_uid=0, nr_map_ids=0 => 2, map_ids=NULL, name="test_prog", ' in text
    assert text.endswith("run_time_ns=0, run_cnt=0, recursion_misses=0, verified_insns=9}")


def test_what_entry_kept_for_the_exit_leaves_no_value() -> None:
    """The attr's bytes entry keeps to compare at exit are no value of the call: an
    event's JSON must not carry them (a command strace completes at exit or not)."""
    data = struct.pack("<IIII", 2, 0, 0, 0)
    raw = (0, AT, len(data))  # BPF_MAP_CREATE: nothing to complete at exit
    entered = decode_entry("bpf", raw, FakeMemory({AT: data}), Options())
    exited = decode_exit("bpf", entered, raw, FakeMemory({AT: data}), retval=3)
    assert exited[1].text == entered[1].text
    assert exited[1].value is None, exited[1].value
