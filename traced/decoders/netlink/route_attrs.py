"""NETLINK_ROUTE's attributes, by the struct they follow: their names, and the
decoders of their data that strace has (the rest print in hex).  Addresses are of
the struct's family (``inet_by_family``); structs are spelled by their layout."""

from __future__ import annotations

from traced.decoders.netlink import _tables as T
from traced.decoders.netlink import kinds_of_data as A
from traced.decoders.netlink import route_special as S
from traced.decoders.netlink import sequences as Q
from traced.decoders.netlink.attrs import Attrs, by_name
from traced.decoders.netlink.bridge_attrs import MDBA
from traced.decoders.netlink.link_attrs import IFLA
from traced.decoders.netlink.stats_attrs import IFLA_STATS
from traced.decoders.xlat import format_enum

U = str  # a field shown as its number


_ADDRESS = A.inet_by_family
_RT_CLASS = A.number("I", lambda value: format_enum(value, T.RT_TABLES, "").text)
_RT_PROTO = A.number("B", lambda value: format_enum(value, T.RTPROT, "RTPROT_???").text)
_IP_PROTO = A.ip_proto
_ENCAP = A.number("H", lambda value: format_enum(
    value, T.LWTUNNEL_ENCAP_TYPES, "LWTUNNEL_ENCAP_???").text)  # fmt: skip


