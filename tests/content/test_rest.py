"""The content REST API on every database: each endpoint, who may call it, what bad input
answers (and that it writes nothing and emits nothing), and tenant walls."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from rustok.core import clock
from tests.content.conftest import caller

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail
    from tests.content.conftest import Callers, Db

NODES = "/api/content/nodes"


def node_body(title: str = "Hello, world", **extra: Any) -> dict[str, Any]:
    return {
        "kind": "article",
        "translations": [
            {"locale": "en", "title": title, "body": "Some *text*", "format": "markdown"}
        ],
        **extra,
    }


async def create(
    client: httpx.AsyncClient, headers: dict[str, str], **extra: Any
) -> dict[str, Any]:
    response = await client.post(NODES, json=node_body(**extra), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_an_editor_uses_every_node_endpoint(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, headers = unlimited_client, callers.admin.headers
    tag = (
        await client.post(
            "/api/content/tags",
            json={"translations": [{"locale": "en", "name": "Python"}]},
            headers=headers,
        )
    ).json()

    node = await create(
        client,
        headers,
        translations=[
            {
                "locale": "en",
                "title": "Hello",
                "body": "<b onclick=x()>hi</b>",
                "format": "html",
                "seo": {"title": "Hello | Acme", "robots": "index, follow"},
            },
            {"locale": "de", "title": "Hallo"},
        ],
    )
    node_id = node["id"]
    got = await client.get(f"{NODES}/{node_id}?locale=de", headers=headers)
    patched = await client.patch(
        f"{NODES}/{node_id}",
        json={"version": 1, "translations": [{"locale": "en", "title": "Hello again"}]},
        headers=headers,
    )
    revisions = await client.get(f"{NODES}/{node_id}/revisions", headers=headers)
    restored = await client.post(
        f"{NODES}/{node_id}/revisions/{revisions.json()[0]['id']}/restore", headers=headers
    )
    published = await client.post(f"{NODES}/{node_id}/publish", headers=headers)
    by_slug = await client.get(
        f"{NODES}/by-slug/hallo?kind=article&locale=de", headers=callers.anonymous
    )
    tagged = await client.post(
        f"{NODES}/{node_id}/tags", json={"tag_ids": [tag["id"]]}, headers=headers
    )
    listed = await client.get(f"{NODES}?tag_id={tag['id']}", headers=callers.anonymous)
    untagged = await client.delete(f"{NODES}/{node_id}/tags/{tag['id']}", headers=headers)
    unpublished = await client.post(f"{NODES}/{node_id}/unpublish", headers=headers)
    scheduled = await client.post(
        f"{NODES}/{node_id}/schedule",
        json={"publish_at": (clock.utcnow() + timedelta(days=1)).isoformat()},
        headers=headers,
    )
    archived = await client.post(f"{NODES}/{node_id}/archive", headers=headers)
    deleted = await client.delete(f"{NODES}/{node_id}", headers=headers)
    gone = await client.get(f"{NODES}/{node_id}", headers=callers.anonymous)
    trash = await client.get(f"{NODES}?deleted=only", headers=headers)
    back = await client.post(f"{NODES}/{node_id}/restore", headers=headers)

    assert node["version"] == 1
    en = next(t for t in node["translations"] if t["locale"] == "en")
    assert en["html"] == "<b>hi</b>"
    assert en["seo"]["title"] == "Hello | Acme"
    assert (got.status_code, got.json()["served_locale"], got.json()["title"]) == (
        200,
        "de",
        "Hallo",
    )
    assert (patched.status_code, patched.json()["title"], patched.json()["version"]) == (
        200,
        "Hello again",
        2,
    )
    assert [r["title"] for r in revisions.json()] == ["Hello"]
    assert (restored.status_code, restored.json()["title"]) == (200, "Hello")
    assert (published.status_code, published.json()["status"]) == (200, "published")
    assert (by_slug.status_code, by_slug.json()["id"]) == (200, node_id)
    assert [t["slug"] for t in tagged.json()["tags"]] == ["python"]
    assert [item["id"] for item in listed.json()["items"]] == [node_id]
    assert (untagged.status_code, untagged.json()["tags"]) == (200, [])
    assert unpublished.json()["status"] == "draft"
    assert (scheduled.status_code, scheduled.json()["status"]) == (200, "scheduled")
    assert archived.json()["status"] == "archived"
    assert (deleted.status_code, gone.status_code) == (204, 404)
    assert [item["id"] for item in trash.json()["items"]] == [node_id]
    assert (back.status_code, back.json()["deleted_at"]) == (200, None)
    assert await db.event_types() == [
        "content.node.created",
        "content.node.updated",
        "content.translation.updated",
        "content.node.updated",
        "content.translation.updated",
        "content.body.updated",
        "content.node.published",
        "content.tag.attached",
        "content.tag.detached",
        "content.node.unpublished",
        "content.node.updated",
        "content.node.archived",
        "content.node.deleted",
        "content.node.restored",
    ]


async def test_categories_and_tags_have_their_own_endpoints(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, headers = unlimited_client, callers.manager.headers
    for base in ("/api/content/categories", "/api/content/tags"):
        created = await client.post(
            base,
            json={
                "translations": [
                    {"locale": "en", "name": "News"},
                    {"locale": "de", "name": "Neues"},
                ]
            },
            headers=headers,
        )
        item_id = created.json()["id"]
        one = await client.get(f"{base}/{item_id}?locale=ru", headers=headers)  # ru -> de
        patched = await client.patch(
            f"{base}/{item_id}",
            json={"translations": [{"locale": "en", "name": "World news", "slug": "world"}]},
            headers=headers,
        )
        listed = await client.get(base, headers=headers)
        removed = await client.delete(f"{base}/{item_id}", headers=headers)
        after = await client.get(f"{base}/{item_id}", headers=headers)

        assert (created.status_code, created.json()["slug"]) == (201, "news"), base
        assert (one.json()["served_locale"], one.json()["name"]) == ("de", "Neues"), base
        assert (patched.status_code, patched.json()["slug"]) == (200, "world"), base
        assert [item["id"] for item in listed.json()["items"]] == [item_id], base
        assert (removed.status_code, after.status_code) == (204, 404), base
    assert await db.event_types() == [
        "content.category.created",
        "content.category.updated",
        "content.category.deleted",
    ]


async def test_the_public_and_customers_read_only_published_nodes_and_write_nothing(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client = unlimited_client
    draft = await create(client, callers.admin.headers, title="Draft")
    live = await create(client, callers.admin.headers, title="Live", status="published")
    before = await db.snapshot()

    anonymous = await client.get(NODES, headers=callers.anonymous)
    customer = await client.get(NODES, headers=callers.customer.headers)
    manager = await client.get(NODES, headers=callers.manager.headers)
    hidden = await client.get(f"{NODES}/{draft['id']}", headers=callers.customer.headers)
    shown = await client.get(f"{NODES}/{live['id']}", headers=callers.anonymous)
    refused = {
        "anonymous create": await client.post(NODES, json=node_body(), headers=callers.anonymous),
        "customer create": await client.post(
            NODES, json=node_body(), headers=callers.customer.headers
        ),
        "customer publish": await client.post(
            f"{NODES}/{draft['id']}/publish", headers=callers.customer.headers
        ),
        "customer category": await client.post(
            "/api/content/categories",
            json={"translations": [{"locale": "en", "name": "X"}]},
            headers=callers.customer.headers,
        ),
        "bad token": await client.get(
            NODES, headers={**callers.anonymous, "Authorization": "Bearer nope"}
        ),
    }

    assert [i["title"] for i in anonymous.json()["items"]] == ["Live"]
    assert [i["title"] for i in customer.json()["items"]] == ["Live"]
    assert [i["title"] for i in manager.json()["items"]] == ["Live", "Draft"]
    assert (hidden.status_code, hidden.json()["code"]) == (404, "NODE_NOT_FOUND")
    assert shown.status_code == 200
    assert {name: r.status_code for name, r in refused.items()} == {
        "anonymous create": 401,
        "customer create": 403,
        "customer publish": 403,
        "customer category": 403,
        "bad token": 401,
    }
    assert await db.snapshot() == before


async def test_an_author_under_own_scope_sees_and_changes_only_its_nodes(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client = unlimited_client
    mine = await create(client, callers.author.headers, title="Mine")
    theirs = await create(client, callers.other_author.headers, title="Theirs")
    before = await db.snapshot()

    listed = await client.get(NODES, headers=callers.author.headers)
    other_draft = await client.get(f"{NODES}/{theirs['id']}", headers=callers.author.headers)
    patch_theirs = await client.patch(
        f"{NODES}/{theirs['id']}",
        json={"version": 1, "position": 2},
        headers=callers.author.headers,
    )
    delete_theirs = await client.delete(f"{NODES}/{theirs['id']}", headers=callers.author.headers)
    reassign = await client.patch(
        f"{NODES}/{mine['id']}",
        json={"version": 1, "author_id": str(callers.other_author.user_id)},
        headers=callers.author.headers,
    )
    assert await db.snapshot() == before
    own = await client.patch(
        f"{NODES}/{mine['id']}",
        json={"version": 1, "position": 2},
        headers=callers.author.headers,
    )

    assert mine["author_id"] == str(callers.author.user_id)
    assert [i["title"] for i in listed.json()["items"]] == ["Mine"]
    assert other_draft.status_code == 404
    for refused in (patch_theirs, delete_theirs, reassign):
        assert (refused.status_code, refused.json()["code"]) == (403, "NOT_OWNER")
    assert [e["field"] for e in reassign.json()["errors"]] == ["body.author_id"]
    assert (own.status_code, own.json()["position"]) == (200, 2)


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"kind": "recipe"}, 422, "UNKNOWN_KIND", "body.kind"),
        ({"kind": "Not A Kind"}, 422, "VALIDATION_ERROR", "body.kind"),
        ({"translations": []}, 422, "VALIDATION_ERROR", "body.translations"),
        (
            {"translations": [{"locale": "english", "title": "x"}]},
            422,
            "VALIDATION_ERROR",
            "body.translations.0.locale",
        ),
        (
            {"translations": [{"locale": "fr", "title": "x"}]},
            422,
            "LOCALE_NOT_ENABLED",
            "body.translations.0.locale",
        ),
        (
            {"translations": [{"locale": "en", "title": ""}]},
            422,
            "VALIDATION_ERROR",
            "body.translations.0.title",
        ),
        (
            {"translations": [{"locale": "en", "title": "x" * 256}]},
            422,
            "VALIDATION_ERROR",
            "body.translations.0.title",
        ),
        (
            {"translations": [{"locale": "en", "title": "x", "excerpt": "x" * 1001}]},
            422,
            "VALIDATION_ERROR",
            "body.translations.0.excerpt",
        ),
        (
            {"translations": [{"locale": "en", "title": "x", "slug": "no spaces"}]},
            422,
            "VALIDATION_ERROR",
            "body.translations.0.slug",
        ),
        (
            {"translations": [{"locale": "en", "title": "x", "format": "rtf"}]},
            422,
            "VALIDATION_ERROR",
            "body.translations.0.format",
        ),
        (
            {"translations": [{"locale": "en", "title": "x", "slug": "taken"}]},
            409,
            "SLUG_TAKEN",
            "body.translations.0.slug",
        ),
        (
            {"parent_id": "00000000-0000-7000-8000-000000000000"},
            422,
            "PARENT_INVALID",
            "body.parent_id",
        ),
        (
            {"category_id": "00000000-0000-7000-8000-000000000000"},
            422,
            "CATEGORY_INVALID",
            "body.category_id",
        ),
        (
            {
                "translations": [
                    {
                        "locale": "en",
                        "title": "x",
                        "seo": {"og_image_id": "00000000-0000-7000-8000-000000000000"},
                    }
                ]
            },
            422,
            "MEDIA_REFERENCE_UNKNOWN",
            "body.translations.0.seo.og_image_id",
        ),
        ({"status": "scheduled"}, 422, "VALIDATION_ERROR", "body"),
        ({"metadata": {"a": "\u0000"}}, 422, "VALIDATION_ERROR", "body.metadata"),
    ],
)
async def test_bad_node_input_is_a_precise_problem_and_writes_nothing(
    unlimited_client: httpx.AsyncClient,
    callers: Callers,
    db: Db,
    change: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    await create(
        unlimited_client,
        callers.admin.headers,
        translations=[{"locale": "en", "title": "Taken", "slug": "taken"}],
    )
    before = await db.snapshot()

    response = await unlimited_client.post(
        NODES, json={**node_body(), **change}, headers=callers.admin.headers
    )

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert [e["field"] for e in response.json()["errors"]][:1] == [field]
    assert await db.snapshot() == before


async def test_a_stale_version_and_a_body_over_the_limit_are_refused(
    make_client: Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]],
    container: Container,
    site: TenantDetail,
    db: Db,
) -> None:
    async with make_client(
        rate_limit_enabled=False, modules={"content": {"max_body_bytes": 100}}
    ) as client:
        admin = await caller(client, container, site, "boss@acme.test", ("admin",))
        node = await create(client, admin.headers)
        before = await db.snapshot()

        stale = await client.patch(
            f"{NODES}/{node['id']}", json={"version": 7, "position": 1}, headers=admin.headers
        )
        large = await client.patch(
            f"{NODES}/{node['id']}",
            json={"version": 1, "translations": [{"locale": "en", "body": "x" * 101}]},
            headers=admin.headers,
        )
        bad_cursor = await client.get(f"{NODES}?after=nonsense", headers=admin.headers)

    assert (stale.status_code, stale.json()["code"]) == (409, "VERSION_CONFLICT")
    assert [e["field"] for e in stale.json()["errors"]] == ["body.version"]
    assert (large.status_code, large.json()["code"]) == (422, "BODY_TOO_LARGE")
    assert [e["field"] for e in large.json()["errors"]] == ["body.translations.0.body"]
    assert (bad_cursor.status_code, bad_cursor.json()["code"]) == (422, "INVALID_CURSOR")
    assert await db.snapshot() == before


async def test_the_node_list_pages_by_cursor(
    unlimited_client: httpx.AsyncClient, callers: Callers
) -> None:
    for index in range(5):
        await create(
            unlimited_client, callers.admin.headers, title=f"Post {index}", status="published"
        )

    titles, cursor = [], None
    while True:
        query = "?limit=2&sort=created_at&kind=article&locale=de" + (
            f"&after={cursor}" if cursor else ""
        )
        page = (await unlimited_client.get(NODES + query, headers=callers.anonymous)).json()
        titles += [item["title"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break

    assert titles == [f"Post {i}" for i in range(5)]


async def test_another_tenants_ids_answer_404_and_change_nothing(
    unlimited_client: httpx.AsyncClient,
    container: Container,
    callers: Callers,
    other_site: TenantDetail,
    db: Db,
) -> None:
    client = unlimited_client
    intruder = await caller(client, container, other_site, "admin@globex.test", ("admin",))
    headers = intruder.headers
    node = await create(client, callers.admin.headers, status="published")
    await client.patch(
        f"{NODES}/{node['id']}",
        json={"version": 1, "translations": [{"locale": "en", "title": "v2", "slug": "v2"}]},
        headers=callers.admin.headers,
    )
    revision = (
        await client.get(f"{NODES}/{node['id']}/revisions", headers=callers.admin.headers)
    ).json()[0]
    category = (
        await client.post(
            "/api/content/categories",
            json={"translations": [{"locale": "en", "name": "News"}]},
            headers=callers.admin.headers,
        )
    ).json()
    tag = (
        await client.post(
            "/api/content/tags",
            json={"translations": [{"locale": "en", "name": "Python"}]},
            headers=callers.admin.headers,
        )
    ).json()
    own_tag = (
        await client.post(
            "/api/content/tags",
            json={"translations": [{"locale": "en", "name": "Mine"}]},
            headers=headers,
        )
    ).json()
    before = await db.snapshot()
    n, c, t = node["id"], category["id"], tag["id"]

    answers = {
        "get node": await client.get(f"{NODES}/{n}", headers=headers),
        "patch node": await client.patch(f"{NODES}/{n}", json={"version": 3}, headers=headers),
        "delete node": await client.delete(f"{NODES}/{n}", headers=headers),
        "publish": await client.post(f"{NODES}/{n}/publish", headers=headers),
        "unpublish": await client.post(f"{NODES}/{n}/unpublish", headers=headers),
        "archive": await client.post(f"{NODES}/{n}/archive", headers=headers),
        "schedule": await client.post(
            f"{NODES}/{n}/schedule", json={"publish_at": "2099-01-01T00:00:00Z"}, headers=headers
        ),
        "restore": await client.post(f"{NODES}/{n}/restore", headers=headers),
        "revisions": await client.get(f"{NODES}/{n}/revisions", headers=headers),
        "restore revision": await client.post(
            f"{NODES}/{n}/revisions/{revision['id']}/restore", headers=headers
        ),
        "attach": await client.post(
            f"{NODES}/{n}/tags", json={"tag_ids": [own_tag["id"]]}, headers=headers
        ),
        "detach": await client.delete(f"{NODES}/{n}/tags/{t}", headers=headers),
        "by slug": await client.get(f"{NODES}/by-slug/v2", headers=headers),
        "get category": await client.get(f"/api/content/categories/{c}", headers=headers),
        "patch category": await client.patch(
            f"/api/content/categories/{c}", json={"position": 3}, headers=headers
        ),
        "delete category": await client.delete(f"/api/content/categories/{c}", headers=headers),
        "get tag": await client.get(f"/api/content/tags/{t}", headers=headers),
        "patch tag": await client.patch(
            f"/api/content/tags/{t}",
            json={"translations": [{"locale": "en", "name": "X"}]},
            headers=headers,
        ),
        "delete tag": await client.delete(f"/api/content/tags/{t}", headers=headers),
    }
    borrowed = {
        "parent": await client.post(NODES, json=node_body(parent_id=n), headers=headers),
        "category": await client.post(NODES, json=node_body(category_id=c), headers=headers),
        "tag": await client.post(NODES, json=node_body(tag_ids=[t]), headers=headers),
        "attach foreign tag": await client.post(
            f"{NODES}/{n}/tags", json={"tag_ids": [t]}, headers=callers.admin.headers
        ),
    }
    listed = await client.get(NODES, headers=headers)

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert {name: r.status_code for name, r in borrowed.items()} == {
        "parent": 422,
        "category": 422,
        "tag": 422,
        "attach foreign tag": 200,
    }
    assert listed.json()["items"] == []
    assert await db.snapshot() == (*before[:-1], before[-1] + 1)  # only the own attach
