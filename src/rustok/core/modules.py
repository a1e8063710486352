"""Module descriptors and the registry the app is composed from.

A module declares here what it brings (routers, permissions, handlers, hooks) and which
modules it needs. Whether a module is on for a tenant is the tenancy module's business
(`tenant_modules`); this file only knows what exists.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uuid

    from pydantic import BaseModel

    from rustok.core.permissions import Grant, Resource
    from rustok.core.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class ModuleContext:
    """What a lifecycle hook gets: the open unit of work (do not commit it) and the tenant."""

    uow: UnitOfWork
    tenant_id: uuid.UUID
    settings: dict[str, Any]


LifecycleHook = Callable[[ModuleContext], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """Work a module needs done every `interval_seconds` (e.g. publishing scheduled content).

    Runs in every process that runs the outbox relay (the embedded server, `rustok worker
    relay`), once at start and then after each interval; several such processes may run it at
    once, so `run` must be safe to run concurrently (claim rows atomically)."""

    name: str
    interval_seconds: float
    run: Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class GraphQLPart:
    """A module's contribution to the GraphQL schema: Strawberry types merged into the root
    Query and Mutation (typed loosely: `core` must not import the web layer)."""

    query: type | None = None
    mutation: type | None = None
    extends: tuple[type, ...] = ()
    """Strawberry types named like another module's type (`@strawberry.type(name="Variant")`)
    whose fields are added to it: a module above adds to a type of one below without the one
    below knowing (inventory's stock on the catalog's variants). Fields it has already are
    left as they are (the extension declares them only to read them in its resolvers)."""


@dataclass(frozen=True, slots=True)
class ModuleDescriptor:
    """Everything the platform needs to know about one module.

    `rest` and `graphql_part` name where its FastAPI router and its GraphQL part live
    (`"rustok.auth.rest:router"`): they are imported only when an app is assembled, so worker
    processes never load FastAPI or Strawberry. `routers` and `graphql` take the objects
    themselves (typed loosely: `core` must not import the web layer); routers are mounted
    under `/api`. `handlers` are factories that take the process's
    container and return an `rustok.events.handler.EventHandler`; `services` are factories that
    take the container and return one service object each, reached with
    `container.service(NodeService)` (built in registration order, so a factory may reach the
    services of the modules it depends on); `jobs` are factories `container -> PeriodicJob`.
    `settings` is a Pydantic model of its own settings (defaults in the model), read from
    `Settings.modules[settings_key]` and reached with `container.settings_of(ContentSettings)`.
    `body_limits` is a factory `container -> {(method, path): bytes}` for the few routes that
    take a body larger than `max_body_bytes` (uploads). `demo_seed` names an async function
    `(container, tenant_id) -> None` that `rustok seed --demo` runs for the demo tenant; it must
    be idempotent. `models` and `events` name
    the Python modules that declare its tables and its events, so Alembic, the test set-up and
    the event catalog find them. `resources` are what its routes require (defined with
    `define_resource` in its `permissions.py`); the built-in `admin` role manages all of them,
    and `grants` adds permissions to the built-in `manager` and `customer` roles by slug.
    A `core` module is always on and cannot be disabled.
    """

    slug: str
    name: str
    version: str
    description: str = ""
    dependencies: tuple[str, ...] = ()
    resources: tuple[Resource, ...] = ()
    grants: Mapping[str, tuple[Grant, ...]] = field(default_factory=dict)
    rest: str | None = None
    graphql_part: str | None = None
    routers: tuple[Any, ...] = ()
    graphql: tuple[GraphQLPart, ...] = ()
    handlers: tuple[Any, ...] = ()
    services: tuple[Any, ...] = ()
    settings: type[BaseModel] | None = None
    body_limits: Any = None
    jobs: tuple[Any, ...] = ()
    demo_seed: str | None = None
    models: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    core: bool = False
    enabled_by_default: bool = True
    on_enable: LifecycleHook | None = None
    on_disable: LifecycleHook | None = None

    @property
    def settings_key(self) -> str:
        """Its key under `Settings.modules` (`RUSTOK_MODULES__<KEY>__<FIELD>`)."""
        return self.slug.replace(".", "_")

    def load_routers(self) -> tuple[Any, ...]:
        """Its routers: the one `rest` names, then `routers`."""
        return ((load_reference(self.rest),) if self.rest else ()) + self.routers

    def load_graphql(self) -> tuple[GraphQLPart, ...]:
        """Its GraphQL parts: the one `graphql_part` names, then `graphql`."""
        loaded = load_reference(self.graphql_part) if self.graphql_part else None
        if loaded is not None and not isinstance(loaded, GraphQLPart):
            raise TypeError(f"{self.graphql_part} is not a GraphQLPart")
        return ((loaded,) if loaded is not None else ()) + self.graphql


def load_reference(reference: str) -> Any:
    """`package.module:attribute`, imported now."""
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


@dataclass
class ModuleRegistry:
    """The modules of one assembled application, in registration order."""

    _modules: dict[str, ModuleDescriptor] = field(default_factory=dict)

    def register(self, module: ModuleDescriptor) -> None:
        if module.slug in self._modules:
            raise ValueError(f"module {module.slug!r} is registered twice")
        missing = [dep for dep in module.dependencies if dep not in self._modules]
        if missing:
            raise ValueError(
                f"module {module.slug!r} depends on {missing}; register those modules first"
            )
        self._modules[module.slug] = module

    def get(self, slug: str) -> ModuleDescriptor | None:
        return self._modules.get(slug)

    def __iter__(self) -> Iterator[ModuleDescriptor]:
        return iter(self._modules.values())

    def __contains__(self, slug: object) -> bool:
        return slug in self._modules

    def dependents_of(self, slug: str) -> list[ModuleDescriptor]:
        return [module for module in self if slug in module.dependencies]
