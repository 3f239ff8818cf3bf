"""bpf(2)'s attr argument: the union bpf_attr read by command (bpf_cmds.py), printed
as strace 6.1 prints it.

strace reads the attr when its size is 1 to a page (else, or for a command it does
not know, the address), up to the size given.  Most commands print whole at entry;
a few the kernel writes back to print the rest at exit, failed or not: the
GET_NEXT_IDs their next_id (``next_id=0 => 1``), OBJ_GET_INFO_BY_FD its info_len
and info, PROG_QUERY its prog_ids and prog_cnt, TASK_FD_QUERY what the kernel found,
the batch commands a count the kernel changed (`` => {batch={count=2}}``).  Bytes
set past a command's struct show as ``...`` (under -v as ``extra_data``).
"""

from __future__ import annotations

from collections.abc import Sequence

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text
from traced.decoders.families import bpf_cmds as c
from traced.decoders.families import bpf_info, bpf_links
from traced.decoders.families.sockaddr_inet import hex_bytes
from traced.decoders.kinds import Decoder
from traced.decoders.values import DecodedValue, Memory, Options, read_exact, unreadable
from traced.decoders.xlat import number
from traced.events import Arg

_PAGE = 4096
_CMD = dict(K.BPF_CMD)

COMMANDS: dict[int, c.Command] = {
    _CMD["BPF_MAP_CREATE"]: c.map_create,
    _CMD["BPF_MAP_LOOKUP_ELEM"]: c.map_lookup_elem,
    _CMD["BPF_MAP_LOOKUP_AND_DELETE_ELEM"]: c.map_lookup_elem,
    _CMD["BPF_MAP_UPDATE_ELEM"]: c.map_update_elem,
    _CMD["BPF_MAP_DELETE_ELEM"]: c.map_delete_elem,
    _CMD["BPF_MAP_GET_NEXT_KEY"]: c.map_get_next_key,
    _CMD["BPF_MAP_FREEZE"]: c.map_freeze,
    _CMD["BPF_PROG_LOAD"]: c.prog_load,
    _CMD["BPF_OBJ_PIN"]: c.obj_pin,
    _CMD["BPF_OBJ_GET"]: c.obj_pin,
    _CMD["BPF_PROG_ATTACH"]: c.prog_attach,
    _CMD["BPF_PROG_DETACH"]: c.prog_detach,
    _CMD["BPF_PROG_TEST_RUN"]: c.prog_test_run,
    _CMD["BPF_PROG_GET_FD_BY_ID"]: c.get_fd_by_id("prog_id"),
    _CMD["BPF_MAP_GET_FD_BY_ID"]: c.get_fd_by_id("map_id"),
    _CMD["BPF_RAW_TRACEPOINT_OPEN"]: c.raw_tracepoint_open,
    _CMD["BPF_BTF_LOAD"]: c.btf_load,
    _CMD["BPF_BTF_GET_FD_BY_ID"]: c.one_u32("btf_id"),
    _CMD["BPF_LINK_GET_FD_BY_ID"]: c.one_u32("link_id"),
    _CMD["BPF_LINK_CREATE"]: bpf_links.link_create,
    _CMD["BPF_LINK_UPDATE"]: bpf_links.link_update,
}
_NEXT_IDS = {_CMD[f"BPF_{kind}_GET_NEXT_ID"] for kind in ("PROG", "MAP", "BTF", "LINK")}
_BATCHES = {
    _CMD[name]: name
    for name in (
        "BPF_MAP_LOOKUP_BATCH",
        "BPF_MAP_LOOKUP_AND_DELETE_BATCH",
        "BPF_MAP_UPDATE_BATCH",
        "BPF_MAP_DELETE_BATCH",
    )
}
_INFO, _QUERY, _TASK = (
    _CMD[name] for name in ("BPF_OBJ_GET_INFO_BY_FD", "BPF_PROG_QUERY", "BPF_TASK_FD_QUERY")
)


def _read(raw: Sequence[int], at: int, memory: Memory, options: Options) -> c.Attr | None:
    """The attr as far as its size, zero-filled to a page; None: strace shows the address."""
    size = raw[at + 1] & 0xFFFFFFFF if at + 1 < len(raw) else 0
    if not (0 < size <= _PAGE and raw[0] & 0xFFFFFFFF in _ALL):
        return None
    data = read_exact(memory, raw[at], size)
    return None if data is None else c.Attr(data.ljust(2 * _PAGE, b"\0"), size, memory, options)


def _extra(a: c.Attr, struct_size: int) -> str:
    """The bytes set past the command's struct: ``, ...``, under -v in hex."""
    tail = a.data[struct_size : a.size]
    if a.size <= struct_size or not any(tail):
        return ""
    if not a.options.verbose:
        return ", ..."
    return f", extra_data={hex_bytes(tail)} /* bytes {struct_size}..{a.size - 1} */"


def _batch(a: c.Attr, name: str) -> str:
    fields = []
    if name.startswith("BPF_MAP_LOOKUP"):
        fields += [f"in_batch={a.addr(0)}", f"out_batch={a.addr(8)}"]
    fields.append(f"keys={a.addr(16)}")
    if name != "BPF_MAP_DELETE_BATCH":
        fields.append(f"values={a.addr(24)}")
    fields += [
        f"count={a.u32(32)}",
        f"map_fd={a.fd(36)}",
        f"elem_flags={a.flags(40, K.BPF_LOOKUP_FLAGS, 'BPF_???', wide=True)}",
        f"flags={number(a.u64(48))}",
    ]
    return "{batch={" + ", ".join(fields) + "}" + _extra(a, 56) + "}"


