"""Queries of the content module; every one starts from the unit of work's tenant."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import delete, exists, func, or_, select, update

from rustok.content.models import (
    Category,
    CategoryTranslation,
    Node,
    NodeBody,
    NodeRevision,
    NodeSeo,
    NodeTag,
    NodeTranslation,
    Tag,
    TagTranslation,
)

if TYPE_CHECKING:
    import uuid
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

    from rustok.core.cursor import SortKey

MAX_TREE_DEPTH = 64
"""How far up a tree a cycle check walks; deeper trees are refused as if they looped."""


class ContentRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # nodes

    async def node(self, node_id: uuid.UUID) -> Node | None:
        return await self.session.scalar(
            select(Node).where(Node.tenant_id == self.tenant_id, Node.id == node_id)
        )

    async def nodes(self, node_ids: Sequence[uuid.UUID]) -> Sequence[Node]:
        rows = await self.session.scalars(
            select(Node)
            .where(Node.tenant_id == self.tenant_id, Node.id.in_(node_ids))
            .order_by(Node.id)
        )
        return rows.all()

    async def bump_version(self, node_id: uuid.UUID, version: int, now: datetime) -> bool:
        """Move the node from `version` to the next one; False when it is no longer at
        `version` (another writer got there first). On PostgreSQL it also locks the row."""
        result = await self.session.execute(
            update(Node)
            .where(Node.tenant_id == self.tenant_id, Node.id == node_id, Node.version == version)
            .values(version=version + 1, updated_at=now)
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(result, "rowcount", 0))

    async def add(self, *rows: object) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def parent_chain(self, start: uuid.UUID) -> list[uuid.UUID]:
        """Ids from `start` up to the root (at most MAX_TREE_DEPTH + 1 of them)."""
        chain = [start]
        current: uuid.UUID | None = start
        while current is not None and len(chain) <= MAX_TREE_DEPTH:
            current = await self.session.scalar(
                select(Node.parent_id).where(Node.tenant_id == self.tenant_id, Node.id == current)
            )
            if current is not None:
                chain.append(current)
        return chain

    async def translations(
        self, node_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[NodeTranslation]]:
        found: dict[uuid.UUID, list[NodeTranslation]] = defaultdict(list)
        if node_ids:
            rows = await self.session.scalars(
                select(NodeTranslation)
                .where(
                    NodeTranslation.tenant_id == self.tenant_id,
                    NodeTranslation.node_id.in_(node_ids),
                )
                .order_by(NodeTranslation.locale)
            )
            for row in rows:
                found[row.node_id].append(row)
        return found

    async def bodies(self, node_ids: Sequence[uuid.UUID]) -> dict[tuple[uuid.UUID, str], NodeBody]:
        if not node_ids:
            return {}
        rows = await self.session.scalars(
            select(NodeBody).where(
                NodeBody.tenant_id == self.tenant_id, NodeBody.node_id.in_(node_ids)
            )
        )
        return {(row.node_id, row.locale): row for row in rows}

    async def seo(self, node_ids: Sequence[uuid.UUID]) -> dict[tuple[uuid.UUID, str], NodeSeo]:
        if not node_ids:
            return {}
        rows = await self.session.scalars(
            select(NodeSeo).where(
                NodeSeo.tenant_id == self.tenant_id, NodeSeo.node_id.in_(node_ids)
            )
        )
        return {(row.node_id, row.locale): row for row in rows}

    async def tag_links(self, node_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        found: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        if node_ids:
            rows = await self.session.execute(
                select(NodeTag.node_id, NodeTag.tag_id)
                .where(NodeTag.tenant_id == self.tenant_id, NodeTag.node_id.in_(node_ids))
                .order_by(NodeTag.created_at, NodeTag.tag_id)
            )
            for node_id, tag_id in rows:
                found[node_id].append(tag_id)
        return found

    async def tag_link(self, node_id: uuid.UUID, tag_id: uuid.UUID) -> NodeTag | None:
        return await self.session.scalar(
            select(NodeTag).where(
                NodeTag.tenant_id == self.tenant_id,
                NodeTag.node_id == node_id,
                NodeTag.tag_id == tag_id,
            )
        )

    async def nodes_tagged(self, tag_id: uuid.UUID) -> Sequence[Node]:
        rows = await self.session.scalars(
            select(Node).where(Node.tenant_id == self.tenant_id, ContentRepository.tagged(tag_id))
        )
        return rows.all()

    async def delete_tag(self, tag_id: uuid.UUID) -> None:
        """The tag, its translations and its links (the foreign keys cascade)."""
        await self.session.execute(
            delete(Tag).where(Tag.tenant_id == self.tenant_id, Tag.id == tag_id)
        )

    async def delete(self, row: object) -> None:
        await self.session.delete(row)
        await self.session.flush()

    async def node_slugs(self, kind: str, locale: str, base: str) -> set[str]:
        """Slugs of `kind` in `locale` that are `base` or start with `base-`."""
        rows = await self.session.scalars(
            select(NodeTranslation.slug).where(
                NodeTranslation.tenant_id == self.tenant_id,
                NodeTranslation.kind == kind,
                NodeTranslation.locale == locale,
                or_(
                    NodeTranslation.slug == base,
                    NodeTranslation.slug.startswith(base + "-", autoescape=True),
                ),
            )
        )
        return set(rows)

    async def node_slug_owner(self, kind: str, locale: str, slug: str) -> uuid.UUID | None:
        return await self.session.scalar(
            select(NodeTranslation.node_id).where(
                NodeTranslation.tenant_id == self.tenant_id,
                NodeTranslation.kind == kind,
                NodeTranslation.locale == locale,
                NodeTranslation.slug == slug,
            )
        )

    async def by_slug(
        self, slug: str, locales: Sequence[str], kind: str | None, visible: ColumnElement[bool]
    ) -> list[tuple[Node, str]]:
        """Visible nodes with `slug` in one of `locales`, with the locale it matched."""
        query = (
            select(Node, NodeTranslation.locale)
            .join(
                NodeTranslation,
                (NodeTranslation.node_id == Node.id)
                & (NodeTranslation.tenant_id == Node.tenant_id),
            )
            .where(
                Node.tenant_id == self.tenant_id,
                NodeTranslation.slug == slug,
                NodeTranslation.locale.in_(locales),
                visible,
            )
        )
        if kind is not None:
            query = query.where(NodeTranslation.kind == kind)
        rows = await self.session.execute(query)
        return [(node, locale) for node, locale in rows]

    async def page(
        self, criteria: Iterable[ColumnElement[bool]], keys: Sequence[SortKey], limit: int
    ) -> Sequence[Node]:
        query = select(Node).where(Node.tenant_id == self.tenant_id, *criteria)
        query = query.order_by(
            *(key.column.desc() if key.descending else key.column.asc() for key in keys)
        ).limit(limit + 1)
        return (await self.session.scalars(query)).all()

    @staticmethod
    def matching(text: str) -> ColumnElement[bool]:
        """Nodes whose title or excerpt (any locale) contains `text`, ignoring case."""
        needle = text.lower()
        return exists().where(
            NodeTranslation.tenant_id == Node.tenant_id,
            NodeTranslation.node_id == Node.id,
            or_(
                func.lower(NodeTranslation.title).contains(needle, autoescape=True),
                func.lower(NodeTranslation.excerpt).contains(needle, autoescape=True),
            ),
        )

    @staticmethod
    def tagged(tag_id: uuid.UUID) -> ColumnElement[bool]:
        return exists().where(
            NodeTag.tenant_id == Node.tenant_id,
            NodeTag.node_id == Node.id,
            NodeTag.tag_id == tag_id,
        )

    async def revisions(self, node_id: uuid.UUID) -> Sequence[NodeRevision]:
        rows = await self.session.scalars(
            select(NodeRevision)
            .where(NodeRevision.tenant_id == self.tenant_id, NodeRevision.node_id == node_id)
            .order_by(NodeRevision.created_at.desc(), NodeRevision.id.desc())
        )
        return rows.all()

    async def revision(self, node_id: uuid.UUID, revision_id: uuid.UUID) -> NodeRevision | None:
        return await self.session.scalar(
            select(NodeRevision).where(
                NodeRevision.tenant_id == self.tenant_id,
                NodeRevision.node_id == node_id,
                NodeRevision.id == revision_id,
            )
        )

    # categories

    async def category(self, category_id: uuid.UUID) -> Category | None:
        return await self.session.scalar(
            select(Category).where(Category.tenant_id == self.tenant_id, Category.id == category_id)
        )

    async def categories_by_id(self, category_ids: Sequence[uuid.UUID]) -> Sequence[Category]:
        if not category_ids:
            return []
        rows = await self.session.scalars(
            select(Category).where(
                Category.tenant_id == self.tenant_id, Category.id.in_(category_ids)
            )
        )
        return rows.all()

    async def category_chain(self, start: uuid.UUID) -> list[uuid.UUID]:
        chain = [start]
        current: uuid.UUID | None = start
        while current is not None and len(chain) <= MAX_TREE_DEPTH:
            current = await self.session.scalar(
                select(Category.parent_id).where(
                    Category.tenant_id == self.tenant_id, Category.id == current
                )
            )
            if current is not None:
                chain.append(current)
        return chain

    async def category_translations(
        self, category_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[CategoryTranslation]]:
        found: dict[uuid.UUID, list[CategoryTranslation]] = defaultdict(list)
        if category_ids:
            rows = await self.session.scalars(
                select(CategoryTranslation)
                .where(
                    CategoryTranslation.tenant_id == self.tenant_id,
                    CategoryTranslation.category_id.in_(category_ids),
                )
                .order_by(CategoryTranslation.locale)
            )
            for row in rows:
                found[row.category_id].append(row)
        return found

    async def category_slugs(self, locale: str, base: str) -> set[str]:
        rows = await self.session.scalars(
            select(CategoryTranslation.slug).where(
                CategoryTranslation.tenant_id == self.tenant_id,
                CategoryTranslation.locale == locale,
                or_(
                    CategoryTranslation.slug == base,
                    CategoryTranslation.slug.startswith(base + "-", autoescape=True),
                ),
            )
        )
        return set(rows)

    async def category_slug_owner(self, locale: str, slug: str) -> uuid.UUID | None:
        return await self.session.scalar(
            select(CategoryTranslation.category_id).where(
                CategoryTranslation.tenant_id == self.tenant_id,
                CategoryTranslation.locale == locale,
                CategoryTranslation.slug == slug,
            )
        )

    async def category_in_use(self, category_id: uuid.UUID) -> bool:
        child = await self.session.scalar(
            select(Category.id)
            .where(Category.tenant_id == self.tenant_id, Category.parent_id == category_id)
            .limit(1)
        )
        node = await self.session.scalar(
            select(Node.id)
            .where(Node.tenant_id == self.tenant_id, Node.category_id == category_id)
            .limit(1)
        )
        return child is not None or node is not None

    async def delete_category(self, category_id: uuid.UUID) -> None:
        """The category and its translations (the foreign key cascades)."""
        await self.session.execute(
            delete(Category).where(Category.tenant_id == self.tenant_id, Category.id == category_id)
        )

    async def categories(self, after: ColumnElement[bool] | None, limit: int) -> Sequence[Category]:
        query = select(Category).where(Category.tenant_id == self.tenant_id)
        if after is not None:
            query = query.where(after)
        query = query.order_by(Category.position, Category.id).limit(limit + 1)
        return (await self.session.scalars(query)).all()

    # tags

    async def tag(self, tag_id: uuid.UUID) -> Tag | None:
        return await self.session.scalar(
            select(Tag).where(Tag.tenant_id == self.tenant_id, Tag.id == tag_id)
        )

    async def existing_tags(self, tag_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        if not tag_ids:
            return set()
        rows = await self.session.scalars(
            select(Tag.id).where(Tag.tenant_id == self.tenant_id, Tag.id.in_(tag_ids))
        )
        return set(rows)

    async def tag_translations(
        self, tag_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[TagTranslation]]:
        found: dict[uuid.UUID, list[TagTranslation]] = defaultdict(list)
        if tag_ids:
            rows = await self.session.scalars(
                select(TagTranslation)
                .where(
                    TagTranslation.tenant_id == self.tenant_id, TagTranslation.tag_id.in_(tag_ids)
                )
                .order_by(TagTranslation.locale)
            )
            for row in rows:
                found[row.tag_id].append(row)
        return found

    async def tag_slugs(self, locale: str, base: str) -> set[str]:
        rows = await self.session.scalars(
            select(TagTranslation.slug).where(
                TagTranslation.tenant_id == self.tenant_id,
                TagTranslation.locale == locale,
                or_(
                    TagTranslation.slug == base,
                    TagTranslation.slug.startswith(base + "-", autoescape=True),
                ),
            )
        )
        return set(rows)

    async def tag_slug_owner(self, locale: str, slug: str) -> uuid.UUID | None:
        return await self.session.scalar(
            select(TagTranslation.tag_id).where(
                TagTranslation.tenant_id == self.tenant_id,
                TagTranslation.locale == locale,
                TagTranslation.slug == slug,
            )
        )

    async def tags(self, after: ColumnElement[bool] | None, limit: int) -> Sequence[Tag]:
        query = select(Tag).where(Tag.tenant_id == self.tenant_id)
        if after is not None:
            query = query.where(after)
        query = query.order_by(Tag.created_at, Tag.id).limit(limit + 1)
        return (await self.session.scalars(query)).all()
