"""GraphQL of the media module: `media`, `mediaList`, `updateMedia`, `deleteMedia`, and the
`Media` type with its DataLoader, which content and commerce reuse for the media their own
types point at (`media_loader(info).load(media_id)`). Uploads stay REST (multipart)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from rustok.core.cursor import DEFAULT_LIMIT
from rustok.core.modules import GraphQLPart
from rustok.core.permissions import Action
from rustok.media.permissions import MEDIA
from rustok.media.schemas import MediaUpdate
from rustok.media.service import MediaService
from rustok.web.graphql import GraphQLContext, page_size, parse_input, per_request, requires

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rustok.media.schemas import MediaRead

_LOADER_STATE = "media_loader"


@strawberry.type(name="MediaTranslation")
class MediaTranslationType:
    locale: str
    alt_text: str
    caption: str


@strawberry.type(name="Media", description="An uploaded file; `fileUrl` serves its bytes.")
class MediaType:
    id: uuid.UUID
    filename: str
    mime_type: str
    size: int
    width: int | None
    height: int | None
    checksum_sha256: str
    uploaded_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    file_url: str
    translations: list[MediaTranslationType]

    @classmethod
    def of(cls, media: MediaRead) -> MediaType:
        return cls(
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
            file_url=media.file_url,
            translations=[MediaTranslationType(**t.model_dump()) for t in media.translations],
        )


@strawberry.type(description="A page of media, newest first; pass `nextCursor` as `after`.")
class MediaConnection:
    items: list[MediaType]
    next_cursor: str | None
    has_more: bool


@strawberry.input
class MediaTranslationInput:
    locale: str
    alt_text: str = ""
    caption: str = ""


@strawberry.input
class MediaUpdateInput:
    filename: str | None = None
    translations: list[MediaTranslationInput] | None = None


def media_loader(info: Info[GraphQLContext, Any]) -> DataLoader[uuid.UUID, MediaType | None]:
    """This request's loader of the tenant's media by id: every `load` of one resolver pass
    becomes one batch (two SQL statements, whatever the count). It checks no permission: the
    field using it shows media that a resource it has already authorised points at."""
    service = info.context.container.service(MediaService)
    tenant_id = info.context.tenant.id

    def make() -> DataLoader[uuid.UUID, MediaType | None]:
        async def load(ids: list[uuid.UUID]) -> Sequence[MediaType | None]:
            found = await service.get_many(tenant_id, ids)
            return [MediaType.of(found[i]) if i in found else None for i in ids]

        return DataLoader(load_fn=load)

    return per_request(info, _LOADER_STATE, make)


def _update_of(data: MediaUpdateInput) -> MediaUpdate:
    raw: dict[str, Any] = {}
    if data.filename is not None:
        raw["filename"] = data.filename
    if data.translations is not None:
        raw["translations"] = [vars(entry) for entry in data.translations]
    return parse_input(MediaUpdate, raw)


@strawberry.type
class MediaQuery:
    @strawberry.field(
        extensions=[requires(MEDIA, Action.READ)], description="One media file by id."
    )
    async def media(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> MediaType:
        access = await info.context.access(MEDIA, Action.READ)
        found = await info.context.container.service(MediaService).get_media(
            info.context.tenant.id, id, access.reach
        )
        return MediaType.of(found)

    @strawberry.field(
        extensions=[requires(MEDIA, Action.LIST)],
        description="The media library, newest first, by cursor.",
    )
    async def media_list(
        self,
        info: Info[GraphQLContext, Any],
        after: str | None = None,
        limit: int = DEFAULT_LIMIT,
        mime_type: str | None = None,
    ) -> MediaConnection:
        access = await info.context.access(MEDIA, Action.LIST)
        page = await info.context.container.service(MediaService).list_media(
            info.context.tenant.id,
            access.reach,
            after=after,
            limit=page_size(limit),
            mime_type=mime_type,
        )
        return MediaConnection(
            items=[MediaType.of(item) for item in page.items],
            next_cursor=page.next_cursor,
            has_more=page.has_more,
        )


@strawberry.type
class MediaMutation:
    @strawberry.mutation(
        extensions=[requires(MEDIA, Action.UPDATE)],
        description="Rename a media file; set its alt texts and captions per locale.",
    )
    async def update_media(
        self, info: Info[GraphQLContext, Any], id: uuid.UUID, input: MediaUpdateInput
    ) -> MediaType:
        access = await info.context.access(MEDIA, Action.UPDATE)
        updated = await info.context.container.service(MediaService).update_media(
            info.context.tenant.id, id, _update_of(input), access.reach
        )
        return MediaType.of(updated)

    @strawberry.mutation(
        extensions=[requires(MEDIA, Action.DELETE)],
        description="Delete a media file; answers its id.",
    )
    async def delete_media(self, info: Info[GraphQLContext, Any], id: uuid.UUID) -> uuid.UUID:
        access = await info.context.access(MEDIA, Action.DELETE)
        await info.context.container.service(MediaService).delete_media(
            info.context.tenant.id, id, access.reach
        )
        return id


# What content and commerce import for their own fields that point at media.
Media = MediaType
__all__ = ["GRAPHQL", "Media", "media_loader"]

GRAPHQL = GraphQLPart(query=MediaQuery, mutation=MediaMutation)
