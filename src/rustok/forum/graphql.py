"""GraphQL of the forum module: categories, topics (a Relay-style connection, pinned first), a
topic with its replies (flat or threaded), and a mutation for every write. Mutations take the
REST body as `input` (JSON), checked by the same model, so a refusal names `input.<field>`.

A topic's title, translations and author are fields with per-request DataLoaders, and its
counts are columns of its row, so a page of N topics costs the same few statements whatever N
is (tests/forum/test_graphql.py counts them).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from rustok.content.service import NodeService
from rustok.core.cursor import DEFAULT_LIMIT
from rustok.core.modules import GraphQLPart
from rustok.core.permissions import Action
from rustok.forum.permissions import FORUM_CATEGORIES, FORUM_REPLIES, FORUM_TOPICS
from rustok.forum.rest import moderator_reach
from rustok.forum.schemas import (
    ForumCategoryCreate,
    ForumCategoryUpdate,
    ReplyCreate,
    ReplyModerate,
    ReplyQuery,
    ReplyUpdate,
    TopicCreate,
    TopicQuery,
    TopicUpdate,
)
from rustok.forum.service import ForumCategoryService, ReplyService, TopicService
from rustok.web.graphql import (
    PER_PARENT,
    GraphQLContext,
    author_loader,
    page_size,
    parse_input,
    per_request,
    public,
    requires,
)

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.content.schemas import TranslationRead
    from rustok.forum.schemas import ForumCategoryRead, ReplyRead, TopicRead


class ForumLoaders:
    """The loaders of one request: each batches its keys into one call."""

    def __init__(self, container: Container, tenant_id: uuid.UUID) -> None:
        nodes = container.service(NodeService)

        async def translations(ids: list[uuid.UUID]) -> list[list[TranslationRead]]:
            found = await nodes.translations_of(tenant_id, ids)
            return [found.get(node_id, []) for node_id in ids]

        self.translations = DataLoader(load_fn=translations)


def loaders(info: Info[GraphQLContext, Any]) -> ForumLoaders:
    """This request's loaders (made on first use, dropped with the request)."""
    return per_request(
        info, "forum_loaders", lambda: ForumLoaders(info.context.container, info.context.tenant.id)
    )


async def _chain(info: Info[GraphQLContext, Any], locale: str | None) -> list[str]:
    locales = await info.context.container.service(NodeService).locales(info.context.tenant.id)
    if locale is not None:
        locales.check(locale, "locale")
    return locales.chain(locale)


@strawberry.type
class ForumAuthor:
    id: uuid.UUID
    name: str


async def _author(
    info: Info[GraphQLContext, Any], author_id: uuid.UUID | None
) -> ForumAuthor | None:
    if author_id is None:
        return None
    found = await author_loader(info).load(author_id)
    return ForumAuthor(id=found.id, name=found.name) if found else None


@strawberry.type
class ForumPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ForumCategoryTranslation:
    locale: str
    title: str
    slug: str
    description: str


@strawberry.type
class ForumCategory:
    id: uuid.UUID
    position: int
    version: int
    served_locale: str | None
    title: str | None
    slug: str | None
    description: str | None
    translations: list[ForumCategoryTranslation]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, read: ForumCategoryRead) -> ForumCategory:
        return cls(
            id=read.id,
            position=read.position,
            version=read.version,
            served_locale=read.served_locale,
            title=read.title,
            slug=read.slug,
            description=read.description,
            translations=[
                ForumCategoryTranslation(**item.model_dump()) for item in read.translations
            ],
            created_at=read.created_at,
            updated_at=read.updated_at,
        )


@strawberry.type
class ForumCategoryConnection:
    items: list[ForumCategory]
    page_info: ForumPageInfo


@strawberry.type
class ForumTopicTranslation:
    locale: str
    title: str
    slug: str
    body: str | None
    format: str | None
    html: str | None = strawberry.field(description="The body as sanitized HTML.")


@strawberry.type
class ForumReply:
    id: uuid.UUID
    topic_id: uuid.UUID
    parent_id: uuid.UUID | None
    root_id: uuid.UUID
    depth: int
    author_id: uuid.UUID | None
    status: str
    locale: str
    body: str
    format: str
    html: str | None
    version: int
    created_at: datetime
    edited_at: datetime | None
    moderated_at: datetime | None
    replies: list[ForumReply] = strawberry.field(
        description="The replies under this one (threaded view only)."
    )

    @classmethod
    def of(cls, read: ReplyRead) -> ForumReply:
        return cls(
            id=read.id,
            topic_id=read.topic_id,
            parent_id=read.parent_id,
            root_id=read.root_id,
            depth=read.depth,
            author_id=read.author_id,
            status=read.status.value,
            locale=read.locale,
            body=read.body,
            format=read.format.value,
            html=read.html,
            version=read.version,
            created_at=read.created_at,
            edited_at=read.edited_at,
            moderated_at=read.moderated_at,
            replies=[cls.of(item) for item in read.replies],
        )

    @strawberry.field
    async def author(self, info: Info[GraphQLContext, Any]) -> ForumAuthor | None:
        return await _author(info, self.author_id)


