"""Forum use cases: categories (ForumCategoryService), topics (TopicService) and replies
(ReplyService), each write one unit of work with its events.

The text of a category, a topic or a reply is a content node (NodeService, kinds
`forum_category`, `forum_topic`, `forum_reply`); the forum's own state sits beside it in
`forum_topics` and `forum_replies`, written in the same unit of work through NodeService's
`*_in` steps, so a refused write leaves neither a node nor a forum row nor an event behind.

Who sees what: everyone sees categories, topics and approved replies. A moderator (a caller
whose `forum_replies:manage` reaches all) also sees pending, rejected and hidden replies; the
services take that reach as `moderator`. A reply's node is published exactly while the reply is
approved, so content's own reads show the same replies to the public.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Literal, cast

from rustok.content.errors import BodyTooLarge, NodeNotFound
from rustok.content.schemas import (
    BodyFormat,
    NodeCreate,
    NodeQuery,
    NodeSort,
    NodeStatus,
    NodeUpdate,
)
from rustok.core import clock
from rustok.core.cursor import CursorPage, SortKey, decode_cursor, keyset_after, page_of
from rustok.core.errors import FieldError
from rustok.core.permissions import Scope
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
from rustok.forum.events import (
    ReplyCreated,
    ReplyDeleted,
    ReplyModerated,
    TopicEvent,
    TopicLocked,
    TopicPinned,
    TopicUnlocked,
    TopicUnpinned,
)
from rustok.forum.models import Reply, Topic
from rustok.forum.repository import ForumRepository
from rustok.forum.schemas import (
    ForumCategoryRead,
    ForumCategoryTranslationRead,
    ReplyRead,
    ReplyStatus,
    TopicRead,
    TopicStatus,
)

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

    from rustok.content.schemas import NodeRead
    from rustok.content.service import NodeService
    from rustok.core.permissions import Reach
    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory
    from rustok.forum.schemas import (
        ForumCategoryCreate,
        ForumCategoryUpdate,
        ReplyCreate,
        ReplyUpdate,
        TopicCreate,
        TopicQuery,
        TopicUpdate,
    )
    from rustok.forum.settings import ForumSettings

CATEGORY_KIND = "forum_category"
TOPIC_KIND = "forum_topic"
REPLY_KIND = "forum_reply"
APPROVED = ReplyStatus.APPROVED.value
MAX_TITLE = 255


def _key(column: object, *, descending: bool = False) -> SortKey:
    return SortKey(cast("ColumnElement[object]", column), descending)


def is_moderator(moderator: Reach | None) -> bool:
    """Whether this `forum_replies:manage` reach moderates every reply."""
    return moderator is not None and moderator.scope is Scope.ALL


def _category_read(node: NodeRead) -> ForumCategoryRead:
    served = next((row for row in node.translations if row.locale == node.served_locale), None)
    return ForumCategoryRead(
        id=node.id,
        position=node.position,
        version=node.version,
        served_locale=node.served_locale,
        title=node.title,
        slug=node.slug,
        description=served.excerpt if served else None,
        translations=[
            ForumCategoryTranslationRead(
                locale=row.locale, title=row.title, slug=row.slug, description=row.excerpt
            )
            for row in node.translations
        ],
        created_at=node.created_at,
        updated_at=node.updated_at,
    )


def _topic_read(topic: Topic, node: NodeRead) -> TopicRead:
    return TopicRead(
        id=topic.id,
        category_id=topic.category_id,
        author_id=topic.author_id,
        status=TopicStatus(topic.status),
        pinned=topic.pinned,
        locked=topic.locked,
        reply_count=topic.reply_count,
        last_reply_id=topic.last_reply_id,
        last_reply_at=topic.last_reply_at,
        last_reply_author_id=topic.last_reply_author_id,
        last_activity_at=topic.last_activity_at,
        version=node.version,
        served_locale=node.served_locale,
        title=node.title,
        slug=node.slug,
        translations=node.translations,
        created_at=topic.created_at,
        updated_at=node.updated_at,
    )


def _reply_read(reply: Reply, node: NodeRead) -> ReplyRead:
    text = next(row for row in node.translations if row.locale == reply.locale)
    return ReplyRead(
        id=reply.id,
        topic_id=reply.topic_id,
        parent_id=reply.parent_id,
        root_id=reply.root_id,
        depth=reply.depth,
        author_id=reply.author_id,
        status=ReplyStatus(reply.status),
        locale=reply.locale,
        body=text.body or "",
        format=text.format or BodyFormat.MARKDOWN,
        html=text.html,
        version=node.version,
        created_at=reply.created_at,
        edited_at=reply.edited_at,
        moderated_at=reply.moderated_at,
    )


def _topic_payload(topic: Topic, actor: uuid.UUID) -> dict[str, Any]:
    return {
        "topic_id": topic.id,
        "category_id": topic.category_id,
        "author_id": topic.author_id,
        "status": topic.status,
        "pinned": topic.pinned,
        "locked": topic.locked,
        "reply_count": topic.reply_count,
        "last_activity_at": topic.last_activity_at,
        "actor_id": actor,
    }


def _reply_payload(
    reply: Reply, topic: Topic, reply_count: int, *, status: str | None = None
) -> dict[str, Any]:
    return {
        "reply_id": reply.id,
        "topic_id": reply.topic_id,
        "category_id": topic.category_id,
        "parent_id": reply.parent_id,
        "depth": reply.depth,
        "author_id": reply.author_id,
        "locale": reply.locale,
        "status": status or reply.status,
        "reply_count": reply_count,
    }


class _ForumBase:
    def __init__(self, uow: UnitOfWorkFactory, nodes: NodeService, settings: ForumSettings) -> None:
        self._uow = uow
        self._nodes = nodes
        self._settings = settings

    async def _category_in(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, category_id: uuid.UUID
    ) -> NodeRead:
        try:
            return await self._nodes.get_in(uow, category_id, kind=CATEGORY_KIND)
        except NodeNotFound:
            raise ForumCategoryNotFound("No such forum category.") from None


class ForumCategoryService(_ForumBase):
    async def list_categories(
        self,
        tenant_id: uuid.UUID,
        *,
        after: str | None = None,
        limit: int = 20,
        locale: str | None = None,
    ) -> CursorPage[ForumCategoryRead]:
        """The categories by position."""
        query = NodeQuery(kind=CATEGORY_KIND, sort=NodeSort.POSITION, locale=locale)
        page = await self._nodes.list_nodes(tenant_id, query, after=after, limit=limit)
        return CursorPage(
            items=[_category_read(node) for node in page.items], next_cursor=page.next_cursor
        )

    async def get(
        self, tenant_id: uuid.UUID, category_id: uuid.UUID, *, locale: str | None = None
    ) -> ForumCategoryRead:
        try:
            node = await self._nodes.get(tenant_id, category_id, locale=locale)
        except NodeNotFound:
            raise ForumCategoryNotFound("No such forum category.") from None
        if node.kind != CATEGORY_KIND or node.deleted_at is not None:
            raise ForumCategoryNotFound("No such forum category.")
        return _category_read(node)

    async def create(
        self, tenant_id: uuid.UUID, data: ForumCategoryCreate, *, reach: Reach
    ) -> ForumCategoryRead:
        node = await self._nodes.create(
            tenant_id,
            NodeCreate.model_validate(
                {
                    "kind": CATEGORY_KIND,
                    "status": NodeStatus.PUBLISHED,
                    "position": data.position,
                    "translations": [
                        {
                            "locale": item.locale,
                            "title": item.title,
                            "slug": item.slug,
                            "excerpt": item.description,
                        }
                        for item in data.translations
                    ],
                }
            ),
            reach=reach,
        )
        return _category_read(node)

    async def update(
        self,
        tenant_id: uuid.UUID,
        category_id: uuid.UUID,
        data: ForumCategoryUpdate,
        *,
        reach: Reach,
    ) -> ForumCategoryRead:
        """Change a category read at `data.version` (else 409 `VERSION_CONFLICT`)."""
        patch: dict[str, Any] = {"version": data.version}
        if data.position is not None:
            patch["position"] = data.position
        if data.translations:
            patch["translations"] = [
                {
                    key: value
                    for key, value in (
                        ("locale", item.locale),
                        ("title", item.title),
                        ("slug", item.slug),
                        ("excerpt", item.description),
                    )
                    if value is not None
                }
                for item in data.translations
            ]
        async with self._uow(tenant_id) as uow:
            await self._category_in(uow, tenant_id, category_id)
            node = await self._nodes.update_in(
                uow, category_id, NodeUpdate.model_validate(patch), reach=reach
            )
            await uow.commit()
        return _category_read(node)

    async def delete(self, tenant_id: uuid.UUID, category_id: uuid.UUID, *, reach: Reach) -> None:
        """Delete a category without topics (else 409 `FORUM_CATEGORY_IN_USE`)."""
        async with self._uow(tenant_id) as uow:
            await self._category_in(uow, tenant_id, category_id)
            if await ForumRepository(uow.session, tenant_id).category_has_topics(category_id):
                raise ForumCategoryInUse("The category has topics; move or delete them first.")
            await self._nodes.delete_in(uow, category_id, reach=reach)
            await uow.commit()


class TopicService(_ForumBase):
    # reads

    async def list_topics(
        self,
        tenant_id: uuid.UUID,
        query: TopicQuery,
        *,
        after: str | None = None,
        limit: int = 20,
        details: bool = True,
    ) -> CursorPage[TopicRead]:
        """A page of topics (of one category when `query.category_id`): pinned first, then
        the latest activity first; `details=False` leaves translations out (GraphQL loads
        them per field, batched)."""
        keys = [
            _key(Topic.pinned, descending=True),
            _key(Topic.last_activity_at, descending=True),
            _key(Topic.id, descending=True),
        ]
        order = "forum.topics"
        criteria: list[ColumnElement[bool]] = []
        if query.category_id is not None:
            criteria.append(Topic.category_id == query.category_id)
        if after is not None:
            criteria.append(keyset_after(keys, decode_cursor(after, order=order, width=3)))
        async with self._uow(tenant_id, read_only=True) as uow:
            if query.category_id is not None:
                await self._category_in(uow, tenant_id, query.category_id)
            repo = ForumRepository(uow.session, tenant_id)
            rows = await repo.topic_page(criteria, keys, limit)
            page, cursor = page_of(
                rows, limit, lambda t: (t.pinned, t.last_activity_at, t.id), order=order
            )
            nodes = await self._nodes.get_many_in(
                uow, [topic.id for topic in page], locale=query.locale, details=details
            )
            items = [_topic_read(topic, nodes[topic.id]) for topic in page if topic.id in nodes]
        return CursorPage(items=items, next_cursor=cursor)

    async def get(
        self, tenant_id: uuid.UUID, topic_id: uuid.UUID, *, locale: str | None = None
    ) -> TopicRead:
        async with self._uow(tenant_id, read_only=True) as uow:
            return await self._read_in(uow, tenant_id, topic_id, locale=locale)

    # writes

    async def create(self, tenant_id: uuid.UUID, data: TopicCreate, *, reach: Reach) -> TopicRead:
        """A topic in a forum category, opened by the caller, with its first post's text."""
        async with self._uow(tenant_id) as uow:
            try:
                await self._nodes.get_in(uow, data.category_id, kind=CATEGORY_KIND)
            except NodeNotFound:
                raise ForumCategoryInvalid(
                    "The category is not a forum category of this tenant.",
                    fields=[FieldError("body.category_id", "no such forum category")],
                ) from None
            node = await self._nodes.create_in(
                uow,
                NodeCreate.model_validate(
                    {
                        "kind": TOPIC_KIND,
                        "status": NodeStatus.PUBLISHED,
                        "parent_id": data.category_id,
                        "translations": [item.model_dump() for item in data.translations],
                    }
                ),
                reach=reach,
            )
            topic = Topic(
                tenant_id=tenant_id,
                id=node.id,
                category_id=data.category_id,
                author_id=reach.actor_id,
                status=TopicStatus.OPEN.value,
                pinned=False,
                locked=False,
                reply_count=0,
                last_activity_at=node.created_at,
                created_at=node.created_at,
            )
            await ForumRepository(uow.session, tenant_id).add(topic)
            read = _topic_read(topic, node)
            await uow.commit()
            return read

    async def update(
        self, tenant_id: uuid.UUID, topic_id: uuid.UUID, data: TopicUpdate, *, reach: Reach
    ) -> TopicRead:
        """Change a topic read at `data.version` (else 409 `VERSION_CONFLICT`): its text, and
        open or close it. Under an `own` scope only the caller's own topic (`NOT_OWNER`)."""
        patch: dict[str, Any] = {"version": data.version}
        if data.translations:
            patch["translations"] = [
                item.model_dump(exclude_none=True) for item in data.translations
            ]
        async with self._uow(tenant_id) as uow:
            repo = ForumRepository(uow.session, tenant_id)
            topic = await repo.topic(topic_id)
            if topic is None:
                raise TopicNotFound("No such topic.")
            try:
                node = await self._nodes.update_in(
                    uow, topic_id, NodeUpdate.model_validate(patch), reach=reach
                )
            except NodeNotFound:
                raise TopicNotFound("No such topic.") from None
            if data.status is not None:
                topic.status = data.status.value
                await uow.session.flush()
            read = _topic_read(topic, node)
            await uow.commit()
            return read

    async def delete(self, tenant_id: uuid.UUID, topic_id: uuid.UUID, *, reach: Reach) -> None:
        """Delete a topic (its node is soft-deleted; the topic leaves every list)."""
        async with self._uow(tenant_id) as uow:
            repo = ForumRepository(uow.session, tenant_id)
            topic = await repo.topic(topic_id)
            if topic is None:
                raise TopicNotFound("No such topic.")
            try:
                await self._nodes.delete_in(uow, topic_id, reach=reach)
            except NodeNotFound:
                raise TopicNotFound("No such topic.") from None
            topic.deleted_at = clock.utcnow()
            await uow.session.flush()
            await uow.commit()

    async def pin(self, tenant_id: uuid.UUID, topic_id: uuid.UUID, *, reach: Reach) -> TopicRead:
        """Pin the topic (it lists first); pinning a pinned topic changes nothing."""
        return await self._flag(tenant_id, topic_id, "pinned", True, TopicPinned, reach)

    async def unpin(self, tenant_id: uuid.UUID, topic_id: uuid.UUID, *, reach: Reach) -> TopicRead:
        return await self._flag(tenant_id, topic_id, "pinned", False, TopicUnpinned, reach)

    async def lock(self, tenant_id: uuid.UUID, topic_id: uuid.UUID, *, reach: Reach) -> TopicRead:
        """Lock the topic: it refuses replies (409 `TOPIC_LOCKED`) until unlocked."""
        return await self._flag(tenant_id, topic_id, "locked", True, TopicLocked, reach)

    async def unlock(self, tenant_id: uuid.UUID, topic_id: uuid.UUID, *, reach: Reach) -> TopicRead:
        return await self._flag(tenant_id, topic_id, "locked", False, TopicUnlocked, reach)

    # steps

    async def _read_in(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, topic_id: uuid.UUID, *, locale: str | None
    ) -> TopicRead:
        topic = await ForumRepository(uow.session, tenant_id).topic(topic_id)
        if topic is None:
            raise TopicNotFound("No such topic.")
        nodes = await self._nodes.get_many_in(uow, [topic_id], locale=locale)
        if topic_id not in nodes:
            raise TopicNotFound("No such topic.")
        return _topic_read(topic, nodes[topic_id])

    async def _flag(
        self,
        tenant_id: uuid.UUID,
        topic_id: uuid.UUID,
        flag: Literal["pinned", "locked"],
        value: bool,
        event: type[TopicEvent],
        reach: Reach,
    ) -> TopicRead:
        reach.check(None)  # a moderator's power: an `own` reach over topics reaches none
        async with self._uow(tenant_id) as uow:
            repo = ForumRepository(uow.session, tenant_id)
            if await repo.topic(topic_id) is None:
                raise TopicNotFound("No such topic.")
            changed = await repo.set_flag(topic_id, flag, value)
            topic = await repo.fresh_topic(topic_id)
            if topic is None:  # pragma: no cover - read in this transaction just above
                raise TopicNotFound("No such topic.")
            if changed:
                uow.emit(event(**_topic_payload(topic, reach.actor_id)), tenant_id=tenant_id)
            read = await self._read_in(uow, tenant_id, topic_id, locale=None)
            await uow.commit()
            return read


