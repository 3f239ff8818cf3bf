"""Flag sets of calls on descriptors and files, each printed by one table generated
from the kernel's headers (traced.decoders._constants): perf_event_open's,
fanotify_mark's, flock's operation, sync_file_range's, fallocate's mode,
memfd_create's, renameat2's, the xattr calls', inotify_init1's, pidfd_open's.
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
    "flags:memfd": (K.MFD, "MFD_???"),
    "flags:rename": (K.RENAME, "RENAME_???"),
    "flags:xattr": (K.XATTR, "XATTR_???"),
    "flags:inotify_init": (K.IN_INIT, "IN_???"),
    "flags:pidfd_open": (K.PIDFD_OPEN, "PIDFD_???"),
}

DECODERS: dict[str, Decoder] = {
    tag: named.flags(table, unknown) for tag, (table, unknown) in _FLAG_SETS.items()
}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {tag: table for tag, (table, _) in _FLAG_SETS.items()}
