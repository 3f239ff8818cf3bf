"""io_uring's calls on constructed registers and memory: strace 6.1's text out (the
lines are its, from its runs of strace's io_uring tests, addresses our own)."""

import struct

from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.arrays import array_text
from traced.decoders.style import RAW, VERBOSE
from traced.decoders.values import Options

Y = Options(decorate_fds=True)
PATHS = {0: "/dev/null", 3: "/dev/full"}
ARG = 0x10000  # where the tests put the argument
BEEF = 0xDEADBEEF
EINVAL = -22


def call(
    name: str, raw: tuple[int, ...], memory: dict[int, bytes], retval: int = EINVAL,
    options: Options = Y,
) -> str:  # fmt: skip
    """The call's text, its arguments decoded at entry and, after a success, at exit."""
    fake = FakeMemory(memory)
    args = decode_entry(name, raw, fake, options, PATHS.get)
    if retval >= 0:
        args = decode_exit(name, args, raw, fake, retval=retval, options=options, fds=PATHS.get)
    return f"{name}({', '.join(arg.text for arg in args)})"


def register(
    opcode: int, data: bytes, count: int, retval: int = EINVAL, options: Options = Y
) -> str:
    return call("io_uring_register", (0, opcode, ARG, count), {ARG: data}, retval, options)


def test_setup_prints_the_inputs_then_what_the_kernel_wrote() -> None:
    sq_off, cq_off = (0, 4, 16, 24, 36, 32, 128, 0, 0), (8, 12, 20, 28, 44, 64, 40, 0, 0)
    params = struct.pack("<10I8IQ8IQ", 2, 4, 0, 0, 0, 0x3FFFF, 0, 0, 0, 0, *sq_off, *cq_off)
    assert call("io_uring_setup", (2, ARG), {ARG: params}, retval=4) == (
        "io_uring_setup(2, {flags=0, sq_thread_cpu=0, sq_thread_idle=0, sq_entries=2, "
        "cq_entries=4, features=IORING_FEAT_SINGLE_MMAP|IORING_FEAT_NODROP"
        "|IORING_FEAT_SUBMIT_STABLE|IORING_FEAT_RW_CUR_POS|IORING_FEAT_CUR_PERSONALITY"
        "|IORING_FEAT_FAST_POLL|IORING_FEAT_POLL_32BITS|IORING_FEAT_SQPOLL_NONFIXED"
        "|IORING_FEAT_EXT_ARG|IORING_FEAT_NATIVE_WORKERS|IORING_FEAT_RSRC_TAGS"
        "|IORING_FEAT_CQE_SKIP|IORING_FEAT_LINKED_FILE|0x3e000, sq_off={head=0, tail=4, "
        "ring_mask=16, ring_entries=24, flags=36, dropped=32, array=128}, cq_off={head=8, "
        "tail=12, ring_mask=20, ring_entries=28, overflow=44, cqes=64, flags=40}})"
    )


def test_setup_failed_shows_the_inputs_and_an_attached_wq_fd_named() -> None:
    params = struct.pack("<10I", 0, 0, 0x20, 0, 0, 0, 3, 0, 0, 0).ljust(120, b"\0")
    assert call("io_uring_setup", (2, ARG), {ARG: params}) == (
        "io_uring_setup(2, {flags=IORING_SETUP_ATTACH_WQ, sq_thread_cpu=0, sq_thread_idle=0, "
        "wq_fd=3</dev/full>})"
    )
    params = struct.pack("<10I", 0, 0, 0xFFFFFFFF, 0xDADE, 7, 0, 0x9B9A9998, 1, 2, 0)
    assert call("io_uring_setup", (1, ARG), {ARG: params.ljust(120, b"\0")}).endswith(
        "|IORING_SETUP_CQE32|0xfffff000, sq_thread_cpu=0xdade, sq_thread_idle=7, "
        "wq_fd=-1684366952, resv=[0x1, 0x2, 0]})"
    )
    assert call("io_uring_setup", (0, 0), {}) == "io_uring_setup(0, NULL)"


def test_enter_flags_and_signal_mask() -> None:
    mask = struct.pack("<Q", ~(1 << 0 | 1 << 8 | 1 << 18) & (1 << 64) - 1)
    assert call("io_uring_enter", (3, BEEF, 0xCAFEF00D, 0xFFFFFFFF, ARG, 8), {ARG: mask}) == (
        "io_uring_enter(3</dev/full>, 3735928559, 3405705229, IORING_ENTER_GETEVENTS"
        "|IORING_ENTER_SQ_WAKEUP|IORING_ENTER_SQ_WAIT|IORING_ENTER_EXT_ARG"
        "|IORING_ENTER_REGISTERED_RING|0xffffffe0, ~[HUP KILL STOP], 8)"
    )
    assert call(
        "io_uring_enter", (3, 1, 2, 0x41, ARG, 64), {ARG: bytes(64)}, options=Options()
    ) == ("io_uring_enter(3, 1, 2, IORING_ENTER_GETEVENTS|0x40, 0x10000, 64)")


