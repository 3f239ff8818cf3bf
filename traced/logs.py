"""Logging setup: structlog, readable lines on a terminal, JSON otherwise, always on stderr.

stdout belongs to the traced command (and to ``-o -``), so logs never go there.

structlog is imported at the first log call, and an import opens files: with no
fd left (EMFILE, the very thing a log call may be about) it fails.  A logger
must not need a new fd to report an fd problem, so that call is written as one
plain line on stderr, which is open already; structlog is tried again next time.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from structlog.typing import FilteringBoundLogger

# The standard library's level numbers, which structlog takes: written out, since
# importing logging would cost a short launch some 5 ms for four constants.
DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40
_settings: dict[str, int] = {"level": WARNING, "configured": 0}


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

    def _bound(self) -> FilteringBoundLogger | _Plain:
        if self._logger is None:
            try:
                import structlog

                _configure_now()
            except (OSError, ImportError) as error:  # no fd to import it with
                return _Plain(self._name, error)
            self._logger = structlog.get_logger(self._name)
        return self._logger


_LEVELS = {"debug": DEBUG, "info": INFO, "warning": WARNING}


class _Plain:
    """One call's line on stderr, without structlog: ``level name event key=value ...``."""

    def __init__(self, name: str, why: BaseException) -> None:
        self._name = name
        self._why = why

    def debug(self, event: str, **fields: object) -> None:
        self._say("debug", event, fields)

    def info(self, event: str, **fields: object) -> None:
        self._say("info", event, fields)

    def warning(self, event: str, **fields: object) -> None:
        self._say("warning", event, fields)

    def error(self, event: str, **fields: object) -> None:
        self._say("error", event, fields)

    def exception(self, event: str, **fields: object) -> None:
        raised = sys.exc_info()[1]
        if raised is not None:
            fields = {**fields, "exception": f"{type(raised).__name__}: {raised}"}
        self._say("error", event, fields)

    def _say(self, level: str, event: str, fields: dict[str, object]) -> None:
        if _LEVELS.get(level, ERROR) < _settings["level"]:
            return
        words = [level, self._name, event, *(f"{key}={value!r}" for key, value in fields.items())]
        words.append(f"(structlog unavailable: {self._why})")
        try:
            sys.stderr.write(" ".join(words) + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):  # stderr gone too: nowhere left to say it
            pass


def get_logger(name: str) -> Logger:
    """A logger for module ``name``; structlog is imported at its first call."""
    return LazyLogger(name)


def configure(level: int = WARNING, *, now: bool = False) -> None:
    """The level to log at; structlog itself is set up at the first log call,
    or at once with ``now`` (the daemon, which will log and need not save the import)."""
    _settings["level"], _settings["configured"] = level, 0
    if now:
        _configure_now()


def _configure_now() -> None:
    if _settings["configured"]:
        return
    import structlog  # may fail (no fd left): then not configured, and tried again

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
    _settings["configured"] = 1
