"""Where the daemon listens by default: a path the CLI needs before anything else.

Apart from traced.daemon.config (which needs pydantic) so that a launch that only asks
whether a daemon is there stays quick to start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def default_socket_path(env: Mapping[str, str], uid: int) -> Path:
    """$XDG_RUNTIME_DIR/traced/traced.sock; without it, /run/traced/traced.sock for
    root and /run/user/UID/traced/traced.sock for anyone else.

    The traced.socket user unit listens on %t/traced/traced.sock, and %t is the
    user manager's $XDG_RUNTIME_DIR, so both agree.  A relative XDG_RUNTIME_DIR
    is ignored, as the XDG Base Directory specification asks.
    """
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime):
        return Path(runtime) / "traced" / "traced.sock"
    if uid == 0:
        return Path("/run/traced/traced.sock")
    return Path("/run/user") / str(uid) / "traced" / "traced.sock"
