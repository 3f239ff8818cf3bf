"""Protocol framing: UTF-8 JSON, one message a line.  Pure: bytes in, lines out.

A line longer than the limit is reported once and skipped up to its newline,
so one bad message costs the sender that message and nothing else.  Bytes left
without a newline when the peer closes are a half-written line, reported too.

The default limit is 16 MiB: a launch request carries its command's argv and
environment, which the kernel allows up to 6 MiB together (a quarter of the stack
limit, at most three quarters of 8 MiB; 2 MiB under the usual 8 MiB stack), and
JSON may spell a byte in up to six (``\u0001``).  A line is scanned for its newline
once, however many reads it arrives in.
"""

from __future__ import annotations

import json
from typing import Any

DEFAULT_MAX_LINE = 1 << 24  # bytes, newline excluded


class _Frame:
    """A frame is a value: equal to a frame of its kind with equal fields.

    Written out rather than a frozen dataclass, which costs ~1 ms to create with slots:
    a client (``traced launch`` through the daemon) imports this module to start."""

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._fields() == self._fields()

    def __hash__(self) -> int:
        return hash((type(self), self._fields()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Line(_Frame):
    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


class Oversized(_Frame):
    """A line that went past the limit; ``seen`` bytes of it were read before giving up."""

    __slots__ = ("seen",)

    def __init__(self, seen: int) -> None:
        self.seen = seen


class Truncated(_Frame):
    """The peer closed in the middle of a line."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


Frame = Line | Oversized | Truncated


class LineDecoder:
    """Splits a byte stream into lines of at most ``max_line`` bytes."""

    def __init__(self, max_line: int = DEFAULT_MAX_LINE) -> None:
        self.max_line = max_line
        self._buffer = bytearray()
        self._skipping = False  # inside an oversized line, waiting for its newline
        self._scanned = 0  # bytes of the buffer known to hold no newline

    def feed(self, data: bytes) -> list[Frame]:
        frames: list[Frame] = []
        self._buffer += data
        while True:
            newline = self._buffer.find(b"\n", self._scanned)
            if newline < 0:
                self._scanned = len(self._buffer)
                break
            self._scanned = 0
            line = bytes(self._buffer[:newline])
            del self._buffer[: newline + 1]
            if self._skipping:
                self._skipping = False
            elif len(line) > self.max_line:
                frames.append(Oversized(len(line)))
            else:
                frames.append(Line(line))
        if len(self._buffer) > self.max_line:
            if not self._skipping:
                frames.append(Oversized(len(self._buffer)))
            self._skipping = True
            self._buffer.clear()
            self._scanned = 0
        return frames

    @property
    def partial(self) -> bool:
        """Whether part of a line is waiting for the rest."""
        return bool(self._buffer) or self._skipping

    def close(self) -> list[Frame]:
        """The peer is gone: report a half-written line, if any."""
        rest, self._buffer, self._scanned = bytes(self._buffer), bytearray(), 0
        if rest and not self._skipping:
            return [Truncated(rest)]
        return []


def encode(message: dict[str, Any]) -> bytes:
    """One message as one line: compact JSON, UTF-8, newline-terminated.

    A lone surrogate (a client may send one as a \\u escape, and have it echoed)
    has no UTF-8 form: it goes out as the same \\u escape, which is valid JSON."""
    text = json.dumps(message, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8", "backslashreplace") + b"\n"
