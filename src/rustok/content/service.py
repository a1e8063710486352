"""Content use cases: nodes (NodeService), categories (CategoryService), tags (TagService).

Every write is one unit of work with its events; every check that can refuse a write runs
before anything is committed, so a refused write leaves no row and no event behind.

Who sees what: a caller who may not update nodes (anonymous, customers) sees published nodes
that are not deleted. An editor's `nodes:update` reach widens that: `all` sees every node,
`own` also sees its own nodes in any state. Writes take the reach of the permission checked
for them; under `own` a node of another author is refused (`NOT_OWNER`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import and_, func, literal, or_, select, true, update
from sqlalchemy.exc import IntegrityError

from rustok.content.errors import (
    BodyTooLarge,
    CategoryInUse,
    CategoryInvalid,
    CategoryNotFound,
    LocaleNotEnabled,
    NodeNotFound,
    ParentInvalid,
    RevisionNotFound,
    ScheduleInvalid,
    SlugTaken,
    StatusConflict,
    TagInvalid,
    TagNotFound,
    VersionConflict,
)
from rustok.content.events import (
    BodyUpdated,
    CategoryCreated,
    CategoryDeleted,
    CategoryUpdated,
    NodeArchived,
    NodeCreated,
    NodeDeleted,
    NodePublished,
    NodeRestored,
    NodeUnpublished,
    NodeUpdated,
    TagAttached,
    TagDetached,
    TranslationUpdated,
)
from rustok.content.kinds import KINDS
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
from rustok.content.rendering import render
from rustok.content.repository import MAX_TREE_DEPTH, ContentRepository
from rustok.content.schemas import (
    BodyFormat,
    CategoryRead,
    CategoryTranslationRead,
    NodeQuery,
    NodeRead,
    NodeSort,
    NodeStatus,
    RevisionRead,
    SeoRead,
    TagRead,
    TagRef,
    TagTranslationRead,
    TranslationRead,
)
from rustok.content.slugs import first_free, slugify
from rustok.core import clock
from rustok.core.cursor import CursorPage, SortKey, decode_cursor, keyset_after, page_of
from rustok.core.db import UTCDateTime
from rustok.core.errors import FieldError, Forbidden, Invalid
from rustok.core.permissions import Scope
from rustok.media.service import MediaService

if TYPE_CHECKING:
    import uuid
    from collections.abc import Awaitable, Callable, Sequence

    from sqlalchemy import ColumnElement

    from rustok.content.schemas import (
        CategoryCreate,
        CategoryTranslationInput,
        CategoryUpdate,
        NodeCreate,
        NodeUpdate,
        SeoInput,
        TagCreate,
        TagTranslationInput,
        TagUpdate,
        TranslationInput,
        TranslationPatch,
    )
    from rustok.core.cursor import CursorValue
    from rustok.core.permissions import Reach
    from rustok.core.tenant import TenantSnapshot
    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory

    TenantLookup = Callable[[uuid.UUID], Awaitable[TenantSnapshot]]

T = TypeVar("T")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SLUG_CONSTRAINTS = ("uq_content_node_tr_slug", "uq_content_cat_tr_slug", "uq_content_tag_tr_slug")


@dataclass(frozen=True, slots=True)
class Locales:
    """The tenant's enabled locales and how to fall back from one of them."""

    enabled: frozenset[str]
    default: str
    fallbacks: dict[str, str | None]

    @classmethod
    def of(cls, tenant: TenantSnapshot) -> Locales:
        return cls(
            enabled=frozenset(loc.locale for loc in tenant.locales if loc.is_enabled),
            default=tenant.default_locale,
            fallbacks={loc.locale: loc.fallback_locale for loc in tenant.locales},
        )

    def chain(self, locale: str | None) -> list[str]:
        """`locale`, the locales it falls back to in turn, then the tenant's default."""
        chain: list[str] = []
        current: str | None = locale or self.default
        while current is not None and current not in chain:
            if current in self.enabled:
                chain.append(current)
            current = self.fallbacks.get(current)
        if self.default not in chain:
            chain.append(self.default)
        return chain

    def check(self, locale: str, field: str) -> None:
        if locale not in self.enabled:
            raise LocaleNotEnabled(
                f"The locale {locale!r} is not enabled for this tenant; enabled: "
                f"{', '.join(sorted(self.enabled))}.",
                fields=[FieldError(field, "locale not enabled for this tenant")],
            )


def _pick(rows: Sequence[T], chain: Sequence[str], locale_of: Callable[[T], str]) -> T | None:
    """The row of the first locale of `chain` that has one, else the first row."""
    by_locale = {locale_of(row): row for row in rows}
    for locale in chain:
        if locale in by_locale:
            return by_locale[locale]
    return rows[0] if rows else None


def _tenant_of(uow: UnitOfWork) -> uuid.UUID:
    if uow.tenant_id is None:
        raise RuntimeError("nodes are written in a tenant's unit of work")
    return uow.tenant_id


def _key(column: object, *, descending: bool = False) -> SortKey:
    """A sort key over a mapped column or an SQL expression."""
    return SortKey(cast("ColumnElement[object]", column), descending)


def _visible(reach: Reach | None) -> ColumnElement[bool]:
    public = and_(Node.status == NodeStatus.PUBLISHED.value, Node.deleted_at.is_(None))
    if reach is None or reach.scope is Scope.NONE:
        return public
    if reach.scope is Scope.ALL:
        return true()
    return or_(public, reach.where(cast("ColumnElement[uuid.UUID]", Node.author_id)))


def _seo_read(row: NodeSeo | None) -> SeoRead | None:
    if row is None:
        return None
    return SeoRead(
        title=row.title,
        description=row.description,
        canonical_url=row.canonical_url,
        robots=row.robots,
        og_image_id=row.og_image_id,
    )


async def _check_og_image(uow: UnitOfWork, seo: SeoInput, index: int) -> None:
    """The SEO image, when given, is one of this tenant's media (422 naming it otherwise)."""
    if seo.og_image_id is not None:
        await MediaService.ensure_media_in(
            uow, [seo.og_image_id], field=f"body.translations.{index}.seo.og_image_id"
        )


async def _flush_slugs(uow: UnitOfWork, field: str, slug: str) -> None:
    """Flush; a slug another writer took meanwhile is a 409, not a 500 (the unique index
    decides under races, the checks before give the clear message)."""
    try:
        async with uow.session.begin_nested():
            await uow.session.flush()
    except IntegrityError as error:
        if any(name in str(error.orig) for name in _SLUG_CONSTRAINTS) or "slug" in str(error.orig):
            raise SlugTaken(
                f"The slug {slug!r} is taken.", fields=[FieldError(field, "taken")]
            ) from None
        raise