@strawberry.type
class ForumReplyConnection:
    items: list[ForumReply]
    page_info: ForumPageInfo


def _view(view: str) -> Literal["flat", "threaded"]:
    return parse_input(ReplyQuery, {"view": view}, prefix="").view


@strawberry.type
class ForumTopic:
    id: uuid.UUID
    category_id: uuid.UUID
    author_id: uuid.UUID | None
    status: str
    pinned: bool
    locked: bool
    reply_count: int = strawberry.field(description="Approved replies.")
    last_reply_id: uuid.UUID | None
    last_reply_at: datetime | None
    last_activity_at: datetime
    version: int
    created_at: datetime
    updated_at: datetime
    chain: strawberry.Private[list[str]]

    @classmethod
    def of(cls, read: TopicRead, chain: list[str]) -> ForumTopic:
        return cls(
            id=read.id,
            category_id=read.category_id,
            author_id=read.author_id,
            status=read.status.value,
            pinned=read.pinned,
            locked=read.locked,
            reply_count=read.reply_count,
            last_reply_id=read.last_reply_id,
            last_reply_at=read.last_reply_at,
            last_activity_at=read.last_activity_at,
            version=read.version,
            created_at=read.created_at,
            updated_at=read.updated_at,
            chain=chain,
        )

    async def _served(self, info: Info[GraphQLContext, Any]) -> TranslationRead | None:
        rows = await loaders(info).translations.load(self.id)
        by_locale = {row.locale: row for row in rows}
        return next(
            (by_locale[loc] for loc in self.chain if loc in by_locale), rows[0] if rows else None
        )

    @strawberry.field(description="The locale the title is served in (after fallback).")
    async def served_locale(self, info: Info[GraphQLContext, Any]) -> str | None:
        served = await self._served(info)
        return served.locale if served else None

    @strawberry.field
    async def title(self, info: Info[GraphQLContext, Any]) -> str | None:
        served = await self._served(info)
        return served.title if served else None

    @strawberry.field
    async def slug(self, info: Info[GraphQLContext, Any]) -> str | None:
        served = await self._served(info)
        return served.slug if served else None

    @strawberry.field
    async def translations(self, info: Info[GraphQLContext, Any]) -> list[ForumTopicTranslation]:
        return [
            ForumTopicTranslation(
                locale=row.locale,
                title=row.title,
                slug=row.slug,
                body=row.body,
                format=row.format.value if row.format else None,
                html=row.html,
            )
            for row in await loaders(info).translations.load(self.id)
        ]

    @strawberry.field
    async def author(self, info: Info[GraphQLContext, Any]) -> ForumAuthor | None:
        return await _author(info, self.author_id)

    @strawberry.field(
        description="The topic's replies, oldest first; one query per topic, so a list of "
        "topics pays it per topic in the query cost.",
        metadata={PER_PARENT: True},
    )
    async def replies(
        self,
        info: Info[GraphQLContext, Any],
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        view: str = "flat",
    ) -> ForumReplyConnection:
        return await _replies(info, self.id, first=first, after=after, view=view)


async def _replies(
    info: Info[GraphQLContext, Any],
    topic_id: uuid.UUID,
    *,
    first: int,
    after: str | None,
    view: str,
) -> ForumReplyConnection:
    page = await info.context.container.service(ReplyService).list_replies(
        info.context.tenant.id,
        topic_id,
        view=_view(view),
        after=after,
        limit=page_size(first),
        moderator=await moderator_reach(info.context.http_request),
    )
    return ForumReplyConnection(
        items=[ForumReply.of(item) for item in page.items],
        page_info=ForumPageInfo(has_next_page=page.has_more, end_cursor=page.next_cursor),
    )


@strawberry.type
class ForumTopicEdge:
    node: ForumTopic


@strawberry.type
class ForumTopicConnection:
    edges: list[ForumTopicEdge]
    page_info: ForumPageInfo


def _topic(read: TopicRead) -> ForumTopic:
    return ForumTopic.of(read, [read.served_locale] if read.served_locale else [])


