"""A multiplexed call (prctl, keyctl) is decoded once, whatever the number of its
arguments the registry asks for: constructed registers and memory in."""

from __future__ import annotations

from collections.abc import Sequence

from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry
from traced.decoders.kinds import Form, Multiplexed
from traced.decoders.values import DEFAULT_OPTIONS, Memory, Options


def test_each_call_is_decoded_once() -> None:
    calls: list[tuple[int, ...]] = []

    def form(raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
        calls.append(tuple(raw))
        return [f"a{raw[0]}", "b", "c"]

    def form_of(raw: Sequence[int]) -> Form:
        return form

    call = Multiplexed(form_of)
    memory = FakeMemory({})
    raw = (7, 0, 0, 0, 0)
    texts = [call.argument(i).entry(raw, i, memory, DEFAULT_OPTIONS) for i in (1, 2, 3, 4)]
    assert [t.text for t in texts if t is not None] == ["a7", "b", "c", ""]
    assert calls == [(7, 0, 0, 0, 0)]
    call.argument(1).entry((7, 0, 0, 0, 0), 1, FakeMemory({}), DEFAULT_OPTIONS)  # another stop
    call.argument(1).entry((8, 0, 0, 0, 0), 1, memory, DEFAULT_OPTIONS)  # another call
    assert calls == [(7, 0, 0, 0, 0)] * 2 + [(8, 0, 0, 0, 0)]


def test_prctl_reads_its_name_once() -> None:
    reads: list[int] = []

    class Counting(FakeMemory):
        def cstring(self, address: int, limit: int = 4096) -> bytes:
            reads.append(address)
            return super().cstring(address, limit)

    pr_set_name = 15
    args = decode_entry("prctl", (pr_set_name, 0x1000, 0, 0, 0), Counting({0x1000: b"worker\0"}))
    assert args[1].text == '"worker"'
    assert len(reads) == 1, reads
