"""The network interface requests (families/ioctl_sock.py): strace 6.1's text out,
from its runs of strace's ioctl_sock test."""

import socket
import struct

from tests.unit.ioctl_cases import argument
from traced.decoders.style import RAW, VERBOSE
from traced.decoders.values import Options

SIFADDR, SIFHWADDR, SIFMAP, GIFINDEX, GIFNAME = 0x8916, 0x8924, 0x8971, 0x8933, 0x8910

NAME = b"eth0".ljust(16, b"\0")


def test_addresses_and_hardware_addresses_by_style() -> None:
    inet = struct.pack("<H", socket.AF_INET) + struct.pack(">H", 7085) + bytes((127, 0, 0, 1))
    assert argument(SIFADDR, NAME + inet.ljust(24, b"\0")) == (
        '{ifr_name="eth0", ifr_addr={sa_family=AF_INET, sin_port=htons(7085), '
        'sin_addr=inet_addr("127.0.0.1")}}'
    )
    hw = NAME + (struct.pack("<H", 1) + bytes(range(0x92, 0x9A)) + bytes(6)).ljust(24, b"\0")
    assert argument(SIFHWADDR, hw) == (
        '{ifr_name="eth0", ifr_hwaddr={sa_family=ARPHRD_ETHER, sa_data=92:93:94:95:96:97}}'
    )
    assert argument(SIFHWADDR, hw, options=Options(xlat=RAW)).endswith(
        'sa_data="\\x92\\x93\\x94\\x95\\x96\\x97\\x98\\x99\\x00\\x00\\x00\\x00\\x00\\x00"}}'
    )
    assert argument(SIFHWADDR, hw, options=Options(xlat=VERBOSE)).endswith(
        '\\x00" /* 92:93:94:95:96:97 */}}'
    )


def test_map_index_and_name() -> None:
    ifmap = NAME + struct.pack("<QQHBBB5x", 1, 2, 0xA1A0, 0xA2, 0xA3, 0xA4)
    assert argument(SIFMAP, ifmap) == (
        '{ifr_name="eth0", ifr_map={mem_start=0x1, mem_end=0x2, base_addr=0xa1a0, irq=0xa2, '
        "dma=0xa3, port=0xa4}}"
    )
    indexed = NAME + struct.pack("<i20x", 1)
    assert argument(GIFINDEX, indexed, indexed) == '{ifr_name="eth0", ifr_ifindex=1}'
    assert argument(GIFNAME, indexed, failed=True) == "{ifr_ifindex=1}"
    assert argument(GIFNAME, indexed, indexed) == '{ifr_ifindex=1, ifr_name="eth0"}'


def test_ifconf_length_and_interfaces() -> None:
    gifconf = 0x8912
    null = struct.pack("<i4xQ", 0, 0)
    assert argument(gifconf, null, struct.pack("<i4xQ", 80, 0)) == (
        "{ifc_len=80 /* 2 * sizeof(struct ifreq) */, ifc_buf=NULL}"
    )
    buffer = 0x7FFC07E58BD0 + 16
    lo = (
        b"lo".ljust(16, b"\0")
        + struct.pack("<H", socket.AF_INET)
        + bytes(2)
        + bytes((127, 0, 0, 1))
    )
    asked = struct.pack("<i4xQ", 82, buffer) + lo.ljust(40, b"\0")
    filled = struct.pack("<i4xQ", 40, buffer) + lo.ljust(40, b"\0")
    assert argument(gifconf, asked, filled) == (
        '{ifc_len=82 => 40 /* 1 * sizeof(struct ifreq) */, ifc_buf=[{ifr_name="lo", '
        'ifr_addr={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("127.0.0.1")}}]}'
    )
    assert argument(gifconf, filled, failed=True) == (
        f"{{ifc_len=40 /* 1 * sizeof(struct ifreq) */, ifc_buf={buffer:#x}}}"
    )
