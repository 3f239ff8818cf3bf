"""System V IPC's ctl structs: msgctl's, shmctl's and semctl's buffer by command.

IPC_SET hands the kernel a msqid_ds, shmid_ds or semid_ds whose owner, mode (and
msg_qbytes) it applies: strace prints those fields alone, at entry.  IPC_STAT and the
per-kind STAT and STAT_ANY fill the whole struct; IPC_INFO and MSG_INFO a msginfo
(shmctl: IPC_INFO a shminfo, SHM_INFO a shm_info; semctl: a seminfo for both): read
at exit, and only after a success (strace shows a failed call's buffer as its
address).  Other commands' buffers are addresses.  A command may carry IPC_64, the
layout glibc asks for; x86_64's layout is the same either way.

Layouts are x86_64 glibc's, which match the kernel's 64-bit ones: ipc_perm is
{key, uid, gid, cuid, cgid, u16 mode, u16 seq} in 48 bytes (the kernel's mode is a
u32 whose low half is glibc's); msqid_ds, shmid_ds and semid_ds follow it.  A uid of
-1 prints as -1, every other id and count unsigned; the info structs' ints signed.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

from traced.decoders import _constants as K
from traced.decoders.kinds import Decoder
from traced.decoders.pidnames import pid_text
from traced.decoders.values import DecodedValue, Memory, Options, octal, read_exact, unreadable
from traced.events import Arg

_MSG, _SHM, _SEM = dict(K.MSGCTL), dict(K.SHMCTL), dict(K.SEMCTL)
_IPC_SET, _IPC_STAT, _IPC_INFO = _MSG["IPC_SET"], _MSG["IPC_STAT"], _MSG["IPC_INFO"]
_IPC_64 = dict(K.IPC_64)["IPC_64"]
_PERM = struct.Struct("<iIIIIH")  # key, uid, gid, cuid, cgid, mode (48 bytes in all)
_MSQID = struct.Struct("<48xqqqQQQii16x")  # stime rtime ctime cbytes qnum qbytes lspid lrpid
_SHMID = struct.Struct("<48xQqqqiiQ16x")  # segsz atime dtime ctime cpid lpid nattch
_SEMID = struct.Struct("<48xq8xq8xQ16x")  # otime ctime nsems
_MSGINFO = struct.Struct("<7iH2x")
_SHMINFO = struct.Struct("<5Q32x")
_SHM_INFO = struct.Struct("<i4x5Q")
_SEMINFO = struct.Struct("<10i")
_WORD = 1 << 64

Printer = Callable[[bytes, int], str]  # a struct's bytes and the command: its text


def _id(value: int) -> str:
    """strace's PRINT_FIELD_ID: -1 as such, other ids unsigned."""
    return "-1" if value == 0xFFFFFFFF else str(value)


def _perm(data: bytes, command: int) -> str:
    key, uid, gid, cuid, cgid, mode = _PERM.unpack_from(data)
    fields = [f"uid={_id(uid)}", f"gid={_id(gid)}", f"mode={octal(mode)}"]
    if command != _IPC_SET:
        fields += [f"key={key & 0xFFFFFFFF}", f"cuid={_id(cuid)}", f"cgid={_id(cgid)}"]
    return "{" + ", ".join(fields) + "}"


def _u(value: int) -> str:
    return str(value % _WORD)


def msqid_ds(data: bytes, command: int) -> str:
    stime, rtime, ctime, _, qnum, qbytes, lspid, lrpid = _MSQID.unpack(data)
    if command == _IPC_SET:
        return f"{{msg_perm={_perm(data, command)}, msg_qbytes={qbytes}}}"
    return (
        f"{{msg_perm={_perm(data, command)}, msg_stime={_u(stime)}, msg_rtime={_u(rtime)}, "
        f"msg_ctime={_u(ctime)}, msg_qnum={qnum}, msg_qbytes={qbytes}, "
        f"msg_lspid={lspid}, msg_lrpid={lrpid}}}"
    )


def shmid_ds(data: bytes, command: int) -> str:
    segsz, atime, dtime, ctime, cpid, lpid, nattch = _SHMID.unpack(data)
    if command == _IPC_SET:
        return f"{{shm_perm={_perm(data, command)}}}"
    return (
        f"{{shm_perm={_perm(data, command)}, shm_segsz={segsz}, shm_cpid={pid_text(cpid)}, "
        f"shm_lpid={pid_text(lpid)}, shm_nattch={nattch}, shm_atime={_u(atime)}, "
        f"shm_dtime={_u(dtime)}, shm_ctime={_u(ctime)}}}"
    )