class ReplyService(_ForumBase):
    # reads

    async def list_replies(
        self,
        tenant_id: uuid.UUID,
        topic_id: uuid.UUID,
        *,
        view: Literal["flat", "threaded"] = "flat",
        after: str | None = None,
        limit: int = 20,
        moderator: Reach | None = None,
    ) -> CursorPage[ReplyRead]:
        """A page of the topic's replies, oldest first: every reply (`flat`, each naming its
        parent), or the replies to the topic with the replies under them (`threaded`; a reply
        the caller may not see hides the replies under it there)."""
        statuses = None if is_moderator(moderator) else [APPROVED]
        keys = [_key(Reply.created_at), _key(Reply.id)]
        order = f"forum.replies:{view}"
        criteria: list[ColumnElement[bool]] = [Reply.topic_id == topic_id]
        if statuses is not None:
            criteria.append(Reply.status.in_(statuses))
        if view == "threaded":
            criteria.append(Reply.depth == 1)
        if after is not None:
            criteria.append(keyset_after(keys, decode_cursor(after, order=order, width=2)))
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = ForumRepository(uow.session, tenant_id)
            if await repo.topic(topic_id) is None:
                raise TopicNotFound("No such topic.")
            rows = await repo.reply_page(criteria, keys, limit)
            page, cursor = page_of(rows, limit, lambda r: (r.created_at, r.id), order=order)
            below = (
                await repo.threads([reply.id for reply in page], statuses)
                if view == "threaded"
                else []
            )
            nodes = await self._nodes.get_many_in(
                uow, [reply.id for reply in (*page, *below)], reader=moderator
            )
            reads = {
                reply.id: _reply_read(reply, nodes[reply.id])
                for reply in (*page, *below)
                if reply.id in nodes
            }
            for reply in below:
                parent = reads.get(reply.parent_id) if reply.parent_id else None
                if parent is not None and reply.id in reads:
                    parent.replies.append(reads[reply.id])
            items = [reads[reply.id] for reply in page if reply.id in reads]
        return CursorPage(items=items, next_cursor=cursor)

    async def get(
        self, tenant_id: uuid.UUID, reply_id: uuid.UUID, *, moderator: Reach | None = None
    ) -> ReplyRead:
        async with self._uow(tenant_id, read_only=True) as uow:
            reply = await ForumRepository(uow.session, tenant_id).reply(reply_id)
            if reply is None or not (is_moderator(moderator) or reply.status == APPROVED):
                raise ReplyNotFound("No such reply.")
            return await self._read_in(uow, tenant_id, reply, moderator)

    # writes

    async def create(
        self,
        tenant_id: uuid.UUID,
        topic_id: uuid.UUID,
        data: ReplyCreate,
        *,
        reach: Reach,
        moderator: Reach | None = None,
    ) -> ReplyRead:
        """A reply by the caller to the topic or to one of its replies (`parent_id`). A locked
        topic refuses it (409 `TOPIC_LOCKED`), a closed one too (409 `TOPIC_CLOSED`). It is
        approved at once unless the tenant premoderates replies of non-moderators; an
        approved reply counts in the topic's `reply_count` and becomes its last reply."""
        locales = await self._nodes.locales(tenant_id)
        locale = data.locale or locales.default
        locales.check(locale, "body.locale")
        limit = self._nodes.max_body_bytes
        if len(data.body.encode("utf-8")) > limit:
            raise BodyTooLarge(
                f"The body is larger than {limit} bytes.",
                fields=[FieldError("body.body", f"at most {limit} bytes")],
            )
        approved = is_moderator(moderator) or not self._settings.premoderate_replies
        status = ReplyStatus.APPROVED if approved else ReplyStatus.PENDING
        async with self._uow(tenant_id) as uow:
            repo = ForumRepository(uow.session, tenant_id)
            topic = await repo.topic(topic_id, lock=True)
            if topic is None:
                raise TopicNotFound("No such topic.")
            if topic.locked:
                raise LockedTopic("The topic is locked: it takes no replies.")
            if topic.status == TopicStatus.CLOSED.value:
                raise ClosedTopic("The topic is closed: it takes no replies.")
            parent = await self._parent(repo, topic, data.parent_id, moderator)
            depth = parent.depth + 1 if parent else 1
            if depth > self._settings.max_reply_depth:
                raise ReplyTooDeep(
                    f"Replies nest at most {self._settings.max_reply_depth} deep.",
                    fields=[FieldError("body.parent_id", "too deep")],
                )
            topic_node = (await self._nodes.get_many_in(uow, [topic.id], locale=locale))[topic.id]
            node = await self._nodes.create_in(
                uow,
                NodeCreate.model_validate(
                    {
                        "kind": REPLY_KIND,
                        "status": NodeStatus.PUBLISHED if approved else NodeStatus.DRAFT,
                        "parent_id": parent.id if parent else topic.id,
                        "translations": [
                            {
                                "locale": locale,
                                "title": f"Re: {topic_node.title or ''}"[:MAX_TITLE].strip(),
                                # Unique by construction: concurrent replies never race for one.
                                "slug": f"reply-{uuid.uuid4().hex}",
                                "body": data.body,
                                "format": data.format.value,
                            }
                        ],
                    }
                ),
                reach=reach,
            )
            reply = Reply(
                tenant_id=tenant_id,
                id=node.id,
                topic_id=topic.id,
                parent_id=parent.id if parent else None,
                root_id=parent.root_id if parent else node.id,
                depth=depth,
                status=status.value,
                author_id=reach.actor_id,
                locale=locale,
                created_at=node.created_at,
            )
            await repo.add(reply)
            count = topic.reply_count
            if approved:
                count = await repo.count_reply(
                    topic.id, reply.id, reply.created_at, reply.author_id
                )
            uow.emit(
                ReplyCreated(**_reply_payload(reply, topic, count), created_at=reply.created_at),
                tenant_id=tenant_id,
            )
            read = _reply_read(reply, node)
            await uow.commit()
            return read

    async def update(
        self, tenant_id: uuid.UUID, reply_id: uuid.UUID, data: ReplyUpdate, *, reach: Reach
    ) -> ReplyRead:
        """Change a reply's text (read at `data.version`); under an `own` scope only the
        caller's own reply (403 `NOT_OWNER`). The previous text is kept as a revision."""
        async with self._uow(tenant_id) as uow:
            repo = ForumRepository(uow.session, tenant_id)
            reply = await repo.reply(reply_id)
            if reply is None:
                raise ReplyNotFound("No such reply.")
            text: dict[str, Any] = {"locale": reply.locale, "body": data.body}
            if data.format is not None:
                text["format"] = data.format.value
            try:
                node = await self._nodes.update_in(
                    uow,
                    reply_id,
                    NodeUpdate.model_validate({"version": data.version, "translations": [text]}),
                    reach=reach,
                )
            except NodeNotFound:
                raise ReplyNotFound("No such reply.") from None
            reply.edited_at = node.updated_at
            await uow.session.flush()
            read = _reply_read(reply, node)
            await uow.commit()
            return read

    async def delete(self, tenant_id: uuid.UUID, reply_id: uuid.UUID, *, reach: Reach) -> None:
        """Delete a reply (under an `own` scope only the caller's own); an approved one stops
        counting in its topic."""
        async with self._uow(tenant_id) as uow:
            repo = ForumRepository(uow.session, tenant_id)
            reply = await repo.reply(reply_id)
            if reply is None:
                raise ReplyNotFound("No such reply.")
            try:
                await self._nodes.delete_in(uow, reply_id, reach=reach)
            except NodeNotFound:
                raise ReplyNotFound("No such reply.") from None
            status = await repo.mark_deleted(reply_id, clock.utcnow())
            if status is None:
                raise ReplyNotFound("No such reply.")
            topic = await repo.fresh_topic(reply.topic_id)
            if topic is None:  # pragma: no cover - a reply's topic row outlives it
                raise TopicNotFound("No such topic.")
            count = await repo.uncount_reply(topic.id) if status == APPROVED else topic.reply_count
            uow.emit(
                ReplyDeleted(**_reply_payload(reply, topic, count, status=status)),
                tenant_id=tenant_id,
            )
            await uow.commit()

    async def moderate(
        self, tenant_id: uuid.UUID, reply_id: uuid.UUID, status: ReplyStatus, *, reach: Reach
    ) -> ReplyRead:
        """Move a reply to `status`. Entering or leaving `approved` counts it in or out of the
        topic exactly once (the move is one atomic UPDATE from the status read; a concurrent
        move is 409 `MODERATION_CONFLICT`); moving to the status it has changes nothing."""
        reach.check(None)  # moderating reaches every reply or none
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            repo = ForumRepository(uow.session, tenant_id)
            reply = await repo.reply(reply_id)
            if reply is None:
                raise ReplyNotFound("No such reply.")
            previous = reply.status
            if previous == status.value:
                return await self._read_in(uow, tenant_id, reply, reach)
            if not await repo.set_status(
                reply_id, previous=previous, status=status.value, now=now, moderator=reach.actor_id
            ):
                raise ModerationConflict("Another moderator changed this reply; read it again.")
            topic = await repo.fresh_topic(reply.topic_id)
            if topic is None:  # pragma: no cover - a reply's topic row outlives it
                raise TopicNotFound("No such topic.")
            count = topic.reply_count
            if status is ReplyStatus.APPROVED:
                await self._nodes.publish_in(uow, reply_id, reach=reach)
                count = await repo.count_reply(
                    topic.id, reply.id, reply.created_at, reply.author_id
                )
            elif previous == APPROVED:
                await self._nodes.unpublish_in(uow, reply_id, reach=reach)
                count = await repo.uncount_reply(topic.id)
            await uow.session.refresh(reply)
            uow.emit(
                ReplyModerated(
                    **_reply_payload(reply, topic, count),
                    previous_status=previous,
                    moderated_by=reach.actor_id,
                ),
                tenant_id=tenant_id,
            )
            read = await self._read_in(uow, tenant_id, reply, reach)
            await uow.commit()
            return read

    # steps

    async def _read_in(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, reply: Reply, moderator: Reach | None
    ) -> ReplyRead:
        nodes = await self._nodes.get_many_in(uow, [reply.id], reader=moderator)
        if reply.id not in nodes:
            raise ReplyNotFound("No such reply.")
        return _reply_read(reply, nodes[reply.id])

    @staticmethod
    async def _parent(
        repo: ForumRepository,
        topic: Topic,
        parent_id: uuid.UUID | None,
        moderator: Reach | None,
    ) -> Reply | None:
        """The reply `parent_id` names: one of this topic's that the caller may see."""
        if parent_id is None:
            return None
        parent = await repo.reply(parent_id)
        if (
            parent is None
            or parent.topic_id != topic.id
            or not (is_moderator(moderator) or parent.status == APPROVED)
        ):
            raise ParentReplyInvalid(
                "The parent is not a reply of this topic.",
                fields=[FieldError("body.parent_id", "no such reply in this topic")],
            )
        return parent
