"""The forum over GraphQL: every mutation with REST's rules and error codes, and a page of
topics with titles, translations, authors and counts in a constant number of statements."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from rustok.core.permissions import Action, Permission, Reach, Scope
from rustok.forum.permissions import FORUM_TOPICS
from tests.forum.conftest import make_category, make_topic

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail
    from tests.forum.conftest import Callers, Db

PAGE = """
query Page($first: Int!, $locale: String) {
  forumTopics(first: $first, locale: $locale) {
    edges { node { id title servedLocale pinned locked replyCount lastActivityAt
      translations { locale title html }
      author { id name } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def gql(
    client: httpx.AsyncClient, query: str, headers: dict[str, str], **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


@contextmanager
def statements(container: Container) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs on forum, content and user tables inside the
    block (the relay's polls of the outbox run on their own clock and are left out)."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement = str(args[2])
        if "forum_" in statement or "content_" in statement or "users" in statement:
            seen.append(statement)

    engine = container.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_page_of_topics_costs_the_same_statements_for_5_and_30_topics(
    client: httpx.AsyncClient, container: Container, callers: Callers, site: TenantDetail
) -> None:
    category = await make_category(container, site.id)
    author = Reach(Permission(FORUM_TOPICS, Action.CREATE), Scope.ALL, callers.customer.user_id)
    for index in range(30):
        await make_topic(container, site.id, category.id, f"Topic {index}", reach=author)
    await gql(client, PAGE, callers.anonymous, first=1)  # warm the tenant cache

    with statements(container) as small:
        five = await gql(client, PAGE, callers.anonymous, first=5, locale="de")
    with statements(container) as large:
        thirty = await gql(client, PAGE, callers.anonymous, first=30, locale="de")

    assert "errors" not in thirty, thirty
    edges = thirty["data"]["forumTopics"]["edges"]
    assert len(five["data"]["forumTopics"]["edges"]) == 5
    assert len(edges) == 30
    first = edges[0]["node"]
    assert (first["title"], first["servedLocale"], first["replyCount"]) == (
        "Topic 29 (de)",
        "de",
        0,
    )
    assert first["author"] == {"id": str(callers.customer.user_id), "name": ""}
    assert [t["locale"] for t in first["translations"]] == ["de", "en"]
    assert len(large) == len(small), "\n".join(large)
    # topics, their nodes, translations (+ bodies, SEO) and authors; docs/forum.md has it.
    assert len(large) == 6, "\n".join(large)


async def test_every_mutation_works_with_the_rest_rules(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, staff, customer = unlimited_client, callers.manager.headers, callers.customer.headers
    category = (
        await gql(
            client,
            "mutation($input: JSON!) { createForumCategory(input: $input) { id version title } }",
            staff,
            input={"translations": [{"locale": "en", "title": "General"}]},
        )
    )["data"]["createForumCategory"]
    updated_category = await gql(
        client,
        "mutation($id: UUID!, $input: JSON!) { updateForumCategory(id: $id, input: $input)"
        " { position version } }",
        staff,
        id=category["id"],
        input={"version": 1, "position": 2},
    )
    topic = (
        await gql(
            client,
            "mutation($input: JSON!) { createForumTopic(input: $input) { id title status } }",
            customer,
            input={
                "category_id": category["id"],
                "translations": [{"locale": "en", "title": "Hi", "body": "Hello"}],
            },
        )
    )["data"]["createForumTopic"]
    reply = (
        await gql(
            client,
            "mutation($t: UUID!, $input: JSON!) { createForumReply(topicId: $t, input: $input)"
            " { id status depth html author { id } } }",
            customer,
            t=topic["id"],
            input={"body": "A *reply*"},
        )
    )["data"]["createForumReply"]
    edited = await gql(
        client,
        "mutation($id: UUID!, $input: JSON!) { updateForumReply(id: $id, input: $input)"
        " { body version } }",
        customer,
        id=reply["id"],
        input={"version": 1, "body": "Edited"},
    )
    flags = [
        (
            await gql(
                client,
                f"mutation($id: UUID!) {{ {name}(id: $id) {{ pinned locked }} }}",
                staff,
                id=topic["id"],
            )
        )["data"][name]
        for name in ("pinForumTopic", "lockForumTopic", "unlockForumTopic", "unpinForumTopic")
    ]
    moderated = await gql(
        client,
        'mutation($id: UUID!) { moderateForumReply(id: $id, status: "hidden") { status } }',
        staff,
        id=reply["id"],
    )
    read = await gql(
        client,
        "query($id: UUID!) { forumTopic(id: $id) { title replyCount"
        ' replies(view: "threaded") { items { id status } } } }',
        staff,
        id=topic["id"],
    )
    public = await gql(
        client,
        "query($id: UUID!) { forumTopic(id: $id) { replies { items { id } } } }",
        callers.anonymous,
        id=topic["id"],
    )
    closed = await gql(
        client,
        "mutation($id: UUID!, $input: JSON!) { updateForumTopic(id: $id, input: $input)"
        " { status version } }",
        customer,
        id=topic["id"],
        input={"version": 1, "status": "closed"},
    )
    deleted_reply = await gql(
        client, "mutation($id: UUID!) { deleteForumReply(id: $id) }", staff, id=reply["id"]
    )
    deleted_topic = await gql(
        client, "mutation($id: UUID!) { deleteForumTopic(id: $id) }", customer, id=topic["id"]
    )
    deleted_category = await gql(
        client, "mutation($id: UUID!) { deleteForumCategory(id: $id) }", staff, id=category["id"]
    )
    categories = await gql(client, "{ forumCategories { items { id } } }", callers.anonymous)

    assert updated_category["data"]["updateForumCategory"] == {"position": 2, "version": 2}
    assert topic["status"] == "open"
    assert (reply["status"], reply["depth"], reply["html"]) == (
        "approved",
        1,
        "<p>A <em>reply</em></p>\n",
    )
    assert reply["author"] == {"id": str(callers.customer.user_id)}
    assert edited["data"]["updateForumReply"] == {"body": "Edited", "version": 2}
    assert flags == [
        {"pinned": True, "locked": False},
        {"pinned": True, "locked": True},
        {"pinned": True, "locked": False},
        {"pinned": False, "locked": False},
    ]
    assert moderated["data"]["moderateForumReply"] == {"status": "hidden"}
    assert read["data"]["forumTopic"] == {
        "title": "Hi",
        "replyCount": 0,
        "replies": {"items": [{"id": reply["id"], "status": "hidden"}]},
    }
    assert public["data"]["forumTopic"]["replies"]["items"] == []
    assert closed["data"]["updateForumTopic"] == {"status": "closed", "version": 2}
    assert (deleted_reply["data"], deleted_topic["data"], deleted_category["data"]) == (
        {"deleteForumReply": True},
        {"deleteForumTopic": True},
        {"deleteForumCategory": True},
    )
    assert categories["data"]["forumCategories"]["items"] == []
    assert "forum.reply.moderated" in await db.event_types("forum.")


async def test_mutations_refuse_bad_input_and_callers_without_the_permission(
    unlimited_client: httpx.AsyncClient,
    container: Container,
    callers: Callers,
    site: TenantDetail,
    db: Db,
) -> None:
    client, customer = unlimited_client, callers.customer.headers
    category = await make_category(container, site.id)
    topic = await make_topic(container, site.id, category.id)
    await gql(
        client,
        "mutation($id: UUID!) { lockForumTopic(id: $id) { locked } }",
        callers.manager.headers,
        id=str(topic.id),
    )
    before = await db.snapshot()
    reply = (
        "mutation($t: UUID!, $input: JSON!) { createForumReply(topicId: $t, input: $input) { id } }"
    )

    locked = await gql(client, reply, customer, t=str(topic.id), input={"body": "late"})
    empty = await gql(client, reply, customer, t=str(topic.id), input={"body": ""})
    anonymous = await gql(client, reply, callers.anonymous, t=str(topic.id), input={"body": "x"})
    pin = await gql(
        client, "mutation($id: UUID!) { pinForumTopic(id: $id) { id } }", customer, id=str(topic.id)
    )
    bad_view = await gql(
        client,
        'query($id: UUID!) { forumTopic(id: $id) { replies(view: "tree") { items { id } } } }',
        customer,
        id=str(topic.id),
    )

    assert codes(locked) == ["TOPIC_LOCKED"]
    assert codes(empty) == ["VALIDATION_ERROR"]
    assert empty["errors"][0]["extensions"]["fields"][0]["field"] == "input.body"
    assert codes(anonymous) == ["UNAUTHENTICATED"]
    assert codes(pin) == ["FORBIDDEN"]
    assert codes(bad_view) == ["VALIDATION_ERROR"]
    assert await db.snapshot() == before
