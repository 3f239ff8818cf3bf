"""Test doubles for the pure cores: tracee memory as bytes, and plain arguments."""

from collections.abc import Sequence
from typing import Any

from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.shapes import decode_result
from traced.events import Arg, SyscallEvent
from traced.syscalls.names import errno_value


class FakeMemory:
    """Bytes at addresses, as a tracee would hold them; OSError anywhere else."""

    def __init__(self, regions: dict[int, bytes]) -> None:
        self.regions = regions

    def read(self, address: int, size: int) -> bytes:
        for start, data in self.regions.items():
            if start <= address < start + len(data):
                offset = address - start
                return data[offset : offset + size]
        raise OSError(14, "Bad address")

    def cstring(self, address: int, limit: int = 4096) -> bytes:
        data = self.read(address, limit)
        return data.split(b"\0", 1)[0]


def plain_args(*values: int | str) -> tuple[Arg, ...]:
    """Arguments as decode would give them: ints in decimal, strings quoted."""
    return tuple(
        Arg(name=f"arg{index}", type="int", value=value, raw=value, text=str(value))
        if isinstance(value, int)
        else Arg(name=f"arg{index}", type="path", value=value, raw=0, text=f'"{value}"')
        for index, value in enumerate(values)
    )


def returned(
    name: str, args: tuple[Arg, ...], retval: int, *, arch: str = "x86_64", **fields: Any
) -> SyscallEvent:
    """A returned call of session "s" with arguments decoded already (by the caller's
    options or by hand); ``fields``: the event's other fields (fd_path, ...)."""
    return SyscallEvent(
        session="s", pid=1, tid=1, ts_ns=1, nr=0, name=name, arch=arch, args=args,
        duration_ns=1, retval=retval, error=None, **fields,
    )  # fmt: skip


def decoded_call(
    name: str,
    raw: Sequence[int],
    retval: int,
    error: str | None = None,
    *,
    memory: dict[int, bytes] | None = None,
    tid: int = 10,
    ts_ns: int = 1,
    duration_ns: int = 5,
    abi: str = "x86_64",
) -> SyscallEvent:
    """A syscall event whose arguments went through the real decoders."""
    fake = FakeMemory(memory or {})
    args = decode_entry(name, raw, fake, abi=abi)
    if error is None:
        args = decode_exit(name, args, raw, fake, retval=retval, abi=abi)
    else:
        assert errno_value(error) > 0
    return SyscallEvent(
        session="s",
        pid=10,
        tid=tid,
        ts_ns=ts_ns,
        nr=0,
        name=name,
        arch=abi,
        args=args,
        duration_ns=duration_ns,
        retval=-1 if error else retval,
        error=error,
        retval_text=None if error else decode_result(name, raw, retval, memory=fake),
    )


def syscall(name: str, pid: int = 7) -> SyscallEvent:
    """A returned syscall of session "s", as the daemon's units see them."""
    return SyscallEvent(
        session="s",
        pid=pid,
        tid=pid,
        ts_ns=1,
        nr=0,
        name=name,
        arch="x86_64",
        args=(),
        duration_ns=1,
        retval=0,
        error=None,
    )
