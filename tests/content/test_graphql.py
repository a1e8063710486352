"""Content over GraphQL: queries and mutations with REST's rules and error codes, and a page
of nodes with translations, author, category and tags in a constant number of statements."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from rustok.content.permissions import NODES
from rustok.content.schemas import CategoryCreate, NodeCreate, TagCreate
from rustok.content.service import CategoryService, NodeService, TagService
from rustok.core.permissions import Action, Permission, Reach, Scope
from tests.content.conftest import caller

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail
    from tests.content.conftest import Callers, Db

PAGE = """
query Page($first: Int!, $locale: String) {
  nodes(first: $first, kind: "article", locale: $locale) {
    edges { node { id title servedLocale
      translations { locale title slug html }
      author { id name }
      category { name slug }
      tags { name slug } } }
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
    """The SQL statements the app's engine runs on content and user tables inside the block
    (the relay's polls of the outbox run on their own clock and are left out)."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement = str(args[2])
        if "content_" in statement or "users" in statement:
            seen.append(statement)

    engine = container.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def seed_articles(
    container: Container, site: TenantDetail, author_id: Any, count: int
) -> None:
    editor = Reach(Permission(NODES, Action.MANAGE), Scope.ALL, author_id)
    category = await container.service(CategoryService).create(
        site.id,
        CategoryCreate.model_validate({"translations": [{"locale": "en", "name": "News"}]}),
        reach=editor,
    )
    tags = [
        await container.service(TagService).create(
            site.id,
            TagCreate.model_validate({"translations": [{"locale": "en", "name": f"Tag {i}"}]}),
            reach=editor,
        )
        for i in range(3)
    ]
    nodes = container.service(NodeService)
    for index in range(count):
        await nodes.create(
            site.id,
            NodeCreate.model_validate(
                {
                    "kind": "article",
                    "status": "published",
                    "category_id": category.id,
                    "tag_ids": [tags[index % 3].id],
                    "translations": [
                        {"locale": "en", "title": f"Post {index}", "body": "*hi*"},
                        {"locale": "de", "title": f"Beitrag {index}"},
                    ],
                }
            ),
            reach=editor,
        )


async def test_a_page_of_nodes_costs_the_same_statements_for_5_and_50_nodes(
    client: httpx.AsyncClient,
    container: Container,
    callers: Callers,
    site: TenantDetail,
) -> None:
    site_headers = callers.anonymous
    await seed_articles(container, site, callers.admin.user_id, 50)
    await gql(client, PAGE, site_headers, first=1)  # warm the tenant cache

    with statements(container) as small:
        five = await gql(client, PAGE, site_headers, first=5, locale="de")
    with statements(container) as large:
        fifty = await gql(client, PAGE, site_headers, first=50, locale="de")

    assert "errors" not in fifty, fifty
    edges = fifty["data"]["nodes"]["edges"]
    assert len(five["data"]["nodes"]["edges"]) == 5
    assert len(edges) == 50
    first = edges[0]["node"]
    assert (first["title"], first["servedLocale"]) == ("Beitrag 49", "de")
    assert first["author"] == {"id": str(callers.admin.user_id), "name": ""}
    assert first["category"] == {"name": "News", "slug": "news"}
    assert first["tags"] == [{"name": "Tag 1", "slug": "tag-1"}]
    assert len(large) == len(small), "\n".join(large)
    # nodes, translations (+ bodies, SEO), authors, categories (+ names), tags (+ names), and
    # the read transactions around them; the figure is in docs/content.md.
    assert len(large) == 9, "\n".join(large)
    print(f"statements for 50 nodes: {len(large)}")  # noqa: T201 - reported by -s


CREATE = """
mutation Create($input: NodeCreateInput!) {
  createNode(input: $input) { id version status title translations { locale slug html } }
}
"""


async def test_mutations_create_update_publish_unpublish_and_delete(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, admin = unlimited_client, callers.admin.headers
    created = await gql(
        client,
        CREATE,
        admin,
        input={
            "kind": "article",
            "metadata": {"featured": True},
            "translations": [
                {"locale": "en", "title": "Hello", "body": "<script>x</script>\n\n**b**"}
            ],
        },
    )
    node = created["data"]["createNode"]
    node_id = node["id"]
    hidden = await gql(
        client, "query($id: UUID!) { node(id: $id) { id } }", callers.anonymous, id=node_id
    )
    updated = await gql(
        client,
        """mutation($id: UUID!, $input: NodeUpdateInput!) {
             updateNode(id: $id, input: $input) { version title position } }""",
        admin,
        id=node_id,
        input={"version": 1, "position": 4, "translations": [{"locale": "en", "title": "Hi"}]},
    )
    stale = await gql(
        client,
        """mutation($id: UUID!, $input: NodeUpdateInput!) {
             updateNode(id: $id, input: $input) { version } }""",
        admin,
        id=node_id,
        input={"version": 1, "position": 5},
    )
    published = await gql(
        client, "mutation($id: UUID!) { publishNode(id: $id) { status } }", admin, id=node_id
    )
    by_slug = await gql(
        client,
        '{ nodeBySlug(slug: "hello", kind: "article") { id title author { id } } }',
        callers.anonymous,
    )
    unpublished = await gql(
        client, "mutation($id: UUID!) { unpublishNode(id: $id) { status } }", admin, id=node_id
    )
    deleted = await gql(client, "mutation($id: UUID!) { deleteNode(id: $id) }", admin, id=node_id)

    assert (node["version"], node["status"], node["title"]) == (1, "draft", "Hello")
    assert node["translations"] == [
        {"locale": "en", "slug": "hello", "html": "\n<p><strong>b</strong></p>\n"}
    ]
    assert codes(hidden) == ["NODE_NOT_FOUND"]
    assert updated["data"]["updateNode"] == {"version": 2, "title": "Hi", "position": 4}
    assert codes(stale) == ["VERSION_CONFLICT"]
    assert published["data"]["publishNode"] == {"status": "published"}
    assert by_slug["data"]["nodeBySlug"] == {
        "id": node_id,
        "title": "Hi",
        "author": {"id": str(callers.admin.user_id)},
    }
    assert unpublished["data"]["unpublishNode"] == {"status": "draft"}
    assert deleted["data"]["deleteNode"] is True
    assert await db.event_types() == [
        "content.node.created",
        "content.node.updated",
        "content.translation.updated",
        "content.node.published",
        "content.node.unpublished",
        "content.node.deleted",
    ]


async def test_mutations_refuse_bad_input_and_callers_without_the_permission(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client = unlimited_client
    before = await db.snapshot()

    unknown_kind = await gql(
        client,
        CREATE,
        callers.admin.headers,
        input={"kind": "recipe", "translations": [{"locale": "en", "title": "x"}]},
    )
    bad_locale = await gql(
        client,
        CREATE,
        callers.admin.headers,
        input={"kind": "article", "translations": [{"locale": "fr", "title": "x"}]},
    )
    empty_title = await gql(
        client,
        CREATE,
        callers.admin.headers,
        input={"kind": "article", "translations": [{"locale": "en", "title": ""}]},
    )
    customer = await gql(
        client,
        CREATE,
        callers.customer.headers,
        input={"kind": "article", "translations": [{"locale": "en", "title": "x"}]},
    )
    anonymous = await gql(
        client,
        CREATE,
        callers.anonymous,
        input={"kind": "article", "translations": [{"locale": "en", "title": "x"}]},
    )

    assert codes(unknown_kind) == ["UNKNOWN_KIND"]
    assert codes(bad_locale) == ["LOCALE_NOT_ENABLED"]
    assert codes(empty_title) == ["VALIDATION_ERROR"]
    assert codes(customer) == ["FORBIDDEN"]
    assert codes(anonymous) == ["UNAUTHENTICATED"]
    assert await db.snapshot() == before


async def test_another_tenants_nodes_are_not_found_over_graphql(
    unlimited_client: httpx.AsyncClient,
    container: Container,
    callers: Callers,
    other_site: TenantDetail,
    db: Db,
) -> None:
    client = unlimited_client
    intruder = await caller(client, container, other_site, "admin@globex.test", ("admin",))
    node = (
        await gql(
            client,
            CREATE,
            callers.admin.headers,
            input={
                "kind": "article",
                "status": "published",
                "translations": [{"locale": "en", "title": "Ours"}],
            },
        )
    )["data"]["createNode"]
    before = await db.snapshot()

    read = await gql(
        client, "query($id: UUID!) { node(id: $id) { id } }", intruder.headers, id=node["id"]
    )
    listed = await gql(client, "{ nodes { edges { node { id } } } }", intruder.headers)
    publish = await gql(
        client,
        "mutation($id: UUID!) { unpublishNode(id: $id) { id } }",
        intruder.headers,
        id=node["id"],
    )
    delete = await gql(
        client, "mutation($id: UUID!) { deleteNode(id: $id) }", intruder.headers, id=node["id"]
    )
    categories = await gql(
        client, "{ categories { items { id } } tags { items { id } } }", intruder.headers
    )

    assert codes(read) == codes(publish) == codes(delete) == ["NODE_NOT_FOUND"]
    assert listed["data"]["nodes"]["edges"] == []
    assert categories["data"] == {"categories": {"items": []}, "tags": {"items": []}}
    assert await db.snapshot() == before


async def test_the_rest_of_the_node_lifecycle_and_tags_over_graphql(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, admin = unlimited_client, callers.admin.headers
    tag = (
        await gql(
            client,
            "mutation($input: JSON!) { createTag(input: $input) { id name slug } }",
            admin,
            input={"translations": [{"locale": "en", "name": "Rust Lang"}]},
        )
    )["data"]["createTag"]
    node_id = (
        await gql(
            client,
            CREATE,
            admin,
            input={"kind": "article", "translations": [{"locale": "en", "title": "First"}]},
        )
    )["data"]["createNode"]["id"]
    await gql(
        client,
        """mutation($id: UUID!, $input: NodeUpdateInput!) {
             updateNode(id: $id, input: $input) { version } }""",
        admin,
        id=node_id,
        input={"version": 1, "translations": [{"locale": "en", "title": "Second"}]},
    )

    attached = await gql(
        client,
        """mutation($id: UUID!, $tags: [UUID!]!) {
             attachTags(id: $id, tagIds: $tags) { tags { slug } } }""",
        admin,
        id=node_id,
        tags=[tag["id"]],
    )
    revisions = await gql(
        client,
        "query($id: UUID!) { nodeRevisions(id: $id) { id title nodeVersion } }",
        admin,
        id=node_id,
    )
    revision = revisions["data"]["nodeRevisions"][0]
    restored_revision = await gql(
        client,
        """mutation($id: UUID!, $rev: UUID!) {
             restoreRevision(id: $id, revisionId: $rev) { title } }""",
        admin,
        id=node_id,
        rev=revision["id"],
    )
    detached = await gql(
        client,
        "mutation($id: UUID!, $tag: UUID!) { detachTag(id: $id, tagId: $tag) { tags { slug } } }",
        admin,
        id=node_id,
        tag=tag["id"],
    )
    scheduled = await gql(
        client,
        """mutation($id: UUID!) {
             scheduleNode(id: $id, publishAt: "2040-01-01T09:00:00Z") { status publishAt } }""",
        admin,
        id=node_id,
    )
    archived = await gql(
        client, "mutation($id: UUID!) { archiveNode(id: $id) { status } }", admin, id=node_id
    )
    await gql(client, "mutation($id: UUID!) { deleteNode(id: $id) }", admin, id=node_id)
    restored = await gql(
        client, "mutation($id: UUID!) { restoreNode(id: $id) { id status } }", admin, id=node_id
    )
    deleted_tag = await gql(
        client, "mutation($id: UUID!) { deleteTag(id: $id) }", admin, id=tag["id"]
    )

    assert tag["name"] == "Rust Lang"
    assert tag["slug"] == "rust-lang"
    assert attached["data"]["attachTags"] == {"tags": [{"slug": "rust-lang"}]}
    assert revision == {"id": revision["id"], "title": "First", "nodeVersion": 1}
    assert restored_revision["data"]["restoreRevision"] == {"title": "First"}
    assert detached["data"]["detachTag"] == {"tags": []}
    assert scheduled["data"]["scheduleNode"] == {
        "status": "scheduled",
        "publishAt": "2040-01-01T09:00:00+00:00",
    }
    assert archived["data"]["archiveNode"] == {"status": "archived"}
    assert restored["data"]["restoreNode"] == {"id": node_id, "status": "archived"}
    assert deleted_tag["data"]["deleteTag"] == tag["id"]
    assert "content.tag.attached" in await db.event_types()
    assert "content.tag.detached" in await db.event_types()
    assert "content.node.restored" in await db.event_types()


async def test_category_mutations_check_input_and_permissions(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, admin = unlimited_client, callers.admin.headers
    create = "mutation($input: JSON!) { createCategory(input: $input) { id name slug position } }"
    created = (
        await gql(client, create, admin, input={"translations": [{"locale": "en", "name": "News"}]})
    )["data"]["createCategory"]
    updated = await gql(
        client,
        """mutation($id: UUID!, $input: JSON!) {
             updateCategory(id: $id, input: $input) { name position } }""",
        admin,
        id=created["id"],
        input={"position": 3, "translations": [{"locale": "en", "name": "World"}]},
    )
    before = await db.snapshot()
    events_before = await db.event_types()
    empty_name = await gql(
        client, create, admin, input={"translations": [{"locale": "en", "name": ""}]}
    )
    customer = await gql(
        client,
        create,
        callers.customer.headers,
        input={"translations": [{"locale": "en", "name": "Mine"}]},
    )
    naive_time = await gql(
        client,
        """mutation($id: UUID!) {
             scheduleNode(id: $id, publishAt: "2040-01-01T09:00:00") { id } }""",
        admin,
        id=created["id"],
    )
    unchanged = (await db.snapshot(), await db.event_types())
    deleted = await gql(
        client, "mutation($id: UUID!) { deleteCategory(id: $id) }", admin, id=created["id"]
    )

    assert created["name"] == "News"
    assert created["slug"] == "news"
    assert updated["data"]["updateCategory"] == {"name": "World", "position": 3}
    assert codes(empty_name) == ["VALIDATION_ERROR"]
    assert empty_name["errors"][0]["extensions"]["fields"][0]["field"].startswith(
        "input.translations.0.name"
    )
    assert codes(customer) == ["FORBIDDEN"]
    assert codes(naive_time) == ["VALIDATION_ERROR"]
    assert unchanged == (before, events_before)
    assert deleted["data"]["deleteCategory"] == created["id"]
