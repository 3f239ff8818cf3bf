"""traced: a seccomp-bpf accelerated syscall tracer that streams JSON events.

``import traced`` is the public API (traced/api): ``traced.trace`` traces a command
in your asyncio program, ``traced.connect`` talks to a running daemon, and the event
types are the daemon's own.  They are imported on first use, so that the command
line, which imports this package first, pays nothing for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from traced.version import __version__ as __version__

if TYPE_CHECKING:
    from traced.api import *  # noqa: F403


def __getattr__(name: str) -> Any:
    if name.startswith("__"):  # a tool probing for __path__, __file__ ...: not the API's
        raise AttributeError(f"module 'traced' has no attribute {name!r}")
    # import_module, not ``from traced import api``: that asks this very hook for "api".
    api = importlib.import_module("traced.api")
    if name in api.__all__:
        return getattr(api, name)
    raise AttributeError(f"module 'traced' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *importlib.import_module("traced.api").__all__])
