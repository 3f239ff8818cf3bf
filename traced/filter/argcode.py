"""cBPF for argument predicates: one syscall's rules on one ABI, as a block the
number search (traced/filter/bpf.py) jumps to.  Pure.

Kernel facts this module depends on:

* ``args[i]`` is 64 bits; a filter loads it as two 32-bit words, whose offsets
  depend on the byte order (traced.syscalls.arch.Arch.arg_words).
* cBPF's jumps compare A with k unsigned (``jeq``, ``jgt``, ``jge``, ``jset``), 32
  bits at a time.  A signed comparison flips the sign bit of both sides first
  (``xor #0x80000000``), which maps two's complement onto the unsigned order.
* A 64-bit comparison decides on the high words, and on the low ones only when
  the high words are equal.  A 32-bit argument (an ``int``; anything on i386) is
  its low word alone: the high word may hold junk the kernel never reads.

Each condition is compiled to mean exactly what traced.filter.predicates.holds
says; tests/unit/test_bpf.py runs both on random conditions and registers.
A block tries the rules in order; a failed condition goes to the next rule, and
after the last one the call is allowed.  Nothing here runs for a syscall without
rules: the number search reaches these blocks only from those syscalls' numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from traced.filter.assembler import (
    AND_K,
    JEQ_K,
    JGE_K,
    JGT_K,
    JSET_K,
    LD_ABS,
    SECCOMP_RET_ALLOW,
    XOR_K,
    Assembler,
)
from traced.filter.predicates import ALL, ANY, EQ, GE, GT, LE, LT, Condition, Rule, View, view_of
from traced.syscalls.arch import Abi, Arch

_U32 = 0xFFFFFFFF
_SIGN = 0x80000000


class _Words:
    """Where an argument's words are loaded from: its low word, and its high word
    if it has one (a 64-bit argument), with how the high word is compared."""

    def __init__(self, arch: Arch, view: View) -> None:
        self.low = arch.arg_words(view.register)[0]
        self.high: int | None = None
        if view.high is not None:
            self.high = arch.arg_words(view.high)[0]  # i386: the next register's low word
        elif view.bits == 64:
            self.high = arch.arg_words(view.register)[1]
        self.signed = view.signed

    @property
    def top(self) -> int:
        """The word the sign lives in."""
        return self.low if self.high is None else self.high


def rules_block(asm: Assembler, arch: Arch, abi: Abi, syscall: str, rules: Sequence[Rule]) -> int:
    """The label of a block giving each call the verdict of the first rule it matches."""
    label = asm.ret(SECCOMP_RET_ALLOW)
    for rule in reversed(rules):
        target = asm.ret(rule.verdict)
        for condition in reversed(rule.conditions):
            view = view_of(syscall, condition.arg, abi)
            if view is not None:  # else not a register on this ABI: the condition holds
                target = condition_code(asm, arch, view, condition, if_true=target, if_false=label)
        label = target
    return label


def condition_code(
    asm: Assembler, arch: Arch, view: View, condition: Condition, *, if_true: int, if_false: int
) -> int:
    """Code that goes to ``if_true`` when ``condition`` holds, else to ``if_false``."""
    if condition.negated:
        if_true, if_false = if_false, if_true
    words = _Words(arch, view)
    modulus = 1 << view.bits
    op, values = condition.op, condition.values
    if op == EQ:
        mask = modulus - 1 if condition.mask is None else condition.mask % modulus
        if condition.mask is None:  # a value the type cannot hold is never equal
            values = tuple(v for v in values if view.lowest <= v <= view.highest)
        patterns = sorted({v % modulus for v in values if v % modulus & ~mask == 0})
        return _equal(asm, words, mask, patterns, if_true=if_true, if_false=if_false)
    if op == ANY:
        return _any_bit(asm, words, values[0] % modulus, if_true, if_false)
    if op == ALL:
        return _all_bits(asm, words, values[0] % modulus, if_true, if_false)
    return _ordered(asm, words, view, condition, if_true=if_true, if_false=if_false)


def _load(asm: Assembler, label: int, offset: int, mask: int = _U32) -> int:
    """``ld [offset]`` (then ``and #mask`` unless it keeps every bit) before ``label``."""
    if mask != _U32:
        label = asm.then(label, AND_K, mask)
    return asm.then(label, LD_ABS, offset)


def _equal(
    asm: Assembler, words: _Words, mask: int, patterns: Sequence[int], *, if_true: int,
    if_false: int,
) -> int:  # fmt: skip
    """``(u & mask)`` is one of ``patterns``: the low words by a jeq chain, under a
    chain on the high word that groups the patterns sharing one."""
    if not patterns:
        return if_false
    groups: dict[int, list[int]] = {}
    for pattern in patterns:
        groups.setdefault(pattern >> 32, []).append(pattern & _U32)
    if words.high is None or not mask >> 32:  # every pattern's high word is 0 then
        return _jeq_chain(
            asm, words.low, mask & _U32, groups[0], if_true=if_true, if_false=if_false
        )
    label = if_false
    for high in sorted(groups, reverse=True):
        lows = _jeq_chain(
            asm, words.low, mask & _U32, groups[high], if_true=if_true, if_false=if_false
        )
        label = asm.branch(JEQ_K, high, lows, label)
    return _load(asm, label, words.high, mask >> 32)


def _jeq_chain(
    asm: Assembler, offset: int, mask: int, lows: Sequence[int], *, if_true: int, if_false: int
) -> int:
    label = if_false
    for low in sorted(lows, reverse=True):
        label = asm.branch(JEQ_K, low, if_true, label)
    return _load(asm, label, offset, mask)


def _any_bit(asm: Assembler, words: _Words, mask: int, if_true: int, if_false: int) -> int:
    label = if_false
    if words.high is not None and mask >> 32:
        label = _load(asm, asm.branch(JSET_K, mask >> 32, if_true, label), words.high)
    if mask & _U32:
        label = _load(asm, asm.branch(JSET_K, mask & _U32, if_true, label), words.low)
    return label


def _all_bits(asm: Assembler, words: _Words, mask: int, if_true: int, if_false: int) -> int:
    label = if_true
    if words.high is not None and mask >> 32:
        high = mask >> 32
        label = _load(asm, asm.branch(JEQ_K, high, label, if_false), words.high, high)
    if mask & _U32:
        low = mask & _U32
        label = _load(asm, asm.branch(JEQ_K, low, label, if_false), words.low, low)
    return label


def _ordered(
    asm: Assembler, words: _Words, view: View, condition: Condition, *, if_true: int,
    if_false: int,
) -> int:  # fmt: skip
    """``v OP value`` on the numbers' order: unsigned on biased values (the sign bit
    flipped) for a signed argument."""
    op, value = condition.op, condition.values[0]
    static = _decided(op, value, view.lowest, view.highest)
    if static is not None:
        return if_true if static else if_false
    key = value - view.lowest  # the value biased into 0 .. 2**bits - 1
    above = if_true if op in (GT, GE) else if_false  # where a greater argument goes
    below = if_false if op in (GT, GE) else if_true
    # The low words decide when the high ones are equal (or there is no high word):
    # A > k or A >= k is "above" (LT's A >= k is its false, LE's A > k).
    jump = JGT_K if op in (GT, LE) else JGE_K
    label = asm.branch(jump, key & _U32, above, below)
    if words.high is None:
        return _biased_load(asm, label, words.low, view.signed)
    label = asm.then(label, LD_ABS, words.low)
    label = asm.branch(JEQ_K, key >> 32, label, below)
    label = asm.branch(JGT_K, key >> 32, above, label)
    return _biased_load(asm, label, words.high, view.signed)


def _biased_load(asm: Assembler, label: int, offset: int, signed: bool) -> int:
    if signed:
        label = asm.then(label, XOR_K, _SIGN)
    return asm.then(label, LD_ABS, offset)


def _decided(op: str, value: int, lowest: int, highest: int) -> bool | None:
    """The outcome when ``value`` is at or past an end of the type's range, else None."""
    table = {
        LT: (value > highest, value <= lowest),
        LE: (value >= highest, value < lowest),
        GT: (value < lowest, value >= highest),
        GE: (value <= lowest, value > highest),
    }
    always, never = table[op]
    return True if always else False if never else None
