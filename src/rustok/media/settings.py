"""The media module's settings (`RUSTOK_MODULES__MEDIA__<FIELD>`, docs/media.md)."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

MediaType = Literal[
    "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"
]
"""The file types media uploads can be (sniffed from the bytes); SVG and HTML never are."""

MULTIPART_FRAMING = 64 * 1024
"""What a multipart body carries around the file (boundaries, part headers); the request body
limit of the upload route is the file limit plus this, the service holds the file itself to
the exact limit."""


class MediaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    storage_dir: str = "var/media"
    """Where the local storage keeps the files (relative to the working directory)."""
    max_upload_bytes: int = Field(default=10_485_760, ge=1)
    """The largest file one upload may carry."""
    allowed_types: list[MediaType] = Field(default_factory=lambda: list(get_args(MediaType)))
    """The sniffed types accepted, of those the platform knows."""
    max_image_pixels: int = Field(default=25_000_000, ge=1)
    """Larger images are refused before they are decoded (decompression bombs)."""