def semid_ds(data: bytes, command: int) -> str:
    otime, ctime, nsems = _SEMID.unpack(data)
    if command == _IPC_SET:
        return f"{{sem_perm={_perm(data, command)}}}"
    return (
        f"{{sem_perm={_perm(data, command)}, sem_otime={_u(otime)}, "
        f"sem_ctime={_u(ctime)}, sem_nsems={nsems}}}"
    )


def _fields(names: str, values: Sequence[int]) -> str:
    return (
        "{"
        + ", ".join(f"{name}={value}" for name, value in zip(names.split(), values, strict=True))
        + "}"
    )


def msginfo(data: bytes, command: int) -> str:
    return _fields(
        "msgpool msgmap msgmax msgmnb msgmni msgssz msgtql msgseg", _MSGINFO.unpack(data)
    )


def shminfo(data: bytes, command: int) -> str:
    return _fields("shmmax shmmin shmmni shmseg shmall", _SHMINFO.unpack(data))


def shm_info(data: bytes, command: int) -> str:
    names = "used_ids shm_tot shm_rss shm_swp swap_attempts swap_successes"
    return _fields(names, _SHM_INFO.unpack(data))


def seminfo(data: bytes, command: int) -> str:
    names = "semmap semmni semmns semmnu semmsl semopm semume semusz semvmx semaem"
    return _fields(names, _SEMINFO.unpack(data))


# Per syscall: command -> (struct size, printer); and its STAT, STAT_ANY, second INFO.
_STRUCTS: dict[str, dict[int, tuple[int, Printer]]] = {
    "msgctl": {_IPC_STAT: (_MSQID.size, msqid_ds), _MSG["MSG_STAT"]: (_MSQID.size, msqid_ds),
               _MSG["MSG_STAT_ANY"]: (_MSQID.size, msqid_ds),
               _IPC_INFO: (_MSGINFO.size, msginfo), _MSG["MSG_INFO"]: (_MSGINFO.size, msginfo)},
    "shmctl": {_IPC_STAT: (_SHMID.size, shmid_ds), _SHM["SHM_STAT"]: (_SHMID.size, shmid_ds),
               _SHM["SHM_STAT_ANY"]: (_SHMID.size, shmid_ds),
               _IPC_INFO: (_SHMINFO.size, shminfo), _SHM["SHM_INFO"]: (_SHM_INFO.size, shm_info)},
    "semctl": {_IPC_STAT: (_SEMID.size, semid_ds), _SEM["SEM_STAT"]: (_SEMID.size, semid_ds),
               _SEM["SEM_STAT_ANY"]: (_SEMID.size, semid_ds),
               _IPC_INFO: (_SEMINFO.size, seminfo), _SEM["SEM_INFO"]: (_SEMINFO.size, seminfo)},
}  # fmt: skip


def ctl_buffer(syscall: str, command: int, address: int, memory: Memory) -> DecodedValue:
    """The buffer of one ctl call for ``command``, read now (at entry for IPC_SET, at
    exit for the others): its struct, or its address where unreadable."""
    command &= 0xFFFFFFFF & ~_IPC_64
    size, printer = _STRUCTS[syscall][_IPC_STAT if command == _IPC_SET else command]
    data = read_exact(memory, address, size) if address else None
    if data is None:
        return unreadable(address)
    return DecodedValue(printer(data, command), None, address)


def _ctl(syscall: str) -> Decoder:
    """The buffer argument of ``syscall``: IPC_SET's at entry, the others' at exit."""

    def entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue | None:
        if raw[at - 1] & 0xFFFFFFFF & ~_IPC_64 != _IPC_SET:
            return None
        return ctl_buffer(syscall, _IPC_SET, raw[at], memory)

    def exit(
        raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
        args: Sequence[Arg],
    ) -> DecodedValue | None:  # fmt: skip
        command = raw[at - 1] & 0xFFFFFFFF & ~_IPC_64
        if command == _IPC_SET or command not in _STRUCTS[syscall]:
            return None
        return ctl_buffer(syscall, command, raw[at], memory)

    return Decoder(entry=entry, exit=exit, in_and_out=True)


# msgctl's and shmctl's third argument, semctl's fourth (x86_64 passes semun's pointer).
BY_ARGUMENT: dict[tuple[str, str], Decoder] = {
    ("msgctl", "buf"): _ctl("msgctl"), ("shmctl", "buf"): _ctl("shmctl"),
    ("semctl", "arg"): _ctl("semctl"),
}  # fmt: skip
DECODERS: dict[str, Decoder] = {}
# The arguments the kernel writes (traced.decoders.arguments): read at exit too.
OUTPUTS = tuple(BY_ARGUMENT)
