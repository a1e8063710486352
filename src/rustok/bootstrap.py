"""The composition root: builds every long-lived object of a process from settings."""

from __future__ import annotations

import gc
import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ValidationError

from rustok.auth.service import AuthService
from rustok.core.db import (
    create_engine,
    create_platform_session_factory,
    create_session_factory,
)
from rustok.core.db import ping as ping_database
from rustok.core.modules import ModuleRegistry
from rustok.core.settings import SettingsError
from rustok.core.uow import UnitOfWorkFactory
from rustok.events.errors import TransportError
from rustok.events.outbox import Outbox
from rustok.events.registry import EVENTS
from rustok.events.spine import EventSpine, build_transport
from rustok.observability.health import CheckFailed, HealthChecks
from rustok.rbac.checker import PermissionChecker
from rustok.rbac.policy import builtin_roles
from rustok.rbac.service import RoleService
from rustok.stores.limiter import RateLimiter
from rustok.stores.memory import MemoryStores
from rustok.stores.sessions import SessionGenerations
from rustok.tenancy.modules import ModuleService
from rustok.tenancy.resolver import TenantResolver
from rustok.tenancy.service import TenantService

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from rustok.core.modules import ModuleDescriptor
    from rustok.core.settings import Settings
    from rustok.events.transport.base import EventTransport
    from rustok.stores.base import Stores

ServiceT = TypeVar("ServiceT")
ModuleSettingsT = TypeVar("ModuleSettingsT", bound=BaseModel)


def model_modules() -> tuple[str, ...]:
    """Every Python module that declares tables, in module order."""
    return tuple(name for module in default_modules() for name in module.models)


def event_modules() -> tuple[str, ...]:
    """Every Python module that declares events, in module order."""
    return tuple(name for module in default_modules() for name in module.events)


def import_all_models() -> None:
    """Load every table into the metadata (Alembic, the test set-up, schema checks)."""
    for name in model_modules():
        importlib.import_module(name)


def import_all_events() -> None:
    """Register every event type (the event catalog)."""
    for name in event_modules():
        importlib.import_module(name)


def default_modules() -> list[ModuleDescriptor]:
    """The modules a stock RusToK ships, in dependency order."""
    from rustok.auth.module import MODULE as AUTH
    from rustok.blog.module import MODULE as BLOG
    from rustok.commerce.cart.module import MODULE as CART
    from rustok.commerce.catalog.module import MODULE as CATALOG
    from rustok.commerce.inventory.module import MODULE as INVENTORY
    from rustok.commerce.orders.module import MODULE as ORDERS
    from rustok.commerce.pricing.module import MODULE as PRICING
    from rustok.content.module import MODULE as CONTENT
    from rustok.events.module import MODULE as EVENTS
    from rustok.forum.module import MODULE as FORUM
    from rustok.media.module import MODULE as MEDIA
    from rustok.pages.module import MODULE as PAGES
    from rustok.rbac.module import MODULE as RBAC
    from rustok.tenancy.module import MODULE as TENANCY

    return [
        EVENTS,
        TENANCY,
        RBAC,
        AUTH,
        MEDIA,
        CONTENT,
        BLOG,
        PAGES,
        CATALOG,
        PRICING,
        INVENTORY,
        CART,
        ORDERS,
        FORUM,
    ]


def build_stores(settings: Settings) -> Stores:
    if settings.redis_url:
        from rustok.stores.redis import RedisStores

        return RedisStores(settings.redis_url, namespace=settings.effective_redis_namespace)
    return MemoryStores()


def build_health_checks(
    settings: Settings, engine: AsyncEngine, stores: Stores, spine: EventSpine
) -> HealthChecks:
    """The checks `/api/health` and `/api/health/ready` run; add a check per new dependency."""
    checks = HealthChecks(timeout_seconds=settings.health_check_timeout_seconds)
    checks.add("database", lambda: ping_database(engine), critical=True)
    # In-process stores cannot fail; a shared one (Redis) holds every replica's rate limits
    # and carries cache invalidations, so a replica without it must not take traffic.
    checks.add("stores", stores.ping, critical=settings.redis_url is not None)

    # Writes still commit while the transport is down (the outbox keeps the events), so a
    # broken transport or a growing backlog degrades the process instead of failing it.
    async def event_transport() -> None:
        try:
            await spine.transport.ping()
        except TransportError as error:
            raise CheckFailed(str(error)) from error

    checks.add("event_transport", event_transport, critical=False)

    async def outbox_lag() -> None:
        pending, lag = await spine.refresh_outbox_metrics()
        if lag > settings.outbox_lag_degraded_seconds:
            raise CheckFailed(f"{pending} events pending, oldest {lag:.0f} s")

    checks.add("outbox_lag", outbox_lag, critical=False)

    async def consumer_backlog() -> None:
        # Consumers that are stopped or stuck: the outbox is empty while the broker holds on.
        held = await spine.transport.backlog(spine.groups)
        behind = {group: n for group, n in held.items() if n > settings.consumer_backlog_degraded}
        if behind:
            raise CheckFailed(
                ", ".join(f"{group}: {n} events waiting" for group, n in sorted(behind.items()))
            )

    checks.add("consumer_backlog", consumer_backlog, critical=False)
    return checks


