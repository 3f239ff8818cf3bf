"""Logging setup: structlog, readable lines on a terminal, JSON otherwise, always on stderr.

stdout belongs to the traced command (and to ``-o -``), so logs never go there.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

_settings: dict[str, int] = {"level": logging.WARNING, "configured": 0}


class LazyLogger:
    """structlog's logger for ``name``, imported and configured when first used.

    structlog costs some 13 ms to import, and an in-process ``traced launch``
    usually logs nothing: the tracing path holds these instead."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger: Any = None

    def __getattr__(self, attribute: str) -> Any:
        if self._logger is None:
            import structlog

            _configure_now()
            self._logger = structlog.get_logger(self._name)
        return getattr(self._logger, attribute)


def get_logger(name: str) -> Any:
    return LazyLogger(name)


def configure(level: int = logging.WARNING, *, now: bool = False) -> None:
    """The level to log at; structlog itself is set up at the first log call,
    or at once with ``now`` (the daemon, whose modules use structlog directly)."""
    _settings["level"], _settings["configured"] = level, 0
    if now:
        _configure_now()


def _configure_now() -> None:
    if _settings["configured"]:
        return
    _settings["configured"] = 1
    import structlog

    level = _settings["level"]
    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer(colors=False)
        if sys.stderr.isatty()
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
