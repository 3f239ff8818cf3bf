"""Netlink buffers as strace 6.1 prints them, on constructed messages: each expected
text is strace's own line (from its test suite's logs), the fd a netlink socket of
the protocol given."""

import struct

from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.style import RAW, VERBOSE, Style, applied
from traced.decoders.values import Options
from traced.linux import genl

BUF = 0x10000
ROUTE, SOCK_DIAG, AUDIT, NETFILTER, KOBJECT_UEVENT = 0, 4, 9, 12, 15


def nlmsghdr(length: int, kind: int, flags: int, seq: int = 0, pid: int = 0) -> bytes:
    return struct.pack("<IHHII", length, kind, flags, seq, pid)


def sent(data: bytes, protocol: int | None, length: int | None = None) -> str:
    """sendto's buffer argument, the fd being a socket of ``protocol``."""
    raw = (3, BUF, len(data) if length is None else length, 0x40, 0, 0)
    args = decode_entry("sendto", raw, FakeMemory({BUF: data}), netlink=lambda fd: protocol)
    return args[1].text


def test_a_header_alone_is_named_by_the_protocol() -> None:
    assert sent(nlmsghdr(16, 1000, 1, pid=1234), AUDIT) == (
        "{nlmsg_len=16, nlmsg_type=AUDIT_GET, nlmsg_flags=NLM_F_REQUEST, nlmsg_seq=0, "
        "nlmsg_pid=1234}"
    )
    # netfilter's type is a subsystem and a message; its flags by what the message does
    assert sent(nlmsghdr(16, 7 << 8, 0x401), NETFILTER) == (
        "{nlmsg_len=16, nlmsg_type=NFNL_SUBSYS_ACCT<<8|NFNL_MSG_ACCT_NEW, "
        "nlmsg_flags=NLM_F_REQUEST|NLM_F_CREATE, nlmsg_seq=0, nlmsg_pid=0}"
    )


def test_an_unknown_payload_prints_in_hex_and_messages_make_an_array() -> None:
    one = nlmsghdr(20, 1, 0x301) + b"abcd"
    text = '[{nlmsg_len=20, nlmsg_type=NLMSG_NOOP, nlmsg_flags=NLM_F_REQUEST|0x300, nlmsg_seq=0, nlmsg_pid=0}, "\\x61\\x62\\x63\\x64"]'  # noqa: E501
    assert sent(one, SOCK_DIAG) == text
    assert sent(one * 2, SOCK_DIAG) == f"[{text}, {text}]"
    # the second header cannot be read: its address, after the first
    assert sent(one, SOCK_DIAG, length=40) == f"[{text}, ... /* {BUF + 20:#x} */]"
    assert sent(b"abcd", SOCK_DIAG) == '"\\x61\\x62\\x63\\x64"'


def test_an_error_holds_the_message_it_answers_and_its_attributes() -> None:
    inner = nlmsghdr(20, 1, 1)
    cookie = struct.pack("<HH", 6, 3) + bytes((171, 254)) + b"\0\0"
    data = nlmsghdr(42, 2, 0x101) + struct.pack("<i", -13) + inner + cookie
    assert sent(data[:42], 0) == (
        "[{nlmsg_len=42, nlmsg_type=NLMSG_ERROR, nlmsg_flags=NLM_F_REQUEST|NLM_F_CAPPED, "
        "nlmsg_seq=0, nlmsg_pid=0}, [{error=-EACCES, msg={nlmsg_len=20, "
        "nlmsg_type=NLMSG_NOOP, nlmsg_flags=NLM_F_REQUEST, nlmsg_seq=0, nlmsg_pid=0}}, "
        "[{nla_len=6, nla_type=NLMSGERR_ATTR_COOKIE}, [171, 254]]]]"
    )


def test_route_structs_and_their_attributes() -> None:
    ifaddrmsg = struct.pack("<BBBBI", 2, 0, 1, 0, 0)
    address = struct.pack("<HH", 8, 1) + bytes((12, 34, 56, 78))
    data = nlmsghdr(32, 22, 0x300) + ifaddrmsg + address
    assert sent(data, ROUTE) == (
        "[{nlmsg_len=32, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_DUMP, nlmsg_seq=0, "
        "nlmsg_pid=0}, {ifa_family=AF_INET, ifa_prefixlen=0, ifa_flags=IFA_F_SECONDARY, "
        "ifa_scope=RT_SCOPE_UNIVERSE, ifa_index=0}, [{nla_len=8, nla_type=IFA_ADDRESS}, "
        'inet_addr("12.34.56.78")]]'
    )
    with applied(Style(xlat=VERBOSE)):
        assert "ifa_family=0x2 /* AF_INET */" in sent(data, ROUTE)
    with applied(Style(xlat=RAW)):
        assert sent(data, ROUTE).endswith('[{nla_len=8, nla_type=0x1}, "\\x0c\\x22\\x38\\x4e"]]')
    # a payload too short for its struct: the family, then ...
    short = nlmsghdr(20, 22, 1) + ifaddrmsg[:4]
    assert sent(short, ROUTE).endswith("{ifa_family=AF_INET, ...}]")


