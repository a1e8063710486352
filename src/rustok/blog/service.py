"""Blog use cases: posts (PostService) and comments with their moderation (CommentService).

Posts are content nodes of kind `post`: every write goes through content's `NodeService`
inside the blog's unit of work, so a post carries content's rules (locales, slugs, versions,
revisions, `own` scope) and content's events. A comment is a node of kind `comment` under its
post plus a `blog_comments` row with its moderation status; the node is published exactly
while the comment is approved, so content's public reads never show a comment a moderator has
not let through. Each post's count of approved comments moves in the same unit of work as the
status, by an atomic update, and only when the status really changes.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from rustok.blog.errors import (
    CommentForbidden,
    CommentInvalid,
    CommentNotFound,
    CommentsClosed,
    GuestCommentsDisabled,
    PostNotFound,
)
from rustok.blog.events import CommentApproved, CommentCreated, CommentDeleted, CommentRejected
from rustok.blog.kinds import PostMetadata
from rustok.blog.models import Comment, TenantBlogSettings
from rustok.blog.permissions import COMMENTS
from rustok.blog.repository import BlogRepository
from rustok.blog.schemas import (
    BlogSettingsRead,
    CommentRead,
    CommentStatus,
    PostRead,
    PostTranslationRead,
)
from rustok.blog.settings import BlogSettings, Moderation
from rustok.content.errors import NodeNotFound, VersionConflict
from rustok.content.schemas import (
    BodyFormat,
    NodeCreate,
    NodeQuery,
    NodeSort,
    NodeStatus,
    NodeUpdate,
    TranslationInput,
)
from rustok.core import clock
from rustok.core.cursor import CursorPage, SortKey, decode_cursor, keyset_after, page_of
from rustok.core.errors import FieldError
from rustok.core.permissions import Action, Permission, Reach, Scope
from rustok.media.service import MediaService

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from sqlalchemy import ColumnElement

    from rustok.blog.schemas import (
        BlogSettingsUpdate,
        CommentCreate,
        CommentQuery,
        PostCreate,
        PostQuery,
        PostUpdate,
    )
    from rustok.content.schemas import NodeRead, TranslationRead
    from rustok.content.service import NodeService
    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory

    AuthorNames = Callable[[uuid.UUID, Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, str]]]

POST = "post"
COMMENT = "comment"
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_COMMENT_ORDER = "blog.comments"
_GUEST = uuid.UUID(int=0)
"""The actor of a guest's comment node (which gets no author)."""


def reading_minutes(body: str | None, format: BodyFormat | None, words_per_minute: int) -> int:
    """Minutes to read a body: its words (markup left out) over the reading speed, rounded up;
    0 for no body or a json one."""
    if body is None or format is None or format is BodyFormat.JSON:
        return 0
    text = _TAG.sub(" ", body) if format is BodyFormat.HTML else body
    words = len(_WORD.findall(text))
    return math.ceil(words / words_per_minute) if words else 0


def stored_metadata(raw: dict[str, Any]) -> PostMetadata:
    """A stored post's metadata. A post written before the strict model (through content, with
    other keys) keeps what fits and the defaults for the rest, instead of failing every read."""
    known = {name: raw[name] for name in PostMetadata.model_fields if name in raw}
    try:
        return PostMetadata.model_validate(known)
    except ValidationError:
        return PostMetadata()


@dataclass(frozen=True, slots=True)
class Commenter:
    """Who writes a comment: a signed-in user (and whether they moderate), or a guest."""

    user_id: uuid.UUID | None
    moderator: bool = False


class _BlogBase:
    def __init__(self, uow: UnitOfWorkFactory, nodes: NodeService, settings: BlogSettings) -> None:
        self._uow = uow
        self._nodes = nodes
        self._settings = settings

    async def _node_of_kind(
        self, uow: UnitOfWork, node_id: uuid.UUID, kind: str, reader: Reach | None
    ) -> NodeRead:
        try:
            read = await self._nodes.get_in(uow, node_id, reader=reader)
        except NodeNotFound:
            read = None
        if read is None or read.kind != kind or read.deleted_at is not None:
            if kind == POST:
                raise PostNotFound("No such post.")
            raise CommentNotFound("No such comment.")
        return read


