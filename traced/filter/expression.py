"""strace 6.1's filter language, as a pure parser.

``-e trace=`` (names, ``%classes``, ``/regex``, numbers, ``@64``/``@32``/``@x32``
personality suffixes, the ``?`` prefix, ``all`` and ``none``), ``-e status=``,
``-e signal=``, ``-z``/``-Z`` and ``-P PATH`` compile to a :class:`Filter`: the
syscall set for the seccomp compiler plus a userspace predicate.

Semantics copied from strace 6.1 (and checked against it in
tests/integration/test_filters_vs_strace.py):

* ``-e QUAL=VALUE``; an unknown qualifier is no qualifier, so ``-e foo=bar`` is the
  trace value ``foo=bar`` (and an invalid system call).  A later ``-e`` of the
  same qualifier replaces the earlier one.
* Each leading ``!`` negates the whole list; ``all``/``none`` only as the whole
  list; empty items between commas are skipped, but a list with no item is invalid.
* Regexes are POSIX extended ones, searched (not anchored) in the names; the
  libc's regcomp is used, so the syntax and error messages are strace's.
* Errors are strace's text: ``invalid system call 'x'``, ``invalid status 'x'``,
  ``invalid signal 'x'``, ``regcomp: PATTERN: MESSAGE``, ...

Where a name set cannot say what strace says: a personality suffix or a number
selects names, so ``openat@32`` or ``2`` select those names in every ABI.

Beyond strace: an item ``NAME(CONDITION, ...)`` selects only the calls whose
arguments match (traced/filter/syntax.py has the language); the Filter keeps
them as ``rules``, which the seccomp compiler and :meth:`Filter.admits` both obey.
"""

from __future__ import annotations

import ctypes
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple, NoReturn, TypeVar

from traced.errors import FilterError, UnknownSyscallError
from traced.events import (
    Arg,
    Event,
    GroupStopEvent,
    SignalEvent,
    SyscallEntryEvent,
    SyscallEvent,
)
from traced.filter.inject import NO_INJECTIONS, Injections, is_injection, parse_injections
from traced.filter.predicates import NO_RULES, PREDICATE_ITEM, Rule, passes
from traced.syscalls.arch import Abi, Arch
from traced.syscalls.names import SIGNAL_NAMES
from traced.syscalls.signatures import CLASSES, UNMATCHED_PATHS, signature

T = TypeVar("T")

QUALIFIERS = {"trace": "trace", "t": "trace", "signal": "signal", "signals": "signal"}
QUALIFIERS |= {"s": "signal", "status": "status", "raw": "raw", "x": "raw"}
QUALIFIERS |= {"verbose": "verbose", "v": "verbose"}
QUALIFIERS |= {"read": "read", "reads": "read", "r": "read"}
QUALIFIERS |= {"write": "write", "writes": "write", "w": "write"}
# strace's other qualifiers: valid there, but they shape output, not selection.
NOT_FILTERS = frozenset(
    "abbrev a kvm quiet q "  # noqa: SIM905
    "silent silence decode-fds decode-fd decode-pids decode-pid trace-fds trace-fd fd fds".split()
)
STATUSES = ("successful", "failed", "unfinished", "unavailable", "detached")
# strace's personality designators, by the ABI name they choose.
PERSONALITIES = {"64": "x86_64", "32": "i386", "x32": "x32"}
LEGACY_CLASSES = ("desc", "file", "memory", "process", "signal", "ipc", "network")
# signal names as strace's -e signal= takes them (upper case, without SIG).
SIGNALS = {name.removeprefix("SIG"): number for number, name in SIGNAL_NAMES.items()}
ALL_SIGNALS = frozenset(range(256))
# -e read=all, -e write=!3: the fds a set may name, made finite (strace's are unbounded).
# Their set is built by the -e read=/write= that needs it, not at every start (~2 ms).
FD_LIMIT = 1 << 16


