"""Answer "may these roles do resource:action here, and how far?" from the database, cached.

The grants of a tenant's roles are loaded in one query and cached per tenant; any role change
invalidates that tenant here and, through the broadcast channel, on every other replica.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

import structlog

from rustok.core.db import tenant_session
from rustok.core.singleflight import SingleFlight
from rustok.rbac.delegation import Grants, by_role, held_scope, union
from rustok.rbac.repository import RoleRepository

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from rustok.core.permissions import Permission, Scope
    from rustok.stores.base import Broadcast

log = structlog.get_logger(__name__)

INVALIDATION_CHANNEL = "rustok.rbac.invalidate"

# role slug -> (resource, action) -> scope
TenantGrants = dict[str, Grants]


class PermissionChecker:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        broadcast: Broadcast | None = None,
        ttl_seconds: float = 300.0,
    ) -> None:
        self._session_factory = session_factory
        self._broadcast = broadcast
        self._ttl = ttl_seconds
        self._cache: dict[uuid.UUID, tuple[float, TenantGrants]] = {}
        self._flights: SingleFlight[uuid.UUID, TenantGrants] = SingleFlight()
        self._generation = 0

    async def start(self) -> None:
        if self._broadcast is not None:
            await self._broadcast.subscribe(INVALIDATION_CHANNEL, self._on_invalidation)

    async def scope_for(
        self, tenant_id: uuid.UUID, roles: Sequence[str], permission: Permission
    ) -> Scope:
        """The widest scope any of `roles` has for `permission`; `manage` implies every action."""
        grants = await self._grants(tenant_id)
        held = union(grants[role] for role in roles if role in grants)
        return held_scope(held, permission.resource, permission.action.value)

    async def _grants(self, tenant_id: uuid.UUID) -> TenantGrants:
        entry = self._cache.get(tenant_id)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        grants, _ = await self._flights.do(tenant_id, lambda: self._load(tenant_id))
        return grants

    async def _load(self, tenant_id: uuid.UUID) -> TenantGrants:
        generation = self._generation
        async with tenant_session(self._session_factory, tenant_id) as session:
            rows = await RoleRepository(session, tenant_id).all_grants()
        grants = by_role(rows)
        if generation == self._generation:
            self._cache[tenant_id] = (time.monotonic() + self._ttl, grants)
        return grants

    async def invalidate(self, tenant_id: uuid.UUID) -> None:
        """Forget the tenant's grants here and on every replica."""
        self._drop(tenant_id)
        if self._broadcast is not None:
            await self._broadcast.publish(INVALIDATION_CHANNEL, str(tenant_id))

    async def _on_invalidation(self, message: str) -> None:
        try:
            tenant_id = uuid.UUID(message)
        except ValueError:
            log.warning("rbac_cache.bad_invalidation", message=message[:200])
            return
        self._drop(tenant_id)

    def drop_local(self, tenant_id: uuid.UUID) -> None:
        """Forget this process's copy of the tenant's grants (a role changed somewhere)."""
        self._drop(tenant_id)

    def _drop(self, tenant_id: uuid.UUID) -> None:
        self._generation += 1
        self._cache.pop(tenant_id, None)
