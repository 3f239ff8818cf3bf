"""Argument predicates as values, and their one plain evaluation.

A predicate narrows a traced syscall to the calls whose integer arguments match:
``openat(flags&O_CREAT)``.  traced/filter/syntax.py parses the text into these
values; traced/filter/bpf.py compiles them into the seccomp filter, and the
userspace paths (attach, which has no filter; a subscriber narrowing a stream;
a task in full mode) evaluate them here, with :func:`matcher`.  The compiler's
tests hold it to this module's answers (tests/unit/test_bpf.py).

Kernel facts this module depends on:

* The kernel reads an argument as its C type: an ``int`` is the register's low
  32 bits, whatever the high ones hold; a ``long`` is the whole register, which on
  i386 is 32 bits wide.  traced.syscalls.signatures.integer_kind says which type is
  which; traced.syscalls.arch says how wide each ABI's registers are.
* On i386 a 64-bit value (an off_t of pread64, fadvise64 ...) is split over two
  registers, its low half first: the signatures name the second one ``hi``.

What a condition means, exactly (the compiler gives the same answer for every
register value): the argument's value ``v`` is its C value (signed or unsigned, of
its width on that ABI); ``u`` is its bit pattern (``v`` modulo 2**width).

* ``==`` (a set of values): ``v`` is one of them; with a mask, ``u & mask`` is one
  of the values' bit patterns.  ``<`` ``<=`` ``>`` ``>=``: ``v`` against the value,
  as numbers (a value the type cannot hold makes the test always true or false).
* ``&`` (any): ``u`` shares a bit with the mask; ``&=`` (all): ``u`` has every bit
  of it.  A mask's bits are its value modulo 2**width.
* ``negated`` turns the outcome over (``!=`` is a negated ``==``).

An argument a syscall does not have as a register on some ABI (i386's old mmap
takes one pointer to a struct) cannot be judged there: its rule then matches,
so the call is shown rather than hidden.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from traced.syscalls.arch import ABIS_BY_NAME, Abi
from traced.syscalls.signatures import REGISTER, integer_kind, signature

# A trace item that holds a predicate: a name (perhaps a class, to be refused), then
# its parentheses; a /regex's parentheses are its own.
PREDICATE_ITEM = re.compile(r"(?:^|,)\s*!*\s*[%?]?[A-Za-z_][A-Za-z0-9_]*\s*\(")
EQ, LT, LE, GT, GE, ANY, ALL = "==", "<", "<=", ">", ">=", "&", "&="
ORDERED = (LT, LE, GT, GE)
OPS = (EQ, *ORDERED, ANY, ALL)


class Condition(NamedTuple):
    """One test of one argument, by its name in the signatures table."""

    arg: str
    op: str  # one of OPS
    values: tuple[int, ...]  # EQ: any of them; ordered: one; ANY/ALL: one mask
    mask: int | None = None  # EQ only: the argument's bits under this mask are compared
    negated: bool = False


class Rule(NamedTuple):
    """Calls matching every condition get ``verdict`` (a SECCOMP_RET_* value); a
    syscall's rules are tried in order, the first match decides, and a call no rule
    matches is allowed.  ``text`` is the rule's source, which parses back to it."""

    conditions: tuple[Condition, ...]
    verdict: int
    text: str = ""


Rules = Mapping[str, tuple[Rule, ...]]  # syscall name -> its rules
NO_RULES: Rules = MappingProxyType({})


class View(NamedTuple):
    """Where an argument sits on one ABI and what it is: its register, the register
    of its high word if split (i386), its width in bits and its sign."""

    register: int
    high: int | None
    bits: int
    signed: bool

    @property
    def lowest(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def highest(self) -> int:
        return (1 << (self.bits - (1 if self.signed else 0))) - 1

    def value(self, raw: Sequence[int]) -> int:
        """The argument's C value, from the registers."""
        pattern = raw[self.register]
        if self.high is not None:
            pattern = (pattern & 0xFFFFFFFF) | (raw[self.high] & 0xFFFFFFFF) << 32
        pattern &= (1 << self.bits) - 1
        if self.signed and pattern >> (self.bits - 1):
            return pattern - (1 << self.bits)
        return pattern


def view_of(syscall: str, arg: str, abi: Abi) -> View | None:
    """Where ``syscall``'s argument ``arg`` is on ``abi``; None where it is not an
    integer register there (no such argument, or a pointer)."""
    args = signature(syscall, abi.name).args
    index = next((i for i, spec in enumerate(args) if spec.name == arg), None)
    if index is None:
        return None
    kind = integer_kind(args[index].type)
    if kind is None:
        return None
    bits, signed = kind
    split = abi.register_bits == 32 and index + 1 < len(args) and args[index + 1].type == "hi"
    if split:
        return View(index, index + 1, 64, signed)
    return View(index, None, abi.register_bits if bits == REGISTER else bits, signed)


def holds(condition: Condition, view: View, raw: Sequence[int]) -> bool:
    """Whether the call's registers ``raw`` pass ``condition`` (see the module's text)."""
    value = view.value(raw)
    modulus = 1 << view.bits
    pattern = value % modulus
    op, values = condition.op, condition.values
    if op == EQ and condition.mask is not None:
        result = (pattern & condition.mask % modulus) in {v % modulus for v in values}
    elif op == EQ:
        result = value in values
    elif op == ANY:
        result = (pattern & values[0] % modulus) != 0
    elif op == ALL:
        bits = values[0] % modulus
        result = (pattern & bits) == bits
    else:
        result = _COMPARE[op](value, values[0])
    return result != condition.negated


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    LT: lambda a, b: a < b,
    LE: lambda a, b: a <= b,
    GT: lambda a, b: a > b,
    GE: lambda a, b: a >= b,
}


def verdict(rules: Sequence[Rule], syscall: str, abi: Abi, raw: Sequence[int]) -> int | None:
    """The verdict of the first rule the call matches; None if none does (allowed).
    A condition on an argument the ABI does not have in a register matches."""
    for rule in rules:
        if all(_holds_on(condition, syscall, abi, raw) for condition in rule.conditions):
            return rule.verdict
    return None


def _holds_on(condition: Condition, syscall: str, abi: Abi, raw: Sequence[int]) -> bool:
    view = view_of(syscall, condition.arg, abi)
    return view is None or holds(condition, view, raw)


def passes(rules: Rules, syscall: str, abi: str, raw: Sequence[int]) -> bool:
    """Whether a call passes its syscall's rules (True with none), its ABI named as
    events name it and its registers as they carry them (fewer than six: zeros)."""
    found = rules.get(syscall)
    known = ABIS_BY_NAME.get(abi)
    if found is None or known is None:
        return True
    registers = (*raw, *(0,) * (6 - len(raw)))
    return matcher(found, syscall, known)(registers) is not None


Matcher = Callable[[Sequence[int]], int | None]


@functools.lru_cache(maxsize=256)
def matcher(rules: tuple[Rule, ...], syscall: str, abi: Abi) -> Matcher:
    """:func:`verdict` for one syscall on one ABI, its views looked up once."""
    bound = [
        [(c, view) for c in rule.conditions if (view := view_of(syscall, c.arg, abi))]
        for rule in rules
    ]
    pairs = list(zip(bound, (rule.verdict for rule in rules), strict=True))

    def match(raw: Sequence[int]) -> int | None:
        for conditions, outcome in pairs:
            if all(holds(c, view, raw) for c, view in conditions):
                return outcome
        return None

    return match
