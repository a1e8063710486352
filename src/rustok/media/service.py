"""Media use cases: upload, list, read, change texts, delete, and serve the bytes.

An upload is checked whole before anything is stored: its type sniffed from the bytes, its size
counted against the limit, an image decoded by Pillow. Only then are the bytes saved (atomically,
under a fresh platform-made key), and only then is the row written with its event in one unit
of work; if that transaction fails, the file is deleted again. Saving happens before the unit
of work opens, so a slow disk never holds SQLite's write turn.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol, cast

import structlog

from rustok.core.clock import utcnow
from rustok.core.cursor import CursorPage, decode_cursor, page_of
from rustok.core.errors import FieldError
from rustok.media.errors import MediaLocaleNotEnabled, MediaNotFound, MediaReferenceUnknown
from rustok.media.events import MediaDeleted, MediaUploaded
from rustok.media.models import Media, MediaTranslation
from rustok.media.probe import CHUNK_BYTES, inspect_upload
from rustok.media.repository import LIST_ORDER, MediaRepository
from rustok.media.schemas import (
    MediaRead,
    MediaTranslationRead,
    MediaUploadRead,
    display_filename,
    file_url,
)
from rustok.media.storage.base import StoredFileMissing, new_key

if TYPE_CHECKING:
    import uuid
    from collections.abc import AsyncIterator, Collection, Sequence

    from sqlalchemy import ColumnElement

    from rustok.core.permissions import Reach
    from rustok.core.uow import UnitOfWork, UnitOfWorkFactory
    from rustok.media.schemas import MediaUpdate
    from rustok.media.settings import MediaSettings
    from rustok.media.storage.base import MediaStorage
    from rustok.tenancy.service import TenantService

log = structlog.get_logger(__name__)

LIST_ORDER_NAME = "media.newest"
# Nullable (the demo seed uploads as nobody); a NULL uploader is within no `own` reach.
_UPLOADER = cast("ColumnElement[uuid.UUID]", Media.uploaded_by)


class UploadSource(Protocol):
    """An uploaded file as the web layer hands it over (Starlette's UploadFile is one)."""

    @property
    def filename(self) -> str | None: ...

    @property
    def content_type(self) -> str | None: ...

    @property
    def file(self) -> BinaryIO: ...


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One media file's bytes, not yet opened, and what a response needs to say about them."""

    mime_type: str
    size: int
    checksum_sha256: str
    filename: str
    _key: str
    _storage: MediaStorage

    async def open(self) -> AsyncIterator[bytes]:
        """The bytes in chunks; MediaNotFound when the storage has lost them."""
        try:
            return await self._storage.open(self._key)
        except StoredFileMissing:
            log.error("media.file_missing", key=self._key)
            raise MediaNotFound("The file of this media is missing.") from None


class MediaService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        storage: MediaStorage,
        tenants: TenantService,
        settings: MediaSettings,
    ) -> None:
        self._uow = uow
        self.storage = storage
        self._tenants = tenants
        self._allowed = frozenset(settings.allowed_types)
        self._max_bytes = settings.max_upload_bytes
        self._max_pixels = settings.max_image_pixels

    async def upload(
        self, tenant_id: uuid.UUID, source: UploadSource, *, uploaded_by: uuid.UUID | None
    ) -> MediaUploadRead:
        """Check, store and record one file; refused input stores nothing and emits nothing."""
        inspection = await asyncio.to_thread(
            inspect_upload,
            source.file,
            allowed=self._allowed,
            max_bytes=self._max_bytes,
            max_pixels=self._max_pixels,
        )
        declared = (source.content_type or "").split(";")[0].strip().lower() or None
        key = new_key(tenant_id)
        await self.storage.save(key, _chunks(source.file))
        committed = False
        try:
            async with self._uow(tenant_id) as uow:
                media = Media(
                    tenant_id=tenant_id,
                    filename=display_filename(source.filename),
                    storage_key=key,
                    mime_type=inspection.mime_type,
                    size=inspection.size,
                    width=inspection.width,
                    height=inspection.height,
                    checksum_sha256=inspection.checksum_sha256,
                    uploaded_by=uploaded_by,
                )
                await MediaRepository(uow.session, tenant_id).add(media)
                uow.emit(
                    MediaUploaded(
                        media_id=media.id,
                        filename=media.filename,
                        mime_type=media.mime_type,
                        size=media.size,
                        width=media.width,
                        height=media.height,
                        checksum_sha256=media.checksum_sha256,
                        uploaded_by=uploaded_by,
                    ),
                    tenant_id=tenant_id,
                )
                read = _read(media, [])
                await uow.commit()
                committed = True
        except BaseException:
            if not committed:  # the row never committed: its file must not outlive it
                await asyncio.shield(self.storage.delete(key))
            raise
        mismatch = declared is not None and declared != inspection.mime_type
        if mismatch:
            log.info("media.declared_type_mismatch", declared=declared, sniffed=read.mime_type)
        return MediaUploadRead(
            **read.model_dump(), declared_type=declared, declared_type_mismatch=mismatch
        )

    async def list_media(
        self,
        tenant_id: uuid.UUID,
        reach: Reach,
        *,
        after: str | None,
        limit: int,
        mime_type: str | None = None,
    ) -> CursorPage[MediaRead]:
        """Newest first, by cursor; an `own` reach lists only the caller's uploads."""
        values = None
        if after is not None:
            values = decode_cursor(after, order=LIST_ORDER_NAME, width=len(LIST_ORDER))
        async with self._uow(tenant_id, read_only=True) as uow:
            repository = MediaRepository(uow.session, tenant_id)
            rows = await repository.page(
                after=values, limit=limit, mime_type=mime_type, owner=reach.where(_UPLOADER)
            )
            page, cursor = page_of(
                rows, limit, lambda row: (row.created_at, row.id), order=LIST_ORDER_NAME
            )
            reads = await _reads(repository, page)
        return CursorPage(items=reads, next_cursor=cursor)

    async def get_media(
        self, tenant_id: uuid.UUID, media_id: uuid.UUID, reach: Reach | None = None
    ) -> MediaRead:
        async with self._uow(tenant_id, read_only=True) as uow:
            repository = MediaRepository(uow.session, tenant_id)
            media = await _access(repository, media_id, reach)
            return (await _reads(repository, [media]))[0]

    async def get_many(
        self, tenant_id: uuid.UUID, media_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, MediaRead]:
        """The tenant's media among `media_ids`, by id, in two queries (the GraphQL loader's).

        No access check: the caller shows media another resource of its own points at (a
        node's image, a product's gallery) and has authorised that resource already."""
        async with self._uow(tenant_id, read_only=True) as uow:
            repository = MediaRepository(uow.session, tenant_id)
            rows = await repository.get_many(set(media_ids))
            return {read.id: read for read in await _reads(repository, rows)}

    @staticmethod
    async def ensure_media_in(
        uow: UnitOfWork, media_ids: Sequence[uuid.UUID], *, field: str
    ) -> None:
        """Refuse references to media the unit of work's tenant does not have, inside the
        caller's unit of work (content and commerce, before they store a media id): one query,
        and `MEDIA_REFERENCE_UNKNOWN` naming `field.<index>` of each unknown id (`field` alone
        for a single id). Another tenant's id is unknown here, like a made-up one."""
        if uow.tenant_id is None:
            raise RuntimeError("media references are checked in a tenant's unit of work")
        wanted = list(dict.fromkeys(media_ids))
        found = {
            row.id for row in await MediaRepository(uow.session, uow.tenant_id).get_many(wanted)
        }
        unknown = [index for index, media_id in enumerate(media_ids) if media_id not in found]
        if unknown:
            fields = [
                FieldError(field if len(media_ids) == 1 else f"{field}.{index}", "no such media")
                for index in unknown
            ]
            raise MediaReferenceUnknown("No such media in this tenant.", fields=fields)

    async def update_media(
        self, tenant_id: uuid.UUID, media_id: uuid.UUID, data: MediaUpdate, reach: Reach
    ) -> MediaRead:
        """Rename for display and set alt texts and captions per locale (enabled locales only)."""
        if data.translations:
            await self._check_locales(tenant_id, [entry.locale for entry in data.translations])
        async with self._uow(tenant_id) as uow:
            repository = MediaRepository(uow.session, tenant_id)
            media = await _access(repository, media_id, reach)
            if data.filename is not None:
                media.filename = data.filename
            existing = {row.locale: row for row in await repository.translations([media.id])}
            for entry in data.translations or []:
                row = existing.get(entry.locale)
                if not entry.alt_text and not entry.caption:
                    if row is not None:
                        await repository.delete_translation(media.id, entry.locale)
                elif row is None:
                    await repository.add_translation(
                        MediaTranslation(
                            tenant_id=tenant_id,
                            media_id=media.id,
                            locale=entry.locale,
                            alt_text=entry.alt_text,
                            caption=entry.caption,
                        )
                    )
                else:
                    row.alt_text = entry.alt_text
                    row.caption = entry.caption
            media.updated_at = utcnow()  # the media changed, even when only its texts did
            await uow.session.flush()
            read = (await _reads(repository, [media]))[0]
            await uow.commit()
            return read

    async def delete_media(self, tenant_id: uuid.UUID, media_id: uuid.UUID, reach: Reach) -> None:
        """Delete the row (with its event); the file goes once that has committed."""
        async with self._uow(tenant_id) as uow:
            repository = MediaRepository(uow.session, tenant_id)
            media = await _access(repository, media_id, reach)
            key = media.storage_key
            uow.emit(
                MediaDeleted(
                    media_id=media.id,
                    filename=media.filename,
                    mime_type=media.mime_type,
                    size=media.size,
                    width=media.width,
                    height=media.height,
                ),
                tenant_id=tenant_id,
            )
            await repository.delete(media)
            uow.on_commit(lambda: self._remove_file(key))
            await uow.commit()

    async def open_file(self, tenant_id: uuid.UUID, media_id: uuid.UUID) -> StoredFile:
        """A media file of this tenant, ready to be streamed (`StoredFile.open`)."""
        async with self._uow(tenant_id, read_only=True) as uow:
            media = await MediaRepository(uow.session, tenant_id).get(media_id)
            if media is None:
                raise MediaNotFound("No such media.")
            return StoredFile(
                media.mime_type,
                media.size,
                media.checksum_sha256,
                media.filename,
                media.storage_key,
                self.storage,
            )

    async def _remove_file(self, key: str) -> None:
        try:
            await self.storage.delete(key)
        except OSError as error:
            # The row is gone already; an orphaned file costs space, never correctness.
            log.warning("media.file_not_removed", key=key, error=str(error))

    async def _check_locales(self, tenant_id: uuid.UUID, locales: Sequence[str]) -> None:
        tenant = await self._tenants.get_tenant(tenant_id)
        enabled = {loc.locale for loc in tenant.locales if loc.is_enabled}
        for index, locale in enumerate(locales):
            if locale not in enabled:
                raise MediaLocaleNotEnabled(
                    f"The locale {locale!r} is not enabled for this tenant.",
                    fields=[
                        FieldError(f"body.translations.{index}.locale", "not an enabled locale")
                    ],
                )


