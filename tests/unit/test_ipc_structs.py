"""System V IPC's ctl structs and the get calls' flags in each -X style, on
constructed registers and memory: strace 6.1's text out (from strace's ipc_msg,
ipc_shm and ipc_sem tests)."""

import struct

from tests.unit.plain import decoded_call
from tests.unit.test_generated_constants import line
from traced.decoders.families import ipc
from traced.decoders.style import RAW, VERBOSE, Style, applied

BUF = 0x2000
PERM = struct.pack("<iIIIIHH", 0, 0, 0, 0, 0, 0o600, 7) + bytes(24)


def test_msgctl_structs_by_command() -> None:
    msqid = PERM + struct.pack("<qqqQQQii", 0, 0, 1796688369, 0, 0, 16384, 0, 0) + bytes(16)
    memory = {BUF: msqid}
    assert line("msgctl", (5, 2, BUF), 0, memory) == (
        "msgctl(5, IPC_STAT, {msg_perm={uid=0, gid=0, mode=0600, key=0, cuid=0, cgid=0}, "
        "msg_stime=0, msg_rtime=0, msg_ctime=1796688369, msg_qnum=0, msg_qbytes=16384, "
        "msg_lspid=0, msg_lrpid=0}) = 0"
    )
    assert line("msgctl", (5, 1, BUF), 0, memory) == (
        "msgctl(5, IPC_SET, {msg_perm={uid=0, gid=0, mode=0600}, msg_qbytes=16384}) = 0"
    )
    info = struct.pack("<7iH2x", 512000, 16384, 8192, 16384, 32000, 16, 16384, 65535)
    assert line("msgctl", (5, 12, BUF), 35, {BUF: info}) == (
        "msgctl(5, MSG_INFO, {msgpool=512000, msgmap=16384, msgmax=8192, msgmnb=16384, "
        "msgmni=32000, msgssz=16, msgtql=16384, msgseg=65535}) = 35"
    )
    assert line("msgctl", (5, 0, 0), 0) == "msgctl(5, IPC_RMID, NULL) = 0"


def test_a_failed_ctl_shows_its_buffer_as_an_address() -> None:
    failed = decoded_call("msgctl", (5, 2, BUF), -22, "EINVAL", memory={BUF: bytes(120)})
    assert [arg.text for arg in failed.args] == ["5", "IPC_STAT", "0x2000"]
    unreadable = decoded_call("msgctl", (5, 1, 2**64 - 1), -22, "EINVAL")
    assert unreadable.args[2].text == "0xffffffffffffffff"


def test_shmctl_and_semctl_structs() -> None:
    shmid = PERM + struct.pack("<QqqqiiQ", 1, 0, 0, 1796688371, 27004, 0, 0) + bytes(16)
    assert line("shmctl", (5, 13, BUF), 5, {BUF: shmid}) == (
        "shmctl(5, SHM_STAT, {shm_perm={uid=0, gid=0, mode=0600, key=0, cuid=0, cgid=0}, "
        "shm_segsz=1, shm_cpid=27004, shm_lpid=0, shm_nattch=0, shm_atime=0, shm_dtime=0, "
        "shm_ctime=1796688371}) = 5"
    )
    shminfo = struct.pack("<5Q", 2**64 - 16777217, 1, 4096, 4096, 2**64 - 16777217) + bytes(32)
    assert line("shmctl", (5, 3, BUF), 29, {BUF: shminfo}) == (
        "shmctl(5, IPC_INFO, {shmmax=18446744073692774399, shmmin=1, shmmni=4096, "
        "shmseg=4096, shmall=18446744073692774399}) = 29"
    )
    shm_info = struct.pack("<i4x5Q", 2, 3918719254129679, 0, 0, 0, 0)
    assert line("shmctl", (5, 14, BUF), 29, {BUF: shm_info}) == (
        "shmctl(5, SHM_INFO, {used_ids=2, shm_tot=3918719254129679, shm_rss=0, shm_swp=0, "
        "swap_attempts=0, swap_successes=0}) = 29"
    )
    semid = PERM + struct.pack("<q8xq8xQ", 0, 1796688370, 1) + bytes(16)
    assert line("semctl", (5, 0, 1, BUF), 0, {BUF: semid}) == (
        "semctl(5, 0, IPC_SET, {sem_perm={uid=0, gid=0, mode=0600}}) = 0"
    )
    seminfo = struct.pack("<10i", 1024000000, 32000, 1024000000, 1024000000, 32000, 500, 500,
                          20, 32767, 32767)  # fmt: skip
    assert line("semctl", (5, 0, 3, BUF), 63, {BUF: seminfo}) == (
        "semctl(5, 0, IPC_INFO, {semmap=1024000000, semmni=32000, semmns=1024000000, "
        "semmnu=1024000000, semmsl=32000, semopm=500, semume=500, semusz=20, semvmx=32767, "
        "semaem=32767}) = 63"
    )


def test_get_flags_in_each_style() -> None:
    flags = 0xFACE1000 | 0xC00 | 0o125
    with applied(Style(xlat=RAW)):
        assert ipc.ipc_get_flags(0o1600).text == "0x200|0600"
        assert ipc.ipc_key(0).text == "0"
        assert ipc.shmget_flags(21 << 26).text == "21<<26|000"
        assert ipc.shmget_flags(0x2CE1E00 | 0o125).text == "0x2ce1e00|0125"
    with applied(Style(xlat=VERBOSE)):
        assert ipc.ipc_get_flags(flags).text == (
            "0xface1c00 /* IPC_EXCL|IPC_NOWAIT|0xface1000 */|0125"
        )
        assert ipc.ipc_key(0).text == "0 /* IPC_PRIVATE */"
        assert ipc.ipc_key(0xFDB97531).text == "0xfdb97531"
        assert ipc.shmget_flags(0x2CE0000 | 21 << 26 | 0o125).text == (
            "0x2ce0000|21<<26 /* SHM_HUGE_SHIFT */|0125"
        )
    assert ipc.shmget_flags(0).text == "000"
    assert ipc.shmget_flags(0x2CE0000 | 0o125).text == "0x2ce0000|0125"
