"""Every type tag's decoders, in one table: the families' ``DECODERS`` gathered.

A type tag (traced.syscalls.signatures) names how an argument is printed; the
registry maps it to a :class:`~traced.decoders.kinds.Decoder`, its entry and exit
decoders.  A few arguments are decoded by their name rather than their type
(execve's envp, fcntl's third argument): :func:`decoder_of` looks those up first.
It runs once per signature (arguments.py caches the result), so decoding an
argument costs one call, never a search.

To add a decoder: write it in its family's module, add its tag to that module's
``DECODERS``, and, for a new family, add the module to :data:`_FAMILIES` here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import TypeVar

from traced.decoders import faults
from traced.decoders.families import (
    aio,
    bpf_attr,
    buffers,
    descriptors,
    fanotify_memfd,
    files,
    handles,
    identity,
    io_uring,
    ioctl,
    ipc,
    ipc_structs,
    kernel,
    keyctl,
    landlock,
    ldt,
    mappings,
    messages,
    misc,
    mounts,
    numa,
    perf_attr,
    polling,
    prctl,
    process,
    ptrace,
    quota,
    resources,
    sched,
    siginfo,
    signals,
    sockets,
    sockopts,
    stat,
    timers,
    times,
)
from traced.decoders.kinds import Alone, Decoder
from traced.decoders.values import DEFAULT_OPTIONS, DecodedValue, Memory, Options, unreadable
from traced.decoders.xlat import Table

_FAMILIES: tuple[ModuleType, ...] = (
    signals, files, stat, buffers, sockets, process, times, mappings, ioctl, misc, ipc,
    sockopts, descriptors, prctl, kernel, messages, siginfo, ipc_structs,
    polling, sched, resources, landlock, mounts, identity, timers, io_uring, handles, aio, ptrace,
    quota, numa, fanotify_memfd, keyctl, perf_attr, bpf_attr, ldt,
)  # fmt: skip


_Key = TypeVar("_Key", str, tuple[str, str])
_Value = TypeVar("_Value")


def _gathered(tables: Iterable[Mapping[_Key, _Value]]) -> dict[_Key, _Value]:
    """One table of many; a key two families claim is a mistake, caught at import."""
    merged: dict[_Key, _Value] = {}
    for table in tables:
        for key, decoder in table.items():
            if key in merged:
                raise ValueError(f"decoder {key!r} registered twice")
            merged[key] = decoder
    return merged


REGISTRY: dict[str, Decoder] = _gathered(family.DECODERS for family in _FAMILIES)
# (type tag, argument name): a tag decoded otherwise under that name.
BY_NAME: dict[tuple[str, str], Decoder] = _gathered(
    getattr(family, "BY_NAME", {}) for family in _FAMILIES
)
# (syscall, argument name): an argument decoded in terms of its syscall.
BY_ARGUMENT: dict[tuple[str, str], Decoder] = _gathered(
    getattr(family, "BY_ARGUMENT", {}) for family in _FAMILIES
)


# Type tag -> the names its values have (flags, enums, signals, AT_FDCWD): what a
# filter's argument predicates may name (traced.filter.predicates).  A tag two
# families name constants for is a mistake, caught at import.
CONSTANTS: dict[str, Table] = _gathered(getattr(family, "CONSTANTS", {}) for family in _FAMILIES)


def constants_of(tag: str) -> dict[str, int]:
    """The constants an argument of type ``tag`` may be compared with, by name (the
    first value of a name listed twice); empty for a type with no names."""
    named: dict[str, int] = {}
    for name, value in CONSTANTS.get(tag, ()):
        named.setdefault(name, value)
    return named


def decoder_of(syscall: str, name: str, tag: str) -> Decoder | None:
    """The decoder of one argument of one syscall, or None for a plain number."""
    return BY_ARGUMENT.get((syscall, name)) or BY_NAME.get((tag, name)) or REGISTRY.get(tag)


def decoder_for(tag: str, name: str = "") -> Alone | None:
    """The decoder of type ``tag`` as a function of its argument alone, as it is,
    raising on what it cannot read; None for tags read in terms of other arguments.

    ``name`` is the argument's name: ``strv`` is an argv unless it is ``envp``.
    """
    decoder = BY_NAME.get((tag, name)) or REGISTRY.get(tag)
    return None if decoder is None else decoder.alone


def decode(
    tag: str, raw: int, memory: Memory, options: Options = DEFAULT_OPTIONS, name: str = ""
) -> DecodedValue | None:
    """The argument of type ``tag`` decoded (:func:`decoder_for`), or None when no
    decoder here covers it; a decoder that raises is counted and shows the address."""
    decoder = decoder_for(tag, name)
    if decoder is None:
        return None
    try:
        return decoder(raw, memory, options)
    except Exception as error:  # a decoder's bug: counted, shown as the address
        faults.record(tag, error)
        return unreadable(raw)