@strawberry.type
class ForumQuery:
    @strawberry.field(extensions=[public()], description="Forum categories, by position.")
    async def forum_categories(
        self,
        info: Info[GraphQLContext, Any],
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        locale: str | None = None,
    ) -> ForumCategoryConnection:
        page = await info.context.container.service(ForumCategoryService).list_categories(
            info.context.tenant.id, after=after, limit=page_size(first), locale=locale
        )
        return ForumCategoryConnection(
            items=[ForumCategory.of(item) for item in page.items],
            page_info=ForumPageInfo(has_next_page=page.has_more, end_cursor=page.next_cursor),
        )

    @strawberry.field(extensions=[public()], description="One forum category.")
    async def forum_category(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, locale: str | None = None
    ) -> ForumCategory:
        read = await info.context.container.service(ForumCategoryService).get(
            info.context.tenant.id, id, locale=locale
        )
        return ForumCategory.of(read)

    @strawberry.field(
        extensions=[public()],
        description="Topics (of one category when given): pinned first, then latest activity.",
    )
    async def forum_topics(
        self,
        info: Info[GraphQLContext, Any],
        category_id: uuid.UUID | None = None,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        locale: str | None = None,
    ) -> ForumTopicConnection:
        query = parse_input(TopicQuery, {"category_id": category_id, "locale": locale}, prefix="")
        chain = await _chain(info, locale)
        page = await info.context.container.service(TopicService).list_topics(
            info.context.tenant.id, query, after=after, limit=page_size(first), details=False
        )
        return ForumTopicConnection(
            edges=[ForumTopicEdge(node=ForumTopic.of(item, chain)) for item in page.items],
            page_info=ForumPageInfo(has_next_page=page.has_more, end_cursor=page.next_cursor),
        )

    @strawberry.field(extensions=[public()], description="One topic.")
    async def forum_topic(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, locale: str | None = None
    ) -> ForumTopic:
        chain = await _chain(info, locale)
        read = await info.context.container.service(TopicService).get(
            info.context.tenant.id, id, locale=locale
        )
        return ForumTopic.of(read, chain)

    @strawberry.field(extensions=[public()], description="One reply (approved, for the public).")
    async def forum_reply(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> ForumReply:
        read = await info.context.container.service(ReplyService).get(
            info.context.tenant.id, id, moderator=await moderator_reach(info.context.http_request)
        )
        return ForumReply.of(read)


@strawberry.type
class ForumMutation:
    @strawberry.mutation(
        extensions=[requires(FORUM_CATEGORIES, Action.CREATE)],
        description="Create a forum category (`input` as POST /api/forum/categories).",
    )
    async def create_forum_category(
        self, info: Info[GraphQLContext, Any], input: JSON
    ) -> ForumCategory:
        data = parse_input(ForumCategoryCreate, input)
        access = await info.context.access(FORUM_CATEGORIES, Action.CREATE)
        read = await info.context.container.service(ForumCategoryService).create(
            info.context.tenant.id, data, reach=access.reach
        )
        return ForumCategory.of(read)

    @strawberry.mutation(
        extensions=[requires(FORUM_CATEGORIES, Action.UPDATE)],
        description="Change a forum category read at `version` (`input` as PATCH's body).",
    )
    async def update_forum_category(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON
    ) -> ForumCategory:
        data = parse_input(ForumCategoryUpdate, input)
        access = await info.context.access(FORUM_CATEGORIES, Action.UPDATE)
        read = await info.context.container.service(ForumCategoryService).update(
            info.context.tenant.id, id, data, reach=access.reach
        )
        return ForumCategory.of(read)

    @strawberry.mutation(
        extensions=[requires(FORUM_CATEGORIES, Action.DELETE)],
        description="Delete a forum category without topics.",
    )
    async def delete_forum_category(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> bool:
        access = await info.context.access(FORUM_CATEGORIES, Action.DELETE)
        await info.context.container.service(ForumCategoryService).delete(
            info.context.tenant.id, id, reach=access.reach
        )
        return True

    @strawberry.mutation(
        extensions=[requires(FORUM_TOPICS, Action.CREATE)],
        description="Open a topic (`input` as POST /api/forum/topics).",
    )
    async def create_forum_topic(self, info: Info[GraphQLContext, Any], input: JSON) -> ForumTopic:
        data = parse_input(TopicCreate, input)
        access = await info.context.access(FORUM_TOPICS, Action.CREATE)
        read = await info.context.container.service(TopicService).create(
            info.context.tenant.id, data, reach=access.reach
        )
        return _topic(read)

    @strawberry.mutation(
        extensions=[requires(FORUM_TOPICS, Action.UPDATE)],
        description="Change a topic read at `version` (`input` as PATCH's body).",
    )
    async def update_forum_topic(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON
    ) -> ForumTopic:
        data = parse_input(TopicUpdate, input)
        access = await info.context.access(FORUM_TOPICS, Action.UPDATE)
        read = await info.context.container.service(TopicService).update(
            info.context.tenant.id, id, data, reach=access.reach
        )
        return _topic(read)

    @strawberry.mutation(
        extensions=[requires(FORUM_TOPICS, Action.DELETE)], description="Delete a topic."
    )
    async def delete_forum_topic(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> bool:
        access = await info.context.access(FORUM_TOPICS, Action.DELETE)
        await info.context.container.service(TopicService).delete(
            info.context.tenant.id, id, reach=access.reach
        )
        return True

    @strawberry.mutation(
        extensions=[requires(FORUM_TOPICS, Action.MANAGE)], description="Pin a topic."
    )
    async def pin_forum_topic(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> ForumTopic:
        access = await info.context.access(FORUM_TOPICS, Action.MANAGE)
        read = await info.context.container.service(TopicService).pin(
            info.context.tenant.id, id, reach=access.reach
        )
        return _topic(read)

    @strawberry.mutation(
        extensions=[requires(FORUM_TOPICS, Action.MANAGE)], description="Unpin a topic."
    )
    async def unpin_forum_topic(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> ForumTopic:
        access = await info.context.access(FORUM_TOPICS, Action.MANAGE)
        read = await info.context.container.service(TopicService).unpin(
            info.context.tenant.id, id, reach=access.reach
        )
        return _topic(read)

    @strawberry.mutation(
        extensions=[requires(FORUM_TOPICS, Action.MANAGE)],
        description="Lock a topic: it refuses replies (TOPIC_LOCKED) until unlocked.",
    )
    async def lock_forum_topic(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> ForumTopic:
        access = await info.context.access(FORUM_TOPICS, Action.MANAGE)
        read = await info.context.container.service(TopicService).lock(
            info.context.tenant.id, id, reach=access.reach
        )
        return _topic(read)

    @strawberry.mutation(
        extensions=[requires(FORUM_TOPICS, Action.MANAGE)], description="Unlock a topic."
    )
    async def unlock_forum_topic(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID
    ) -> ForumTopic:
        access = await info.context.access(FORUM_TOPICS, Action.MANAGE)
        read = await info.context.container.service(TopicService).unlock(
            info.context.tenant.id, id, reach=access.reach
        )
        return _topic(read)

    @strawberry.mutation(
        extensions=[requires(FORUM_REPLIES, Action.CREATE)],
        description="Reply to a topic (`input` as POST /api/forum/topics/{id}/replies).",
    )
    async def create_forum_reply(
        self, info: Info[GraphQLContext, Any], topic_id: uuid.UUID, input: JSON
    ) -> ForumReply:
        data = parse_input(ReplyCreate, input)
        access = await info.context.access(FORUM_REPLIES, Action.CREATE)
        read = await info.context.container.service(ReplyService).create(
            info.context.tenant.id,
            topic_id,
            data,
            reach=access.reach,
            moderator=await moderator_reach(info.context.http_request),
        )
        return ForumReply.of(read)

    @strawberry.mutation(
        extensions=[requires(FORUM_REPLIES, Action.UPDATE)],
        description="Edit a reply read at `version` (`input` as PATCH's body).",
    )
    async def update_forum_reply(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON
    ) -> ForumReply:
        data = parse_input(ReplyUpdate, input)
        access = await info.context.access(FORUM_REPLIES, Action.UPDATE)
        read = await info.context.container.service(ReplyService).update(
            info.context.tenant.id, id, data, reach=access.reach
        )
        return ForumReply.of(read)

    @strawberry.mutation(
        extensions=[requires(FORUM_REPLIES, Action.DELETE)], description="Delete a reply."
    )
    async def delete_forum_reply(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> bool:
        access = await info.context.access(FORUM_REPLIES, Action.DELETE)
        await info.context.container.service(ReplyService).delete(
            info.context.tenant.id, id, reach=access.reach
        )
        return True

    @strawberry.mutation(
        extensions=[requires(FORUM_REPLIES, Action.MANAGE)],
        description="Approve, reject or hide a reply (`status`).",
    )
    async def moderate_forum_reply(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, status: str
    ) -> ForumReply:
        data = parse_input(ReplyModerate, {"status": status}, prefix="")
        access = await info.context.access(FORUM_REPLIES, Action.MANAGE)
        read = await info.context.container.service(ReplyService).moderate(
            info.context.tenant.id, id, data.status, reach=access.reach
        )
        return ForumReply.of(read)


GRAPHQL = GraphQLPart(query=ForumQuery, mutation=ForumMutation)
