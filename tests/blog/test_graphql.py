"""The blog over GraphQL: posts with authors, categories and tags in a constant number of
statements, comments, and mutations with REST's rules and codes."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import event

from rustok.blog.permissions import POSTS
from rustok.blog.schemas import PostCreate
from rustok.blog.service import PostService
from rustok.content.schemas import CategoryCreate, TagCreate
from rustok.content.service import CategoryService, TagService
from rustok.core.permissions import Action, Permission, Reach, Scope
from tests.blog.conftest import GUEST

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail
    from tests.blog.conftest import Db
    from tests.content.conftest import Callers

PAGE = """
query Page($first: Int!, $locale: String) {
  posts(first: $first, locale: $locale) {
    edges { node { id title servedLocale readingMinutes commentCount
      translations { locale title html readingMinutes }
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
    """The SQL statements the app's engine runs on content, blog and user tables."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement = str(args[2])
        if any(name in statement for name in ("content_", "blog_", "users")):
            seen.append(statement)

    engine = container.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def seed_posts(container: Container, site: TenantDetail, author_id: Any, count: int) -> None:
    editor = Reach(Permission(POSTS, Action.MANAGE), Scope.ALL, author_id)
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
    for index in range(count):
        await container.service(PostService).create(
            site.id,
            PostCreate.model_validate(
                {
                    "status": "published",
                    "category_id": category.id,
                    "tag_ids": [tags[index % 3].id],
                    "translations": [
                        {"locale": "en", "title": f"Post {index}", "body": "word " * 250},
                        {"locale": "de", "title": f"Beitrag {index}", "body": "Wort"},
                    ],
                }
            ),
            reach=editor,
        )


async def test_a_page_of_posts_costs_the_same_statements_for_5_and_50_posts(
    client: httpx.AsyncClient, container: Container, callers: Callers, site: TenantDetail
) -> None:
    await seed_posts(container, site, callers.admin.user_id, 50)
    await gql(client, PAGE, callers.anonymous, first=1)  # warm the tenant cache

    with statements(container) as small:
        five = await gql(client, PAGE, callers.anonymous, first=5, locale="de")
    with statements(container) as large:
        fifty = await gql(client, PAGE, callers.anonymous, first=50, locale="de")

    assert "errors" not in fifty, fifty
    edges = fifty["data"]["posts"]["edges"]
    assert (len(five["data"]["posts"]["edges"]), len(edges)) == (5, 50)
    first = edges[0]["node"]
    assert (first["title"], first["servedLocale"], first["readingMinutes"]) == (
        "Beitrag 49",
        "de",
        1,
    )
    assert {t["locale"]: t["readingMinutes"] for t in first["translations"]} == {"en": 2, "de": 1}
    assert first["author"] == {"id": str(callers.admin.user_id), "name": ""}
    assert first["category"] == {"name": "News", "slug": "news"}
    assert first["tags"] == [{"name": "Tag 1", "slug": "tag-1"}]
    assert len(large) == len(small), "\n".join(large)
    # posts, translations, bodies, SEO, tag links, tag names, comment counters, authors,
    # categories (+ names): docs/blog.md has the figure.
    assert len(large) == 10, "\n".join(large)


MUTATIONS = """
mutation Write($title: String!) {
  createPost(input: {status: "published", translations: [{locale: "en", title: $title}]}) {
    id version status title commentsOpen
  }
}
"""


async def test_mutations_write_posts_and_moderate_comments(
    client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    created = await gql(client, MUTATIONS, callers.admin.headers, title="Hello")
    post = created["data"]["createPost"]
    updated = await gql(
        client,
        """mutation($id: UUID!) { updatePost(id: $id, input: {version: 1, commentsOpen: true,
            translations: [{locale: "en", title: "Hello again"}]}) { title version } }""",
        callers.admin.headers,
        id=post["id"],
    )
    commented = await gql(
        client,
        """mutation($id: UUID!, $name: String, $email: String) {
            createComment(postId: $id, input: {body: "Hi!", guestName: $name, guestEmail: $email})
            { id status authorName } }""",
        callers.anonymous,
        id=post["id"],
        name=GUEST["guest_name"],
        email=GUEST["guest_email"],
    )
    comment_id = commented["data"]["createComment"]["id"]
    approved = await gql(
        client,
        "mutation($id: UUID!) { approveComment(id: $id) { status } }",
        callers.manager.headers,
        id=comment_id,
    )
    read = await gql(
        client,
        """query($id: UUID!) { post(id: $id) { commentCount
            comments { items { id authorName html guestEmail } } } }""",
        callers.anonymous,
        id=post["id"],
    )
    denied = await gql(
        client,
        "mutation($id: UUID!) { rejectComment(id: $id, spam: true) { status } }",
        callers.customer.headers,
        id=comment_id,
    )
    spam = await gql(
        client,
        "mutation($id: UUID!) { rejectComment(id: $id, spam: true) { status } }",
        callers.manager.headers,
        id=comment_id,
    )
    deleted = await gql(
        client,
        "mutation($id: UUID!) { deleteComment(id: $id) }",
        callers.manager.headers,
        id=comment_id,
    )
    unpublished = await gql(
        client,
        "mutation($id: UUID!) { unpublishPost(id: $id) { status } }",
        callers.admin.headers,
        id=post["id"],
    )
    published = await gql(
        client,
        "mutation($id: UUID!) { publishPost(id: $id) { status } }",
        callers.admin.headers,
        id=post["id"],
    )
    settings = await gql(
        client,
        'mutation { updateBlogSettings(moderation: "none") { moderation guestComments } }',
        callers.manager.headers,
    )
    removed = await gql(
        client, "mutation($id: UUID!) { deletePost(id: $id) }", callers.admin.headers, id=post["id"]
    )

    assert (post["status"], post["commentsOpen"]) == ("published", True)
    assert updated["data"]["updatePost"] == {"title": "Hello again", "version": 2}
    assert commented["data"]["createComment"]["status"] == "pending"
    assert approved["data"]["approveComment"] == {"status": "approved"}
    assert read["data"]["post"] == {
        "commentCount": 1,
        "comments": {
            "items": [
                {"id": comment_id, "authorName": "Ada", "html": "<p>Hi!</p>\n", "guestEmail": None}
            ]
        },
    }
    assert codes(denied) == ["FORBIDDEN"]
    assert spam["data"]["rejectComment"] == {"status": "spam"}
    assert deleted["data"]["deleteComment"] is True
    assert unpublished["data"]["unpublishPost"] == {"status": "draft"}
    assert published["data"]["publishPost"] == {"status": "published"}
    assert settings["data"]["updateBlogSettings"] == {"moderation": "none", "guestComments": True}
    assert removed["data"]["deletePost"] is True
    assert await db.count_blog_events() == 4


async def test_bad_input_over_graphql_writes_nothing(
    client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    before = await db.snapshot()
    bad_locale = await gql(
        client,
        'mutation { createPost(input: {translations: [{locale: "fr", title: "X"}]}) { id } }',
        callers.admin.headers,
    )
    customer = await gql(client, MUTATIONS, callers.customer.headers, title="X")
    unknown = await gql(
        client,
        """mutation { createComment(postId: "00000000-0000-4000-8000-000000000001",
            input: {body: "x", guestName: "A", guestEmail: "a@example.com"}) { id } }""",
        callers.anonymous,
    )
    assert codes(bad_locale) == ["LOCALE_NOT_ENABLED"]
    assert codes(customer) == ["FORBIDDEN"]
    assert codes(unknown) == ["POST_NOT_FOUND"]
    assert await db.snapshot() == before
