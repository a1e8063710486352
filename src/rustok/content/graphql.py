"""GraphQL of the content module: nodes (a Relay-style connection), a node by id or slug,
categories, tags and a node's revisions; a mutation for every write of the REST API.

A node's translations, author, category and tags are fields with per-request DataLoaders, so a
page of N nodes costs the same handful of statements whatever N is (tests/content/
test_graphql.py counts them).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from rustok.content.permissions import CATEGORIES, NODES, TAGS
from rustok.content.rest import editor_reach
from rustok.content.schemas import (
    CategoryCreate,
    CategoryUpdate,
    NodeCreate,
    NodeQuery,
    NodeRead,
    NodeSort,
    NodeUpdate,
    RevisionRead,
    ScheduleRequest,
    TagCreate,
    TagIds,
    TagRef,
    TagUpdate,
    TranslationRead,
)
from rustok.content.service import CategoryService, NodeService, TagService
from rustok.core.cursor import DEFAULT_LIMIT
from rustok.core.modules import GraphQLPart
from rustok.core.permissions import Action
from rustok.web.graphql import (
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
    from rustok.content.schemas import CategoryRead, TagRead


class ContentLoaders:
    """The loaders of one request and one locale: each batches its keys into one call."""

    def __init__(self, container: Container, tenant_id: uuid.UUID, locale: str | None) -> None:
        nodes = container.service(NodeService)
        categories = container.service(CategoryService)

        async def translations(ids: list[uuid.UUID]) -> list[list[TranslationRead]]:
            found = await nodes.translations_of(tenant_id, ids)
            return [found.get(node_id, []) for node_id in ids]

        async def tags(ids: list[uuid.UUID]) -> list[list[TagRef]]:
            found = await nodes.tags_of(tenant_id, ids, locale=locale)
            return [found.get(node_id, []) for node_id in ids]

        async def by_category(ids: list[uuid.UUID]) -> list[CategoryRead | None]:
            found = await categories.get_many(tenant_id, ids, locale=locale)
            return [found.get(category_id) for category_id in ids]

        self.translations = DataLoader(load_fn=translations)
        self.tags = DataLoader(load_fn=tags)
        self.categories = DataLoader(load_fn=by_category)


def loaders(info: Info[GraphQLContext, Any], locale: str | None) -> ContentLoaders:
    """This request's loaders for `locale` (made on first use, dropped with the request)."""
    return per_request(
        info,
        f"content_loaders:{locale}",
        lambda: ContentLoaders(info.context.container, info.context.tenant.id, locale),
    )


@strawberry.type
class Seo:
    title: str | None
    description: str | None
    canonical_url: str | None
    robots: str | None
    og_image_id: uuid.UUID | None


@strawberry.type
class NodeTranslation:
    locale: str
    title: str
    slug: str
    excerpt: str
    body: str | None
    format: str | None
    html: str | None = strawberry.field(description="The body as sanitized HTML.")
    seo: Seo | None

    @classmethod
    def of(cls, read: TranslationRead) -> NodeTranslation:
        return cls(
            locale=read.locale,
            title=read.title,
            slug=read.slug,
            excerpt=read.excerpt,
            body=read.body,
            format=read.format.value if read.format else None,
            html=read.html,
            seo=Seo(**read.seo.model_dump()) if read.seo else None,
        )


@strawberry.type
class Author:
    id: uuid.UUID
    name: str


@strawberry.type
class Tag:
    id: uuid.UUID
    name: str | None
    slug: str | None
    served_locale: str | None

    @classmethod
    def of(cls, read: TagRef | TagRead) -> Tag:
        return cls(id=read.id, name=read.name, slug=read.slug, served_locale=read.served_locale)


@strawberry.type
class Category:
    id: uuid.UUID
    parent_id: uuid.UUID | None
    position: int
    name: str | None
    slug: str | None
    served_locale: str | None

    @classmethod
    def of(cls, read: CategoryRead) -> Category:
        return cls(
            id=read.id,
            parent_id=read.parent_id,
            position=read.position,
            name=read.name,
            slug=read.slug,
            served_locale=read.served_locale,
        )


