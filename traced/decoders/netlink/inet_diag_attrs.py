"""The attributes of an inet_diag response that nest their own (strace's
netlink_inet_diag.c): the upper-layer protocol's (TLS', MPTCP's), the BPF socket
storages, and the local and peer addresses (struct sockaddr_storage arrays)."""

from __future__ import annotations

import struct

from traced.decoders.families.sockets import decode_sockaddr
from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink import sequences as S
from traced.decoders.netlink.attrs import Attrs, by_name
from traced.decoders.netlink.common import family_text, inet_text
from traced.decoders.netlink.text import Reading, read_struct
from traced.decoders.values import hex_address

_SOCKADDR_STORAGE = 128


_TLS = Attrs(T.TLS_INFO_ATTRS, "TLS_INFO_???", by_name(T.TLS_INFO_ATTRS, {
    "TLS_INFO_VERSION": A.xval(T.TLS_VERSIONS, "TLS_???_VERSION", 2),
    "TLS_INFO_CIPHER": A.xval(T.TLS_CIPHERS, "TLS_CIPHER_???", 2),
    "TLS_INFO_TXCONF": A.xval(T.TLS_CONFS, "TLS_CONF_???", 2),
    "TLS_INFO_RXCONF": A.xval(T.TLS_CONFS, "TLS_CONF_???", 2),
}))  # fmt: skip
_MPTCP = Attrs(T.MPTCP_SUBFLOW_ATTRS, "MPTCP_SUBFLOW_ATTR_???", by_name(T.MPTCP_SUBFLOW_ATTRS, {
    "MPTCP_SUBFLOW_ATTR_TOKEN_REM": A.x32, "MPTCP_SUBFLOW_ATTR_TOKEN_LOC": A.x32,
    "MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ": A.u32, "MPTCP_SUBFLOW_ATTR_MAP_SEQ": A.u64,
    "MPTCP_SUBFLOW_ATTR_MAP_SFSEQ": A.u32, "MPTCP_SUBFLOW_ATTR_SSN_OFFSET": A.u32,
    "MPTCP_SUBFLOW_ATTR_MAP_DATALEN": A.u16,
    "MPTCP_SUBFLOW_ATTR_FLAGS": A.flags(T.MPTCP_SUBFLOW_FLAGS, "MPTCP_SUBFLOW_FLAG_???", 4),
    "MPTCP_SUBFLOW_ATTR_ID_REM": A.u8, "MPTCP_SUBFLOW_ATTR_ID_LOC": A.u8,
}))  # fmt: skip
ULP_INFO = A.nested(Attrs(T.INET_ULP_INFO_ATTRS, "INET_ULP_INFO_???", by_name(
    T.INET_ULP_INFO_ATTRS, {
        "INET_ULP_INFO_NAME": A.string, "INET_ULP_INFO_TLS": A.nested(_TLS),
        "INET_ULP_INFO_MPTCP": A.nested(_MPTCP),
    })))  # fmt: skip
_STORAGE = Attrs(T.SK_DIAG_BPF_STORAGE_ATTRS, "SK_DIAG_BPF_STORAGE_???", by_name(
    T.SK_DIAG_BPF_STORAGE_ATTRS, {
        "SK_DIAG_BPF_STORAGE_MAP_ID": A.u32, "SK_DIAG_BPF_STORAGE_MAP_VALUE": A.xint,
    }))  # fmt: skip
BPF_STORAGES = A.nested(Attrs(T.SK_DIAG_BPF_STORAGES_ATTRS, "SK_DIAG_BPF_STORAGE_???", by_name(
    T.SK_DIAG_BPF_STORAGES_ATTRS, {"SK_DIAG_BPF_STORAGE": A.nested(_STORAGE)})))  # fmt: skip


def sockaddrs(reading: Reading, address: int, length: int, family: int) -> str | None:
    """An array of struct sockaddr_storage, each printed as a socket address."""
    count = length // _SOCKADDR_STORAGE
    if not count:
        return None
    options = reading.options
    shown = count if options.verbose else min(count, max(0, options.string_limit))
    items: list[str] = []
    for index in range(shown):
        at = address + index * _SOCKADDR_STORAGE
        if read_struct(reading, at, _SOCKADDR_STORAGE) is None:
            if not items:
                return hex_address(address)
            items.append(f"... /* {hex_address(at)} */")
            return "[" + ", ".join(items) + "]"
        items.append(decode_sockaddr(at, reading.memory, _SOCKADDR_STORAGE).text)
    if shown < count:
        items.append("...")
    return "[" + ", ".join(items) + "]"


_SOCKOPT_BITS = (
    "recverr",
    "is_icsk",
    "freebind",
    "hdrincl",
    "mc_loop",
    "transparent",
    "mc_all",
    "nodefrag",
    "bind_address_no_port",
    "recverr_rfc4884",
    "defer_connect",
)  # fmt: skip: struct inet_diag_sockopt's bit fields, low bit first


def sockopt(reading: Reading, address: int, length: int, family: int) -> str | None:
    """struct inet_diag_sockopt: its bits set (all with -v), the unused ones, then
    any bytes past it that are not zero (strace's print_nonzero_bytes)."""
    if length < 2:
        return None
    data = read_struct(reading, address, 2)
    if data is None:
        return hex_address(address)
    bits = int.from_bytes(data, "little")
    verbose = reading.options.verbose
    shown = [f"{name}={bits >> at & 1}" for at, name in enumerate(_SOCKOPT_BITS)
             if verbose or bits >> at & 1]  # fmt: skip
    unused = bits >> len(_SOCKOPT_BITS)
    if verbose or unused:
        shown.append(f"unused={A.chex(unused)} /* bits 3..8 */")
    text = "{" + ", ".join(shown) + "}"
    rest = read_struct(reading, address + 2, length - 2) if length > 2 else b""
    if rest is None:
        return text + ", ???"
    if any(rest):
        limit = reading.options.string_limit
        hexed = "".join(f"\\x{byte:02x}" for byte in rest[:limit])
        more = "..." if len(rest) > limit else ""
        text += f', /* bytes 2..{length - 1} */ "{hexed}"{more}'
    return text


_MD5SIG = struct.Struct("<BBH16s80s")  # struct tcp_diag_md5sig


def _md5sig(data: bytes) -> str:
    family, prefixlen, keylen, address, key = _MD5SIG.unpack(data)
    shown = {2: address[:4], 10: address}.get(family)
    addr = (inet_text(family, shown, "tcpm_addr") if shown is not None
            else 'tcpm_addr="' + "".join(f"\\x{b:02x}" for b in address) + '"')  # fmt: skip
    hexed = "".join(f"\\x{b:02x}" for b in key[: min(len(key), keylen)])
    return (f"{{tcpm_family={family_text(family)}, tcpm_prefixlen={prefixlen}, "
            f'tcpm_keylen={keylen}, {addr}, tcpm_key="{hexed}"}}')  # fmt: skip


MD5SIG = S.array("BBH16s80s", _md5sig)
