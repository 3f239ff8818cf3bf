"""The decoders over constructed memory: inputs at entry, outputs at exit, never raising."""

import struct

from hypothesis import given
from hypothesis import strategies as st

from traced.decode import decode_args, decode_outputs, has_outputs


class FakeMemory:
    """Bytes at addresses, as a tracee would hold them; OSError anywhere else."""

    def __init__(self, regions: dict[int, bytes]) -> None:
        self.regions = regions

    def read(self, address: int, size: int) -> bytes:
        for start, data in self.regions.items():
            if start <= address < start + len(data):
                offset = address - start
                return data[offset : offset + size]
        raise OSError(14, "Bad address")

    def cstring(self, address: int, limit: int = 4096) -> bytes:
        data = self.read(address, limit)
        return data.split(b"\0", 1)[0]


def test_path_and_sign_corrected_ints_at_entry() -> None:
    memory = FakeMemory({0x1000: b"/etc/passwd\0"})
    args = decode_args("openat", (2**64 - 100, 0x1000, 0x80000, 0), memory)
    assert args == (-100, "/etc/passwd", 0x80000, 0)


def test_unreadable_path_stays_an_address() -> None:
    assert decode_args("open", (0xDEAD0000, 0, 0), FakeMemory({}))[0] == 0xDEAD0000


def test_pipe_fds_are_read_at_exit() -> None:
    memory = FakeMemory({0x2000: struct.pack("<ii", 3, 4)})
    assert has_outputs("pipe2") and not has_outputs("openat")
    assert decode_outputs("pipe2", (0x2000, 0x80000), memory) == ((0, [3, 4]),)
    assert decode_outputs("socketpair", (1, 1, 0, 0x2000), memory) == ((3, [3, 4]),)


@given(st.integers(0, 2**64 - 1), st.binary(max_size=64))
def test_decoders_never_raise(word: int, data: bytes) -> None:
    memory = FakeMemory({0x3000: data})
    for name in ("openat", "execve", "pipe2", "read", "rename"):
        raw = (word, 0x3000, word, 0x3000, word, word)
        decode_args(name, raw, memory)
        decode_outputs(name, raw, memory)


def test_argv_is_read_as_a_list_of_strings() -> None:
    strings = {0x5000: b"ls\0", 0x5010: b"-l\0"}
    array = struct.pack("<QQQ", 0x5000, 0x5010, 0)
    memory = FakeMemory({0x4000: array, **strings})
    assert decode_args("execve", (0x5000, 0x4000, 0), memory)[1] == ["ls", "-l"]
    assert decode_args("execve", (0x5000, 0x9999, 0), memory)[1] == 0x9999  # unreadable


def test_buffers_are_peeked_as_far_as_strace_shows_them() -> None:
    data = bytes(range(64))
    memory = FakeMemory({0x6000: data})
    written = decode_args("write", (1, 0x6000, 64), memory)[1]
    assert isinstance(written, str) and written.encode("latin-1") == data[:33]
    assert decode_outputs("read", (3, 0x6000, 832), memory, retval=5) == ((1, "\0\1\2\3\4"),)
