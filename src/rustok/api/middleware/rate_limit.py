"""Spend the request's rate-limit budgets; refuse with 429 past them, with standard headers.

The edge runs it after tenant resolution (a tenant's budget needs the tenant). Every limited
response carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (and the
`X-RateLimit-*` spellings older clients read); a refusal also carries `Retry-After`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from rustok.api.middleware.proxies import trusted_networks
from rustok.api.problems import problem_response
from rustok.api.rest.paths import RATE_LIMIT_EXEMPT
from rustok.core.errors import Unavailable
from rustok.observability.metrics import RATE_LIMIT_REJECTIONS

if TYPE_CHECKING:
    from starlette.responses import Response
    from starlette.types import Scope

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


class RateLimits:
    """Applies `container.rate_limiter` to a request for the edge; the edge also records the
    client address it uses in `scope["state"]["client_ip"]` for every request, so handlers
    (login throttling, session records) see the address the limits use."""

    def __init__(self, container: Container) -> None:
        self._limiter = container.rate_limiter
        self._auth = container.auth
        self.trusted = trusted_networks(container.settings.trusted_proxies)

    def applies_to(self, path: str) -> bool:
        return self._limiter.enabled and path not in RATE_LIMIT_EXEMPT

    async def spend(
        self, scope: Scope, ip: str, tenant: TenantSnapshot | None
    ) -> tuple[Response | None, list[tuple[bytes, bytes]]]:
        """The 429 that refuses the request, or None and the headers its answer carries."""
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
            return None, []

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
            return response, []
        return None, [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in headers.items()
        ]

    def _user_id(self, scope: Scope, tenant: TenantSnapshot | None) -> str | None:
        """The caller's user id from a valid access token of this tenant, else None."""
        if tenant is None:
            return None
        token = _bearer_token(scope)
        if token is None:
            return None
        return self._auth.peek_user_id(token, tenant.id)
