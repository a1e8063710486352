"""Resolve the tenant of every `/api` request from `X-Tenant-ID` or the host name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.api.middleware.proxies import peer_is_trusted, trusted_networks
from rustok.tenancy.errors import TenantInactive
from rustok.tenancy.identifiers import TenantKey, normalise_host, parse_header

if TYPE_CHECKING:
    from collections.abc import Sequence

    from starlette.types import Scope

    from rustok.core.tenant import TenantSnapshot
    from rustok.tenancy.resolver import TenantResolver


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


class TenantResolution:
    """The `TenantSnapshot` a request talks to (or None when none was named); the edge puts it
    in `request.state.tenant`.

    Order: `X-Tenant-ID` (UUID or slug), then `X-Forwarded-Host` / `Host` matched against
    tenant domains, then the configured default tenant. A named but unknown tenant is 404,
    an inactive one 403, a malformed identifier 400.

    `X-Forwarded-Host` counts only from a trusted proxy, like `X-Forwarded-For`: from anyone
    else it would let a client pick the tenant of a domain it did not connect to. Of several
    values the last is taken, the one our proxy wrote.
    """

    def __init__(
        self,
        *,
        resolver: TenantResolver,
        default_tenant: str | None,
        trusted_proxies: Sequence[str],
    ) -> None:
        self.resolver = resolver
        self.default_tenant = parse_header(default_tenant) if default_tenant else None
        self._trusted = trusted_networks(trusted_proxies)

    async def resolve(self, scope: Scope) -> TenantSnapshot | None:
        """Raises a `DomainError` (400, 403, 404) for a tenant that cannot be talked to."""
        tenant: TenantSnapshot | None = None
        header = _header(scope, b"x-tenant-id")
        if header is not None:
            tenant = await self.resolver.resolve(parse_header(header))
        else:
            host_header = _header(scope, b"host")
            if peer_is_trusted(scope, self._trusted):
                forwarded = _header(scope, b"x-forwarded-host")
                host_header = forwarded.split(",")[-1] if forwarded else host_header
            host = normalise_host(host_header) if host_header else None
            if host is not None:
                tenant = await self.resolver.find(TenantKey("host", host))
            if tenant is None and self.default_tenant is not None:
                tenant = await self.resolver.resolve(self.default_tenant)
        if tenant is not None and not tenant.is_active:
            raise TenantInactive(f"The tenant {tenant.slug!r} is deactivated.")
        return tenant
