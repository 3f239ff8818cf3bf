"""Regenerate traced/decoders/_ioctls.py, ioctl's request names, from the uapi headers.

ioctl request numbers are facts the kernel publishes in /usr/include; we copy them
rather than hand-type them.  Run on a machine with linux-libc-dev 6.1 and gcc:

    python scripts/gen_ioctls.py > traced/decoders/_ioctls.py

Which names, the way strace 6.1 gathers its ioctl table (its maint/ioctls_*.sh):

* symbolic: every object-like macro a header itself defines as ``_IO(``, ``_IOR(``,
  ``_IOW(``, ``_IOWR(``, ``_IOC(`` (or a ``PREFIX_IO...(`` wrapper such as
  ``DRM_IOW(``), in every uapi header;
* hex: the older requests defined as plain numbers ``0xTTNN``, read only for the
  request types (TT) and headers whose numbers are ioctls: terminals (0x54) in
  asm-generic/ioctls.h, sockets (0x89) in sockios.h, hdreg (0x03), kd (0x4B), loop
  (0x4C), vt (0x56), cdrom and SCSI (0x53), sg (0x22), fb (0x46), wireless (0x8B).

Values are what a compiled program prints for each name (one program per header, as
headers do not all compile together); a name the compiler rejects (a struct that
header does not define) is left out, as strace's build leaves it out.  Rows are
sorted by value, then name: strace prints every name of a number joined by " or ",
in that order (``SNDCTL_TMR_START or TCSETS``).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from gen_constants import Spec, _spec
from gen_constants import table as constants_table

INCLUDE = Path("/usr/include")
ARCH = INCLUDE / "x86_64-linux-gnu"
DIRECTORIES = ("linux", "asm-generic", "misc", "mtd", "rdma", "sound", "video", "xen")
SYMBOLIC = re.compile(
    r"^[ \t]*#[ \t]*define[ \t]+([A-Z][A-Z0-9_]*)(?:[ \t]|\\\n)+"
    r"([A-Z]+)?_S?(IO|IOW|IOR|IOWR|IOC|IOCTL)[ \t]*\([^)]",
    re.M,
)
HEX: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("03", ("linux/hdreg.h",)),
    ("22", ("scsi/sg.h",)),
    ("46", ("linux/fb.h",)),
    ("4B", ("linux/kd.h",)),
    ("4C", ("linux/loop.h",)),
    ("53", ("linux/cdrom.h", "scsi/scsi.h", "scsi/scsi_ioctl.h")),
    ("(?:46|54|66|74)", ("asm/ioctls.h", "asm-generic/ioctls.h")),
    ("56", ("linux/vt.h",)),
    ("7[12]", ("linux/videotext.h",)),
    ("89", ("asm/sockios.h", "asm-generic/sockios.h", "linux/sockios.h")),
    ("8B", ("linux/wireless.h",)),
)
PREAMBLE = """#include <stdio.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <linux/types.h>
#include <linux/limits.h>
#include <asm/ioctl.h>
"""
# Headers that use, without including them, what another header defines.
NEEDS: dict[str, tuple[str, ...]] = {
    "asm/ioctls.h": ("asm/termbits.h",),
    "asm-generic/ioctls.h": ("asm/termbits.h",),
    "linux/fs.h": ("linux/fiemap.h", "linux/blktrace_api.h"),
    "linux/if_pppox.h": ("netinet/in.h",),
    "linux/if_tun.h": ("linux/filter.h",),
    "linux/ppp-ioctl.h": ("linux/filter.h",),
    "linux/gsmmux.h": ("linux/if.h",),
    "linux/sonet.h": ("linux/atmioc.h",),
    "linux/atm_eni.h": ("linux/atm.h",),
    "linux/atm_he.h": ("linux/atm.h",),
    "linux/atm_idt77105.h": ("linux/atm.h",),
    "linux/atm_nicstar.h": ("linux/atm.h",),
    "linux/atm_tcp.h": ("linux/atm.h",),
    "linux/atm_zatm.h": ("linux/atm.h",),
    "linux/ivtvfb.h": ("linux/videodev2.h",),
    "linux/meye.h": ("linux/videodev2.h",),
    "sound/asequencer.h": ("sound/asound.h",),
    "sound/emu10k1.h": ("sound/asound.h",),
}
# Names strace's build leaves out: aliases of another header's numbers (subdev's
# copies of the video ioctls, btrfs's label aliases, dma-buf's SET_NAME) and KVM's
# requests for other architectures.
EXCLUDE: dict[str, str] = {
    "linux/v4l2-subdev.h": r"VIDIOC_SUBDEV_(DV_TIMINGS_CAP|ENUM_DV_TIMINGS|ENUMSTD|G_DV_TIMINGS"
    r"|G_EDID|G_STD|QUERY_DV_TIMINGS|QUERYSTD|S_DV_TIMINGS|S_EDID|S_STD)",
    "linux/btrfs.h": r"BTRFS_IOC_([GS]ET_FSLABEL|SHUTDOWN)",
    "linux/exfat.h": r"EXFAT_IOC_SHUTDOWN",
    "linux/ext4.h": r"EXT4_IOC(32_GROUP_ADD|_SHUTDOWN)",
    "linux/dma-buf.h": r"DMA_BUF_SET_NAME",
    "linux/kvm.h": r"KVM_(ARM|PPC|S390)_\w+|KVM_ALLOCATE_RMA|KVM_CREATE_SPAPR_TCE(_64)?",
}
ERROR_LINE = re.compile(r"values\.c:(\d+):\d+: error")


def headers() -> list[tuple[str, Path]]:
    """Every uapi header, by the name a program includes it as."""
    found = [
        (str(p.relative_to(INCLUDE)), p) for d in DIRECTORIES for p in (INCLUDE / d).rglob("*.h")
    ]
    found += [(str(p.relative_to(ARCH)), p) for p in (ARCH / "asm").glob("*.h")]
    return sorted(found)


def symbolic_names(text: str) -> list[str]:
    return list(dict.fromkeys(match.group(1) for match in SYMBOLIC.finditer(text)))


def hex_names(header: str, text: str) -> list[str]:
    for kind, files in HEX:
        if header in files:
            pattern = (
                rf"^[ \t]*#[ \t]*define[ \t]+([A-Z][A-Z0-9_]*)[ \t]+0x{kind}[0-9A-Fa-f]{{2}}\b"
            )
            return list(dict.fromkeys(re.findall(pattern, text, re.M | re.I)))
    return []


def _program(header: str, names: list[str]) -> str:
    needs = "".join(f"#include <{need}>\n" for need in NEEDS.get(header, ()))
    prints = "".join(
        f'    printf("%s %llu\\n", "{n}", (unsigned long long)(unsigned int)({n}));\n'
        for n in names
    )
    return f"{PREAMBLE}{needs}#include <{header}>\nint main(void) {{\n{prints}    return 0;\n}}\n"


def values(header: str, names: list[str], tmp: Path) -> dict[str, int]:
    """Each name's value as the compiler works it out; names it rejects left out."""
    first_print = _program(header, []).count("\n") - 1  # line of the first printf, 1-based
    for _attempt in range(4):
        if not names:
            return {}
        source = tmp / "values.c"
        source.write_text(_program(header, names))
        binary = tmp / "values"
        build = subprocess.run(
            ["gcc", "-w", "-D__EXPORTED_HEADERS__", "-o", str(binary), str(source)],
            check=False,
            capture_output=True,
            text=True,
        )
        if build.returncode == 0:
            out = subprocess.run([str(binary)], check=True, capture_output=True, text=True)
            return {line.split()[0]: int(line.split()[1]) for line in out.stdout.splitlines()}
        bad = {int(n) - first_print for n in ERROR_LINE.findall(build.stderr)}
        bad = {i for i in bad if 0 <= i < len(names)}
        if not bad:  # the header itself does not compile here
            print(f"{header}: skipped\n{build.stderr[:400]}", file=sys.stderr)
            return {}
        names = [n for i, n in enumerate(names) if i not in bad]
    return {}