def _entry_text(command: int, a: c.Attr) -> str:
    if command in COMMANDS:
        fields, struct_size = COMMANDS[command](a)
        return "{" + ", ".join(fields) + _extra(a, struct_size) + "}"
    if command in _BATCHES:
        return _batch(a, _BATCHES[command])
    if command in _NEXT_IDS:
        return f"{{start_id={a.u32(0)}, next_id={a.u32(4)}"
    if command == _INFO:
        return f"{{info={{bpf_fd={a.fd(0)}, info_len={a.u32(4)}"
    if command == _QUERY:
        return (
            f"{{query={{target_fd={a.fd(0)}, "
            f"attach_type={a.xval(4, K.BPF_ATTACH_TYPES, 'BPF_???')}, "
            f"query_flags={a.flags(8, K.BPF_QUERY_FLAGS, 'BPF_F_QUERY_???')}, "
            f"attach_flags={a.flags(12, K.BPF_ATTACH_FLAGS, 'BPF_F_???')}, prog_ids="
        )
    return f"{{task_fd_query={{pid={a.u32(0)}, fd={a.fd(4)}, flags={a.u32(8)}, buf_len={a.u32(12)}"


_ALL = set(COMMANDS) | _NEXT_IDS | set(_BATCHES) | {_INFO, _QUERY, _TASK}


def _entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    a = _read(raw, at, memory, options)
    if a is None:
        return unreadable(raw[at])
    return DecodedValue(_entry_text(raw[0] & 0xFFFFFFFF, a), None, raw[at])


def _changed(before: int, after: int) -> str:
    return f" => {after}" if before != after else ""


def _ids(a: c.Attr, count: int, failed: bool) -> str:
    """PROG_QUERY's prog_ids: after a failure, the address unless there are none."""
    if failed and count and a.u64(16):
        return a.addr(16)

    def element(chunk: bytes) -> str:
        return str(int.from_bytes(chunk, "little"))

    return array_text(a.u64(16), count, 4, a.memory, a.options, element=element).text


def _exit_text(
    command: int, entered: str, saved: tuple[c.Attr, bytes], a: c.Attr, failed: bool
) -> str | None:
    before, before_info = saved
    if command in _BATCHES:
        count = a.u32(32)
        return entered + (f" => {{batch={{count={count}}}}}" if count != before.u32(32) else "")
    if command in _NEXT_IDS:
        text = _changed(before.u32(4), a.u32(4))
        if a.reaches(8):
            text += f", open_flags={a.flags(8, K.BPF_FILE_MODE_FLAGS, 'BPF_F_???')}"
        return entered + text + _extra(a, 12) + "}"
    if command == _INFO:
        info = bpf_info.info_text(a, before_info, failed)
        text = _changed(before.u32(4), a.u32(4)) + f", info={info}}}"
        return entered + text + _extra(a, 16) + "}"
    if command == _QUERY:
        count = a.u32(24)
        ids = _ids(a, count, failed)
        counted = (f"{before.u32(24)} => " if before.u32(24) != count else "") + str(count)
        return entered + ids + f", prog_cnt={counted}}}" + _extra(a, 28) + "}"
    if command == _TASK:
        length = min(before.u32(12), a.u32(12))
        text = _changed(before.u32(12), a.u32(12)) + f", buf={a.string(16, length)}"
        text += (
            f", prog_id={a.u32(24)}, fd_type={a.xval(28, K.BPF_TASK_FD_TYPES, 'BPF_FD_TYPE_???')}"
        )
        text += f", probe_offset={number(a.u64(32))}, probe_addr={number(a.u64(40))}}}"
        return entered + text + _extra(a, 48) + "}"
    return None


def _exit(
    raw: Sequence[int],
    at: int,
    memory: Memory,
    options: Options,
    *,
    retval: int,
    args: Sequence[Arg],
) -> DecodedValue | None:
    """The part of the attr the kernel wrote, after what entry showed."""
    command = raw[0] & 0xFFFFFFFF
    entered, before = args[at].text, args[at].value
    if not isinstance(before, str):
        return None  # entry saved nothing: the attr was not read
    text = None
    if command not in COMMANDS and entered.startswith("{"):
        a = _read(raw, at, memory, options)
        if a is not None:
            text = _exit_text(command, entered, _attr_of(before, a), a, retval < 0)
    # The bytes entry kept for this comparison are no value of the call's: dropped.
    return DecodedValue(text or entered, None, raw[at])


def _attr_of(saved: str, now: c.Attr) -> tuple[c.Attr, bytes]:
    """The attr as entry saw it, and the info buffer it pointed to (OBJ_GET_INFO_BY_FD)."""
    attr, _, info = saved.partition("/")
    data = bytes.fromhex(attr).ljust(2 * _PAGE, b"\0")
    return c.Attr(data, now.size, now.memory, now.options), bytes.fromhex(info)


def _entry_saving(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
    """The entry's text, keeping the attr's bytes (hex) for the exit to compare."""
    decoded = _entry(raw, at, memory, options)
    size = raw[at + 1] & 0xFFFFFFFF if at + 1 < len(raw) else 0
    data = read_exact(memory, raw[at], size) if decoded.text.startswith("{") else None
    if data is None:
        return decoded
    saved = data.hex()
    if raw[0] & 0xFFFFFFFF == _INFO:
        attr = c.Attr(data.ljust(2 * _PAGE, b"\0"), size, memory, options)
        saved += "/" + bpf_info.info_at_entry(attr).hex()
    return DecodedValue(decoded.text, saved, raw[at])


DECODERS: dict[str, Decoder] = {
    # on_failure: strace completes some commands' attr at exit, failed or not
    "struct:bpf_attr": Decoder(entry=_entry_saving, exit=_exit, in_and_out=True, on_failure=True),
}
# The argument strace completes at exit, failed or not (traced.decoders.arguments).
OUTPUTS = (("bpf", "attr"),)
