"""struct sockaddr's newer families as strace 6.1 prints them (its sockaddr.c):
AF_RXRPC, AF_IEEE802154, AF_ALG, AF_NFC, AF_VSOCK, AF_QIPCRTR, AF_XDP, AF_MCTP; and
:data:`PRINTERS`, every family strace decodes with the length it needs.

Layouts are the kernel's uapi structs on x86_64 (sockaddr_rxrpc, whose transport is a
sockaddr_in or sockaddr_in6 after four u16s, and sockaddr_ieee802154 are the kernel's
own, outside the uapi).  Padding and reserved fields print only when set.  Some
fields strace prints with their number always and their name in a comment (its
PRINT_FIELD_XVAL_VERBOSE: RxRPC services, 802.15.4 addresses, NFC service access
points, crypto flags), in every -X style but raw.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from traced.decoders import _constants as K
from traced.decoders.families import sockaddr_inet as base
from traced.decoders.families.sockaddr_inet import (
    family_name,
    hex_bytes,
    interface_index,
    quoted,
    verbose_value,
)
from traced.decoders.fdnames import fd_in_memory
from traced.decoders.style import RAW, VERBOSE, Style, applied, current
from traced.decoders.xlat import Table, format_enum, format_flags, number, styled

Printer = Callable[[bytes, int], str]  # the bytes (zero-filled past the length), length

_AF_INET, _AF_INET6 = 2, 10
_XDP_SHARED_UMEM = dict(K.XDP_SOCKADDR_FLAGS)["XDP_SHARED_UMEM"]


def _verbose_flags(value: int, table: Table, unknown: str) -> str:
    """strace's PRINT_FIELD_FLAGS_VERBOSE: the flags as -X verbose prints them but raw."""
    if current().xlat == RAW:
        return format_flags(value, table, unknown).text
    with applied(Style(VERBOSE, current().strings)):
        return format_flags(value, table, unknown).text


def rxrpc(data: bytes, length: int) -> str:
    service, kind, size, family = struct.unpack_from("<HHHH", data, 2)
    usable = min(size, length - 8)
    rest = quoted(data[10:], max(0, usable - 2))
    text = (
        f"srx_service={verbose_value(service, K.RXRPC_SERVICES, '???_SERVICE')}, "
        f"transport_type={format_enum(kind, K.SOCK_TYPES, 'SOCK_???').text}, "
        f"transport_len={size}, transport="
    )
    transport = data[8:]
    if family in (_AF_INET, _AF_INET6):
        name, whole = ("sin", 16) if family == _AF_INET else ("sin6", 24)
        inner = f"{name}_family={family_name(family)}"
        if size >= whole:
            printer = base.inet if family == _AF_INET else base.inet6
            inner += ", " + printer(transport, usable)
        elif usable > 2:
            inner += ", " + rest
        return text + f"{{{name}={{{inner}}}}}"
    inner = f"family={family_name(family)}" + (", " + rest if usable > 2 else "")
    return text + "{" + inner + "}"


_IEEE802154 = struct.Struct("<4xiH8s")  # addr_type, pan_id, hwaddr (or short_addr)
_ADDR_SHORT, _ADDR_NONE = 2, 0


def _hwaddr(data: bytes) -> str:
    return styled(":".join(f"{byte:02x}" for byte in data), hex_bytes(data))


def ieee802154(data: bytes, length: int) -> str:
    kind, pan, hwaddr = _IEEE802154.unpack_from(data)
    fields = [
        "addr_type=" + verbose_value(kind & 0xFFFFFFFF, K.IEEE802154_ADDR_TYPES,
                                     "IEEE802154_ADDR_???"),
        "pan_id=" + verbose_value(pan, K.IEEE802154_PAN_IDS),
    ]  # fmt: skip
    if kind == _ADDR_SHORT:
        short = int.from_bytes(hwaddr[:2], "little")
        fields.append("short_addr=" + verbose_value(short, K.IEEE802154_ADDRS))
    elif kind != _ADDR_NONE:
        fields.append("hwaddr=" + _hwaddr(hwaddr))
    return "addr={" + ", ".join(fields) + "}"


def alg(data: bytes, length: int) -> str:
    feat, mask = struct.unpack_from("<II", data, 16)
    flags = K.ALG_SOCKADDR_FLAGS
    return (
        f"salg_type={quoted(data[2:16], 14, terminated=True, trailing=True)}, "
        f"salg_feat={_verbose_flags(feat, flags, 'CRYPTO_ALG_???')}, "
        f"salg_mask={_verbose_flags(mask, flags, 'CRYPTO_ALG_???')}, "
        f"salg_name={quoted(data[24:], length - 24, terminated=True, trailing=True)}"
    )


