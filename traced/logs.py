"""Logging setup: structlog, readable lines on a terminal, JSON otherwise, always on stderr.

stdout belongs to the traced command (and to ``-o -``), so logs never go there.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from structlog.typing import FilteringBoundLogger

_settings: dict[str, int] = {"level": logging.WARNING, "configured": 0}


class Logger(Protocol):
    """What traced's modules log through: an event name and keyword fields.

    structlog's bound loggers take the same calls; ``exception`` adds the
    exception being handled."""

    def debug(self, event: str, **fields: object) -> None: ...
    def info(self, event: str, **fields: object) -> None: ...
    def warning(self, event: str, **fields: object) -> None: ...
    def error(self, event: str, **fields: object) -> None: ...
    def exception(self, event: str, **fields: object) -> None: ...


class LazyLogger:
    """structlog's logger for ``name``, imported and configured when first used.

    structlog costs some 13 ms to import, and an in-process ``traced launch``
    usually logs nothing: the tracing path holds these instead."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger: FilteringBoundLogger | None = None

    def debug(self, event: str, **fields: object) -> None:
        self._bound().debug(event, **fields)

    def info(self, event: str, **fields: object) -> None:
        self._bound().info(event, **fields)

    def warning(self, event: str, **fields: object) -> None:
        self._bound().warning(event, **fields)

    def error(self, event: str, **fields: object) -> None:
        self._bound().error(event, **fields)

    def exception(self, event: str, **fields: object) -> None:
        self._bound().exception(event, **fields)

    def _bound(self) -> FilteringBoundLogger:
        if self._logger is None:
            import structlog

            _configure_now()
            self._logger = structlog.get_logger(self._name)
        return self._logger


def get_logger(name: str) -> Logger:
    """A logger for module ``name``; structlog is imported at its first call."""
    return LazyLogger(name)


def configure(level: int = logging.WARNING, *, now: bool = False) -> None:
    """The level to log at; structlog itself is set up at the first log call,
    or at once with ``now`` (the daemon, which will log and need not save the import)."""
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
