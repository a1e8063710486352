"""Events the media module emits; the payloads describe the file (never its bytes or key)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from rustok.events.registry import EVENTS, DomainEvent


class _MediaEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "media"
    aggregate_field: ClassVar[str] = "media_id"

    media_id: uuid.UUID
    filename: str
    mime_type: str
    size: int
    width: int | None
    height: int | None


@EVENTS.register
class MediaUploaded(_MediaEvent):
    """A file was stored and its row written (the file exists before this commits)."""

    event_type: ClassVar[str] = "content.media.uploaded"
    schema_version: ClassVar[int] = 1

    checksum_sha256: str
    uploaded_by: uuid.UUID | None


@EVENTS.register
class MediaDeleted(_MediaEvent):
    """The row is gone; the file is removed right after the commit."""

    event_type: ClassVar[str] = "content.media.deleted"
    schema_version: ClassVar[int] = 1
