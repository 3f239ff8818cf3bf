"""Single requests of several drivers, in strace 6.1's words: pure.

Kernel facts: NBD_SET_SOCK takes the socket's fd as its argument.  SG_SCSI_RESET
points to an int: a reset kind, optionally or-ed with SG_SCSI_RESET_NO_ESCALATE.
RNDADDENTROPY reads a struct rand_pool_info: entropy_count and buf_size as ints,
then buf_size bytes.  PERF_EVENT_IOC_QUERY_BPF reads ids_len and writes back
prog_cnt and that many u32 program ids (strace: ``...`` for them after a failure).
PERF_EVENT_IOC_MODIFY_ATTRIBUTES reads a struct perf_event_attr, printed as
perf_event_open's (families/perf_attr.py).
UFFDIO_API reads api and features (u64 each) and writes
back the features it supports and the ioctls it allows (a third u64).
"""

from __future__ import annotations

from traced.decoders._ioctls import SG_SCSI_RESETS, UFFD_FEATURES, UFFDIO_IOCTL_BITS
from traced.decoders.arrays import array_text
from traced.decoders.families.ioctl_kit import Request, fixed, ints, printstr
from traced.decoders.families.perf_attr import perf_event_attr
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.values import Memory, Options, as_signed, chex, read_exact
from traced.decoders.xlat import Table, format_enum, format_flags

_NO_ESCALATE = dict(SG_SCSI_RESETS)["SG_SCSI_RESET_NO_ESCALATE"]
# The ioctls UFFDIO_API allows, as bits by their numbers: 1<<_UFFDIO_API.
_UFFDIO_API_IOCTLS: Table = tuple(
    (f"1<<{name}", 1 << number)
    for name, number in UFFDIO_IOCTL_BITS
    if name in ("_UFFDIO_REGISTER", "_UFFDIO_UNREGISTER", "_UFFDIO_API")
)


def _scsi_reset(data: bytes, options: Options) -> str:
    value = ints("I", data)[0]
    kind = format_enum(value & ~_NO_ESCALATE, SG_SCSI_RESETS, "SG_SCSI_RESET_???").text
    escalate = format_enum(_NO_ESCALATE, SG_SCSI_RESETS, "").text
    return f"[{escalate}|{kind}]" if value & _NO_ESCALATE else f"[{kind}]"


def _entropy(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 8)
    if data is None:
        return None
    count, size = ints("ii", data)
    buffer = printstr(address + 8, memory, size & (1 << 64) - 1, options)
    return f"{{entropy_count={count}, buf_size={size}, buf={buffer}}}"


def _features(value: int) -> str:
    return format_flags(value, UFFD_FEATURES, "UFFD_FEATURE_???").text


def _api(data: bytes, options: Options) -> str:
    api, features = ints("2Q", data)
    return f"{{api={chex(api)}, features={_features(features)}}}"


def _api_exit(entry: str, address: int, memory: Memory, options: Options) -> str | None:
    """The features the kernel supports, where they differ from those asked, and the
    ioctls it allows."""
    data = read_exact(memory, address, 24)
    if data is None:
        return None
    _, features, ioctls = ints("3Q", data)
    text = _features(features)
    changed = "" if entry.endswith(f"features={text}}}") else f" => features={text}"
    allowed = format_flags(ioctls, _UFFDIO_API_IOCTLS, "_UFFDIO_???").text
    return f"{entry[:-1]}{changed}, ioctls={allowed}}}"


def _bpf_ids_asked(data: bytes, options: Options) -> str:
    return f"{{ids_len={ints('I', data)[0]}, ...}}"


def _bpf_ids(entry: str, address: int, memory: Memory, options: Options) -> str | None:
    """PERF_EVENT_IOC_QUERY_BPF at exit: how many programs, and their ids."""
    data = read_exact(memory, address + 4, 4)
    if data is None:
        return entry
    count = ints("I", data)[0]
    ids = array_text(address + 8, count, 4, memory, options, element=lambda d: str(ints("I", d)[0]))
    return f"{entry[:-4]}prog_cnt={count}, ids={ids.text}}}"


REQUESTS: dict[str, Request] = {
    "PERF_EVENT_IOC_QUERY_BPF": Request(entry=fixed(4, _bpf_ids_asked), finish=_bpf_ids),
    "PERF_EVENT_IOC_MODIFY_ATTRIBUTES": Request(
        entry=lambda raw, memory, options: perf_event_attr(raw, memory, options).text
    ),
    "NBD_SET_SOCK": Request(entry=lambda raw, memory, options: fd_in_memory(as_signed(raw, 32))),
    "SG_SCSI_RESET": Request(entry=fixed(4, _scsi_reset)),
    "RNDADDENTROPY": Request(entry=_entropy),
    "UFFDIO_API": Request(entry=fixed(16, _api), finish=_api_exit),
}
