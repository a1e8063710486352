"""The blog REST API on every database: posts, comments and their moderation, who may call
what, and what bad input answers (writing nothing, emitting nothing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.blog.conftest import GUEST, POSTS, comment, create_post

if TYPE_CHECKING:
    import httpx

    from tests.blog.conftest import Db
    from tests.content.conftest import Callers


async def test_an_editor_writes_posts_and_readers_see_published_ones(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, headers = unlimited_client, callers.admin.headers
    category = (
        await client.post(
            "/api/content/categories",
            json={"translations": [{"locale": "en", "name": "News"}]},
            headers=headers,
        )
    ).json()
    tag = (
        await client.post(
            "/api/content/tags",
            json={"translations": [{"locale": "en", "name": "Python"}]},
            headers=headers,
        )
    ).json()
    post = await create_post(
        client,
        headers,
        category_id=category["id"],
        tag_ids=[tag["id"]],
        translations=[
            {
                "locale": "en",
                "title": "Hello",
                "body": "<p onclick=x()>" + "word " * 401 + "</p><script>x()</script>",
                "format": "html",
            },
            {"locale": "de", "title": "Hallo", "body": "Kurz."},
        ],
    )
    draft = await create_post(client, headers, status="draft", title="Draft")

    public_list = await client.get(POSTS, headers=callers.anonymous)
    editor_list = await client.get(POSTS, headers=headers)
    by_tag = await client.get(f"{POSTS}?tag_id={tag['id']}", headers=callers.anonymous)
    by_category = await client.get(
        f"{POSTS}?category_id={category['id']}&locale=de", headers=callers.anonymous
    )
    by_author = await client.get(
        f"{POSTS}?author_id={callers.manager.user_id}", headers=callers.anonymous
    )
    by_slug = await client.get(f"{POSTS}/by-slug/hallo?locale=de", headers=callers.anonymous)
    hidden = await client.get(f"{POSTS}/{draft['id']}", headers=callers.anonymous)
    patched = await client.patch(
        f"{POSTS}/{post['id']}",
        json={
            "version": 1,
            "comments_open": False,
            "translations": [{"locale": "en", "title": "Hi"}],
        },
        headers=headers,
    )
    published = await client.post(f"{POSTS}/{draft['id']}/publish", headers=headers)
    unpublished = await client.post(f"{POSTS}/{draft['id']}/unpublish", headers=headers)
    deleted = await client.delete(f"{POSTS}/{draft['id']}", headers=headers)
    gone = await client.get(f"{POSTS}/{draft['id']}", headers=headers)

    en = next(t for t in post["translations"] if t["locale"] == "en")
    assert en["html"] == "<p>" + "word " * 401 + "</p>"
    assert (en["reading_minutes"], post["reading_minutes"], post["comment_count"]) == (3, 3, 0)
    assert next(t for t in post["translations"] if t["locale"] == "de")["reading_minutes"] == 1
    assert (post["category_id"], [t["id"] for t in post["tags"]]) == (category["id"], [tag["id"]])
    assert [p["id"] for p in public_list.json()["items"]] == [post["id"]]
    assert [p["id"] for p in editor_list.json()["items"]] == [post["id"], draft["id"]]
    assert [p["id"] for p in by_tag.json()["items"]] == [post["id"]]
    assert [(p["title"], p["served_locale"]) for p in by_category.json()["items"]] == [
        ("Hallo", "de")
    ]
    assert by_author.json()["items"] == []
    assert (by_slug.status_code, by_slug.json()["id"]) == (200, post["id"])
    assert (hidden.status_code, hidden.json()["code"]) == (404, "POST_NOT_FOUND")
    assert (patched.status_code, patched.json()["title"], patched.json()["comments_open"]) == (
        200,
        "Hi",
        False,
    )
    assert (published.status_code, published.json()["status"]) == (200, "published")
    assert (unpublished.status_code, unpublished.json()["status"]) == (200, "draft")
    assert (deleted.status_code, gone.status_code) == (204, 404)
    assert await db.event_types("content.node.") == [
        "content.node.created",
        "content.node.published",
        "content.node.created",
        "content.node.updated",
        "content.node.published",
        "content.node.unpublished",
        "content.node.deleted",
    ]


async def test_guest_comments_wait_for_a_moderator_and_count_once_approved(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client = unlimited_client
    post = await create_post(client, callers.admin.headers)
    guest = await comment(client, callers.anonymous, post["id"], "Hi <script>x()</script>", **GUEST)
    customer = await comment(client, callers.customer.headers, post["id"], "Me **too**")
    public_before = await client.get(f"{POSTS}/{post['id']}/comments", headers=callers.anonymous)
    queue = await client.get("/api/blog/comments?status=pending", headers=callers.manager.headers)
    approved = await client.post(
        f"/api/blog/comments/{guest.json()['id']}/approve", headers=callers.manager.headers
    )
    again = await client.post(
        f"/api/blog/comments/{guest.json()['id']}/approve", headers=callers.manager.headers
    )
    spam = await client.post(
        f"/api/blog/comments/{customer.json()['id']}/spam", headers=callers.manager.headers
    )
    public_after = await client.get(f"{POSTS}/{post['id']}/comments", headers=callers.anonymous)
    counted = await client.get(f"{POSTS}/{post['id']}", headers=callers.anonymous)
    rejected = await client.post(
        f"/api/blog/comments/{guest.json()['id']}/reject", headers=callers.manager.headers
    )
    uncounted = await client.get(f"{POSTS}/{post['id']}", headers=callers.anonymous)

    assert (guest.status_code, guest.json()["status"], guest.json()["author_name"]) == (
        201,
        "pending",
        "Ada",
    )
    assert guest.json()["html"] == "<p>Hi </p>\n"
    assert guest.json()["guest_email"] is None
    assert (customer.status_code, customer.json()["status"]) == (201, "pending")
    assert public_before.json()["items"] == []
    assert [c["id"] for c in queue.json()["items"]] == [guest.json()["id"], customer.json()["id"]]
    assert queue.json()["items"][0]["guest_email"] == "ada@example.com"
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert (again.status_code, again.json()["status"]) == (200, "approved")
    assert (spam.status_code, spam.json()["status"]) == (200, "spam")
    assert [c["id"] for c in public_after.json()["items"]] == [guest.json()["id"]]
    assert public_after.json()["items"][0]["guest_email"] is None
    assert counted.json()["comment_count"] == 1
    assert (rejected.json()["status"], uncounted.json()["comment_count"]) == ("rejected", 0)
    assert await db.event_types("blog.") == [
        "blog.comment.created",
        "blog.comment.created",
        "blog.comment.approved",
        "blog.comment.rejected",
        "blog.comment.rejected",
    ]


async def test_tenant_settings_decide_who_waits_and_whether_guests_comment(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client = unlimited_client
    post = await create_post(client, callers.admin.headers)
    changed = await client.patch(
        "/api/blog/settings",
        json={"guest_comments": False, "moderation": "guests"},
        headers=callers.manager.headers,
    )
    before = await db.snapshot()
    guest = await comment(client, callers.anonymous, post["id"], **GUEST)
    after_guest = await db.snapshot()
    customer = await comment(client, callers.customer.headers, post["id"])
    read = await client.get("/api/blog/settings", headers=callers.manager.headers)
    denied = await client.get("/api/blog/settings", headers=callers.customer.headers)

    assert changed.json() == {
        "guest_comments": False,
        "moderation": "guests",
        "words_per_minute": 200,
        "max_comment_chars": 5000,
    }
    assert (guest.status_code, guest.json()["code"]) == (401, "GUEST_COMMENTS_DISABLED")
    assert after_guest == before
    assert (customer.status_code, customer.json()["status"]) == (201, "approved")
    assert await db.comment_count(post["id"]) == 1
    assert read.json()["moderation"] == "guests"
    assert denied.status_code == 403


async def test_bad_comments_are_refused_and_write_nothing(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client = unlimited_client
    post = await create_post(client, callers.admin.headers)
    closed = await create_post(client, callers.admin.headers, title="Closed", comments_open=False)
    draft = await create_post(client, callers.admin.headers, title="Draft", status="draft")
    before = await db.snapshot()

    no_name = await comment(client, callers.anonymous, post["id"])
    user_as_guest = await comment(client, callers.customer.headers, post["id"], **GUEST)
    on_closed = await comment(client, callers.anonymous, closed["id"], **GUEST)
    on_draft = await comment(client, callers.anonymous, draft["id"], **GUEST)
    bad_locale = await comment(client, callers.anonymous, post["id"], locale="fr", **GUEST)
    too_long = await comment(client, callers.anonymous, post["id"], "x" * 5001, **GUEST)
    empty = await comment(client, callers.anonymous, post["id"], "", **GUEST)
    status_filter = await client.get(
        f"{POSTS}/{post['id']}/comments?status=pending", headers=callers.anonymous
    )

    assert (no_name.status_code, no_name.json()["code"]) == (422, "COMMENT_INVALID")
    assert [e["field"] for e in no_name.json()["errors"]] == ["body.guest_name", "body.guest_email"]
    assert [e["field"] for e in user_as_guest.json()["errors"]] == [
        "body.guest_name",
        "body.guest_email",
    ]
    assert (on_closed.status_code, on_closed.json()["code"]) == (409, "COMMENTS_CLOSED")
    assert (on_draft.status_code, on_draft.json()["code"]) == (404, "POST_NOT_FOUND")
    assert (bad_locale.status_code, bad_locale.json()["code"]) == (422, "LOCALE_NOT_ENABLED")
    assert bad_locale.json()["errors"][0]["field"] == "body.locale"
    assert (too_long.status_code, too_long.json()["errors"][0]["field"]) == (422, "body.body")
    assert (empty.status_code, empty.json()["errors"][0]["field"]) == (422, "body.body")
    assert (status_filter.status_code, status_filter.json()["code"]) == (403, "COMMENT_FORBIDDEN")
    assert await db.snapshot() == before


async def test_bad_posts_are_refused_and_write_nothing(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client, headers = unlimited_client, callers.admin.headers
    before = await db.snapshot()
    image = await client.post(
        POSTS,
        json={
            "featured_image_id": "00000000-0000-4000-8000-000000000001",
            "translations": [{"locale": "en", "title": "X"}],
        },
        headers=headers,
    )
    customer = await client.post(
        POSTS,
        json={"translations": [{"locale": "en", "title": "X"}]},
        headers=callers.customer.headers,
    )
    locale = await client.post(
        POSTS, json={"translations": [{"locale": "fr", "title": "X"}]}, headers=headers
    )
    assert (image.status_code, image.json()["code"]) == (422, "MEDIA_REFERENCE_UNKNOWN")
    assert image.json()["errors"][0]["field"] == "body.featured_image_id"
    assert customer.status_code == 403
    assert (locale.status_code, locale.json()["errors"][0]["field"]) == (
        422,
        "body.translations.0.locale",
    )
    assert await db.snapshot() == before


async def test_customers_delete_only_their_own_comments(
    unlimited_client: httpx.AsyncClient, callers: Callers, db: Db
) -> None:
    client = unlimited_client
    post = await create_post(client, callers.admin.headers)
    await client.patch(
        "/api/blog/settings", json={"moderation": "none"}, headers=callers.manager.headers
    )
    own = (await comment(client, callers.customer.headers, post["id"])).json()
    guest = (await comment(client, callers.anonymous, post["id"], **GUEST)).json()
    refused = await client.delete(
        f"/api/blog/comments/{guest['id']}", headers=callers.customer.headers
    )
    moderate = await client.post(
        f"/api/blog/comments/{guest['id']}/reject", headers=callers.customer.headers
    )
    deleted = await client.delete(
        f"/api/blog/comments/{own['id']}", headers=callers.customer.headers
    )
    twice = await client.delete(f"/api/blog/comments/{own['id']}", headers=callers.customer.headers)
    listed = await client.get(f"{POSTS}/{post['id']}/comments", headers=callers.anonymous)

    assert (own["status"], guest["status"]) == ("approved", "approved")
    assert (refused.status_code, refused.json()["code"]) == (403, "NOT_OWNER")
    assert moderate.status_code == 403
    assert (deleted.status_code, twice.status_code) == (204, 404)
    assert [c["id"] for c in listed.json()["items"]] == [guest["id"]]
    assert await db.comment_count(post["id"]) == 1
    assert (await db.event_types("blog."))[-1] == "blog.comment.deleted"
