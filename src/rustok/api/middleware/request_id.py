"""Take the request id from `X-Request-ID` (or make one) and expose it in context.

The edge (`rustok.api.middleware.edge`) calls `begin_request` first and echoes the id back.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import structlog

from rustok.core.context import RequestContext, set_context
from rustok.core.ids import new_id

if TYPE_CHECKING:
    from starlette.types import Scope

REQUEST_ID_HEADER = b"x-request-id"
CORRELATION_ID_HEADER = b"x-correlation-id"
# Ids are echoed into headers and logs: only allow a safe alphabet, so nobody can inject.
_SAFE_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")


def _incoming(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name and _SAFE_ID.fullmatch(value):
            return bytes(value).decode("ascii")
    return None


def begin_request(scope: Scope) -> bytes:
    """Take the request's id (and correlation id) into the scope, the request context and the
    log context; returns the id to echo in `X-Request-ID`. The caller clears the request
    context when the request ends (`set_context(None)`)."""
    request_id = _incoming(scope, REQUEST_ID_HEADER) or new_id().hex
    correlation_id = _incoming(scope, CORRELATION_ID_HEADER) or request_id
    scope.setdefault("state", {})["request_id"] = request_id
    set_context(RequestContext(request_id=request_id, correlation_id=correlation_id))
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id, correlation_id=correlation_id)
    return request_id.encode("ascii")
