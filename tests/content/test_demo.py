"""The demo content: published articles in English and German (one in Russian), categories
and tags; seeding twice changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from rustok.cli.seed import seed_demo
from rustok.content.schemas import NodeQuery
from rustok.content.service import CategoryService, NodeService, TagService

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from tests.content.conftest import Db


@pytest.mark.backends("sqlite")
async def test_the_demo_seed_adds_multilingual_content_once(container: Container, db: Db) -> None:
    result = await seed_demo(container)
    first = await db.snapshot()
    await seed_demo(container)

    tenant_id = next(
        user.tenant_id
        for user in await container.auth.list_platform_operators()
        if user.email == result.admin_email
    )
    page = await container.service(NodeService).list_nodes(
        tenant_id, NodeQuery(kind="article", locale="ru"), limit=50
    )
    categories = await container.service(CategoryService).list_categories(tenant_id, locale="de")
    tags = await container.service(TagService).list_tags(tenant_id)

    assert await db.snapshot() == first
    assert len(page.items) == 4
    assert all(item.status == "published" for item in page.items)
    assert sorted(item.served_locale or "" for item in page.items) == [
        "en",
        "en",
        "en",
        "ru",
    ]  # ru falls back to en
    assert all({"en", "de"} <= {t.locale for t in item.translations} for item in page.items)
    assert {c.name for c in categories.items} == {"Neuigkeiten", "Anleitungen"}
    assert {t.slug for t in tags.items} == {"python", "release", "multilingual"}
