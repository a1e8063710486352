"""The composition root: builds every long-lived object of a process from settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rustok.auth.service import AuthService
from rustok.core.db import create_engine, create_session_factory
from rustok.core.modules import ModuleRegistry
from rustok.core.uow import UnitOfWorkFactory
from rustok.rbac.checker import PermissionChecker
from rustok.rbac.service import RoleService
from rustok.stores.limiter import RateLimiter
from rustok.stores.memory import MemoryStores
from rustok.tenancy.modules import ModuleService
from rustok.tenancy.resolver import TenantResolver
from rustok.tenancy.service import TenantService

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from rustok.core.modules import ModuleDescriptor
    from rustok.core.settings import Settings
    from rustok.stores.base import Stores


def default_modules() -> list[ModuleDescriptor]:
    """The modules a stock RusToK ships, in dependency order."""
    from rustok.auth.module import MODULE as AUTH
    from rustok.rbac.module import MODULE as RBAC
    from rustok.tenancy.module import MODULE as TENANCY

    return [TENANCY, RBAC, AUTH]


def build_stores(settings: Settings) -> Stores:
    if settings.redis_url:
        from rustok.stores.redis import RedisStores

        return RedisStores(settings.redis_url)
    return MemoryStores()


@dataclass
class Container:
    """Every long-lived object of one process; the app and the CLI reach services through it."""

    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    uow: UnitOfWorkFactory
    stores: Stores
    registry: ModuleRegistry
    tenant_resolver: TenantResolver
    permissions: PermissionChecker
    roles: RoleService
    tenants: TenantService
    modules: ModuleService
    auth: AuthService
    rate_limiter: RateLimiter
    _started: bool = field(default=False, init=False)

    async def start(self) -> None:
        if self._started:
            return
        await self.tenant_resolver.start()
        await self.permissions.start()
        self._started = True

    async def close(self) -> None:
        await self.stores.close()
        await self.engine.dispose()


def build_container(
    settings: Settings,
    *,
    modules: list[ModuleDescriptor] | None = None,
    stores: Stores | None = None,
) -> Container:
    engine = create_engine(settings)
    session_factory = create_session_factory(engine)
    uow = UnitOfWorkFactory(session_factory)
    stores = stores or build_stores(settings)
    registry = ModuleRegistry()
    for module in modules if modules is not None else default_modules():
        registry.register(module)
    resolver = TenantResolver(
        session_factory,
        ttl_seconds=settings.tenant_cache_ttl_seconds,
        negative_ttl_seconds=settings.tenant_negative_cache_ttl_seconds,
        max_entries=settings.tenant_cache_max_entries,
        shared=stores.kv if settings.redis_url else None,
        broadcast=stores.broadcast,
    )
    permissions = PermissionChecker(session_factory, broadcast=stores.broadcast)
    roles = RoleService(uow, permissions)
    tenants = TenantService(uow, resolver, roles)
    module_service = ModuleService(uow, registry, resolver)
    auth = AuthService(settings, uow, session_factory, roles)
    rate_limiter = RateLimiter(settings, stores.rate_limits)
    return Container(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        uow=uow,
        stores=stores,
        registry=registry,
        tenant_resolver=resolver,
        permissions=permissions,
        roles=roles,
        tenants=tenants,
        modules=module_service,
        auth=auth,
        rate_limiter=rate_limiter,
    )
