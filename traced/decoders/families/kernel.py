"""Calls that name a kernel facility's command in their first word: seccomp's
operation and flags, bpf's command, io_uring_register's opcode, keyctl's command
and the special key ids, quotactl's ``QCMD(cmd, type)`` (names generated from
linux/seccomp.h, bpf.h, io_uring.h, keyctl.h, quota.h and dqblk_xfs.h).

quotactl packs its command above bit 8 and the quota type below (quota.h's
SUBCMDSHIFT and SUBCMDMASK); strace prints the two as ``QCMD(Q_SYNC, USRQUOTA)``.
A special key id (KEY_SPEC_THREAD_KEYRING ...) is a small negative int; any other
key is printed as its number.
"""

from __future__ import annotations

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.kinds import Decoder, by_register
from traced.decoders.values import DecodedValue, as_signed
from traced.decoders.xlat import Table, format_enum

_SUBCMD_SHIFT = 8
_SUBCMD_MASK = 0xFF


def quota_command(raw: int) -> DecodedValue:
    """``QCMD(Q_GETQUOTA, GRPQUOTA)``."""
    value = raw & 0xFFFFFFFF
    command = format_enum(value >> _SUBCMD_SHIFT, K.QUOTA_CMDS, "Q_???").text
    kind = format_enum(value & _SUBCMD_MASK, K.QUOTA_TYPES, "???QUOTA").text
    text = f"QCMD({command}, {kind})"
    return DecodedValue(text, text, raw)


def key_serial(raw: int) -> DecodedValue:
    """A key id: KEY_SPEC_* by name, any other as a signed int."""
    return format_enum(as_signed(raw, 32), K.KEY_SPEC, "", decimal=True)


DECODERS: dict[str, Decoder] = {
    "enum:seccomp_op": named.enum(K.SECCOMP_OP, "SECCOMP_???"),
    "flags:seccomp": named.flags(K.SECCOMP_FILTER_FLAGS, "SECCOMP_FILTER_FLAG_???"),
    "enum:bpf_cmd": named.enum(K.BPF_CMD, "BPF_???"),
    "enum:io_uring_register": named.enum(K.IORING_REGISTER, "IORING_REGISTER_???"),
    "enum:keyctl": named.enum(K.KEYCTL, "KEYCTL_???"),
    "enum:key_spec": by_register(key_serial),
    "enum:quotactl": by_register(quota_command),
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {
    "enum:seccomp_op": K.SECCOMP_OP, "flags:seccomp": K.SECCOMP_FILTER_FLAGS,
    "enum:bpf_cmd": K.BPF_CMD, "enum:io_uring_register": K.IORING_REGISTER,
    "enum:keyctl": K.KEYCTL, "enum:key_spec": K.KEY_SPEC,
}  # fmt: skip