@dataclass
class Container:
    """Every long-lived object of one process; the app and the CLI reach services through it."""

    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    platform_sessions: async_sessionmaker[AsyncSession]
    """Sessions across tenants: the event spine's, the resolver's, the CLI's (the bypass)."""
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
    outbox: Outbox
    transport: EventTransport
    events: EventSpine = field(init=False)
    health_checks: HealthChecks = field(init=False)
    _services: dict[type, object] = field(default_factory=dict, init=False)
    _module_settings: dict[type, BaseModel] = field(default_factory=dict, init=False)
    _started: bool = field(default=False, init=False)

    def service(self, kind: type[ServiceT]) -> ServiceT:
        """The one service of this type a module registered (`ModuleDescriptor.services`)."""
        found = self._services.get(kind)
        if found is None:
            raise LookupError(f"no module registers a {kind.__name__}; is its module listed?")
        if not isinstance(found, kind):
            raise TypeError(f"{kind.__name__} factory built a {type(found).__name__}")
        return found

    def settings_of(self, model: type[ModuleSettingsT]) -> ModuleSettingsT:
        """A module's own settings (`ModuleDescriptor.settings`), checked at build time."""
        found = self._module_settings.get(model)
        if not isinstance(found, model):
            raise LookupError(f"no module declares {model.__name__} as its settings")
        return found

    def add_service(self, service: object) -> None:
        """Register a module's service under its own class (each class once)."""
        kind = type(service)
        if kind in self._services:
            raise ValueError(f"two modules register a {kind.__name__}")
        self._services[kind] = service

    async def start(self, *, workers: bool | None = None) -> None:
        """Start listening for invalidations and the event spine.

        With `workers` (default: settings.embedded_workers) this process also runs the outbox
        relay and every consumer group; without, only broadcast handlers (API-only replica).
        """
        run_workers = self.settings.embedded_workers if workers is None else workers
        await self.start_with(relay=run_workers, consumers=None if run_workers else [])

    async def start_with(self, *, relay: bool, consumers: Sequence[str] | None) -> None:
        """Start with exactly these workers: the relay or not, and the consumer groups named
        (None = every group, [] = none); broadcast handlers always run."""
        if self._started:
            return
        await self.tenant_resolver.start()
        await self.permissions.start()
        await self.events.start(relay=relay, consumers=consumers)
        self._started = True

    async def close(self) -> None:
        await self.events.stop()
        await self.stores.close()
        await self.engine.dispose()
        platform_engine = self.platform_sessions.kw["bind"]
        if platform_engine is not self.engine:
            await platform_engine.dispose()


def module_settings(settings: Settings, registry: ModuleRegistry) -> dict[type, BaseModel]:
    """Each module's settings model filled from `settings.modules`; raises SettingsError naming
    every bad `RUSTOK_MODULES__*` variable, or a section no module reads (a typo)."""
    known = {m.settings_key: m.settings for m in registry if m.settings is not None}
    problems = [
        f"RUSTOK_MODULES__{key.upper()}: no module {key!r} with settings here; "
        f"known: {', '.join(sorted(known)) or 'none'}"
        for key in settings.modules
        if key not in known
    ]
    built: dict[type, BaseModel] = {}
    for key, model in known.items():
        try:
            built[model] = model.model_validate(settings.modules.get(key, {}))
        except ValidationError as error:
            problems.extend(
                f"RUSTOK_MODULES__{key.upper()}__{'__'.join(map(str, e['loc'])).upper()}: "
                f"{e['msg'].removeprefix('Value error, ')}"
                for e in error.errors()
            )
    if problems:
        raise SettingsError("\n".join(problems))
    return built


def freeze_startup_heap() -> None:
    """For a process that serves until it exits, once its container has started.

    What exists then (modules, mappers, the GraphQL schema, pools) lives as long as the process:
    the collector's permanent generation keeps it out of full scans, which otherwise walk all
    of it and stall the event loop for tens of milliseconds each. Containers do not do this
    themselves: a test process starts hundreds, and each freeze would pin everything alive
    at that moment, the previous tests' garbage included, for the rest of the run.
    """
    gc.freeze()


def build_container(
    settings: Settings,
    *,
    modules: list[ModuleDescriptor] | None = None,
    stores: Stores | None = None,
) -> Container:
    engine = create_engine(settings)
    session_factory = create_session_factory(engine)
    # SQLite has no row-level security (and one writer per file): one engine serves both.
    platform_engine = engine if settings.is_sqlite else create_engine(settings, platform=True)
    platform_sessions = create_platform_session_factory(platform_engine)
    outbox = Outbox()
    uow = UnitOfWorkFactory(session_factory, outbox)
    stores = stores or build_stores(settings)
    registry = ModuleRegistry()
    for module in modules if modules is not None else default_modules():
        registry.register(module)
    resolver = TenantResolver(
        platform_sessions,
        ttl_seconds=settings.tenant_cache_ttl_seconds,
        negative_ttl_seconds=settings.tenant_negative_cache_ttl_seconds,
        max_entries=settings.tenant_cache_max_entries,
        shared=stores.kv if settings.redis_url else None,
        broadcast=stores.broadcast,
    )
    permissions = PermissionChecker(session_factory, broadcast=stores.broadcast)
    generations = SessionGenerations(stores.generations)
    roles = RoleService(uow, permissions, builtin_roles(registry), generations)
    tenants = TenantService(uow, resolver, roles)
    module_service = ModuleService(uow, registry, resolver)
    auth = AuthService(settings, uow, session_factory, roles, generations)
    rate_limiter = RateLimiter(settings, stores.rate_limits)
    container = Container(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        platform_sessions=platform_sessions,
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
        outbox=outbox,
        transport=build_transport(settings),
    )
    container._module_settings = module_settings(settings, registry)
    for module in registry:
        for build_service in module.services:
            container.add_service(build_service(container))
    handlers = [factory(container) for module in registry for factory in module.handlers]
    jobs = [factory(container) for module in registry for factory in module.jobs]
    container.events = EventSpine(
        settings, platform_sessions, uow, outbox, container.transport, EVENTS, handlers, jobs
    )
    container.health_checks = build_health_checks(settings, engine, stores, container.events)
    return container
