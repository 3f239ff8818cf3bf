"""NETLINK_ROUTE's attributes, by the struct they follow: their names, and the
decoders of their data that strace has (the rest print in hex)."""

from __future__ import annotations

from traced.decoders.netlink import _tables as T
from traced.decoders.netlink.attrs import Attrs

ATTRS: dict[str, Attrs] = {
    "ifla": Attrs(T.IFLA_ATTRS, "IFLA_???"),
    "ifa": Attrs(T.IFA_ATTRS, "IFA_???"),
    "rta": Attrs(T.RTA_ATTRS, "RTA_???"),
    "nda": Attrs(T.NDA_ATTRS, "NDA_???"),
    "fra": Attrs(T.FRA_ATTRS, "FRA_???"),
    "tca": Attrs(T.TCA_ATTRS, "TCA_???"),
    "tca_root": Attrs(T.TCA_ROOT_ATTRS, "TCA_ROOT_???"),
    "ndta": Attrs(T.NDTA_ATTRS, "NDTA_???"),
    "ifla_stats": Attrs(T.IFLA_STATS_ATTRS, "IFLA_STATS_???"),
    "nha": Attrs(T.NHA_ATTRS, "NHA_???"),
    "mdba": Attrs(T.MDBA_ATTRS, "MDBA_???"),
    "dcb": Attrs(T.DCB_ATTRS, "DCB_ATTR_???"),
    "netconfa": Attrs(T.NETCONFA_ATTRS, "NETCONFA_???"),
    "netnsa": Attrs(T.NETNSA_ATTRS, "NETNSA_???"),
    "ifal": Attrs(T.IFAL_ATTRS, "IFAL_???"),
}