class PostService(_BlogBase):
    async def get(
        self,
        tenant_id: uuid.UUID,
        post_id: uuid.UUID,
        *,
        reader: Reach | None = None,
        locale: str | None = None,
    ) -> PostRead:
        """One post as `reader` may see it (None: the public, published posts only)."""
        async with self._uow(tenant_id, read_only=True) as uow:
            try:
                read = await self._nodes.get_in(uow, post_id, reader=reader, locale=locale)
            except NodeNotFound:
                raise PostNotFound("No such post.") from None
            if read.kind != POST or read.deleted_at is not None:
                raise PostNotFound("No such post.")
            return self._read(read, await BlogRepository(uow.session, tenant_id).count(read.id))

    async def get_by_slug(
        self,
        tenant_id: uuid.UUID,
        slug: str,
        *,
        reader: Reach | None = None,
        locale: str | None = None,
    ) -> PostRead:
        try:
            read = await self._nodes.get_by_slug(
                tenant_id, slug, kind=POST, locale=locale, reader=reader
            )
        except NodeNotFound:
            raise PostNotFound(f"No post has the slug {slug!r}.") from None
        async with self._uow(tenant_id, read_only=True) as uow:
            return self._read(read, await BlogRepository(uow.session, tenant_id).count(read.id))

    async def list_posts(
        self,
        tenant_id: uuid.UUID,
        query: PostQuery,
        *,
        after: str | None = None,
        limit: int = 20,
        reader: Reach | None = None,
    ) -> CursorPage[PostRead]:
        """Posts newest published first (drafts, for editors, after them), filtered by tag,
        category, author, status; served in `query.locale`."""
        page = await self._nodes.list_nodes(
            tenant_id,
            NodeQuery(
                kind=POST,
                status=query.status,
                author_id=query.author_id,
                category_id=query.category_id,
                tag_id=query.tag_id,
                locale=query.locale,
                sort=NodeSort.RECENTLY_PUBLISHED,
            ),
            after=after,
            limit=limit,
            reader=reader,
        )
        async with self._uow(tenant_id, read_only=True) as uow:
            counts = await BlogRepository(uow.session, tenant_id).counts(
                [item.id for item in page.items]
            )
        return CursorPage(
            items=[self._read(item, counts.get(item.id, 0)) for item in page.items],
            next_cursor=page.next_cursor,
        )

    async def create(self, tenant_id: uuid.UUID, data: PostCreate, *, reach: Reach) -> PostRead:
        """A post with its translations, tags, category and featured image, by the caller."""
        metadata = PostMetadata(
            featured_image_id=data.featured_image_id, comments_open=data.comments_open
        )
        async with self._uow(tenant_id) as uow:
            await self._check_image(uow, data.featured_image_id)
            read = await self._nodes.create_in(
                uow,
                NodeCreate(
                    kind=POST,
                    status=data.status,
                    publish_at=data.publish_at,
                    category_id=data.category_id,
                    tag_ids=data.tag_ids,
                    metadata=metadata.model_dump(mode="json"),
                    translations=data.translations,
                ),
                reach=reach,
            )
            await uow.commit()
        return self._read(read, 0)

    async def update(
        self, tenant_id: uuid.UUID, post_id: uuid.UUID, data: PostUpdate, *, reach: Reach
    ) -> PostRead:
        """Change a post read at `data.version` (else 409 `VERSION_CONFLICT`)."""
        given = data.model_fields_set
        async with self._uow(tenant_id) as uow:
            current = await self._node_of_kind(uow, post_id, POST, reach)
            changes: dict[str, object] = {"version": data.version}
            if "category_id" in given:
                changes["category_id"] = data.category_id
            if data.translations is not None:
                changes["translations"] = data.translations
            if given & {"featured_image_id", "comments_open"}:
                metadata = stored_metadata(current.metadata)
                if "featured_image_id" in given:
                    await self._check_image(uow, data.featured_image_id)
                    metadata.featured_image_id = data.featured_image_id
                if data.comments_open is not None:
                    metadata.comments_open = data.comments_open
                changes["metadata"] = metadata.model_dump(mode="json")
            read = await self._nodes.update_in(
                uow, post_id, NodeUpdate.model_validate(changes), reach=reach
            )
            count = await BlogRepository(uow.session, tenant_id).count(post_id)
            await uow.commit()
        return self._read(read, count)

    async def publish(self, tenant_id: uuid.UUID, post_id: uuid.UUID, *, reach: Reach) -> PostRead:
        """Publish a post; a post already published is answered as it is, with no event (a
        retried publish is not a conflict; pages do the same)."""
        return await self._step(tenant_id, post_id, reach, self._publish_unless_published)

    async def _publish_unless_published(
        self, uow: UnitOfWork, post_id: uuid.UUID, reach: Reach
    ) -> NodeRead:
        current = await self._nodes.get_in(uow, post_id, reader=reach)
        if current.status == NodeStatus.PUBLISHED:
            return current
        return await self._nodes.publish_in(uow, post_id, reach)

    async def unpublish(
        self, tenant_id: uuid.UUID, post_id: uuid.UUID, *, reach: Reach
    ) -> PostRead:
        return await self._step(tenant_id, post_id, reach, self._nodes.unpublish_in)

    async def delete(self, tenant_id: uuid.UUID, post_id: uuid.UUID, *, reach: Reach) -> None:
        """Soft delete (content's): the post and its comments are hidden, restorable."""
        await self._step(tenant_id, post_id, reach, self._nodes.delete_in)

    async def _step(
        self,
        tenant_id: uuid.UUID,
        post_id: uuid.UUID,
        reach: Reach,
        step: Callable[[UnitOfWork, uuid.UUID, Reach], Awaitable[NodeRead]],
    ) -> PostRead:
        async with self._uow(tenant_id) as uow:
            await self._node_of_kind(uow, post_id, POST, reach)
            read = await step(uow, post_id, reach)
            count = await BlogRepository(uow.session, tenant_id).count(post_id)
            await uow.commit()
        return self._read(read, count)

    @staticmethod
    async def _check_image(uow: UnitOfWork, image_id: uuid.UUID | None) -> None:
        if image_id is not None:
            await MediaService.ensure_media_in(uow, [image_id], field="body.featured_image_id")

    def _read(self, read: NodeRead, comment_count: int) -> PostRead:
        speed = self._settings.words_per_minute
        translations = [
            PostTranslationRead(
                **item.model_dump(),
                reading_minutes=reading_minutes(item.body, item.format, speed),
            )
            for item in read.translations
        ]
        served = next((t for t in translations if t.locale == read.served_locale), None)
        metadata = stored_metadata(read.metadata)
        return PostRead(
            id=read.id,
            status=read.status,
            author_id=read.author_id,
            category_id=read.category_id,
            featured_image_id=metadata.featured_image_id,
            comments_open=metadata.comments_open,
            comment_count=comment_count,
            version=read.version,
            publish_at=read.publish_at,
            published_at=read.published_at,
            created_at=read.created_at,
            updated_at=read.updated_at,
            served_locale=read.served_locale,
            title=read.title,
            slug=read.slug,
            excerpt=served.excerpt if served else None,
            reading_minutes=served.reading_minutes if served else 0,
            translations=translations,
            tags=read.tags,
        )