class _Reads:
    """Turns rows into the DTOs, loading what they show in a fixed number of queries."""

    def __init__(self, repo: ContentRepository) -> None:
        self.repo = repo

    async def nodes(
        self, nodes: Sequence[Node], chain: Sequence[str], *, details: bool = True
    ) -> list[NodeRead]:
        """The nodes as DTOs; without `details` their translations, tags and served title are
        left empty (GraphQL loads those per field, batched)."""
        ids = [node.id for node in nodes]
        translations = await self.translation_map(ids) if details else {}
        tags = await self.tag_map(ids, chain) if details else {}
        reads = []
        for node in nodes:
            rows = translations.get(node.id, [])
            served = _pick(rows, chain, lambda row: row.locale)
            reads.append(
                NodeRead(
                    id=node.id,
                    kind=node.kind,
                    status=NodeStatus(node.status),
                    parent_id=node.parent_id,
                    author_id=node.author_id,
                    category_id=node.category_id,
                    position=node.position,
                    metadata=node.metadata_,
                    version=node.version,
                    publish_at=node.publish_at,
                    published_at=node.published_at,
                    deleted_at=node.deleted_at,
                    created_at=node.created_at,
                    updated_at=node.updated_at,
                    served_locale=served.locale if served else None,
                    title=served.title if served else None,
                    slug=served.slug if served else None,
                    translations=rows,
                    tags=tags.get(node.id, []),
                )
            )
        return reads

    async def translation_map(
        self, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[TranslationRead]]:
        """Each node's translations with body, HTML and SEO, in three queries."""
        translations = await self.repo.translations(ids)
        bodies = await self.repo.bodies(ids)
        seo = await self.repo.seo(ids)
        return {
            node_id: [
                self._translation(row, bodies.get((node_id, row.locale)), seo) for row in rows
            ]
            for node_id, rows in translations.items()
        }

    async def tag_map(
        self, ids: Sequence[uuid.UUID], chain: Sequence[str]
    ) -> dict[uuid.UUID, list[TagRef]]:
        """Each node's tags, named in the first locale of `chain` they have, in two queries."""
        links = await self.repo.tag_links(ids)
        tag_ids = sorted({tag_id for tags in links.values() for tag_id in tags})
        tags = await self.repo.tag_translations(tag_ids)
        return {
            node_id: [
                ref
                for tag_id in tag_list
                if (ref := self._tag_ref(tag_id, tags.get(tag_id, []), chain))
            ]
            for node_id, tag_list in links.items()
        }

    @staticmethod
    def _translation(
        row: NodeTranslation,
        body: NodeBody | None,
        seo: dict[tuple[uuid.UUID, str], NodeSeo],
    ) -> TranslationRead:
        return TranslationRead(
            locale=row.locale,
            title=row.title,
            slug=row.slug,
            excerpt=row.excerpt,
            body=body.body if body else None,
            format=BodyFormat(body.format) if body else None,
            html=render(body.body, body.format) if body else None,
            seo=_seo_read(seo.get((row.node_id, row.locale))),
        )

    @staticmethod
    def _tag_ref(
        tag_id: uuid.UUID, rows: Sequence[TagTranslation], chain: Sequence[str]
    ) -> TagRef | None:
        served = _pick(rows, chain, lambda row: row.locale)
        if served is None:
            return None
        return TagRef(id=tag_id, name=served.name, slug=served.slug, served_locale=served.locale)

    async def categories(
        self, categories: Sequence[Category], chain: Sequence[str]
    ) -> list[CategoryRead]:
        translations = await self.repo.category_translations([row.id for row in categories])
        reads = []
        for category in categories:
            rows = translations.get(category.id, [])
            served = _pick(rows, chain, lambda row: row.locale)
            reads.append(
                CategoryRead(
                    id=category.id,
                    parent_id=category.parent_id,
                    position=category.position,
                    served_locale=served.locale if served else None,
                    name=served.name if served else None,
                    slug=served.slug if served else None,
                    translations=[
                        CategoryTranslationRead(
                            locale=row.locale,
                            name=row.name,
                            slug=row.slug,
                            description=row.description,
                        )
                        for row in rows
                    ],
                    created_at=category.created_at,
                    updated_at=category.updated_at,
                )
            )
        return reads

    async def tags(self, tags: Sequence[Tag], chain: Sequence[str]) -> list[TagRead]:
        translations = await self.repo.tag_translations([row.id for row in tags])
        reads = []
        for tag in tags:
            rows = translations.get(tag.id, [])
            served = _pick(rows, chain, lambda row: row.locale)
            reads.append(
                TagRead(
                    id=tag.id,
                    served_locale=served.locale if served else None,
                    name=served.name if served else None,
                    slug=served.slug if served else None,
                    translations=[
                        TagTranslationRead(locale=row.locale, name=row.name, slug=row.slug)
                        for row in rows
                    ],
                    created_at=tag.created_at,
                )
            )
        return reads


class _ContentBase:
    def __init__(self, uow: UnitOfWorkFactory, tenants: TenantLookup) -> None:
        self._uow = uow
        self._tenants = tenants

    async def locales(self, tenant_id: uuid.UUID) -> Locales:
        return Locales.of(await self._tenants(tenant_id))

    @staticmethod
    def _check_writer(reach: Reach) -> None:
        """Categories and tags have no owner: an `own` reach over them reaches none."""
        reach.check(None)