@strawberry.type
class Node:
    id: uuid.UUID
    kind: str
    status: str
    parent_id: uuid.UUID | None
    author_id: uuid.UUID | None
    category_id: uuid.UUID | None
    position: int
    metadata: JSON
    version: int
    publish_at: datetime | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    locale: strawberry.Private[str | None]
    chain: strawberry.Private[list[str]]

    @classmethod
    def of(cls, read: NodeRead, locale: str | None, chain: list[str]) -> Node:
        return cls(
            id=read.id,
            kind=read.kind,
            status=read.status.value,
            parent_id=read.parent_id,
            author_id=read.author_id,
            category_id=read.category_id,
            position=read.position,
            metadata=cast("JSON", read.metadata),
            version=read.version,
            publish_at=read.publish_at,
            published_at=read.published_at,
            created_at=read.created_at,
            updated_at=read.updated_at,
            locale=locale,
            chain=chain,
        )

    async def _served(self, info: Info[GraphQLContext, Any]) -> TranslationRead | None:
        rows = await loaders(info, self.locale).translations.load(self.id)
        by_locale = {row.locale: row for row in rows}
        return next(
            (by_locale[loc] for loc in self.chain if loc in by_locale), rows[0] if rows else None
        )

    @strawberry.field(description="The locale title and slug are served in (after fallback).")
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
    async def translations(self, info: Info[GraphQLContext, Any]) -> list[NodeTranslation]:
        rows = await loaders(info, self.locale).translations.load(self.id)
        return [NodeTranslation.of(row) for row in rows]

    @strawberry.field
    async def author(self, info: Info[GraphQLContext, Any]) -> Author | None:
        if self.author_id is None:
            return None
        found = await author_loader(info).load(self.author_id)
        return Author(id=found.id, name=found.name) if found else None

    @strawberry.field
    async def category(self, info: Info[GraphQLContext, Any]) -> Category | None:
        if self.category_id is None:
            return None
        found = await loaders(info, self.locale).categories.load(self.category_id)
        return Category.of(found) if found else None

    @strawberry.field
    async def tags(self, info: Info[GraphQLContext, Any]) -> list[Tag]:
        return [Tag.of(ref) for ref in await loaders(info, self.locale).tags.load(self.id)]


@strawberry.type
class Revision:
    id: uuid.UUID
    node_id: uuid.UUID
    locale: str
    node_version: int
    title: str
    slug: str
    excerpt: str
    body: str | None
    format: str | None
    created_by: uuid.UUID | None
    created_at: datetime

    @classmethod
    def of(cls, read: RevisionRead) -> Revision:
        return cls(**read.model_dump())


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class NodeEdge:
    node: Node


@strawberry.type
class NodeConnection:
    edges: list[NodeEdge]
    page_info: PageInfo


@strawberry.type
class CategoryConnection:
    items: list[Category]
    page_info: PageInfo


@strawberry.type
class TagConnection:
    items: list[Tag]
    page_info: PageInfo


async def _chain(info: Info[GraphQLContext, Any], locale: str | None) -> list[str]:
    tenant_id = info.context.tenant.id
    locales = await info.context.container.service(NodeService).locales(tenant_id)
    if locale is not None:
        locales.check(locale, "locale")
    return locales.chain(locale)


def _node(read: NodeRead, locale: str | None) -> Node:
    chain = [read.served_locale] if read.served_locale else []
    return Node.of(read, locale, chain)


