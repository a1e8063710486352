"""Spend the request's rate-limit budgets; refuse with 429 past them, with standard headers.

Runs inside the tenant middleware (it needs `scope["state"]["tenant"]`). Every limited
response carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (and the
`X-RateLimit-*` spellings older clients read); a refusal also carries `Retry-After`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from rustok.api.middleware.proxies import client_ip, trusted_networks
from rustok.api.problems import problem_response
from rustok.api.rest.paths import RATE_LIMIT_EXEMPT
from rustok.core.errors import Unavailable
from rustok.observability.metrics import RATE_LIMIT_REJECTIONS

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from rustok.bootstrap import Container
    from rustok.core.tenant import TenantSnapshot
    from rustok.stores.limiter import RequestDecision

log = structlog.get_logger(__name__)


def _bearer_token(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key == b"authorization":
            header: str = value.decode("latin-1")
            scheme, _, token = header.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


def rate_limit_headers(decision: RequestDecision) -> dict[str, str]:
    limit, remaining = str(decision.limit), str(decision.remaining)
    reset = str(decision.retry_after_seconds)
    return {
        "RateLimit-Limit": limit,
        "RateLimit-Remaining": remaining,
        "RateLimit-Reset": reset,
        "X-RateLimit-Limit": limit,
        "X-RateLimit-Remaining": remaining,
        "X-RateLimit-Reset": reset,
    }


class RateLimitMiddleware:
    """Applies `container.rate_limiter` to every non-exempt HTTP request.

    It also records the client address in `scope["state"]["client_ip"]` for every request,
    so handlers (login throttling, session records) see the address the limits use.
    """

    def __init__(self, app: ASGIApp, *, container: Container) -> None:
        self.app = app
        self._limiter = container.rate_limiter
        self._auth = container.auth
        self._trusted = trusted_networks(container.settings.trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        ip = client_ip(scope, self._trusted)
        state["client_ip"] = ip
        if not self._limiter.enabled or scope["path"] in RATE_LIMIT_EXEMPT:
            await self.app(scope, receive, send)
            return

        tenant: TenantSnapshot | None = state.get("tenant")
        user_id = self._user_id(scope, tenant)
        if user_id is not None:
            structlog.contextvars.bind_contextvars(user=user_id)
        try:
            decision = await self._limiter.check_request(
                scope["path"],
                ip,
                user_id,
                str(tenant.id) if tenant is not None else None,
                method=scope["method"],
            )
        except Unavailable as error:
            # Fail open: an unreachable counter store must not take the whole API down.
            log.warning("rate_limit.store_unavailable", error=error.message)
            await self.app(scope, receive, send)
            return

        headers = rate_limit_headers(decision)
        if not decision.allowed:
            RATE_LIMIT_REJECTIONS.labels(route_class=decision.route_class).inc()
            wait = decision.retry_after_seconds
            response = problem_response(
                429,
                code="RATE_LIMITED",
                detail=f"Too many requests; retry in {wait} seconds.",
                headers={**headers, "Retry-After": str(wait)},
            )
            await response(scope, receive, send)
            return

        extra = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in headers.items()
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _user_id(self, scope: Scope, tenant: TenantSnapshot | None) -> str | None:
        """The caller's user id from a valid access token of this tenant, else None."""
        if tenant is None:
            return None
        token = _bearer_token(scope)
        if token is None:
            return None
        return self._auth.peek_user_id(token, tenant.id)
