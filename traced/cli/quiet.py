"""strace's -q, -qq, -qqq and --quiet=SET (-e quiet=SET): which of the tracer's own
messages to leave out.

* attach: ``Process 123 attached`` / ``detached`` (-q);
* personality: a change of ABI (-q);
* exit: ``+++ exited with 0 +++``, ``+++ killed by SIGKILL +++`` (-qq);
* path-resolution, thread-execve (``+++ superseded by execve ...``) (-qqq).

A set is names joined by commas, or ``all``, or ``none``; ``!`` before it inverts
it, as strace's other sets.
"""

from __future__ import annotations

import argparse

from traced.cli.parser import UsageError

QUIET = ("attach", "personality", "exit", "path-resolution", "thread-execve")
_ALIASES = {"exits": "exit", "personalities": "personality", "superseded": "thread-execve"}
_BY_LEVEL = {0: (), 1: QUIET[:2], 2: QUIET[:3], 3: QUIET}
_QUALIFIERS = ("quiet", "q", "silent", "silence")


def parse_set(value: str) -> frozenset[str]:
    """A --quiet SET: ``attach,exit``, ``all``, ``none``, ``!exit``."""
    inverted = value.startswith("!")
    names: set[str] = set()
    for given in value.removeprefix("!").split(","):
        item = _ALIASES.get(given.strip(), given.strip())
        if item == "all":
            names.update(QUIET)
        elif item in QUIET:
            names.add(item)
        elif item != "none":
            raise UsageError(f"invalid quiet set: '{item}' (known: {', '.join(QUIET)})")
    return frozenset(QUIET) - names if inverted else frozenset(names)


def quiet_set(args: argparse.Namespace) -> frozenset[str]:
    """The messages to leave out, from -q's count, --quiet=SET and -e quiet=SET (taken
    out of the -e expressions); the last set given wins over -q."""
    chosen = frozenset(_BY_LEVEL[min(args.quiet_level, 3)])
    if args.quiet_names is not None:
        chosen = parse_set(args.quiet_names)
    kept = []
    for expression in args.expr:
        qualifier, equals, value = expression.partition("=")
        if equals and qualifier in _QUALIFIERS:
            chosen = parse_set(value)
        else:
            kept.append(expression)
    args.expr = kept
    return chosen
