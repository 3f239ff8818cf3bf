"""quotactl's and quotactl_fd's arguments by command, on constructed registers and
memory: strace 6.1's text out (lines from its runs of strace's quotactl, quotactl-xfs
and quotactl_fd tests, with and without -v and -einject=quotactl:retval=42)."""

import re
import struct

from tests.unit import test_special_decoders
from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.values import Options

BUF, PATH = 0x1000, 0x3000
ONES = 2**64 - 1


def line(
    name: str, raw: tuple[int, ...], retval: int, memory: dict[int, bytes] | None = None
) -> str:
    return re.sub(r" +=", " =", test_special_decoders.line(name, raw, retval, memory), count=1)


def texts(raw: tuple[int, ...], options: Options, memory: dict[int, bytes]) -> list[str]:
    fake = FakeMemory(memory)
    args = decode_entry("quotactl", raw, fake, options)
    return [
        arg.text for arg in decode_exit("quotactl", args, raw, fake, retval=42, options=options)
    ]


def test_the_id_and_address_only_where_the_command_reads_them() -> None:
    paths = {PATH: b"/dev/bogus/\0", 0x4000: b"/tmp/bogus/\0"}
    assert line("quotactl", (0x80000200, PATH, 1, 0x4000), 0, paths) == (
        'quotactl(QCMD(Q_QUOTAON, USRQUOTA), "/dev/bogus/", QFMT_VFS_OLD, "/tmp/bogus/") = 0'
    )
    assert line("quotactl", (0x80000301, PATH, 5, BUF), 0, paths) == (
        'quotactl(QCMD(Q_QUOTAOFF, GRPQUOTA), "/dev/bogus/") = 0'
    )
    assert line("quotactl", (0xBADC0DED, 0, 0xCAFEF00DCA7F00ED, 0), 0) == (
        "quotactl(QCMD(0xbadc0d /* Q_??? */, 0xed /* ???QUOTA */), NULL, 3397320941, NULL) = 0"
    )
    flags = {BUF: struct.pack("<I", 0xFEED002F)}
    assert line("quotactl", (0x580102, 0, ONES, BUF), 0, flags) == (
        "quotactl(QCMD(Q_XQUOTAON, PRJQUOTA), NULL, [FS_QUOTA_UDQ_ACCT|FS_QUOTA_UDQ_ENFD"
        "|FS_QUOTA_GDQ_ACCT|FS_QUOTA_GDQ_ENFD|FS_QUOTA_PDQ_ENFD|0xfeed0000]) = 0"
    )
    assert line("quotactl_fd", (3, 0x80000401, ONES, BUF), 0, {BUF: struct.pack("<I", 2)}) == (
        "quotactl_fd(3, QCMD(Q_GETFMT, GRPQUOTA), [QFMT_VFS_V0]) = 0"
    )


def test_structs_short_without_v_whole_with_it() -> None:
    dqblk = {BUF: struct.pack("<8QI", *range(1, 9), 0x3F)}
    assert line("quotactl", (0x80000700, 0, 0, BUF), 0, dqblk) == (
        "quotactl(QCMD(Q_GETQUOTA, USRQUOTA), NULL, 0, {dqb_bhardlimit=1, dqb_bsoftlimit=2, "
        "dqb_curspace=3, dqb_ihardlimit=4, dqb_isoftlimit=5, dqb_curinodes=6, ...}) = 0"
    )
    assert texts((0x80000800, 0, ONES, BUF), Options(verbose=True), dqblk)[3].endswith(
        "dqb_btime=7, dqb_itime=8, dqb_valid=QIF_BLIMITS|QIF_SPACE|QIF_ILIMITS|QIF_INODES"
        "|QIF_BTIME|QIF_ITIME}"
    )
    info = {BUF: struct.pack("<QQII", 7, 8, 0x10001, 0x4)}
    assert line("quotactl", (0x80000601, 0, ONES, BUF), 0, info) == (
        "quotactl(QCMD(Q_SETINFO, GRPQUOTA), NULL, {dqi_bgrace=7, dqi_igrace=8, "
        "dqi_flags=DQF_ROOT_SQUASH|DQF_SYS_FILE, dqi_valid=IIF_FLAGS}) = 0"
    )
    values = (-1, 3, 0, *range(1, 13))
    stat = {BUF: struct.pack("<bxHb3xQQI4xQQI4xIiiiHH4x", *values)}
    assert line("quotactl", (0x580500, 0, 0, BUF), 0, stat) == (
        "quotactl(QCMD(Q_XGETQSTAT, USRQUOTA), NULL, {qs_version=-1, ...}) = 0"
    )
    assert texts((0x580500, 0, 0, BUF), Options(verbose=True), stat)[3] == (
        "{qs_version=-1, qs_flags=FS_QUOTA_UDQ_ACCT|FS_QUOTA_UDQ_ENFD, qs_uquota={qfs_ino=1, "
        "qfs_nblks=2, qfs_nextents=3}, qs_gquota={qfs_ino=4, qfs_nblks=5, qfs_nextents=6}, "
        "qs_incoredqs=7, qs_btimelimit=8, qs_itimelimit=9, qs_rtbtimelimit=10, "
        "qs_bwarnlimit=11, qs_iwarnlimit=12}"
    )


def test_command_word_in_each_style() -> None:
    raw = (0x80000200, 0, 1, 0)
    assert texts(raw, Options(xlat="raw"), {})[:3] == ["2147484160", "NULL", "0x1"]
    assert texts(raw, Options(xlat="verbose"), {})[0] == (
        "2147484160 /* QCMD(Q_QUOTAON, USRQUOTA) */"
    )
