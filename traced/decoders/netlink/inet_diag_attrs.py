"""The attributes of an inet_diag response that nest their own (strace's
netlink_inet_diag.c): the upper-layer protocol's (TLS', MPTCP's), the BPF socket
storages, and the local and peer addresses (struct sockaddr_storage arrays)."""

from __future__ import annotations

from traced.decoders.families.sockets import decode_sockaddr
from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink.attrs import AttrDecoder, Attrs
from traced.decoders.netlink.text import Reading, read_struct
from traced.decoders.values import hex_address
from traced.decoders.xlat import Table

_SOCKADDR_STORAGE = 128


def _by_name(table: Table, decoders: dict[str, AttrDecoder]) -> dict[int, AttrDecoder]:
    values = dict(table)
    return {values[name]: decoder for name, decoder in decoders.items() if name in values}


_TLS = Attrs(T.TLS_INFO_ATTRS, "TLS_INFO_???", _by_name(T.TLS_INFO_ATTRS, {
    "TLS_INFO_VERSION": A.xval(T.TLS_VERSIONS, "TLS_???_VERSION", 2),
    "TLS_INFO_CIPHER": A.xval(T.TLS_CIPHERS, "TLS_CIPHER_???", 2),
    "TLS_INFO_TXCONF": A.xval(T.TLS_CONFS, "TLS_CONF_???", 2),
    "TLS_INFO_RXCONF": A.xval(T.TLS_CONFS, "TLS_CONF_???", 2),
}))  # fmt: skip
_MPTCP = Attrs(T.MPTCP_SUBFLOW_ATTRS, "MPTCP_SUBFLOW_ATTR_???", _by_name(T.MPTCP_SUBFLOW_ATTRS, {
    "MPTCP_SUBFLOW_ATTR_TOKEN_REM": A.x32, "MPTCP_SUBFLOW_ATTR_TOKEN_LOC": A.x32,
    "MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ": A.u32, "MPTCP_SUBFLOW_ATTR_MAP_SEQ": A.u64,
    "MPTCP_SUBFLOW_ATTR_MAP_SFSEQ": A.u32, "MPTCP_SUBFLOW_ATTR_SSN_OFFSET": A.u32,
    "MPTCP_SUBFLOW_ATTR_MAP_DATALEN": A.u16,
    "MPTCP_SUBFLOW_ATTR_FLAGS": A.flags(T.MPTCP_SUBFLOW_FLAGS, "MPTCP_SUBFLOW_FLAG_???", 4),
    "MPTCP_SUBFLOW_ATTR_ID_REM": A.u8, "MPTCP_SUBFLOW_ATTR_ID_LOC": A.u8,
}))  # fmt: skip
ULP_INFO = A.nested(Attrs(T.INET_ULP_INFO_ATTRS, "INET_ULP_INFO_???", _by_name(
    T.INET_ULP_INFO_ATTRS, {
        "INET_ULP_INFO_NAME": A.string, "INET_ULP_INFO_TLS": A.nested(_TLS),
        "INET_ULP_INFO_MPTCP": A.nested(_MPTCP),
    })))  # fmt: skip
_STORAGE = Attrs(T.SK_DIAG_BPF_STORAGE_ATTRS, "SK_DIAG_BPF_STORAGE_???", _by_name(
    T.SK_DIAG_BPF_STORAGE_ATTRS, {
        "SK_DIAG_BPF_STORAGE_MAP_ID": A.u32, "SK_DIAG_BPF_STORAGE_MAP_VALUE": A.xint,
    }))  # fmt: skip
BPF_STORAGES = A.nested(Attrs(T.SK_DIAG_BPF_STORAGES_ATTRS, "SK_DIAG_BPF_STORAGE_???", _by_name(
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
