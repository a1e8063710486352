"""The pages REST API on every database: each endpoint, who may call it, what bad input answers
(and that it writes nothing and emits nothing)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.pages.conftest import page_body

if TYPE_CHECKING:
    import httpx

    from tests.pages.conftest import Callers, Db

PAGES = "/api/pages"
MENUS = "/api/menus"


async def create_page(
    client: httpx.AsyncClient, headers: dict[str, str], title: str = "About", **extra: Any
) -> dict[str, Any]:
    response = await client.post(PAGES, json=page_body(title, **extra), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def problem_fields(response: httpx.Response) -> list[str]:
    return [item["field"] for item in response.json()["errors"]]


async def test_an_editor_uses_every_page_and_block_endpoint(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, headers = unlimited_client, callers.manager.headers

    page = await create_page(client, headers, template="landing")
    page_id = page["id"]
    hero, text = page["blocks"]
    got = await client.get(f"{PAGES}/{page_id}?locale=de", headers=headers)
    patched = await client.patch(
        f"{PAGES}/{page_id}",
        json={
            "version": 1,
            "template": "contact",
            "translations": [{"locale": "en", "title": "Us"}],
        },
        headers=headers,
    )
    added = await client.post(
        f"{PAGES}/{page_id}/blocks",
        json={"type": "cta", "data": {"heading": "Go", "label": "Now", "url": "/shop"}},
        headers=headers,
    )
    changed = await client.patch(
        f"{PAGES}/{page_id}/blocks/{hero['id']}",
        json={"data": {"heading": "Hey"}},
        headers=headers,
    )
    order = [added.json()["id"], hero["id"], text["id"]]
    reordered = await client.put(
        f"{PAGES}/{page_id}/blocks/order", json={"block_ids": order}, headers=headers
    )
    published = await client.post(f"{PAGES}/{page_id}/publish", headers=headers)
    by_slug = await client.get(f"{PAGES}/by-slug/about-de?locale=de", headers=callers.anonymous)
    blocks = await client.get(f"{PAGES}/{page_id}/blocks", headers=callers.anonymous)
    listed = await client.get(PAGES, headers=callers.anonymous)
    removed = await client.delete(f"{PAGES}/{page_id}/blocks/{text['id']}", headers=headers)
    unpublished = await client.post(f"{PAGES}/{page_id}/unpublish", headers=headers)
    hidden = await client.get(f"{PAGES}/{page_id}", headers=callers.anonymous)
    deleted = await client.delete(f"{PAGES}/{page_id}", headers=headers)

    assert (got.status_code, got.json()["served_locale"], got.json()["title"]) == (
        200,
        "de",
        "About DE",
    )
    assert got.json()["blocks"][0]["data"] == {"heading": "Hallo"}
    assert (patched.status_code, patched.json()["template"], patched.json()["version"]) == (
        200,
        "contact",
        2,
    )
    assert (added.status_code, added.json()["position"]) == (201, 2)
    assert (changed.status_code, changed.json()["data"]) == (200, {"heading": "Hey"})
    assert [b["id"] for b in reordered.json()] == order
    assert (published.status_code, published.json()["status"]) == (200, "published")
    assert (by_slug.status_code, by_slug.json()["id"], by_slug.json()["served_locale"]) == (
        200,
        page_id,
        "de",
    )
    assert [b["id"] for b in by_slug.json()["blocks"]] == order
    assert [b["id"] for b in blocks.json()] == order
    assert [item["id"] for item in listed.json()["items"]] == [page_id]
    assert (removed.status_code, unpublished.json()["status"]) == (204, "draft")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "PAGE_NOT_FOUND")
    assert deleted.status_code == 204
    assert await db.event_types() == [
        "content.node.created",
        "pages.block.created",
        "pages.block.created",
        "content.node.updated",
        "content.translation.updated",
        "pages.block.created",
        "pages.block.updated",
        "pages.block.reordered",
        "content.node.published",
        "pages.block.deleted",
        "content.node.unpublished",
        "content.node.deleted",
    ]


async def test_bad_page_input_is_a_422_naming_the_field_and_writes_nothing(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, headers = unlimited_client, callers.manager.headers
    other = await create_page(client, headers, "Other")
    page = await create_page(client, headers, "Mine")
    before = await db.snapshot()

    cases = {
        "unknown type": (
            PAGES,
            "post",
            page_body(blocks=[{"type": "nope", "data": {}}]),
            "UNKNOWN_BLOCK_TYPE",
            ["body.blocks.0.type"],
        ),
        "bad data": (
            PAGES,
            "post",
            page_body(
                blocks=[{"type": "spacer", "data": {}}, {"type": "faq", "data": {"items": []}}]
            ),
            "BLOCK_DATA_INVALID",
            ["body.blocks.1.data.items"],
        ),
        "unsafe url": (
            PAGES,
            "post",
            page_body(
                blocks=[
                    {
                        "type": "hero",
                        "data": {
                            "heading": "x",
                            "cta_label": "y",
                            "cta_url": "JavaScript:alert(1)",
                        },
                    }
                ]
            ),
            "BLOCK_DATA_INVALID",
            ["body.blocks.0.data.cta_url"],
        ),
        "slug taken": (
            PAGES,
            "post",
            {"translations": [{"locale": "en", "title": "x", "slug": "mine"}]},
            "SLUG_TAKEN",
            ["body.translations.0.slug"],
        ),
        "block of another page": (
            f"{PAGES}/{page['id']}/blocks/order",
            "put",
            {"block_ids": [b["id"] for b in [page["blocks"][1], other["blocks"][0]]]},
            "BLOCK_ORDER_INVALID",
            ["body.block_ids.1", "body.block_ids"],
        ),
        "stale version": (
            f"{PAGES}/{page['id']}",
            "patch",
            {"version": 7, "template": "landing"},
            "VERSION_CONFLICT",
            ["body.version"],
        ),
    }
    for name, (url, method, body, code, fields) in cases.items():
        response = await client.request(method.upper(), url, json=body, headers=headers)
        assert response.status_code in (409, 422), (name, response.text)
        assert (response.json()["code"], problem_fields(response)) == (code, fields), name
    assert await db.snapshot() == before


async def test_the_public_and_customers_read_published_pages_and_write_nothing(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client = unlimited_client
    draft = await create_page(client, callers.admin.headers, "Draft")
    live = await create_page(client, callers.admin.headers, "Live", status="published")
    before = await db.snapshot()

    anonymous = await client.get(PAGES, headers=callers.anonymous)
    customer = await client.get(PAGES, headers=callers.customer.headers)
    manager = await client.get(PAGES, headers=callers.manager.headers)
    hidden = await client.get(f"{PAGES}/{draft['id']}/blocks", headers=callers.customer.headers)
    shown = await client.get(f"{PAGES}/by-slug/live", headers=callers.anonymous)
    writes = {
        "create": await client.post(PAGES, json=page_body(), headers=callers.customer.headers),
        "publish": await client.post(
            f"{PAGES}/{draft['id']}/publish", headers=callers.customer.headers
        ),
        "block": await client.post(
            f"{PAGES}/{live['id']}/blocks",
            json={"type": "spacer", "data": {}},
            headers=callers.anonymous,
        ),
        "menu": await client.post(
            MENUS, json={"name": "x", "location": "header"}, headers=callers.customer.headers
        ),
    }

    assert [item["id"] for item in anonymous.json()["items"]] == [live["id"]]
    assert [item["id"] for item in customer.json()["items"]] == [live["id"]]
    assert [item["id"] for item in manager.json()["items"]] == [live["id"], draft["id"]]
    assert hidden.status_code == 404
    assert (shown.status_code, len(shown.json()["blocks"])) == (200, 2)
    assert {name: r.status_code for name, r in writes.items()} == {
        "create": 403,
        "publish": 403,
        "block": 401,
        "menu": 403,
    }
    assert await db.snapshot() == before


async def test_an_own_page_author_edits_only_its_pages(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client = unlimited_client
    theirs = await create_page(client, callers.admin.headers, "Theirs", status="published")
    mine = await create_page(client, callers.author.headers, "Mine")
    before = await db.snapshot()

    refused = await client.post(
        f"{PAGES}/{theirs['id']}/blocks",
        json={"type": "spacer", "data": {}},
        headers=callers.author.headers,
    )
    menu = await client.post(
        MENUS, json={"name": "x", "location": "header"}, headers=callers.author.headers
    )
    after = await db.snapshot()
    allowed = await client.post(
        f"{PAGES}/{mine['id']}/blocks",
        json={"type": "spacer", "data": {}},
        headers=callers.author.headers,
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "NOT_OWNER")
    assert menu.status_code == 403
    assert after == before
    assert allowed.status_code == 201


async def test_an_editor_uses_every_menu_endpoint(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, headers = unlimited_client, callers.manager.headers
    about = await create_page(client, headers, "About", status="published")

    created = await client.post(
        MENUS,
        json={
            "name": "Main",
            "location": "header",
            "items": [
                {"labels": [{"locale": "en", "label": "About"}], "page_id": about["id"]},
                {"labels": [{"locale": "en", "label": "Shop"}], "url": "/shop"},
            ],
        },
        headers=headers,
    )
    menu_id = created.json()["id"]
    about_item, shop_item = created.json()["items"]
    added = await client.post(
        f"{MENUS}/{menu_id}/items",
        json={
            "labels": [{"locale": "en", "label": "Team"}, {"locale": "de", "label": "Team DE"}],
            "url": "/team",
            "parent_id": about_item["id"],
        },
        headers=headers,
    )
    team = added.json()["items"][0]["children"][0]
    moved = await client.patch(
        f"{MENUS}/{menu_id}/items/{shop_item['id']}",
        json={"position": 0, "labels": [{"locale": "en", "label": "Store"}]},
        headers=headers,
    )
    renamed = await client.patch(f"{MENUS}/{menu_id}", json={"location": "mobile"}, headers=headers)
    public = await client.get(f"{MENUS}?location=mobile&locale=de", headers=callers.anonymous)
    one = await client.get(f"{MENUS}/{menu_id}", headers=callers.anonymous)
    dropped = await client.delete(f"{MENUS}/{menu_id}/items/{about_item['id']}", headers=headers)
    replaced = await client.put(
        f"{MENUS}/{menu_id}/items",
        json={"items": [{"labels": [{"locale": "en", "label": "Home"}], "url": "/"}]},
        headers=headers,
    )
    deleted = await client.delete(f"{MENUS}/{menu_id}", headers=headers)
    gone = await client.get(f"{MENUS}/{menu_id}", headers=callers.anonymous)

    assert created.status_code == 201
    assert about_item["page_slug"] == "about"
    assert (added.status_code, team["label"]) == (201, "Team")
    assert [item["label"] for item in moved.json()["items"]] == ["Store", "About"]
    assert renamed.json()["location"] == "mobile"
    menu = public.json()[0]
    assert [item["label"] for item in menu["items"]] == ["Store", "About"]
    assert menu["items"][1]["children"][0]["label"] == "Team DE"
    assert one.json()["version"] == 4
    assert [item["label"] for item in dropped.json()["items"]] == ["Store"]
    assert [item["label"] for item in replaced.json()["items"]] == ["Home"]
    assert (deleted.status_code, gone.status_code) == (204, 404)
    assert [t for t in await db.event_types() if t.startswith("pages.menu")] == [
        "pages.menu.created",
        "pages.menu.updated",
        "pages.menu.updated",
        "pages.menu.updated",
        "pages.menu.updated",
        "pages.menu.updated",
        "pages.menu.deleted",
    ]


async def test_bad_menu_input_is_a_422_naming_the_field_and_writes_nothing(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, headers = unlimited_client, callers.manager.headers
    menu = (
        await client.post(
            MENUS,
            json={
                "name": "Side",
                "location": "sidebar",
                "items": [
                    {
                        "labels": [{"locale": "en", "label": "A"}],
                        "url": "/a",
                        "children": [{"labels": [{"locale": "en", "label": "B"}], "url": "/b"}],
                    }
                ],
            },
            headers=headers,
        )
    ).json()
    a = menu["items"][0]
    b = a["children"][0]
    before = await db.snapshot()
    label = [{"locale": "en", "label": "X"}]

    cases = {
        "cycle": (
            "patch",
            f"{MENUS}/{menu['id']}/items/{a['id']}",
            {"parent_id": b["id"]},
            "MENU_CYCLE",
            ["body.parent_id"],
        ),
        "javascript url": (
            "post",
            f"{MENUS}/{menu['id']}/items",
            {"labels": label, "url": "javascript:alert(1)"},
            "VALIDATION_ERROR",
            ["body.url"],
        ),
        "unknown page": (
            "post",
            f"{MENUS}/{menu['id']}/items",
            {"labels": label, "page_id": a["id"]},
            "PAGE_REFERENCE_UNKNOWN",
            ["body.page_id"],
        ),
        "too deep": (
            "post",
            f"{MENUS}",
            {
                "name": "Deep",
                "location": "footer",
                "items": [
                    {
                        "labels": label,
                        "url": "/1",
                        "children": [
                            {
                                "labels": label,
                                "url": "/2",
                                "children": [
                                    {
                                        "labels": label,
                                        "url": "/3",
                                        "children": [{"labels": label, "url": "/4"}],
                                    }
                                ],
                            }
                        ],
                    }
                ],
            },
            "MENU_TOO_DEEP",
            ["body.items.0.children.0.children.0.children.0"],
        ),
        "disabled locale": (
            "post",
            f"{MENUS}/{menu['id']}/items",
            {"labels": [{"locale": "fr", "label": "X"}], "url": "/x"},
            "LOCALE_NOT_ENABLED",
            ["body.labels.0.locale"],
        ),
        "bad location": (
            "post",
            MENUS,
            {"name": "x", "location": "basement"},
            "VALIDATION_ERROR",
            ["body.location"],
        ),
    }
    for name, (method, url, body, code, fields) in cases.items():
        response = await client.request(method.upper(), url, json=body, headers=headers)
        assert response.status_code == 422, (name, response.text)
        assert (response.json()["code"], problem_fields(response)) == (code, fields), name
    assert await db.snapshot() == before
