"""btrfs's tree search and inode requests (linux/btrfs.h), in strace 6.1's words
(its btrfs.c): pure.

Kernel facts, x86-64 layouts: the search key (104 bytes) is u64 tree_id,
min/max_objectid, min/max_offset, min/max_transid, then u32 min_type, max_type,
nr_items.  TREE_SEARCH's args are the key and a 3992-byte buffer, V2's the key, a
u64 buf_size and the buffer; the kernel fills it with nr_items results, each a
struct btrfs_ioctl_search_header (u64 transid, objectid, offset, u32 type, len: 32
bytes) and len bytes of item.  btrfs_ioctl_ino_lookup_args is u64 treeid, objectid
and a 4080-byte name (treeid 0: the tree of the fd, which the kernel writes back);
ino_path_args is u64 inum, size, 32 reserved bytes and a pointer fspath;
logical_ino_args u64 logical, size, three reserved u64, flags and a pointer inodes.
Both pointers lead to a struct btrfs_data_container (u32 bytes_left,
bytes_missing, elem_cnt, elem_missed, then u64 values: INO_PATHS' offsets of paths
from the values' start, LOGICAL_INO's inum, offset, root triples).

strace leaves out min_objectid and max_objectid where they are the whole range
(BTRFS_FIRST_FREE_OBJECTID, BTRFS_LAST_FREE_OBJECTID) unless -v, and shows the
results and the values only with -v.
"""

from __future__ import annotations

import errno

from traced.decoders._ioctls import BTRFS_KEY_TYPES, BTRFS_LOGICAL_INO_FLAGS
from traced.decoders.arrays import array_text
from traced.decoders.families.ioctl_btrfs import OBJECTIDS, objectid, u64
from traced.decoders.families.ioctl_kit import Printer, Request, fixed, hex_array, ints
from traced.decoders.families.ioctl_values import c_array
from traced.decoders.strings import decode_path
from traced.decoders.values import Memory, Options, hex_address, read_exact
from traced.decoders.xlat import format_enum, format_flags

_FIRST_FREE, _LAST_FREE = (
    dict(OBJECTIDS)[f"BTRFS_{name}_OBJECTID"] for name in ("FIRST_FREE", "LAST_FREE")
)


def _key_type(value: int) -> str:
    return format_enum(value, BTRFS_KEY_TYPES, "", decimal=True).text


def _key(data: bytes, options: Options) -> str:
    tree, low, high, *ranges = ints("7Q", data)
    parts = [f"tree_id={objectid(tree)}"]
    if low != _FIRST_FREE or options.verbose:
        parts.append(f"min_objectid={objectid(low)}")
    if high != _LAST_FREE or options.verbose:
        parts.append(f"max_objectid={objectid(high)}")
    names = ("min_offset", "max_offset", "min_transid", "max_transid")
    parts += [f"{n}={u64(v)}" for n, v in zip(names, ranges, strict=True)]
    low_type, high_type, count = ints("3I", data, 56)
    parts += [f"min_type={_key_type(low_type)}", f"max_type={_key_type(high_type)}"]
    return "{" + ", ".join([*parts, f"nr_items={count}"]) + "}"


def _headers(address: int, size: int, count: int, memory: Memory, options: Options) -> str:
    """The search results' headers (u64 transid, objectid, offset, u32 type, len: 32
    bytes, each followed by len bytes), walked as strace walks them, under -v."""
    if not options.verbose:
        return ", ..."
    items, offset = [], 0
    for index in range(count):
        if offset + 32 > size or index > options.string_limit:
            items.append("...")
            break
        data = read_exact(memory, address + offset, 32)
        if data is None:
            items.append(f"... /* {address + offset:#x} */")
            break
        transid, inode, at, kind, length = ints("3QII", data)
        items.append(
            f"{{transid={transid}, objectid={objectid(inode)}, offset={at}, "
            f"type={_key_type(kind)}, len={length}}}"
        )
        offset += 32 + length
    return f", buf=[{', '.join(items)}]"


def _searched(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 104)
    if data is None:
        return None
    count = ints("I", data, 64)[0]
    found = _headers(address + 104, 3992, count, memory, options)
    return f"{{key={{nr_items={count}}}{found}}}"


def _searched_v2(address: int, memory: Memory, options: Options) -> str | None:
    data = read_exact(memory, address, 112)
    if data is None:
        return None
    count, size = ints("I", data, 64)[0], ints("Q", data, 104)[0]
    found = _headers(address + 112, size, count, memory, options)
    return f"{{key={{nr_items={count}}}, buf_size={size}{found}}}"


