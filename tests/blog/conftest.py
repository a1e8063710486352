"""Fixtures of the blog tests: content's tenant with en/de/ru and its callers (a `moderator`
role added), and direct reads of what was (not) written."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from rustok.blog.models import Comment, PostStats, TenantBlogSettings
from rustok.content.models import Node, NodeTranslation
from rustok.events.models import SysEvent
from tests.content.conftest import callers, other_site, site

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container

__all__ = ["callers", "other_site", "site"]

POSTS = "/api/blog/posts"
BLOG_TABLES = (Node, NodeTranslation, Comment, PostStats, TenantBlogSettings)


def post_body(title: str = "Hello, blog", **extra: Any) -> dict[str, Any]:
    return {
        "status": "published",
        "translations": [
            {"locale": "en", "title": title, "body": "word " * 450, "format": "markdown"}
        ],
        **extra,
    }


async def create_post(
    client: httpx.AsyncClient, headers: dict[str, str], **extra: Any
) -> dict[str, Any]:
    response = await client.post(POSTS, json=post_body(**extra), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def comment(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    post_id: str,
    body: str = "Nice post!",
    **extra: Any,
) -> httpx.Response:
    return await client.post(
        f"{POSTS}/{post_id}/comments", json={"body": body, **extra}, headers=headers
    )


GUEST = {"guest_name": "Ada", "guest_email": "ada@example.com"}


class Db:
    """Counts rows and events behind the services' back (the platform's sessions)."""

    def __init__(self, container: Container) -> None:
        self._sessions = container.platform_sessions

    async def count(self, model: type[Any], *where: Any) -> int:
        async with self._sessions() as session:
            total = await session.scalar(select(func.count()).select_from(model).where(*where))
            return int(total or 0)

    async def comment_count(self, post_id: str) -> int:
        async with self._sessions() as session:
            value = await session.scalar(
                select(PostStats.comment_count).where(PostStats.post_id == uuid.UUID(post_id))
            )
            return int(value or 0)

    async def event_types(self, *prefixes: str) -> list[str]:
        async with self._sessions() as session:
            rows = await session.scalars(select(SysEvent.event_type).order_by(SysEvent.seq))
            return [row for row in rows.all() if row.startswith(prefixes or ("",))]

    async def count_blog_events(self) -> int:
        return len(await self.event_types("blog."))

    async def snapshot(self) -> tuple[int, ...]:
        """How many blog and node rows and events there are: a refused write changes none."""
        counts = [await self.count(model) for model in BLOG_TABLES]
        return (*counts, await self.count(SysEvent))


@pytest.fixture
def db(container: Container) -> Db:
    return Db(container)
