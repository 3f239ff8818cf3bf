"""Calls' own flag sets, commands and small structs, on constructed registers and
memory: strace 6.1's text out (lines from its runs of strace's tests of the same
names: mount, mknod, fanotify_init, kexec_load, landlock_*, fsmount, close_range,
eventfd, inotify, membarrier, memfd_secret, getrusage, ioprio)."""

import struct

from tests.unit.test_generated_constants import line

MS_MGC_VAL = 0xC0ED0000


def test_mount_names_the_magic_and_hides_what_the_flags_make_ignored() -> None:
    memory = {0x1000: b"src\0", 0x2000: b"dst\0", 0x3000: b"ext4\0", 0x4000: b"data\0"}
    regs = (0x1000, 0x2000, 0x3000)
    assert line("mount", (*regs, MS_MGC_VAL | 0xF, 0x4000), 0, memory) == (
        'mount("src", "dst", "ext4", MS_MGC_VAL|MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, "data") = 0'
    )
    assert line("mount", (*regs, 0x20, 0x4000), -2, memory).startswith(
        'mount("src", "dst", 0x3000, MS_REMOUNT, "data")'
    )
    assert line("mount", (*regs, 0x1000, 0x4000), -2, memory).startswith(
        'mount("src", "dst", 0x3000, MS_BIND, 0x4000)'
    )
    assert line("mount", (0, 0, 0, 0x4000200, 0), -14).startswith(
        "mount(NULL, NULL, NULL, MS_SUBMOUNT|0x200, NULL)"
    )


def test_mknod_mode_is_a_short_and_the_device_only_for_devices() -> None:
    memory = {0x1000: b"node\0"}
    assert line("mknod", (0x1000, 0xFFFF0000, 0xDEAD), -17, memory).startswith('mknod("node", 000)')
    assert line("mknod", (0x1000, 0o20024, 0xDEADBEEF00000107), -17, memory).startswith(
        'mknod("node", S_IFCHR|024, makedev(0x1, 0x7))'
    )


def test_flag_words_with_a_field() -> None:
    assert line("fanotify_init", (0, 0), 3).startswith("fanotify_init(FAN_CLASS_NOTIF, O_RDONLY)")
    assert line("fanotify_init", (0xC | 0x3, 0), -22).startswith(
        "fanotify_init(0xc /* FAN_CLASS_??? */|FAN_CLOEXEC|FAN_NONBLOCK, O_RDONLY)"
    )
    assert line("kexec_load", (0, 0, 0, (42 << 16) | 3), -38).startswith(
        "kexec_load(NULL, 0, NULL, KEXEC_ARCH_SH|KEXEC_ON_CRASH|KEXEC_PRESERVE_CONTEXT)"
    )


def test_plain_flag_sets_of_calls() -> None:
    assert line("close_range", (0xFFFFFFFE, 0xFFFFFFFF, 1), -22).startswith(
        "close_range(4294967294, 4294967295, 0x1 /* CLOSE_RANGE_??? */)"
    )
    assert line("eventfd2", (5, 1), 4).startswith("eventfd2(5, EFD_SEMAPHORE)")
    assert line("fsmount", (-100 & 0xFFFFFFFF, 1, 0x40), -9).startswith(
        "fsmount(-100, FSMOUNT_CLOEXEC, 0x40 /* MOUNT_ATTR_??? */)"
    )
    assert line("membarrier", (3, 0xFF, 0xFFFFFFFF), -22).startswith(
        "membarrier(0x3 /* MEMBARRIER_CMD_??? */, MEMBARRIER_CMD_FLAG_CPU|0xfe, -1)"
    )
    assert line("memfd_secret", (0x80000 | 0x10,), -22).startswith("memfd_secret(O_CLOEXEC|0x10)")