def table() -> list[tuple[str, int]]:
    rows: set[tuple[str, int]] = set()
    with tempfile.TemporaryDirectory() as work:
        for header, path in headers():
            text = path.read_text(errors="replace")
            names = list(dict.fromkeys(symbolic_names(text) + hex_names(header, text)))
            if header in EXCLUDE:
                names = [n for n in names if not re.fullmatch(EXCLUDE[header], n)]
            rows.update(values(header, names, Path(work)).items())
    for header in ("scsi/sg.h", "scsi/scsi.h", "scsi/scsi_ioctl.h"):  # glibc's copies
        names = hex_names(header, (INCLUDE / header).read_text())
        with tempfile.TemporaryDirectory() as work:
            rows.update(values(header, names, Path(work)).items())
    rows.update((name, value) for name, value, _ in UNEXPORTED_REQUESTS)
    return sorted(rows, key=lambda row: (row[1], row[0]))


# Requests strace names with their parameters (``EVIOCGBIT(EV_KEY, 8)``): the
# function-like macros of these headers, each's number with its parameters 0.
FUNCTIONS = {"linux/input.h": r"EVIOC\w+", "linux/soundcard.h": r"MIXER_(READ|WRITE)"}
FUNCTION = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Z][A-Z0-9_]*)\(([^)]*)\)", re.M)


def functions() -> list[tuple[str, int]]:
    rows: list[tuple[str, int]] = []
    with tempfile.TemporaryDirectory() as work:
        for header, pattern in FUNCTIONS.items():
            calls = [
                f"{name}({','.join('0' for _ in params.split(','))})"
                for name, params in FUNCTION.findall((INCLUDE / header).read_text())
                if re.fullmatch(pattern, name)
            ]
            rows += [
                (call.split("(")[0], value)
                for call, value in values(header, calls, Path(work)).items()
            ]
    return sorted(rows, key=lambda row: (row[1], row[0]))


