"""The forum services: their rules, counts under concurrency, and that a refused write leaves no
row and no event behind."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

import pytest

from rustok.content.errors import LocaleNotEnabled, VersionConflict
from rustok.content.schemas import NodeQuery
from rustok.content.service import NodeService
from rustok.core.errors import DomainError, Forbidden
from rustok.core.permissions import Action
from rustok.forum.errors import (
    ClosedTopic,
    ForumCategoryInUse,
    ForumCategoryInvalid,
    ForumCategoryNotFound,
    LockedTopic,
    ModerationConflict,
    ParentReplyInvalid,
    ReplyNotFound,
    ReplyTooDeep,
    TopicNotFound,
)
from rustok.forum.models import Reply
from rustok.forum.schemas import (
    ForumCategoryUpdate,
    ReplyCreate,
    ReplyStatus,
    ReplyUpdate,
    TopicQuery,
    TopicStatus,
    TopicUpdate,
)
from rustok.forum.service import ReplyService
from rustok.forum.settings import ForumSettings
from tests.forum.conftest import STAFF, make_category, make_topic, member

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from rustok.bootstrap import Container
    from rustok.forum.schemas import ForumCategoryRead, TopicRead
    from rustok.forum.service import ForumCategoryService, TopicService
    from rustok.tenancy.schemas import TenantDetail
    from tests.forum.conftest import Db

ALICE = uuid.uuid4()
BOB = uuid.uuid4()


async def refused(db: Db, error: type[DomainError], work: Awaitable[object]) -> DomainError:
    """Run `work`, expect `error`, and check that nothing was written and nothing emitted."""
    before = await db.snapshot()
    with pytest.raises(error) as caught:
        await work
    assert await db.snapshot() == before
    return caught.value


def reply(body: str = "I agree.", **extra: object) -> ReplyCreate:
    return ReplyCreate.model_validate({"body": body, **extra})


async def test_categories_are_translated_ordered_and_changed_at_their_version(
    categories: ForumCategoryService, container: Container, site: TenantDetail, db: Db
) -> None:
    second = await make_category(container, site.id, "Help", position=2)
    first = await make_category(container, site.id, "News", position=1)

    listed = await categories.list_categories(site.id, locale="de")
    got = await categories.get(site.id, first.id, locale="de")
    updated = await categories.update(
        site.id,
        second.id,
        ForumCategoryUpdate.model_validate(
            {"version": 1, "position": 0, "translations": [{"locale": "en", "description": "Ask"}]}
        ),
        reach=STAFF["categories"],
    )
    stale = await refused(
        db,
        VersionConflict,
        categories.update(
            site.id,
            second.id,
            ForumCategoryUpdate(version=1, position=5),
            reach=STAFF["categories"],
        ),
    )

    assert [item.title for item in listed.items] == ["News (de)", "Help (de)"]
    assert (got.served_locale, got.slug, got.description) == ("de", "news-de", "")
    assert [(t.locale, t.title) for t in got.translations] == [("de", "News (de)"), ("en", "News")]
    assert (updated.position, updated.version, updated.description) == (0, 2, "Ask")
    assert stale.code == "VERSION_CONFLICT"
    assert [item.title for item in (await categories.list_categories(site.id)).items] == [
        "Help",
        "News",
    ]


async def test_a_category_with_topics_is_not_deleted_and_an_empty_one_is(
    categories: ForumCategoryService,
    container: Container,
    site: TenantDetail,
    category: ForumCategoryRead,
    topic: TopicRead,
    db: Db,
) -> None:
    empty = await make_category(container, site.id, "Empty")

    in_use = await refused(
        db, ForumCategoryInUse, categories.delete(site.id, category.id, reach=STAFF["categories"])
    )
    await categories.delete(site.id, empty.id, reach=STAFF["categories"])

    assert in_use.code == "FORUM_CATEGORY_IN_USE"
    with pytest.raises(ForumCategoryNotFound):
        await categories.get(site.id, empty.id)
    assert await db.event_types("content.node.deleted") == ["content.node.deleted"]


async def test_a_topic_is_a_published_node_with_its_forum_row_and_events(
    topics: TopicService,
    container: Container,
    site: TenantDetail,
    category: ForumCategoryRead,
    db: Db,
) -> None:
    before = await db.event_types()

    created = await make_topic(container, site.id, category.id, reach=member("topics", ALICE))
    got = await topics.get(site.id, created.id, locale="de")
    node = await container.service(NodeService).get(site.id, created.id)

    assert (created.author_id, created.status, created.pinned, created.locked) == (
        ALICE,
        TopicStatus.OPEN,
        False,
        False,
    )
    assert (created.reply_count, created.last_reply_id, created.version) == (0, None, 1)
    assert created.last_activity_at == created.created_at
    assert (got.served_locale, got.title) == ("de", "First topic (de)")
    assert got.translations[1].html == "<p>What do you <strong>think</strong>?</p>\n"
    assert (node.kind, node.status, node.parent_id) == ("forum_topic", "published", category.id)
    assert (await db.event_types())[len(before) :] == [
        "content.node.created",
        "content.node.published",
    ]


async def test_a_topic_needs_a_forum_category_of_this_tenant(
    topics: TopicService,
    container: Container,
    site: TenantDetail,
    other_site: TenantDetail,
    topic: TopicRead,
    db: Db,
) -> None:
    theirs = await make_category(container, other_site.id, "Theirs")

    for category_id in (uuid.uuid4(), theirs.id, topic.id):
        error = await refused(
            db,
            ForumCategoryInvalid,
            make_topic(container, site.id, category_id),
        )
        assert [(f.field, f.message) for f in error.fields] == [
            ("body.category_id", "no such forum category")
        ]
    with pytest.raises(ForumCategoryNotFound):
        await topics.list_topics(site.id, TopicQuery(category_id=theirs.id))


async def test_replies_count_and_the_latest_becomes_the_topics_last_reply(
    replies: ReplyService, topics: TopicService, site: TenantDetail, topic: TopicRead, db: Db
) -> None:
    first = await replies.create(site.id, topic.id, reply("First"), reach=member("replies", ALICE))
    second = await replies.create(
        site.id, topic.id, reply("**Second**", locale="de"), reach=member("replies", BOB)
    )

    after = await topics.get(site.id, topic.id)
    [event] = [row for row in await db.events("forum.") if row.aggregate_id == str(second.id)]

    assert (first.status, first.depth, first.root_id, first.parent_id) == (
        ReplyStatus.APPROVED,
        1,
        first.id,
        None,
    )
    assert (second.locale, second.html) == ("de", "<p><strong>Second</strong></p>\n")
    assert (after.reply_count, after.last_reply_id, after.last_reply_author_id) == (
        2,
        second.id,
        BOB,
    )
    assert after.last_activity_at == second.created_at
    assert event.event_type == "forum.reply.created"
    assert event.payload["topic_id"] == str(topic.id)
    assert event.payload["category_id"] == str(topic.category_id)
    assert (event.payload["reply_count"], event.payload["status"]) == (2, "approved")


async def test_replies_thread_up_to_the_depth_limit(
    container: Container, site: TenantDetail, topic: TopicRead, db: Db
) -> None:
    replies = ReplyService(
        container.uow, container.service(NodeService), ForumSettings(max_reply_depth=2)
    )
    root = await replies.create(site.id, topic.id, reply("root"), reach=STAFF["replies"])
    child = await replies.create(
        site.id, topic.id, reply("child", parent_id=root.id), reach=STAFF["replies"]
    )

    too_deep = await refused(
        db,
        ReplyTooDeep,
        replies.create(site.id, topic.id, reply("x", parent_id=child.id), reach=STAFF["replies"]),
    )
    threaded = await replies.list_replies(site.id, topic.id, view="threaded")
    flat = await replies.list_replies(site.id, topic.id)

    assert (child.depth, child.parent_id, child.root_id) == (2, root.id, root.id)
    assert [(f.field, f.message) for f in too_deep.fields] == [("body.parent_id", "too deep")]
    assert [(r.body, [c.body for c in r.replies]) for r in threaded.items] == [("root", ["child"])]
    assert [(r.body, r.parent_id) for r in flat.items] == [("root", None), ("child", root.id)]


async def test_a_parent_reply_must_be_one_of_this_topic(
    replies: ReplyService,
    container: Container,
    site: TenantDetail,
    other_site: TenantDetail,
    category: ForumCategoryRead,
    topic: TopicRead,
    db: Db,
) -> None:
    other_topic = await make_topic(container, site.id, category.id, "Other")
    elsewhere = await replies.create(site.id, other_topic.id, reply(), reach=STAFF["replies"])
    their_topic = await make_topic(
        container, other_site.id, (await make_category(container, other_site.id)).id
    )
    theirs = await replies.create(other_site.id, their_topic.id, reply(), reach=STAFF["replies"])

    for parent_id in (elsewhere.id, theirs.id, uuid.uuid4()):
        error = await refused(
            db,
            ParentReplyInvalid,
            replies.create(
                site.id, topic.id, reply(parent_id=parent_id), reach=member("replies", ALICE)
            ),
        )
        assert error.code == "PARENT_REPLY_INVALID"
        assert [f.field for f in error.fields] == ["body.parent_id"]


async def test_a_locked_or_closed_topic_refuses_replies_and_writes_nothing(
    replies: ReplyService, topics: TopicService, site: TenantDetail, topic: TopicRead, db: Db
) -> None:
    locked = await topics.lock(site.id, topic.id, reach=STAFF["topics"])
    again = await topics.lock(site.id, topic.id, reach=STAFF["topics"])
    events = await db.event_types("forum.")

    error = await refused(
        db,
        LockedTopic,
        replies.create(site.id, topic.id, reply(), reach=member("replies", ALICE)),
    )
    await topics.unlock(site.id, topic.id, reach=STAFF["topics"])
    closed = await topics.update(
        site.id,
        topic.id,
        TopicUpdate(version=1, status=TopicStatus.CLOSED),
        reach=member("topics", topic.author_id or ALICE, Action.UPDATE),
    )
    closed_error = await refused(
        db,
        ClosedTopic,
        replies.create(site.id, topic.id, reply(), reach=member("replies", ALICE)),
    )

    assert (locked.locked, again.locked) == (True, True)
    assert events == ["forum.topic.locked"]
    assert error.code == "TOPIC_LOCKED"
    assert (closed.status, closed.version) == (TopicStatus.CLOSED, 2)
    assert closed_error.code == "TOPIC_CLOSED"
    assert await db.event_types("forum.") == ["forum.topic.locked", "forum.topic.unlocked"]


async def test_moderation_counts_each_transition_exactly_once(
    replies: ReplyService,
    topics: TopicService,
    container: Container,
    site: TenantDetail,
    topic: TopicRead,
    db: Db,
) -> None:
    first = await replies.create(site.id, topic.id, reply("first"), reach=member("replies", ALICE))
    last = await replies.create(site.id, topic.id, reply("last"), reach=member("replies", BOB))

    hidden = await replies.moderate(site.id, last.id, ReplyStatus.HIDDEN, reach=STAFF["replies"])
    after_hide = await topics.get(site.id, topic.id)
    await replies.moderate(site.id, last.id, ReplyStatus.HIDDEN, reach=STAFF["replies"])
    await replies.moderate(site.id, last.id, ReplyStatus.REJECTED, reach=STAFF["replies"])
    after_reject = await topics.get(site.id, topic.id)
    public = await replies.list_replies(site.id, topic.id)
    moderated = await replies.list_replies(site.id, topic.id, moderator=STAFF["replies"])
    node = await container.service(NodeService).get(site.id, last.id, reader=STAFF["replies"])
    await replies.moderate(site.id, last.id, ReplyStatus.APPROVED, reach=STAFF["replies"])
    after_approve = await topics.get(site.id, topic.id)

    assert hidden.status == ReplyStatus.HIDDEN
    assert (after_hide.reply_count, after_hide.last_reply_id) == (1, first.id)
    assert after_hide.last_activity_at == first.created_at
    assert after_reject.reply_count == 1
    assert [r.id for r in public.items] == [first.id]
    assert [(r.id, r.status) for r in moderated.items] == [
        (first.id, ReplyStatus.APPROVED),
        (last.id, ReplyStatus.REJECTED),
    ]
    assert node.status == "draft"
    assert (after_approve.reply_count, after_approve.last_reply_id) == (2, last.id)
    with pytest.raises(ReplyNotFound):
        await replies.get(site.id, uuid.uuid4())
    moderation = await db.events("forum.reply.moderated")
    assert [
        (e.payload["previous_status"], e.payload["status"], e.payload["reply_count"])
        for e in moderation
    ] == [
        ("approved", "hidden", 1),
        ("hidden", "rejected", 1),
        ("rejected", "approved", 2),
    ]


async def test_premoderated_replies_wait_for_a_moderator(
    container: Container, topics: TopicService, site: TenantDetail, topic: TopicRead
) -> None:
    replies = ReplyService(
        container.uow, container.service(NodeService), ForumSettings(premoderate_replies=True)
    )
    pending = await replies.create(site.id, topic.id, reply(), reach=member("replies", ALICE))
    by_staff = await replies.create(
        site.id, topic.id, reply("ok"), reach=STAFF["replies"], moderator=STAFF["replies"]
    )

    with pytest.raises(ReplyNotFound):
        await replies.get(site.id, pending.id)
    listed = await container.service(NodeService).list_nodes(site.id, NodeQuery(kind="forum_reply"))
    assert (pending.status, by_staff.status) == (ReplyStatus.PENDING, ReplyStatus.APPROVED)
    assert [node.id for node in listed.items] == [by_staff.id]
    assert (await topics.get(site.id, topic.id)).reply_count == 1
    approved = await replies.moderate(
        site.id, pending.id, ReplyStatus.APPROVED, reach=STAFF["replies"]
    )
    assert approved.status == ReplyStatus.APPROVED
    assert (await topics.get(site.id, topic.id)).reply_count == 2


async def test_customers_edit_and_delete_only_their_own_replies(
    replies: ReplyService, topics: TopicService, site: TenantDetail, topic: TopicRead, db: Db
) -> None:
    mine = await replies.create(site.id, topic.id, reply("mine"), reach=member("replies", ALICE))

    edited = await replies.update(
        site.id,
        mine.id,
        ReplyUpdate(version=1, body="mine, *edited*"),
        reach=member("replies", ALICE, Action.UPDATE),
    )
    not_owner = await refused(
        db,
        Forbidden,
        replies.update(
            site.id,
            mine.id,
            ReplyUpdate(version=2, body="hijacked"),
            reach=member("replies", BOB, Action.UPDATE),
        ),
    )
    not_deleted = await refused(
        db,
        Forbidden,
        replies.delete(site.id, mine.id, reach=member("replies", BOB, Action.DELETE)),
    )
    stale = await refused(
        db,
        VersionConflict,
        replies.update(
            site.id,
            mine.id,
            ReplyUpdate(version=1, body="late"),
            reach=member("replies", ALICE, Action.UPDATE),
        ),
    )
    await replies.delete(site.id, mine.id, reach=member("replies", ALICE, Action.DELETE))

    assert (edited.body, edited.html, edited.version) == (
        "mine, *edited*",
        "<p>mine, <em>edited</em></p>\n",
        2,
    )
    assert edited.edited_at is not None
    assert (not_owner.code, not_deleted.code, stale.code) == (
        "NOT_OWNER",
        "NOT_OWNER",
        "VERSION_CONFLICT",
    )
    after = await topics.get(site.id, topic.id)
    assert (after.reply_count, after.last_reply_id) == (0, None)
    assert after.last_activity_at == topic.created_at
    with pytest.raises(ReplyNotFound):
        await replies.get(site.id, mine.id)
    [deleted] = await db.events("forum.reply.deleted")
    assert (deleted.payload["status"], deleted.payload["reply_count"]) == ("approved", 0)


async def test_customers_change_only_their_own_topics_and_only_staff_pin(
    topics: TopicService,
    container: Container,
    site: TenantDetail,
    category: ForumCategoryRead,
    db: Db,
) -> None:
    mine = await make_topic(container, site.id, category.id, reach=member("topics", ALICE))

    not_owner = await refused(
        db,
        Forbidden,
        topics.update(
            site.id,
            mine.id,
            TopicUpdate(version=1, status=TopicStatus.CLOSED),
            reach=member("topics", BOB, Action.UPDATE),
        ),
    )
    own_pin = await refused(
        db, Forbidden, topics.pin(site.id, mine.id, reach=member("topics", ALICE, Action.UPDATE))
    )
    await topics.delete(site.id, mine.id, reach=member("topics", ALICE, Action.DELETE))

    assert (not_owner.code, own_pin.code) == ("NOT_OWNER", "NOT_OWNER")
    with pytest.raises(TopicNotFound):
        await topics.get(site.id, mine.id)
    assert (await topics.list_topics(site.id, TopicQuery())).items == []


async def test_topics_list_pinned_first_then_by_latest_activity_a_page_at_a_time(
    topics: TopicService,
    replies: ReplyService,
    container: Container,
    site: TenantDetail,
    category: ForumCategoryRead,
) -> None:
    old, middle, _ = [
        await make_topic(container, site.id, category.id, title) for title in ("Old", "Mid", "New")
    ]
    await topics.pin(site.id, old.id, reach=STAFF["topics"])
    await replies.create(site.id, middle.id, reply(), reach=STAFF["replies"])

    first = await topics.list_topics(site.id, TopicQuery(category_id=category.id), limit=2)
    rest = await topics.list_topics(
        site.id, TopicQuery(category_id=category.id), after=first.next_cursor, limit=2
    )

    assert [item.title for item in first.items] == ["Old", "Mid"]
    assert [item.title for item in rest.items] == ["New"]
    assert (first.has_more, rest.has_more) == (True, False)
    assert first.items[0].pinned is True


async def test_fifty_concurrent_replies_count_fifty(
    replies: ReplyService, topics: TopicService, site: TenantDetail, topic: TopicRead, db: Db
) -> None:
    async def one(index: int) -> uuid.UUID:
        created = await replies.create(
            site.id, topic.id, reply(f"reply {index}"), reach=member("replies", uuid.uuid4())
        )
        return created.id

    ids = await asyncio.gather(*(one(index) for index in range(50)))

    after = await topics.get(site.id, topic.id)
    latest = max(
        (r for r in (await replies.list_replies(site.id, topic.id, limit=100)).items),
        key=lambda r: (r.created_at, str(r.id)),
    )
    assert len(set(ids)) == 50
    assert after.reply_count == 50
    assert await db.count(Reply, Reply.topic_id == topic.id) == 50
    assert len(await db.events("forum.reply.created")) == 50
    assert after.last_reply_at == latest.created_at


async def test_a_concurrent_moderation_counts_once(
    replies: ReplyService, topics: TopicService, site: TenantDetail, topic: TopicRead
) -> None:
    target = await replies.create(site.id, topic.id, reply(), reach=STAFF["replies"])

    results = await asyncio.gather(
        *(
            replies.moderate(site.id, target.id, status, reach=STAFF["replies"])
            for status in (ReplyStatus.HIDDEN, ReplyStatus.REJECTED)
        ),
        return_exceptions=True,
    )

    failures = [r for r in results if isinstance(r, DomainError)]
    assert len(failures) <= 1
    assert all(isinstance(f, (ModerationConflict, VersionConflict)) for f in failures)
    assert (await topics.get(site.id, topic.id)).reply_count == 0


async def test_a_reply_in_a_disabled_locale_is_refused(
    replies: ReplyService, site: TenantDetail, topic: TopicRead, db: Db
) -> None:
    error = await refused(
        db,
        LocaleNotEnabled,
        replies.create(site.id, topic.id, reply(locale="fr"), reach=STAFF["replies"]),
    )
    assert [f.field for f in error.fields] == ["body.locale"]
