"""A decoder that raises is a bug made visible: counted, and the argument shown as
strace shows what it cannot decode; unreadable memory is no failure at all."""

from __future__ import annotations

from tests.unit.plain import FakeMemory
from traced.decoders import decode, failures
from traced.decoders.arguments import decode_entry
from traced.errors import MemoryReadError


class Broken:
    """Memory whose reads fail in a way no tracee causes: a decoder's bug."""

    def read(self, address: int, size: int) -> bytes:
        raise ZeroDivisionError("bug")

    def cstring(self, address: int, limit: int = 4096) -> bytes:
        raise ZeroDivisionError("bug")


class Gone:
    """Memory of a tracee that has no mapping there, as process_vm_readv reports it."""

    def read(self, address: int, size: int) -> bytes:
        raise MemoryReadError("process_vm_readv failed: EFAULT", pid=1, errno=14)

    def cstring(self, address: int, limit: int = 4096) -> bytes:
        return self.read(address, limit)


def _count(key: str) -> int:
    return failures().get(key, 0)


def test_a_raising_decoder_is_counted_and_shows_the_address() -> None:
    before = _count("path/ZeroDivisionError")
    args = decode_entry("openat", (2**64 - 100, 0x1000, 0, 0), Broken())
    assert args[1].text == "0x1000"
    assert _count("path/ZeroDivisionError") == before + 1


def test_unreadable_memory_is_an_address_and_no_failure() -> None:
    before = failures()
    for memory in (Gone(), FakeMemory({})):
        args = decode_entry("openat", (2**64 - 100, 0x1000, 0, 0), memory)
        assert args[1].text == "0x1000"
    assert failures() == before


def test_decode_counts_too() -> None:
    before = _count("str/ZeroDivisionError")
    assert decode("str", 0x2000, Broken()) == ("0x2000", 0x2000, 0x2000)
    assert _count("str/ZeroDivisionError") == before + 1
