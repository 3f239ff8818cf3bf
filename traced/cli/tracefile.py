"""Where the trace goes with -o: files that know what they could not write.

A trace that cannot be written must never change what the traced command does,
nor its exit status (strace warns and goes on).  So no write here raises: a
file that fails stops writing, counts the lines it did not write, and the CLI
says so once, at the end (``loss_notice``).

Kernel facts relied on:

* write(2) may take part of a buffer and fail on the next call (ENOSPC on a full
  filesystem, EDQUOT, EFBIG, EIO; /dev/full fails every write with ENOSPC).  Bytes
  it took are in the file: the lines lost are exactly those whose newline it did not
  take.  close(2) may report a failure of writes it took earlier (NFS).
* open(2) fails with EMFILE when the process holds RLIMIT_NOFILE fds, ENFILE when
  the system is out of files: closing one of ours makes room for the next.  So -ff
  keeps as many files open as it can, closes the one least recently written when
  it cannot open another, and reopens it (O_APPEND) when its task writes again.
  Nothing is lost as long as one fd can be had.
"""

from __future__ import annotations

import errno
import os
from collections import OrderedDict
from collections.abc import Iterable
from typing import Protocol

BLOCK = 8192  # bytes gathered before a write(2), as a buffered Python file does
_OUT_OF_FDS = (errno.EMFILE, errno.ENFILE)


class Output(Protocol):
    """What the printer writes to: a text stream (sys.stderr, a StringIO) or a TraceFile."""

    def write(self, text: str, /) -> int: ...
    def flush(self) -> None: ...
    def isatty(self) -> bool: ...


class Failed(Protocol):
    """An output that may have failed: where, why, and how many lines it did not write."""

    name: str
    error: OSError | None
    lines_lost: int


class TraceFile:
    """A trace file written in blocks of ``BLOCK`` bytes; it never raises on write."""

    def __init__(self, path: str, *, append: bool = False, fd: int | None = None) -> None:
        """``path`` created (truncated, or appended to); or, given ``fd``, that fd
        (``-o -``: standard output), written to but never closed here."""
        mode = os.O_APPEND if append else os.O_TRUNC
        self.owned = fd is None
        self.fd = (
            os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | mode, 0o666)
            if fd is None
            else fd
        )
        self.name = path
        self.error: OSError | None = None
        self.lines_lost = 0
        self._pending = bytearray()
        self._line_buffered = os.isatty(self.fd)  # a person reads it as it comes

    def isatty(self) -> bool:
        return self._line_buffered

    def write(self, text: str, /) -> int:
        if self.error is not None:
            self.lines_lost += text.count("\n")
            return len(text)
        self._pending += text.encode("utf-8", "backslashreplace")
        if len(self._pending) >= BLOCK or (self._line_buffered and "\n" in text):
            self.flush()
        return len(text)

    def flush(self) -> None:
        done = 0
        view = memoryview(self._pending)
        try:
            while done < len(view):
                done += os.write(self.fd, view[done:])
        except OSError as error:
            self.error = error
            self.lines_lost += self._pending.count(b"\n", done)
        finally:
            view.release()
            del self._pending[:]

    def close(self) -> None:
        self.flush()
        if not self.owned:
            return
        try:
            os.close(self.fd)
        except OSError as error:  # a failure of writes it took earlier
            self.error = self.error or error


class Discarded:
    """A stream that failed (or a -ff file that could not be opened): counts what it is given."""

    def __init__(self, name: str, error: OSError, lines_lost: int = 0) -> None:
        self.name = name
        self.error: OSError | None = error
        self.lines_lost = lines_lost

    def write(self, text: str, /) -> int:
        self.lines_lost += text.count("\n")
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class PerTaskFiles:
    """-ff: each task's lines in a file of its own, ``BASE.TID``, as strace writes them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.open: OrderedDict[int, TraceFile] = OrderedDict()  # least recently written first
        self.started: set[int] = set()  # tids whose file this trace created (reopen: append)
        self.unopened: dict[int, Discarded] = {}  # tids whose file could not be opened
        self.failed: list[Failed] = []  # closed files that lost lines

    def __getitem__(self, tid: int) -> Output:
        out = self.open.get(tid)
        if out is not None:
            self.open.move_to_end(tid)
            return out
        path = f"{self.base}.{tid}"
        while True:
            try:
                out = TraceFile(path, append=tid in self.started)
            except OSError as error:
                if error.errno in _OUT_OF_FDS and self.open:
                    self._retire(*self.open.popitem(last=False))  # room for this one
                    continue
                lost = self.unopened.setdefault(tid, Discarded(path, error))
                return lost
            self.started.add(tid)
            self.open[tid] = out
            return out

    def close(self, tid: int) -> None:
        """``tid`` exited: its file is complete (a new task with its tid starts a new one)."""
        out = self.open.pop(tid, None)
        if out is not None:
            self._retire(tid, out)
        self.started.discard(tid)
        lost = self.unopened.pop(tid, None)
        if lost is not None:
            self.failed.append(lost)

    def close_all(self) -> None:
        for tid in list(self.open) + list(self.unopened):
            self.close(tid)

    def _retire(self, tid: int, out: TraceFile) -> None:
        out.close()
        if out.error is not None:
            self.failed.append(out)


def loss_notice(outputs: Iterable[Failed]) -> str | None:
    """One sentence for whatever of the trace could not be written; None if all was."""
    # EPIPE: the reader went away (``-o - | head``), which is no loss to report.
    failed = [out for out in outputs if out.error and not isinstance(out.error, BrokenPipeError)]
    if not failed:
        return None
    first = failed[0]
    assert first.error is not None
    reason = first.error.strerror or str(first.error)
    code = errno.errorcode.get(first.error.errno or 0, "")
    where = first.name if len(failed) == 1 else f"{first.name} and {len(failed) - 1} other files"
    lines = sum(out.lines_lost for out in failed)
    lost = f"{lines} lines of the trace were not written" if lines else "its end may be missing"
    return f"cannot write the trace to {where}: {reason} ({code}); {lost}"
