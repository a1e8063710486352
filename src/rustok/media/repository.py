"""Queries of the media module; every one starts from the tenant's rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from rustok.core.cursor import SortKey, keyset_after
from rustok.media.models import Media, MediaTranslation

if TYPE_CHECKING:
    import uuid
    from collections.abc import Collection, Sequence

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

    from rustok.core.cursor import CursorValue

# Newest first; the id ends the order, so it is total.
LIST_ORDER = (
    SortKey(Media.__table__.c.created_at, descending=True),
    SortKey(Media.__table__.c.id, descending=True),
)


class MediaRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def get(self, media_id: uuid.UUID) -> Media | None:
        return await self.session.scalar(
            select(Media).where(Media.tenant_id == self.tenant_id, Media.id == media_id)
        )

    async def get_many(self, ids: Collection[uuid.UUID]) -> Sequence[Media]:
        if not ids:
            return []
        rows = await self.session.scalars(
            select(Media).where(Media.tenant_id == self.tenant_id, Media.id.in_(list(ids)))
        )
        return rows.all()

    async def page(
        self,
        *,
        after: Sequence[CursorValue] | None,
        limit: int,
        mime_type: str | None,
        owner: ColumnElement[bool],
    ) -> Sequence[Media]:
        """Up to `limit + 1` rows after the cursor's values, newest first; `owner` is the
        caller's reach (`Reach.where`)."""
        query = select(Media).where(Media.tenant_id == self.tenant_id, owner)
        if mime_type is not None:
            query = query.where(Media.mime_type == mime_type)
        if after is not None:
            query = query.where(keyset_after(LIST_ORDER, after))
        query = query.order_by(*(k.column.desc() if k.descending else k.column for k in LIST_ORDER))
        return (await self.session.scalars(query.limit(limit + 1))).all()

    async def translations(self, media_ids: Collection[uuid.UUID]) -> Sequence[MediaTranslation]:
        if not media_ids:
            return []
        rows = await self.session.scalars(
            select(MediaTranslation)
            .where(
                MediaTranslation.tenant_id == self.tenant_id,
                MediaTranslation.media_id.in_(list(media_ids)),
            )
            .order_by(MediaTranslation.media_id, MediaTranslation.locale)
        )
        return rows.all()

    async def add(self, media: Media) -> None:
        self.session.add(media)
        await self.session.flush()

    async def add_translation(self, row: MediaTranslation) -> None:
        self.session.add(row)
        await self.session.flush()

    async def delete_translation(self, media_id: uuid.UUID, locale: str) -> None:
        await self.session.execute(
            delete(MediaTranslation).where(
                MediaTranslation.tenant_id == self.tenant_id,
                MediaTranslation.media_id == media_id,
                MediaTranslation.locale == locale,
            )
        )

    async def delete(self, media: Media) -> None:
        await self.session.execute(
            delete(MediaTranslation).where(
                MediaTranslation.tenant_id == self.tenant_id,
                MediaTranslation.media_id == media.id,
            )
        )
        await self.session.delete(media)
        await self.session.flush()
