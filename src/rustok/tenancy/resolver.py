"""Resolve a request's tenant through a TTL cache with coalesced loads.

Positive and negative answers are cached locally (and in the shared store when one is
configured, e.g. Redis); concurrent misses for one key share a single database load.
Invalidation drops local entries, deletes shared keys and is broadcast so every replica
drops its own copy.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from typing import TYPE_CHECKING

import orjson
import structlog

from rustok.core.singleflight import SingleFlight
from rustok.core.tenant import LocaleSnapshot, TenantSnapshot
from rustok.observability.metrics import (
    TENANT_CACHE_COALESCED,
    TENANT_CACHE_HITS,
    TENANT_CACHE_MISSES,
)
from rustok.tenancy.errors import TenantNotFound
from rustok.tenancy.identifiers import TenantKey
from rustok.tenancy.repository import TenantRepository, TenantScopedRepository

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from rustok.stores.base import Broadcast, KeyValueStore
    from rustok.tenancy.models import Tenant

log = structlog.get_logger(__name__)

INVALIDATION_CHANNEL = "rustok.tenant.invalidate"
_SHARED_PREFIX = "rustok:tenant:v2:"
_NOT_FOUND = b"-"


class TenantResolver:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        ttl_seconds: float,
        negative_ttl_seconds: float,
        max_entries: int,
        shared: KeyValueStore | None = None,
        broadcast: Broadcast | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._ttl = ttl_seconds
        self._negative_ttl = negative_ttl_seconds
        self._max_entries = max_entries
        self._shared = shared
        self._broadcast = broadcast
        self._local: OrderedDict[str, tuple[float, TenantSnapshot | None]] = OrderedDict()
        self._flights: SingleFlight[str, TenantSnapshot | None] = SingleFlight()
        self._generation = 0
        self.database_loads = 0
        """How many times a tenant was read from the database (tests count stampedes with it)."""

    async def start(self) -> None:
        """Listen for invalidations from other replicas."""
        if self._broadcast is not None:
            await self._broadcast.subscribe(INVALIDATION_CHANNEL, self._on_invalidation)

    async def resolve(self, key: TenantKey) -> TenantSnapshot:
        """The tenant named by `key`; raises TenantNotFound. Does not check `is_active`."""
        snapshot = await self.find(key)
        if snapshot is None:
            raise TenantNotFound(f"no tenant is known as {key.value!r}")
        return snapshot

    async def find(self, key: TenantKey) -> TenantSnapshot | None:
        cache_key = key.cache_key
        entry = self._local.get(cache_key)
        if entry is not None and entry[0] > time.monotonic():
            TENANT_CACHE_HITS.inc()
            self._local.move_to_end(cache_key)
            return entry[1]
        snapshot, shared = await self._flights.do(cache_key, lambda: self._load(key))
        if shared:
            TENANT_CACHE_COALESCED.inc()
        return snapshot

    async def _load(self, key: TenantKey) -> TenantSnapshot | None:
        TENANT_CACHE_MISSES.inc()
        generation = self._generation
        cache_key = key.cache_key
        if self._shared is not None:
            raw = await self._shared.get(_SHARED_PREFIX + cache_key)
            if raw is not None:
                snapshot = None if raw == _NOT_FOUND else TenantSnapshot.from_json(raw)
                self._remember(cache_key, snapshot, generation)
                return snapshot
        snapshot = await self._load_from_database(key)
        self._remember(cache_key, snapshot, generation)
        if self._shared is not None:
            value = _NOT_FOUND if snapshot is None else snapshot.to_json()
            ttl = self._negative_ttl if snapshot is None else self._ttl
            await self._shared.set(_SHARED_PREFIX + cache_key, value, ttl)
        return snapshot

    async def _load_from_database(self, key: TenantKey) -> TenantSnapshot | None:
        self.database_loads += 1
        async with self._session_factory() as session:
            tenants = TenantRepository(session)
            if key.kind == "id":
                tenant = await tenants.get(uuid.UUID(key.value))
            elif key.kind == "slug":
                tenant = await tenants.get_by_slug(key.value)
            else:
                tenant = await tenants.get_by_domain(key.value)
            if tenant is None:
                return None
            return await build_snapshot(session, tenant)

    def _remember(self, cache_key: str, snapshot: TenantSnapshot | None, generation: int) -> None:
        if generation != self._generation:
            return  # an invalidation ran while we loaded: what we read may be stale
        ttl = self._negative_ttl if snapshot is None else self._ttl
        self._local[cache_key] = (time.monotonic() + ttl, snapshot)
        self._local.move_to_end(cache_key)
        while len(self._local) > self._max_entries:
            self._local.popitem(last=False)

    async def invalidate(self, tenant_id: uuid.UUID, *keys: TenantKey) -> None:
        """Forget the tenant everywhere: here, in the shared store and on every replica.

        `keys` names lookups that may hold a negative answer about to become wrong (a new slug
        or domain); entries pointing at `tenant_id` are dropped whatever their key.
        """
        cache_keys = [key.cache_key for key in keys]
        cache_keys.append(TenantKey("id", str(tenant_id)).cache_key)
        cache_keys.extend(self._keys_of(tenant_id))
        self._drop_local(tenant_id, cache_keys)
        if self._shared is not None:
            await self._shared.delete(*(_SHARED_PREFIX + key for key in set(cache_keys)))
        if self._broadcast is not None:
            message = orjson.dumps({"tenant_id": str(tenant_id), "keys": cache_keys}).decode()
            await self._broadcast.publish(INVALIDATION_CHANNEL, message)

    def drop_local(self, tenant_id: uuid.UUID) -> None:
        """Forget what this process cached about the tenant (another replica changed it)."""
        self._drop_local(tenant_id, [])

    async def _on_invalidation(self, message: str) -> None:
        try:
            data = orjson.loads(message)
            tenant_id = uuid.UUID(data["tenant_id"])
            keys = [str(key) for key in data["keys"]]
        except (orjson.JSONDecodeError, KeyError, ValueError, TypeError):
            log.warning("tenant_cache.bad_invalidation", message=message[:200])
            return
        self._drop_local(tenant_id, keys)

    def _keys_of(self, tenant_id: uuid.UUID) -> list[str]:
        return [
            key
            for key, (_, snapshot) in self._local.items()
            if snapshot is not None and snapshot.id == tenant_id
        ]

    def _drop_local(self, tenant_id: uuid.UUID, keys: list[str]) -> None:
        self._generation += 1
        for key in [*keys, *self._keys_of(tenant_id)]:
            self._local.pop(key, None)

    def clear(self) -> None:
        self._generation += 1
        self._local.clear()


async def build_snapshot(session: AsyncSession, tenant: Tenant) -> TenantSnapshot:
    scoped = TenantScopedRepository(session, tenant.id)
    locales = await scoped.locales()
    modules = await scoped.module_rows()
    return TenantSnapshot(
        id=tenant.id,
        slug=tenant.slug,
        name=tenant.name,
        domain=tenant.domain,
        is_active=tenant.is_active,
        default_locale=tenant.default_locale,
        locales=tuple(
            LocaleSnapshot(
                row.locale, row.name, row.is_default, row.is_enabled, row.fallback_locale
            )
            for row in locales
        ),
        module_states={row.module_slug: row.enabled for row in modules},
    )
