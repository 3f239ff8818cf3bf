"""Flag sets and commands each printed by one table generated from the kernel's
headers (traced.decoders._constants), nothing more: perf_event_open's, fanotify_mark's,
flock's operation, sync_file_range's, fallocate's mode, renameat2's,
the xattr calls', inotify's, pidfd_open's, the mount API's (fsopen, fspick, fsmount,
open_tree, move_mount), eventfd2's, timerfd's, splice's, RWF_*, close_range's,
module and kexec loading, landlock's, membarrier's, pkey_alloc's; and enums: fsconfig's
command, ioprio's and priority's which, itimers, landlock's rule type.
"""

from __future__ import annotations

from traced.decoders import _constants as K
from traced.decoders import named
from traced.decoders.kinds import Decoder
from traced.decoders.xlat import Table

# type tag: (table, what strace prints beside a value no name covers)
_FLAG_SETS: dict[str, tuple[Table, str]] = {
    "flags:perf_event_open": (K.PERF_FLAGS, "PERF_FLAG_???"),
    "flags:fanotify_mark": (K.FAN_MARK, "FAN_MARK_???"),
    "flags:flock": (K.FLOCK, "LOCK_???"),
    "flags:sync_file_range": (K.SYNC_FILE_RANGE, "SYNC_FILE_RANGE_???"),
    "flags:fallocate": (K.FALLOC, "FALLOC_FL_???"),
    "flags:rename": (K.RENAME, "RENAME_???"),
    "flags:xattr": (K.XATTR, "XATTR_???"),
    "flags:inotify_init": (K.IN_INIT, "IN_???"),
    "flags:pidfd_open": (K.PIDFD_OPEN, "PIDFD_???"),
    "flags:delete_module": (K.DELETE_MODULE, "O_???"),
    "flags:eventfd": (K.EFD, "EFD_???"),
    "flags:finit_module": (K.MODULE_INIT, "MODULE_INIT_???"),
    "flags:fsmount": (K.FSMOUNT, "FSMOUNT_???"),
    "flags:fsopen": (K.FSOPEN, "FSOPEN_???"),
    "flags:fspick": (K.FSPICK, "FSPICK_???"),
    "flags:open_tree": (K.OPEN_TREE, "OPEN_TREE_???"),
    "flags:move_mount": (K.MOVE_MOUNT, "MOVE_MOUNT_???"),
    "flags:inotify": (K.INOTIFY, "IN_???"),
    "flags:kexec_file": (K.KEXEC_FILE, "KEXEC_FILE_???"),
    "flags:landlock": (K.LANDLOCK_CREATE, "LANDLOCK_CREATE_RULESET_???"),
    "flags:pkey_access": (K.PKEY_ACCESS, "PKEY_???"),
    "flags:rwf": (K.RWF, "RWF_???"),
    "flags:splice": (K.SPLICE, "SPLICE_F_???"),
    "flags:umount": (K.UMOUNT, "MNT_???"),
    "flags:close_range": (K.CLOSE_RANGE, "CLOSE_RANGE_???"),
    "flags:timerfd": (K.TFD, "TFD_???"),
    "flags:timerfd_settime": (K.TFD_TIMER, "TFD_TIMER_???"),
    "flags:membarrier": (K.MEMBARRIER_FLAGS, "MEMBARRIER_CMD_FLAG_???"),
    "flags:memfd_secret": (K.MEMFD_SECRET, ""),
    "flags:userfaultfd": (K.UFFD, "UFFD_???"),
    "flags:unshare": (K.UNSHARE, "CLONE_???"),
    "flags:setns": (K.SETNS, "CLONE_NEW???"),
    "flags:name_to_handle_at": (K.NAME_TO_HANDLE_AT, "AT_???"),
    "flags:mount_setattr": (K.MOUNT_SETATTR, "AT_???"),  # strace marks no unknown bit
}
# type tag: (table, marker), as above, for a value that is one name
_ENUMS: dict[str, tuple[Table, str]] = {
    "enum:fsconfig": (K.FSCONFIG, "FSCONFIG_???"),
    "enum:ioprio_who": (K.IOPRIO_WHO, "IOPRIO_WHO_???"),
    "enum:itimer": (K.ITIMER, "ITIMER_???"),
    "enum:landlock_rule": (K.LANDLOCK_RULE, "LANDLOCK_RULE_???"),
    "enum:prio_which": (K.PRIO_WHICH, "PRIO_???"),
    "enum:membarrier": (K.MEMBARRIER_CMD, "MEMBARRIER_CMD_???"),
}

DECODERS: dict[str, Decoder] = {
    tag: named.flags(table, unknown) for tag, (table, unknown) in _FLAG_SETS.items()
} | {tag: named.enum(table, unknown) for tag, (table, unknown) in _ENUMS.items()}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {tag: table for tag, (table, _) in (_FLAG_SETS | _ENUMS).items()}