def test_udev_messages_and_sockets_not_netlink() -> None:
    header = b"libudev\0" + struct.pack(">I", 0xFEEDCAFE) + struct.pack("<IIII", 40, 40, 0, 0)
    header += bytes(12)
    assert sent(header, KOBJECT_UEVENT) == (
        '{prefix="libudev", magic=htonl(0xfeedcafe), header_size=40, properties_off=40, '
        "properties_len=0, filter_subsystem_hash=htonl(0), filter_devtype_hash=htonl(0), "
        "filter_tag_bloom_hi=htonl(0), filter_tag_bloom_lo=htonl(0)}"
    )
    plain = '"\\20\\0\\0\\0\\350\\3\\1\\0\\0\\0\\0\\0\\0\\0\\0\\0"'
    assert sent(nlmsghdr(16, 1000, 1), None) == plain


def test_recvfrom_decodes_what_it_returned() -> None:
    raw = (3, BUF, 100, 0, 0, 0)
    memory = FakeMemory({BUF: nlmsghdr(20, 3, 2) + struct.pack("<i", 0)})
    entered = decode_entry("recvfrom", raw, memory, netlink=lambda fd: ROUTE)
    args = decode_exit("recvfrom", entered, raw, memory, retval=20, netlink=lambda fd: ROUTE)
    assert args[1].text == (
        "[{nlmsg_len=20, nlmsg_type=NLMSG_DONE, nlmsg_flags=NLM_F_MULTI, nlmsg_seq=0, "
        "nlmsg_pid=0}, 0]"
    )


def nlattr(kind: int, data: bytes) -> bytes:
    """An attribute, padded to 4 bytes."""
    raw = struct.pack("<HH", 4 + len(data), kind) + data
    return raw + bytes(-len(raw) % 4)


def test_link_attributes_nest_by_family() -> None:
    ifinfomsg = struct.pack("<BxHiII", 0x3F, 772, 0, 1, 0)
    conf = nlattr(26, nlattr(2, nlattr(1, struct.pack("<ii", 1, 0))))  # AF_SPEC/INET/CONF
    data = nlmsghdr(16 + 16 + len(conf), 18, 0x300) + ifinfomsg + conf
    assert sent(data, ROUTE).endswith(
        "{ifi_family=0x3f /* AF_??? */, ifi_type=ARPHRD_LOOPBACK, ifi_index=0, "
        "ifi_flags=IFF_UP, ifi_change=0}, [{nla_len=20, nla_type=IFLA_AF_SPEC}, "
        "[{nla_len=16, nla_type=AF_INET}, [{nla_len=12, nla_type=IFLA_INET_CONF}, "
        "[[IPV4_DEVCONF_FORWARDING-1]=1, [IPV4_DEVCONF_MC_FORWARDING-1]=0]]]]]"
    )


def test_sock_diag_by_family_and_direction() -> None:
    unix_msg = struct.pack("<BBBxIQ", 1, 1, 4, 0, 0) + nlattr(8, b"1234")
    data = nlmsghdr(16 + len(unix_msg), 20, 0x300) + unix_msg
    assert sent(data, SOCK_DIAG).endswith(
        "{udiag_family=AF_UNIX, udiag_type=SOCK_STREAM, udiag_state=TCP_FIN_WAIT1, "
        "udiag_ino=0, udiag_cookie=[0, 0]}, [{nla_len=8, nla_type=0x8 /* UNIX_DIAG_??? */}, "
        '"\\x31\\x32\\x33\\x34"]]'
    )
    # an unknown family: the family, then the rest in hex
    assert sent(nlmsghdr(20, 20, 1) + b"\x2e\x01\x02\x03", SOCK_DIAG).endswith(
        '{family=0x2e /* AF_??? */, data="\\x01\\x02\\x03"}]'
    )