IFA = Attrs(T.IFA_ATTRS, "IFA_???", by_name(T.IFA_ATTRS, {
    "IFA_ADDRESS": _ADDRESS, "IFA_LOCAL": _ADDRESS, "IFA_LABEL": A.string,
    "IFA_BROADCAST": _ADDRESS, "IFA_ANYCAST": _ADDRESS, "IFA_MULTICAST": _ADDRESS,
    "IFA_CACHEINFO": A.fields("IIII", ("ifa_prefered", U), ("ifa_valid", U), ("cstamp", U),
                              ("tstamp", U)),
    "IFA_FLAGS": A.flags(T.IFA_F_FLAGS, "IFA_F_???", 4), "IFA_RT_PRIORITY": A.u32,
    "IFA_TARGET_NETNSID": A.s32,
}))  # fmt: skip
_RTAX = Attrs(
    T.RTAX_ATTRS,
    "RTAX_???",
    {
        value: (A.string if name == "RTAX_CC_ALGO" else A.u32)
        for name, value in T.RTAX_ATTRS
        if name != "RTAX_UNSPEC"
    },
)
RTA = Attrs(T.RTA_ATTRS, "RTA_???", by_name(T.RTA_ATTRS, {
    "RTA_DST": _ADDRESS, "RTA_SRC": _ADDRESS, "RTA_IIF": A.ifindex, "RTA_OIF": A.ifindex,
    "RTA_GATEWAY": _ADDRESS, "RTA_PRIORITY": A.u32, "RTA_PREFSRC": _ADDRESS,
    "RTA_METRICS": A.nested(_RTAX), "RTA_PROTOINFO": A.u32, "RTA_FLOW": A.u32,
    "RTA_VIA": S.via, "RTA_CACHEINFO": A.fields("IIIIIIII", ("rta_clntref", U), ("rta_lastuse", U),
                              ("rta_expires", U), ("rta_error", U), ("rta_used", U),
                              ("rta_id", A.chex), ("rta_ts", U), ("rta_tsage", U)),
    "RTA_MP_ALGO": A.u32, "RTA_TABLE": _RT_CLASS, "RTA_MARK": A.u32,
    "RTA_MFC_STATS": A.fields("QQQ", ("mfcs_packets", U), ("mfcs_bytes", U),
                              ("mfcs_wrong_if", U)),
    "RTA_NEWDST": _ADDRESS, "RTA_PREF": A.u8, "RTA_ENCAP_TYPE": _ENCAP, "RTA_EXPIRES": A.u64,
    "RTA_UID": A.u32, "RTA_TTL_PROPAGATE": A.u8, "RTA_IP_PROTO": A.u8, "RTA_SPORT": A.u16,
    "RTA_DPORT": A.u16, "RTA_NH_ID": A.u32,
}))  # fmt: skip
_NFEA = Attrs(T.NFEA_ATTRS, "NFEA_???", by_name(T.NFEA_ATTRS, {
    "NFEA_ACTIVITY_NOTIFY": A.flags(T.FDB_NOTIFY_FLAGS, "FDB_NOTIFY_???", 1),
}))  # fmt: skip
NDA = Attrs(T.NDA_ATTRS, "NDA_???", by_name(T.NDA_ATTRS, {
    "NDA_DST": _ADDRESS, "NDA_LLADDR": S.hwaddr, "NDA_FDB_EXT_ATTRS": A.nested(_NFEA),
    "NDA_FLAGS_EXT": A.flags(T.NTF_EXT_FLAGS, "NTF_EXT_???", 4),
    "NDA_CACHEINFO": A.fields("IIII", ("ndm_confirmed", U), ("ndm_used", U),
                              ("ndm_updated", U), ("ndm_refcnt", U)),
    "NDA_PROBES": A.u32, "NDA_VLAN": A.u16, "NDA_PORT": A.be16, "NDA_VNI": A.u32,
    "NDA_IFINDEX": A.ifindex, "NDA_MASTER": A.ifindex, "NDA_LINK_NETNSID": A.u32,
    "NDA_SRC_VNI": A.u32, "NDA_PROTOCOL": _IP_PROTO, "NDA_NH_ID": A.u32,
    "NDA_NDM_STATE_MASK": A.flags(T.NUD_STATES, "NUD_???", 2),
    "NDA_NDM_FLAGS_MASK": A.flags(T.NTF_FLAGS, "NTF_???", 1),
}))  # fmt: skip
_RANGE = A.fields("II", ("start", U), ("end", U))
_PORTS = A.fields("HH", ("start", U), ("end", U))
FRA = Attrs(T.FRA_ATTRS, "FRA_???", by_name(T.FRA_ATTRS, {
    "FRA_DST": _ADDRESS, "FRA_SRC": _ADDRESS, "FRA_IIFNAME": A.string, "FRA_GOTO": A.u32,
    "FRA_PRIORITY": A.u32, "FRA_FWMARK": A.u32, "FRA_FLOW": A.u32,
    "FRA_TUN_ID": A.number(">Q", lambda value: f"htobe64({value})"),
    "FRA_SUPPRESS_IFGROUP": A.u32, "FRA_SUPPRESS_PREFIXLEN": A.u32, "FRA_TABLE": _RT_CLASS,
    "FRA_FWMASK": A.u32, "FRA_OIFNAME": A.string, "FRA_L3MDEV": A.u8, "FRA_UID_RANGE": _RANGE,
    "FRA_PROTOCOL": _RT_PROTO, "FRA_IP_PROTO": _IP_PROTO, "FRA_SPORT_RANGE": _PORTS,
    "FRA_DPORT_RANGE": _PORTS,
}))  # fmt: skip
_TCA_STATS = Attrs(T.TCA_STATS_ATTRS, "TCA_STATS_???", by_name(T.TCA_STATS_ATTRS, {
    "TCA_STATS_BASIC": A.fields("QI", ("bytes", U), ("packets", U)),
    "TCA_STATS_RATE_EST": A.fields("II", ("bps", U), ("pps", U)),
    "TCA_STATS_QUEUE": A.fields("IIIII", ("qlen", U), ("backlog", U), ("drops", U),
                                ("requeues", U), ("overlimits", U)),
    "TCA_STATS_RATE_EST64": A.fields("QQ", ("bps", U), ("pps", U)),
    "TCA_STATS_BASIC_HW": A.fields("QI", ("bytes", U), ("packets", U)),
    "TCA_STATS_PKT64": A.u64,
}))  # fmt: skip
_TCA_STAB = Attrs(T.TCA_STAB_ATTRS, "TCA_STAB_???", by_name(T.TCA_STAB_ATTRS, {
    "TCA_STAB_BASE": A.fields("BBhiIIII", ("cell_log", U), ("size_log", U), ("cell_align", U),
                              ("overhead", U), ("linklayer", U), ("mpu", U), ("mtu", U),
                              ("tsize", U)),
    "TCA_STAB_DATA": Q.array("H", lambda data: str(int.from_bytes(data, "little"))),
}))  # fmt: skip
TC_STATS = A.nested(_TCA_STATS)
TCA = Attrs(T.TCA_ATTRS, "TCA_???", by_name(T.TCA_ATTRS, {
    "TCA_KIND": A.string,
    "TCA_STATS": A.fields("QIIIIIII", ("bytes", U), ("packets", U), ("drops", U),
                          ("overlimits", U), ("bps", U), ("pps", U), ("qlen", U), ("backlog", U)),
    "TCA_RATE": A.fields("bB", ("interval", U), ("ewma_log", U)), "TCA_FCNT": A.u32,
    "TCA_STATS2": TC_STATS, "TCA_STAB": A.nested(_TCA_STAB), "TCA_CHAIN": A.u32,
    "TCA_HW_OFFLOAD": A.u8, "TCA_INGRESS_BLOCK": A.u32, "TCA_EGRESS_BLOCK": A.u32,
    "TCA_DUMP_FLAGS": A.u32, "TCA_EXT_WARN_MSG": A.string,
}))  # fmt: skip
_HW_STATS = A.flags(T.TCA_ACT_HW_STATS, "TCA_ACT_HW_STATS_???", 4)
TCA_ACT = Attrs(T.TCA_ACT_ATTRS, "TCA_ACT_???", by_name(T.TCA_ACT_ATTRS, {
    "TCA_ACT_KIND": A.string, "TCA_ACT_INDEX": A.u32, "TCA_ACT_STATS": TC_STATS,
    "TCA_ACT_FLAGS": A.flags(T.TCA_ACT_FLAGS, "TCA_ACT_FLAGS_???", 4),
    "TCA_ACT_HW_STATS": _HW_STATS, "TCA_ACT_USED_HW_STATS": _HW_STATS,
    "TCA_ACT_IN_HW_COUNT": A.u32,
}))  # fmt: skip
_NDTPA = Attrs(T.NDTPA_ATTRS, "NDTPA_???", by_name(T.NDTPA_ATTRS, {
    "NDTPA_IFINDEX": A.ifindex, "NDTPA_REFCNT": A.u32, "NDTPA_REACHABLE_TIME": A.u64,
    "NDTPA_BASE_REACHABLE_TIME": A.u64, "NDTPA_RETRANS_TIME": A.u64,
    "NDTPA_GC_STALETIME": A.u64, "NDTPA_DELAY_PROBE_TIME": A.u64, "NDTPA_QUEUE_LEN": A.u32,
    "NDTPA_APP_PROBES": A.u32, "NDTPA_UCAST_PROBES": A.u32, "NDTPA_MCAST_PROBES": A.u32,
    "NDTPA_ANYCAST_DELAY": A.u64, "NDTPA_PROXY_DELAY": A.u64, "NDTPA_PROXY_QLEN": A.u32,
    "NDTPA_LOCKTIME": A.u64, "NDTPA_QUEUE_LENBYTES": A.u32, "NDTPA_MCAST_REPROBES": A.u32,
    "NDTPA_INTERVAL_PROBE_TIME_MS": A.u64,
}))  # fmt: skip
NDTA = Attrs(T.NDTA_ATTRS, "NDTA_???", by_name(T.NDTA_ATTRS, {
    "NDTA_NAME": A.string, "NDTA_THRESH1": A.u32, "NDTA_THRESH2": A.u32,
    "NDTA_THRESH3": A.u32,
    "NDTA_CONFIG": A.fields("HHIIIIIII", ("ndtc_key_len", U), ("ndtc_entry_size", U),
                            ("ndtc_entries", U), ("ndtc_last_flush", U), ("ndtc_last_rand", U),
                            ("ndtc_hash_rnd", U), ("ndtc_hash_mask", lambda v: f"{v:#010x}"),
                            ("ndtc_hash_chain_gc", U), ("ndtc_proxy_qlen", U)),
    "NDTA_PARMS": A.nested(_NDTPA), "NDTA_STATS": S.ndt_stats, "NDTA_GC_INTERVAL": A.u64,
}))  # fmt: skip
_NH_GROUP = A.struct_of("IBBH", ("id", U), ("weight", U), ("?resvd1", A.chex),
                        ("?resvd2", A.chex))  # fmt: skip
