"""The requests, their op names and the daemon's handlers come from one list.

Pure: the handler table is built without an engine or a socket.
"""

from __future__ import annotations

from typing import Any

from traced.daemon.handlers import Handlers
from traced.daemon.hub import Hub
from traced.errors import ErrorCode, RequestError, RequestFailed
from traced.wire.protocol import OPS, REQUEST_TYPES, op_name


def test_every_request_type_has_a_handler_and_nothing_else_does() -> None:
    unused: Any = None  # building the table touches neither the engine nor the limits
    handlers = Handlers(unused, unused, Hub(), lambda session, engine_session: None)
    assert set(handlers.table) == set(REQUEST_TYPES)


def test_op_names_follow_from_the_request_types() -> None:
    assert OPS == ("launch", "attach", "detach", "signal", "list", "subscribe", "stats")
    assert tuple(op_name(kind) for kind in REQUEST_TYPES) == OPS


def test_error_codes_are_the_enum_at_both_ends() -> None:
    assert RequestError("limit", "too many").code is ErrorCode.LIMIT
    assert RequestFailed("spawn_failed", "no such file", "ENOENT").code is ErrorCode.SPAWN_FAILED
    # a newer daemon's code this client does not know: a plain failure
    assert RequestFailed("quota", "later").code is None
