"""Take the request id from `X-Request-ID` (or make one), expose it in context and echo it back."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import structlog

from rustok.core.context import RequestContext, set_context
from rustok.core.ids import new_id

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"
CORRELATION_ID_HEADER = b"x-correlation-id"
# Ids are echoed into headers and logs: only allow a safe alphabet, so nobody can inject.
_SAFE_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")


def _incoming(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name and _SAFE_ID.fullmatch(value):
            return bytes(value).decode("ascii")
    return None


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming(scope, REQUEST_ID_HEADER) or new_id().hex
        correlation_id = _incoming(scope, CORRELATION_ID_HEADER) or request_id
        scope.setdefault("state", {})["request_id"] = request_id
        set_context(RequestContext(request_id=request_id, correlation_id=correlation_id))
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id, correlation_id=correlation_id)
        encoded = request_id.encode("ascii")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, encoded))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            set_context(None)
