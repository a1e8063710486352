"""The edge: one pure ASGI callable that every HTTP request passes before the app.

In order: the tracing span (when tracing is on), the request id, the header and body limits
(431, 413, 408), the tenant (400, 403, 404), the client address and the rate limits (429);
then the app, and last the access line and metrics. One `send` wrapper adds the request id
and the rate-limit headers and notes the status. It was five middleware layers, each with its
own frame, `send` wrapper and scope checks on every request.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import structlog

from rustok.api.middleware.access_log import AccessLog
from rustok.api.middleware.limits import RequestLimits
from rustok.api.middleware.proxies import client_ip
from rustok.api.middleware.rate_limit import RateLimits
from rustok.api.middleware.request_id import REQUEST_ID_HEADER, begin_request
from rustok.api.middleware.tenant import TenantResolution
from rustok.api.problems import problem_response, status_of
from rustok.api.rest.paths import needs_tenant
from rustok.core.context import set_context
from rustok.core.errors import DomainError
from rustok.observability.tracing import TracingMiddleware, configure_tracing

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from rustok.bootstrap import Container


# nginx's code for "the client closed the connection before we answered".
CLIENT_CLOSED_REQUEST = 499


class Edge:
    def __init__(self, app: ASGIApp, *, container: Container) -> None:
        self.app = app
        settings = container.settings
        self._limits = RequestLimits(
            max_body_bytes=settings.max_body_bytes,
            body_timeout_seconds=settings.body_read_timeout_seconds,
            max_headers=settings.max_headers,
            max_header_bytes=settings.max_header_bytes,
            large_bodies={
                route: limit
                for module in container.registry
                if module.body_limits is not None
                for route, limit in module.body_limits(container).items()
            },
        )
        self._tenants = TenantResolution(
            resolver=container.tenant_resolver,
            default_tenant=settings.default_tenant,
            trusted_proxies=settings.trusted_proxies,
        )
        self._rate_limits = RateLimits(container)
        self._access_log = AccessLog()
        # Starlette builds the middleware in each serving process (at startup), which is where
        # the tracing provider must be installed; untraced, the span layer is left out.
        self._entry: ASGIApp = (
            TracingMiddleware(self._http, settings=settings)
            if configure_tracing(settings)
            else self._http
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self._entry(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = (REQUEST_ID_HEADER, begin_request(scope))
        # The rate-limit headers, once the request is counted: only the app's answer has them.
        limited: list[tuple[bytes, bytes]] = []
        # Until a response starts, an escaping exception means the outer error handler
        # will answer 500.
        status = 500
        response_started = False

        async def send_refusal(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", []), request_id]
            await send(message)

        async def send_answer(message: Message) -> None:
            if message["type"] == "http.response.start" and limited:
                message["headers"] = [*message.get("headers", []), *limited]
            await send_refusal(message)

        try:
            await self._admit(scope, receive, send_answer, send_refusal, limited)
        except asyncio.CancelledError:
            if not response_started:
                status = CLIENT_CLOSED_REQUEST
            raise
        finally:
            try:
                self._access_log.record(scope, status, time.perf_counter() - started)
            finally:
                set_context(None)

    async def _admit(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        refuse: Send,
        limited: list[tuple[bytes, bytes]],
    ) -> None:
        """Refuse the request (on `refuse`) or run the app (answering on `send`, which adds
        `limited`: the rate-limit headers, filled in here)."""
        refused, has_body = self._limits.check(scope)
        if refused is not None:
            await refused(scope, receive, refuse)
            return
        state = scope.setdefault("state", {})
        path = scope["path"]
        if needs_tenant(path):
            try:
                tenant = await self._tenants.resolve(scope)
            except DomainError as error:
                response = problem_response(
                    status_of(error), code=error.code, detail=error.message, fields=error.fields
                )
                await response(scope, receive, refuse)
                return
            state["tenant"] = tenant
            if tenant is not None:
                structlog.contextvars.bind_contextvars(tenant=tenant.slug)
        ip = client_ip(scope, self._rate_limits.trusted)
        state["client_ip"] = ip
        if self._rate_limits.applies_to(path):
            refused, headers = await self._rate_limits.spend(scope, ip, state.get("tenant"))
            if refused is not None:
                await refused(scope, receive, refuse)
                return
            limited += headers
        if has_body:
            # A body refused while it is read is answered like the refusals above.
            await self._limits.call_with_body(self.app, scope, receive, send, refuse)
        else:
            await self.app(scope, receive, send)
