"""HTTP limits every server gets: header count and size (431), body size (413), body pace (408).

`rustok serve` also refuses oversized headers while parsing (`rustok.api.server`), before they
are buffered; this check holds under any other ASGI server too. The body deadline is here
rather than in the server for the same reason: a client that declares `Content-Length: 100`
and sends 8 bytes would otherwise hold a request (and its database-free worker slot) forever.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from rustok.api.problems import problem_response
from rustok.core.errors import FieldError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


_FRAMED_BY_HEADERS = ("1.0", "1.1")


class BodyRefused(Exception):
    """The body read stopped: too large or too slow; `response` is the answer."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class RequestLimits:
    """Checked by the edge (`rustok.api.middleware.edge`) before anything else runs."""

    def __init__(
        self,
        *,
        max_body_bytes: int,
        body_timeout_seconds: float,
        max_headers: int,
        max_header_bytes: int,
        large_bodies: Mapping[tuple[str, str], int] | None = None,
    ) -> None:
        self.max_bytes = max_body_bytes
        self.large_bodies = dict(large_bodies or {})
        """`(method, path) -> bytes`: the few routes that take more (media uploads)."""
        self.body_timeout = body_timeout_seconds
        self.max_headers = max_headers
        self.max_header_bytes = max_header_bytes

    @staticmethod
    def _too_large(limit: int) -> Response:
        return problem_response(
            413,
            code="PAYLOAD_TOO_LARGE",
            detail=f"The request body is larger than {limit} bytes.",
            fields=[FieldError("body", f"at most {limit} bytes")],
        )

    def _too_slow(self) -> Response:
        # The rest of the body may still arrive: the connection cannot be reused.
        return problem_response(
            408,
            code="REQUEST_TIMEOUT",
            detail=f"The request body did not arrive within {self.body_timeout:g} seconds.",
            fields=[FieldError("body", f"send it within {self.body_timeout:g} seconds")],
            headers={"Connection": "close"},
        )

    def _headers_refused(self, scope: Scope) -> Response | None:
        headers = scope["headers"]
        if len(headers) > self.max_headers:
            detail = f"The request has {len(headers)} header fields; at most {self.max_headers}."
            message = f"at most {self.max_headers} fields"
        elif sum(len(name) + len(value) for name, value in headers) > self.max_header_bytes:
            detail = f"The request's header fields exceed {self.max_header_bytes} bytes."
            message = f"at most {self.max_header_bytes} bytes"
        else:
            return None
        return problem_response(
            431,
            code="HEADERS_TOO_LARGE",
            detail=detail,
            fields=[FieldError("headers", message)],
            headers={"Connection": "close"},
        )

    def body_limit(self, scope: Scope) -> int:
        """The most bytes this request's body may have: `max_body_bytes`, or more on the few
        routes that take uploads (`large_bodies`)."""
        return self.large_bodies.get((scope["method"], scope["path"]), self.max_bytes)

    @staticmethod
    def _url_refused(scope: Scope) -> Response | None:
        # A NUL is never part of a name, slug, id or search here, and PostgreSQL refuses it in
        # text: refused once for every route instead of by each path and query parameter.
        if "\x00" in scope["path"]:
            field = "path"
        elif b"%00" in scope["query_string"]:
            pair = next(p for p in scope["query_string"].split(b"&") if b"%00" in p)
            name = unquote_plus(pair.partition(b"=")[0].decode("latin-1")).replace("\x00", "")
            field = f"query.{name}"
        else:
            return None
        return problem_response(
            422,
            code="NUL_IN_URL",
            detail=f"`{field}` carries a NUL character (%00).",
            fields=[FieldError(field, "must not contain NUL (%00)")],
        )

    def check(self, scope: Scope) -> tuple[Response | None, bool]:
        """The refusal of an HTTP request's head (431, 400 for a NUL in the URL, 413 by
        `Content-Length`), if any, and whether a body must be counted and timed
        (`call_with_body`)."""
        refused = self._headers_refused(scope) or self._url_refused(scope)
        limit = self.body_limit(scope)
        has_body = False
        if refused is None:
            for key, value in scope["headers"]:
                if key == b"content-length":
                    if not value.isdigit() or int(value) > limit:
                        refused = self._too_large(limit)
                        break
                    has_body = has_body or value.strip(b"0") != b""
                elif key == b"transfer-encoding":
                    has_body = True
        # Without Content-Length or Transfer-Encoding an HTTP/1.x request has no body
        # (RFC 9112, 6.3): nothing to count or time, so no wrappers (most GETs). HTTP/2
        # may send a body without either, so there the wrappers stay.
        return refused, has_body or scope.get("http_version") not in _FRAMED_BY_HEADERS

    async def call_with_body(
        self, app: ASGIApp, scope: Scope, receive: Receive, send: Send, refusals: Send
    ) -> None:
        """Run `app` with its body read counted and timed; a refusal goes out on `refusals`."""
        limit = self.body_limit(scope)
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        body_read = False
        received = 0
        response_started = False
        body_refused: Response | None = None

        async def limited_receive() -> Message:
            nonlocal deadline, body_read, received, body_refused
            if body_read:
                return await receive()  # only the disconnect is left to wait for
            # One deadline for the whole body, from the first read: a client dripping a
            # byte at a time cannot stretch it.
            if deadline is None:
                deadline = loop.time() + self.body_timeout
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                body_refused = self._too_slow()
                raise BodyRefused(body_refused) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    body_refused = self._too_large(limit)
                    raise BodyRefused(body_refused)
                body_read = not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if body_refused is not None:
                # Whatever the app answers after its body read failed (FastAPI turns the
                # exception into a 400 "error parsing the body"), the answer is the refusal.
                if message["type"] == "http.response.start" and not response_started:
                    response_started = True
                    await body_refused(scope, receive, refusals)
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await app(scope, limited_receive, tracking_send)
        except BodyRefused as error:
            if not response_started:
                response_started = True
                await error.response(scope, receive, refusals)