_NFC = struct.Struct("<4xIII")  # dev_idx, target_idx, nfc_protocol: sockaddr_nfc, 16
_NFC_LLCP = struct.Struct("<16xBB63s7xQ")  # dsap, ssap, service_name, its length: 96


def nfc(data: bytes, length: int) -> str:
    device, target, protocol = _NFC.unpack_from(data)
    text = (
        f"dev_idx={interface_index(device)}, target_idx={number(target)}, "
        f"nfc_protocol={format_enum(protocol, K.NFC_PROTOCOLS, 'NFC_PROTO_???').text}"
    )
    if length < _NFC_LLCP.size:
        return text + (", ..." if length > _NFC.size else "")
    dsap, ssap, name, size = _NFC_LLCP.unpack_from(data)
    return text + (
        f", dsap={verbose_value(dsap, K.NFC_SAPS)}, ssap={verbose_value(ssap, K.NFC_SAPS)}, "
        f"service_name={quoted(name, min(63, size))}, service_name_len={size}"
    )


def vsock(data: bytes, length: int) -> str:
    reserved, port, cid, flags = struct.unpack_from("<HIIB", data, 2)
    fields = [f"svm_reserved1={number(reserved)}"] if reserved else []
    fields += [
        f"svm_cid={format_enum(cid, K.VSOCK_CIDS, '').text}",
        f"svm_port={format_enum(port, K.VSOCK_PORTS, '').text}",
        f"svm_flags={format_flags(flags, K.VSOCK_FLAGS, 'VMADDR_FLAG_???').text}",
    ]
    if any(data[13:16]):
        fields.append(f"svm_zero={hex_bytes(data[13:16])}")
    return ", ".join(fields)


def qrtr(data: bytes, length: int) -> str:
    node, port = struct.unpack_from("<II", data, 4)
    return (
        f"sq_node={format_enum(node, K.QRTR_NODES, '').text}, "
        f"sq_port={format_enum(port, K.QRTR_PORTS, '').text}"
    )


def xdp(data: bytes, length: int) -> str:
    flags, index, queue, umem = struct.unpack_from("<HIII", data, 2)
    text = (
        f"sxdp_flags={format_flags(flags, K.XDP_SOCKADDR_FLAGS, 'XDP_???').text}, "
        f"sxdp_ifindex={interface_index(index)}, sxdp_queue_id={queue}"
    )
    if flags & _XDP_SHARED_UMEM:
        return text + f", sxdp_shared_umem_fd={fd_in_memory(umem)}"
    return text + (f", sxdp_shared_umem_fd={number(umem)}" if umem else "")


def mctp(data: bytes, length: int) -> str:
    pad0, network, address, kind, tag, pad1 = struct.unpack_from("<HIBBBB", data, 2)
    fields = [f"__smctp_pad0={number(pad0)}"] if pad0 else []
    fields += [
        f"smctp_network={format_enum(network, K.MCTP_NETS, '').text}",
        f"smctp_addr={{s_addr={format_enum(address, K.MCTP_ADDRS, '').text}}}",
        f"smctp_type={number(kind)}",
        f"smctp_tag={number(tag)}",
    ]
    return ", ".join(fields + ([f"__smctp_pad1={number(pad1)}"] if pad1 else []))


# Family -> (the length it needs, its printer): strace's sa_printers.
PRINTERS: dict[int, tuple[int, Printer]] = {
    1: (3, base.unix), 2: (16, base.inet), 3: (16, base.ax25), 4: (16, base.ipx),
    9: (18, base.x25), 10: (24, base.inet6), 16: (12, base.netlink), 17: (20, base.packet),
    33: (36, rxrpc), 36: (20, ieee802154), 38: (25, alg), 39: (16, nfc), 40: (16, vsock),
    42: (12, qrtr), 44: (16, xdp), 45: (12, mctp),
}  # fmt: skip


def family_text(family: int, data: bytes, length: int) -> str | None:
    """The fields after sa_family, or None where strace shows them as ``sa_data``."""
    needed, printer = PRINTERS.get(family, (0, None))
    if printer is None or length < needed:
        return None
    return printer(data.ljust(129, b"\0"), length)
