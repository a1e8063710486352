"""REST of the media module: upload (multipart), list, read, change texts, delete, download."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.datastructures import UploadFile

from rustok.core.cursor import CursorPage, CursorParams
from rustok.core.errors import FieldError, Invalid
from rustok.core.permissions import Action
from rustok.media.permissions import MEDIA
from rustok.media.schemas import MediaRead, MediaUpdate, MediaUploadRead
from rustok.media.service import MediaService
from rustok.web.access import Access, ContainerDep, TenantDep, public, require

if TYPE_CHECKING:
    from rustok.media.service import StoredFile

router = APIRouter(prefix="/content/media")

SERVED_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")
# Served in the page (an <img>); anything else is a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# A file is never a page of ours: no script, no plugin, no form, no same-origin access.
FILE_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "cross-origin",
}
MimeFilter = Annotated[
    str | None,
    Query(
        pattern=r"^[a-z]+/[a-z0-9.+-]+$",
        max_length=100,
        description="Only media of this type.",
        examples=["image/png"],
    ),
]


def _binary(description: str) -> dict[str, object]:
    schema = {"type": "string", "format": "binary"}
    content = {media: {"schema": schema} for media in (*SERVED_TYPES, "text/plain")}
    return {"description": description, "content": content}


_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "The file; its type is read from its bytes.",
                    }
                },
                "required": ["file"],
            },
            "example": {"file": "(the bytes of a PNG)"},
        }
    },
}


@router.post(
    "",
    response_model=MediaUploadRead,
    status_code=201,
    summary="Upload a file (multipart/form-data, part `file`)",
    # The body is read in the route, after the access rule: an anonymous or unauthorised
    # caller never gets a 10 MB upload parsed and spooled. So it is documented here.
    openapi_extra={"requestBody": _UPLOAD_BODY},
    responses={
        400: {"description": "The body is not valid multipart data (`BAD_REQUEST`)."},
        408: {"description": "The body did not arrive in time (`REQUEST_TIMEOUT`)."},
        413: {
            "description": "The file is over the media size limit (`MEDIA_TOO_LARGE`), or the "
            "body far over it (`PAYLOAD_TOO_LARGE`)."
        },
        415: {
            "description": "The bytes are of a type uploads do not take: SVG, HTML, unknown, "
            "or not allowed here (`MEDIA_TYPE_REFUSED`)."
        },
        422: {
            "description": "No `file` part, an empty file (`MEDIA_EMPTY`), an image that does "
            "not decode (`IMAGE_UNREADABLE`) or has too many pixels (`IMAGE_TOO_LARGE`)."
        },
    },
)
async def upload_media(
    request: Request,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(MEDIA, Action.CREATE)],
) -> MediaUploadRead:
    async with request.form(max_files=1, max_fields=8) as form:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise Invalid(
                "Send the file as the multipart part `file`.",
                fields=[FieldError("body.file", "Field required")],
            )
        return await container.service(MediaService).upload(
            tenant.id, file, uploaded_by=access.principal.user_id
        )


@router.get("", response_model=CursorPage[MediaRead], summary="The media library, newest first")
async def list_media(
    container: ContainerDep,
    tenant: TenantDep,
    page: Annotated[CursorParams, Depends()],
    access: Annotated[Access, require(MEDIA, Action.LIST)],
    mime_type: MimeFilter = None,
) -> CursorPage[MediaRead]:
    return await container.service(MediaService).list_media(
        tenant.id, access.reach, after=page.after, limit=page.limit, mime_type=mime_type
    )


@router.get("/{media_id}", response_model=MediaRead, summary="One media file's metadata")
async def get_media(
    media_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(MEDIA, Action.READ)],
) -> MediaRead:
    return await container.service(MediaService).get_media(tenant.id, media_id, access.reach)


@router.patch(
    "/{media_id}",
    response_model=MediaRead,
    summary="Rename a media file, set its alt texts and captions per locale",
)
async def update_media(
    media_id: uuid.UUID,
    data: MediaUpdate,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(MEDIA, Action.UPDATE)],
) -> MediaRead:
    return await container.service(MediaService).update_media(
        tenant.id, media_id, data, access.reach
    )


@router.delete(
    "/{media_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a media file (its row, then its bytes)",
)
async def delete_media(
    media_id: uuid.UUID,
    container: ContainerDep,
    tenant: TenantDep,
    access: Annotated[Access, require(MEDIA, Action.DELETE)],
) -> Response:
    await container.service(MediaService).delete_media(tenant.id, media_id, access.reach)
    return Response(status_code=204)


@router.get(
    "/{media_id}/file",
    response_class=StreamingResponse,
    summary="Download a media file's bytes (public: storefronts show them)",
    responses={
        200: _binary("The bytes, with the type sniffed at upload."),
        304: {"description": "Unchanged since the `ETag` sent in `If-None-Match`."},
    },
)
async def download_media(
    media_id: uuid.UUID,
    request: Request,
    container: ContainerDep,
    tenant: TenantDep,
    _: Annotated[None, public()],
) -> Response:
    stored = await container.service(MediaService).open_file(tenant.id, media_id)
    etag = f'"{stored.checksum_sha256}"'
    headers = {
        **FILE_SECURITY_HEADERS,
        "ETag": etag,
        "Cache-Control": "public, max-age=300",
        "Vary": "X-Tenant-ID",
        "Content-Disposition": _disposition(stored),
    }
    if etag in _etags(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    chunks = await stored.open()
    media_type = stored.mime_type
    if media_type == "text/plain":
        media_type += "; charset=utf-8"
    headers["Content-Length"] = str(stored.size)
    return StreamingResponse(chunks, media_type=media_type, headers=headers)


def _etags(header: str | None) -> set[str]:
    if not header:
        return set()
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def _disposition(stored: StoredFile) -> str:
    """`inline` for images, `attachment` for the rest; the name in ASCII and in UTF-8."""
    kind = "inline" if stored.mime_type in INLINE_TYPES else "attachment"
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in stored.filename
    )
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(stored.filename, safe='')}"
