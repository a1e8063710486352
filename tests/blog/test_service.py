"""Blog services directly: reading time, and the approved-comment counter under concurrent
moderation (each transition counts once, whoever wins)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from rustok.blog.kinds import PostMetadata
from rustok.blog.permissions import COMMENTS, POSTS
from rustok.blog.schemas import CommentCreate, PostCreate
from rustok.blog.service import (
    Commenter,
    CommentService,
    PostService,
    reading_minutes,
    stored_metadata,
)
from rustok.content.errors import VersionConflict
from rustok.content.schemas import BodyFormat
from rustok.core.permissions import Action, Permission, Reach, Scope

if TYPE_CHECKING:
    import uuid

    from rustok.bootstrap import Container
    from rustok.tenancy.schemas import TenantDetail
    from tests.blog.conftest import Db


@pytest.mark.parametrize(
    ("body", "format", "minutes"),
    [
        (None, None, 0),
        ("", BodyFormat.MARKDOWN, 0),
        ("word " * 200, BodyFormat.MARKDOWN, 1),
        ("word " * 201, BodyFormat.PLAIN, 2),
        ("<p class='x'>" + "<b>w</b> " * 200 + "</p>", BodyFormat.HTML, 1),
        ('{"words": "' + "w " * 1000 + '"}', BodyFormat.JSON, 0),
        ("слово " * 401, BodyFormat.MARKDOWN, 3),
    ],
)
def test_reading_time_counts_words_not_markup(
    body: str | None, format: BodyFormat | None, minutes: int
) -> None:
    assert reading_minutes(body, format, 200) == minutes


def test_metadata_stored_before_the_strict_model_still_reads() -> None:
    assert stored_metadata({"reading_minutes": 2, "comments_open": False}) == PostMetadata(
        comments_open=False
    )
    assert stored_metadata({"featured_image_id": "not an id"}) == PostMetadata()


async def test_concurrent_approvals_and_rejections_count_each_comment_once(
    container: Container, site: TenantDetail, db: Db
) -> None:
    editor = Reach(Permission(POSTS, Action.MANAGE), Scope.ALL, site.id)
    moderator = Reach(Permission(COMMENTS, Action.UPDATE), Scope.ALL, site.id)
    post = await container.service(PostService).create(
        site.id,
        PostCreate.model_validate(
            {"status": "published", "translations": [{"locale": "en", "title": "Hot"}]}
        ),
        reach=editor,
    )
    comments = container.service(CommentService)
    created = [
        await comments.create(
            site.id,
            post.id,
            CommentCreate(body=f"Comment {i}", guest_name="G", guest_email="g@example.com"),
            commenter=Commenter(user_id=None),
        )
        for i in range(10)
    ]

    async def approve(comment_id: uuid.UUID) -> str:
        try:
            await comments.approve(site.id, comment_id, reach=moderator)
        except VersionConflict:
            return "conflict"
        return "ok"

    outcomes = await asyncio.gather(
        *(approve(item.id) for item in created), *(approve(item.id) for item in created)
    )
    counted = await db.comment_count(str(post.id))
    read = await container.service(PostService).get(site.id, post.id)

    assert outcomes.count("ok") >= 10
    assert counted == 10
    assert read.comment_count == 10
    assert await db.event_types("blog.comment.approved") == ["blog.comment.approved"] * 10


async def test_publishing_a_published_post_answers_it_unchanged_with_no_event(
    container: Container, site: TenantDetail, db: Db
) -> None:
    editor = Reach(Permission(POSTS, Action.MANAGE), Scope.ALL, site.id)
    posts = container.service(PostService)
    post = await posts.create(
        site.id,
        PostCreate.model_validate({"translations": [{"locale": "en", "title": "Twice"}]}),
        reach=editor,
    )

    first = await posts.publish(site.id, post.id, reach=editor)
    events = await db.event_types("content.node.published")
    second = await posts.publish(site.id, post.id, reach=editor)

    assert first.status == "published"
    assert second.status == "published"
    assert second.version == first.version
    assert await db.event_types("content.node.published") == events == ["content.node.published"]