class Filter(NamedTuple):  # not a dataclass: ~0.5 ms less to start (bench/startup.py)
    """What to show: ``syscalls`` goes to seccomp; the methods are the rest."""

    syscalls: frozenset[str] | None = None  # None: every syscall
    status: frozenset[str] | None = None  # None: every outcome
    signals: frozenset[int] | None = None  # None: every signal
    paths: tuple[str, ...] = ()  # -P: only syscalls touching one of these
    raw: frozenset[str] = frozenset()  # -e raw=: syscalls whose arguments stay undecoded
    # -e verbose=: the syscalls left out, whose structures are shown as their address
    nonverbose: frozenset[str] = frozenset()
    dump_reads: frozenset[int] = frozenset()  # -e read=: fds whose reads are dumped
    dump_writes: frozenset[int] = frozenset()  # -e write=: fds whose writes are dumped
    injections: Injections = NO_INJECTIONS  # -e inject=, -e fault= (traced.filter.inject)
    # Argument predicates: the syscalls (also in ``syscalls``) traced only for the
    # calls their rules give TRACE (traced.filter.predicates).
    rules: Mapping[str, tuple[Rule, ...]] = NO_RULES

    def wants_syscall(
        self,
        name: str,
        error: str | None,
        finished: bool,
        paths: Sequence[str] = (),
        *,
        outcome: str | None = None,
    ) -> bool:
        """Whether to show a syscall: its name, its errno name (None: success),
        whether it returned, the paths it touched; ``outcome`` names the status
        outright (``unavailable``, ``detached``) where the others cannot."""
        if self.syscalls is not None and name not in self.syscalls:
            return False
        if outcome is None:
            outcome = "unfinished" if not finished else "failed" if error else "successful"
        if self.status is not None and outcome not in self.status:
            return False
        return not self.paths or any(path in self.paths for path in paths)

    def wants_signal(self, signo: int) -> bool:
        return self.signals is None or signo in self.signals

    def trace_value(self) -> str | None:
        """The syscall set as the protocol's ``trace`` field: names and predicate
        items (which parse back to the same rules), or None for all."""
        names = self.syscalls
        if names is None:
            return None
        plain = sorted(names - self.rules.keys())
        items = [rule.text for name in sorted(self.rules) for rule in self.rules[name]]
        return ",".join(plain + items) or "none"

    def admits(self, event: Event) -> bool:
        """Whether to show ``event``: a syscall as :meth:`wants_syscall` says, a signal
        or a stop as :meth:`wants_signal` does, any other event always."""
        if self.rules and isinstance(event, SyscallEvent | SyscallEntryEvent):
            raw = [arg.raw or 0 for arg in event.args]
            if not passes(self.rules, event.name, event.arch, raw):
                return False
        if isinstance(event, SyscallEvent):
            paths = touched_paths(event.args, event.name) if self.paths else ()
            outcome = "detached" if event.detached else None
            return self.wants_syscall(
                event.name, event.error, event.finished, paths, outcome=outcome
            )
        if isinstance(event, SignalEvent | GroupStopEvent):
            return self.wants_signal(event.signo)
        return True


_PATH_TYPES = frozenset(("path", "fd", "dirfd"))  # the arguments -P looks at


def touched_paths(args: Sequence[Arg], syscall: str = "") -> list[str]:
    """The paths a syscall names, for -P (but a symlink's target), and those its fds
    refer to (``Arg.path``; ``Arg.paths`` for the fds in a poll or select set)."""
    named = [
        arg.value
        for arg in args
        if arg.type == "path"
        and isinstance(arg.value, str)
        and (syscall, arg.name) not in UNMATCHED_PATHS
    ]
    named += [arg.path for arg in args if isinstance(arg.path, str)]
    return named + [path for arg in args for path in arg.paths or () if isinstance(path, str)]


def touches(args: Sequence[Arg], paths: Sequence[str], syscall: str = "") -> bool:
    """-P: whether a call, by the arguments decoded at its entry, touches one of
    ``paths`` (strace's pathtrace_match, which also looks at the entry alone)."""
    return any(path in paths for path in touched_paths(args, syscall))


