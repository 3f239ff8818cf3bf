"""strace 6.1's ``-e inject=`` and ``-e fault=``, as a pure parser.

``-e inject=SET:error=ERRNO|retval=N|signal=SIG|delay_enter=D|delay_exit=D|when=EXPR|syscall=NAME``
(and ``poke_enter=P``, ``poke_exit=P``)
and ``-e fault=SET[:error=ERRNO][:when=EXPR][:syscall=NAME]`` become an
:class:`Injections`: for each syscall name, the :class:`Injection` to make.

Semantics copied from strace 6.1 (src/filter_qualify.c; checked against it in
tests/unit/test_inject_parse.py and tests/integration/test_inject.py):

* ``SET`` is a ``-e trace=`` list (names, classes, regexes, ``!``, ``?``...), and
  its errors are trace's: ``invalid system call 'x'``.
* Any malformed option makes the whole argument invalid, in strace's words:
  ``invalid inject argument 'unlinkat:foo'`` (``fault argument`` for fault=).
  Empty options (``a::b``, a trailing ``:``) are skipped, as strtok skips them.
* error= and retval= exclude each other; error= is 1..4095 or a name (any case);
  retval= is strtoull's (base 0, ``-1`` is 2**64-1); signal= is 1..64 or a name;
  each may be given once, as may delay_enter=, delay_exit= and syscall=.
  when= may be repeated: the last one counts.
* inject= needs an action (error, retval, signal, a delay or a poke); fault= takes only
  error, when and syscall, and its error defaults to ENOSYS.
* when=FIRST[..LAST][+[STEP]]: FIRST and STEP 1..65535, LAST FIRST..65534; FIRST
  alone injects that invocation only, ``FIRST+`` every one from it, ``..LAST``
  stops after LAST, ``+STEP`` every STEP-th.  Invocations are counted per tracee
  and per syscall (traced.core.inject).
* A delay is microseconds, or a number with ``s``, ``ms``, ``us`` or ``ns``
  (strace's time specification; a fraction is allowed).
* syscall=NAME must exist in every ABI and be one of %pure (no side effect): it
  runs instead of the injected call, whose result is then replaced.
* A later inject=/fault= replaces an earlier one for the syscalls both name.
* poke_enter=/poke_exit= are ``@argN=HEX[,@argM=HEX...]``: N 1..7, each once, HEX an
  even number of hex digits, at most 2048; the bytes are written into the tracee's
  memory where argument N points, as the call is entered or as it returns.

retval= values that the tracee would read as an error get strace's warnings
(:attr:`Injections.warnings`); they are not refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from traced.errors import InjectError
from traced.syscalls.arch import Arch
from traced.syscalls.names import ERRNO_NAMES, MAX_ERRNO, SIGNAL_NAMES, SIGRTMAX
from traced.syscalls.signatures import CLASSES

QUALIFIERS = frozenset(("inject", "fault"))
LAST_INFINITE = 0xFFFF  # strace's INJECT_LAST_INF: "no last"
_MAX_WHEN = 0xFFFF
ENOSYS = 38
_ULONG = 1 << 64
# strtoll's and strtoull's accepted prefix: blanks, a sign, then digits.
# The patterns are strings: re compiles each at its first use (an -e inject= or
# fault=), not at every start of traced (~2M instructions, the three).
_DECIMAL = r"[ \t\n\v\f\r]*[+-]?[0-9]+"
_TIME_UNITS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1, "": 1_000}
_FLOAT_CHARS = "eE.-+0123456789"
_INT_CHARS = "+0123456789"


class When(NamedTuple):
    """Which invocations, counted from 1: FIRST, then every STEP-th up to LAST."""

    first: int = 1
    last: int | None = None  # None: no last
    step: int = 1  # 0: FIRST alone

    def selects(self, n: int) -> bool:
        """Whether invocation ``n`` (from 1) is one to inject: strace's countdown
        (first, last and step decremented at each call), said as arithmetic."""
        if n < self.first or (self.last is not None and n > self.last):
            return False
        return n == self.first if self.step == 0 else (n - self.first) % self.step == 0

    @property
    def always(self) -> bool:
        return self == EVERY_TIME


EVERY_TIME = When()


Poke = tuple[int, bytes]  # an argument's index (from 0), the bytes written where it points
_POKE = re.compile(r"@arg([1-7])=((?:[0-9a-fA-F]{2}){1,1024})")


class Injection(NamedTuple):
    """What to do to one syscall's chosen invocations."""

    when: When = EVERY_TIME
    error: int | None = None  # the errno it fails with
    retval: int | None = None  # the value it returns, as the register holds it (signed)
    signal: int | None = None  # delivered as it is entered
    delay_enter_ns: int | None = None  # its entry held this long
    delay_exit_ns: int | None = None  # its exit held this long
    syscall: str | None = None  # a %pure call to run instead (with error or retval)
    poke_enter: tuple[Poke, ...] = ()  # written where the arguments point, at entry
    poke_exit: tuple[Poke, ...] = ()  # and at exit

    @property
    def pokes(self) -> bool:
        return bool(self.poke_enter or self.poke_exit)

    @property
    def replaces_result(self) -> bool:
        return self.error is not None or self.retval is not None

    @property
    def delays(self) -> bool:
        return self.delay_enter_ns is not None or self.delay_exit_ns is not None

    @property
    def acts(self) -> bool:
        """It does something (strace's INJECT_ACTION_FLAGS): syscall= alone does not."""
        return self.replaces_result or self.signal is not None or self.delays or self.pokes

    @property
    def in_kernel(self) -> bool:
        """A seccomp filter could do it all: an errno, every time, nothing else."""
        return self == Injection(error=self.error) and self.error is not None


