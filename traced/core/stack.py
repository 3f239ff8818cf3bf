"""Stack traces (-k), the pure half: which stops take one, and where each frame is.

strace 6.1 (src/unwind.c, unwind-libunwind.c, mmap_cache.c) walks a task's stack
with libunwind after a syscall's exit line, and after a signal's or a group-stop's
line; for the calls whose caller is gone by their return (execve, execveat, exit,
exit_group: its SE flag, STACKTRACE_CAPTURE_ON_ENTER) it walks at their entry and
prints at their exit, or, for those that never return, when the task is gone.  The
first execve of the command it started is the exception: strace hides everything
before it, so that stack is walked at its exit, in the new program.

Each instruction pointer is placed by the task's /proc/PID/maps, which strace reads
once and reads again only after a call that may change the mappings (its SI flag:
MAPPING_CHANGES) returns in any task.  An ip in no mapped file, or in one that is
not executable, ends the walk (``unexpected_backtracing_error``), and so does the
256th frame (``too many stack frames``).

The shell (traced.tracer.stacks) reads the maps and drives libunwind; this module
parses the maps and turns an ip and its symbol into a :class:`Frame`.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple

from traced.events import Frame, text_of

# strace's STACKTRACE_CAPTURE_ON_ENTER calls (SE in its syscallent tables).
CAPTURED_AT_ENTRY = frozenset(("execve", "execveat", "exit", "exit_group"))
# strace's MEMORY_MAPPING_CHANGE calls (SI), in every ABI's spelling.  strace counts a
# syscall its table lacks among them too (traced names those syscall_0x...).
MAPPING_CHANGES = frozenset(
    (
        "mmap", "mmap2", "old_mmap", "mprotect", "pkey_mprotect", "munmap", "brk", "mremap",
        "remap_file_pages", "shmat", "shmdt", "execve", "execveat",
    )
)  # fmt: skip
UNKNOWN_PREFIX = "syscall_"
FRAME_LIMIT = 256  # strace 6.1's walk stops there, with "too many stack frames"

UNEXPECTED = "unexpected_backtracing_error"
TOO_MANY = "too many stack frames"


def changes_mappings(name: str) -> bool:
    """Whether the return of ``name`` sends strace back to /proc/PID/maps."""
    return name in MAPPING_CHANGES or name.startswith(UNKNOWN_PREFIX)


class Mapping(NamedTuple):
    """A line of /proc/PID/maps that names a file."""

    start: int
    end: int
    offset: int  # of the mapping in the file
    executable: bool
    path: bytes


_PERMS = (b"r-", b"w-", b"x-", b"ps")


def parse_maps(text: bytes) -> tuple[Mapping, ...]:
    """The file mappings of /proc/PID/maps, in ascending order, as strace keeps them:
    anonymous mappings and odd lines left out, a duplicate ([vsyscall]) or an
    overlapping range dropped."""
    maps: list[Mapping] = []
    for line in text.splitlines():
        parsed = _parse_line(line)
        if parsed is None:
            continue
        if maps:
            last = maps[-1]
            if (last.start, last.end) == (parsed.start, parsed.end):
                continue
            if parsed.start <= last.start or parsed.start < last.end:
                continue
        maps.append(parsed)
    return tuple(maps)


def _parse_line(line: bytes) -> Mapping | None:
    fields = line.split(maxsplit=5)
    if len(fields) < 6:
        return None  # no path: an anonymous mapping
    span, perms, offset, device, _inode, path = fields
    low, _, high = span.partition(b"-")
    major, _, minor = device.partition(b":")
    if len(perms) < 4 or any(perms[i] not in _PERMS[i] for i in range(4)):
        return None
    try:
        start, end, at = int(low, 16), int(high, 16), int(offset, 16)
        int(major, 16), int(minor, 16)
    except ValueError:
        return None
    if end < start:
        return None
    return Mapping(start, end, at, perms[2] == ord("x"), path)


def find(maps: tuple[Mapping, ...], ip: int) -> Mapping | None:
    """The mapping ``ip`` lies in, if any."""
    index = bisect.bisect_right(maps, ip, key=lambda mapping: mapping.start) - 1
    if index >= 0 and maps[index].start <= ip < maps[index].end:
        return maps[index]
    return None


def frame(mapping: Mapping, ip: int, symbol: bytes, offset: int) -> Frame:
    """The frame of ``ip`` in ``mapping``, ``offset`` bytes into ``symbol`` (b"": none)."""
    return Frame(
        ip=ip,
        module=text_of(mapping.path),
        address=ip - mapping.start + mapping.offset,
        symbol=symbol.decode("utf-8", "backslashreplace") if symbol else None,
        offset=offset if symbol else 0,
    )


def lost(ip: int) -> Frame:
    """An ip outside every executable file mapping: the walk ends there."""
    return Frame(ip=ip, error=UNEXPECTED)


TOO_DEEP = Frame(error=TOO_MANY)
