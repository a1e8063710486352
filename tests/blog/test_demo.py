"""The demo blog: a dozen published posts in English and German (one in Russian) with
categories, tags and approved comments; seeding twice changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from rustok.blog.schemas import PostQuery
from rustok.blog.service import PostService
from rustok.cli.seed import seed_demo

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from tests.blog.conftest import Db


@pytest.mark.backends("sqlite")
async def test_the_demo_seed_adds_a_multilingual_blog_once(container: Container, db: Db) -> None:
    result = await seed_demo(container)
    first = await db.snapshot()
    await seed_demo(container)

    tenant_id = next(
        user.tenant_id
        for user in await container.auth.list_platform_operators()
        if user.email == result.admin_email
    )
    page = await container.service(PostService).list_posts(
        tenant_id, PostQuery(locale="ru"), limit=50
    )

    assert await db.snapshot() == first
    assert len(page.items) == 12
    assert all(item.status == "published" for item in page.items)
    assert [item.served_locale for item in page.items].count("ru") == 1
    assert all({"en", "de"} <= {t.locale for t in item.translations} for item in page.items)
    assert sum(item.comment_count for item in page.items) == 4
    assert sum(1 for item in page.items if item.category_id is not None) == 12
    assert sum(1 for item in page.items if item.tags) == 6