_NHA_RES_GROUP = Attrs(T.NHA_RES_GROUP_ATTRS, "NHA_RES_GROUP_???", by_name(
    T.NHA_RES_GROUP_ATTRS, {
        "NHA_RES_GROUP_BUCKETS": A.u16, "NHA_RES_GROUP_IDLE_TIMER": A.clock_t,
        "NHA_RES_GROUP_UNBALANCED_TIMER": A.clock_t, "NHA_RES_GROUP_UNBALANCED_TIME": A.clock_t,
    }))  # fmt: skip
_NHA_RES_BUCKET = Attrs(T.NHA_RES_BUCKET_ATTRS, "NHA_RES_BUCKET_???", by_name(
    T.NHA_RES_BUCKET_ATTRS, {
        "NHA_RES_BUCKET_INDEX": A.u16, "NHA_RES_BUCKET_IDLE_TIME": A.clock_t,
        "NHA_RES_BUCKET_NH_ID": A.u32,
    }))  # fmt: skip
NHA = Attrs(T.NHA_ATTRS, "NHA_???", by_name(T.NHA_ATTRS, {
    "NHA_ID": A.u32, "NHA_GROUP": Q.array("IBBH", _NH_GROUP),
    "NHA_GROUP_TYPE": A.xval(T.NEXTHOP_GRP_TYPES, "NEXTHOP_GRP_TYPE_???", 2),
    "NHA_BLACKHOLE": A.u32, "NHA_OIF": A.ifindex, "NHA_GATEWAY": _ADDRESS,
    "NHA_ENCAP_TYPE": _ENCAP, "NHA_GROUPS": A.u32, "NHA_MASTER": A.ifindex, "NHA_FDB": A.u32,
    "NHA_RES_GROUP": A.nested(_NHA_RES_GROUP), "NHA_RES_BUCKET": A.nested(_NHA_RES_BUCKET),
}))  # fmt: skip
NETCONFA = Attrs(
    T.NETCONFA_ATTRS,
    "NETCONFA_???",
    {
        value: (A.ifindex if name == "NETCONFA_IFINDEX" else A.s32)
        for name, value in T.NETCONFA_ATTRS
        if name != "NETCONFA_UNSPEC"
    },
)
NETNSA = Attrs(T.NETNSA_ATTRS, "NETNSA_???", by_name(T.NETNSA_ATTRS, {
    "NETNSA_NSID": A.s32, "NETNSA_PID": A.u32, "NETNSA_FD": A.s32,
    "NETNSA_TARGET_NSID": A.s32, "NETNSA_CURRENT_NSID": A.s32,
}))  # fmt: skip
IFAL = Attrs(T.IFAL_ATTRS, "IFAL_???", by_name(T.IFAL_ATTRS, {
    "IFAL_ADDRESS": _ADDRESS, "IFAL_LABEL": A.u32,
}))  # fmt: skip
RTA.decoders[dict(T.RTA_ATTRS)["RTA_MULTIPATH"]] = S.multipath(RTA)  # nests RTA itself
_IPMRA = Attrs(T.IPMRA_CREPORT_ATTRS, "IPMRA_CREPORT_???", by_name(T.IPMRA_CREPORT_ATTRS, {
    "IPMRA_CREPORT_MSGTYPE": A.xval(T.IGMPMSG_TYPES, "IGMPMSG_???", 1),
    "IPMRA_CREPORT_VIF_ID": A.u32, "IPMRA_CREPORT_SRC_ADDR": A.in_addr,
    "IPMRA_CREPORT_DST_ADDR": A.in_addr, "IPMRA_CREPORT_TABLE": A.u32,
}))  # fmt: skip
_IP6MRA = Attrs(T.IP6MRA_CREPORT_ATTRS, "IP6MRA_CREPORT_???", by_name(
    T.IP6MRA_CREPORT_ATTRS, {
        "IP6MRA_CREPORT_MSGTYPE": A.xval(T.MRT6MSG_TYPES, "MRT6MSG_???", 1),
        "IP6MRA_CREPORT_MIF_ID": A.u32, "IP6MRA_CREPORT_SRC_ADDR": A.in6_addr,
        "IP6MRA_CREPORT_DST_ADDR": A.in6_addr,
    }))  # fmt: skip
_FAMILIES = dict(T.RTNL_FAMILIES)
# RTM_NEWCACHEREPORT's, by its (multicast routing) family
CREPORT = A.by_family({_FAMILIES["RTNL_FAMILY_IPMR"]: _IPMRA,
                       _FAMILIES["RTNL_FAMILY_IP6MR"]: _IP6MRA})  # fmt: skip

ATTRS: dict[str, Attrs] = {
    "ifla": IFLA,
    "ifa": IFA,
    "rta": RTA,
    "nda": NDA,
    "fra": FRA,
    "tca": TCA,
    "tca_root": TCA_ACT,  # strace 6.1 reads tcamsg's as an action's
    "ndta": NDTA,
    "ifla_stats": IFLA_STATS,
    "nha": NHA,
    "mdba": MDBA,
    "dcb": Attrs(T.DCB_ATTRS, "DCB_ATTR_???"),
    "netconfa": NETCONFA,
    "netnsa": NETNSA,
    "ifal": IFAL,
}