# Tables of names the kernel keeps out of its uapi headers, each name with its value
# and the kernel header that defines it.
_ATA_H = "include/linux/ata.h"
_ATA_COMMANDS = (  # HDIO_DRIVE_CMD's commands
    ("ATA_CMD_NOP", 0x00, _ATA_H),
    ("ATA_CMD_CFA_REQ_EXT_ERR", 0x03, _ATA_H),
    ("ATA_CMD_DSM", 0x06, _ATA_H),
    ("ATA_CMD_DEV_RESET", 0x08, _ATA_H),
    ("ATA_CMD_REQ_SENSE_DATA", 0x0B, _ATA_H),
    ("ATA_CMD_RESTORE", 0x10, _ATA_H),
    ("ATA_CMD_PIO_READ", 0x20, _ATA_H),
    ("ATA_CMD_READ_LONG", 0x22, _ATA_H),
    ("ATA_CMD_READ_LONG_ONCE", 0x23, _ATA_H),
    ("ATA_CMD_PIO_READ_EXT", 0x24, _ATA_H),
    ("ATA_CMD_READ_EXT", 0x25, _ATA_H),
    ("ATA_CMD_READ_QUEUED", 0x26, _ATA_H),
    ("ATA_CMD_READ_NATIVE_MAX_EXT", 0x27, _ATA_H),
    ("ATA_CMD_READ_MULTI_EXT", 0x29, _ATA_H),
    ("ATA_CMD_READ_STREAM_DMA_EXT", 0x2A, _ATA_H),
    ("ATA_CMD_READ_STREAM_EXT", 0x2B, _ATA_H),
    ("ATA_CMD_READ_LOG_EXT", 0x2F, _ATA_H),
    ("ATA_CMD_PIO_WRITE", 0x30, _ATA_H),
    ("ATA_CMD_WRITE_LONG", 0x32, _ATA_H),
    ("ATA_CMD_WRITE_LONG_ONCE", 0x33, _ATA_H),
    ("ATA_CMD_PIO_WRITE_EXT", 0x34, _ATA_H),
    ("ATA_CMD_WRITE_EXT", 0x35, _ATA_H),
    ("ATA_CMD_WRITE_QUEUED", 0x36, _ATA_H),
    ("ATA_CMD_SET_MAX_EXT", 0x37, _ATA_H),
    ("ATA_CMD_CFA_WRITE_NE", 0x38, _ATA_H),
    ("ATA_CMD_WRITE_MULTI_EXT", 0x39, _ATA_H),
    ("ATA_CMD_WRITE_STREAM_DMA_EXT", 0x3A, _ATA_H),
    ("ATA_CMD_WRITE_STREAM_EXT", 0x3B, _ATA_H),
    ("ATA_CMD_WRITE_FUA_EXT", 0x3D, _ATA_H),
    ("ATA_CMD_WRITE_QUEUED_FUA_EXT", 0x3E, _ATA_H),
    ("ATA_CMD_WRITE_LOG_EXT", 0x3F, _ATA_H),
    ("ATA_CMD_VERIFY", 0x40, _ATA_H),
    ("ATA_CMD_VERIFY_EXT", 0x42, _ATA_H),
    ("ATA_CMD_WRITE_UNCORR_EXT", 0x45, _ATA_H),
    ("ATA_CMD_READ_LOG_DMA_EXT", 0x47, _ATA_H),
    ("ATA_CMD_ZAC_MGMT_IN", 0x4A, _ATA_H),
    ("ATA_CMD_CONFIG_STREAM", 0x51, _ATA_H),
    ("ATA_CMD_WRITE_LOG_DMA_EXT", 0x57, _ATA_H),
    ("ATA_CMD_TRUSTED_NONDATA", 0x5B, _ATA_H),
    ("ATA_CMD_TRUSTED_RCV", 0x5C, _ATA_H),
    ("ATA_CMD_TRUSTED_RCV_DMA", 0x5D, _ATA_H),
    ("ATA_CMD_TRUSTED_SND", 0x5E, _ATA_H),
    ("ATA_CMD_TRUSTED_SND_DMA", 0x5F, _ATA_H),
    ("ATA_CMD_FPDMA_READ", 0x60, _ATA_H),
    ("ATA_CMD_FPDMA_WRITE", 0x61, _ATA_H),
    ("ATA_CMD_NCQ_NON_DATA", 0x63, _ATA_H),
    ("ATA_CMD_FPDMA_SEND", 0x64, _ATA_H),
    ("ATA_CMD_FPDMA_RECV", 0x65, _ATA_H),
    ("ATA_CMD_CFA_TRANS_SECT", 0x87, _ATA_H),
    ("ATA_CMD_EDD", 0x90, _ATA_H),
    ("ATA_CMD_INIT_DEV_PARAMS", 0x91, _ATA_H),
    ("ATA_CMD_DOWNLOAD_MICRO", 0x92, _ATA_H),
    ("ATA_CMD_DOWNLOAD_MICRO_DMA", 0x93, _ATA_H),
    ("ATA_CMD_ZAC_MGMT_OUT", 0x9F, _ATA_H),
    ("ATA_CMD_PACKET", 0xA0, _ATA_H),
    ("ATA_CMD_ID_ATAPI", 0xA1, _ATA_H),
    ("ATA_CMD_SERVICE", 0xA2, _ATA_H),
    ("ATA_CMD_SMART", 0xB0, _ATA_H),
    ("ATA_CMD_CONF_OVERLAY", 0xB1, _ATA_H),
    ("ATA_CMD_SANITIZE_DEVICE", 0xB4, _ATA_H),
    ("ATA_CMD_CFA_ERASE", 0xC0, _ATA_H),
    ("ATA_CMD_READ_MULTI", 0xC4, _ATA_H),
    ("ATA_CMD_WRITE_MULTI", 0xC5, _ATA_H),
    ("ATA_CMD_SET_MULTI", 0xC6, _ATA_H),
    ("ATA_CMD_READ", 0xC8, _ATA_H),
    ("ATA_CMD_WRITE", 0xCA, _ATA_H),
    ("ATA_CMD_CFA_WRITE_MULT_NE", 0xCD, _ATA_H),
    ("ATA_CMD_WRITE_MULTI_FUA_EXT", 0xCE, _ATA_H),
    ("ATA_CMD_CHK_MED_CRD_TYP", 0xD1, _ATA_H),
    ("ATA_CMD_MEDIA_LOCK", 0xDE, _ATA_H),
    ("ATA_CMD_MEDIA_UNLOCK", 0xDF, _ATA_H),
    ("ATA_CMD_STANDBYNOW1", 0xE0, _ATA_H),
    ("ATA_CMD_IDLEIMMEDIATE", 0xE1, _ATA_H),
    ("ATA_CMD_STANDBY", 0xE2, _ATA_H),
    ("ATA_CMD_IDLE", 0xE3, _ATA_H),
    ("ATA_CMD_PMP_READ", 0xE4, _ATA_H),
    ("ATA_CMD_CHK_POWER", 0xE5, _ATA_H),
    ("ATA_CMD_SLEEP", 0xE6, _ATA_H),
    ("ATA_CMD_FLUSH", 0xE7, _ATA_H),
    ("ATA_CMD_PMP_WRITE", 0xE8, _ATA_H),
    ("ATA_CMD_PMP_READ_DMA", 0xE9, _ATA_H),
    ("ATA_CMD_FLUSH_EXT", 0xEA, _ATA_H),
    ("ATA_CMD_PMP_WRITE_DMA", 0xEB, _ATA_H),
    ("ATA_CMD_ID_ATA", 0xEC, _ATA_H),
    ("ATA_CMD_SET_FEATURES", 0xEF, _ATA_H),
    ("ATA_CMD_SEC_SET_PASS", 0xF1, _ATA_H),
    ("ATA_CMD_SEC_UNLOCK", 0xF2, _ATA_H),
    ("ATA_CMD_SEC_ERASE_PREP", 0xF3, _ATA_H),
    ("ATA_CMD_SEC_ERASE_UNIT", 0xF4, _ATA_H),
    ("ATA_CMD_SEC_FREEZE_LOCK", 0xF5, _ATA_H),
    ("ATA_CMD_SEC_DISABLE_PASS", 0xF6, _ATA_H),
    ("ATA_CMD_READ_NATIVE_MAX", 0xF8, _ATA_H),
    ("ATA_CMD_SET_MAX", 0xF9, _ATA_H),
)

