"""Fixtures of the forum tests: a tenant with en/de (fr set up but disabled), callers of every
role, a category with a topic, and direct reads of what was (not) written."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from rustok.content.models import Node, NodeTranslation
from rustok.core.permissions import Action, Permission, Reach, Scope
from rustok.events.models import SysEvent
from rustok.forum.models import Reply, Topic
from rustok.forum.permissions import FORUM_CATEGORIES, FORUM_REPLIES, FORUM_TOPICS
from rustok.forum.schemas import ForumCategoryCreate, TopicCreate
from rustok.forum.service import ForumCategoryService, ReplyService, TopicService
from rustok.tenancy.schemas import TenantLocaleUpsert
from rustok.testing.factories import auth_headers, user_token

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.forum.schemas import ForumCategoryRead, TopicRead
    from rustok.tenancy.schemas import TenantDetail

FORUM_TABLES = (Node, NodeTranslation, Topic, Reply)


async def enable_locales(container: Container, tenant: TenantDetail) -> None:
    for locale, enabled in (("de", True), ("fr", False)):
        await container.tenants.upsert_locale(
            tenant.id,
            locale,
            TenantLocaleUpsert(name=locale, is_enabled=enabled, fallback_locale="en"),
        )


@pytest.fixture
async def site(container: Container, tenant: TenantDetail) -> TenantDetail:
    """The `acme` tenant with en (default) and de; fr set up but disabled."""
    await enable_locales(container, tenant)
    return tenant


@pytest.fixture
async def other_site(container: Container, other_tenant: TenantDetail) -> TenantDetail:
    await enable_locales(container, other_tenant)
    return other_tenant


def staff(actor: uuid.UUID | None = None) -> dict[str, Reach]:
    """A moderator's reaches over the three forum resources (one actor)."""
    actor = actor or uuid.uuid4()
    return {
        name: Reach(Permission(resource, Action.MANAGE), Scope.ALL, actor)
        for name, resource in (
            ("categories", FORUM_CATEGORIES),
            ("topics", FORUM_TOPICS),
            ("replies", FORUM_REPLIES),
        )
    }


def member(resource: str, actor: uuid.UUID, action: Action = Action.CREATE) -> Reach:
    """A customer's reach: `create` reaches all, `update`/`delete` only its own."""
    scope = Scope.ALL if action is Action.CREATE else Scope.OWN
    return Reach(
        Permission({"topics": FORUM_TOPICS, "replies": FORUM_REPLIES}[resource], action),
        scope,
        actor,
    )


STAFF = staff()


@pytest.fixture
def categories(container: Container) -> ForumCategoryService:
    return container.service(ForumCategoryService)


@pytest.fixture
def topics(container: Container) -> TopicService:
    return container.service(TopicService)


@pytest.fixture
def replies(container: Container) -> ReplyService:
    return container.service(ReplyService)


async def make_category(
    container: Container, tenant_id: uuid.UUID, title: str = "General", position: int = 0
) -> ForumCategoryRead:
    return await container.service(ForumCategoryService).create(
        tenant_id,
        ForumCategoryCreate.model_validate(
            {
                "position": position,
                "translations": [
                    {"locale": "en", "title": title},
                    {"locale": "de", "title": f"{title} (de)"},
                ],
            }
        ),
        reach=STAFF["categories"],
    )


async def make_topic(
    container: Container,
    tenant_id: uuid.UUID,
    category_id: uuid.UUID,
    title: str = "First topic",
    reach: Reach | None = None,
) -> TopicRead:
    return await container.service(TopicService).create(
        tenant_id,
        TopicCreate.model_validate(
            {
                "category_id": category_id,
                "translations": [
                    {"locale": "en", "title": title, "body": "What do you **think**?"},
                    {"locale": "de", "title": f"{title} (de)", "body": "Was meinen Sie?"},
                ],
            }
        ),
        reach=reach or STAFF["topics"],
    )


@pytest.fixture
async def category(container: Container, site: TenantDetail) -> ForumCategoryRead:
    return await make_category(container, site.id)


@pytest.fixture
async def topic(container: Container, site: TenantDetail, category: ForumCategoryRead) -> TopicRead:
    return await make_topic(container, site.id, category.id)


class Db:
    """Counts rows and events behind the services' back (the platform's sessions)."""

    def __init__(self, container: Container) -> None:
        self._sessions = container.platform_sessions

    async def count(self, model: type[Any], *where: Any) -> int:
        async with self._sessions() as session:
            total = await session.scalar(select(func.count()).select_from(model).where(*where))
            return int(total or 0)

    async def topic(self, topic_id: uuid.UUID) -> Topic:
        async with self._sessions() as session:
            row = await session.scalar(select(Topic).where(Topic.id == topic_id))
            assert row is not None
            return row

    async def events(self, *prefixes: str) -> list[SysEvent]:
        async with self._sessions() as session:
            rows = await session.scalars(select(SysEvent).order_by(SysEvent.seq))
            return [
                row
                for row in rows.all()
                if row.event_type.startswith(prefixes or ("content.", "forum."))
            ]

    async def event_types(self, *prefixes: str) -> list[str]:
        return [row.event_type for row in await self.events(*prefixes)]

    async def snapshot(self) -> tuple[int, ...]:
        """How many nodes, forum rows and events there are: a refused write changes none."""
        counts = [await self.count(model) for model in FORUM_TABLES]
        return (*counts, len(await self.events()))


@pytest.fixture
def db(container: Container) -> Db:
    return Db(container)


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
    other_customer: Caller
    anonymous: dict[str, str]


@pytest.fixture
async def callers(
    unlimited_client: httpx.AsyncClient, container: Container, site: TenantDetail
) -> Callers:
    make = lambda email, *roles: caller(unlimited_client, container, site, email, roles)  # noqa: E731
    return Callers(
        admin=await make("admin@acme.test", "admin"),
        manager=await make("manager@acme.test", "manager"),
        customer=await make("customer@acme.test", "customer"),
        other_customer=await make("other@acme.test", "customer"),
        anonymous=auth_headers(site),
    )