async def _chunks(file: BinaryIO) -> AsyncIterator[bytes]:
    file.seek(0)
    while chunk := await asyncio.to_thread(file.read, CHUNK_BYTES):
        yield chunk


async def _access(repository: MediaRepository, media_id: uuid.UUID, reach: Reach | None) -> Media:
    media = await repository.get(media_id)
    if media is None:
        raise MediaNotFound("No such media.")
    if reach is not None:
        reach.check(media.uploaded_by)
    return media


async def _reads(repository: MediaRepository, rows: Sequence[Media]) -> list[MediaRead]:
    """Rows with their translations, loaded in one query for all of them."""
    texts: dict[uuid.UUID, list[MediaTranslationRead]] = {row.id: [] for row in rows}
    for text in await repository.translations(list(texts)):
        texts[text.media_id].append(MediaTranslationRead.model_validate(text))
    return [_read(row, texts[row.id]) for row in rows]


def _read(media: Media, translations: list[MediaTranslationRead]) -> MediaRead:
    return MediaRead(
        id=media.id,
        filename=media.filename,
        mime_type=media.mime_type,
        size=media.size,
        width=media.width,
        height=media.height,
        checksum_sha256=media.checksum_sha256,
        uploaded_by=media.uploaded_by,
        created_at=media.created_at,
        updated_at=media.updated_at,
        translations=translations,
        file_url=file_url(media.id),
    )
