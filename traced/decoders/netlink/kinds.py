"""A message's type and flags, named by its socket's protocol (strace's
decode_nlmsg_type and decode_nlmsg_flags).

Below NLMSG_MIN_TYPE a type is a control message's, whatever the protocol; above
it the protocol's table names it (NETLINK_NETFILTER's a subsystem in the high byte
and that subsystem's message in the low one: ``NFNL_SUBSYS_ACCT<<8|NFNL_MSG_ACCT_NEW``).
The flags are NLM_F_REQUEST and the like for every message, then the bits 0x100-0x800
by what the message does: a new object's (NLM_F_CREATE), a deletion's (NLM_F_NONREC),
a request's (NLM_F_DUMP), an error's (NLM_F_CAPPED).
"""

from __future__ import annotations

from traced.decoders.netlink import _tables as T
from traced.decoders.netlink.fds import generic_families
from traced.decoders.xlat import Table, format_enum, format_flags

NLMSG_MIN_TYPE = 0x10
NLMSG_ERROR, NLMSG_DONE = dict(T.NLMSG_TYPES)["NLMSG_ERROR"], dict(T.NLMSG_TYPES)["NLMSG_DONE"]
_P = dict(T.NETLINK_PROTOCOLS)
ROUTE, SOCK_DIAG, XFRM = _P["NETLINK_ROUTE"], _P["NETLINK_SOCK_DIAG"], _P["NETLINK_XFRM"]
SELINUX, AUDIT, NETFILTER = _P["NETLINK_SELINUX"], _P["NETLINK_AUDIT"], _P["NETLINK_NETFILTER"]
KOBJECT_UEVENT, GENERIC = _P["NETLINK_KOBJECT_UEVENT"], _P["NETLINK_GENERIC"]
CRYPTO = _P["NETLINK_CRYPTO"]

# Each protocol's message types and the name of one unknown.  NETLINK_GENERIC's are
# the families the kernel registered, which the shell asks it for (fds).
_TYPES: dict[int, tuple[Table, str]] = {
    AUDIT: (T.AUDIT_TYPES, "AUDIT_???"),
    CRYPTO: (T.CRYPTO_TYPES, "CRYPTO_MSG_???"),
    ROUTE: (T.ROUTE_TYPES, "RTM_???"),
    SELINUX: (T.SELINUX_TYPES, "SELNL_MSG_???"),
    SOCK_DIAG: (T.SOCK_DIAG_TYPES, "SOCK_DIAG_???"),
    XFRM: (T.XFRM_TYPES, "XFRM_MSG_???"),
}
# netfilter's subsystems, by id: their message types and the name of one unknown.
_NF_SUBSYSTEMS: tuple[tuple[Table, str], ...] = (
    ((), ""),  # NFNL_SUBSYS_NONE
    (T.NF_CTNETLINK_TYPES, "IPCTNL_MSG_CT_???"),
    (T.NF_CTNETLINK_EXP_TYPES, "IPCTNL_MSG_EXP_???"),
    (T.NF_QUEUE_TYPES, "NFQNL_MSG_???"),
    (T.NF_ULOG_TYPES, "NFULNL_MSG_???"),
    (T.NF_OSF_TYPES, "OSF_MSG_???"),
    (T.NF_IPSET_TYPES, "IPSET_CMD_???"),
    (T.NF_ACCT_TYPES, "NFNL_MSG_ACCT_???"),
    (T.NF_CTTIMEOUT_TYPES, "IPCTNL_MSG_TIMEOUT_???"),
    (T.NF_CTHELPER_TYPES, "NFNL_MSG_CTHELPER_???"),
    (T.NF_TABLES_TYPES, "NFT_MSG_???"),
    (T.NF_NFT_COMPAT_TYPES, "NFNL_MSG_COMPAT_???"),
    (T.NF_HOOK_TYPES, "NFT_MSG_HOOK_???"),
)


def _netfilter_type(kind: int) -> str:
    batch = format_enum(kind, T.NFNL_BATCH_TYPES, "")
    if batch.value != kind:  # named: a batch's begin or end
        return batch.text
    subsystem, message = kind >> 8, kind & 0xFF
    head = format_enum(subsystem, T.NFNL_SUBSYS, "NFNL_SUBSYS_???").text
    if subsystem < len(_NF_SUBSYSTEMS):
        table, unknown = _NF_SUBSYSTEMS[subsystem]
        tail = format_enum(message, table, unknown).text
    else:
        tail = f"{message:#x}" if message else "0"
    return f"{head}<<8|{tail}"


def type_text(kind: int, protocol: int) -> str:
    """``RTM_GETLINK``, ``0x39 /* RTM_??? */``, ``NLMSG_ERROR``."""
    if kind >= NLMSG_MIN_TYPE:
        if protocol == NETFILTER:
            return _netfilter_type(kind)
        if protocol == GENERIC:  # the families the kernel registered: it names them
            return format_enum(kind, generic_families(), "GENERIC_FAMILY_???").text
        if protocol in _TYPES:
            return format_enum(kind, *_TYPES[protocol]).text
    return format_enum(kind, T.NLMSG_TYPES, "NLMSG_???").text


