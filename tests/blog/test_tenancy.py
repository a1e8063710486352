"""Tenant walls around the blog: another tenant's posts and comments answer 404 on every
route, whoever asks, and nothing of theirs is read or changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.blog.conftest import GUEST, POSTS, comment, create_post
from tests.content.conftest import caller

if TYPE_CHECKING:
    import httpx

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail
    from tests.blog.conftest import Db
    from tests.content.conftest import Callers


async def test_another_tenants_posts_and_comments_are_not_found(
    unlimited_client: httpx.AsyncClient,
    container: Container,
    callers: Callers,
    other_site: TenantDetail,
    db: Db,
) -> None:
    client = unlimited_client
    post = await create_post(client, callers.admin.headers)
    pending = (await comment(client, callers.anonymous, post["id"], **GUEST)).json()
    intruder = await caller(client, container, other_site, "admin@globex.test", ("admin",))
    other = intruder.headers
    before = await db.snapshot()

    answers = {
        "get": await client.get(f"{POSTS}/{post['id']}", headers=other),
        "patch": await client.patch(f"{POSTS}/{post['id']}", json={"version": 1}, headers=other),
        "publish": await client.post(f"{POSTS}/{post['id']}/publish", headers=other),
        "unpublish": await client.post(f"{POSTS}/{post['id']}/unpublish", headers=other),
        "delete": await client.delete(f"{POSTS}/{post['id']}", headers=other),
        "comments": await client.get(f"{POSTS}/{post['id']}/comments", headers=other),
        "comment": await comment(client, other, post["id"]),
        "approve": await client.post(f"/api/blog/comments/{pending['id']}/approve", headers=other),
        "reject": await client.post(f"/api/blog/comments/{pending['id']}/reject", headers=other),
        "spam": await client.post(f"/api/blog/comments/{pending['id']}/spam", headers=other),
        "delete_comment": await client.delete(f"/api/blog/comments/{pending['id']}", headers=other),
    }
    listed = await client.get(POSTS, headers=other)
    queue = await client.get("/api/blog/comments", headers=other)
    slug = await client.get(f"{POSTS}/by-slug/{post['slug']}", headers=other)

    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(
        answers, 404
    )
    assert {answer.json()["code"] for answer in answers.values()} == {
        "POST_NOT_FOUND",
        "COMMENT_NOT_FOUND",
    }
    assert (listed.json()["items"], queue.json()["items"], slug.status_code) == ([], [], 404)
    assert await db.snapshot() == before
