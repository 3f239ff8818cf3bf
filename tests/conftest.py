"""Run tests/test_house.py's checks before everything else (see its docstring), and
give hypothesis no deadline: these machines have 2 cores shared with tracees and
benchmarks, so an example's time says nothing about the code (no timed tests)."""

from __future__ import annotations

import pytest
from hypothesis import settings

settings.register_profile("traced", deadline=None)
settings.load_profile("traced")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A stable sort: the checks move to the front, every other test keeps its order.
    items.sort(key=lambda item: item.path.name != "test_house.py")