def parse_filter(
    expressions: Sequence[str],
    arch: Arch,
    *,
    successful_only: bool = False,
    failed_only: bool = False,
    paths: Iterable[str] = (),
) -> Filter:
    """``-e`` expressions, ``-z``, ``-Z`` and ``-P`` paths to a :class:`Filter`.

    -z/-Z act as if given after every ``-e status=`` (strace: the last one wins).
    """
    values: dict[str, str] = {}
    injections: list[str] = []
    for expression in expressions:
        if is_injection(expression):
            injections.append(expression)
            continue
        qualifier, value = _split(expression)
        values[qualifier] = value
    if successful_only and failed_only:
        raise FilterError("-z and -Z together: strace keeps only the last; give one")
    if successful_only or failed_only:
        values["status"] = "successful" if successful_only else "failed"
    filter_ = Filter(paths=tuple(paths))
    if injections:
        filter_ = filter_._replace(injections=parse_injections(injections, arch, _set_of(arch)))
    if "trace" in values:
        filter_ = _trace(filter_, values["trace"], arch)
    if "raw" in values:
        universe = _names(arch.abis)
        filter_ = filter_._replace(
            raw=_select(values["raw"], "system call", universe, _syscall_lookup(arch))
        )
    if "verbose" in values:
        universe = _names(arch.abis)
        chosen = _select(values["verbose"], "system call", universe, _syscall_lookup(arch))
        filter_ = filter_._replace(nonverbose=universe - chosen)
    if "read" in values:
        reads = _select(values["read"], "descriptor", _all_fds(), _descriptor)
        filter_ = filter_._replace(dump_reads=reads)
    if "write" in values:
        writes = _select(values["write"], "descriptor", _all_fds(), _descriptor)
        filter_ = filter_._replace(dump_writes=writes)
    if "status" in values:
        status = _select(values["status"], "status", frozenset(STATUSES), _status)
        filter_ = filter_._replace(status=None if len(status) == len(STATUSES) else status)
    if "signal" in values:
        signals = _select(values["signal"], "signal", ALL_SIGNALS, _signal)
        filter_ = filter_._replace(signals=None if signals == ALL_SIGNALS else signals)
    return _narrowed_to_paths(filter_, arch)


# -P's fd sets: select's and poll's fds name paths too (strace's pathtrace_match).
_FD_SETS = frozenset(
    ("select", "_newselect", "pselect6", "pselect6_time64", "poll", "ppoll", "ppoll_time64")
)


def _narrowed_to_paths(filter_: Filter, arch: Arch) -> Filter:
    """-P: the syscall set less the calls that can never touch a path, which the
    filter then lets run without a stop."""
    if not filter_.paths:
        return filter_
    chosen = filter_.syscalls if filter_.syscalls is not None else _names(arch.abis)
    kept = chosen & _touching(arch)
    rules = {name: rule for name, rule in filter_.rules.items() if name in kept}
    return filter_._replace(syscalls=kept, rules=rules if rules else NO_RULES)


def _touching(arch: Arch) -> frozenset[str]:
    """The syscalls -P can show: those with a path or an fd among their arguments."""
    return _FD_SETS | {
        name
        for abi in arch.abis
        for name in abi.numbers_by_name
        if any(arg.type in _PATH_TYPES for arg in signature(name, abi.name).args)
    }


def _set_of(arch: Arch) -> Callable[[str], frozenset[str]]:
    """A trace= set to its names, as inject= and fault= name theirs."""
    universe, lookup = _names(arch.abis), _syscall_lookup(arch)
    return lambda value: _select(value, "system call", universe, lookup)


def _trace(filter_: Filter, value: str, arch: Arch) -> Filter:
    """``-e trace=``: the syscall set and, if items carry predicates, their rules."""
    universe = _names(arch.abis)
    rules: Mapping[str, tuple[Rule, ...]] = NO_RULES
    if PREDICATE_ITEM.search(value):
        # Argument predicates: their parser and the decoders' constants it reads are
        # imported only by an expression that has some, so a launch starts no slower.
        from traced.filter.bpf import TRACE  # noqa: PLC0415
        from traced.filter.syntax import parse_rules  # noqa: PLC0415

        value, rules = parse_rules(value, arch, TRACE)
    chosen = frozenset[str]()
    if value or not rules:
        chosen = _select(value, "system call", universe, _syscall_lookup(arch))
    if chosen == universe and not rules:
        return filter_._replace(syscalls=None)
    rules = {name: rule for name, rule in rules.items() if name not in chosen}
    return filter_._replace(syscalls=chosen | rules.keys(), rules=rules or NO_RULES)


@functools.cache
def _all_fds() -> frozenset[int]:
    return frozenset(range(FD_LIMIT))


def _descriptor(token: str) -> frozenset[int] | None:
    """An fd number of -e read=/write=, or None (strace: invalid descriptor)."""
    return frozenset((int(token),)) if token.isdigit() and int(token) < FD_LIMIT else None


def _split(expression: str) -> tuple[str, str]:
    """``QUAL=VALUE`` to (canonical qualifier, value); no known qualifier: trace."""
    qualifier, equals, value = expression.partition("=")
    if equals and qualifier in QUALIFIERS:
        return QUALIFIERS[qualifier], value
    if equals and qualifier in NOT_FILTERS:
        raise FilterError(f"-e {qualifier}= is not supported: traced filters with -e only")
    return "trace", expression


