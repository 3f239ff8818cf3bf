"""sock_diag's answers about a unix socket (traced.linux.sockdiag), on constructed
replies: the request strace sends, and what its unix_parse_response keeps."""

from __future__ import annotations

import struct

from traced.linux.sockdiag import UnixSocket, parse, request

SOCK_DIAG_BY_FAMILY, NLMSG_ERROR = 20, 2


def _attr(kind: int, data: bytes) -> bytes:
    raw = struct.pack("<HH", 4 + len(data), kind) + data
    return raw + bytes(-len(raw) % 4)


def _reply(inode: int, *attrs: bytes, kind: int = SOCK_DIAG_BY_FAMILY, family: int = 1) -> bytes:
    body = struct.pack("<BBBxIII", family, 1, 1, inode, 0, 0) + b"".join(attrs)
    return struct.pack("<IHHII", 16 + len(body), kind, 0, 0, 0) + body


def test_the_request_asks_for_one_inodes_name_and_peer() -> None:
    data = request(5648084)
    assert struct.unpack_from("<IHH", data) == (len(data), SOCK_DIAG_BY_FAMILY, 1)
    assert struct.unpack_from("<BBHIIIII", data, 16) == (
        1, 0, 0, 0xFFFFFFFF, 5648084, 0x5, 0xFFFFFFFF, 0xFFFFFFFF,
    )  # fmt: skip


def test_a_reply_gives_the_peer_and_the_name() -> None:
    name = _attr(0, b"net-yy-unix.socket\0")
    peer = _attr(2, struct.pack("<I", 5648085))
    assert parse(_reply(5648086, name, peer), 5648086) == UnixSocket(
        5648085, b"net-yy-unix.socket\0"
    )
    assert parse(_reply(7, _attr(0, b"\0" + b"16fc7")), 7) == UnixSocket(0, b"\x0016fc7")


def test_nothing_is_said_of_another_inode_an_error_or_a_bare_socket() -> None:
    assert parse(_reply(8, _attr(2, struct.pack("<I", 9))), 7) is None
    assert parse(_reply(7, kind=NLMSG_ERROR), 7) is None
    assert parse(_reply(7, _attr(2, struct.pack("<I", 0))), 7) is None  # no peer, no name
    assert parse(_reply(7, _attr(2, b"\1"), family=2), 7) is None
