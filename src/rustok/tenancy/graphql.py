"""GraphQL of the tenancy module: the current tenant, tenants (operators), module switches."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.types import Info

from rustok.core.modules import GraphQLPart
from rustok.core.pagination import MAX_PAGE_SIZE
from rustok.core.permissions import Action
from rustok.tenancy.permissions import MODULES
from rustok.tenancy.schemas import TenantPublic
from rustok.web.graphql import GraphQLContext, operator, public, requires

if TYPE_CHECKING:
    from rustok.tenancy.schemas import ModuleRead, TenantRead


@strawberry.type
class Locale:
    locale: str
    name: str
    is_default: bool
    is_enabled: bool
    fallback_locale: str | None


@strawberry.type
class CurrentTenant:
    id: uuid.UUID
    name: str
    slug: str
    default_locale: str
    locales: list[Locale]


@strawberry.type
class Tenant:
    id: uuid.UUID
    name: str
    slug: str
    domain: str | None
    default_locale: str
    is_active: bool

    @classmethod
    def of(cls, tenant: TenantRead) -> Tenant:
        return cls(
            id=tenant.id,
            name=tenant.name,
            slug=tenant.slug,
            domain=tenant.domain,
            default_locale=tenant.default_locale,
            is_active=tenant.is_active,
        )


@strawberry.type
class TenantPage:
    items: list[Tenant]
    total: int


@strawberry.type
class Module:
    slug: str
    name: str
    version: str
    dependencies: list[str]
    core: bool
    enabled: bool

    @classmethod
    def of(cls, module: ModuleRead) -> Module:
        return cls(
            slug=module.slug,
            name=module.name,
            version=module.version,
            dependencies=module.dependencies,
            core=module.core,
            enabled=module.enabled,
        )


@strawberry.type
class TenancyQuery:
    @strawberry.field(extensions=[public()], description="The tenant this request talks to.")
    def current_tenant(self, info: Info[GraphQLContext, Any]) -> CurrentTenant:
        tenant = TenantPublic.of(info.context.tenant)
        return CurrentTenant(
            id=tenant.id,
            name=tenant.name,
            slug=tenant.slug,
            default_locale=tenant.default_locale,
            locales=[Locale(**loc.model_dump()) for loc in tenant.locales],
        )

    @strawberry.field(extensions=[operator()], description="All tenants (platform operators).")
    async def tenants(
        self, info: Info[GraphQLContext, Any], offset: int = 0, limit: int = 20
    ) -> TenantPage:
        limit = max(1, min(limit, MAX_PAGE_SIZE))
        items, total = await info.context.container.tenants.list_tenants(
            offset=max(offset, 0), limit=limit
        )
        return TenantPage(items=[Tenant.of(item) for item in items], total=total)

    @strawberry.field(
        extensions=[requires(MODULES, Action.LIST)],
        description="Modules of this tenant and whether each is on.",
    )
    async def modules(self, info: Info[GraphQLContext, Any]) -> list[Module]:
        modules = await info.context.container.modules.list_modules(info.context.tenant.id)
        return [Module.of(module) for module in modules]


@strawberry.type
class TenancyMutation:
    @strawberry.mutation(
        extensions=[requires(MODULES, Action.UPDATE)],
        description="Enable a module (its dependencies must be on).",
    )
    async def enable_module(self, info: Info[GraphQLContext, Any], slug: str) -> Module:
        module = await info.context.container.modules.set_enabled(
            info.context.tenant.id, slug, enabled=True
        )
        return Module.of(module)

    @strawberry.mutation(
        extensions=[requires(MODULES, Action.UPDATE)],
        description="Disable a module (no enabled module may depend on it).",
    )
    async def disable_module(self, info: Info[GraphQLContext, Any], slug: str) -> Module:
        module = await info.context.container.modules.set_enabled(
            info.context.tenant.id, slug, enabled=False
        )
        return Module.of(module)


GRAPHQL = GraphQLPart(query=TenancyQuery, mutation=TenancyMutation)