def _select(
    value: str, what: str, universe: frozenset[T], lookup: Callable[[str], frozenset[T] | None]
) -> frozenset[T]:
    """strace's qualify_tokens: ``!``s, ``all``/``none``, then comma-separated items."""
    rest = value.lstrip("!")
    negate = (len(value) - len(rest)) % 2 == 1
    if rest in ("all", "none"):
        chosen = universe if rest == "all" else frozenset()
    else:
        tokens = [token for token in rest.split(",") if token]
        if not tokens:
            _invalid(what, value)
        chosen = frozenset()
        for token in tokens:
            found = lookup(token)
            if found is None:
                _invalid(what, token)
            chosen |= found
    return universe - chosen if negate else chosen


def _invalid(what: str, token: str) -> NoReturn:
    if what == "system call":
        raise UnknownSyscallError(token)
    raise FilterError(f"invalid {what} '{token}'")


def _status(token: str) -> frozenset[str] | None:
    status = token.lower()
    return frozenset({status}) if status in STATUSES else None


def _signal(token: str) -> frozenset[int] | None:
    """strace's sigstr_to_uint: a decimal 0..255, or a name, SIG optional, any case."""
    if token[:1].isdigit():
        ok = token.isascii() and token.isdigit() and int(token) <= 255
        return frozenset({int(token)}) if ok else None
    name = token.upper().removeprefix("SIG")
    return frozenset({SIGNALS[name]}) if name in SIGNALS else None


def _names(abis: Iterable[Abi]) -> frozenset[str]:
    return frozenset(name for abi in abis for name in abi.numbers_by_name)


def _syscall_lookup(arch: Arch) -> Callable[[str], frozenset[str] | None]:
    def lookup(token: str) -> frozenset[str] | None:
        item = token.lstrip("?")
        abis = arch.abis
        body, at, designator = item.rpartition("@")
        if at:
            abis = tuple(a for a in arch.abis if a.name == PERSONALITIES.get(designator))
            if not abis:
                raise FilterError(
                    f"incorrect personality designator '{designator}' in qualification '{item}'"
                )
            item = body
        found = _syscalls(item, abis)
        return frozenset() if found is None and token.startswith("?") else found

    return lookup


def _syscalls(item: str, abis: tuple[Abi, ...]) -> frozenset[str] | None:
    """One trace= item (no ``?``, no ``@``): number, /regex, class or name."""
    names = _names(abis)
    if item[:1].isdigit():
        if not (item.isascii() and item.isdigit()):
            return None
        nr = int(item)
        if nr > max(max(abi.names_by_nr, default=-1) for abi in abis):
            return None
        return frozenset(abi.names_by_nr[nr] for abi in abis if nr in abi.names_by_nr)
    if item.startswith("/"):
        return _regex(item[1:], names) or None
    if item == "all":
        return names
    cls = f"%{item}" if item in LEGACY_CLASSES else item
    if cls in CLASSES:
        return CLASSES[cls] & names
    return frozenset({item}) if item in names else None


def _regex(pattern: str, names: frozenset[str]) -> frozenset[str]:
    """The names a POSIX extended regex finds, by libc's regcomp as strace does."""
    try:
        libc = ctypes.CDLL(None)
        regcomp, regexec, regerror, regfree = (
            libc.regcomp,
            libc.regexec,
            libc.regerror,
            libc.regfree,
        )
    except (OSError, AttributeError):  # no POSIX regex in this libc: Python's instead
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            raise FilterError(f"regcomp: {pattern}: {error}") from None
        return frozenset(name for name in names if compiled.search(name))
    preg = ctypes.create_string_buffer(256)  # a regex_t is 64 bytes on glibc x86_64
    rc = int(regcomp(preg, pattern.encode(errors="surrogateescape"), 1 | 8))  # ERE, NOSUB
    if rc != 0:
        message = ctypes.create_string_buffer(512)
        regerror(rc, preg, message, len(message))
        raise FilterError(f"regcomp: {pattern}: {message.value.decode(errors='replace')}")
    try:
        return frozenset(n for n in names if int(regexec(preg, n.encode(), 0, None, 0)) == 0)
    finally:
        regfree(preg)


def parse_trace(expressions: Sequence[str], arch: Arch) -> frozenset[str] | None:
    """``-e`` expressions to the syscall set, None for every syscall (all validated)."""
    return parse_filter(expressions, arch).syscalls