# Flags the NBD protocol defines that the kernel passes through without naming them.
_NBD_PROTO = "nbd's doc/proto.md"
_NBD_PROTOCOL_FLAGS = (
    ("NBD_FLAG_ROTATIONAL", 1 << 4, _NBD_PROTO),
    ("NBD_FLAG_SEND_WRITE_ZEROES", 1 << 6, _NBD_PROTO),
    ("NBD_FLAG_SEND_DF", 1 << 7, _NBD_PROTO),
    ("NBD_FLAG_SEND_RESIZE", 1 << 9, _NBD_PROTO),
    ("NBD_FLAG_SEND_CACHE", 1 << 10, _NBD_PROTO),
)
_SG_H = "include/scsi/sg.h"
# Requests a uapi header does not define (the kernel's scsi/sg.h has more than glibc's).
UNEXPORTED_REQUESTS: tuple[tuple[str, int, str], ...] = (("SG_GET_ACCESS_COUNT", 0x2289, _SG_H),)

_VT_IOCTL = "drivers/tty/vt/vt_ioctl.c"
UNEXPORTED: tuple[tuple[str, tuple[tuple[str, int, str], ...]], ...] = (
    ("ATA_COMMANDS", _ATA_COMMANDS),
    # UBI's data types, gone from its uapi header but still in its structs.
    (
        "UBI_DATA_TYPES",
        tuple(
            (f"UBI_{kind}", value, "older mtd/ubi-user.h")
            for kind, value in (("LONGTERM", 1), ("SHORTTERM", 2), ("UNKNOWN", 3))
        ),
    ),
    # SG_IO's flags (glibc's scsi/sg.h has only some), in strace's order.
    (
        "SG_IO_FLAGS",
        (
            ("SG_FLAG_DIRECT_IO", 1, _SG_H),
            ("SG_FLAG_UNUSED_LUN_INHIBIT", 2, _SG_H),
            ("SG_FLAG_MMAP_IO", 4, _SG_H),
            ("SG_FLAG_NO_DXFER", 0x10000, _SG_H),
            ("SG_FLAG_Q_AT_TAIL", 0x10, _SG_H),
            ("SG_FLAG_Q_AT_HEAD", 0x20, _SG_H),
        ),
    ),
    # TEE shared memory's flags (the kernel's, not its uapi's) and the GlobalPlatform
    # TEE Client API's error origins.
    (
        "TEE_SHM_FLAGS",
        tuple(
            (f"TEE_IOCTL_SHM_{name}", 1 << bit, "include/linux/tee_drv.h")
            for bit, name in enumerate(
                (
                    "MAPPED",
                    "DMA_BUF",
                    "EXT_DMA_BUF",
                    "REGISTER",
                    "USER_MAPPED",
                    "POOL",
                    "KERNEL_MAPPED",
                )
            )
        ),
    ),
    (
        "TEE_ORIGINS",
        tuple(
            (f"TEEC_ORIGIN_{name}", value, "the GlobalPlatform TEE Client API")
            for value, name in enumerate(("API", "COMMS", "TEE", "TRUSTED_APP"), 1)
        ),
    ),
    # KDADDIO's and KDDELIO's port range, the video adapter's I/O ports.
    ("KD_IO_PORTS", (("GPFIRST", 0x3B4, _VT_IOCTL), ("GPLAST", 0x3DF, _VT_IOCTL))),
)

_LFLAGS_ORDER = (
    "ISIG", "ICANON", "XCASE", "ECHO", "ECHOE", "ECHOK", "ECHONL", "NOFLSH", "IEXTEN", "ECHOCTL",
    "ECHOPRT", "ECHOKE", "FLUSHO", "PENDIN", "TOSTOP", "EXTPROC",
)  # fmt: skip

