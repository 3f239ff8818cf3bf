"""The argument predicates' text: ``-e 'trace=openat(flags&O_CREAT),kill(sig==SIGKILL)'``.

A trace item ``NAME(CONDITION, ...)`` selects the calls of syscall NAME whose
arguments pass every condition (``,`` is *and*); naming NAME again in another item
adds another way to match (*or*); NAME alone (or in a class) selects every call.
A condition is, for an argument named as in the signatures table:

* ``ARG==V``, ``ARG!=V``, with a set of values ``ARG==V1|V2|V3`` (one of them);
* ``ARG<V``, ``ARG<=V``, ``ARG>V``, ``ARG>=V`` (one value; signed where the C type is);
* ``ARG&BITS``: some bit of ``BITS`` is set (``flags&O_CREAT|O_TRUNC``: ``|`` joins bits);
* ``ARG&=BITS``: every bit of ``BITS`` is set;
* ``ARG&MASK==V`` or ``!=``: the bits under a mask compared (``type&0xf==SOCK_STREAM``,
  ``flags&O_ACCMODE==O_WRONLY|O_RDWR``); a mask of several names goes in parentheses,
  ``flags&(O_CREAT|O_EXCL)==O_CREAT``, since right of ``==`` a ``|`` lists values;
* ``!`` before a condition negates it.

Values are numbers (``42``, ``-1``, ``0x1f``, ``0644`` in octal) or the names
traced prints for that argument (its decoders' constants).  Pure: text in, values
out; every mistake is a PredicateError pointing at its place in the expression.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import NamedTuple

from traced.decoders.registry import constants_of
from traced.errors import PredicateError
from traced.filter.predicates import (
    ALL,
    ANY,
    EQ,
    ORDERED,
    PREDICATE_ITEM,
    Condition,
    Rule,
    Rules,
)
from traced.syscalls.arch import Arch
from traced.syscalls.signatures import REGISTER, Signature, integer_kind, signature

_TOKEN = re.compile(
    r"\s*(?:(?P<number>0[xX][0-9a-fA-F]+|[0-9]+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>&=|==|!=|<=|>=|[<>&|!(),=-]))"
)
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


class _Token(NamedTuple):
    kind: str  # number, name, op, end
    text: str
    at: int  # offset in the expression


def split_items(value: str) -> list[tuple[int, str]]:
    """The trace value's comma-separated items, each with its offset; commas inside
    parentheses belong to their item (a /regex's parentheses are its own)."""
    items, depth, start = [], 0, 0
    for at, char in enumerate(value):
        if value[start:].lstrip().startswith("/") and char != ",":
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise PredicateError("')' without its '('", value, at)
        if char == "," and depth == 0:
            items.append((start, value[start:at]))
            start = at + 1
    if depth:
        raise PredicateError("'(' without its ')'", value, value.rindex("("))
    items.append((start, value[start:]))
    return items


def parse_rules(value: str, arch: Arch, verdict: int) -> tuple[str, Rules]:
    """A trace value's predicate items as rules (each giving ``verdict``), and the
    rest of the value, its plain items, for strace's own parser."""
    if value.lstrip().startswith("!"):
        where = value.index("!")
        why = (
            "a negated list cannot hold argument predicates; "
            "negate a condition instead: openat(!flags&O_CREAT)"
        )
        raise PredicateError(why, value, where)
    plain: list[str] = []
    rules: dict[str, tuple[Rule, ...]] = {}
    for offset, item in split_items(value):
        if not PREDICATE_ITEM.match(item):
            plain.append(item)
            continue
        head = item.lstrip()
        if head[:1] in ("%", "?"):
            why = "argument predicates follow one system call's name, not a class or a regex"
            raise PredicateError(why, value, offset + len(item) - len(head))
        name, rule = _Parser(value, offset, item, arch, verdict).item()
        rules[name] = (*rules.get(name, ()), rule)
    return ",".join(plain), rules


def _signature_in(name: str, arch: Arch) -> Signature | None:
    """The syscall's signature in the first ABI of ``arch`` that has it."""
    abi = next((abi for abi in arch.abis if name in abi.numbers_by_name), None)
    return None if abi is None else signature(name, abi.name)


class _Parser:
    """One item, ``NAME(CONDITION, ...)``, token by token."""

    def __init__(self, expression: str, offset: int, item: str, arch: Arch, verdict: int) -> None:
        self.expression, self.item_text, self.arch, self.verdict = expression, item, arch, verdict
        self.tokens = self._tokenize(item, offset)
        self.next = 0
        self.signature: Signature | None = None
        # The argument being read, as its type is on the arch's native ABI.
        self.bits, self.signed = 64, False
        self.where = ""  # "openat's flags", for messages

    def _fail(self, why: str, at: int) -> PredicateError:
        return PredicateError(why, self.expression, at)

    def _tokenize(self, item: str, offset: int) -> list[_Token]:
        tokens, at = [], 0
        while item[at:].strip():
            found = _TOKEN.match(item, at)
            if found is None or found.lastgroup is None:
                stray = at + len(item[at:]) - len(item[at:].lstrip())
                raise self._fail(f"unexpected {item[stray]!r}", offset + stray)
            kind = found.lastgroup
            tokens.append(_Token(kind, found.group(kind), offset + found.start(kind)))
            at = found.end()
        tokens.append(_Token("end", "", offset + len(item.rstrip())))
        return tokens

    def _peek(self) -> _Token:
        return self.tokens[self.next]

    def _take(self) -> _Token:
        token = self.tokens[self.next]
        self.next += 1
        return token

    def _expect(self, text: str, what: str) -> _Token:
        token = self._take()
        if token.text != text or token.kind != "op":
            raise self._fail(f"expected {what}, found {_shown(token)}", token.at)
        return token

    def item(self) -> tuple[str, Rule]:
        name = self._take()
        if name.kind != "name":
            raise self._fail(f"expected a system call name, found {_shown(name)}", name.at)
        self.signature = _signature_in(name.text, self.arch)
        if self.signature is None:
            raise self._fail(f"invalid system call '{name.text}'", name.at)
        self._expect("(", f"'(' after {name.text}")
        conditions = [self._condition()]
        while self._peek().text == ",":
            self._take()
            conditions.append(self._condition())
        self._expect(")", "',' or ')' after a condition")
        end = self._take()
        if end.kind != "end":
            raise self._fail(f"expected ',' after ')', found {_shown(end)}", end.at)
        return name.text, Rule(tuple(conditions), self.verdict, self.item_text.strip())

    def _condition(self) -> Condition:
        negated = False
        while self._peek().text == "!" and self._peek().kind == "op":
            self._take()
            negated = not negated
        arg, tag = self._argument()
        operator = self._take()
        if operator.text == "&=":
            return Condition(arg, ALL, (self._mask(tag)[0],), None, negated)
        if operator.text == "&":
            mask, terms, parenthesized = self._mask(tag)
            if self._peek().text not in _COMPARISONS:
                return Condition(arg, ANY, (mask,), None, negated)
            compare = self._take()
            if compare.text not in ("==", "!="):
                raise self._fail("a masked argument is compared with == or != only", compare.at)
            if terms > 1 and not parenthesized:
                why = f"put a mask of several terms in parentheses: {arg}&(A|B){compare.text}..."
                raise self._fail(why, operator.at + 1)
            values = self._values(tag, masked=True)
            return Condition(arg, EQ, values, mask, negated != (compare.text == "!="))
        if operator.text not in _COMPARISONS:
            why = (
                "expected a comparison (== != < <= > >=) or a mask (& &=) "
                f"after {arg}, found {_shown(operator)}"
            )
            raise self._fail(why, operator.at)
        values = self._values(tag)
        if operator.text in ORDERED and len(values) > 1:
            raise self._fail(f"{operator.text} compares with one value, not a set", operator.at)
        op = EQ if operator.text in ("==", "!=") else operator.text
        return Condition(arg, op, values, None, negated != (operator.text == "!="))

    def _argument(self) -> tuple[str, str]:
        """The argument's name and its type tag; an error unless a filter can read it."""
        token = self._take()
        assert self.signature is not None
        syscall, args = self.signature.name, self.signature.args
        if token.kind != "name":
            raise self._fail(f"expected an argument of {syscall}, found {_shown(token)}", token.at)
        spec = next((spec for spec in args if spec.name == token.text), None)
        if spec is None:
            known = ", ".join(spec.name for spec in args) or "none"
            why = f"{syscall} has no argument '{token.text}' (its arguments: {known})"
            raise self._fail(why, token.at)
        kind = integer_kind(spec.type)
        if kind is None:
            why = (
                f"{syscall}'s {spec.name} is a pointer ({spec.type}): a seccomp filter sees "
                "the address, never what it points to"
            )
            raise self._fail(why, token.at)
        self.bits, self.signed = (64 if kind[0] == REGISTER else kind[0]), kind[1]
        self.where = f"{syscall}'s {spec.name}"
        return spec.name, spec.type

    def _mask(self, tag: str) -> tuple[int, int, bool]:
        """Bits joined by ``|``, perhaps in parentheses: their OR, how many, and whether
        they were parenthesized."""
        parenthesized = self._peek().text == "("
        if parenthesized:
            self._take()
        terms = [self._term(tag, pattern=True)]
        while self._peek().text == "|":
            self._take()
            terms.append(self._term(tag, pattern=True))
        if parenthesized:
            self._expect(")", "')' after the mask")
        mask = 0
        for term in terms:
            mask |= term % (1 << self.bits)
        return mask, len(terms), parenthesized

    def _values(self, tag: str, masked: bool = False) -> tuple[int, ...]:
        values = [self._term(tag, pattern=masked)]
        while self._peek().text == "|":
            self._take()
            values.append(self._term(tag, pattern=masked))
        return tuple(values)

    def _term(self, tag: str, *, pattern: bool) -> int:
        """A number or a constant's name; ``pattern``: taken as bits (any sign)."""
        token = self._take()
        sign = 1
        if token.text == "-" and token.kind == "op":
            sign, token = -1, self._take()
        if token.kind == "number":
            try:
                value = sign * _number(token.text)
            except ValueError:
                why = f"{token.text} is no number (octal, for its leading 0)"
                raise self._fail(why, token.at) from None
        elif token.kind == "name" and sign == 1:
            value = self._constant(token, tag)
        else:
            raise self._fail(f"expected a number or a name, found {_shown(token)}", token.at)
        low = -(1 << (self.bits - 1)) if pattern or self.signed else 0
        high = (1 << self.bits) - 1 if pattern or not self.signed else (1 << (self.bits - 1)) - 1
        if not low <= value <= high:
            kind = f"{'signed' if self.signed else 'unsigned'} {self.bits}-bit"
            raise self._fail(f"{value} does not fit {self.where} ({kind})", token.at)
        return value

    def _constant(self, token: _Token, tag: str) -> int:
        known = constants_of(tag)
        if token.text in known:
            return known[token.text]
        if not known:
            why = f"unknown constant '{token.text}': {self.where} ({tag}) takes numbers only"
        else:
            close = difflib.get_close_matches(token.text, known, n=3)
            hint = f"; did you mean {' or '.join(close)}?" if close else f" ({tag})"
            why = f"unknown constant '{token.text}' for {self.where}{hint}"
        raise self._fail(why, token.at)


def _number(text: str) -> int:
    """C's integer literals: 0x hexadecimal, a leading 0 octal, else decimal."""
    if text[:2].lower() == "0x":
        return int(text, 16)
    if len(text) > 1 and text.startswith("0"):
        return int(text, 8)
    return int(text)


def _shown(token: _Token) -> str:
    return "the end" if token.kind == "end" else repr(token.text)


def rules_text(names: frozenset[str], rules: Mapping[str, tuple[Rule, ...]]) -> list[str]:
    """The items that parse back to ``rules``, for the syscalls not in ``names``."""
    return [rule.text for name in sorted(rules) if name not in names for rule in rules[name]]
