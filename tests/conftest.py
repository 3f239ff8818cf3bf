"""Run tests/test_house.py's checks before everything else (see its docstring)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A stable sort: the checks move to the front, every other test keeps its order.
    items.sort(key=lambda item: item.path.name != "test_house.py")
