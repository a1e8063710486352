"""Module descriptors and the registry the app is composed from.

A module declares here what it brings (routers, permissions, handlers, hooks) and which
modules it needs. Whether a module is on for a tenant is the tenancy module's business
(`tenant_modules`); this file only knows what exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uuid

    from rustok.core.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class ModuleContext:
    """What a lifecycle hook gets: the open unit of work (do not commit it) and the tenant."""

    uow: UnitOfWork
    tenant_id: uuid.UUID
    settings: dict[str, Any]


LifecycleHook = Callable[[ModuleContext], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class GraphQLPart:
    """A module's contribution to the GraphQL schema: Strawberry types merged into the root
    Query and Mutation (typed loosely: `core` must not import the web layer)."""

    query: type | None = None
    mutation: type | None = None


@dataclass(frozen=True, slots=True)
class ModuleDescriptor:
    """Everything the platform needs to know about one module.

    `routers` are FastAPI routers (typed loosely here because `core` must not import the web
    layer); they are mounted under `/api`. `handlers` are factories that take the process's
    container and return an `rustok.events.handler.EventHandler`. `models` and `events` name
    the Python modules that declare its tables and its events, so Alembic, the test set-up and
    the event catalog find them. A `core` module is always on and cannot be disabled.
    """

    slug: str
    name: str
    version: str
    description: str = ""
    dependencies: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    routers: tuple[Any, ...] = ()
    graphql: tuple[GraphQLPart, ...] = ()
    handlers: tuple[Any, ...] = ()
    models: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    core: bool = False
    enabled_by_default: bool = True
    on_enable: LifecycleHook | None = None
    on_disable: LifecycleHook | None = None


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
