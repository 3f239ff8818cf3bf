"""Where the daemon listens by default: a path the CLI needs before anything else.

Apart from traced.daemon.config (which needs pydantic), and a string rather than a
pathlib path, so that a launch that only asks whether a daemon is there stays quick
to start: pathlib (with urllib.parse and ipaddress) would cost it some 3 ms.  The
same path as a Path is traced.daemon.config's ``default_socket_path``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


def default_socket(env: Mapping[str, str], uid: int) -> str:
    """$XDG_RUNTIME_DIR/traced/traced.sock; without it, /run/traced/traced.sock for
    root and /run/user/UID/traced/traced.sock for anyone else.

    The traced.socket user unit listens on %t/traced/traced.sock, and %t is the
    user manager's $XDG_RUNTIME_DIR, so both agree.  A relative XDG_RUNTIME_DIR
    is ignored, as the XDG Base Directory specification asks.
    """
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime):
        return as_path(f"{runtime}/traced/traced.sock")
    if uid == 0:
        return "/run/traced/traced.sock"
    return f"/run/user/{uid}/traced/traced.sock"


def as_path(text: str) -> str:
    """``str(pathlib.Path(text))``, without pathlib: empty and ``.`` components dropped,
    ``..`` kept, a leading ``//`` kept (POSIX leaves its meaning to the system) but
    not ``///``, and ``.`` for nothing at all."""
    relative = text.lstrip("/")
    root = "//" if len(text) - len(relative) == 2 else "/" if relative != text else ""
    return root + "/".join(part for part in relative.split("/") if part not in ("", ".")) or "."
