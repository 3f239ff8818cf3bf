"""The daemon's settings: a frozen pydantic model, loaded from a TOML file.

The file has three sections, and each key lives in exactly one of them (see
``config.example.toml`` at the repository root, which documents every key with
its default)::

    [daemon]    socket_path, log_level, allow_uids, kill_grace_seconds, workers
    [limits]    max_clients, max_sessions, max_sessions_per_uid,
                max_tasks_per_session, max_line
    [delivery]  queue_size, string_size

A key in the wrong section, an unknown key or section, and a value of the wrong
type or out of range are all a :class:`ConfigError` whose message names the file
and the key (``[section] key = value``) with what is wrong.  Values are never
coerced from another type: ``max_clients = "64"`` is an error, as is ``true``.

``socket_path`` stays None unless set: its default depends on the environment
and the uid, so it is resolved when the daemon asks for it
(:meth:`Config.resolved_socket_path`), never at import time.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from traced.daemon.paths import default_socket
from traced.errors import ConfigError
from traced.wire.framing import DEFAULT_MAX_LINE

__all__ = [
    "SECTIONS",
    "Config",
    "ConfigError",
    "config_from_mapping",
    "default_config_path",
    "default_socket_path",
    "load_config",
]

LogLevel = Literal["debug", "info", "warning", "error", "critical"]
_LEVEL_NUMBERS: dict[str, int] = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}

# sun_path holds 108 bytes, the terminating NUL included.
_UNIX_PATH_MAX = 108
# (uid_t)-1 means "no uid" to the kernel; every other 32-bit value is a uid.
_MAX_UID = 2**32 - 2

PositiveInt = Annotated[int, Field(strict=True, gt=0)]
Uid = Annotated[int, Field(strict=True, ge=0, le=_MAX_UID)]

# Where each key lives in the file.  A test checks that this covers Config exactly.
SECTIONS: dict[str, tuple[str, ...]] = {
    "daemon": ("socket_path", "log_level", "allow_uids", "kill_grace_seconds", "workers"),
    "limits": (
        "max_clients",
        "max_sessions",
        "max_sessions_per_uid",
        "max_tasks_per_session",
        "max_line",
    ),
    "delivery": ("queue_size", "string_size"),
}
_SECTION_OF = {key: section for section, keys in SECTIONS.items() for key in keys}


class Config(BaseModel):
    """Every setting of the daemon, each with its default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # [daemon]
    socket_path: Path | None = None
    """The listening socket; None: :func:`default_socket_path` at the time of use."""
    log_level: LogLevel = "info"
    allow_uids: tuple[Uid, ...] = ()
    """Uids allowed to connect besides the daemon's own and root."""
    kill_grace_seconds: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)] = 3.0
    """Launched commands being ended get SIGTERM (or SIGHUP) and, this much later, SIGKILL."""
    workers: Annotated[int, Field(strict=True, ge=0)] | None = None
    """Tracer worker processes; None: one per CPU (:meth:`worker_count`).  0 or 1: the
    sessions are traced on the daemon's own loop."""

    # [limits]
    max_clients: PositiveInt = 64
    max_sessions: PositiveInt = 64
    max_sessions_per_uid: PositiveInt = 16
    max_tasks_per_session: PositiveInt = 4096
    max_line: Annotated[int, Field(strict=True, ge=4096)] = DEFAULT_MAX_LINE
    """The longest protocol line, in bytes, not counting its newline: by default room
    for a launch of any argv and environment the kernel accepts (wire/framing.py)."""

    # [delivery]
    queue_size: PositiveInt = 65536
    """Events queued per subscriber before it is considered too slow."""
    string_size: PositiveInt = 32
    """The longest string argument shown, in bytes, as strace -s."""

    @field_validator("socket_path")
    @classmethod
    def _usable_socket_path(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        if not value.is_absolute():
            raise ValueError("must be an absolute path")
        if len(os.fsencode(value)) >= _UNIX_PATH_MAX:
            raise ValueError(
                f"is longer than the {_UNIX_PATH_MAX - 1} bytes an AF_UNIX socket path can have"
            )
        return value

    def worker_count(self) -> int:
        """``workers``, or one per CPU this process may run on."""
        if self.workers is not None:
            return self.workers
        return len(os.sched_getaffinity(0))

    @property
    def log_level_number(self) -> int:
        """``log_level`` as a :mod:`logging` level, for :func:`traced.logs.configure`."""
        return _LEVEL_NUMBERS[self.log_level]

    def resolved_socket_path(
        self, env: Mapping[str, str] | None = None, uid: int | None = None
    ) -> Path:
        """``socket_path`` if set, else the default for ``env`` (os.environ) and ``uid``."""
        if self.socket_path is not None:
            return self.socket_path
        return default_socket_path(
            os.environ if env is None else env, os.getuid() if uid is None else uid
        )


def default_socket_path(env: Mapping[str, str], uid: int) -> Path:
    """traced.daemon.paths' ``default_socket``, as a Path."""
    return Path(default_socket(env, uid))


def default_config_path(env: Mapping[str, str]) -> Path:
    """$XDG_CONFIG_HOME/traced/config.toml, else ~/.config/traced/config.toml."""
    config_home = env.get("XDG_CONFIG_HOME", "")
    if config_home and os.path.isabs(config_home):
        return Path(config_home) / "traced" / "config.toml"
    home = env.get("HOME", "")
    base = Path(home) if home else Path.home()
    return base / ".config" / "traced" / "config.toml"


def load_config(path: Path | None = None, *, env: Mapping[str, str] | None = None) -> Config:
    """The settings in ``path``; with None, those in :func:`default_config_path`
    if that file exists, else the defaults.  Raises :class:`ConfigError`."""
    if path is None:
        candidate = default_config_path(os.environ if env is None else env)
        if not candidate.exists():
            return Config()
        path = candidate
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigError(
            f"{path}: cannot read: {reason}", path=path, errno=error.errno or 0
        ) from error
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        message = f"{path}: not UTF-8 (byte {error.start}), as TOML must be"
        raise ConfigError(message, path=path) from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}", path=path) from error
    return config_from_mapping(document, path=path)


