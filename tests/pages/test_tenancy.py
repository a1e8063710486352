"""Tenants are walls: another tenant's pages, blocks, menus and items answer 404 over REST and
GraphQL, whatever the caller may do in its own tenant, and nothing changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.content.conftest import caller
from tests.pages.test_rest import MENUS, PAGES, create_page

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail
    from tests.pages.conftest import Callers, Db


async def test_another_tenants_ids_answer_404_and_change_nothing(
    unlimited_client: httpx.AsyncClient,
    container: Container,
    callers: Callers,
    other_site: TenantDetail,
    db: Db,
) -> None:
    client = unlimited_client
    intruder = (
        await caller(client, container, other_site, "admin@globex.test", ("admin",))
    ).headers
    page = await create_page(client, callers.admin.headers, status="published")
    block = page["blocks"][0]["id"]
    menu = (
        await client.post(
            MENUS,
            json={
                "name": "Main",
                "location": "header",
                "items": [{"labels": [{"locale": "en", "label": "A"}], "page_id": page["id"]}],
            },
            headers=callers.admin.headers,
        )
    ).json()
    item = menu["items"][0]["id"]
    own_menu = (
        await client.post(MENUS, json={"name": "Mine", "location": "header"}, headers=intruder)
    ).json()
    before = await db.snapshot()

    spacer = {"type": "spacer", "data": {}}
    label = [{"locale": "en", "label": "X"}]
    attempts = {
        "get page": ("GET", f"{PAGES}/{page['id']}", None),
        "by slug": ("GET", f"{PAGES}/by-slug/about", None),
        "update page": ("PATCH", f"{PAGES}/{page['id']}", {"version": 1, "template": "landing"}),
        "publish": ("POST", f"{PAGES}/{page['id']}/publish", None),
        "unpublish": ("POST", f"{PAGES}/{page['id']}/unpublish", None),
        "delete page": ("DELETE", f"{PAGES}/{page['id']}", None),
        "blocks": ("GET", f"{PAGES}/{page['id']}/blocks", None),
        "add block": ("POST", f"{PAGES}/{page['id']}/blocks", spacer),
        "update block": ("PATCH", f"{PAGES}/{page['id']}/blocks/{block}", {"data": {}}),
        "delete block": ("DELETE", f"{PAGES}/{page['id']}/blocks/{block}", None),
        "order": ("PUT", f"{PAGES}/{page['id']}/blocks/order", {"block_ids": [block]}),
        "get menu": ("GET", f"{MENUS}/{menu['id']}", None),
        "update menu": ("PATCH", f"{MENUS}/{menu['id']}", {"name": "x"}),
        "delete menu": ("DELETE", f"{MENUS}/{menu['id']}", None),
        "replace items": ("PUT", f"{MENUS}/{menu['id']}/items", {"items": []}),
        "add item": ("POST", f"{MENUS}/{menu['id']}/items", {"labels": label, "url": "/x"}),
        "update item": ("PATCH", f"{MENUS}/{menu['id']}/items/{item}", {"url": "/x"}),
        "delete item": ("DELETE", f"{MENUS}/{menu['id']}/items/{item}", None),
    }
    answers = {
        name: (await client.request(method, url, json=body, headers=intruder)).status_code
        for name, (method, url, body) in attempts.items()
    }
    linked = await client.post(
        f"{MENUS}/{own_menu['id']}/items",
        json={"labels": label, "page_id": page["id"]},
        headers=intruder,
    )
    listed_pages = await client.get(PAGES, headers=intruder)
    listed_menus = await client.get(MENUS, headers=intruder)
    graphql = await client.post(
        "/api/graphql",
        json={"query": f'{{ page(id: "{page["id"]}") {{ id }} }}'},
        headers=intruder,
    )

    assert answers == dict.fromkeys(attempts, 404)
    assert (linked.status_code, linked.json()["code"]) == (422, "PAGE_REFERENCE_UNKNOWN")
    assert listed_pages.json()["items"] == []
    assert [m["name"] for m in listed_menus.json()] == ["Mine"]
    assert graphql.json()["errors"][0]["extensions"]["code"] == "PAGE_NOT_FOUND"
    assert await db.snapshot() == before
