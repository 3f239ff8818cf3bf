"""The decoders over constructed memory: inputs at entry, outputs at exit, never raising."""

import struct

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry, decode_exit, first_output, has_outputs
from traced.decoders.values import Options
from traced.events import Arg
from traced.syscalls.signatures import SIGNATURES


def texts(args: tuple[Arg, ...]) -> list[str]:
    return [arg.text for arg in args]


def test_each_argument_is_named_typed_decoded_and_raw() -> None:
    memory = FakeMemory({0x1000: b"/etc/passwd\0"})
    dirfd, path, flags, mode = decode_entry("openat", (2**64 - 100, 0x1000, 0x80000, 0), memory)
    assert dirfd == Arg(name="dirfd", type="dirfd", value=-100, raw=2**64 - 100, text="AT_FDCWD")
    assert (path.name, path.type, path.value, path.text) == (
        "pathname", "path", "/etc/passwd", '"/etc/passwd"'
    )  # fmt: skip
    assert (flags.value, flags.raw, flags.text) == (
        ["O_RDONLY", "O_CLOEXEC"],
        0x80000,
        "O_RDONLY|O_CLOEXEC",
    )
    assert (mode.value, mode.text) == (0, "")  # strace omits the mode without O_CREAT


def test_unreadable_path_stays_an_address() -> None:
    path = decode_entry("open", (0xDEAD0000, 0, 0), FakeMemory({}))[0]
    assert (path.value, path.text) == (0xDEAD0000, "0xdead0000")


def test_outputs_are_addresses_at_entry_and_decoded_at_exit() -> None:
    memory = FakeMemory({0x2000: struct.pack("<ii", 3, 4)})
    assert has_outputs("pipe2") and not has_outputs("openat")
    entry = decode_entry("pipe2", (0x2000, 0x80000), memory)
    assert texts(entry) == ["0x2000", "O_CLOEXEC"]
    done = decode_exit("pipe2", entry, (0x2000, 0x80000), memory, retval=0)
    assert texts(done) == ["[3, 4]", "O_CLOEXEC"] and done[0].value == [3, 4]
    pair = decode_entry("socketpair", (1, 1, 0, 0x2000), memory)
    assert decode_exit("socketpair", pair, (1, 1, 0, 0x2000), memory, retval=0)[3].value == [3, 4]


@given(
    st.sampled_from(sorted(SIGNATURES)),
    st.lists(st.integers(0, 2**64 - 1), min_size=6, max_size=6),
    st.binary(max_size=300),
    st.integers(-(2**63), 2**63),
)
def test_no_syscall_decoder_raises_whatever_memory_holds(
    name: str, words: list[int], data: bytes, retval: int
) -> None:
    memory = FakeMemory({0x3000: data})
    raw = tuple(0x3000 if i % 2 else word for i, word in enumerate(words))
    for options in (Options(), Options(string_limit=0, verbose=True, decorate_fds=True)):
        entry = decode_entry(name, raw, memory, options, fds=lambda fd: "/x")
        assert all(isinstance(arg.text, str) for arg in entry)
        decode_exit(name, entry, raw, memory, retval=retval, options=options)


def test_argv_is_read_as_a_list_of_strings_and_envp_counted() -> None:
    strings = {0x5000: b"ls\0", 0x5010: b"-l\0"}
    array = struct.pack("<QQQ", 0x5000, 0x5010, 0)
    memory = FakeMemory({0x4000: array, **strings})
    _, argv, envp = decode_entry("execve", (0x5000, 0x4000, 0x4000), memory)
    assert (argv.value, argv.text) == (["ls", "-l"], '["ls", "-l"]')
    assert envp.text == "0x4000 /* 2 vars */"
    assert decode_entry("execve", (0x5000, 0x9999, 0), memory)[1].text == "0x9999"


def test_buffers_are_shown_as_far_as_strace_shows_them() -> None:
    memory = FakeMemory({0x6000: b"abcdefghij" * 7})
    written = decode_entry("write", (1, 0x6000, 64), memory)[1]
    assert written.text == '"' + ("abcdefghij" * 4)[:32] + '"...'
    read = decode_entry("read", (3, 0x6000, 832), memory)
    assert read[1].text == "0x6000"  # not yet filled in
    assert decode_exit("read", read, (3, 0x6000, 832), memory, retval=5)[1].text == '"abcde"'


def test_fd_decoration_with_y() -> None:
    options = Options(decorate_fds=True)
    close = decode_entry("close", (3,), FakeMemory({}), options, fds={3: "/etc/passwd"}.get)
    assert close[0].text == "3</etc/passwd>" and close[0].value == 3
    no_paths: dict[int, str] = {}
    assert decode_entry("close", (9,), FakeMemory({}), options, fds=no_paths.get)[0].text == "9"


def test_the_abi_decides_which_register_is_which() -> None:
    # CLONE_SETTLS | CLONE_CHILD_CLEARTID: both tls and child_tid are shown.
    raw = (0x00080000 | 0x00200000, 0, 0, 0x1234, 0x5678)
    i386 = {arg.name: arg.text for arg in decode_entry("clone", raw, FakeMemory({}), abi="i386")}
    assert (i386["tls"], i386["child_tid"]) == ("tls=0x1234", "child_tidptr=0x5678")
    x86_64 = {arg.name: arg.text for arg in decode_entry("clone", raw, FakeMemory({}))}
    assert (x86_64["child_tid"], x86_64["tls"]) == ("child_tidptr=0x1234", "tls=0x5678")
    # i386 splits lookup_dcookie's 64-bit cookie: the buffer is the third register.
    memory = FakeMemory({0x6000: b"/usr/lib/x"})
    dcookie = (7, 0, 0x6000, 64)
    assert has_outputs("lookup_dcookie", "i386") and first_output("lookup_dcookie", "i386") == 2
    entry = decode_entry("lookup_dcookie", dcookie, memory, abi="i386")
    done = decode_exit("lookup_dcookie", entry, dcookie, memory, retval=4, abi="i386")
    assert texts(done) == ["7", "0", '"/usr"', "64"]