class NodeService(_ContentBase):
    def __init__(
        self, uow: UnitOfWorkFactory, tenants: TenantLookup, *, max_body_bytes: int
    ) -> None:
        super().__init__(uow, tenants)
        self.max_body_bytes = max_body_bytes

    # reads

    async def get(
        self,
        tenant_id: uuid.UUID,
        node_id: uuid.UUID,
        *,
        reader: Reach | None = None,
        locale: str | None = None,
    ) -> NodeRead:
        """One node as `reader` may see it (None: the public), served in `locale`."""
        async with self._uow(tenant_id, read_only=True) as uow:
            return await self.get_in(uow, node_id, reader=reader, locale=locale)

    async def get_in(
        self,
        uow: UnitOfWork,
        node_id: uuid.UUID,
        *,
        reader: Reach | None = None,
        locale: str | None = None,
        kind: str | None = None,
    ) -> NodeRead:
        """`get` inside a caller's unit of work (blog, pages and forum read their nodes);
        with `kind`, a node of another kind or a deleted one is `NODE_NOT_FOUND` too (a step
        that looks up a node to attach something to)."""
        tenant_id = _tenant_of(uow)
        chain = self._read_chain(await self.locales(tenant_id), locale)
        repo = ContentRepository(uow.session, tenant_id)
        node = await repo.node(node_id)
        if (
            node is None
            or not self._sees(reader, node)
            or (kind is not None and (node.kind != kind or node.deleted_at is not None))
        ):
            raise NodeNotFound("No such node.")
        return (await _Reads(repo).nodes([node], chain))[0]

    async def get_many_in(
        self,
        uow: UnitOfWork,
        node_ids: Sequence[uuid.UUID],
        *,
        reader: Reach | None = None,
        locale: str | None = None,
        details: bool = True,
    ) -> dict[uuid.UUID, NodeRead]:
        """The nodes of `node_ids` that exist, are not deleted and `reader` may see, batched, in
        the caller's unit of work (modules built on content page over their own tables, then
        read the nodes here); `details` as in `list_nodes`."""
        tenant_id = _tenant_of(uow)
        chain = self._read_chain(await self.locales(tenant_id), locale)
        repo = ContentRepository(uow.session, tenant_id)
        rows = [
            node
            for node in await repo.nodes(node_ids)
            if node.deleted_at is None and self._sees(reader, node)
        ]
        return {read.id: read for read in await _Reads(repo).nodes(rows, chain, details=details)}

    async def get_by_slug(
        self,
        tenant_id: uuid.UUID,
        slug: str,
        *,
        kind: str | None = None,
        locale: str | None = None,
        reader: Reach | None = None,
    ) -> NodeRead:
        """The node whose slug in `locale` (or the first locale of its fallback chain that has
        it) is `slug`; `served_locale` says which locale matched."""
        if kind is not None:
            KINDS.get(kind, field="query.kind")
        locales = await self.locales(tenant_id)
        chain = self._read_chain(locales, locale)
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            found = await repo.by_slug(slug, chain, kind, self._criterion(reader))
            found = [(node, loc) for node, loc in found if node.deleted_at is None]
            if not found:
                raise NodeNotFound(f"No node has the slug {slug!r}.")
            node, matched = min(found, key=lambda pair: (chain.index(pair[1]), pair[0].id))
            return (await _Reads(repo).nodes([node], [matched, *chain]))[0]

    async def list_nodes(
        self,
        tenant_id: uuid.UUID,
        query: NodeQuery,
        *,
        after: str | None = None,
        limit: int = 20,
        reader: Reach | None = None,
        details: bool = True,
    ) -> CursorPage[NodeRead]:
        """A page of nodes matching `query` that `reader` may see, in `query.sort` order;
        `details=False` leaves out translations and tags (see `_Reads.nodes`)."""
        if query.kind is not None:
            KINDS.get(query.kind, field="query.kind")
        locales = await self.locales(tenant_id)
        chain = self._read_chain(locales, query.locale)
        keys, key_of = self._order(query.sort)
        order = f"content.nodes:{query.sort.value}"
        criteria: list[ColumnElement[bool]] = [self._criterion(reader)]
        criteria.append(
            Node.deleted_at.is_not(None) if query.deleted == "only" else Node.deleted_at.is_(None)
        )
        for column, value in (
            (Node.kind, query.kind),
            (Node.status, query.status.value if query.status else None),
            (Node.author_id, query.author_id),
            (Node.category_id, query.category_id),
            (Node.parent_id, query.parent_id),
        ):
            if value is not None:
                criteria.append(column == value)
        if query.tag_id is not None:
            criteria.append(ContentRepository.tagged(query.tag_id))
        if query.q is not None:
            criteria.append(ContentRepository.matching(query.q))
        if after is not None:
            criteria.append(keyset_after(keys, decode_cursor(after, order=order, width=len(keys))))
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            rows = await repo.page(criteria, keys, limit)
            page, cursor = page_of(rows, limit, key_of, order=order)
            items = await _Reads(repo).nodes(page, chain, details=details)
        return CursorPage(items=items, next_cursor=cursor)

    async def translations_of(
        self, tenant_id: uuid.UUID, node_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[TranslationRead]]:
        """The translations of nodes the caller already holds (it may see them), batched."""
        async with self._uow(tenant_id, read_only=True) as uow:
            return await _Reads(ContentRepository(uow.session, tenant_id)).translation_map(node_ids)

    async def tags_of(
        self, tenant_id: uuid.UUID, node_ids: Sequence[uuid.UUID], *, locale: str | None = None
    ) -> dict[uuid.UUID, list[TagRef]]:
        """The tags of nodes the caller already holds, named in `locale`, batched."""
        chain = self._read_chain(await self.locales(tenant_id), locale)
        async with self._uow(tenant_id, read_only=True) as uow:
            return await _Reads(ContentRepository(uow.session, tenant_id)).tag_map(node_ids, chain)

    async def revisions(
        self, tenant_id: uuid.UUID, node_id: uuid.UUID, *, reach: Reach
    ) -> list[RevisionRead]:
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            await self._access(repo, node_id, reach, deleted_ok=True)
            return [RevisionRead.model_validate(row) for row in await repo.revisions(node_id)]

    # writes

    async def create(self, tenant_id: uuid.UUID, data: NodeCreate, *, reach: Reach) -> NodeRead:
        """A node with its translations, bodies, SEO and tags, authored by the caller."""
        async with self._uow(tenant_id) as uow:
            read = await self.create_in(uow, data, reach=reach)
            await uow.commit()
            return read

    async def create_in(
        self, uow: UnitOfWork, data: NodeCreate, *, reach: Reach, guest: bool = False
    ) -> NodeRead:
        """`create` inside a caller's unit of work, which commits it; `guest`: the node has no
        author (a guest's blog comment)."""
        tenant_id = _tenant_of(uow)
        kind = KINDS.get(data.kind)
        metadata = KINDS.validate_metadata(data.kind, data.metadata)
        locales = await self.locales(tenant_id)
        for index, item in enumerate(data.translations):
            locales.check(item.locale, f"body.translations.{index}.locale")
            self._check_body(item.body, f"body.translations.{index}.body")
        now = clock.utcnow()
        if data.publish_at is not None and data.publish_at <= now:
            raise ScheduleInvalid(
                "publish_at must be in the future.",
                fields=[FieldError("body.publish_at", "must be in the future")],
            )
        if kind.check is not None:
            await kind.check(uow, metadata, "body.metadata")
        repo = ContentRepository(uow.session, tenant_id)
        if data.parent_id is not None:
            await self._check_parent(repo, None, data.parent_id)
        if data.category_id is not None:
            await self._check_category(repo, data.category_id)
        tag_ids = list(dict.fromkeys(data.tag_ids))
        await self._check_tags(repo, tag_ids, "body.tag_ids")
        node = Node(
            tenant_id=tenant_id,
            kind=data.kind,
            parent_id=data.parent_id,
            author_id=None if guest else reach.actor_id,
            category_id=data.category_id,
            status=data.status.value,
            publish_at=data.publish_at,
            published_at=now if data.status is NodeStatus.PUBLISHED else None,
            position=data.position,
            metadata_=metadata,
            version=1,
            created_at=now,
            updated_at=now,
        )
        await repo.add(node)
        for index, item in enumerate(data.translations):
            await self._add_translation(uow, repo, node, item, index)
        for tag_id in tag_ids:
            uow.session.add(
                NodeTag(tenant_id=tenant_id, node_id=node.id, tag_id=tag_id, created_at=now)
            )
        await uow.session.flush()
        read = (await _Reads(repo).nodes([node], locales.chain(None)))[0]
        uow.emit(NodeCreated(**self._payload(read)), **self._aggregate(tenant_id, read))
        if node.status == NodeStatus.PUBLISHED.value:
            uow.emit(NodePublished(**self._payload(read)), **self._aggregate(tenant_id, read))
        return read

    async def access_in(
        self,
        uow: UnitOfWork,
        node_id: uuid.UUID,
        reach: Reach,
        *,
        kind: str,
        deleted_ok: bool = False,
    ) -> NodeRead:
        """The live (or, with `deleted_ok`, soft-deleted) node of `kind` inside the caller's
        unit of work, checked against `reach` (`NODE_NOT_FOUND` for another kind or tenant,
        `NOT_OWNER` out of reach); without its translations and tags. Pages use it before they
        change a page's blocks."""
        node = await self._access(
            ContentRepository(uow.session, _tenant_of(uow)),
            node_id,
            reach,
            deleted_ok=deleted_ok,
        )
        if node.kind != kind:
            raise NodeNotFound("No such node.")
        return (
            await _Reads(ContentRepository(uow.session, node.tenant_id)).nodes(
                [node], [], details=False
            )
        )[0]

    async def existing_in(
        self, uow: UnitOfWork, node_ids: Sequence[uuid.UUID], *, kind: str
    ) -> set[uuid.UUID]:
        """Which of `node_ids` are live nodes of `kind` of the unit of work's tenant, in one
        query (another tenant's id is missing here, like a made-up one)."""
        repo = ContentRepository(uow.session, _tenant_of(uow))
        return {
            node.id
            for node in await repo.nodes(list(dict.fromkeys(node_ids)))
            if node.kind == kind and node.deleted_at is None
        }

    async def links(
        self,
        tenant_id: uuid.UUID,
        node_ids: Sequence[uuid.UUID],
        *,
        kind: str,
        locale: str | None = None,
        reader: Reach | None = None,
    ) -> dict[uuid.UUID, NodeRead]:
        """The nodes of `kind` among `node_ids` that `reader` may see, with their title and
        slug served in `locale`, in two queries (menus link to pages with them)."""
        chain = self._read_chain(await self.locales(tenant_id), locale)
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            nodes = [
                node
                for node in await repo.nodes(list(dict.fromkeys(node_ids)))
                if node.kind == kind and node.deleted_at is None and self._sees(reader, node)
            ]
            translations = await repo.translations([node.id for node in nodes])
            found: dict[uuid.UUID, NodeRead] = {}
            for read in await _Reads(repo).nodes(nodes, chain, details=False):
                served = _pick(translations.get(read.id, []), chain, lambda row: row.locale)
                found[read.id] = read.model_copy(
                    update={
                        "served_locale": served.locale if served else None,
                        "title": served.title if served else None,
                        "slug": served.slug if served else None,
                    }
                )
            return found

    async def update(
        self, tenant_id: uuid.UUID, node_id: uuid.UUID, data: NodeUpdate, *, reach: Reach
    ) -> NodeRead:
        """Change a node read at `data.version` (else 409 `VERSION_CONFLICT`); every locale
        whose translation or body changes keeps its previous state as a revision."""
        async with self._uow(tenant_id) as uow:
            read = await self.update_in(uow, node_id, data, reach=reach)
            await uow.commit()
            return read

    async def update_in(
        self, uow: UnitOfWork, node_id: uuid.UUID, data: NodeUpdate, *, reach: Reach
    ) -> NodeRead:
        """`update` inside a caller's unit of work, which commits it."""
        tenant_id = _tenant_of(uow)
        given = data.model_fields_set
        locales = await self.locales(tenant_id)
        for index, patch in enumerate(data.translations or []):
            locales.check(patch.locale, f"body.translations.{index}.locale")
            self._check_body(patch.body, f"body.translations.{index}.body")
        if "author_id" in given and reach.scope is not Scope.ALL:
            raise Forbidden(
                "Under an `own` scope the author of a node cannot be changed.",
                code="NOT_OWNER",
                fields=[FieldError("body.author_id", "cannot reassign the author")],
            )
        now = clock.utcnow()
        repo = ContentRepository(uow.session, tenant_id)
        node = await self._claim(repo, node_id, reach, expected=data.version, now=now)
        changes: list[str] = []
        if "metadata" in given:
            node.metadata_ = KINDS.validate_metadata(node.kind, data.metadata or {})
            check = KINDS.get(node.kind).check
            if check is not None:
                await check(uow, node.metadata_, "body.metadata")
            changes.append("metadata")
        if "parent_id" in given:
            if data.parent_id is not None:
                await self._check_parent(repo, node.id, data.parent_id)
            node.parent_id = data.parent_id
            changes.append("parent_id")
        if "category_id" in given:
            if data.category_id is not None:
                await self._check_category(repo, data.category_id)
            node.category_id = data.category_id
            changes.append("category_id")
        if "author_id" in given:
            node.author_id = data.author_id
            changes.append("author_id")
        if "position" in given and data.position is not None:
            node.position = data.position
            changes.append("position")
        parts: list[TranslationUpdated | BodyUpdated] = []
        if data.translations:
            parts = await self._patch_translations(
                uow, repo, node, data.translations, reach.actor_id, now
            )
            changes.append("translations")
        await uow.session.flush()
        read = (await _Reads(repo).nodes([node], locales.chain(None)))[0]
        aggregate = self._aggregate(tenant_id, read)
        uow.emit(NodeUpdated(**self._payload(read), changes=changes), **aggregate)
        for part in parts:
            uow.emit(part, **aggregate)
        return read

    async def publish(self, tenant_id: uuid.UUID, node_id: uuid.UUID, *, reach: Reach) -> NodeRead:
        return await self._committed(tenant_id, lambda uow: self.publish_in(uow, node_id, reach))

    async def publish_in(self, uow: UnitOfWork, node_id: uuid.UUID, reach: Reach) -> NodeRead:
        """`publish` inside a caller's unit of work (a blog comment approved)."""
        return await self._transition_in(
            uow,
            node_id,
            reach,
            allowed=(NodeStatus.DRAFT, NodeStatus.SCHEDULED, NodeStatus.ARCHIVED),
            to=NodeStatus.PUBLISHED,
            event=NodePublished,
        )

    async def unpublish(
        self, tenant_id: uuid.UUID, node_id: uuid.UUID, *, reach: Reach
    ) -> NodeRead:
        return await self._committed(tenant_id, lambda uow: self.unpublish_in(uow, node_id, reach))

    async def unpublish_in(self, uow: UnitOfWork, node_id: uuid.UUID, reach: Reach) -> NodeRead:
        return await self._transition_in(
            uow,
            node_id,
            reach,
            allowed=(NodeStatus.PUBLISHED, NodeStatus.SCHEDULED),
            to=NodeStatus.DRAFT,
            event=NodeUnpublished,
        )

    async def archive(self, tenant_id: uuid.UUID, node_id: uuid.UUID, *, reach: Reach) -> NodeRead:
        return await self._committed(tenant_id, lambda uow: self.archive_in(uow, node_id, reach))

    async def archive_in(self, uow: UnitOfWork, node_id: uuid.UUID, reach: Reach) -> NodeRead:
        """`archive` inside a caller's unit of work (a blog comment rejected)."""
        return await self._transition_in(
            uow,
            node_id,
            reach,
            allowed=(NodeStatus.DRAFT, NodeStatus.PUBLISHED, NodeStatus.SCHEDULED),
            to=NodeStatus.ARCHIVED,
            event=NodeArchived,
        )

    async def schedule(
        self, tenant_id: uuid.UUID, node_id: uuid.UUID, publish_at: datetime, *, reach: Reach
    ) -> NodeRead:
        """Publish the node at `publish_at` (the worker's scheduler does it); a published
        node goes offline until then."""
        if publish_at <= clock.utcnow():
            raise ScheduleInvalid(
                "publish_at must be in the future.",
                fields=[FieldError("body.publish_at", "must be in the future")],
            )
        return await self._committed(
            tenant_id,
            lambda uow: self._transition_in(
                uow,
                node_id,
                reach,
                # A published node may be scheduled too: it goes offline until publish_at.
                allowed=tuple(NodeStatus),
                to=NodeStatus.SCHEDULED,
                event=None,
                publish_at=publish_at,
            ),
        )

    async def delete(self, tenant_id: uuid.UUID, node_id: uuid.UUID, *, reach: Reach) -> None:
        """Soft delete: hidden from every read but restorable; its slugs stay reserved."""
        await self._committed(tenant_id, lambda uow: self.delete_in(uow, node_id, reach))

    async def delete_in(self, uow: UnitOfWork, node_id: uuid.UUID, reach: Reach) -> NodeRead:
        """`delete` inside a caller's unit of work; the node as it was deleted."""
        tenant_id = _tenant_of(uow)
        now = clock.utcnow()
        repo = ContentRepository(uow.session, tenant_id)
        node = await self._claim(repo, node_id, reach, now=now)
        node.deleted_at = now
        await uow.session.flush()
        read = (await _Reads(repo).nodes([node], []))[0]
        uow.emit(NodeDeleted(**self._payload(read)), **self._aggregate(tenant_id, read))
        return read

    async def restore(self, tenant_id: uuid.UUID, node_id: uuid.UUID, *, reach: Reach) -> NodeRead:
        locales = await self.locales(tenant_id)
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            node = await self._access(repo, node_id, reach, deleted_ok=True)
            if node.deleted_at is None:
                # Restoring twice is asking for what is already so: an answer, no change.
                return (await _Reads(repo).nodes([node], locales.chain(None)))[0]
            node = await self._claim(repo, node_id, reach, now=now, deleted_ok=True)
            node.deleted_at = None
            await uow.session.flush()
            read = (await _Reads(repo).nodes([node], locales.chain(None)))[0]
            uow.emit(NodeRestored(**self._payload(read)), **self._aggregate(tenant_id, read))
            await uow.commit()
            return read

    async def restore_revision(
        self, tenant_id: uuid.UUID, node_id: uuid.UUID, revision_id: uuid.UUID, *, reach: Reach
    ) -> NodeRead:
        """Put a revision's translation and body back (the current state becomes a revision)."""
        locales = await self.locales(tenant_id)
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            node = await self._claim(repo, node_id, reach, now=now)
            revision = await repo.revision(node_id, revision_id)
            if revision is None:
                raise RevisionNotFound("No such revision of this node.")
            owner = await repo.node_slug_owner(node.kind, revision.locale, revision.slug)
            if owner is not None and owner != node.id:
                raise SlugTaken(
                    f"The revision's slug {revision.slug!r} now belongs to another node.",
                    fields=[FieldError("slug", "taken")],
                )
            translations = await repo.translations([node.id])
            bodies = await repo.bodies([node.id])
            current = next(
                (row for row in translations.get(node.id, []) if row.locale == revision.locale),
                None,
            )
            body = bodies.get((node.id, revision.locale))
            if current is not None:
                self._keep_revision(uow, node, current, body, reach.actor_id, now)
                current.title, current.slug = revision.title, revision.slug
                current.excerpt = revision.excerpt
            else:
                current = NodeTranslation(
                    tenant_id=tenant_id,
                    node_id=node.id,
                    kind=node.kind,
                    locale=revision.locale,
                    title=revision.title,
                    slug=revision.slug,
                    excerpt=revision.excerpt,
                )
                uow.session.add(current)
            parts: list[TranslationUpdated | BodyUpdated] = [self._translation_event(node, current)]
            if revision.body is not None and revision.format is not None:
                if body is None:
                    body = NodeBody(tenant_id=tenant_id, node_id=node.id, locale=revision.locale)
                    uow.session.add(body)
                body.body, body.format = revision.body, revision.format
                parts.append(self._body_event(node, body))
            await _flush_slugs(uow, "slug", revision.slug)
            read = (await _Reads(repo).nodes([node], locales.chain(None)))[0]
            aggregate = self._aggregate(tenant_id, read)
            uow.emit(NodeUpdated(**self._payload(read), changes=["translations"]), **aggregate)
            for part in parts:
                uow.emit(part, **aggregate)
            await uow.commit()
            return read

    async def attach_tags(
        self,
        tenant_id: uuid.UUID,
        node_id: uuid.UUID,
        tag_ids: Sequence[uuid.UUID],
        *,
        reach: Reach,
    ) -> NodeRead:
        """Attach tags (those attached already are left as they are)."""
        locales = await self.locales(tenant_id)
        now = clock.utcnow()
        wanted = list(dict.fromkeys(tag_ids))
        async with self._uow(tenant_id) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            node = await self._claim(repo, node_id, reach, now=now)
            await self._check_tags(repo, wanted, "body.tag_ids")
            attached = set((await repo.tag_links([node.id])).get(node.id, []))
            new = [tag_id for tag_id in wanted if tag_id not in attached]
            for tag_id in new:
                uow.session.add(
                    NodeTag(tenant_id=tenant_id, node_id=node.id, tag_id=tag_id, created_at=now)
                )
            await uow.session.flush()
            read = (await _Reads(repo).nodes([node], locales.chain(None)))[0]
            slugs = await self._tag_slugs(repo, new)
            for tag_id in new:
                uow.emit(
                    TagAttached(
                        node_id=node.id,
                        kind=node.kind,
                        tag_id=tag_id,
                        slugs=slugs.get(tag_id, {}),
                        version=node.version,
                    ),
                    **self._aggregate(tenant_id, read),
                )
            await uow.commit()
            return read

    async def detach_tag(
        self, tenant_id: uuid.UUID, node_id: uuid.UUID, tag_id: uuid.UUID, *, reach: Reach
    ) -> NodeRead:
        locales = await self.locales(tenant_id)
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            # Also on a deleted node: taking tags off what is in the bin is housekeeping.
            node = await self._claim(repo, node_id, reach, now=now, deleted_ok=True)
            link = await repo.tag_link(node.id, tag_id)
            if link is None:
                raise TagNotFound("The tag is not attached to this node.")
            slugs = await self._tag_slugs(repo, [tag_id])
            await repo.delete(link)
            read = (await _Reads(repo).nodes([node], locales.chain(None)))[0]
            uow.emit(
                TagDetached(
                    node_id=node.id,
                    kind=node.kind,
                    tag_id=tag_id,
                    slugs=slugs.get(tag_id, {}),
                    version=node.version,
                ),
                **self._aggregate(tenant_id, read),
            )
            await uow.commit()
            return read

    async def publish_due(self, now: datetime | None = None, *, batch_size: int = 100) -> int:
        """Publish every scheduled node whose publish_at has passed, across tenants; returns
        how many. Each batch is claimed by one atomic UPDATE ... RETURNING (on PostgreSQL over
        rows locked with SKIP LOCKED), in the same transaction as its events: a node is
        published exactly once, whether several workers run this or one restarts mid-way."""
        moment = now or clock.utcnow()
        total = 0
        while True:
            async with self._uow.platform() as uow:
                claimed = await claim_due(uow, moment, batch_size)
                by_tenant: dict[uuid.UUID, list[uuid.UUID]] = {}
                for node_id, tenant_id in claimed:
                    by_tenant.setdefault(tenant_id, []).append(node_id)
                for tenant_id, node_ids in by_tenant.items():
                    repo = ContentRepository(uow.session, tenant_id)
                    nodes = await repo.nodes(node_ids)
                    for read in await _Reads(repo).nodes(nodes, []):
                        uow.emit(
                            NodePublished(**payload_of(read), scheduled=True),
                            tenant_id=tenant_id,
                            aggregate_version=read.version,
                        )
                await uow.commit()
            total += len(claimed)
            if len(claimed) < batch_size:
                return total

    # steps

    @staticmethod
    def _read_chain(locales: Locales, locale: str | None) -> list[str]:
        if locale is not None:
            locales.check(locale, "query.locale")
        return locales.chain(locale)

    @staticmethod
    def _criterion(reader: Reach | None) -> ColumnElement[bool]:
        return _visible(reader)

    @staticmethod
    def _sees(reader: Reach | None, node: Node) -> bool:
        if node.status == NodeStatus.PUBLISHED.value and node.deleted_at is None:
            return True
        return reader is not None and reader.allows(node.author_id)

    @staticmethod
    def _order(
        sort: NodeSort,
    ) -> tuple[list[SortKey], Callable[[Node], Sequence[CursorValue]]]:
        if sort is NodeSort.OLDEST:
            return [_key(Node.created_at), _key(Node.id)], lambda n: (n.created_at, n.id)
        if sort is NodeSort.RECENTLY_UPDATED:
            return [
                _key(Node.updated_at, descending=True),
                _key(Node.id, descending=True),
            ], lambda n: (
                n.updated_at,
                n.id,
            )
        if sort is NodeSort.RECENTLY_PUBLISHED:
            published = func.coalesce(
                Node.published_at, literal(EPOCH, UTCDateTime()), type_=UTCDateTime()
            )
            return [_key(published, descending=True), _key(Node.id, descending=True)], lambda n: (
                n.published_at or EPOCH,
                n.id,
            )
        if sort is NodeSort.POSITION:
            return [_key(Node.position), _key(Node.id)], lambda n: (n.position, n.id)
        return [_key(Node.created_at, descending=True), _key(Node.id, descending=True)], lambda n: (
            n.created_at,
            n.id,
        )

    def _check_body(self, body: str | None, field: str) -> None:
        if body is not None and len(body.encode("utf-8")) > self.max_body_bytes:
            raise BodyTooLarge(
                f"The body is larger than {self.max_body_bytes} bytes.",
                fields=[FieldError(field, f"at most {self.max_body_bytes} bytes")],
            )

    @staticmethod
    async def _access(
        repo: ContentRepository, node_id: uuid.UUID, reach: Reach, *, deleted_ok: bool = False
    ) -> Node:
        node = await repo.node(node_id)
        if node is None or (node.deleted_at is not None and not deleted_ok):
            raise NodeNotFound("No such node.")
        reach.check(node.author_id)
        return node

    async def _claim(
        self,
        repo: ContentRepository,
        node_id: uuid.UUID,
        reach: Reach,
        *,
        now: datetime,
        expected: int | None = None,
        deleted_ok: bool = False,
    ) -> Node:
        """The node, checked against `reach` and moved to its next version, so two writers
        never both win (the loser gets `VERSION_CONFLICT`)."""
        node = await self._access(repo, node_id, reach, deleted_ok=deleted_ok)
        version = node.version
        if expected is not None and expected != version:
            raise VersionConflict(
                f"The node is at version {version}, not {expected}; read it again.",
                fields=[FieldError("body.version", f"stale: the node is at version {version}")],
            )
        if not await repo.bump_version(node.id, version, now):
            raise VersionConflict(
                "The node changed meanwhile; read it again.",
                fields=[FieldError("body.version", "stale")],
            )
        node.version = version + 1
        node.updated_at = now
        return node

    @staticmethod
    async def _check_parent(
        repo: ContentRepository, node_id: uuid.UUID | None, parent_id: uuid.UUID
    ) -> None:
        field = [FieldError("body.parent_id", "no such node in this tenant")]
        parent = await repo.node(parent_id)
        if parent is None or parent.deleted_at is not None:
            raise ParentInvalid("The parent is not a node of this tenant.", fields=field)
        chain = await repo.parent_chain(parent_id)
        if node_id is not None and node_id in chain:
            raise ParentInvalid(
                "That parent is the node itself or one of its descendants: a cycle.",
                fields=[FieldError("body.parent_id", "makes a cycle")],
            )
        if len(chain) > MAX_TREE_DEPTH:
            raise ParentInvalid(
                f"Trees are at most {MAX_TREE_DEPTH} deep.",
                fields=[FieldError("body.parent_id", "too deep")],
            )

    @staticmethod
    async def _check_category(repo: ContentRepository, category_id: uuid.UUID) -> None:
        if await repo.category(category_id) is None:
            raise CategoryInvalid(
                "The category is not one of this tenant.",
                fields=[FieldError("body.category_id", "no such category in this tenant")],
            )

    @staticmethod
    async def _check_tags(
        repo: ContentRepository, tag_ids: Sequence[uuid.UUID], field: str
    ) -> None:
        missing = set(tag_ids) - await repo.existing_tags(tag_ids)
        if missing:
            raise TagInvalid(
                "Some tags are not tags of this tenant.",
                fields=[
                    FieldError(f"{field}.{index}", "no such tag in this tenant")
                    for index, tag_id in enumerate(tag_ids)
                    if tag_id in missing
                ],
            )

    @staticmethod
    async def _slug_for(
        repo: ContentRepository,
        node: Node,
        locale: str,
        title: str,
        explicit: str | None,
        field: str,
    ) -> str:
        if explicit is None:
            base = slugify(title, fallback=node.kind.replace("_", "-"))
            return first_free(base, await repo.node_slugs(node.kind, locale, base))
        owner = await repo.node_slug_owner(node.kind, locale, explicit)
        if owner is not None and owner != node.id:
            raise SlugTaken(
                f"The slug {explicit!r} is taken by another {node.kind} in {locale!r}.",
                fields=[FieldError(field, "taken")],
            )
        return explicit

    async def _add_translation(
        self,
        uow: UnitOfWork,
        repo: ContentRepository,
        node: Node,
        item: TranslationInput | TranslationPatch,
        index: int,
    ) -> tuple[NodeTranslation, NodeBody | None]:
        if item.title is None:
            raise Invalid(
                f"A new locale needs a title ({item.locale!r} is new to this node).",
                fields=[
                    FieldError(f"body.translations.{index}.title", "required for a new locale")
                ],
            )
        field = f"body.translations.{index}.slug"
        slug = await self._slug_for(repo, node, item.locale, item.title, item.slug, field)
        row = NodeTranslation(
            tenant_id=node.tenant_id,
            node_id=node.id,
            kind=node.kind,
            locale=item.locale,
            title=item.title,
            slug=slug,
            excerpt=item.excerpt or "",
        )
        uow.session.add(row)
        body = None
        if item.body is not None:
            body = NodeBody(
                tenant_id=node.tenant_id,
                node_id=node.id,
                locale=item.locale,
                body=item.body,
                format=(item.format or BodyFormat.MARKDOWN).value,
            )
            uow.session.add(body)
        if item.seo is not None:
            await _check_og_image(uow, item.seo, index)
            uow.session.add(self._seo_row(node, item.locale, item.seo))
        await _flush_slugs(uow, field, slug)
        return row, body

    @staticmethod
    def _seo_row(node: Node, locale: str, seo: SeoInput, row: NodeSeo | None = None) -> NodeSeo:
        row = row or NodeSeo(tenant_id=node.tenant_id, node_id=node.id, locale=locale)
        row.title = seo.title
        row.description = seo.description
        row.canonical_url = seo.canonical_url
        row.robots = seo.robots
        row.og_image_id = seo.og_image_id
        return row

    async def _patch_translations(
        self,
        uow: UnitOfWork,
        repo: ContentRepository,
        node: Node,
        patches: Sequence[TranslationPatch],
        actor: uuid.UUID,
        now: datetime,
    ) -> list[TranslationUpdated | BodyUpdated]:
        existing = {
            row.locale: row for row in (await repo.translations([node.id])).get(node.id, [])
        }
        bodies = await repo.bodies([node.id])
        seo = await repo.seo([node.id])
        parts: list[TranslationUpdated | BodyUpdated] = []
        for index, patch in enumerate(patches):
            row = existing.get(patch.locale)
            if row is None:
                row, body = await self._add_translation(uow, repo, node, patch, index)
                parts.append(self._translation_event(node, row))
                if body is not None:
                    parts.append(self._body_event(node, body))
                continue
            body = bodies.get((node.id, patch.locale))
            field = f"body.translations.{index}.slug"
            text_changed = any(
                value is not None and value != getattr(row, name)
                for name, value in (
                    ("title", patch.title),
                    ("slug", patch.slug),
                    ("excerpt", patch.excerpt),
                )
            )
            body_changed = (
                patch.body is not None and (body is None or patch.body != body.body)
            ) or (
                patch.format is not None and body is not None and patch.format.value != body.format
            )
            if text_changed or body_changed:
                self._keep_revision(uow, node, row, body, actor, now)
            if text_changed:
                if patch.slug is not None and patch.slug != row.slug:
                    row.slug = await self._slug_for(
                        repo, node, row.locale, patch.title or row.title, patch.slug, field
                    )
                row.title = patch.title if patch.title is not None else row.title
                row.excerpt = patch.excerpt if patch.excerpt is not None else row.excerpt
                parts.append(self._translation_event(node, row))
            if body_changed:
                if body is None:
                    body = NodeBody(tenant_id=node.tenant_id, node_id=node.id, locale=row.locale)
                    uow.session.add(body)
                    body.format = (patch.format or BodyFormat.MARKDOWN).value
                if patch.body is not None:
                    body.body = patch.body
                if patch.format is not None:
                    body.format = patch.format.value
                parts.append(self._body_event(node, body))
            if patch.seo is not None:
                await _check_og_image(uow, patch.seo, index)
                current = seo.get((node.id, row.locale))
                uow.session.add(self._seo_row(node, row.locale, patch.seo, current))
            await _flush_slugs(uow, field, row.slug)
        return parts

    @staticmethod
    def _keep_revision(
        uow: UnitOfWork,
        node: Node,
        row: NodeTranslation,
        body: NodeBody | None,
        actor: uuid.UUID | None,
        now: datetime,
    ) -> None:
        uow.session.add(
            NodeRevision(
                tenant_id=node.tenant_id,
                node_id=node.id,
                locale=row.locale,
                node_version=node.version - 1,
                title=row.title,
                slug=row.slug,
                excerpt=row.excerpt,
                body=body.body if body else None,
                format=body.format if body else None,
                created_by=actor,
                created_at=now,
            )
        )

    @staticmethod
    def _translation_event(node: Node, row: NodeTranslation) -> TranslationUpdated:
        return TranslationUpdated(
            node_id=node.id,
            kind=node.kind,
            locale=row.locale,
            version=node.version,
            title=row.title,
            slug=row.slug,
            excerpt=row.excerpt,
        )

    @staticmethod
    def _body_event(node: Node, body: NodeBody) -> BodyUpdated:
        return BodyUpdated(
            node_id=node.id,
            kind=node.kind,
            locale=body.locale,
            version=node.version,
            format=body.format,
            length=len(body.body),
        )

    @staticmethod
    async def _tag_slugs(
        repo: ContentRepository, tag_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, dict[str, str]]:
        translations = await repo.tag_translations(list(tag_ids))
        return {
            tag_id: {row.locale: row.slug for row in rows} for tag_id, rows in translations.items()
        }

    async def _committed(
        self, tenant_id: uuid.UUID, step: Callable[[UnitOfWork], Awaitable[T]]
    ) -> T:
        """`step` in a unit of work of its own, committed."""
        async with self._uow(tenant_id) as uow:
            result = await step(uow)
            await uow.commit()
            return result

    async def _transition_in(
        self,
        uow: UnitOfWork,
        node_id: uuid.UUID,
        reach: Reach,
        *,
        allowed: tuple[NodeStatus, ...],
        to: NodeStatus,
        event: type[NodePublished | NodeUnpublished | NodeArchived] | None,
        publish_at: datetime | None = None,
    ) -> NodeRead:
        tenant_id = _tenant_of(uow)
        locales = await self.locales(tenant_id)
        now = clock.utcnow()
        repo = ContentRepository(uow.session, tenant_id)
        node = await self._claim(repo, node_id, reach, now=now)
        if NodeStatus(node.status) not in allowed:
            raise StatusConflict(
                f"A {node.status} node cannot become {to.value}.",
                fields=[FieldError("status", f"is {node.status}")],
            )
        node.status = to.value
        node.publish_at = publish_at
        if to is NodeStatus.PUBLISHED:
            node.published_at = now
        await uow.session.flush()
        read = (await _Reads(repo).nodes([node], locales.chain(None)))[0]
        aggregate = self._aggregate(tenant_id, read)
        if event is None:
            uow.emit(
                NodeUpdated(**self._payload(read), changes=["status", "publish_at"]),
                **aggregate,
            )
        else:
            uow.emit(event(**self._payload(read)), **aggregate)
        return read

    @staticmethod
    def _payload(read: NodeRead) -> dict[str, Any]:
        return payload_of(read)

    @staticmethod
    def _aggregate(tenant_id: uuid.UUID, read: NodeRead) -> dict[str, Any]:
        return {"tenant_id": tenant_id, "aggregate_version": read.version}