def test_landlock_structs() -> None:
    memory = {0x1000: struct.pack("<Q", 1) + b"\0" * 8, 0x2000: struct.pack("<Qi", 4, 8)}
    assert line("landlock_create_ruleset", (0x1000, 16, 0), 3, memory).startswith(
        "landlock_create_ruleset({handled_access_fs=LANDLOCK_ACCESS_FS_EXECUTE, ...}, 16, 0)"
    )
    assert line("landlock_create_ruleset", (0x1000, 7, 1), 1, memory).startswith(
        "landlock_create_ruleset(0x1000, 7, LANDLOCK_CREATE_RULESET_VERSION)"
    )
    assert line("landlock_add_rule", (7, 1, 0x2000, 0), -77, memory).startswith(
        "landlock_add_rule(7, LANDLOCK_RULE_PATH_BENEATH, "
        "{allowed_access=LANDLOCK_ACCESS_FS_READ_FILE, parent_fd=8}, 0)"
    )


def test_rusage_and_ioprio() -> None:
    usage = struct.pack("<qQqQ14Q", 0, 738, 0, 0, 976, *([0] * 13))
    assert line("getrusage", (0, 0x1000), 0, {0x1000: usage}) == (
        "getrusage(RUSAGE_SELF, {ru_utime={tv_sec=0, tv_usec=738}, "
        "ru_stime={tv_sec=0, tv_usec=0}, ...}) = 0"
    )
    assert line("getrusage", (0xFFFFFFFF, 0x1000), 0, {0x1000: usage}).startswith(
        "getrusage(RUSAGE_CHILDREN, "
    )
    assert line("ioprio_set", (2, 5, (0 << 13) | 8191), -22).startswith(
        "ioprio_set(IOPRIO_WHO_PGRP, 5, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_NONE, 8191))"
    )


def test_namespaces_userfaultfd_swap_and_worded_results() -> None:
    assert line("setns", (3, 0x80), 0).startswith("setns(3, CLONE_NEWTIME)")
    assert line("unshare", (0x20000,), 0).startswith("unshare(CLONE_NEWNS)")
    assert line("userfaultfd", (0,), 3).startswith("userfaultfd(0)")
    assert line("userfaultfd", (0x80801,), 3).startswith(
        "userfaultfd(UFFD_USER_MODE_ONLY|O_NONBLOCK|O_CLOEXEC)"
    )
    memory = {0x1000: b"swap\0"}
    assert line("swapon", (0x1000, 0x8000), -2, memory).startswith(
        'swapon("swap", SWAP_FLAG_PREFER|0)'
    )
    assert line("time", (0,), 1796683196) == ("time(NULL) = 1796683196 (2026-12-07T22:39:56+0000)")
    assert line("ioprio_get", (1, 0), 0).endswith("= 0 (IOPRIO_PRIO_VALUE(IOPRIO_CLASS_NONE, 0))")


def test_kexec_segments_and_command_line() -> None:
    segment = struct.pack("<QQQQ", 0, 10, 0x2000, 20)
    memory = {0x1000: segment, 0x3000: b"abcdef\0"}
    assert line("kexec_load", (0x4000, 1, 0x1000, 0), -38, memory).startswith(
        "kexec_load(0x4000, 1, [{buf=NULL, bufsz=10, mem=0x2000, memsz=20}], KEXEC_ARCH_DEFAULT)"
    )
    assert line("kexec_load", (0x4000, 17, 0x1000, 0), -38, memory).startswith(
        "kexec_load(0x4000, 17, 0x1000, KEXEC_ARCH_DEFAULT)"
    )
    assert line("kexec_file_load", (3, 4, 7, 0x3000, 0), -38, memory).startswith(
        'kexec_file_load(3, 4, 7, "abcdef\\0", 0)'
    )


def test_membarrier_query_and_cpu() -> None:
    assert line("membarrier", (0, 0, 5), 0x3FF) == (
        "membarrier(MEMBARRIER_CMD_QUERY, 0) = 0x3ff (MEMBARRIER_CMD_GLOBAL"
        "|MEMBARRIER_CMD_GLOBAL_EXPEDITED|MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED"
        "|MEMBARRIER_CMD_PRIVATE_EXPEDITED|MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED"
        "|MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE"
        "|MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE"
        "|MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ|MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ"
        "|0x200)"
    )
    assert line("membarrier", (0x80, 1, 3), -1).startswith(
        "membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, MEMBARRIER_CMD_FLAG_CPU, 3)"
    )


