"""Noticing that a socket's peer has gone, without reading from the socket.

Kernel facts this module depends on:

* A read returns 0 bytes both when the peer has shut down its sending side
  (shutdown(SHUT_WR): it has said all it will say, and may still read) and when
  it has closed the socket: a read cannot tell the two apart.
* An AF_UNIX stream socket is EPOLLHUP once both of its directions are shut: its
  peer closed it, or shut it down both ways.  After the peer's shutdown(SHUT_WR)
  alone it is readable at end of file (EPOLLIN, EPOLLRDHUP), never EPOLLHUP.
* epoll always reports EPOLLHUP and EPOLLERR, whatever events it was asked for:
  an epoll instance that watches a socket for no event at all is ready only once
  one of those happens, where the socket itself, at end of file, is always
  readable.
* An epoll fd is itself pollable, readable while it has a ready event, so an
  event loop waits on it as on any fd.
"""

from __future__ import annotations

import select


def watch_hangup(fd: int) -> select.epoll:
    """An epoll fd that becomes readable once the peer of socket ``fd`` has gone
    (closed, or shut down both ways) or the socket has an error; close it after use."""
    watch = select.epoll(1)  # close-on-exec, as every fd Python makes
    try:
        watch.register(fd, 0)  # no event asked for: only EPOLLHUP and EPOLLERR come
    except OSError:
        watch.close()
        raise
    return watch