def test_fd_arrays_iovecs_and_unknown_opcodes() -> None:
    fds = struct.pack("<5i", 3, 0, -1, -2, -3)
    assert register(2, fds, 5) == (
        "io_uring_register(0</dev/null>, IORING_REGISTER_FILES, "
        "[3</dev/full>, 0</dev/null>, -1, -2, -3], 5)"
    )
    iovecs = struct.pack("<4Q", 0x20000, 2**64 - 2, 0x30000, 10)
    assert register(0, iovecs, 2) == (
        "io_uring_register(0</dev/null>, IORING_REGISTER_BUFFERS, [{iov_base=0x20000, "
        "iov_len=18446744073709551614}, {iov_base=0x30000, iov_len=10}], 2)"
    )
    assert register(0x18, b"", 1) == (
        "io_uring_register(0</dev/null>, 0x18 /* IORING_REGISTER_??? */, 0x10000, 1)"
    )
    assert register(1, b"", BEEF) == (
        "io_uring_register(0</dev/null>, IORING_UNREGISTER_BUFFERS, 0x10000, 3735928559)"
    )


def test_files_update_skips_by_name() -> None:
    update = struct.pack("<IIQ", BEEF + 495, 0, ARG + 16) + struct.pack("<5i", 3, 0, -1, -2, -3)
    expected = "{offset=3735929054, fds=[3</dev/full>, 0</dev/null>, -1, %s, -3]}, 5)"
    assert register(6, update, 5) == (
        "io_uring_register(0</dev/null>, IORING_REGISTER_FILES_UPDATE, "
        + expected % "IORING_REGISTER_FILES_SKIP"
    )
    raw = register(6, update, 5, options=Y._replace(xlat=RAW))
    assert raw == "io_uring_register(0</dev/null>, 0x6, " + expected % "-2"
    verbose = register(6, update, 5, options=Y._replace(xlat=VERBOSE))
    assert verbose.endswith(expected % "-2 /* IORING_REGISTER_FILES_SKIP */")


def test_probe_zeroed_is_printed_at_exit_only() -> None:
    probe = bytes(16 + 8 * 8)
    assert (
        register(8, probe, 8)
        == "io_uring_register(0</dev/null>, IORING_REGISTER_PROBE, 0x10000, 8)"
    )
    assert register(8, probe, 8, retval=42) == (
        "io_uring_register(0</dev/null>, IORING_REGISTER_PROBE, "
        "{last_op=IORING_OP_NOP, ops_len=0, ops=[]}, 8)"
    )


def test_probe_filled_is_printed_both_ways() -> None:
    probe = (
        struct.pack("<BBH3I", 29, 255, 0, 0, 0xDEAD, 0)
        + struct.pack("<BBHI", 0, 0xDE, 0, 0xBEEF)
        + struct.pack("<BBHI", 64, 0, 1, 0)
        + struct.pack("<BBHI", 254, 0, 0xC0DE, 0)
    )
    entry = (
        "{last_op=IORING_OP_EPOLL_CTL, ops_len=255, resv2=[0, 0xdead, 0], ops=["
        "{op=IORING_OP_NOP, resv=0xde, flags=0, resv2=0xbeef}, "
        "{op=64 /* IORING_OP_??? */, flags=IO_URING_OP_SUPPORTED}, "
        "{op=254 /* IORING_OP_??? */, flags=0xc0de /* IO_URING_OP_??? */}"
    )
    assert register(8, probe, 3) == (
        f"io_uring_register(0</dev/null>, IORING_REGISTER_PROBE, {entry}]}}, 3)"
    )
    assert register(8, probe, 3, retval=42) == (
        f"io_uring_register(0</dev/null>, IORING_REGISTER_PROBE, {entry}]}} => {entry}, ...]}}, 3)"
    )


def test_max_workers_failed_and_succeeded() -> None:
    counts = struct.pack("<3I", 0, 1, 3202329837)
    text = "[[IO_WQ_BOUND]=0, [IO_WQ_UNBOUND]=1, [2 /* IO_WQ_??? */]=3202329837]"
    assert register(0x13, counts, 3) == (
        f"io_uring_register(0</dev/null>, IORING_REGISTER_IOWQ_MAX_WORKERS, {text} => 0x10000, 3)"
    )
    assert register(0x13, counts, 3, retval=42) == (
        f"io_uring_register(0</dev/null>, IORING_REGISTER_IOWQ_MAX_WORKERS, {text} => {text}, 3)"
    )
    assert register(0x13, counts[:4], 2, retval=42) == (
        "io_uring_register(0</dev/null>, IORING_REGISTER_IOWQ_MAX_WORKERS, "
        "[[IO_WQ_BOUND]=0, ... /* 0x10004 */], 2)"
    )
    assert register(0x13, counts, 3, options=Y._replace(xlat=RAW)) == (
        "io_uring_register(0</dev/null>, 0x13, [[0]=0, [1]=1, [2]=3202329837] => 0x10000, 3)"
    )


