"""The demo forum: a category in English and German with a pinned and a locked topic and
threaded replies; seeding twice changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from rustok.cli.seed import seed_demo
from rustok.forum.schemas import TopicQuery
from rustok.forum.service import ForumCategoryService, ReplyService, TopicService

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from tests.forum.conftest import Db


@pytest.mark.backends("sqlite")
async def test_the_demo_seed_adds_a_bilingual_forum_once(container: Container, db: Db) -> None:
    result = await seed_demo(container)
    first = await db.snapshot()
    await seed_demo(container)

    tenant_id = next(
        user.tenant_id
        for user in await container.auth.list_platform_operators()
        if user.email == result.admin_email
    )
    [category] = (
        await container.service(ForumCategoryService).list_categories(tenant_id, locale="de")
    ).items
    topics = (
        await container.service(TopicService).list_topics(
            tenant_id, TopicQuery(category_id=category.id, locale="de")
        )
    ).items
    thread = await container.service(ReplyService).list_replies(
        tenant_id, topics[0].id, view="threaded"
    )

    assert await db.snapshot() == first
    assert (category.title, category.slug) == ("Gemeinschaft", "gemeinschaft")
    assert [(t.title, t.pinned, t.locked, t.reply_count) for t in topics] == [
        ("Willkommen im Forum", True, False, 3),
        ("Wie werden Antworten gezählt?", False, True, 2),
    ]
    assert [(r.locale, len(r.replies)) for r in thread.items] == [("en", 1), ("de", 0)]
