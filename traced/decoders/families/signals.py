"""Signals: their numbers by name, and the si_code values strace names in a siginfo.

The numbers and names are :data:`traced.syscalls.names.SIGNAL_NAMES` (one table for
the tracer, the filter language and the decoders); here they become the decoders'
lookup table, with the si_code tables a siginfo is printed with.
"""

from __future__ import annotations

from traced.decoders.kinds import Decoder, by_register
from traced.decoders.values import DecodedValue, as_signed
from traced.decoders.xlat import Table, lookup, named
from traced.syscalls.names import SIGNAL_NAMES

SIGNALS: Table = tuple((name, value) for value, name in SIGNAL_NAMES.items())

# si_code of a signal a process sent, or the kernel (asm-generic/siginfo.h).
SI_CODES: dict[int, str] = {
    0: "SI_USER", 0x80: "SI_KERNEL", -1: "SI_QUEUE", -2: "SI_TIMER", -3: "SI_MESGQ",
    -4: "SI_ASYNCIO", -5: "SI_SIGIO", -6: "SI_TKILL",
}  # fmt: skip
# si_code of a SIGCHLD: what became of the child.
CLD_CODES: dict[int, str] = {
    1: "CLD_EXITED", 2: "CLD_KILLED", 3: "CLD_DUMPED", 4: "CLD_TRAPPED", 5: "CLD_STOPPED",
    6: "CLD_CONTINUED",
}  # fmt: skip
# The codes whose siginfo names a sender: every one a process sends but a timer's,
# as strace prints them; of those, SI_USER and SI_TKILL alone carry no si_value.
SENDER_CODES = frozenset((0, -1, -3, -4, -5, -6))


def signal_name(number: int) -> str | None:
    return lookup(number, SIGNALS)


def signal(raw: int) -> DecodedValue:
    """``SIGTERM``, ``SIGRT_3``; 0 and unknown numbers in decimal."""
    value = as_signed(raw, 32)
    name = signal_name(value)
    if name is None:
        return DecodedValue(str(value), value, raw)
    return DecodedValue(named(value, name, decimal=True), name, raw)


DECODERS: dict[str, Decoder] = {"signal": by_register(signal)}
# The names a filter's argument predicates may use, by type.
CONSTANTS: dict[str, Table] = {"signal": SIGNALS}
