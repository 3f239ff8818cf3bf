"""Which fds are netlink sockets, and of which protocol, for the decode under way.

The decoders of sendto's, recvfrom's and the msghdrs' buffers ask
:func:`netlink_protocol` about the call's fd.  The answer is the shell's (it reads
/proc); arguments.decode_entry/decode_exit hand it over for the span of one decode
through a :class:`contextvars.ContextVar`, as they do the print style (style.py),
so that the decoders' signatures stay as every family's are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from traced.decoders.xlat import Table

# fd -> its netlink protocol (NETLINK_ROUTE...), -1 for a netlink socket whose
# protocol is unknown, None for an fd that is no netlink socket.  The shell's also
# has a generic_families() method: NETLINK_GENERIC's families by name.
NetlinkOf = Callable[[int], "int | None"]
UNKNOWN = -1


def no_netlink(fd: int) -> int | None:
    return None


_CURRENT: ContextVar[NetlinkOf] = ContextVar("traced_netlink_of", default=no_netlink)


def generic_families() -> Table:
    """NETLINK_GENERIC's families, (name, id), as the shell's lookup has the kernel
    name them (its ``generic_families`` method), if it does."""
    lookup = getattr(_CURRENT.get(), "generic_families", None)
    return lookup() if callable(lookup) else ()


def netlink_protocol(fd: int) -> int | None:
    """The protocol of ``fd`` if it is a netlink socket (:data:`UNKNOWN` when the
    kernel does not say), else None."""
    return _CURRENT.get()(fd)


@contextmanager
def netlink_known(lookup: NetlinkOf) -> Iterator[None]:
    """``lookup`` answers :func:`netlink_protocol` for what runs inside the block."""
    token = _CURRENT.set(lookup)
    try:
        yield
    finally:
        _CURRENT.reset(token)