# The constants some requests' arguments are printed by (families/ioctl.py).
ARGUMENT_SPECS: tuple[Spec, ...] = (
    _spec("EV_TYPES", "linux/input-event-codes.h", r"EV_\w+", exclude=r"EV_(MAX|CNT|VERSION)"),
    _spec("ABS_AXES", "linux/input-event-codes.h", r"ABS_\w+", exclude=r"ABS_(MAX|CNT)"),
    _spec(
        "V4L2_BUF_TYPES",
        "linux/videodev2.h",
        r"V4L2_BUF_TYPE_\w+",
        source="enum:v4l2_buf_type",
        exclude=r"V4L2_BUF_TYPE_PRIVATE",
    ),
    _spec("V4L2_INPUT_TYPES", "linux/videodev2.h", r"V4L2_INPUT_TYPE_\w+"),
    _spec("V4L2_FMT_FLAGS", "linux/videodev2.h", r"V4L2_FMT_FLAG_\w+", exclude=r"\w+_HSV_ENC"),
    _spec(
        "V4L2_PIX_FMTS",
        "linux/videodev2.h",
        r"V4L2_PIX_FMT_\w+",
        exclude=r"\w+_(PRIV_MAGIC|FLAG_\w+)",
    ),
    # strace names 0x1000 FS_INDEX_FL (FS_BTREE_FL is the same bit).
    _spec("FS_FLAGS", "linux/fs.h", r"FS_\w+_FL", exclude=r"FS_BTREE_FL"),
    _spec("FS_XFLAGS", "linux/fs.h", r"FS_XFLAG_\w+"),
    _spec("LIRC_MODES", "linux/lirc.h", r"LIRC_MODE_\w+"),
    _spec(
        "LIRC_FEATURES",
        "linux/lirc.h",
        r"LIRC_CAN_\w+",
        exclude=r"LIRC_CAN_(SEND_MASK|REC_MASK|SET_REC_FILTER|NOTIFY_DECODE)",
    ),
    _spec(
        "COUNTER_COMPONENTS",
        "linux/counter.h",
        r"COUNTER_COMPONENT_\w+",
        source="enum:counter_component_type",
    ),
    _spec("COUNTER_SCOPES", "linux/counter.h", r"COUNTER_SCOPE_\w+", source="enum:counter_scope"),
    _spec(
        "COUNTER_EVENTS", "linux/counter.h", r"COUNTER_EVENT_\w+", source="enum:counter_event_type"
    ),
    _spec("NBD_FLAGS", "linux/nbd.h", r"NBD_FLAG_\w+", unexported=_NBD_PROTOCOL_FLAGS),
    _spec(
        "PERF_IOC_FLAGS",
        "linux/perf_event.h",
        r"PERF_IOC_FLAG_\w+",
        source="enum:perf_event_ioc_flags",
    ),
    _spec("SECCOMP_NOTIF_FLAGS", "linux/seccomp.h", r"SECCOMP_USER_NOTIF_FLAG_\w+"),
    _spec("SECCOMP_ADDFD_FLAGS", "linux/seccomp.h", r"SECCOMP_ADDFD_FLAG_\w+"),
    _spec(
        "RTC_VL_FLAGS",
        "linux/rtc.h",
        r"RTC_VL_(DATA_INVALID|BACKUP_LOW|BACKUP_EMPTY|ACCURACY_LOW|BACKUP_SWITCH)",
    ),
    _spec("UFFDIO_IOCTL_BITS", "linux/userfaultfd.h", r"_UFFDIO_\w+"),
    _spec("UFFD_FEATURES", "linux/userfaultfd.h", r"UFFD_FEATURE_\w+"),
    _spec("UFFDIO_REGISTER_MODES", "linux/userfaultfd.h", r"UFFDIO_REGISTER_MODE_\w+"),
    _spec("UFFDIO_COPY_MODES", "linux/userfaultfd.h", r"UFFDIO_COPY_MODE_\w+"),
    _spec("UFFDIO_ZEROPAGE_MODES", "linux/userfaultfd.h", r"UFFDIO_ZEROPAGE_MODE_\w+"),
    _spec("KD_MODES", "linux/kd.h", r"KD_(TEXT|GRAPHICS|TEXT0|TEXT1)"),
    _spec("KB_MODES", "linux/kd.h", r"K_(RAW|XLATE|MEDIUMRAW|UNICODE|OFF)"),
    _spec("KB_METAS", "linux/kd.h", r"K_(METABIT|ESCPREFIX)"),
    _spec("KB_TYPES", "linux/kd.h", r"KB_(84|101|OTHER)"),
    _spec("KD_LEDS", "linux/kd.h", r"LED_(SCR|NUM|CAP)"),
    _spec("TIOCM_BITS", "asm-generic/termios.h", r"TIOCM_\w+", exclude=r"TIOCM_(CD|RI)"),
    # --- issue 17: the structs of gpio, hdio, fiemap ... requests --------------------------
    _spec("GPIO_LINE_FLAGS", "linux/gpio.h", r"GPIOLINE_FLAG_\w+"),
    _spec("GPIO_HANDLE_FLAGS", "linux/gpio.h", r"GPIOHANDLE_REQUEST_\w+"),
    _spec(
        "GPIO_EVENT_FLAGS",
        "linux/gpio.h",
        r"GPIOEVENT_REQUEST_\w+",
        first=("GPIOEVENT_REQUEST_BOTH_EDGES",),
    ),
    _spec(
        "GPIO_V2_LINE_FLAGS",
        "linux/gpio.h",
        r"GPIO_V2_LINE_FLAG_\w+",
        source="enum:gpio_v2_line_flag",
    ),
    _spec("IDE_NICE", "linux/hdreg.h", r"IDE_NICE_\w+", order="header"),  # bit numbers
    _spec("HDIO_BUSSTATES", "linux/hdreg.h", r"BUSSTATE_\w+", source="enum:"),
    _spec("FIEMAP_FLAGS", "linux/fiemap.h", r"FIEMAP_FLAG_\w+"),
    _spec("FIEMAP_EXTENT_FLAGS", "linux/fiemap.h", r"FIEMAP_EXTENT_\w+"),
    _spec("RTC_PARAMS", "linux/rtc.h", r"RTC_PARAM_(FEATURES|CORRECTION|BACKUP_SWITCH_MODE)"),
    _spec("RTC_FEATURE_BITS", "linux/rtc.h", r"RTC_FEATURE_\w+", exclude=r"RTC_FEATURE_CNT"),
    _spec("RTC_BSMS", "linux/rtc.h", r"RTC_BSM_\w+"),
    _spec("KD_KEY_TABLES", "linux/kd.h", r"K_(NORMTAB|SHIFTTAB|ALTTAB|ALTSHIFTTAB)"),
    _spec("KD_SHIFTS", "linux/keyboard.h", r"KG_\w+", exclude=r"KG_KANASHIFT"),
    _spec("KD_KEY_TYPES", "linux/keyboard.h", r"KT_\w+"),
    _spec("KD_KEYS", "linux/keyboard.h", r"K_\w+"),
    _spec("KD_FONT_OPS", "linux/kd.h", r"KD_FONT_OP_\w+"),
    _spec(
        "KD_FONT_FLAGS",
        "linux/kd.h",
        r"KD_FONT_FLAG_\w+",
        unexported=(("KD_FONT_FLAG_OLD", 0x80000000, "older uapi linux/kd.h"),),
    ),
    _spec("KD_UNI_DIRECT", "linux/kd.h", r"UNI_DIRECT_(BASE|MASK)"),
    _spec(
        "LOOP_FLAGS",
        "linux/loop.h",
        r"LO_FLAGS_\w+",
        source="enum:",
        unexported=(("LO_FLAGS_USE_AOPS", 2, "linux/loop.h before 3.2"),),
    ),
    _spec("LOOP_CRYPT_TYPES", "linux/loop.h", r"LO_CRYPT_\w+"),
    _spec("BLKPG_OPS", "linux/blkpg.h", r"BLKPG_\w+_PARTITION"),
    _spec("UBI_VOLUME_TYPES", "mtd/ubi-user.h", r"UBI_(DYNAMIC|STATIC)_VOLUME", source="enum:"),
    _spec("UBI_VOLUME_FLAGS", "mtd/ubi-user.h", r"UBI_VOL_SKIP_CRC_CHECK_FLG", source="enum:"),
    _spec("UBI_VOLUME_PROPS", "mtd/ubi-user.h", r"UBI_VOL_PROP_\w+", source="enum:"),
    _spec("MTD_OTP_MODES", "mtd/mtd-abi.h", r"MTD_OTP_\w+"),
    _spec("MTD_OPS_MODES", "mtd/mtd-abi.h", r"MTD_OPS_\w+", source="enum:"),
    _spec("MTD_FILE_MODES", "mtd/mtd-abi.h", r"MTD_FILE_MODE_\w+", source="enum:"),
    _spec(
        "MTD_TYPES",
        "mtd/mtd-abi.h",
        r"MTD_(ABSENT|RAM|ROM|NORFLASH|NANDFLASH|DATAFLASH|UBIVOLUME|MLCNANDFLASH)",
    ),
    _spec(
        "MTD_FLAGS",
        "mtd/mtd-abi.h",
        r"MTD_(WRITEABLE|BIT_WRITEABLE|NO_ERASE|POWERUP_LOCK|SLC_ON_MLC_EMULATION)",
    ),
    _spec("MTD_NANDECC_MODES", "mtd/mtd-abi.h", r"MTD_NANDECC_\w+"),
    # The terminal's struct termios, termios2 and termio (asm/termios.h).
    _spec(
        "TERM_IFLAGS",
        "asm/termios.h",
        r"IGN\w+|BRKINT|PARMRK|INPCK|ISTRIP|INLCR|ICRNL|IUCLC|IX\w+|IMAXBEL|IUTF8",
    ),
    _spec("TERM_OFLAGS", "asm/termios.h", r"OPOST|OLCUC|ONLCR|OCRNL|ONOCR|ONLRET|OFILL|OFDEL"),
    _spec("TERM_DELAY_MASKS", "asm/termios.h", r"(NL|CR|TAB|BS|VT|FF)DLY", order="header"),
    _spec("TERM_NL_DELAYS", "asm/termios.h", r"NL[0-3]"),
    _spec("TERM_CR_DELAYS", "asm/termios.h", r"CR[0-3]"),
    _spec("TERM_TAB_DELAYS", "asm/termios.h", r"TAB[0-3]|XTABS", first=("XTABS",)),
    _spec("TERM_BS_DELAYS", "asm/termios.h", r"BS[01]"),
    _spec("TERM_VT_DELAYS", "asm/termios.h", r"VT[01]"),
    _spec("TERM_FF_DELAYS", "asm/termios.h", r"FF[01]"),
    _spec(
        "TERM_CFLAGS", "asm/termios.h", r"CSTOPB|CREAD|PARENB|PARODD|HUPCL|CLOCAL|CMSPAR|CRTSCTS"
    ),
    _spec("TERM_CSIZES", "asm/termios.h", r"CS[5-8]"),
    _spec("TERM_BAUDS", "asm/termios.h", r"B\d+|EXT[AB]|BOTHER"),
    _spec("TERM_CMASKS", "asm/termios.h", r"CBAUD|CIBAUD|CSIZE|IBSHIFT|NCCS|NCC"),
    _spec(
        "TERM_LFLAGS",
        "asm/termios.h",
        r"ISIG|ICANON|XCASE|ECHO\w*|NOFLSH|IEXTEN|FLUSHO|PENDIN|TOSTOP|EXTPROC",
        first=_LFLAGS_ORDER,  # strace's order, not the values'
    ),
    _spec("TERM_CC", "asm/termios.h", r"V[A-Z]+2?", exclude=r"VTDLY"),
    _spec("SG_DXFER_DIRECTIONS", "scsi/sg.h", r"SG_DXFER_(NONE|TO_DEV|FROM_DEV|TO_FROM_DEV)"),
    _spec("SG_INFO_BITS", "scsi/sg.h", r"SG_INFO_(CHECK|DIRECT_IO|MIXED_IO)"),
    _spec("BSG_PROTOCOLS", "linux/bsg.h", r"BSG_PROTOCOL_\w+"),
    _spec("BSG_SUB_PROTOCOLS", "linux/bsg.h", r"BSG_SUB_PROTOCOL_\w+"),
    _spec("BSG_FLAGS", "linux/bsg.h", r"BSG_FLAG_\w+"),
    _spec("ETH_ADDRESS_LENGTH", "linux/if_ether.h", r"ETH_ALEN"),
    _spec("KVM_CAPS", "linux/kvm.h", r"KVM_CAP_\w+"),
    _spec("KVM_MEM_FLAGS", "linux/kvm.h", r"KVM_MEM_(LOG_DIRTY_PAGES|READONLY)"),
    _spec("KVM_CPUID_FLAGS", "linux/kvm.h", r"KVM_CPUID_FLAG_\w+"),
    # kvm_run's exit_reason (not KVM_EXIT_IO's directions nor Hyper-V's and Xen's kinds).
    _spec(
        "KVM_EXIT_REASONS",
        "linux/kvm.h",
        r"KVM_EXIT_\w+",
        exclude=r"KVM_EXIT_(IO_\w+|HYPERV_\w+|XEN_\w+)",
    ),
    _spec(
        "DM_FLAGS",
        "linux/dm-ioctl.h",
        r"DM_\w+_FLAG|DM_DEFERRED_REMOVE",
        unexported=(("DM_EXISTS_FLAG", 1 << 2, "older linux/dm-ioctl.h"),),
    ),
    _spec("DM_VERSION_MAJOR", "linux/dm-ioctl.h", r"DM_VERSION_MAJOR"),
    # btrfs's, each strace 6.1's xlat list (its btrfs_*.in): no mask, no newer name.
    _spec(
        "BTRFS_SNAP_FLAGS", "linux/btrfs.h", r"BTRFS_SUBVOL_(CREATE_ASYNC|RDONLY|QGROUP_INHERIT)"
    ),
    _spec("BTRFS_QGROUP_INHERIT_FLAGS", "linux/btrfs.h", r"BTRFS_QGROUP_INHERIT_SET_LIMITS"),
    _spec("BTRFS_QGROUP_LIMIT_FLAGS", "linux/btrfs.h", r"BTRFS_QGROUP_LIMIT_\w+"),
    _spec("BTRFS_BALANCE_ARGS", "linux/btrfs.h", r"BTRFS_BALANCE_ARGS_\w+", exclude=r"\w+_MASK"),
    _spec("BTRFS_BALANCE_CTL_CMDS", "linux/btrfs.h", r"BTRFS_BALANCE_CTL_(PAUSE|CANCEL)"),
    _spec(
        "BTRFS_BALANCE_FLAGS",
        "linux/btrfs.h",
        r"BTRFS_BALANCE_(DATA|SYSTEM|METADATA|FORCE|RESUME)",
    ),
    _spec("BTRFS_BALANCE_STATES", "linux/btrfs.h", r"BTRFS_BALANCE_STATE_\w+"),
    _spec(
        "BTRFS_COMPRESS_TYPES",
        "linux/btrfs.h",
        r"BTRFS_COMPRESS_\w+",
        unexported=tuple(
            (f"BTRFS_COMPRESS_{name}", value, "fs/btrfs/compression.h")
            for value, name in enumerate(("NONE", "ZLIB", "LZO", "ZSTD"))
        ),
    ),
    _spec(
        "BTRFS_CONT_READING_MODES",
        "linux/btrfs.h",
        r"BTRFS_IOCTL_DEV_REPLACE_CONT_READING_FROM_SRCDEV_MODE_(ALWAYS|AVOID)",
    ),
    _spec("BTRFS_CSUM_TYPES", "linux/btrfs_tree.h", r"BTRFS_CSUM_TYPE_\w+", source="enum:"),
    _spec("BTRFS_DEFRAG_FLAGS", "linux/btrfs.h", r"BTRFS_DEFRAG_RANGE_(COMPRESS|START_IO)"),
    _spec("BTRFS_DEV_REPLACE_CMDS", "linux/btrfs.h", r"BTRFS_IOCTL_DEV_REPLACE_CMD_\w+"),
    _spec("BTRFS_DEV_REPLACE_RESULTS", "linux/btrfs.h", r"BTRFS_IOCTL_DEV_REPLACE_RESULT_\w+"),
    _spec("BTRFS_DEV_REPLACE_STATES", "linux/btrfs.h", r"BTRFS_IOCTL_DEV_REPLACE_STATE_\w+"),
    _spec("BTRFS_DEV_STATS_FLAGS", "linux/btrfs.h", r"BTRFS_DEV_STATS_RESET"),
    _spec(
        "BTRFS_DEV_STAT_VALUES",
        "linux/btrfs.h",
        r"BTRFS_DEV_STAT_\w+",
        source="enum:btrfs_dev_stat_values",
        exclude=r"BTRFS_DEV_STAT_VALUES_MAX",
    ),
    _spec("BTRFS_FEATURES_COMPAT_RO", "linux/btrfs.h", r"BTRFS_FEATURE_COMPAT_RO_\w+"),
    _spec("BTRFS_FEATURES_INCOMPAT", "linux/btrfs.h", r"BTRFS_FEATURE_INCOMPAT_\w+"),
    _spec("BTRFS_FS_INFO_FLAGS", "linux/btrfs.h", r"BTRFS_FS_INFO_FLAG_\w+"),
    _spec(
        "BTRFS_KEY_TYPES",
        "linux/btrfs_tree.h stdint.h",
        r"BTRFS_\w+_KEY|BTRFS_UUID_KEY_\w+|UINT32_MAX",
        exclude=r"BTRFS_(BALANCE_ITEM|DEV_STATS)_KEY",  # TEMPORARY_ITEM's, PERSISTENT_ITEM's
    ),
    _spec("BTRFS_LOGICAL_INO_FLAGS", "linux/btrfs.h", r"BTRFS_LOGICAL_INO_ARGS_IGNORE_OFFSET"),
    _spec("BTRFS_QUOTA_CTL_CMDS", "linux/btrfs.h", r"BTRFS_QUOTA_CTL_\w+"),
    _spec("BTRFS_SCRUB_FLAGS", "linux/btrfs.h", r"BTRFS_SCRUB_READONLY"),
    _spec("BTRFS_SEND_FLAGS", "linux/btrfs.h", r"BTRFS_SEND_FLAG_\w+", exclude=r"\w+_MASK"),
    _spec(
        "BTRFS_SPACE_INFO_FLAGS",
        "linux/btrfs_tree.h",
        r"BTRFS_BLOCK_GROUP_\w+|BTRFS_AVAIL_ALLOC_BIT_SINGLE|BTRFS_SPACE_INFO_GLOBAL_RSV",
        exclude=r"BTRFS_BLOCK_GROUP_(TREE_OBJECTID|ITEM_KEY|RAID1C[34]|RESERVED|\w+_MASK)",
    ),
    # Printed as u64: UINT64_MAX (-1), BTRFS_LAST_FREE_OBJECTID (-256).
    _spec(
        "BTRFS_TREE_OBJECTIDS",
        "linux/btrfs_tree.h stdint.h",
        r"BTRFS_\w+_OBJECTID|UINT64_MAX",
        exclude=r"BTRFS_(DEV_STATS|BALANCE|ORPHAN|TREE_LOG|TREE_LOG_FIXUP|TREE_RELOC"
        r"|DATA_RELOC_TREE|EXTENT_CSUM|FREE_SPACE|FREE_INO|FIRST_CHUNK_TREE|DEV_ITEMS"
        r"|BTREE_INODE|EMPTY_SUBVOL_DIR)_OBJECTID",
    ),
    _spec("FSLABEL_MAX", "linux/fs.h", r"FSLABEL_MAX"),
    _spec(
        "TEE_PARAM_TYPES",
        "linux/tee.h",
        r"TEE_IOCTL_PARAM_ATTR_(TYPE_\w+|META)",
        exclude=r"TEE_IOCTL_PARAM_ATTR_TYPE_MASK",
    ),
    _spec(
        "TEE_LOGINS",
        "linux/tee.h",
        r"TEE_IOCTL_LOGIN_(PUBLIC|USER|GROUP|APPLICATION|USER_APPLICATION|GROUP_APPLICATION)",
    ),
    _spec("TEE_GEN_CAPS", "linux/tee.h", r"TEE_GEN_CAP_\w+"),
    _spec("TEE_IMPL_IDS", "linux/tee.h", r"TEE_IMPL_ID_\w+"),
    _spec("TEE_OPTEE_CAPS", "linux/tee.h", r"TEE_OPTEE_CAP_\w+"),
    _spec("TEE_LIMITS", "linux/tee.h", r"TEE_MAX_ARG_SIZE"),
    # strace 6.1 names the disciplines up to N_NULL.
    _spec("TERM_LINE_DISCS", "linux/tty.h", r"N_\w+", exclude=r"N_(MCTP|DEVELOPMENT|CAN327)"),
    _spec(
        "SG_SCSI_RESETS",
        "scsi/sg.h",
        r"SG_SCSI_RESET_\w+",
        unexported=(
            ("SG_SCSI_RESET_TARGET", 4, _SG_H),
            ("SG_SCSI_RESET_NO_ESCALATE", 0x100, _SG_H),
        ),
    ),
    # Key codes by value; the aliases (a name defined as another, or sharing its
    # number with an earlier one strace does not print) left out.
    _spec(
        "KEY_CODES",
        "linux/input-event-codes.h",
        r"(KEY|BTN)_\w+",
        exclude=r"KEY_(MIN_INTERESTING|MAX|CNT|HANGUEL|SCREENLOCK|DIRECTION|DASHBOARD"
        r"|BRIGHTNESS_ZERO|WIMAX|ZOOM|SCREEN|BRIGHTNESS_TOGGLE)"
        r"|BTN_(MISC|MOUSE|JOYSTICK|GAMEPAD|DIGI|WHEEL|TRIGGER_HAPPY|A|B|X|Y)",
    ),
    _spec(
        "FF_TYPES",
        "linux/input.h",
        r"FF_\w+",
        exclude=r"FF_(STATUS_\w+|EFFECT_M\w+|WAVEFORM_M\w+|MAX_EFFECTS|MAX|CNT)",
    ),
)