def test_packet_diag_filter_is_a_classic_bpf_program() -> None:
    """strace's nlattr_packet_diag_msg (-v): the filter's instructions; its address
    without -v; bytes too few for one instruction in hex."""
    packet_msg = struct.pack("<BBHIQ", 17, 1, 3, 0, 0)  # AF_PACKET, SOCK_STREAM, ETH_P_ALL
    program = struct.pack("<HBBI", 0x30, 0, 0, 0xFFFFF004) + struct.pack("<HBBI", 6, 0, 0, 42)
    attr = nlattr(7, program)
    data = nlmsghdr(16 + len(packet_msg) + len(attr), 20, 0x300) + packet_msg + attr
    raw = (3, BUF, len(data), 0x40, 0, 0)
    memory = FakeMemory({BUF: data})

    def text(options: Options) -> str:
        return decode_entry("sendto", raw, memory, options, netlink=lambda fd: SOCK_DIAG)[1].text

    assert text(Options(verbose=True)).endswith(
        "{pdiag_family=AF_PACKET, pdiag_type=SOCK_STREAM, pdiag_num=ETH_P_ALL, pdiag_ino=0, "
        "pdiag_cookie=[0, 0]}, [{nla_len=20, nla_type=PACKET_DIAG_FILTER}, "
        "[BPF_STMT(BPF_LD|BPF_B|BPF_ABS, SKF_AD_OFF+SKF_AD_PKTTYPE), "
        "BPF_STMT(BPF_RET|BPF_K, 0x2a)]]]"
    )
    assert text(Options()).endswith(f"PACKET_DIAG_FILTER}}, {BUF + 36:#x}]]")
    short = nlattr(7, b"abcdefg")
    data = nlmsghdr(16 + len(packet_msg) + 11, 20, 0x300) + packet_msg + short
    memory = FakeMemory({BUF: data})
    raw = (3, BUF, len(data), 0x40, 0, 0)
    assert text(Options(verbose=True)).endswith(
        'PACKET_DIAG_FILTER}, "\\x61\\x62\\x63\\x64\\x65\\x66\\x67"]]'
    )


def test_smc_diag_request_response_and_attributes() -> None:
    """strace's netlink_sock_diag and nlattr_smc_diag_msg lines (AF_SMC is 43)."""
    sockid = struct.pack(">HH", 44510, 52653) + bytes([43, 21, 56, 78]) + bytes(12)
    sockid += bytes([43, 21, 56, 78]) + bytes(12) + struct.pack("<IQ", 0, 0xBADC0DEDDEADBEEF)
    request = struct.pack("<BxxB", 43, 1) + sockid
    assert sent(nlmsghdr(16 + len(request), 20, 1) + request, SOCK_DIAG).endswith(
        "{diag_family=AF_SMC, diag_ext=1<<(SMC_DIAG_CONNINFO-1), id={idiag_sport=htons(44510), "
        'idiag_dport=htons(52653), idiag_src=inet_addr("43.21.56.78"), '
        'idiag_dst=inet_addr("43.21.56.78"), idiag_if=0, '
        "idiag_cookie=[3735928559, 3134983661]}}]"
    )
    assert sent(
        nlmsghdr(21, 20, 1) + struct.pack("<BBBB", 43, 0, 0, 0) + b"\0", SOCK_DIAG
    ).endswith("{diag_family=AF_SMC, ...}]")
    response = struct.pack("<BBBB", 43, 1, 0, 0) + sockid + struct.pack("<IQ", 0, 0)
    attrs = nlattr(3, b"\x23") + nlattr(5, struct.pack("<II", 0x3060000, 0x99999999))
    data = nlmsghdr(16 + len(response) + len(attrs), 20, 2) + response + attrs
    assert sent(data, SOCK_DIAG).endswith(
        "{diag_family=AF_SMC, diag_state=SMC_ACTIVE, diag_fallback=SMC_DIAG_MODE_SMCR, "
        "diag_shutdown=0, id={idiag_sport=htons(44510), idiag_dport=htons(52653), "
        'idiag_src=inet_addr("43.21.56.78"), idiag_dst=inet_addr("43.21.56.78"), '
        "idiag_if=0, idiag_cookie=[3735928559, 3134983661]}, diag_uid=0, diag_inode=0}, "
        "[[{nla_len=5, nla_type=SMC_DIAG_SHUTDOWN}, RCV_SHUTDOWN|SEND_SHUTDOWN|0x20], "
        "[{nla_len=12, nla_type=SMC_DIAG_FALLBACK}, {reason=0x3060000 /* "
        "SMC_CLC_DECL_OPTUNSUPP */, peer_diagnosis=0x99999999 /* SMC_CLC_DECL_??? */}]]]"
    )


