"""getsockopt/setsockopt values and control messages on constructed registers and
memory: strace 6.1's text out (lines from its runs of strace's sockopt-*, so_*,
ip_mreq, group_req, net-* and msg_control tests)."""

import struct

from tests.unit.test_generated_constants import line

VALUE, LENGTH = 0x2000, 0x3000


def _got(level: int, name: int, value: bytes, length: int) -> str:
    memory = {VALUE: value, LENGTH: struct.pack("<i", length)}
    return line("getsockopt", (3, level, name, VALUE, LENGTH), 42, memory)


def _set(level: int, name: int, value: bytes, length: int) -> str:
    return line("setsockopt", (3, level, name, VALUE, length), 0, {VALUE: value})


def test_int_options_by_length() -> None:
    assert _got(1, 1, struct.pack("<i", 1) + b"\xff", 5).startswith(
        "getsockopt(3, SOL_SOCKET, SO_DEBUG, [1], [5])"
    )
    assert _got(1, 1, b"\0\0\0", 3).startswith(
        'getsockopt(3, SOL_SOCKET, SO_DEBUG, "\\x00\\x00\\x00", [3])'
    )
    # SO_TYPE is no int to strace: five bytes are a string, four an int.
    assert _got(1, 3, b"\1\0\0\0\xff", 5).startswith(
        'getsockopt(3, SOL_SOCKET, SO_TYPE, "\\1\\0\\0\\0\\377", [5])'
    )
    assert _set(1, 1, struct.pack("<i", -1234567890) + b"\0", 5) == (
        "setsockopt(3, SOL_SOCKET, SO_DEBUG, [-1234567890], 5) = 0"
    )
    assert _set(1, 1, b"\0\0\0", 3) == "setsockopt(3, SOL_SOCKET, SO_DEBUG, 0x2000, 3) = 0"
    assert _set(1, 0x4A, struct.pack("<i", 2), 4) == (
        "setsockopt(3, SOL_SOCKET, SO_TXREHASH, [2 /* SOCK_TXREHASH_??? */], 4) = 0"
    )


def test_structs_cut_by_the_returned_length() -> None:
    linger = struct.pack("<ii", 1, -1752346657)
    assert _got(1, 13, linger, 8).startswith(
        "getsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=-1752346657}, [8])"
    )
    assert _got(1, 13, linger, 7).startswith(
        'getsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger="\\xdf\\x4f\\x8d"}, [7])'
    )
    assert _set(1, 13, linger, 4) == "setsockopt(3, SOL_SOCKET, SO_LINGER, 0x2000, 4) = 0"
    assert _got(1, 17, struct.pack("<iII", 7, 0, 0), 12).startswith(
        "getsockopt(3, SOL_SOCKET, SO_PEERCRED, {pid=7, uid=0, gid=0}, [12])"
    )


def test_other_levels_name_their_options_and_print_their_structs() -> None:
    assert _set(0, 51, b"\1\0\0", 3) == (
        'setsockopt(3, SOL_IP, 0x33 /* IP_??? */, "\\1\\0\\0", 3) = 0'
    )
    assert _set(0, 35, bytes([224, 0, 0, 3, 127, 0, 0, 1]), 8) == (
        'setsockopt(3, SOL_IP, IP_ADD_MEMBERSHIP, {imr_multiaddr=inet_addr("224.0.0.3"), '
        'imr_interface=inet_addr("127.0.0.1")}, 8) = 0'
    )
    assert _set(271, 127, struct.pack("<i", 2), 4) == (
        "setsockopt(3, SOL_TIPC, TIPC_IMPORTANCE, [2], 4) = 0"
    )
    assert _set(255, 1, struct.pack("<I", 0x1839), 4) == (
        "setsockopt(3, SOL_RAW, ICMP_FILTER, [ICMP_ECHOREPLY ICMP_DEST_UNREACH "
        "ICMP_SOURCE_QUENCH ICMP_REDIRECT ICMP_TIME_EXCEEDED ICMP_PARAMETERPROB], 4) = 0"
    )
    mreq = struct.pack("<iHH8s", 0, 0xFFFF, 8, b"\xff" * 8)
    assert _set(263, 1, mreq, 16) == (
        "setsockopt(3, SOL_PACKET, PACKET_ADD_MEMBERSHIP, {mr_ifindex=0, "
        "mr_type=0xffff /* PACKET_MR_??? */, mr_alen=8, "
        "mr_address=ff:ff:ff:ff:ff:ff:ff:ff}, 16) = 0"
    )
    # A level strace has no table for: the name as an unsigned number.
    assert (
        _set(999, 0xFFFFFFFF, b"", 0) == 'setsockopt(3, 0x3e7 /* SOL_?? */, 4294967295, "", 0) = 0'
    )


def _sendmsg(control: bytes) -> str:
    header = struct.pack("<QI4xQQQQi4x", 0, 0, 0, 0, 0x4000, len(control), 0)
    return line("sendmsg", (-1, 0x3000, 0), -9, {0x3000: header, 0x4000: control})


def test_control_messages_by_level_and_type() -> None:
    rights_short = struct.pack("<Qii", 17, 1, 1) + b"\xf6"
    assert "cmsg_type=SCM_RIGHTS}], msg_controllen=17" in _sendmsg(rights_short)
    stamp = struct.pack("<Qii", 32, 1, 29) + struct.pack("<qQ", 123456789, 987654)
    assert "cmsg_type=SO_TIMESTAMP_OLD, cmsg_data={tv_sec=123456789, tv_usec=987654}}]" in _sendmsg(
        stamp
    )
    tos = struct.pack("<Qii", 17, 0, 1) + b"A" + b"\0" * 7
    assert "cmsg_level=SOL_IP, cmsg_type=IP_TOS, cmsg_data=[0x41]}]" in _sendmsg(tos)
    other = struct.pack("<Qii", 16, 6, 5)
    assert "cmsg_level=SOL_TCP, cmsg_type=0x5}]" in _sendmsg(other)