@strawberry.type
class ContentQuery:
    @strawberry.field(extensions=[public()], description="One node (published, for the public).")
    async def node(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, locale: str | None = None
    ) -> Node:
        read = await info.context.container.service(NodeService).get(
            info.context.tenant.id,
            id,
            reader=await editor_reach(info.context.http_request),
            locale=locale,
        )
        return _node(read, locale)

    @strawberry.field(extensions=[public()], description="The node with this slug.")
    async def node_by_slug(
        self,
        info: Info[GraphQLContext, Any],
        slug: str,
        kind: str | None = None,
        locale: str | None = None,
    ) -> Node:
        read = await info.context.container.service(NodeService).get_by_slug(
            info.context.tenant.id,
            slug.lower(),
            kind=kind,
            locale=locale,
            reader=await editor_reach(info.context.http_request),
        )
        return _node(read, locale)

    @strawberry.field(extensions=[public()], description="Nodes, a page at a time.")
    async def nodes(
        self,
        info: Info[GraphQLContext, Any],
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        category_id: uuid.UUID | None = None,
        tag_id: uuid.UUID | None = None,
        parent_id: uuid.UUID | None = None,
        author_id: uuid.UUID | None = None,
        locale: str | None = None,
        search: str | None = None,
        sort: str = NodeSort.NEWEST.value,
    ) -> NodeConnection:
        query = parse_input(
            NodeQuery,
            {
                "kind": kind,
                "status": status,
                "category_id": category_id,
                "tag_id": tag_id,
                "parent_id": parent_id,
                "author_id": author_id,
                "locale": locale,
                "q": search,
                "sort": sort,
            },
            prefix="",
        )
        chain = await _chain(info, locale)
        page = await info.context.container.service(NodeService).list_nodes(
            info.context.tenant.id,
            query,
            after=after,
            limit=page_size(first),
            reader=await editor_reach(info.context.http_request),
            details=False,
        )
        return NodeConnection(
            edges=[NodeEdge(node=Node.of(item, locale, chain)) for item in page.items],
            page_info=PageInfo(has_next_page=page.has_more, end_cursor=page.next_cursor),
        )

    @strawberry.field(extensions=[public()], description="Categories, by position.")
    async def categories(
        self,
        info: Info[GraphQLContext, Any],
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        locale: str | None = None,
    ) -> CategoryConnection:
        page = await info.context.container.service(CategoryService).list_categories(
            info.context.tenant.id, after=after, limit=page_size(first), locale=locale
        )
        return CategoryConnection(
            items=[Category.of(item) for item in page.items],
            page_info=PageInfo(has_next_page=page.has_more, end_cursor=page.next_cursor),
        )

    @strawberry.field(extensions=[public()], description="Tags, oldest first.")
    async def tags(
        self,
        info: Info[GraphQLContext, Any],
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        locale: str | None = None,
    ) -> TagConnection:
        page = await info.context.container.service(TagService).list_tags(
            info.context.tenant.id, after=after, limit=page_size(first), locale=locale
        )
        return TagConnection(
            items=[Tag.of(item) for item in page.items],
            page_info=PageInfo(has_next_page=page.has_more, end_cursor=page.next_cursor),
        )

    @strawberry.field(
        extensions=[requires(NODES, Action.UPDATE)],
        description="Earlier states of a node's translations, newest first (editors only).",
    )
    async def node_revisions(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID
    ) -> list[Revision]:
        access = await info.context.access(NODES, Action.UPDATE)
        revisions = await info.context.container.service(NodeService).revisions(
            info.context.tenant.id, id, reach=access.reach
        )
        return [Revision.of(item) for item in revisions]


@strawberry.input
class TranslationInput:
    locale: str
    title: str | None = None
    slug: str | None = None
    excerpt: str | None = None
    body: str | None = None
    format: str | None = None


@strawberry.input
class NodeCreateInput:
    kind: str
    translations: list[TranslationInput]
    status: str | None = None
    publish_at: datetime | None = None
    parent_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    position: int | None = None
    metadata: JSON | None = None
    tag_ids: list[uuid.UUID] | None = None


@strawberry.input
class NodeUpdateInput:
    version: int
    parent_id: uuid.UUID | None = strawberry.UNSET
    category_id: uuid.UUID | None = strawberry.UNSET
    position: int | None = strawberry.UNSET
    metadata: JSON | None = strawberry.UNSET
    translations: list[TranslationInput] | None = strawberry.UNSET


def _given(value: object) -> dict[str, Any]:
    """An input as a dict of the fields the caller gave (unset and null-for-default left out)."""
    data: dict[str, Any] = {}
    for name, item in vars(value).items():
        if item is strawberry.UNSET:
            continue
        if isinstance(item, list):
            data[name] = [_given(x) if hasattr(x, "__dict__") else x for x in item]
        else:
            data[name] = item
    return data


