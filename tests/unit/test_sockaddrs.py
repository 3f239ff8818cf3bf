"""struct sockaddr's families as strace 6.1 prints them in each -X style, on
constructed memory: strace's text out (from its net-sockaddr and sockaddr_xlat tests)."""

import struct

from tests.unit.plain import FakeMemory
from traced.decoders.families.sockets import decode_sockaddr
from traced.decoders.style import RAW, VERBOSE, Style, applied

AT = 0x4000


def text(data: bytes, length: int | None = None) -> str:
    return decode_sockaddr(AT, FakeMemory({AT: data}), len(data) if length is None else length).text


def test_unix_paths_at_their_longest() -> None:
    path = struct.pack("<H", 1) + b"0" * 110
    assert text(path, 112) == '{sa_family=AF_UNIX, sun_path="' + "0" * 108 + '"}'
    abstract = struct.pack("<H", 1) + b"\0" + b"0" * 109
    assert text(abstract, 112) == '{sa_family=AF_UNIX, sun_path=@"' + "0" * 107 + '"}'


def test_inet6_without_its_scope_and_short() -> None:
    head = struct.pack("<H", 10) + struct.pack(">HI", 12345, 1234567890)
    address = bytes.fromhex("00120034005600780090 00ab00cd00ef".replace(" ", ""))
    assert text(head + address, 24) == (
        "{sa_family=AF_INET6, sin6_port=htons(12345), sin6_flowinfo=htonl(1234567890), "
        'inet_pton(AF_INET6, "12:34:56:78:90:ab:cd:ef", &sin6_addr)}'
    )
    with applied(Style(xlat=VERBOSE)):
        assert text(
            struct.pack("<H", 2)
            + struct.pack(">H", 12345)
            + bytes([127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
            16,
        ) == (
            '{sa_family=0x2 /* AF_INET */, sin_port="\\x30\\x39" /* htons(12345) */, '
            'sin_addr="\\x7f\\x00\\x00\\x01" /* inet_addr("127.0.0.1") */}'
        )


def test_packet_netlink_ipx_x25() -> None:
    packet = struct.pack("<H2sIHBB8s", 17, b"\0\3", 0xFACEFEED, 1, 0, 9, b"abcdefgh")
    assert text(packet) == (
        "{sa_family=AF_PACKET, sll_protocol=htons(ETH_P_ALL), sll_ifindex=4207869677, "
        "sll_hatype=ARPHRD_ETHER, sll_pkttype=PACKET_HOST, sll_halen=9, "
        "sll_addr=[0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, ...]}"
    )
    netlink = struct.pack("<HHII", 16, 0xFFFF, 1234567890, 0xFACEFEED)
    assert text(netlink) == (
        "{sa_family=AF_NETLINK, nl_pad=0xffff, nl_pid=1234567890, nl_groups=0xfacefeed}"
    )
    ipx = struct.pack("<H", 4) + struct.pack(">HI", 12345, 0xFACEFEED) + b"ABCDEF\xff\x42"
    assert text(ipx) == (
        "{sa_family=AF_IPX, sipx_port=htons(12345), sipx_network=htonl(0xfacefeed), "
        "sipx_node=[0x41, 0x42, 0x43, 0x44, 0x45, 0x46], sipx_type=0xff, sipx_zero=0x42}"
    )
    x25 = struct.pack("<H", 9) + b"0123456789abcdef"
    assert text(x25) == '{sa_family=AF_X25, sx25_addr={x25_addr="0123456789abcde"...}}'
    assert text(x25[:17]) == '{sa_family=AF_X25, sa_data="0123456789abcde"}'


def test_ax25_callsigns_and_digipeaters() -> None:
    call = bytes(byte << 1 for byte in b"VALID ") + bytes([13 << 1])
    short = struct.pack("<H7s3xi", 3, call, 0)
    assert text(short) == "{sa_family=AF_AX25, sax25_call=VALID-13, sax25_ndigis=0}"
    full = struct.pack("<H7s3xi", 3, call, 8)
    assert text(full) == (
        "{sa_family=AF_AX25, fsa_ax25={sax25_call=VALID-13, sax25_ndigis=8}, fsa_digipeater=[...]}"
    )


def test_rxrpc_transport() -> None:
    sin = struct.pack("<HHHHH", 33, 2501, 4, 16, 2) + struct.pack(">H", 44510)
    data = (sin + bytes([0xED, 0xFE, 0xCE, 0xFA])).ljust(36, b"\0")
    assert text(data) == (
        "{sa_family=AF_RXRPC, srx_service=0x9c5 /* YFS_CM_SERVICE */, transport_type=SOCK_RDM, "
        "transport_len=16, transport={sin={sin_family=AF_INET, sin_port=htons(44510), "
        'sin_addr=inet_addr("237.254.206.250")}}}'
    )
    with applied(Style(xlat=RAW)):
        assert text(data).startswith("{sa_family=0x21, srx_service=0x9c5, transport_type=0x4, ")


def test_newer_families() -> None:
    ieee = struct.pack("<H2xiH2s6x", 36, 2, 0xFFFF, b"\xf8\xf9").ljust(20, b"\0")
    assert text(ieee) == (
        "{sa_family=AF_IEEE802154, addr={addr_type=0x2 /* IEEE802154_ADDR_SHORT */, "
        "pan_id=0xffff /* IEEE802154_PANID_BROADCAST */, short_addr=0xf9f8}}"
    )
    alg = struct.pack("<H14sII8s", 38, b"", 0x1000, 0x1000, b"")
    assert text(alg) == (
        '{sa_family=AF_ALG, salg_type="", salg_feat=0x1000 /* CRYPTO_ALG_KERN_DRIVER_ONLY */, '
        'salg_mask=0x1000 /* CRYPTO_ALG_KERN_DRIVER_ONLY */, salg_name=""}'
    )
    vsock = struct.pack("<HHIIB3s", 40, 0, 1, 1, 1, b"")
    assert text(vsock) == (
        "{sa_family=AF_VSOCK, svm_cid=VMADDR_CID_LOCAL, svm_port=0x1, "
        "svm_flags=VMADDR_FLAG_TO_HOST}"
    )
    qrtr = struct.pack("<H2xII", 42, 0xFFFFFFFF, 0xFFFFFFFE)
    assert text(qrtr) == "{sa_family=AF_QIPCRTR, sq_node=QRTR_NODE_BCAST, sq_port=QRTR_PORT_CTRL}"
    xdp = struct.pack("<HHIII", 44, 0xBAE0, 0, 5, 7)
    assert text(xdp) == (
        "{sa_family=AF_XDP, sxdp_flags=0xbae0 /* XDP_??? */, sxdp_ifindex=0, sxdp_queue_id=5, "
        "sxdp_shared_umem_fd=0x7}"
    )
    mctp = struct.pack("<HHIBBBB", 45, 0, 0, 0xFF, 1, 8, 0xEA)
    assert text(mctp) == (
        "{sa_family=AF_MCTP, smctp_network=MCTP_NET_ANY, smctp_addr={s_addr=MCTP_ADDR_ANY}, "
        "smctp_type=0x1, smctp_tag=0x8, __smctp_pad1=0xea}"
    )
    nfc = struct.pack("<H2xIII", 39, 0, 0, 0)
    assert text(nfc + b"\0", 17) == (
        "{sa_family=AF_NFC, dev_idx=0, target_idx=0, nfc_protocol=0 /* NFC_PROTO_??? */, ...}"
    )
