"""Queries of the blog module; every one starts from the unit of work's tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rustok.blog.models import Comment, PostStats, TenantBlogSettings

if TYPE_CHECKING:
    import uuid
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession


class BlogRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def add(self, *rows: object) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    # comments

    async def comment(self, comment_id: uuid.UUID) -> Comment | None:
        """A comment that is not deleted."""
        return await self.session.scalar(
            select(Comment).where(
                Comment.tenant_id == self.tenant_id,
                Comment.id == comment_id,
                Comment.deleted_at.is_(None),
            )
        )

    async def comments(
        self,
        post_id: uuid.UUID | None,
        statuses: Sequence[str] | None,
        criterion: ColumnElement[bool] | None,
        limit: int,
    ) -> Sequence[Comment]:
        """Comments oldest first (of one post, or of every post), one more than `limit`."""
        query = select(Comment).where(
            Comment.tenant_id == self.tenant_id, Comment.deleted_at.is_(None)
        )
        if post_id is not None:
            query = query.where(Comment.post_id == post_id)
        if statuses is not None:
            query = query.where(Comment.status.in_(statuses))
        if criterion is not None:
            query = query.where(criterion)
        rows = await self.session.scalars(
            query.order_by(Comment.created_at, Comment.id).limit(limit + 1)
        )
        return rows.all()

    async def move_status(self, comment_id: uuid.UUID, seen: str, to: str, now: datetime) -> bool:
        """Compare and set: the comment goes from `seen` to `to`; False when another
        moderator moved it meanwhile."""
        result = await self.session.execute(
            update(Comment)
            .where(
                Comment.tenant_id == self.tenant_id,
                Comment.id == comment_id,
                Comment.status == seen,
                Comment.deleted_at.is_(None),
            )
            .values(status=to, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def mark_deleted(self, comment_id: uuid.UUID, seen: str, now: datetime) -> bool:
        """Set `deleted_at` on a comment still at status `seen`; False when it moved."""
        result = await self.session.execute(
            update(Comment)
            .where(
                Comment.tenant_id == self.tenant_id,
                Comment.id == comment_id,
                Comment.status == seen,
                Comment.deleted_at.is_(None),
            )
            .values(deleted_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    # counters

    async def counts(self, post_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not post_ids:
            return {}
        rows = await self.session.execute(
            select(PostStats.post_id, PostStats.comment_count).where(
                PostStats.tenant_id == self.tenant_id, PostStats.post_id.in_(post_ids)
            )
        )
        return {row.post_id: row.comment_count for row in rows}

    async def add_to_count(self, post_id: uuid.UUID, delta: int) -> int:
        """Move the post's approved-comment count by `delta` in one atomic statement (the
        row is made on first use); the count after."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(PostStats).values(
            tenant_id=self.tenant_id, post_id=post_id, comment_count=max(delta, 0)
        )
        result = await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[PostStats.post_id],
                set_={"comment_count": PostStats.comment_count + delta},
            ).returning(PostStats.comment_count)
        )
        return int(result.scalar_one())

    async def count(self, post_id: uuid.UUID) -> int:
        return (await self.counts([post_id])).get(post_id, 0)

    # settings

    async def settings(self) -> TenantBlogSettings | None:
        return await self.session.scalar(
            select(TenantBlogSettings).where(TenantBlogSettings.tenant_id == self.tenant_id)
        )