def _without_nulls(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: value for key, value in data.items() if value is not None}
    if "translations" in cleaned:
        cleaned["translations"] = [
            {key: value for key, value in item.items() if value is not None}
            for item in cleaned["translations"]
        ]
    return cleaned


@strawberry.type
class ContentMutation:
    @strawberry.mutation(
        extensions=[requires(NODES, Action.CREATE)],
        description="Create a node with its translations and bodies.",
    )
    async def create_node(self, info: Info[GraphQLContext, Any], input: NodeCreateInput) -> Node:
        data = parse_input(NodeCreate, _without_nulls(_given(input)))
        access = await info.context.access(NODES, Action.CREATE)
        read = await info.context.container.service(NodeService).create(
            info.context.tenant.id, data, reach=access.reach
        )
        return _node(read, None)

    @strawberry.mutation(
        extensions=[requires(NODES, Action.UPDATE)],
        description="Change a node read at `version`.",
    )
    async def update_node(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: NodeUpdateInput
    ) -> Node:
        raw = _given(input)
        if raw.get("translations") is not None:
            raw["translations"] = _without_nulls({"translations": raw["translations"]})[
                "translations"
            ]
        data = parse_input(NodeUpdate, raw)
        access = await info.context.access(NODES, Action.UPDATE)
        read = await info.context.container.service(NodeService).update(
            info.context.tenant.id, id, data, reach=access.reach
        )
        return _node(read, None)

    @strawberry.mutation(extensions=[requires(NODES, Action.UPDATE)], description="Publish a node.")
    async def publish_node(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Node:
        access = await info.context.access(NODES, Action.UPDATE)
        read = await info.context.container.service(NodeService).publish(
            info.context.tenant.id, id, reach=access.reach
        )
        return _node(read, None)

    @strawberry.mutation(
        extensions=[requires(NODES, Action.UPDATE)],
        description="Take a node back to draft.",
    )
    async def unpublish_node(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Node:
        access = await info.context.access(NODES, Action.UPDATE)
        read = await info.context.container.service(NodeService).unpublish(
            info.context.tenant.id, id, reach=access.reach
        )
        return _node(read, None)

    @strawberry.mutation(
        extensions=[requires(NODES, Action.DELETE)],
        description="Delete a node (restorable over REST).",
    )
    async def delete_node(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> bool:
        access = await info.context.access(NODES, Action.DELETE)
        await info.context.container.service(NodeService).delete(
            info.context.tenant.id, id, reach=access.reach
        )
        return True

    @strawberry.mutation(extensions=[requires(NODES, Action.UPDATE)], description="Archive a node.")
    async def archive_node(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Node:
        access = await info.context.access(NODES, Action.UPDATE)
        read = await info.context.container.service(NodeService).archive(
            info.context.tenant.id, id, reach=access.reach
        )
        return _node(read, None)

    @strawberry.mutation(
        extensions=[requires(NODES, Action.UPDATE)],
        description="Publish a node at `publishAt` (a time with its offset).",
    )
    async def schedule_node(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, publish_at: datetime
    ) -> Node:
        data = parse_input(ScheduleRequest, {"publish_at": publish_at}, prefix="")
        access = await info.context.access(NODES, Action.UPDATE)
        read = await info.context.container.service(NodeService).schedule(
            info.context.tenant.id, id, data.publish_at, reach=access.reach
        )
        return _node(read, None)

    @strawberry.mutation(
        extensions=[requires(NODES, Action.DELETE)], description="Restore a deleted node."
    )
    async def restore_node(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> Node:
        access = await info.context.access(NODES, Action.DELETE)
        read = await info.context.container.service(NodeService).restore(
            info.context.tenant.id, id, reach=access.reach
        )
        return _node(read, None)

    @strawberry.mutation(
        extensions=[requires(NODES, Action.UPDATE)],
        description="Put a revision's translation and body back (kept as a revision itself).",
    )
    async def restore_revision(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, revision_id: uuid.UUID
    ) -> Node:
        access = await info.context.access(NODES, Action.UPDATE)
        read = await info.context.container.service(NodeService).restore_revision(
            info.context.tenant.id, id, revision_id, reach=access.reach
        )
        return _node(read, None)

    @strawberry.mutation(
        extensions=[requires(NODES, Action.UPDATE)], description="Attach tags to a node."
    )
    async def attach_tags(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, tag_ids: list[uuid.UUID]
    ) -> Node:
        data = parse_input(TagIds, {"tag_ids": tag_ids}, prefix="")
        access = await info.context.access(NODES, Action.UPDATE)
        read = await info.context.container.service(NodeService).attach_tags(
            info.context.tenant.id, id, data.tag_ids, reach=access.reach
        )
        return _node(read, None)

    @strawberry.mutation(
        extensions=[requires(NODES, Action.UPDATE)], description="Detach a tag from a node."
    )
    async def detach_tag(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, tag_id: uuid.UUID
    ) -> Node:
        access = await info.context.access(NODES, Action.UPDATE)
        read = await info.context.container.service(NodeService).detach_tag(
            info.context.tenant.id, id, tag_id, reach=access.reach
        )
        return _node(read, None)

    @strawberry.mutation(
        extensions=[requires(CATEGORIES, Action.CREATE)],
        description="Create a category: `input` is the body of POST /api/content/categories.",
    )
    async def create_category(self, info: Info[GraphQLContext, Any], input: JSON) -> Category:
        data = parse_input(CategoryCreate, input)
        access = await info.context.access(CATEGORIES, Action.CREATE)
        categories = info.context.container.service(CategoryService)
        return Category.of(
            await categories.create(info.context.tenant.id, data, reach=access.reach)
        )

    @strawberry.mutation(
        extensions=[requires(CATEGORIES, Action.UPDATE)],
        description="Change a category (`input` as PATCH's body).",
    )
    async def update_category(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON
    ) -> Category:
        data = parse_input(CategoryUpdate, input)
        access = await info.context.access(CATEGORIES, Action.UPDATE)
        categories = info.context.container.service(CategoryService)
        return Category.of(
            await categories.update(info.context.tenant.id, id, data, reach=access.reach)
        )

    @strawberry.mutation(
        extensions=[requires(CATEGORIES, Action.DELETE)],
        description="Delete a category; answers its id.",
    )
    async def delete_category(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> uuid.UUID:
        access = await info.context.access(CATEGORIES, Action.DELETE)
        await info.context.container.service(CategoryService).delete(
            info.context.tenant.id, id, reach=access.reach
        )
        return id

    @strawberry.mutation(
        extensions=[requires(TAGS, Action.CREATE)],
        description="Create a tag: `input` is the body of POST /api/content/tags.",
    )
    async def create_tag(self, info: Info[GraphQLContext, Any], input: JSON) -> Tag:
        data = parse_input(TagCreate, input)
        access = await info.context.access(TAGS, Action.CREATE)
        tags = info.context.container.service(TagService)
        return Tag.of(await tags.create(info.context.tenant.id, data, reach=access.reach))

    @strawberry.mutation(
        extensions=[requires(TAGS, Action.UPDATE)],
        description="Change a tag's translations (`input` as PATCH's body).",
    )
    async def update_tag(self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: JSON) -> Tag:
        data = parse_input(TagUpdate, input)
        access = await info.context.access(TAGS, Action.UPDATE)
        tags = info.context.container.service(TagService)
        return Tag.of(await tags.update(info.context.tenant.id, id, data, reach=access.reach))

    @strawberry.mutation(
        extensions=[requires(TAGS, Action.DELETE)],
        description="Delete a tag (detached from every node); answers its id.",
    )
    async def delete_tag(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> uuid.UUID:
        access = await info.context.access(TAGS, Action.DELETE)
        await info.context.container.service(TagService).delete(
            info.context.tenant.id, id, reach=access.reach
        )
        return id


GRAPHQL = GraphQLPart(query=ContentQuery, mutation=ContentMutation)