def test_netfilter_payload_and_selinux() -> None:
    nfgenmsg = struct.pack("<BBH", 1, 0, 0x0A00)
    data = nlmsghdr(20, 10 << 8, 1) + nfgenmsg
    assert sent(data, NETFILTER).endswith(
        "{nfgen_family=AF_UNIX, version=NFNETLINK_V0, res_id=htons(NFNL_SUBSYS_NFTABLES)}]"
    )
    setenforce = nlmsghdr(20, 0x10, 1) + struct.pack("<i", -1)
    assert sent(setenforce, 7).endswith("nlmsg_type=SELNL_MSG_SETENFORCE, nlmsg_flags=NLM_F_REQUEST"
                                        ", nlmsg_seq=0, nlmsg_pid=0}, {val=-1}]")  # fmt: skip


class GenericSockets:
    """A shell's answer for a NETLINK_GENERIC socket and the kernel's families."""

    def __call__(self, fd: int) -> int | None:
        return 16

    def generic_families(self) -> tuple[tuple[str, int], ...]:
        return (("nlctrl", 0x10),)


def test_generic_netlink_types_are_the_kernels_families() -> None:
    raw = (3, BUF, 20, 0x40, 0, 0)
    memory = FakeMemory({BUF: nlmsghdr(20, 0x10, 0x301) + b"\x03\x01\x00\x00"})
    args = decode_entry("sendto", raw, memory, netlink=GenericSockets())
    assert args[1].text == (
        "[{nlmsg_len=20, nlmsg_type=nlctrl, nlmsg_flags=NLM_F_REQUEST|0x300, nlmsg_seq=0, "
        'nlmsg_pid=0}, "\\x03\\x01\\x00\\x00"]'
    )
    assert "nlmsg_type=0x11 /* GENERIC_FAMILY_??? */" in sent(nlmsghdr(16, 0x11, 1), 16)


def test_the_controllers_replies_name_the_families() -> None:
    family = b"\x01\x02\x00\x00" + nlattr(1, b"\x10\x00") + nlattr(2, b"nlctrl\0")
    reply = nlmsghdr(16 + len(family), 0x10, 2) + family
    assert genl._replies(reply + nlmsghdr(20, 3, 2) + bytes(4)) == ([("nlctrl", 0x10)], True)
    assert genl._replies(reply) == ([("nlctrl", 0x10)], False)


def test_link_info_reads_its_data_by_the_kind_before_it() -> None:
    ifinfomsg = struct.pack("<BxHiII", 0, 772, 0, 1, 0)
    info = nlattr(1, b"tun\0") + nlattr(2, nlattr(3, b"\x01"))  # KIND "tun", DATA TUN_TYPE
    body = ifinfomsg + nlattr(18, info)  # IFLA_LINKINFO
    text = sent(nlmsghdr(16 + len(body), 18, 0x300) + body, ROUTE)
    assert text.endswith(
        '[{nla_len=24, nla_type=IFLA_LINKINFO}, [[{nla_len=8, nla_type=IFLA_INFO_KIND}, "tun"], '
        "[{nla_len=12, nla_type=IFLA_INFO_DATA}, [{nla_len=5, nla_type=IFLA_TUN_TYPE}, "
        "IFF_TUN]]]]]"
    )
    # a kind without its NUL is cut as strace cuts it
    unterminated = ifinfomsg + nlattr(18, nlattr(1, b"\xab\xac\xdb\xcd"))
    text = sent(nlmsghdr(16 + len(unterminated), 18, 0x300) + unterminated, ROUTE)
    assert text.endswith('[{nla_len=8, nla_type=IFLA_INFO_KIND}, "\\253\\254\\333\\315"...]]]')


def test_ipv6_interface_flags_the_uapi_lacks() -> None:
    ifinfomsg = struct.pack("<BxHiII", 0, 772, 0, 1, 0)
    for flags, shown in ((0x10, "IF_RS_SENT"), (0xF, "0xf /* IF_??? */")):
        body = nlattr(26, nlattr(10, nlattr(1, struct.pack("<I", flags))))  # AF_SPEC/INET6
        data = nlmsghdr(16 + len(ifinfomsg) + len(body), 18, 0x300) + ifinfomsg + body
        assert sent(data, ROUTE).endswith(
            "[{nla_len=12, nla_type=AF_INET6}, "
            f"[{{nla_len=8, nla_type=IFLA_INET6_FLAGS}}, {shown}]]]]"
        )