SyscallSelector = Callable[[str], frozenset[str]]  # the trace= parser: a set to names


class Injections(NamedTuple):
    """Every -e inject= and -e fault= of a command line, in order, as given (what the
    protocol carries) and as each syscall's injection (the last one naming it wins)."""

    expressions: tuple[str, ...] = ()
    by_name: dict[str, Injection] = {}  # noqa: RUF012 - never changed once made
    warnings: tuple[str, ...] = ()  # strace's, for retval= values read as errors


NO_INJECTIONS = Injections()


def is_injection(expression: str) -> bool:
    """``inject=...`` or ``fault=...``: an -e expression this module parses."""
    qualifier, equals, _ = expression.partition("=")
    return bool(equals) and qualifier in QUALIFIERS


def parse_injections(expressions: Iterable[str], arch: Arch, select: SyscallSelector) -> Injections:
    """``inject=...``/``fault=...`` expressions (qualifier included) to Injections.

    ``select`` is the trace= parser (filter.expression's), whose errors are raised
    as they are."""
    given = tuple(expressions)
    by_name: dict[str, Injection] = {}
    warnings: list[str] = []
    for expression in given:
        qualifier, _, value = expression.partition("=")
        names, injection = parse_one(value, fault=qualifier == "fault", arch=arch, select=select)
        warnings += retval_warnings(injection.retval)
        by_name.update(dict.fromkeys(names, injection))
    return Injections(given, by_name, tuple(warnings))


def parse_one(
    value: str, *, fault: bool, arch: Arch, select: SyscallSelector
) -> tuple[frozenset[str], Injection]:
    """One argument (after ``inject=``): the syscalls it names and what to do to them."""
    what = "fault argument" if fault else "inject argument"
    if value[:1] in ("", ":"):
        return select(""), Injection()  # as strace: "invalid system call ''"
    name, *tokens = value.split(":")
    fields: dict[str, object] = {}
    for token in tokens:
        if token and not _take(token, fields, fault, arch):
            raise InjectError(f"invalid {what} '{value}'")
    injection = Injection(**fields)  # type: ignore[arg-type]
    if not injection.acts:
        if not fault:
            raise InjectError(f"invalid {what} '{value}'")
        injection = injection._replace(error=ENOSYS)
    return select(name), injection


def _take(token: str, fields: dict[str, object], fault: bool, arch: Arch) -> bool:
    """One ``key=value`` option into ``fields``; False if strace would refuse it."""
    key, equals, text = token.partition("=")
    if not equals:
        return False
    if key == "when":  # the one option that may be repeated: the last one counts
        when = parse_when(text)
        fields["when"] = when
        return when is not None
    parsers = _FAULT_PARSERS if fault else _PARSERS
    field = _FIELD.get(key, key)
    if key not in parsers or field in fields:
        return False
    if key in ("error", "retval") and ("error" in fields or "retval" in fields):
        return False
    parsed = parsers[key](text, arch)
    fields[field] = parsed
    return parsed is not None


def parse_when(text: str) -> When | None:
    """``FIRST[..LAST][+[STEP]]``, as strace's parse_inject_token reads it."""
    first, rest = _uint(text, _MAX_WHEN, "+.")
    if first is None or first < 1:
        return None
    last: int | None = None
    if rest.startswith("."):
        if not rest.startswith(".."):
            return None
        last, rest = _uint(rest[2:], _MAX_WHEN, "+")
        if last is None or last < first or last == LAST_INFINITE:
            return None
    if not rest:
        return When(first, last, 0 if last is None else 1)
    if rest == "+":
        return When(first, last, 1)
    step, _ = _uint(rest[1:], _MAX_WHEN, "")
    return When(first, last, step) if step is not None and step >= 1 else None


def _uint(text: str, maximum: int, endings: str) -> tuple[int | None, str]:
    """strace's string_to_uint_ex: strtoll's number, 0..maximum, then the end or one
    of ``endings``; (None, text) if not."""
    match = re.match(_DECIMAL, text)
    if match is None:
        return None, text
    value, rest = int(match.group()), text[match.end() :]
    if value < 0 or value > maximum or (rest and rest[0] not in endings):
        return None, text
    return value, rest


