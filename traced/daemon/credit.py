"""How far a worker may run ahead of the front, per session.  Pure.

A worker sends a session's events as fast as its tracees make them; the front
reads them, numbers them and queues them for the session's subscribers, and holds
the session when a lossless subscriber falls behind.  That hold is an order on the
channel: everything the worker sent before reading it still reaches the
subscriber's queue.  So each session may have at most ``limit`` bytes of events
sent and not yet read by the front (the front says what it has read, in counts of
events); past that the worker holds the session itself, until the front has read
half of them.  A daemon with one loop holds a session the moment its subscriber's
queue is full; with workers, a full queue may be overrun by at most this window.
"""

from __future__ import annotations

from collections import deque

WINDOW_BYTES = 32 * 1024  # a few events of 8 KiB, some eighty of a getppid


class Window:
    """One session's events in flight from a worker to the front."""

    def __init__(self, limit: int = WINDOW_BYTES) -> None:
        self.limit = limit
        self.bytes = 0
        self.held = False  # by this window (the session's other holders are apart)
        self._sizes: deque[int] = deque()

    def sent(self, size: int) -> bool:
        """An event of ``size`` bytes went out: True if the session must be held now."""
        self._sizes.append(size)
        self.bytes += size
        if self.bytes > self.limit and not self.held:
            self.held = True
            return True
        return False

    def read(self, count: int) -> bool:
        """The front read ``count`` more events: True if the session may go on now."""
        sizes = self._sizes
        for _ in range(min(count, len(sizes))):
            self.bytes -= sizes.popleft()
        if self.held and self.bytes <= self.limit // 2:
            self.held = False
            return True
        return False