def _needed(entry: str, address: int, memory: Memory, options: Options) -> str:
    """TREE_SEARCH_V2 after EOVERFLOW: the buffer size the results need."""
    data = read_exact(memory, address + 104, 8)
    needed = hex_address(address) if data is None else f"{{buf_size={ints('Q', data)[0]}}}"
    return f"{entry} => {needed}"


def _ino_lookup(data: bytes, options: Options) -> str:
    tree, inode = ints("QQ", data)
    return f"{{treeid={objectid(tree)}, objectid={objectid(inode)}}}"


def _looked_up(entry: str, address: int, memory: Memory, options: Options) -> str:
    """INO_LOOKUP at exit: the tree the kernel found where the caller asked for the
    containing one (treeid 0), and the path."""
    data = read_exact(memory, address, 4096)
    if data is None:
        return f"{entry} => {hex_address(address)}"
    tree = f"treeid={objectid(ints('Q', data)[0])}, " if entry.startswith("{treeid=0,") else ""
    return f"{entry} => {{{tree}name={c_array(data[16:])}}}"


def _container(address: int, memory: Memory, options: Options, *, paths: bool) -> str:
    """struct btrfs_data_container (u32 bytes_left, bytes_missing, elem_cnt,
    elem_missed, then the values): INO_PATHS' path offsets, or LOGICAL_INO's inum,
    offset, root triples; the values only under -v."""
    data = read_exact(memory, address, 16) if address else None
    if data is None:
        return hex_address(address)
    left, missing, count, missed = ints("4I", data)
    head = f"bytes_left={left}, bytes_missing={missing}, elem_cnt={count}, elem_missed={missed}"
    if not options.verbose:
        return f"{{{head}, ...}}"
    values = address + 16
    if paths:
        path = lambda item: decode_path(values + ints("Q", item)[0], memory, options).text  # noqa: E731
        array = array_text(values, count, 8, memory, options, element=path)
    else:
        triple = lambda item: "{{inum={}, offset={}, root={}}}".format(*ints("3Q", item))  # noqa: E731
        array = array_text(values, count // 3, 24, memory, options, element=triple)
    return f"{{{head}, val={array.text}}}"


def _container_out(field: str, *, paths: bool) -> Printer:
    """INO_PATHS' and LOGICAL_INO's exit: the container their u64 at offset 48 points to."""

    def decode(address: int, memory: Memory, options: Options) -> str | None:
        data = read_exact(memory, address, 56)
        if data is None:
            return None
        container = ints("Q", data, 48)[0]
        return f"{{{field}={_container(container, memory, options, paths=paths)}}}"

    return decode


def _ino_paths(data: bytes, options: Options) -> str:
    inum, size = ints("QQ", data)
    return f"{{inum={inum}, size={size}, fspath={hex_address(ints('Q', data, 48)[0])}}}"


def _logical_ino(data: bytes, options: Options) -> str:
    logical, size, *reserved = ints("5Q", data)
    flags, inodes = ints("QQ", data, 40)
    kept = f", reserved={hex_array(reserved)}" if any(reserved) else ""
    flag_text = format_flags(flags, BTRFS_LOGICAL_INO_FLAGS, "BTRFS_LOGICAL_INO_ARGS_???").text
    return (
        f"{{logical={logical}, size={size}{kept}, flags={flag_text}, inodes={hex_address(inodes)}}}"
    )


REQUESTS: dict[str, Request] = {
    "BTRFS_IOC_TREE_SEARCH": Request(
        entry=fixed(104, lambda data, options: f"{{key={_key(data, options)}}}"), exit=_searched
    ),
    "BTRFS_IOC_TREE_SEARCH_V2": Request(
        entry=fixed(
            112,
            lambda data, options: (
                f"{{key={_key(data, options)}, buf_size={ints('Q', data, 104)[0]}}}"
            ),
        ),
        exit=_searched_v2,
        finish_failed=_needed,
        failed_with=errno.EOVERFLOW,
    ),
    "BTRFS_IOC_INO_LOOKUP": Request(entry=fixed(4096, _ino_lookup), finish=_looked_up),
    "BTRFS_IOC_INO_PATHS": Request(
        entry=fixed(56, _ino_paths), exit=_container_out("fspath", paths=True)
    ),
    "BTRFS_IOC_LOGICAL_INO": Request(
        entry=fixed(56, _logical_ino), exit=_container_out("inodes", paths=False)
    ),
}