async def claim_due(
    uow: UnitOfWork, now: datetime, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Move up to `limit` due scheduled nodes to published; their (id, tenant_id)."""
    due = (
        select(Node.id)
        .where(
            Node.status == NodeStatus.SCHEDULED.value,
            Node.publish_at <= now,
            Node.deleted_at.is_(None),
        )
        .order_by(Node.publish_at, Node.id)
        .limit(limit)
    )
    if uow.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    result = await uow.session.execute(
        update(Node)
        .where(Node.id.in_(due.scalar_subquery()), Node.status == NodeStatus.SCHEDULED.value)
        .values(
            status=NodeStatus.PUBLISHED.value,
            published_at=Node.publish_at,
            publish_at=None,
            version=Node.version + 1,
            updated_at=now,
        )
        .returning(Node.id, Node.tenant_id)
        .execution_options(synchronize_session=False)
    )
    return [(node_id, tenant_id) for node_id, tenant_id in result]


def payload_of(read: NodeRead) -> dict[str, Any]:
    """The fields every node event carries, from the node as it now is."""
    return {
        "node_id": read.id,
        "kind": read.kind,
        "status": read.status.value,
        "locales": [item.locale for item in read.translations],
        "slugs": {item.locale: item.slug for item in read.translations},
        "titles": {item.locale: item.title for item in read.translations},
        "author_id": read.author_id,
        "category_id": read.category_id,
        "parent_id": read.parent_id,
        "tag_ids": [tag.id for tag in read.tags],
        "published_at": read.published_at,
        "version": read.version,
    }


class CategoryService(_ContentBase):
    async def get(
        self, tenant_id: uuid.UUID, category_id: uuid.UUID, *, locale: str | None = None
    ) -> CategoryRead:
        locales = await self.locales(tenant_id)
        chain = NodeService._read_chain(locales, locale)
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            category = await repo.category(category_id)
            if category is None:
                raise CategoryNotFound("No such category.")
            return (await _Reads(repo).categories([category], chain))[0]

    async def get_many(
        self, tenant_id: uuid.UUID, category_ids: Sequence[uuid.UUID], *, locale: str | None = None
    ) -> dict[uuid.UUID, CategoryRead]:
        """Categories by id (those that exist), batched for GraphQL's loader."""
        chain = NodeService._read_chain(await self.locales(tenant_id), locale)
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            rows = await repo.categories_by_id(category_ids)
            return {read.id: read for read in await _Reads(repo).categories(rows, chain)}

    async def list_categories(
        self,
        tenant_id: uuid.UUID,
        *,
        after: str | None = None,
        limit: int = 20,
        locale: str | None = None,
    ) -> CursorPage[CategoryRead]:
        locales = await self.locales(tenant_id)
        chain = NodeService._read_chain(locales, locale)
        keys = [_key(Category.position), _key(Category.id)]
        order = "content.categories"
        criterion = (
            keyset_after(keys, decode_cursor(after, order=order, width=2)) if after else None
        )
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            rows = await repo.categories(criterion, limit)
            page, cursor = page_of(rows, limit, lambda c: (c.position, c.id), order=order)
            items = await _Reads(repo).categories(page, chain)
        return CursorPage(items=items, next_cursor=cursor)

    async def create(
        self, tenant_id: uuid.UUID, data: CategoryCreate, *, reach: Reach
    ) -> CategoryRead:
        self._check_writer(reach)
        locales = await self.locales(tenant_id)
        for index, item in enumerate(data.translations):
            locales.check(item.locale, f"body.translations.{index}.locale")
        async with self._uow(tenant_id) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            if data.parent_id is not None:
                await self._check_parent(repo, None, data.parent_id)
            category = Category(
                tenant_id=tenant_id, parent_id=data.parent_id, position=data.position
            )
            await repo.add(category)
            await self._write_translations(uow, repo, category, data.translations)
            read = (await _Reads(repo).categories([category], locales.chain(None)))[0]
            uow.emit(CategoryCreated(**self._payload(read)), tenant_id=tenant_id)
            await uow.commit()
            return read

    async def update(
        self, tenant_id: uuid.UUID, category_id: uuid.UUID, data: CategoryUpdate, *, reach: Reach
    ) -> CategoryRead:
        self._check_writer(reach)
        locales = await self.locales(tenant_id)
        for index, item in enumerate(data.translations or []):
            locales.check(item.locale, f"body.translations.{index}.locale")
        async with self._uow(tenant_id) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            category = await repo.category(category_id)
            if category is None:
                raise CategoryNotFound("No such category.")
            given = data.model_fields_set
            if "parent_id" in given:
                if data.parent_id is not None:
                    await self._check_parent(repo, category.id, data.parent_id)
                category.parent_id = data.parent_id
            if data.position is not None:
                category.position = data.position
            category.updated_at = clock.utcnow()
            await uow.session.flush()
            if data.translations:
                await self._write_translations(uow, repo, category, data.translations)
            read = (await _Reads(repo).categories([category], locales.chain(None)))[0]
            uow.emit(CategoryUpdated(**self._payload(read)), tenant_id=tenant_id)
            await uow.commit()
            return read

    async def delete(self, tenant_id: uuid.UUID, category_id: uuid.UUID, *, reach: Reach) -> None:
        """Delete a category no node and no subcategory uses (else 409 `CATEGORY_IN_USE`)."""
        self._check_writer(reach)
        async with self._uow(tenant_id) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            category = await repo.category(category_id)
            if category is None:
                raise CategoryNotFound("No such category.")
            if await repo.category_in_use(category.id):
                raise CategoryInUse("Nodes or subcategories use this category; move them first.")
            read = (await _Reads(repo).categories([category], []))[0]
            await repo.delete_category(category.id)
            uow.emit(CategoryDeleted(**self._payload(read)), tenant_id=tenant_id)
            await uow.commit()

    @staticmethod
    async def _check_parent(
        repo: ContentRepository, category_id: uuid.UUID | None, parent_id: uuid.UUID
    ) -> None:
        if await repo.category(parent_id) is None:
            raise CategoryInvalid(
                "The parent is not a category of this tenant.",
                fields=[FieldError("body.parent_id", "no such category in this tenant")],
            )
        chain = await repo.category_chain(parent_id)
        if category_id is not None and category_id in chain:
            raise CategoryInvalid(
                "That parent is the category itself or one of its descendants: a cycle.",
                fields=[FieldError("body.parent_id", "makes a cycle")],
            )
        if len(chain) > MAX_TREE_DEPTH:
            raise CategoryInvalid(
                f"Trees are at most {MAX_TREE_DEPTH} deep.",
                fields=[FieldError("body.parent_id", "too deep")],
            )

    @staticmethod
    async def _write_translations(
        uow: UnitOfWork,
        repo: ContentRepository,
        category: Category,
        items: Sequence[CategoryTranslationInput],
    ) -> None:
        existing = {
            row.locale: row
            for row in (await repo.category_translations([category.id])).get(category.id, [])
        }
        for index, item in enumerate(items):
            field = f"body.translations.{index}.slug"
            row = existing.get(item.locale)
            if item.slug is None:
                if row is not None:
                    slug = row.slug
                else:
                    base = slugify(item.name, fallback="category")
                    slug = first_free(base, await repo.category_slugs(item.locale, base))
            else:
                owner = await repo.category_slug_owner(item.locale, item.slug)
                if owner is not None and owner != category.id:
                    raise SlugTaken(
                        f"The slug {item.slug!r} is taken by another category.",
                        fields=[FieldError(field, "taken")],
                    )
                slug = item.slug
            if row is None:
                row = CategoryTranslation(
                    tenant_id=category.tenant_id, category_id=category.id, locale=item.locale
                )
                uow.session.add(row)
            row.name, row.slug, row.description = item.name, slug, item.description
            await _flush_slugs(uow, field, slug)

    @staticmethod
    def _payload(read: CategoryRead) -> dict[str, Any]:
        return {
            "category_id": read.id,
            "parent_id": read.parent_id,
            "slugs": {item.locale: item.slug for item in read.translations},
            "names": {item.locale: item.name for item in read.translations},
        }


class TagService(_ContentBase):
    async def get(
        self, tenant_id: uuid.UUID, tag_id: uuid.UUID, *, locale: str | None = None
    ) -> TagRead:
        locales = await self.locales(tenant_id)
        chain = NodeService._read_chain(locales, locale)
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            tag = await repo.tag(tag_id)
            if tag is None:
                raise TagNotFound("No such tag.")
            return (await _Reads(repo).tags([tag], chain))[0]

    async def list_tags(
        self,
        tenant_id: uuid.UUID,
        *,
        after: str | None = None,
        limit: int = 20,
        locale: str | None = None,
    ) -> CursorPage[TagRead]:
        locales = await self.locales(tenant_id)
        chain = NodeService._read_chain(locales, locale)
        keys = [_key(Tag.created_at), _key(Tag.id)]
        order = "content.tags"
        criterion = (
            keyset_after(keys, decode_cursor(after, order=order, width=2)) if after else None
        )
        async with self._uow(tenant_id, read_only=True) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            rows = await repo.tags(criterion, limit)
            page, cursor = page_of(rows, limit, lambda t: (t.created_at, t.id), order=order)
            items = await _Reads(repo).tags(page, chain)
        return CursorPage(items=items, next_cursor=cursor)

    async def create(self, tenant_id: uuid.UUID, data: TagCreate, *, reach: Reach) -> TagRead:
        self._check_writer(reach)
        locales = await self.locales(tenant_id)
        for index, item in enumerate(data.translations):
            locales.check(item.locale, f"body.translations.{index}.locale")
        async with self._uow(tenant_id) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            tag = Tag(tenant_id=tenant_id)
            await repo.add(tag)
            await self._write_translations(uow, repo, tag, data.translations)
            read = (await _Reads(repo).tags([tag], locales.chain(None)))[0]
            await uow.commit()
            return read

    async def update(
        self, tenant_id: uuid.UUID, tag_id: uuid.UUID, data: TagUpdate, *, reach: Reach
    ) -> TagRead:
        self._check_writer(reach)
        locales = await self.locales(tenant_id)
        for index, item in enumerate(data.translations):
            locales.check(item.locale, f"body.translations.{index}.locale")
        async with self._uow(tenant_id) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            tag = await repo.tag(tag_id)
            if tag is None:
                raise TagNotFound("No such tag.")
            tag.updated_at = clock.utcnow()
            await self._write_translations(uow, repo, tag, data.translations)
            read = (await _Reads(repo).tags([tag], locales.chain(None)))[0]
            await uow.commit()
            return read

    async def delete(self, tenant_id: uuid.UUID, tag_id: uuid.UUID, *, reach: Reach) -> None:
        """Delete a tag; it is detached from every node (a `content.tag.detached` each)."""
        self._check_writer(reach)
        async with self._uow(tenant_id) as uow:
            repo = ContentRepository(uow.session, tenant_id)
            tag = await repo.tag(tag_id)
            if tag is None:
                raise TagNotFound("No such tag.")
            slugs = await NodeService._tag_slugs(repo, [tag.id])
            now = clock.utcnow()
            for node in await repo.nodes_tagged(tag.id):
                if not await repo.bump_version(node.id, node.version, now):
                    raise VersionConflict("A tagged node changed meanwhile; try again.")
                node.version += 1
                uow.emit(
                    TagDetached(
                        node_id=node.id,
                        kind=node.kind,
                        tag_id=tag.id,
                        slugs=slugs.get(tag.id, {}),
                        version=node.version,
                    ),
                    tenant_id=tenant_id,
                    aggregate_version=node.version,
                )
            await repo.delete_tag(tag.id)
            await uow.commit()

    @staticmethod
    async def _write_translations(
        uow: UnitOfWork, repo: ContentRepository, tag: Tag, items: Sequence[TagTranslationInput]
    ) -> None:
        existing = {
            row.locale: row for row in (await repo.tag_translations([tag.id])).get(tag.id, [])
        }
        for index, item in enumerate(items):
            field = f"body.translations.{index}.slug"
            row = existing.get(item.locale)
            if item.slug is None:
                if row is not None:
                    slug = row.slug
                else:
                    base = slugify(item.name, fallback="tag")
                    slug = first_free(base, await repo.tag_slugs(item.locale, base))
            else:
                owner = await repo.tag_slug_owner(item.locale, item.slug)
                if owner is not None and owner != tag.id:
                    raise SlugTaken(
                        f"The slug {item.slug!r} is taken by another tag.",
                        fields=[FieldError(field, "taken")],
                    )
                slug = item.slug
            if row is None:
                row = TagTranslation(tenant_id=tag.tenant_id, tag_id=tag.id, locale=item.locale)
                uow.session.add(row)
            row.name, row.slug = item.name, slug
            await _flush_slugs(uow, field, slug)
