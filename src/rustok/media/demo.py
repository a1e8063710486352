"""Demo media: a few small images drawn with Pillow at seed time, uploaded like any client's."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from PIL import Image, ImageDraw

from rustok.core.permissions import Action, Permission, Reach, Scope
from rustok.media.permissions import MEDIA
from rustok.media.schemas import MediaTranslationInput, MediaUpdate
from rustok.media.service import MediaService

if TYPE_CHECKING:
    from rustok.bootstrap import Container

# (file name, colour, English alt text, German alt text)
DEMO_IMAGES = (
    ("demo-sunrise.png", (244, 162, 97), "An orange square, the sunrise", "Ein oranges Quadrat"),
    ("demo-sea.png", (42, 157, 143), "A teal square, the sea", "Ein türkises Quadrat"),
    ("demo-night.png", (38, 70, 83), "A dark blue square, the night", "Ein dunkelblaues Quadrat"),
)
SIZE = (64, 48)
# The seed acts as no user; a reach over all rows never looks at the actor.
_EVERYTHING = Reach(Permission(MEDIA, Action.MANAGE), Scope.ALL, uuid.UUID(int=0))


@dataclass(frozen=True, slots=True)
class _DemoFile:
    filename: str
    content_type: str | None
    file: BinaryIO


def _png(colour: tuple[int, int, int]) -> BinaryIO:
    image = Image.new("RGB", SIZE, colour)
    ImageDraw.Draw(image).ellipse((8, 8, SIZE[0] - 8, SIZE[1] - 8), fill=(233, 196, 106))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


async def seed(container: Container, tenant_id: uuid.UUID) -> None:
    """Upload the demo images the tenant does not have yet (by file name): idempotent."""
    service = container.service(MediaService)
    existing: set[str] = set()
    after = None
    while True:
        page = await service.list_media(tenant_id, _EVERYTHING, after=after, limit=100)
        existing |= {item.filename for item in page.items}
        if page.next_cursor is None:
            break
        after = page.next_cursor
    for filename, colour, alt_en, alt_de in DEMO_IMAGES:
        if filename in existing:
            continue
        uploaded = await service.upload(
            tenant_id, _DemoFile(filename, "image/png", _png(colour)), uploaded_by=None
        )
        await service.update_media(
            tenant_id,
            uploaded.id,
            MediaUpdate(
                translations=[
                    MediaTranslationInput(locale="en", alt_text=alt_en),
                    MediaTranslationInput(locale="de", alt_text=alt_de),
                ]
            ),
            _EVERYTHING,
        )