def _error(text: str, arch: Arch) -> int | None:
    """1..4095, or an errno name in any case (strace's find_errno_by_name)."""
    number, _ = _uint(text, MAX_ERRNO, "")
    if number is not None:
        return number if number >= 1 else None
    upper = text.upper()
    return next((nr for nr, name in sorted(ERRNO_NAMES.items()) if name == upper), None)


_STRTOULL = r"[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)"


def _retval(text: str, arch: Arch) -> int | None:
    """strtoull(text, 0), all of it: a sign, then 0x hex, 0 octal or decimal; -N
    wraps as in C.  The value as the register holds it: signed 64-bit."""
    match = re.fullmatch(_STRTOULL, text)
    if match is None:
        return None
    sign, digits = match.groups()
    base = 16 if digits[:2] in ("0x", "0X") else 8 if digits[:1] == "0" else 10
    value = int(digits, base)
    if value >= _ULONG:
        return None  # ERANGE
    value = -value % _ULONG if sign == "-" else value
    return value - _ULONG if value >= _ULONG // 2 else value


_SIGNAL_NUMBERS = {name.removeprefix("SIG"): nr for nr, name in SIGNAL_NAMES.items()}


def _signal(text: str, arch: Arch) -> int | None:
    """strace's sigstr_to_uint, then 1..SIGRTMAX: a number, or a name (SIG optional,
    any case)."""
    if text[:1].isdigit():
        number, _ = _uint(text, 255, "")
    else:
        number = _SIGNAL_NUMBERS.get(text.upper().removeprefix("SIG"))
    return number if number is not None and 1 <= number <= SIGRTMAX else None


def parse_delay(text: str, arch: Arch | None = None) -> int | None:
    """strace's parse_ts: an integer, or a number with . or e (strtod's), then a unit
    (s, ms, us, ns; none: us), to nanoseconds; None if malformed."""
    float_len = len(text) - len(text.lstrip(_FLOAT_CHARS))
    int_len = len(text) - len(text.lstrip(_INT_CHARS))
    number: float
    if float_len > int_len:
        match = re.match(_STRTOD, text)
        if match is None or float(match.group()) < 0:
            return None
        number, unit = float(match.group()), text[match.end() :]
    else:
        value, unit = _uint(text, (1 << 63) - 1, "smun")
        if value is None:
            return None
        number = value
    scale = _TIME_UNITS.get(unit)
    return None if scale is None else int(number * scale)


_STRTOD = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"


def _substitute(text: str, arch: Arch) -> str | None:
    """A %pure syscall (no side effect) every ABI has, to run instead of the injected one."""
    in_every_abi = all(text in abi.numbers_by_name for abi in arch.abis)
    return text if in_every_abi and text in CLASSES["%pure"] else None


def _pokes(text: str, arch: Arch) -> tuple[Poke, ...] | None:
    """``@arg3=0000,@arg1=ff``: each argument once; empty items skipped (strtok)."""
    pokes: list[Poke] = []
    for item in text.split(","):
        match = _POKE.fullmatch(item) if item else None
        if item and (match is None or any(n == int(match[1]) - 1 for n, _ in pokes)):
            return None
        if match is not None:
            pokes.append((int(match[1]) - 1, bytes.fromhex(match[2])))
    return tuple(pokes) or None


_Parser = Callable[[str, Arch], object]
_FAULT_PARSERS: dict[str, _Parser] = {"error": _error, "syscall": _substitute}
_PARSERS: dict[str, _Parser] = _FAULT_PARSERS | {
    "retval": _retval,
    "signal": _signal,
    "delay_enter": parse_delay,
    "delay_exit": parse_delay,
    "poke_enter": _pokes,
    "poke_exit": _pokes,
}
# Injection's field for each option of another name.
_FIELD = {"delay_enter": "delay_enter_ns", "delay_exit": "delay_exit_ns"}


def retval_warnings(retval: int | None) -> list[str]:
    """strace's warnings for a retval= the tracee could take for an error."""
    if retval is None:
        return []
    unsigned = retval % _ULONG
    if -MAX_ERRNO <= retval < 0:
        return [f"Inadvertent injection of error {-retval} is possible for retval={unsigned}"]
    low = unsigned & 0xFFFFFFFF
    low_signed = low - (1 << 32) if low >= 1 << 31 else low
    if -MAX_ERRNO <= low_signed < 0:
        return [
            f"Inadvertent injection of error {-low_signed} is possible in compat "
            f"personality for retval={unsigned}"
        ]
    if low != unsigned:
        return [f"Injected return value {unsigned} will be clipped to {low} in compat personality"]
    return []
