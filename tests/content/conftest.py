"""Fixtures of the content tests: a tenant with en/de/ru (fr set up but disabled), callers of
every reach, and direct reads of what was (not) written."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from rustok.content.models import Category, Node, NodeRevision, NodeTranslation, Tag
from rustok.content.permissions import NODES
from rustok.content.service import CategoryService, NodeService, TagService
from rustok.core.permissions import Action, Permission, Reach, Scope
from rustok.events.models import SysEvent
from rustok.rbac.schemas import PermissionGrant, RoleCreate
from rustok.tenancy.schemas import TenantLocaleUpsert
from rustok.testing.factories import auth_headers, user_token

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail

CONTENT_TABLES = (Node, NodeTranslation, NodeRevision, Category, Tag)


async def enable_locales(container: Container, tenant: TenantDetail) -> None:
    for locale, fallback, enabled in (
        ("de", "en", True),
        ("ru", "de", True),
        ("fr", "en", False),
    ):
        await container.tenants.upsert_locale(
            tenant.id,
            locale,
            TenantLocaleUpsert(name=locale, is_enabled=enabled, fallback_locale=fallback),
        )


@pytest.fixture
async def site(container: Container, tenant: TenantDetail) -> TenantDetail:
    """The `acme` tenant with en (default), de (falls back to en), ru (falls back to de), and
    fr set up but disabled."""
    await enable_locales(container, tenant)
    return tenant


@pytest.fixture
async def other_site(container: Container, other_tenant: TenantDetail) -> TenantDetail:
    await enable_locales(container, other_tenant)
    return other_tenant


def reach(scope: Scope = Scope.ALL, actor: uuid.UUID | None = None) -> Reach:
    return Reach(Permission(NODES, Action.UPDATE), scope, actor or uuid.uuid4())


@pytest.fixture
def nodes(container: Container) -> NodeService:
    return container.service(NodeService)


@pytest.fixture
def categories(container: Container) -> CategoryService:
    return container.service(CategoryService)


@pytest.fixture
def tags(container: Container) -> TagService:
    return container.service(TagService)


class Db:
    """Counts rows and events behind the services' back (the platform's sessions)."""

    def __init__(self, container: Container) -> None:
        self._sessions = container.platform_sessions

    async def count(self, model: type[Any], *where: Any) -> int:
        async with self._sessions() as session:
            total = await session.scalar(select(func.count()).select_from(model).where(*where))
            return int(total or 0)

    async def events(self, prefix: str = "content.") -> list[SysEvent]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(SysEvent)
                .where(SysEvent.event_type.startswith(prefix))
                .order_by(SysEvent.seq)
            )
            return list(rows.all())

    async def event_types(self, prefix: str = "content.") -> list[str]:
        return [row.event_type for row in await self.events(prefix)]

    async def snapshot(self) -> tuple[int, ...]:
        """How many content rows and content events there are: a refused write changes none."""
        counts = [await self.count(model) for model in CONTENT_TABLES]
        return (*counts, len(await self.events()))


@pytest.fixture
def db(container: Container) -> Db:
    return Db(container)


AUTHOR_ROLE = RoleCreate(
    slug="author",
    name="Author",
    permissions=[
        PermissionGrant(permission="nodes:create", scope=Scope.ALL),
        PermissionGrant(permission="nodes:read", scope=Scope.ALL),
        PermissionGrant(permission="nodes:list", scope=Scope.ALL),
        PermissionGrant(permission="nodes:update", scope=Scope.OWN),
        PermissionGrant(permission="nodes:delete", scope=Scope.OWN),
    ],
)


@dataclass
class Caller:
    headers: dict[str, str]
    user_id: uuid.UUID


async def caller(
    client: httpx.AsyncClient,
    container: Container,
    tenant: TenantDetail,
    email: str,
    roles: tuple[str, ...],
) -> Caller:
    token = await user_token(client, container, tenant, email=email, roles=roles)
    headers = auth_headers(tenant, token)
    me = await client.get("/api/auth/me", headers=headers)
    assert me.status_code == 200, me.text
    return Caller(headers, uuid.UUID(me.json()["id"]))


@dataclass
class Callers:
    admin: Caller
    manager: Caller
    customer: Caller
    author: Caller
    other_author: Caller
    anonymous: dict[str, str]


@pytest.fixture
async def callers(
    unlimited_client: httpx.AsyncClient, container: Container, site: TenantDetail
) -> Callers:
    await container.roles.create_role(site.id, AUTHOR_ROLE, caller_id=None)
    make = lambda email, *roles: caller(unlimited_client, container, site, email, roles)  # noqa: E731
    return Callers(
        admin=await make("admin@acme.test", "admin"),
        manager=await make("manager@acme.test", "manager"),
        customer=await make("customer@acme.test", "customer"),
        author=await make("author@acme.test", "author"),
        other_author=await make("other@acme.test", "author"),
        anonymous=auth_headers(site),
    )