def _by_verb(verb: int) -> Table:
    """The flags of a NEW (0), DEL (1) or GET (2) request."""
    return (T.NLM_NEW_FLAGS, T.NLM_DELETE_FLAGS, T.NLM_GET_FLAGS, ())[verb]


def _route_flags(kind: int) -> Table:
    if kind == dict(T.ROUTE_TYPES)["RTM_DELACTION"]:  # takes NLM_F_ROOT's
        return T.NLM_GET_FLAGS
    return _by_verb(kind & 3)


def _flag_table(kind: int, protocol: int) -> Table:
    if kind < NLMSG_MIN_TYPE:
        return T.NLM_ACK_FLAGS if kind == NLMSG_ERROR else ()
    if protocol == ROUTE:
        return _route_flags(kind)
    if protocol == SOCK_DIAG:  # strace 6.1 has no flags of GENERIC's own
        return T.NLM_GET_FLAGS
    if protocol == XFRM:
        return _XFRM_FLAGS.get(kind, ())
    if protocol == CRYPTO:
        return _CRYPTO_FLAGS.get(kind, ())
    if protocol == NETFILTER:
        return _netfilter_flags(kind)
    return ()


def _by_names(table: Table, verbs: dict[str, Table]) -> dict[int, Table]:
    names = dict(table)
    return {names[name]: flags for name, flags in verbs.items() if name in names}


_N, _D, _G = T.NLM_NEW_FLAGS, T.NLM_DELETE_FLAGS, T.NLM_GET_FLAGS
_XFRM_FLAGS = _by_names(T.XFRM_TYPES, {
    "XFRM_MSG_NEWSA": _N, "XFRM_MSG_NEWPOLICY": _N, "XFRM_MSG_NEWAE": _N,
    "XFRM_MSG_NEWSADINFO": _N, "XFRM_MSG_NEWSPDINFO": _N, "XFRM_MSG_DELSA": _D,
    "XFRM_MSG_DELPOLICY": _D, "XFRM_MSG_GETSA": _G, "XFRM_MSG_GETPOLICY": _G,
    "XFRM_MSG_GETAE": _G, "XFRM_MSG_GETSADINFO": _G, "XFRM_MSG_GETSPDINFO": _G,
})  # fmt: skip
_CRYPTO_FLAGS = _by_names(T.CRYPTO_TYPES, {
    "CRYPTO_MSG_NEWALG": _N, "CRYPTO_MSG_DELALG": _D, "CRYPTO_MSG_DELRNG": _D,
    "CRYPTO_MSG_GETALG": _G,
})  # fmt: skip
# netfilter: by subsystem, the message types that create, delete or get
_NF_VERBS: dict[int, dict[int, Table]] = {
    1: _by_names(T.NF_CTNETLINK_TYPES, {
        "IPCTNL_MSG_CT_NEW": _N, "IPCTNL_MSG_CT_GET": _G, "IPCTNL_MSG_CT_GET_CTRZERO": _G,
        "IPCTNL_MSG_CT_GET_STATS_CPU": _G, "IPCTNL_MSG_CT_GET_STATS": _G,
        "IPCTNL_MSG_CT_GET_DYING": _G, "IPCTNL_MSG_CT_GET_UNCONFIRMED": _G,
        "IPCTNL_MSG_CT_DELETE": _D}),
    2: _by_names(T.NF_CTNETLINK_EXP_TYPES, {
        "IPCTNL_MSG_EXP_NEW": _N, "IPCTNL_MSG_EXP_GET": _G,
        "IPCTNL_MSG_EXP_GET_STATS_CPU": _G, "IPCTNL_MSG_EXP_DELETE": _D}),
    7: _by_names(T.NF_ACCT_TYPES, {
        "NFNL_MSG_ACCT_NEW": _N, "NFNL_MSG_ACCT_GET": _G, "NFNL_MSG_ACCT_GET_CTRZERO": _G,
        "NFNL_MSG_ACCT_DEL": _D}),
    8: _by_names(T.NF_CTTIMEOUT_TYPES, {
        "IPCTNL_MSG_TIMEOUT_NEW": _N, "IPCTNL_MSG_TIMEOUT_GET": _G,
        "IPCTNL_MSG_TIMEOUT_DELETE": _D}),
    9: _by_names(T.NF_CTHELPER_TYPES, {
        "NFNL_MSG_CTHELPER_NEW": _N, "NFNL_MSG_CTHELPER_GET": _G, "NFNL_MSG_CTHELPER_DEL": _D}),
    10: {value: (_N if "_NEW" in name else _D if "_DEL" in name or "_DESTROY" in name
                 else _G if "_GET" in name else ())
         for name, value in T.NF_TABLES_TYPES},
    11: _by_names(T.NF_NFT_COMPAT_TYPES, {"NFNL_MSG_COMPAT_GET": _G}),
    12: _by_names(T.NF_HOOK_TYPES, {"NFNL_MSG_HOOK_GET": _G}),
}  # fmt: skip


def _netfilter_flags(kind: int) -> Table:
    return _NF_VERBS.get(kind >> 8, {}).get(kind & 0xFF, ())


def flags_text(flags: int, kind: int, protocol: int) -> str:
    """``NLM_F_REQUEST|NLM_F_DUMP``: the common flags, then the message's own."""
    return format_flags(flags, T.NLM_FLAGS + _flag_table(kind, protocol), "NLM_F_???").text
