"""Finding the system tools the integration tests need: a missing one fails, never skips."""

from __future__ import annotations

import os
import shutil

import pytest

APT_PACKAGE = {
    "systemd-analyze": "systemd",
    "systemd-socket-activate": "systemd",
    "setcap": "libcap2-bin",
}


def require_tool(name: str, why: str, *fallbacks: str) -> str:
    """The path of ``name`` (or of an executable fallback path); a clear failure without it."""
    path = shutil.which(name) or next((f for f in fallbacks if os.access(f, os.X_OK)), None)
    if path is None:
        package = APT_PACKAGE.get(name, name)
        pytest.fail(f"{name} is not on PATH; {why} (Debian: apt-get install {package})")
    return path
