"""Fixtures of the pages tests: the content tenant with en/de/ru (fr disabled), callers of every
reach over pages and menus, and direct reads of what was (not) written."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from rustok.content.models import Node, NodeTranslation
from rustok.core.permissions import Action, Permission, Reach, Scope
from rustok.events.models import SysEvent
from rustok.pages.models import Block, Menu, MenuItem
from rustok.pages.permissions import MENUS, PAGES
from rustok.pages.service import MenuService, PageService
from rustok.rbac.schemas import PermissionGrant, RoleCreate
from rustok.testing.factories import auth_headers
from tests.content.conftest import caller, other_site, site

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail
    from tests.content.conftest import Caller

__all__ = ["other_site", "site"]
TABLES = (Node, NodeTranslation, Block, Menu, MenuItem)


def editor(scope: Scope = Scope.ALL, actor: uuid.UUID | None = None) -> Reach:
    return Reach(Permission(PAGES, Action.UPDATE), scope, actor or uuid.uuid4())


def menu_editor() -> Reach:
    return Reach(Permission(MENUS, Action.UPDATE), Scope.ALL, uuid.uuid4())


@pytest.fixture
def pages(container: Container) -> PageService:
    return container.service(PageService)


@pytest.fixture
def menus(container: Container) -> MenuService:
    return container.service(MenuService)


class Db:
    """Counts rows and events behind the services' back (the platform's sessions)."""

    def __init__(self, container: Container) -> None:
        self._sessions = container.platform_sessions

    async def count(self, model: type[Any], *where: Any) -> int:
        async with self._sessions() as session:
            total = await session.scalar(select(func.count()).select_from(model).where(*where))
            return int(total or 0)

    async def event_types(self) -> list[str]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(SysEvent.event_type)
                .where(
                    SysEvent.event_type.startswith("pages.")
                    | SysEvent.event_type.startswith("content.")
                )
                .order_by(SysEvent.seq)
            )
            return list(rows.all())

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(SysEvent).where(SysEvent.event_type == event_type).order_by(SysEvent.seq)
            )
            return [dict(row.payload) for row in rows]

    async def snapshot(self) -> tuple[int, ...]:
        """How many page rows and events there are: a refused write changes none."""
        counts = [await self.count(model) for model in TABLES]
        return (*counts, len(await self.event_types()))


@pytest.fixture
def db(container: Container) -> Db:
    return Db(container)


OWN_EDITOR_ROLE = RoleCreate(
    slug="page_author",
    name="Page author",
    permissions=[
        PermissionGrant(permission="pages:create", scope=Scope.ALL),
        PermissionGrant(permission="pages:update", scope=Scope.OWN),
        PermissionGrant(permission="pages:delete", scope=Scope.OWN),
        PermissionGrant(permission="menus:update", scope=Scope.OWN),
    ],
)


@dataclass
class Callers:
    admin: Caller
    manager: Caller
    customer: Caller
    author: Caller
    anonymous: dict[str, str]


@pytest.fixture
async def callers(
    unlimited_client: httpx.AsyncClient, container: Container, site: TenantDetail
) -> Callers:
    await container.roles.create_role(site.id, OWN_EDITOR_ROLE, caller_id=None)
    make = lambda email, *roles: caller(unlimited_client, container, site, email, roles)  # noqa: E731
    return Callers(
        admin=await make("admin@acme.test", "admin"),
        manager=await make("manager@acme.test", "manager"),
        customer=await make("customer@acme.test", "customer"),
        author=await make("author@acme.test", "page_author"),
        anonymous=auth_headers(site),
    )


def page_body(title: str = "About", **extra: Any) -> dict[str, Any]:
    return {
        "translations": [
            {"locale": "en", "title": title},
            {"locale": "de", "title": title + " DE"},
        ],
        "blocks": [
            {
                "type": "hero",
                "data": {"heading": "Hi"},
                "translations": [{"locale": "de", "data": {"heading": "Hallo"}}],
            },
            {"type": "text", "data": {"body": "Some *text*"}},
        ],
        **extra,
    }
