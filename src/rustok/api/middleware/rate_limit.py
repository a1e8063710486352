"""Spend the request's rate-limit budgets; refuse with 429 past them, with standard headers.

Runs inside the tenant middleware (it needs `scope["state"]["tenant"]`). Every limited
response carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (and the
`X-RateLimit-*` spellings older clients read); a refusal also carries `Retry-After`.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

import structlog

from rustok.api.problems import problem_response
from rustok.api.rest.paths import RATE_LIMIT_EXEMPT
from rustok.core.errors import Unavailable
from rustok.observability.metrics import RATE_LIMIT_REJECTIONS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from rustok.bootstrap import Container
    from rustok.stores.limiter import RequestDecision
    from rustok.tenancy.snapshot import TenantSnapshot

log = structlog.get_logger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN_CLIENT = "unknown"


def trusted_networks(entries: Sequence[str]) -> tuple[Network, ...]:
    """Parse `trusted_proxies` (addresses or CIDR ranges); a bad entry raises ValueError."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_ip(scope: Scope, trusted: tuple[Network, ...]) -> str:
    """The client's address: the direct peer, or, behind trusted proxies, `X-Forwarded-For`.

    The header is read right to left, skipping trusted proxies: the first address that is
    not one of ours is the client. Addresses further left were written by the client itself
    and could be anything, so they are never believed.
    """
    client = scope.get("client")
    peer: str = client[0] if client else UNKNOWN_CLIENT
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    forwarded = ",".join(
        value.decode("latin-1") for key, value in scope["headers"] if key == b"x-forwarded-for"
    )
    address = peer
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        try:
            ip = ipaddress.ip_address(hop)
        except ValueError:
            break  # not an address: keep the last one a trusted hop vouched for
        address = str(ip)
        if not any(ip in network for network in trusted):
            break
    return address


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
                scope["path"], ip, user_id, str(tenant.id) if tenant is not None else None
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
        """The caller's user id from a valid access token of this tenant, else None (by IP)."""
        if tenant is None:
            return None
        token = _bearer_token(scope)
        if token is None:
            return None
        return self._auth.peek_user_id(token, tenant.id)