def test_restrictions_by_their_opcode() -> None:
    items = [
        struct.pack("<HBB3I", 0, 0x25, 0x77, 0, 0, 0),
        struct.pack("<HBB3I", 1, 0x40, 0, 0, 0xAB, 0),
        struct.pack("<HBB3I", 3, 0xC0, 0, 0, 0, 0),
        struct.pack("<HBB3I", 4, 0xEF, 0, 0, 0, 0),
    ]
    assert register(0xB, b"".join(items), 4) == (
        "io_uring_register(0</dev/null>, IORING_REGISTER_RESTRICTIONS, ["
        "{opcode=IORING_RESTRICTION_REGISTER_OP, register_op=0x25 /* IORING_REGISTER_??? */, "
        "resv=0x77}, {opcode=IORING_RESTRICTION_SQE_OP, sqe_op=0x40 /* IORING_OP_??? */, "
        "resv2=[0, 0xab, 0]}, {opcode=IORING_RESTRICTION_SQE_FLAGS_REQUIRED, "
        "sqe_flags=IOSQE_CQE_SKIP_SUCCESS|0x80}, "
        "{opcode=0x4 /* IORING_RESTRICTION_??? */ /* op: 0xef */}], 4)"
    )


def test_resource_registers_and_updates() -> None:
    tags = ARG + 0x100
    files = struct.pack("<IIQQQ", 2, 1, 0, ARG + 0x80, tags) + bytes(8)
    memory = {ARG: files.ljust(0x80, b"\0") + struct.pack("<2i", 3, -2).ljust(0x80, b"\0")
              + struct.pack("<2Q", 1, 0xDEAD)}  # fmt: skip
    assert call("io_uring_register", (0, 0xD, ARG, 40), memory) == (
        "io_uring_register(0</dev/null>, IORING_REGISTER_FILES2, {nr=2, "
        "flags=IORING_RSRC_REGISTER_SPARSE, data=[3</dev/full>, -2], tags=[0x1, 0xdead]}, 40)"
    )
    assert call("io_uring_register", (0, 0xD, ARG, 24), memory).endswith("0x10000, 24)")
    update = struct.pack("<IIQQII", BEEF + 15327, 0, 0, ARG, 0, 0) + bytes(range(0xA0, 0xA8))
    assert register(0x10, update, 40) == (
        "io_uring_register(0</dev/null>, IORING_REGISTER_BUFFERS_UPDATE, {offset=3735943886, "
        "data=NULL, tags=[], nr=0, /* bytes 32..39 */ "
        '"\\xa0\\xa1\\xa2\\xa3\\xa4\\xa5\\xa6\\xa7"}, 40)'
    )
    assert register(0xE, update[:32], 40).endswith("tags=[], nr=0, ???}, 40)")


def test_ring_fds_and_buffer_rings() -> None:
    ring_fds = struct.pack("<IIQ", 0xFFFFFFFF, 0, 3) + struct.pack("<IIQ", 2, 0x3030303, 2**64 - 2)
    assert register(0x14, ring_fds, 2) == (
        "io_uring_register(0</dev/null>, IORING_REGISTER_RING_FDS, [{offset=-1, "
        "data=3</dev/full>}, {offset=2, resv=0x3030303, data=-2}], 2)"
    )
    assert register(0x15, ring_fds, 2) == (
        "io_uring_register(0</dev/null>, IORING_UNREGISTER_RING_FDS, [{offset=4294967295, "
        "data=0x3}, {offset=2, resv=0x3030303, data=0xfffffffffffffffe}], 2)"
    )
    buf_reg = struct.pack("<QIHH3Q", 0, 0, 0, 0, 0, 0, 0)
    assert register(0x16, buf_reg, 1) == (
        "io_uring_register(0</dev/null>, IORING_REGISTER_PBUF_RING, "
        "{ring_addr=NULL, ring_entries=0, bgid=0}, 1)"
    )
    mask = struct.pack("<H", 0xBDEF)
    assert register(0x11, mask, 2) == (
        "io_uring_register(0</dev/null>, IORING_REGISTER_IOWQ_AFF, "
        "[0 1 2 3 5 6 7 8 10 11 12 13 15], 2)"
    )


def test_an_array_cut_at_s_names_the_next_element_if_unreadable() -> None:
    memory = FakeMemory({ARG: bytes(8)})
    cut = Options(string_limit=2)
    assert array_text(ARG, 3, 4, memory, cut, element=lambda b: "0").text == (
        "[0, 0, ... /* 0x10008 */]"
    )
    assert array_text(ARG, 2, 4, memory, Options(string_limit=1), element=lambda b: "0").text == (
        "[0, ...]"
    )
