"""The forum REST API on every database: each endpoint, who may call it, and what bad input
answers (writing nothing and emitting nothing)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from tests.forum.conftest import Callers, Db

FORUM = "/api/forum"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if status != 204 else None


def problem(response: httpx.Response) -> tuple[int, str, list[str]]:
    body = response.json()
    return (
        response.status_code,
        body["code"],
        [error["field"] for error in body.get("errors", [])],
    )


async def forum_with_topic(
    client: httpx.AsyncClient, callers: Callers
) -> tuple[dict[str, Any], dict[str, Any]]:
    category = await ok(
        await client.post(
            f"{FORUM}/categories",
            json={
                "translations": [
                    {"locale": "en", "title": "General", "description": "Talk"},
                    {"locale": "de", "title": "Allgemein"},
                ]
            },
            headers=callers.manager.headers,
        ),
        201,
    )
    topic = await ok(
        await client.post(
            f"{FORUM}/topics",
            json={
                "category_id": category["id"],
                "translations": [
                    {"locale": "en", "title": "Hello", "body": "Hi <script>x()</script>all"}
                ],
            },
            headers=callers.customer.headers,
        ),
        201,
    )
    return category, topic


async def test_staff_and_customers_use_every_forum_endpoint(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, staff, customer = unlimited_client, callers.manager.headers, callers.customer.headers
    category, topic = await forum_with_topic(client, callers)
    topic_url = f"{FORUM}/topics/{topic['id']}"

    categories = await ok(await client.get(f"{FORUM}/categories?locale=de", headers=staff))
    got_category = await ok(
        await client.get(f"{FORUM}/categories/{category['id']}", headers=callers.anonymous)
    )
    patched_category = await ok(
        await client.patch(
            f"{FORUM}/categories/{category['id']}",
            json={"version": 1, "position": 3},
            headers=staff,
        )
    )
    first = await ok(
        await client.post(
            f"{topic_url}/replies", json={"body": "First **reply**"}, headers=customer
        ),
        201,
    )
    answer = await ok(
        await client.post(
            f"{topic_url}/replies",
            json={"body": "Answer", "parent_id": first["id"], "locale": "de"},
            headers=callers.other_customer.headers,
        ),
        201,
    )
    edited = await ok(
        await client.patch(
            f"{FORUM}/replies/{first['id']}",
            json={"version": 1, "body": "First *edited*"},
            headers=customer,
        )
    )
    pinned = await ok(await client.post(f"{topic_url}/pin", headers=staff))
    unpinned = await ok(await client.post(f"{topic_url}/unpin", headers=staff))
    hidden = await ok(
        await client.post(
            f"{FORUM}/replies/{answer['id']}/moderate", json={"status": "hidden"}, headers=staff
        )
    )
    public_flat = await ok(await client.get(f"{topic_url}/replies", headers=callers.anonymous))
    staff_threaded = await ok(await client.get(f"{topic_url}/replies?view=threaded", headers=staff))
    listed = await ok(
        await client.get(f"{FORUM}/topics?category_id={category['id']}", headers=callers.anonymous)
    )
    got_topic = await ok(await client.get(topic_url, headers=callers.anonymous))
    got_reply = await ok(await client.get(f"{FORUM}/replies/{first['id']}", headers=customer))
    hidden_public = await client.get(f"{FORUM}/replies/{answer['id']}", headers=customer)
    closed = await ok(
        await client.patch(topic_url, json={"version": 1, "status": "closed"}, headers=customer)
    )
    await ok(await client.delete(f"{FORUM}/replies/{first['id']}", headers=customer), 204)
    await ok(await client.delete(topic_url, headers=staff), 204)
    await ok(await client.delete(f"{FORUM}/categories/{category['id']}", headers=staff), 204)

    assert [item["title"] for item in categories["items"]] == ["Allgemein"]
    assert (got_category["title"], got_category["description"]) == ("General", "Talk")
    assert (patched_category["position"], patched_category["version"]) == (3, 2)
    assert topic["translations"][0]["html"] == "<p>Hi all</p>\n"
    assert (topic["author_id"], topic["status"], topic["reply_count"]) == (
        str(callers.customer.user_id),
        "open",
        0,
    )
    assert (first["status"], first["depth"], first["html"]) == (
        "approved",
        1,
        "<p>First <strong>reply</strong></p>\n",
    )
    assert (answer["depth"], answer["parent_id"], answer["locale"]) == (2, first["id"], "de")
    assert (edited["body"], edited["version"]) == ("First *edited*", 2)
    assert (pinned["pinned"], unpinned["pinned"]) == (True, False)
    assert hidden["status"] == "hidden"
    assert [item["id"] for item in public_flat["items"]] == [first["id"]]
    [thread] = staff_threaded["items"]
    assert [(r["id"], r["status"]) for r in thread["replies"]] == [(answer["id"], "hidden")]
    assert [item["id"] for item in listed["items"]] == [topic["id"]]
    assert (got_topic["reply_count"], got_topic["last_reply_id"]) == (1, first["id"])
    assert got_reply["body"] == "First *edited*"
    assert problem(hidden_public) == (404, "REPLY_NOT_FOUND", [])
    assert closed["status"] == "closed"
    assert await db.event_types("forum.") == [
        "forum.reply.created",
        "forum.reply.created",
        "forum.topic.pinned",
        "forum.topic.unpinned",
        "forum.reply.moderated",
        "forum.reply.deleted",
    ]


async def test_bad_input_is_a_precise_problem_that_writes_nothing(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, staff, customer = unlimited_client, callers.manager.headers, callers.customer.headers
    category, topic = await forum_with_topic(client, callers)
    topic_url = f"{FORUM}/topics/{topic['id']}"
    first = await ok(
        await client.post(f"{topic_url}/replies", json={"body": "mine"}, headers=customer), 201
    )
    other = await ok(
        await client.post(
            f"{FORUM}/topics",
            json={
                "category_id": category["id"],
                "translations": [{"locale": "en", "title": "Other", "body": "x"}],
            },
            headers=staff,
        ),
        201,
    )
    elsewhere = await ok(
        await client.post(
            f"{FORUM}/topics/{other['id']}/replies", json={"body": "x"}, headers=staff
        ),
        201,
    )
    await ok(await client.post(f"{topic_url}/lock", headers=staff))
    before = await db.snapshot()

    locked = await client.post(f"{topic_url}/replies", json={"body": "late"}, headers=customer)
    assert problem(locked) == (409, "TOPIC_LOCKED", [])
    assert await db.snapshot() == before
    await ok(await client.post(f"{topic_url}/unlock", headers=staff))
    before = await db.snapshot()
    answers = {
        "foreign_parent": await client.post(
            f"{topic_url}/replies",
            json={"body": "x", "parent_id": elsewhere["id"]},
            headers=customer,
        ),
        "unknown_parent": await client.post(
            f"{topic_url}/replies",
            json={"body": "x", "parent_id": str(uuid.uuid4())},
            headers=customer,
        ),
        "empty_body": await client.post(
            f"{topic_url}/replies", json={"body": "   "}, headers=customer
        ),
        "disabled_locale": await client.post(
            f"{topic_url}/replies", json={"body": "x", "locale": "fr"}, headers=customer
        ),
        "unknown_topic": await client.post(
            f"{FORUM}/topics/{uuid.uuid4()}/replies", json={"body": "x"}, headers=customer
        ),
        "not_a_category": await client.post(
            f"{FORUM}/topics",
            json={
                "category_id": topic["id"],
                "translations": [{"locale": "en", "title": "x", "body": "x"}],
            },
            headers=customer,
        ),
        "others_reply": await client.patch(
            f"{FORUM}/replies/{first['id']}",
            json={"version": 1, "body": "hijack"},
            headers=callers.other_customer.headers,
        ),
        "others_reply_delete": await client.delete(
            f"{FORUM}/replies/{first['id']}", headers=callers.other_customer.headers
        ),
        "customer_pins": await client.post(f"{topic_url}/pin", headers=customer),
        "customer_moderates": await client.post(
            f"{FORUM}/replies/{first['id']}/moderate", json={"status": "hidden"}, headers=customer
        ),
        "bad_status": await client.post(
            f"{FORUM}/replies/{first['id']}/moderate", json={"status": "spam"}, headers=staff
        ),
        "anonymous_topic": await client.post(
            f"{FORUM}/topics",
            json={
                "category_id": category["id"],
                "translations": [{"locale": "en", "title": "x", "body": "x"}],
            },
            headers=callers.anonymous,
        ),
        "stale_topic": await client.patch(
            topic_url, json={"version": 7, "status": "closed"}, headers=customer
        ),
        "category_in_use": await client.delete(
            f"{FORUM}/categories/{category['id']}", headers=staff
        ),
        "customer_category": await client.post(
            f"{FORUM}/categories",
            json={"translations": [{"locale": "en", "title": "x"}]},
            headers=customer,
        ),
        "bad_cursor": await client.get(f"{FORUM}/topics?after=nope", headers=customer),
    }

    assert {name: problem(answer) for name, answer in answers.items()} == {
        "foreign_parent": (422, "PARENT_REPLY_INVALID", ["body.parent_id"]),
        "unknown_parent": (422, "PARENT_REPLY_INVALID", ["body.parent_id"]),
        "empty_body": (422, "VALIDATION_ERROR", ["body.body"]),
        "disabled_locale": (422, "LOCALE_NOT_ENABLED", ["body.locale"]),
        "unknown_topic": (404, "TOPIC_NOT_FOUND", []),
        "not_a_category": (422, "FORUM_CATEGORY_INVALID", ["body.category_id"]),
        "others_reply": (403, "NOT_OWNER", []),
        "others_reply_delete": (403, "NOT_OWNER", []),
        "customer_pins": (403, "FORBIDDEN", []),
        "customer_moderates": (403, "FORBIDDEN", []),
        "bad_status": (422, "VALIDATION_ERROR", ["body.status"]),
        "anonymous_topic": (401, "UNAUTHENTICATED", []),
        "stale_topic": (409, "VERSION_CONFLICT", ["body.version"]),
        "category_in_use": (409, "FORUM_CATEGORY_IN_USE", []),
        "customer_category": (403, "FORBIDDEN", []),
        "bad_cursor": (422, "INVALID_CURSOR", ["cursor"]),
    }
    assert await db.snapshot() == before


async def test_replies_nest_no_deeper_than_the_limit(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, customer = unlimited_client, callers.customer.headers
    _, topic = await forum_with_topic(client, callers)
    parent: str | None = None
    for _ in range(5):  # the default limit
        created = await ok(
            await client.post(
                f"{FORUM}/topics/{topic['id']}/replies",
                json={"body": "deeper", "parent_id": parent},
                headers=customer,
            ),
            201,
        )
        parent = created["id"]
    before = await db.snapshot()

    too_deep = await client.post(
        f"{FORUM}/topics/{topic['id']}/replies",
        json={"body": "too deep", "parent_id": parent},
        headers=customer,
    )
    threaded = await ok(
        await client.get(f"{FORUM}/topics/{topic['id']}/replies?view=threaded", headers=customer)
    )

    assert problem(too_deep) == (422, "REPLY_TOO_DEEP", ["body.parent_id"])
    assert await db.snapshot() == before
    depths = []
    level = threaded["items"]
    while level:
        depths.append(level[0]["depth"])
        level = level[0]["replies"]
    assert depths == [1, 2, 3, 4, 5]
