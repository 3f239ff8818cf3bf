"""The trace filter language, as far as it goes today: strace's ``-e trace=`` with names.

Pure: expressions in, a set of syscall names out (None meaning every syscall).
``-e trace=a,b``, ``-e a,b`` (trace= is strace's default qualifier), ``all`` and
``none``.  Several ``-e trace=`` accumulate.  The full strace language (classes,
regexes, negation, status=, ...) grows here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from traced.arch import Arch
from traced.errors import FilterError, UnknownSyscallError


def trace_names(expressions: Sequence[str]) -> list[str] | None:
    """The names the expressions select, unvalidated; None when they select everything."""
    names: list[str] | None = None
    for expression in expressions:
        qualifier, _, value = expression.rpartition("=")
        if qualifier not in ("", "trace", "t"):
            raise FilterError(f"-e {qualifier}= is not supported yet (only trace=NAME,...)")
        if value == "all":
            return None
        chosen = [name.strip() for name in value.split(",") if name.strip() not in ("", "none")]
        names = (names or []) + chosen
    return names


def validate_names(names: Iterable[str], arch: Arch) -> frozenset[str]:
    """The names as a set, each checked against every ABI of ``arch``."""
    known = {name for abi in arch.abis for name in abi.numbers_by_name}
    chosen = frozenset(names)
    for name in sorted(chosen):
        if name not in known:
            raise UnknownSyscallError(name)
    return chosen


def parse_trace(expressions: Sequence[str], arch: Arch) -> frozenset[str] | None:
    """``-e`` expressions to the validated set of names, None for every syscall."""
    names = trace_names(expressions)
    return None if names is None else validate_names(names, arch)