def test_file_handles() -> None:
    handle = struct.pack("<Ii", 8, 1) + bytes(range(8))
    memory = {0x1000: handle, 0x2000: struct.pack("<i", 68), 0x3000: b".\0"}
    assert line(
        "name_to_handle_at", (-100 & 0xFFFFFFFF, 0x3000, 0x1000, 0x2000, 0x400), 0, memory
    ) == (
        'name_to_handle_at(AT_FDCWD, ".", {handle_bytes=8, handle_type=1, '
        'f_handle="\\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07"}, [68], AT_SYMLINK_FOLLOW) = 0'
    )
    assert line("open_by_handle_at", (3, 0x1000, 0), -9, memory).startswith(
        'open_by_handle_at(3, {handle_bytes=8, handle_type=1, f_handle="\\x00\\x01'
    )


def test_mount_attr() -> None:
    attr = struct.pack("<QQQQ", 2, 4, 1 << 19, 9) + bytes(range(0x80, 0x88))
    memory = {0x1000: attr, 0x2000: b"/dev/full\0"}
    assert line("mount_setattr", (0xFFFFFFFF, 0x2000, 0, 0x1000, 32), -22, memory).startswith(
        'mount_setattr(-1, "/dev/full", 0, {attr_set=MOUNT_ATTR_NOSUID, '
        "attr_clr=MOUNT_ATTR_NODEV, propagation=MS_SLAVE, userns_fd=9}, 32)"
    )
    assert line("mount_setattr", (0xFFFFFFFF, 0x2000, 0, 0x1000, 40), -7, memory).startswith(
        'mount_setattr(-1, "/dev/full", 0, {attr_set=MOUNT_ATTR_NOSUID, '
        "attr_clr=MOUNT_ATTR_NODEV, propagation=MS_SLAVE, userns_fd=9, "
        '/* bytes 32..39 */ "\\x80\\x81\\x82\\x83\\x84\\x85\\x86\\x87"}, 40)'
    )


def test_fsconfig_by_command() -> None:
    memory = {0x1000: b"source\0", 0x2000: b"/dev/full\0", 0x3000: b"\x01\x02"}
    assert line("fsconfig", (3, 1, 0x1000, 0x1000, 0), -22, memory).startswith(
        'fsconfig(3, FSCONFIG_SET_STRING, "source", "source", 0)'
    )
    assert line("fsconfig", (3, 3, 0x1000, 0x2000, 0xFFFFFF9C), -22, memory).startswith(
        'fsconfig(3, FSCONFIG_SET_PATH, "source", "/dev/full", AT_FDCWD)'
    )
    assert line("fsconfig", (3, 2, 0x1000, 0x3000, 2), -22, memory).startswith(
        'fsconfig(3, FSCONFIG_SET_BINARY, "source", "\\x01\\x02", 2)'
    )
    assert line("fsconfig", (3, 6, 0x1000, 0x3000, 5), -22, memory).startswith(
        "fsconfig(3, FSCONFIG_CMD_CREATE, 0x1000, 0x3000, 5)"
    )


def test_aio_control_blocks_and_events() -> None:
    cb = struct.pack("<QIiHhIQQqQII", 0xBEEF, 0, 0, 1, 11, 0, 0x4000, 3, 5, 0, 0, 0)
    memory = {0x1000: struct.pack("<Q", 0x2000), 0x2000: cb, 0x4000: b"abc"}
    assert line("io_submit", (0x9000, 1, 0x1000), 1, memory) == (
        "io_submit(0x9000, 1, [{aio_data=0xbeef, aio_lio_opcode=IOCB_CMD_PWRITE, "
        'aio_reqprio=11, aio_fildes=0, aio_buf="abc", aio_nbytes=3, aio_offset=5}]) = 1'
    )
    events = struct.pack("<QQqq", 0xBEEF, 0x2000, 3, 0)
    memory[0x5000] = events
    assert line("io_getevents", (0x9000, 1, 1, 0x5000, 0), 1, memory) == (
        "io_getevents(0x9000, 1, 1, [{data=0xbeef, obj=0x2000, res=3, res2=0}], NULL) = 1"
    )
