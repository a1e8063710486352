"""Refuse request bodies over the configured limit with 413, before any handler reads them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.api.problems import problem_response
from rustok.core.errors import FieldError

if TYPE_CHECKING:
    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> Response:
        return problem_response(
            413,
            code="PAYLOAD_TOO_LARGE",
            detail=f"The request body is larger than {self.max_bytes} bytes.",
            fields=[FieldError("body", f"at most {self.max_bytes} bytes")],
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope["headers"]:
            if key == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                await self._too_large()(scope, receive, send)
                return
        received = 0
        response_started = False
        too_large = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if too_large:
                # Whatever the app answers after its body read failed (FastAPI turns the
                # exception into a 400 "error parsing the body"), the answer is 413.
                if message["type"] == "http.response.start" and not response_started:
                    response_started = True
                    await self._too_large()(scope, receive, send)
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                response_started = True
                await self._too_large()(scope, receive, send)