def main() -> None:
    out = sys.stdout
    out.write('"""ioctl request names from the kernel\'s uapi headers (linux-libc-dev 6.1).\n\n')
    out.write("Generated by scripts/gen_ioctls.py; do not edit.  Regenerate with\n\n")
    out.write("    python scripts/gen_ioctls.py > traced/decoders/_ioctls.py\n")
    out.write('"""\n\nfrom traced.decoders.xlat import Table\n\n')
    out.write("# (name, request), by request then name.\nIOCTLS: Table = (\n")
    for name, value in table():
        out.write(f'    ("{name}", {value:#x}),\n')
    out.write(")\n")
    out.write("\n# Requests named with their parameters, each's number with them 0.\n")
    out.write("IOCTL_FUNCTIONS: Table = (\n")
    for name, value in functions():
        out.write(f'    ("{name}", {value:#x}),\n')
    out.write(")\n")
    for spec in ARGUMENT_SPECS:
        out.write(f"\n# {' '.join(spec.includes)}: {spec.pattern}\n{spec.name}: Table = (\n")
        for name, value in constants_table(spec):
            out.write(f'    ("{name}", {value:#x}),\n')
        out.write(")\n")
    for name, rows in UNEXPORTED:
        out.write(f"\n# {rows[0][2]}, not exported to the uapi headers\n{name}: Table = (\n")
        for constant, value, _ in rows:  # in the order given
            out.write(f'    ("{constant}", {value:#x}),\n')
        out.write(")\n")


if __name__ == "__main__":
    main()
