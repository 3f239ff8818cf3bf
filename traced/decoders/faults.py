"""Decoder failures: visible and counted, never fatal to tracing.

A decoder that raises has a bug, or met a case nobody wrote it for: the argument
shows as strace shows what it cannot decode (its number, or its address), tracing
goes on, and the failure is logged once per (decoder, exception type) and counted.
:func:`failures` is what the daemon's ``stats`` reports.

Unreadable tracee memory is no failure: the decoders catch it where they read
(:data:`traced.decoders.values.UNREADABLE`) and print the address, as strace does.
"""

from __future__ import annotations

from collections import Counter

from traced.logs import get_logger

_log = get_logger(__name__)
_counts: Counter[str] = Counter()


def record(decoder: str, error: Exception) -> None:
    """Count one failure of ``decoder`` (a type tag); log the first of its kind."""
    key = f"{decoder}/{type(error).__name__}"
    _counts[key] += 1
    if _counts[key] == 1:
        _log.warning("decoder_failed", decoder=decoder, error=repr(error), exc_info=error)


def failures() -> dict[str, int]:
    """How often each decoder failed, by ``"<type tag>/<exception type>"``."""
    return dict(_counts)
