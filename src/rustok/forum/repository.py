"""Queries of the forum module; every one starts from the unit of work's tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from sqlalchemy import and_, case, exists, literal, or_, select, update
from sqlalchemy.types import Uuid

from rustok.core.db import UTCDateTime
from rustok.forum.models import Reply, Topic
from rustok.forum.schemas import ReplyStatus

if TYPE_CHECKING:
    import uuid
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

    from rustok.core.cursor import SortKey

APPROVED = ReplyStatus.APPROVED.value


class ForumRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def add(self, *rows: object) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    # topics

    async def topic(self, topic_id: uuid.UUID, *, lock: bool = False) -> Topic | None:
        """The topic (None when it does not exist or is deleted). `lock`: on PostgreSQL the
        row stays locked to this transaction (replies and lock/unlock queue behind each
        other; the foreign keys of new replies still pass)."""
        query = select(Topic).where(
            Topic.tenant_id == self.tenant_id, Topic.id == topic_id, Topic.deleted_at.is_(None)
        )
        if lock and self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(key_share=True)
        return await self.session.scalar(query)

    async def fresh_topic(self, topic_id: uuid.UUID) -> Topic | None:
        """The topic read again from the database (after an atomic UPDATE changed it)."""
        return await self.session.scalar(
            select(Topic)
            .where(Topic.tenant_id == self.tenant_id, Topic.id == topic_id)
            .execution_options(populate_existing=True)
        )

    async def topics_by_id(self, topic_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Topic]:
        if not topic_ids:
            return {}
        rows = await self.session.scalars(
            select(Topic).where(Topic.tenant_id == self.tenant_id, Topic.id.in_(topic_ids))
        )
        return {row.id: row for row in rows}

    async def topic_page(
        self, criteria: Iterable[ColumnElement[bool]], keys: Sequence[SortKey], limit: int
    ) -> Sequence[Topic]:
        query = select(Topic).where(
            Topic.tenant_id == self.tenant_id, Topic.deleted_at.is_(None), *criteria
        )
        query = query.order_by(
            *(key.column.desc() if key.descending else key.column.asc() for key in keys)
        ).limit(limit + 1)
        return (await self.session.scalars(query)).all()

    async def category_has_topics(self, category_id: uuid.UUID) -> bool:
        found = await self.session.scalar(
            select(
                exists().where(
                    Topic.tenant_id == self.tenant_id,
                    Topic.category_id == category_id,
                    Topic.deleted_at.is_(None),
                )
            )
        )
        return bool(found)

    async def set_flag(
        self, topic_id: uuid.UUID, flag: Literal["pinned", "locked"], value: bool
    ) -> bool:
        """Set `pinned` or `locked` in one atomic UPDATE; False when it already was so."""
        column = Topic.pinned if flag == "pinned" else Topic.locked
        result = await self.session.execute(
            update(Topic)
            .where(
                Topic.tenant_id == self.tenant_id,
                Topic.id == topic_id,
                Topic.deleted_at.is_(None),
                column != value,
            )
            .values({column: value})
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def count_reply(
        self, topic_id: uuid.UUID, reply_id: uuid.UUID, at: datetime, author_id: uuid.UUID | None
    ) -> int:
        """Count one more approved reply in one atomic UPDATE (concurrent replies each add
        theirs); it becomes the topic's last reply when it is the latest. The new count."""
        at_value = literal(at, UTCDateTime())
        newer = or_(
            Topic.last_reply_at.is_(None),
            Topic.last_reply_at < at_value,
            and_(Topic.last_reply_at == at_value, Topic.last_reply_id < reply_id),
        )
        result = await self.session.execute(
            update(Topic)
            .where(Topic.tenant_id == self.tenant_id, Topic.id == topic_id)
            .values(
                reply_count=Topic.reply_count + 1,
                last_reply_id=case((newer, literal(reply_id, Uuid())), else_=Topic.last_reply_id),
                last_reply_author_id=case(
                    (newer, literal(author_id, Uuid())), else_=Topic.last_reply_author_id
                ),
                last_reply_at=case((newer, at_value), else_=Topic.last_reply_at),
                last_activity_at=case(
                    (Topic.last_activity_at < at_value, at_value), else_=Topic.last_activity_at
                ),
            )
            .returning(Topic.reply_count)
            .execution_options(synchronize_session=False)
        )
        return int(result.scalar_one())

    async def uncount_reply(self, topic_id: uuid.UUID) -> int:
        """Count one approved reply less in one atomic UPDATE (which locks the topic row on
        PostgreSQL), then point the last-reply fields at the latest approved reply left.
        The new count."""
        result = await self.session.execute(
            update(Topic)
            .where(Topic.tenant_id == self.tenant_id, Topic.id == topic_id)
            .values(reply_count=Topic.reply_count - 1)
            .returning(Topic.reply_count, Topic.created_at)
            .execution_options(synchronize_session=False)
        )
        count, created_at = result.one()
        latest = (
            await self.session.execute(
                select(Reply.id, Reply.created_at, Reply.author_id)
                .where(
                    Reply.tenant_id == self.tenant_id,
                    Reply.topic_id == topic_id,
                    Reply.status == APPROVED,
                    Reply.deleted_at.is_(None),
                )
                .order_by(Reply.created_at.desc(), Reply.id.desc())
                .limit(1)
            )
        ).one_or_none()
        await self.session.execute(
            update(Topic)
            .where(Topic.tenant_id == self.tenant_id, Topic.id == topic_id)
            .values(
                last_reply_id=latest.id if latest else None,
                last_reply_at=latest.created_at if latest else None,
                last_reply_author_id=latest.author_id if latest else None,
                last_activity_at=latest.created_at if latest else created_at,
            )
            .execution_options(synchronize_session=False)
        )
        return int(count)

    # replies

    async def reply(self, reply_id: uuid.UUID) -> Reply | None:
        """The reply (None when it does not exist or is deleted)."""
        return await self.session.scalar(
            select(Reply).where(
                Reply.tenant_id == self.tenant_id, Reply.id == reply_id, Reply.deleted_at.is_(None)
            )
        )

    async def reply_page(
        self, criteria: Iterable[ColumnElement[bool]], keys: Sequence[SortKey], limit: int
    ) -> Sequence[Reply]:
        query = select(Reply).where(
            Reply.tenant_id == self.tenant_id, Reply.deleted_at.is_(None), *criteria
        )
        query = query.order_by(
            *(key.column.desc() if key.descending else key.column.asc() for key in keys)
        ).limit(limit + 1)
        return (await self.session.scalars(query)).all()

    async def threads(
        self, root_ids: Sequence[uuid.UUID], statuses: Sequence[str] | None
    ) -> Sequence[Reply]:
        """Every reply under the given depth-1 replies (not those), oldest first."""
        if not root_ids:
            return []
        criteria = [
            Reply.tenant_id == self.tenant_id,
            Reply.root_id.in_(root_ids),
            Reply.depth > 1,
            Reply.deleted_at.is_(None),
        ]
        if statuses is not None:
            criteria.append(Reply.status.in_(statuses))
        rows = await self.session.scalars(
            select(Reply).where(*criteria).order_by(Reply.created_at, Reply.id)
        )
        return rows.all()

    async def set_status(
        self,
        reply_id: uuid.UUID,
        *,
        previous: str,
        status: str,
        now: datetime,
        moderator: uuid.UUID,
    ) -> bool:
        """Move the reply from `previous` to `status` in one atomic UPDATE; False when another
        moderator moved it first (each transition then counts exactly once)."""
        result = await self.session.execute(
            update(Reply)
            .where(
                Reply.tenant_id == self.tenant_id,
                Reply.id == reply_id,
                Reply.status == previous,
                Reply.deleted_at.is_(None),
            )
            .values(status=status, moderated_at=now, moderated_by=moderator)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def mark_deleted(self, reply_id: uuid.UUID, now: datetime) -> str | None:
        """Mark the reply deleted in one atomic UPDATE; the status it had then, or None when it
        was deleted already (a moderation racing with it then counts exactly once)."""
        result = await self.session.execute(
            update(Reply)
            .where(
                Reply.tenant_id == self.tenant_id,
                Reply.id == reply_id,
                Reply.deleted_at.is_(None),
            )
            .values(deleted_at=now)
            .returning(Reply.status)
            .execution_options(synchronize_session=False)
        )
        return result.scalar_one_or_none()
