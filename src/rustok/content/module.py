"""The content module's descriptor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.content.permissions import CATEGORIES, NODES, TAGS
from rustok.content.service import CategoryService, NodeService, TagService
from rustok.content.settings import ContentSettings
from rustok.core.modules import ModuleDescriptor, PeriodicJob
from rustok.core.permissions import CRUDL, grants
from rustok.rbac.policy import MANAGER
from rustok.tenancy.identifiers import TenantKey

if TYPE_CHECKING:
    import uuid
    from collections.abc import Awaitable, Callable

    from rustok.bootstrap import Container
    from rustok.core.tenant import TenantSnapshot


def _tenant_lookup(container: Container) -> Callable[[uuid.UUID], Awaitable[TenantSnapshot]]:
    """The tenant's locales come from the tenancy module's cached snapshots."""

    async def lookup(tenant_id: uuid.UUID) -> TenantSnapshot:
        return await container.tenant_resolver.resolve(TenantKey("id", str(tenant_id)))

    return lookup


def _nodes(container: Container) -> NodeService:
    return NodeService(
        container.uow,
        _tenant_lookup(container),
        max_body_bytes=container.settings_of(ContentSettings).max_body_bytes,
    )


def _categories(container: Container) -> CategoryService:
    return CategoryService(container.uow, _tenant_lookup(container))


def _tags(container: Container) -> TagService:
    return TagService(container.uow, _tenant_lookup(container))


def _scheduled_publishing(container: Container) -> PeriodicJob:
    return PeriodicJob(
        name="content-scheduled-publishing",
        interval_seconds=container.settings_of(ContentSettings).publish_interval_seconds,
        run=container.service(NodeService).publish_due,
    )


MODULE = ModuleDescriptor(
    slug="content",
    name="Content",
    version="1.0.0",
    description="Nodes of many kinds with translations, bodies, revisions, categories and tags.",
    dependencies=("tenancy", "rbac", "auth", "media"),
    resources=(NODES, CATEGORIES, TAGS),
    grants={MANAGER: grants((NODES, CATEGORIES, TAGS), CRUDL)},
    settings=ContentSettings,
    models=("rustok.content.models",),
    events=("rustok.content.events",),
    rest="rustok.content.rest:router",
    graphql_part="rustok.content.graphql:GRAPHQL",
    services=(_nodes, _categories, _tags),
    jobs=(_scheduled_publishing,),
    demo_seed="rustok.content.demo:seed",
)