class CommentService(_BlogBase):
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        nodes: NodeService,
        settings: BlogSettings,
        authors: AuthorNames,
    ) -> None:
        super().__init__(uow, nodes, settings)
        self._authors = authors

    # settings

    async def settings(self, tenant_id: uuid.UUID) -> BlogSettingsRead:
        """The tenant's comment rules: its own, or the module's defaults."""
        async with self._uow(tenant_id, read_only=True) as uow:
            return self._settings_read(await BlogRepository(uow.session, tenant_id).settings())

    async def update_settings(
        self, tenant_id: uuid.UUID, data: BlogSettingsUpdate
    ) -> BlogSettingsRead:
        async with self._uow(tenant_id) as uow:
            repo = BlogRepository(uow.session, tenant_id)
            row = await repo.settings()
            if row is None:
                row = TenantBlogSettings(
                    tenant_id=tenant_id,
                    guest_comments=self._settings.guest_comments,
                    moderation=self._settings.moderation.value,
                )
                await repo.add(row)
            if data.guest_comments is not None:
                row.guest_comments = data.guest_comments
            if data.moderation is not None:
                row.moderation = data.moderation.value
            row.updated_at = clock.utcnow()
            await uow.session.flush()
            read = self._settings_read(row)
            await uow.commit()
        return read

    def _settings_read(self, row: TenantBlogSettings | None) -> BlogSettingsRead:
        return BlogSettingsRead(
            guest_comments=row.guest_comments if row else self._settings.guest_comments,
            moderation=Moderation(row.moderation) if row else self._settings.moderation,
            words_per_minute=self._settings.words_per_minute,
            max_comment_chars=self._settings.max_comment_chars,
        )

    # reads

    async def list_comments(
        self,
        tenant_id: uuid.UUID,
        post_id: uuid.UUID | None,
        query: CommentQuery,
        *,
        after: str | None = None,
        limit: int = 20,
        moderator: bool = False,
    ) -> CursorPage[CommentRead]:
        """Comments oldest first, of one post (None: of every post, for moderators). The
        public sees the approved comments of published posts; moderators every status."""
        if not moderator and query.status not in (None, CommentStatus.APPROVED):
            raise CommentForbidden(
                "Only moderators see comments that are not approved.",
                fields=[FieldError("query.status", "moderators only")],
            )
        statuses = (
            [query.status.value]
            if query.status is not None
            else (None if moderator else [CommentStatus.APPROVED.value])
        )
        criterion = None
        if after is not None:
            keys = [_key(Comment.created_at), _key(Comment.id)]
            criterion = keyset_after(keys, decode_cursor(after, order=_COMMENT_ORDER, width=2))
        async with self._uow(tenant_id, read_only=True) as uow:
            if post_id is not None:
                await self._node_of_kind(uow, post_id, POST, _ALL if moderator else None)
            rows = await BlogRepository(uow.session, tenant_id).comments(
                post_id, statuses, criterion, limit
            )
            page, cursor = page_of(
                rows, limit, lambda row: (row.created_at, row.id), order=_COMMENT_ORDER
            )
            items = await self._reads(tenant_id, page, moderator=moderator)
        return CursorPage(items=items, next_cursor=cursor)

    async def _reads(
        self, tenant_id: uuid.UUID, rows: Sequence[Comment], *, moderator: bool
    ) -> list[CommentRead]:
        ids = [row.id for row in rows]
        texts = await self._nodes.translations_of(tenant_id, ids)
        names = await self._authors(
            tenant_id, sorted({row.author_id for row in rows if row.author_id is not None})
        )
        return [self._read(row, texts.get(row.id, []), names, moderator=moderator) for row in rows]

    @staticmethod
    def _read(
        row: Comment,
        texts: Sequence[TranslationRead],
        names: dict[uuid.UUID, str],
        *,
        moderator: bool,
    ) -> CommentRead:
        text = texts[0] if texts else None
        return CommentRead(
            id=row.id,
            post_id=row.post_id,
            status=CommentStatus(row.status),
            author_id=row.author_id,
            author_name=names.get(row.author_id) if row.author_id else row.guest_name,
            guest_email=row.guest_email if moderator else None,
            locale=text.locale if text else "",
            body=(text.body or "") if text else "",
            format=(text.format or BodyFormat.MARKDOWN) if text else BodyFormat.MARKDOWN,
            html=text.html if text else None,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    # writes

    async def create(
        self,
        tenant_id: uuid.UUID,
        post_id: uuid.UUID,
        data: CommentCreate,
        *,
        commenter: Commenter,
    ) -> CommentRead:
        """A comment on a published post that takes comments; it waits for a moderator or is
        approved at once, as the tenant's settings say (a moderator's own is approved)."""
        guest = commenter.user_id is None
        self._check_input(data, guest=guest)
        locales = await self._nodes.locales(tenant_id)
        locale = data.locale or locales.default
        locales.check(locale, "body.locale")
        async with self._uow(tenant_id) as uow:
            repo = BlogRepository(uow.session, tenant_id)
            rules = self._settings_read(await repo.settings())
            if guest and not rules.guest_comments:
                raise GuestCommentsDisabled(
                    "Sign in to comment: this blog takes no comments from guests."
                )
            post = await self._node_of_kind(uow, post_id, POST, None)
            if not stored_metadata(post.metadata).comments_open:
                raise CommentsClosed("This post takes no comments.")
            approved = commenter.moderator or rules.moderation is Moderation.NONE
            approved = approved or (rules.moderation is Moderation.GUESTS and not guest)
            status = CommentStatus.APPROVED if approved else CommentStatus.PENDING
            node = await self._nodes.create_in(
                uow,
                NodeCreate(
                    kind=COMMENT,
                    status=NodeStatus.PUBLISHED if approved else NodeStatus.DRAFT,
                    parent_id=post_id,
                    translations=[
                        TranslationInput(
                            locale=locale,
                            title=_title(data.body),
                            slug=f"comment-{uuid.uuid4().hex}",
                            body=data.body,
                            format=BodyFormat.MARKDOWN,
                        )
                    ],
                ),
                reach=Reach(
                    Permission(COMMENTS, Action.CREATE), Scope.ALL, commenter.user_id or _GUEST
                ),
                guest=guest,
            )
            row = Comment(
                tenant_id=tenant_id,
                id=node.id,
                post_id=post_id,
                status=status.value,
                author_id=commenter.user_id,
                guest_name=data.guest_name,
                guest_email=data.guest_email,
                created_at=node.created_at,
                updated_at=node.created_at,
            )
            await repo.add(row)
            count = await repo.add_to_count(post_id, 1) if approved else await repo.count(post_id)
            uow.emit(CommentCreated(**self._payload(row, locale, count)), tenant_id=tenant_id)
            names = await self._authors(tenant_id, [commenter.user_id] if commenter.user_id else [])
            read = self._read(row, node.translations, names, moderator=commenter.moderator)
            await uow.commit()
        return read

    async def approve(
        self, tenant_id: uuid.UUID, comment_id: uuid.UUID, *, reach: Reach
    ) -> CommentRead:
        """Let a comment through (again): readers see it and its post counts it."""
        return await self._moderate(tenant_id, comment_id, CommentStatus.APPROVED, reach)

    async def reject(
        self, tenant_id: uuid.UUID, comment_id: uuid.UUID, *, reach: Reach, spam: bool = False
    ) -> CommentRead:
        """Hide a comment from readers, as rejected or as spam."""
        to = CommentStatus.SPAM if spam else CommentStatus.REJECTED
        return await self._moderate(tenant_id, comment_id, to, reach)

    async def delete(self, tenant_id: uuid.UUID, comment_id: uuid.UUID, *, reach: Reach) -> None:
        """Delete a comment (soft, like content's nodes); under `own` only one's own."""
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            repo = BlogRepository(uow.session, tenant_id)
            row = await repo.comment(comment_id)
            if row is None:
                raise CommentNotFound("No such comment.")
            reach.check(row.author_id)
            if not await repo.mark_deleted(row.id, row.status, now):
                raise VersionConflict("The comment changed meanwhile; try again.")
            node = await self._nodes.delete_in(uow, row.id, _ALL)
            approved = row.status == CommentStatus.APPROVED.value
            count = await repo.add_to_count(row.post_id, -1) if approved else None
            if count is None:
                count = await repo.count(row.post_id)
            locale = node.translations[0].locale if node.translations else ""
            uow.emit(CommentDeleted(**self._payload(row, locale, count)), tenant_id=tenant_id)
            await uow.commit()

    async def _moderate(
        self, tenant_id: uuid.UUID, comment_id: uuid.UUID, to: CommentStatus, reach: Reach
    ) -> CommentRead:
        reach.check(None)  # moderation has no owner: an `own` reach moderates nothing
        now = clock.utcnow()
        async with self._uow(tenant_id) as uow:
            repo = BlogRepository(uow.session, tenant_id)
            row = await repo.comment(comment_id)
            if row is None:
                raise CommentNotFound("No such comment.")
            seen = CommentStatus(row.status)
            if seen is to:
                # Asking for what is already so: the answer, no change and no event.
                node = await self._nodes.get_in(uow, row.id, reader=_ALL)
                names = await self._authors(tenant_id, [row.author_id] if row.author_id else [])
                return self._read(row, node.translations, names, moderator=True)
            if not await repo.move_status(row.id, seen.value, to.value, now):
                raise VersionConflict("Another moderator changed the comment; read it again.")
            row.status, row.updated_at = to.value, now
            if to is CommentStatus.APPROVED:
                node = await self._nodes.publish_in(uow, row.id, _ALL)
                count = await repo.add_to_count(row.post_id, 1)
                event: type[CommentApproved | CommentRejected] = CommentApproved
            else:
                if seen in (CommentStatus.PENDING, CommentStatus.APPROVED):
                    node = await self._nodes.archive_in(uow, row.id, _ALL)
                else:  # rejected <-> spam: the node is archived already
                    node = await self._nodes.get_in(uow, row.id, reader=_ALL)
                if seen is CommentStatus.APPROVED:
                    count = await repo.add_to_count(row.post_id, -1)
                else:
                    count = await repo.count(row.post_id)
                event = CommentRejected
            locale = node.translations[0].locale if node.translations else ""
            uow.emit(event(**self._payload(row, locale, count)), tenant_id=tenant_id)
            names = await self._authors(tenant_id, [row.author_id] if row.author_id else [])
            read = self._read(row, node.translations, names, moderator=True)
            await uow.commit()
        return read

    def _check_input(self, data: CommentCreate, *, guest: bool) -> None:
        limit = self._settings.max_comment_chars
        problems: list[FieldError] = []
        if len(data.body) > limit:
            problems.append(FieldError("body.body", f"at most {limit} characters"))
        if guest:
            problems.extend(
                FieldError(f"body.{name}", "required for a guest's comment")
                for name in ("guest_name", "guest_email")
                if getattr(data, name) is None
            )
        else:
            problems.extend(
                FieldError(f"body.{name}", "only a guest gives it; yours is your account's")
                for name in ("guest_name", "guest_email")
                if getattr(data, name) is not None
            )
        if problems:
            raise CommentInvalid("The comment cannot be taken as it is.", fields=problems)

    @staticmethod
    def _payload(row: Comment, locale: str, count: int) -> dict[str, object]:
        return {
            "comment_id": row.id,
            "post_id": row.post_id,
            "status": row.status,
            "author_id": row.author_id,
            "guest": row.author_id is None,
            "locale": locale,
            "comment_count": count,
        }


_ALL = Reach(Permission(COMMENTS, Action.UPDATE), Scope.ALL, _GUEST)
"""The blog's own reach over comment nodes, after it has authorised the caller itself."""


def _key(column: object) -> SortKey:
    return SortKey(cast("ColumnElement[object]", column))


def _title(body: str) -> str:
    """A comment node's title: the start of its text on one line."""
    text = _SPACE.sub(" ", body).strip()
    return (text[:77] + "...") if len(text) > 80 else (text or "Comment")
