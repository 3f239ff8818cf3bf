"""The C library handle every binding shares, and the errno check they all use.

ctypes calls into glibc directly; ``use_errno=True`` makes ctypes save errno
right after each call, so :func:`last_errno` is safe to read even though Python
itself may make syscalls between our call and the read.
"""

from __future__ import annotations

import ctypes

libc = ctypes.CDLL(None, use_errno=True)


def last_errno() -> int:
    """errno as it was right after the most recent ctypes call on this thread."""
    return ctypes.get_errno()
