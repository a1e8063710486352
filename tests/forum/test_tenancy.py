"""Tenant walls of the forum: another tenant's categories, topics and replies answer 404 to
every route and GraphQL field, and nothing of theirs is written or listed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rustok.forum.schemas import ReplyCreate
from tests.forum.conftest import STAFF, caller, make_category, make_topic
from tests.forum.test_rest import FORUM, problem

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.forum.service import ReplyService
    from rustok.tenancy.schemas import TenantDetail
    from tests.forum.conftest import Callers, Db


async def test_another_tenants_forum_is_not_found_by_any_route(
    unlimited_client: httpx.AsyncClient,
    container: Container,
    callers: Callers,
    other_site: TenantDetail,
    replies: ReplyService,
    db: Db,
) -> None:
    client = unlimited_client
    ours = callers.admin.headers
    category = await make_category(container, other_site.id, "Theirs")
    topic = await make_topic(container, other_site.id, category.id)
    reply = await replies.create(
        other_site.id, topic.id, ReplyCreate(body="theirs"), reach=STAFF["replies"]
    )
    before = await db.snapshot()
    body: dict[str, Any] = {"version": 1}

    answers = {
        "get category": await client.get(f"{FORUM}/categories/{category.id}", headers=ours),
        "patch category": await client.patch(
            f"{FORUM}/categories/{category.id}", json=body, headers=ours
        ),
        "delete category": await client.delete(f"{FORUM}/categories/{category.id}", headers=ours),
        "list topics": await client.get(f"{FORUM}/topics?category_id={category.id}", headers=ours),
        "get topic": await client.get(f"{FORUM}/topics/{topic.id}", headers=ours),
        "patch topic": await client.patch(f"{FORUM}/topics/{topic.id}", json=body, headers=ours),
        "delete topic": await client.delete(f"{FORUM}/topics/{topic.id}", headers=ours),
        "pin topic": await client.post(f"{FORUM}/topics/{topic.id}/pin", headers=ours),
        "lock topic": await client.post(f"{FORUM}/topics/{topic.id}/lock", headers=ours),
        "list replies": await client.get(f"{FORUM}/topics/{topic.id}/replies", headers=ours),
        "create reply": await client.post(
            f"{FORUM}/topics/{topic.id}/replies", json={"body": "x"}, headers=ours
        ),
        "get reply": await client.get(f"{FORUM}/replies/{reply.id}", headers=ours),
        "patch reply": await client.patch(
            f"{FORUM}/replies/{reply.id}", json={"version": 1, "body": "x"}, headers=ours
        ),
        "delete reply": await client.delete(f"{FORUM}/replies/{reply.id}", headers=ours),
        "moderate reply": await client.post(
            f"{FORUM}/replies/{reply.id}/moderate", json={"status": "hidden"}, headers=ours
        ),
    }
    listed = await client.get(f"{FORUM}/topics", headers=ours)
    categories = await client.get(f"{FORUM}/categories", headers=ours)

    assert {name: problem(answer)[0] for name, answer in answers.items()} == dict.fromkeys(
        answers, 404
    )
    assert problem(answers["get topic"])[1] == "TOPIC_NOT_FOUND"
    assert problem(answers["get reply"])[1] == "REPLY_NOT_FOUND"
    assert problem(answers["get category"])[1] == "FORUM_CATEGORY_NOT_FOUND"
    assert (listed.json()["items"], categories.json()["items"]) == ([], [])
    assert await db.snapshot() == before


async def test_a_topic_cannot_be_opened_in_another_tenants_category_over_graphql(
    unlimited_client: httpx.AsyncClient,
    container: Container,
    site: TenantDetail,
    other_site: TenantDetail,
    db: Db,
) -> None:
    client = unlimited_client
    ours = await make_category(container, site.id, "Ours")
    topic = await make_topic(container, site.id, ours.id)
    intruder = await caller(client, container, other_site, "admin@globex.test", ("admin",))
    before = await db.snapshot()

    async def gql(query: str, **variables: Any) -> dict[str, Any]:
        response = await client.post(
            "/api/graphql",
            json={"query": query, "variables": variables},
            headers=intruder.headers,
        )
        result: dict[str, Any] = response.json()
        return result

    opened = await gql(
        "mutation($input: JSON!) { createForumTopic(input: $input) { id } }",
        input={
            "category_id": str(ours.id),
            "translations": [{"locale": "en", "title": "x", "body": "x"}],
        },
    )
    read = await gql("query($id: UUID!) { forumTopic(id: $id) { id } }", id=str(topic.id))
    locked = await gql("mutation($id: UUID!) { lockForumTopic(id: $id) { id } }", id=str(topic.id))
    listed = await gql("{ forumTopics { edges { node { id } } } }")

    assert [e["extensions"]["code"] for e in opened["errors"]] == ["FORUM_CATEGORY_INVALID"]
    assert [e["extensions"]["code"] for e in read["errors"]] == ["TOPIC_NOT_FOUND"]
    assert [e["extensions"]["code"] for e in locked["errors"]] == ["TOPIC_NOT_FOUND"]
    assert listed["data"]["forumTopics"]["edges"] == []
    assert await db.snapshot() == before
