"""-q, -qq, -qqq, --quiet=SET and -e quiet=SET: the messages left out."""

import argparse

import pytest

from traced.cli.parser import UsageError
from traced.cli.quiet import QUIET, parse_set, quiet_set


def _args(
    level: int = 0, names: str | None = None, expr: tuple[str, ...] = ()
) -> argparse.Namespace:
    return argparse.Namespace(quiet_level=level, quiet_names=names, expr=list(expr))


def test_levels_as_strace_counts_them() -> None:
    assert quiet_set(_args()) == frozenset()
    assert quiet_set(_args(1)) == {"attach", "personality"}
    assert quiet_set(_args(2)) == {"attach", "personality", "exit"}
    assert quiet_set(_args(3)) == frozenset(QUIET)


def test_sets_names_aliases_and_inversion() -> None:
    assert parse_set("exit,superseded") == {"exit", "thread-execve"}
    assert parse_set("none") == frozenset()
    assert parse_set("!exit") == frozenset(QUIET) - {"exit"}
    with pytest.raises(UsageError, match="invalid quiet set: 'bogus'"):
        parse_set("bogus")


def test_e_quiet_is_taken_out_of_the_expressions() -> None:
    args = _args(expr=("trace=listen", "quiet=exit"))
    assert quiet_set(args) == {"exit"}
    assert args.expr == ["trace=listen"]
