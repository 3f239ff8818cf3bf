"""The checks that keep the house standing: lint, format, types and the floors.

They run inside pytest, so that the README's one test command (the one CI runs
verbatim) checks them too, and tests/conftest.py runs them first, so that
`pytest -x` stops on a broken floor in seconds. The tools come with the `test`
extra and are run from the interpreter's own environment; a missing tool fails.
The floors are the import-linter contracts in pyproject.toml.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Beside the interpreter, not on PATH: the venv's tools, never a system-wide copy.
BIN = Path(sys.executable).parent

CHECKS = {
    "ruff check": ["ruff", "check", "."],
    "ruff format": ["ruff", "format", "--check", "."],
    "mypy strict": ["mypy", "--strict", "traced"],
    # --no-cache: reading the whole package afresh takes a fraction of a second.
    "layer contracts": ["lint-imports", "--no-cache"],
}


@pytest.mark.parametrize("argv", CHECKS.values(), ids=CHECKS.keys())
def test_check_is_clean(argv: list[str]) -> None:
    tool = BIN / argv[0]
    assert tool.exists(), f"{tool} is missing: install the test extra (pip install -e '.[test]')"
    result = subprocess.run(
        [str(tool), *argv[1:]], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{' '.join(argv)} failed:\n{result.stdout}{result.stderr}"


def test_the_c_module_compiles_without_a_warning() -> None:
    # The install builds it with warnings on but not fatal (another compiler may warn
    # about more); here every warning gcc -Wall -Wextra gives is one to fix.
    include = sysconfig.get_paths()["include"]
    source = ROOT / "traced" / "linux" / "_kernel.c"
    argv = ["gcc", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"]
    argv += ["-Wno-missing-field-initializers", f"-I{include}", str(source)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{' '.join(argv)}:\n{result.stderr}"


def test_gitignore_ignores_no_tracked_file() -> None:
    # A pattern that matches a tracked file hides its next copy from `git add -A`.
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    argv = ["git", "ls-files", "--cached", "--ignored", "--exclude-standard"]
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout == "", f".gitignore matches tracked files:\n{result.stdout}"
