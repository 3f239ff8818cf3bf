"""The corpus test of issue 4: real programs under strace and traced, their text
lines compared per strace class after normalization (see corpus.py).

Each program is one test: it prints its per-class identical/total figures and
fails when a class is below 95%, showing the first differing line pairs.  The
figures of the whole corpus are printed at the end of the module (``pytest -s``
shows them).  The tools the programs need are required: a missing one fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.corpus import GOAL, Program, Result, corpus, format_differences, run_program
from tests.integration.tools import require_tool

pytestmark = pytest.mark.integration

TOOLS = ("strace", "gcc", "git", "tar", "gzip", "sort", "ls", "cat", "cp", "sh")
PROGRAM_NAMES = [program.name for program in corpus(Path("tcp_echo"))]


@pytest.fixture(scope="module")
def corpus_total() -> Iterator[Result]:
    """The figures of every program of the module, printed once at its end."""
    total = Result()
    yield total
    print(f"\ncorpus total (traced vs strace):\n{total.table()}")


@pytest.fixture(scope="module")
def corpus_programs(programs: dict[str, Path]) -> dict[str, Program]:
    for tool in TOOLS:
        require_tool(tool, "the corpus test runs it under strace and traced")
    return {program.name: program for program in corpus(programs["tcp_echo"])}


@pytest.mark.parametrize("name", PROGRAM_NAMES)
def test_corpus_program(
    name: str, corpus_programs: dict[str, Program], corpus_total: Result, short_dir: Path
) -> None:
    program = corpus_programs[name]
    result = run_program(program, short_dir)
    corpus_total.add(result)
    print(f"\n{name}: {' '.join(program.command)}\n{result.table()}")
    below = result.below_goal()
    assert not below, (
        f"{name}: {', '.join(below)} below {GOAL:.0%} identical lines\n"
        + format_differences(result.differences)
    )
