"""Pure argument decoders: raw registers plus tracee memory in, :class:`DecodedValue` out.

Nothing here raises on what a tracee holds: an unreadable pointer prints as its
address, as strace does, and a decoder that raises (a bug) is logged and counted
(:func:`failures`, for the daemon's stats).  The layout:

* values: what a decoder returns, the options it honours, the memory it reads;
* faults: decoders that raised, logged once and counted;
* xlat: constant tables and strace's two ways of printing by them;
* strings: strace's quoting, shared by every family;
* kinds: the registry's record of one type tag (its entry and exit decoders);
* families/: the decoders by syscall family, each with its tables and structs;
* registry: every family's decoders in one table, keyed by type tag;
* arguments: signatures meet decoders (each syscall's arguments decoded);
* shapes: how strace words a whole call where each argument alone does not say it.
"""

from __future__ import annotations

from traced.decoders.faults import failures
from traced.decoders.registry import decode, decoder_for
from traced.decoders.values import DecodedValue, Memory, Options

__all__ = ["DecodedValue", "Memory", "Options", "decode", "decoder_for", "failures"]
