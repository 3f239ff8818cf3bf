"""The registry's record of one type tag, and the adapters that make one.

Every decoder the registry holds has one of two call forms, whatever it needs:

* entry: ``(raw, at, memory, options)``, at the syscall-entry stop, for an input;
  ``raw`` is every register and ``at`` the argument's position in it, so a decoder
  that reads its length or its domain from a sibling argument needs nothing more;
* exit: ``(raw, at, memory, options, *, retval, args)``, at the exit stop after a
  success (after a failure too, for a decoder ``on_failure``), for an output;
  ``args`` are the arguments as decoded so far (the entry's, and the outputs after
  this one already read at exit).

Either returns None where it has nothing to say (the argument stays its number or
its address).  Most decoders are plain functions of the register alone, or of the
pointer, the memory and the options: :func:`by_register` and :func:`by_pointer`
wrap those, once, when the family module builds its table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol

from traced.decoders.values import NOT_PRINTED, DecodedValue, Memory, Options
from traced.events import Arg

Entry = Callable[[Sequence[int], int, Memory, Options], DecodedValue | None]


class Exit(Protocol):
    """An exit decoder: ``retval`` and ``args`` by name, the rarer needs."""

    def __call__(
        self, raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
        args: Sequence[Arg],
    ) -> DecodedValue | None: ...  # fmt: skip


Alone = Callable[[int, Memory, Options], DecodedValue]  # a decoder of its argument alone


class Decoder(NamedTuple):
    """How arguments of one type tag are decoded."""

    entry: Entry | None = None  # an input, at entry (None: the register as a number)
    exit: Exit | None = None  # an output, at exit after a success (None: left as at entry)
    # The decoder of a register alone (flags, enums, signals): the same value is the
    # same argument, so arguments.py memoizes what it gives.
    register: Callable[[int], DecodedValue] | None = None
    # An output read at entry as well, to show ``[in => out]`` (socklen_t*).
    in_and_out: bool = False
    # The decoder as a function of its argument alone, where it is one (tests use it).
    alone: Alone | None = None
    # An in-and-out argument strace prints whole at entry, adding what the kernel wrote
    # only at exit (clone3's ``{...} => {parent_tid=[N]}``): a call unfinished is cut
    # after it, not before.
    whole_at_entry: bool = False
    # An output strace prints at exit after a failure too (some ioctls' `` => 0x...``):
    # its exit decoder is then called with the negative errno as ``retval``.
    on_failure: bool = False


def by_register(decode: Callable[[int], DecodedValue]) -> Decoder:
    """A flag set, an enum or a number named: decoded from its register alone."""

    def entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
        return decode(raw[at])

    def alone(raw: int, memory: Memory, options: Options) -> DecodedValue:
        return decode(raw)

    return Decoder(entry=entry, register=decode, alone=alone)


def by_pointer(decode: Alone, *, output: bool = False) -> Decoder:
    """A pointer followed into memory: an input, or with ``output`` one the kernel
    may also fill (the same type is setrlimit's input and getrlimit's output)."""

    def entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
        return decode(raw[at], memory, options)

    def filled(
        raw: Sequence[int], at: int, memory: Memory, options: Options, *, retval: int,
        args: Sequence[Arg],
    ) -> DecodedValue:  # fmt: skip
        return decode(raw[at], memory, options)

    return Decoder(entry=entry, exit=filled if output else None, alone=decode)


def at_exit(decode: Alone) -> Decoder:
    """A pointer the kernel fills (stat's buffer, pipe's fds): read at exit only."""
    return by_pointer(decode, output=True)._replace(entry=None)


# A multiplexed call's form (prctl's option, keyctl's command): the texts of its
# arguments after the first, decoded together since each depends on the first.
Form = Callable[[Sequence[int], Memory, Options], list[str]]


class Multiplexed:
    """The decoders of a multiplexed call's arguments.  The registry asks each
    argument alone; the call is decoded once, by its form, and every argument takes
    its text from that decode (the last call's, kept while its memory is the same:
    one decode_entry)."""

    def __init__(self, form_of: Callable[[Sequence[int]], Form]) -> None:
        self._form_of = form_of
        self._last: tuple[Memory, Options, tuple[int, ...], list[str]] | None = None

    def texts(self, raw: Sequence[int], memory: Memory, options: Options) -> list[str]:
        last, key = self._last, tuple(raw)
        if last is not None and last[0] is memory and last[1] is options and last[2] == key:
            return last[3]
        texts = self._form_of(raw)(raw, memory, options)
        self._last = (memory, options, key, texts)  # holds memory: its id stays its own
        return texts

    def argument(self, index: int) -> Decoder:
        """The decoder of arg<index+1>: its text in the call's form, or none."""

        def entry(raw: Sequence[int], at: int, memory: Memory, options: Options) -> DecodedValue:
            texts = self.texts(raw, memory, options)
            text = texts[index - 1] if index - 1 < len(texts) else NOT_PRINTED
            return DecodedValue(text, raw[at], raw[at])

        return Decoder(entry=entry)
