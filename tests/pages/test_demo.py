"""The demo pages and menus: home, about and contact with blocks in English and German, header
and footer menus; seeding twice changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from rustok.cli.seed import seed_demo
from rustok.pages.schemas import MenuLocation, PageQuery
from rustok.pages.service import MenuService, PageService

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from tests.pages.conftest import Db


@pytest.mark.backends("sqlite")
async def test_the_demo_seed_adds_pages_and_menus_once(container: Container, db: Db) -> None:
    result = await seed_demo(container)
    first = await db.snapshot()
    await seed_demo(container)

    tenant_id = next(
        user.tenant_id
        for user in await container.auth.list_platform_operators()
        if user.email == result.admin_email
    )
    pages = await container.service(PageService).list_pages(tenant_id, PageQuery(locale="de"))
    home = await container.service(PageService).get_by_slug(tenant_id, "startseite", locale="de")
    header = await container.service(MenuService).list_menus(
        tenant_id, location=MenuLocation.HEADER, locale="de"
    )
    footer = await container.service(MenuService).list_menus(
        tenant_id, location=MenuLocation.FOOTER
    )

    assert await db.snapshot() == first
    assert sorted(page.slug or "" for page in pages.items) == ["kontakt", "startseite", "ueber-uns"]
    assert all(page.status == "published" and page.blocks for page in pages.items)
    assert [block.type for block in home.blocks] == ["hero", "features", "cta"]
    assert home.blocks[0].data["heading"] == "Inhalte und Handel auf einer Plattform"
    assert [(item.label, item.page_slug) for item in header[0].items] == [
        ("Startseite", "startseite"),
        ("Über uns", "ueber-uns"),
        ("Kontakt", "kontakt"),
    ]
    assert [item.label for item in footer[0].items] == ["Contact", "Source code"]