def config_from_mapping(document: Mapping[str, Any], *, path: Path | None = None) -> Config:
    """The settings of a parsed TOML document (sections of keys).  Raises :class:`ConfigError`."""
    problems: list[str] = []
    flat: dict[str, Any] = {}
    for name, content in document.items():
        if name not in SECTIONS:
            problems.append(_misplaced(name, None))
        elif not isinstance(content, Mapping):
            problems.append(f"{name} = {_toml(content)}: [{name}] must be a section (a table)")
        else:
            for key, value in content.items():
                if key in SECTIONS[name]:
                    flat[key] = value
                else:
                    problems.append(_misplaced(key, name))
    try:
        config = Config(**flat)
    except ValidationError as error:
        problems.extend(_describe(detail) for detail in error.errors())
    else:
        if not problems:
            return config
    source = str(path) if path is not None else "configuration"
    raise ConfigError(f"{source}: {'; '.join(problems)}", path=path, problems=problems)


def _misplaced(key: str, section: str | None) -> str:
    where = f"[{section}] {key}" if section else key
    home = _SECTION_OF.get(key)
    if home is not None:
        return f"{where}: this key belongs in the [{home}] section"
    if section is None:
        sections = ", ".join(f"[{name}]" for name in SECTIONS)
        return f"{where}: unknown key or section (the sections are {sections})"
    close = difflib.get_close_matches(key, _SECTION_OF, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"{where}: unknown key{hint}"


def _describe(detail: Mapping[str, Any]) -> str:
    """One pydantic error as ``[section] key = value: why``."""
    location = detail["loc"]
    key = str(location[0]) if location else "?"
    label = f"[{_SECTION_OF[key]}] {key}" if key in _SECTION_OF else key
    label += "".join(f"[{part}]" for part in location[1:])
    reason = str(detail["msg"])
    context = detail.get("ctx") or {}
    if detail["type"] == "value_error" and "error" in context:
        reason = str(context["error"])
    return f"{label} = {_toml(detail['input'])}: {reason}"


def _toml(value: object) -> str:
    """A value as it would be written in TOML, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return str(value)
